"""Fixtures of the import tests: a demo commune office, built once, copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_app.store.store import Store

COMMUNE = "pre2025:04108"  # Xã Chiềng Sung, Mai Sơn


@pytest.fixture(scope="session")
def commune_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo commune office (seed 1, 2019Q1-2020Q4); copy it before writing."""
    from desktop_app.demo import build_demo

    path = tmp_path_factory.mktemp("commune-demo") / "commune.db"
    build_demo(path, COMMUNE, 1)
    return path


@pytest.fixture
def commune_db(commune_demo_db: Path, tmp_path: Path) -> Path:
    """A private copy of the demo commune office."""
    path = tmp_path / "commune.db"
    shutil.copy(commune_demo_db, path)
    return path


@pytest.fixture
def store(commune_db: Path) -> Iterator[Store]:
    """The copy, open."""
    with Store.open(commune_db) as opened:
        yield opened


def table_state(store: Store) -> tuple[list[Any], int, int]:
    """Every data value row, and how many changes and audit rows: "nothing changed" means equal."""
    rows = store.db.execute_sql(
        "SELECT org_id, period, indicator, disagg, value, comment, version FROM data_value"
        " ORDER BY org_id, period, indicator, disagg"
    ).fetchall()
    changes = store.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
    audits = store.db.execute_sql("SELECT count(*) FROM audit").fetchone()[0]
    return rows, int(changes), int(audits)
