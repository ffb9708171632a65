"""The consolidated demo province (every commune of Sơn La, two quarters), built once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.demo.structure2025 import DEMO_PROVINCE_DECIDES

PROVINCE_OLD, PROVINCE_NEW = "pre2025:14", "2025:14"
PERIOD = "2020Q4"

#: what the province decides for the communes the shipped lineage lacks (the demo's)
PROVINCE_DECIDES = DEMO_PROVINCE_DECIDES


@pytest.fixture(scope="session")
def province_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole-province demo office (seed 1, 2020Q3–2020Q4). Copy it before writing."""
    from desktop_app.demo import build_demo

    path = tmp_path_factory.mktemp("reform") / "province.db"
    build_demo(path, PROVINCE_OLD, 1, first_period="2020Q3", last_period="2020Q4")
    return path


@pytest.fixture
def province_copy(province_db: Path, tmp_path: Path) -> Path:
    """A private copy of the province demo for a test that writes."""
    path = tmp_path / "province.db"
    shutil.copy(province_db, path)
    return path


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``coverage-desk demo --structure 2025``: (office, province). Copy before writing."""
    from desktop_app import cli

    path = tmp_path_factory.mktemp("demo2025") / "demo-2025.db"
    assert cli.main(["--lang", "en", "demo", "--db", str(path), "--structure", "2025"]) == 0
    return path, path.with_name("demo-2025-province.db")
