"""The window's version lookup gives importlib.metadata's answer without importing it."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest

import desktop_app
from desktop_app.ui import version


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """No version cached in the package yet."""
    monkeypatch.delitem(desktop_app.__dict__, "__version__", raising=False)


def _install(folder: Path, dist_version: str) -> None:
    info = folder / f"coverage_desk-{dist_version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: coverage-desk\nVersion: {dist_version}\n\nBody: 9.9\n",
        encoding="utf-8",
    )


def test_an_installed_version_is_read_like_importlib_metadata(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(tmp_path, "1.4.2")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "missing"), str(tmp_path), *sys.path])
    assert version.app_version() == "1.4.2"
    assert importlib.metadata.version("coverage-desk") == "1.4.2"  # the package's own way
    assert desktop_app.__version__ == "1.4.2"  # cached for the About box and the rest


def test_a_source_tree_that_is_not_installed_says_what_the_package_says(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", [p for p in sys.path if "coverage_desk" not in p])
    try:
        expected = importlib.metadata.version("coverage-desk")
    except importlib.metadata.PackageNotFoundError:
        expected = version.NOT_INSTALLED
    monkeypatch.delitem(desktop_app.__dict__, "__version__", raising=False)
    assert version.app_version() == expected


def test_the_window_module_does_not_import_importlib_metadata() -> None:
    import os
    import subprocess

    code = (
        "import sys; from desktop_app.startup import skip_unused_database_drivers; "
        "skip_unused_database_drivers(); "  # as cli.main does (psycopg reads metadata)
        "import desktop_app.ui.main_window as m; m.window_title('X'); "
        "print('importlib.metadata' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": "."},
    )
    assert done.stdout.strip() == "False"
