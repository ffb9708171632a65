"""A locked (approved) period's reports never change, whatever happens to villages later:
added, renamed and deactivated villages after approval leave the 2020Q3 commune and
district reports identical byte for byte (same printed date), while the open period
follows the register."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from desktop_app.domain.periods import Period
from desktop_app.reports import build_report, write_model
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.reports.handbuilt import actor_for

COMMUNE = "pre2025:04108"
DISTRICT = "pre2025:125"
DAY = date(2021, 2, 5)


def _write_all(store: Store, folder: Path) -> dict[str, bytes]:
    out = {}
    for kind, unit in (("commune", COMMUNE), ("district", DISTRICT)):
        for ext in ("pdf", "csv"):
            model = build_report(store, kind, unit, "2020Q3", report_date=DAY)  # type: ignore[arg-type]
            path = write_model(model, folder / f"{kind}.{ext}")
            out[f"{kind}.{ext}"] = path.read_bytes()
    return out


def test_locked_reports_are_unchanged_after_village_changes(demo_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    try:
        state = store.submissions.for_period("2020Q3")[COMMUNE].state
        assert state == "approved"
        before = _write_all(store, tmp_path)
        open_before = build_report(store, "commune", COMMUNE, "2020Q4", include_drafts=True)

        actor = actor_for(store, COMMUNE)
        villages = store.villages.for_commune(COMMUNE)
        store.villages.add(COMMUNE, "Bản Mới Lập", actor=actor)
        store.villages.rename(villages[0].id, "Bản Đổi Tên", actor=actor)
        store.villages.set_active(villages[1].id, False, actor=actor)
        gone = villages[1].name

        after = _write_all(store, tmp_path)
        for name in before:
            assert after[name] == before[name], name

        # an open past quarter counts the villages alive in it: the renamed one by its
        # new name, the one deactivated today still (it lived then), not the one added today
        past = build_report(store, "commune", COMMUNE, "2020Q4", include_drafts=True)
        assert past.aggregate.current.villages == open_before.aggregate.current.villages
        names = [v.name for v in past.aggregate.villages]
        assert "Bản Mới Lập" not in names and "Bản Đổi Tên" in names and gone in names

        # today's quarter follows the register: one added, one gone, one renamed
        today = Period.containing(date.fromtimestamp(store.clock()))
        for v in store.villages.for_commune(COMMUNE):
            if v.name != "Bản Mới Lập":
                store.values.set_value(
                    ValueWrite(COMMUNE, v.id, today.code, "song_di_dong", "on_dinh"),
                    actor=actor,
                )
        now = build_report(store, "commune", COMMUNE, today, include_drafts=True)
        names = [v.name for v in now.aggregate.villages]
        assert "Bản Mới Lập" in names and "Bản Đổi Tên" in names and gone not in names
        assert now.aggregate.current.villages == open_before.aggregate.current.villages
        # the empty new village enters no ratio: the coverage says it has no data
        row = next(r for r in now.rows if r.code == "ty_le_thon_co_song")
        n = now.aggregate.current.villages
        assert f"({n - 1}/{n} thôn có số liệu)" in row.label
    finally:
        store.close()


def test_locked_reports_are_unchanged_after_site_changes(demo_db: Path, tmp_path: Path) -> None:
    """The district report's map annex of a locked quarter keeps the sites of then: a site
    added, moved, put out of order or deleted later changes no byte of it."""
    from dataclasses import replace

    from desktop_app.store.repositories.sites import Site

    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    try:
        before = _write_all(store, tmp_path)
        actor = actor_for(store, COMMUNE)
        sites = [s for s in store.sites.find(COMMUNE) if s.lat is not None]
        assert len(sites) >= 2  # the demo commune has sites on the map
        first, second = sites[0], sites[1]
        store.sites.save(replace(first, lat=(first.lat or 0) + 0.05, status="out_of_order"),
                         actor=actor)  # fmt: skip
        store.sites.delete(second.id, actor=actor)
        lat, lon = (first.lat or 0) - 0.04, (first.lon or 0) + 0.04
        new = Site("", "bts", COMMUNE, None, "Trạm mới", "Viettel", ("4G",), False,
                   lat, lon, "active", None, None, "")  # fmt: skip
        store.sites.save(new, actor=actor)
        after = _write_all(store, tmp_path)
        for name in before:
            assert after[name] == before[name], name
        # the open quarter's map follows the register
        now = build_report(store, "district", DISTRICT, "2020Q4", report_date=DAY)
        assert now.map is not None
        open_sites = {(round(x, 3), round(y, 3)) for x, y, _t, _o in now.map.sites}
        locked = build_report(store, "district", DISTRICT, "2020Q3", report_date=DAY)
        assert locked.map is not None
        assert {(round(x, 3), round(y, 3)) for x, y, _t, _o in locked.map.sites} != open_sites
    finally:
        store.close()
