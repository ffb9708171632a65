"""The window's Data menu: export a template, fill it, import it with a preview first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow

from desktop_app.domain.periods import Period
from desktop_app.store.store import Store
from desktop_app.ui import spreadsheet, spreadsheet_dialogs
from desktop_app.ui.main_window import MainWindow
from desktop_app.ui.tasks import SyncTaskRunner, attach_runner
from tests.imports.conftest import COMMUNE, commune_db, commune_demo_db, table_state  # noqa: F401
from tests.ui.pages_fixtures import make_context

Q4 = Period.parse("2020Q4")


@pytest.fixture
def actions(qtbot, commune_db: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]  # noqa: F811
    store = Store.open(commune_db, user="user.clerk")
    ctx = make_context(store, "clerk")
    attach_runner(ctx, SyncTaskRunner())
    window = QMainWindow()
    qtbot.addWidget(window)
    made = spreadsheet.add_spreadsheet_menu(window, ctx)
    notices: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        spreadsheet.confirm,
        "inform",
        lambda _p, _t, text, error=False: notices.append((text, error)),
    )
    made.notices = notices  # type: ignore[attr-defined]
    yield made
    store.close()


def _export(actions: Any, monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    def fake_exec(dialog: spreadsheet_dialogs.ExportDialog) -> int:
        dialog.period_picker.set_period(Q4)
        dialog.accept()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(spreadsheet_dialogs.ExportDialog, "exec", fake_exec)
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    actions.export_action.trigger()


def test_export_fill_preview_apply(
    actions: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mau.xlsx"
    _export(actions, monkeypatch, path)
    assert path.exists() and "Template written" in actions.notices[-1][0]
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    cols = {c.value: c.column for c in ws[1] if c.value}
    households = ws.cell(row=4, column=cols["so_ho"]).value
    ws.cell(row=4, column=cols["so_ho"]).value = households + 3
    ws.cell(row=5, column=cols["so_ho_ngheo"]).value = 10**6  # refused by a rule
    wb.save(path)
    store = actions.ctx.store
    before = table_state(store)

    seen: list[spreadsheet_dialogs.ImportPreviewDialog] = []
    answers = iter([False, True])

    def fake_exec(dialog: spreadsheet_dialogs.ImportPreviewDialog) -> int:
        seen.append(dialog)
        assert dialog.table.rowCount() == 2
        assert not dialog.apply_button.isEnabled()  # a refusal blocks everything…
        if next(answers):
            dialog.partial_box.setChecked(True)  # …unless the clerk applies the rest
            assert dialog.apply_button.isEnabled()
            dialog.apply_button.click()
        else:
            dialog.cancel_button.click()
        return int(dialog.result())

    monkeypatch.setattr(spreadsheet_dialogs.ImportPreviewDialog, "exec", fake_exec)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
    actions.import_action.trigger()  # cancelled in the preview
    assert table_state(store) == before
    changed: list[tuple[str, str]] = []
    actions.ctx.bus.values_changed.connect(lambda c, p: changed.append((c, p)))
    actions.import_action.trigger()
    preview = seen[-1]
    texts = [preview.table.item(r, 4).text() for r in range(2)]
    assert any("must not exceed" in t for t in texts) and str(households + 3) in texts
    org = ws.cell(row=4, column=1).value
    assert store.values.get(org, "2020", "so_ho").value == str(households + 3)
    assert changed == [(COMMUNE, "2020Q4")]
    assert actions.notices[-1] == ("1 cell(s) imported.", False)


def test_a_bad_file_is_one_message_and_nothing_changes(
    actions: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    before = table_state(actions.ctx.store)
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), ""))
    )
    actions.import_action.trigger()
    [(message, error)] = actions.notices
    assert error and "not an Excel workbook" in message and "\n" not in message
    assert table_state(actions.ctx.store) == before


def test_the_main_window_has_the_data_menu(qtbot, commune_db: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    with Store.open(commune_db) as store:
        ctx = make_context(store, "clerk")
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        titles = [a.text() for a in window.menuBar().actions()]
        assert titles[0] == "&Data"
        menu = window.menuBar().actions()[0].menu()
        assert [a.text() for a in menu.actions()] == [
            "Import from Excel…",
            "Export Excel template…",
        ]
