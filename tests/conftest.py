"""Test set-up shared by the whole suite."""

from __future__ import annotations

import os

# Qt must run offscreen before any QApplication exists (DESIGN §12).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.i18n import setup as setup_i18n
from tests.helpers.clock import FakeClock

# fixtures shared by several test folders, each defined once
pytest_plugins = ["tests.helpers.net"]


def pytest_configure(config: pytest.Config) -> None:
    """The test process gets the app's guard of ``None``/``True``/``False`` too: pytest-qt
    disconnects signals (``waitSignal``), each ``disconnect`` taking a reference off
    ``True`` under PySide6 6.12 on Python 3.11 (``desktop_app.ui.none_refcount``)."""
    from desktop_app.ui.none_refcount import keep_singletons_alive

    keep_singletons_alive()


_DIRECTORY: UnitDirectory | None = None


@pytest.fixture(scope="session")
def unit_directory() -> UnitDirectory:
    """The country's units, loaded once per test session (read-only)."""
    global _DIRECTORY
    if _DIRECTORY is None:
        from desktop_app.units_resource import load_unit_directory

        _DIRECTORY = load_unit_directory()
    return _DIRECTORY


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """Tests read messages in English unless they switch to Vietnamese themselves."""
    setup_i18n("en")
    yield
    setup_i18n("en")


@pytest.fixture
def clock() -> FakeClock:
    """A hand-moved clock."""
    return FakeClock()


@pytest.fixture
def district_store(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory):  # type: ignore[no-untyped-def]
    """A fresh district office database (Huyện Mai Sơn) in tmp_path."""
    from desktop_app.store.office import create_office

    store = create_office(
        tmp_path / "office.db",
        "pre2025:125",
        directory=unit_directory,
        clock=clock,
        rng=random.Random(7),
        user="tester",
    )
    yield store
    store.close()


@pytest.fixture
def commune_store(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory):  # type: ignore[no-untyped-def]
    """A fresh commune office database (Xã Chiềng Sung, Mai Sơn) in tmp_path."""
    from desktop_app.store.office import create_office

    store = create_office(
        tmp_path / "commune.db",
        COMMUNE,
        directory=unit_directory,
        clock=clock,
        rng=random.Random(11),
        user="canbo",
    )
    yield store
    store.close()


COMMUNE = "pre2025:04108"


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo district office (Huyện Mai Sơn, seed 1), built once per session.

    Treat it as read-only: copy it (``shutil.copy``) into ``tmp_path`` before writing.
    """
    from desktop_app.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo-office.db"
    build_demo(path, "pre2025:125", 1)
    return path
