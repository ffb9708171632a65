"""Data folders: per-user by default, beside the executable in portable mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app import paths


def test_resources_are_found():
    assert (paths.resources_dir() / "catalog" / "indicators.csv").exists()
    assert (paths.resources_dir() / "units" / "units.json").exists()


def test_default_is_the_per_user_folder_not_the_install_folder(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("COVERAGE_DESK_PORTABLE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/tmp/xdg-test-data")
    assert not paths.is_portable()
    assert paths.default_db_path() == Path("/tmp/xdg-test-data/CoverageDesk/coverage-desk.db")


def test_portable_mode_keeps_data_beside_the_executable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setattr(paths, "install_dir", lambda: tmp_path)
    monkeypatch.delenv("COVERAGE_DESK_PORTABLE", raising=False)
    assert not paths.is_portable()
    (tmp_path / paths.PORTABLE_MARKER).write_text("")
    assert paths.is_portable()
    assert paths.default_db_path() == tmp_path / "data" / "coverage-desk.db"
