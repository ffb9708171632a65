"""Progress and cancel of export and import: a stopped export leaves no file, a stopped
import leaves the database exactly as it was, wherever the stop lands."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from desktop_app.store.store import Store
from desktop_app.sync.errors import SyncCancelledError
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.sync.conftest import PROVINCE, Net, add_village, set_households

C1, D1 = "pre2025:04108", "pre2025:125"


class StopAt:
    """A cancel callable that says stop from its ``at``-th question on (never when 0)."""

    def __init__(self, at: int = 0) -> None:
        self.at = at
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.at > 0 and self.asked >= self.at


def _snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    tables = [
        str(r[0])
        for r in store.db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        t: sorted((tuple(r) for r in store.db.execute_sql(f'SELECT * FROM "{t}"')), key=repr)
        for t in tables
    }


def _district_with_data(net: Net) -> None:
    for commune in (C1, "pre2025:04105"):
        v = add_village(net[commune], "Bản Mòng")
        set_households(net[commune], v, 42)
        net.send(commune, D1)
    v = add_village(net[C1], "Bản Hai")
    set_households(net[C1], v, 7)
    net.send(C1, D1)


def test_export_reports_progress_and_a_stop_anywhere_leaves_no_file(
    net: Net, tmp_path: Path
) -> None:
    _district_with_data(net)
    store = net[D1]
    seen: list[tuple[float | None, str]] = []
    counter = StopAt()
    out = tmp_path / "full.cdsync"
    result = export_bundle(store, out, progress=lambda f, m: seen.append((f, m)), cancel=counter)
    assert out.exists() and result.segments >= 2
    fractions = [f for f, _m in seen if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert all(m for _f, m in seen)
    checks = counter.asked
    assert checks >= result.segments + 2  # between segments, before writing, after checking
    outbound = _snapshot(store)["sync_bundle"]
    for at in range(1, checks + 1):
        folder = tmp_path / f"stop-{at}"
        folder.mkdir()
        with pytest.raises(SyncCancelledError):
            export_bundle(store, folder / "b.cdsync", cancel=StopAt(at))
        assert list(folder.iterdir()) == [], at  # not the bundle, not a temporary file
        assert _snapshot(store)["sync_bundle"] == outbound, at  # no export recorded


def test_import_stopped_anywhere_leaves_the_database_as_it_was(net: Net, tmp_path: Path) -> None:
    _district_with_data(net)
    bundle = net.export(D1, PROVINCE)
    province = net[PROVINCE]
    before = _snapshot(province)
    counter = StopAt()
    # a dry run on a copy counts the checks (the real one would apply)
    net.offices["copy"] = copy = Store.open(_copy_db(net, tmp_path), clock=net.clock)
    seen: list[tuple[float | None, str]] = []
    result = import_bundle(
        copy, bundle, backup=False, progress=lambda f, m: seen.append((f, m)), cancel=counter
    )
    assert result.report.applied > 0
    fractions = [f for f, _m in seen if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    checks = counter.asked
    assert checks >= 4
    for at in range(1, checks + 1):
        with pytest.raises(SyncCancelledError):
            import_bundle(province, bundle, backup=False, cancel=StopAt(at))
        assert _snapshot(province) == before, at
    # the last check is the one just before the commit: all the work was done, then undone
    # a flag object (the window's CancelFlag shape) works as well
    flag = threading.Event()
    flag.set()
    with pytest.raises(SyncCancelledError):
        import_bundle(province, bundle, backup=False, cancel=flag)
    assert _snapshot(province) == before
    # not stopped: it applies
    assert import_bundle(province, bundle, backup=False, cancel=threading.Event()).report.applied


def _copy_db(net: Net, tmp_path: Path) -> Path:
    import shutil

    net[PROVINCE].close()
    target = tmp_path / "province-copy.db"
    shutil.copy(tmp_path / "province.db", target)
    return target
