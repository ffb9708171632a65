"""Helpers for the page tests: a context for a store, typing Vietnamese, driving dialogs.

Modal dialogs are driven by replacing their ``exec`` with a function that fills the
real widgets, clicks the real OK button and returns the dialog's result, so the
page's controller code and the dialog's validation both run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from desktop_app.store.changes import Actor
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from tests.conftest import COMMUNE

COMMUNE_ACTOR = Actor("commune-node", 3, COMMUNE, "canbo")


def make_context(store: Store, role: str = "admin", *, language: str = "en") -> AppContext:
    """An AppContext for a user of ``role`` added to ``store``."""
    user = store.users.add(f"user.{role}", "Lò Thị Hoa", role, "matkhau1")
    return AppContext(store=store, user=user, language=language)


def type_text(widget: QWidget, text: str) -> None:
    """Type ``text`` key by key, Vietnamese included (never qtbot.keyClicks: DESIGN §12)."""
    widget.setFocus()
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def drive(
    monkeypatch: pytest.MonkeyPatch, dialog_class: type, fill: Callable[[Any], None]
) -> list[Any]:
    """Make every ``dialog_class(...).exec()`` run ``fill(dialog)`` then click OK.

    Returns the list of dialogs driven (to look at their error labels afterwards).
    """
    seen: list[Any] = []

    def fake_exec(dialog: Any) -> int:
        seen.append(dialog)
        fill(dialog)
        dialog.ok_button.click()
        return int(dialog.result())

    monkeypatch.setattr(dialog_class, "exec", fake_exec)
    return seen


def answer_confirmations(monkeypatch: pytest.MonkeyPatch, answer: bool) -> list[str]:
    """Make ``confirm.ask`` answer ``answer``; returns the questions asked."""
    from desktop_app.ui.dialogs import confirm

    asked: list[str] = []

    def fake_ask(_parent: object, _title: str, text: str, **_kwargs: object) -> bool:
        asked.append(text)
        return answer

    monkeypatch.setattr(confirm, "ask", fake_ask)
    return asked
