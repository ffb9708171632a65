""" "Kỳ trước" across the 2025 reform: a 2025 commune's first quarter (2025Q3) against the
quarter before (2025Q2), read from the two old communes it was formed from. Village
figures and commune-wide totals compare like for like (the same villages, the same
territory), the old communes left out of the previous period are named, figures that
count or average communes (2 old communes are not 1) are left blank, and the footnote
says all of it."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from desktop_app.reports import build_report, write_model
from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text
from tests.reports.handbuilt import actor_for

NEW, OLD_A, OLD_B = "2025:04108", "pre2025:04108", "pre2025:04114"
DAY = date(2026, 12, 3)


def _row(model, code: str):  # type: ignore[no-untyped-def]
    return next(r for r in model.rows if r.code == code and not r.cell and not r.heading)


def test_the_previous_column_across_the_reform_says_what_it_holds(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    path = tmp_path / "province.db"
    shutil.copy(demo[1], path)
    with Store.open(path) as store:
        model = build_report(store, "commune", NEW, "2025Q3", report_date=DAY)
        parts = [aggregate(store, old, "2025Q2", with_previous=False) for old in (OLD_A, OLD_B)]
        note = model.previous_note
        assert note.startswith(
            "(*) Cột “Kỳ trước” (quý 2/2025, trước khi sắp xếp đơn vị hành chính ngày"
            " 01/7/2025) là số liệu của 2 xã cũ: Xã Chiềng Sung, Xã Chiềng Chăn;"
        )
        assert "các chỉ tiêu đếm số xã hoặc tính bình quân theo xã không so sánh được" in note
        # a commune-wide total: the two old communes added up (same territory)
        bts = sum(p.current.indicators["bts_vi_tri"].total or 0 for p in parts)
        assert bts > 0 and _row(model, "bts_vi_tri").previous == bts
        # a village figure: the same villages
        households = sum(p.current.indicators["ho_internet"].total or 0 for p in parts)
        assert _row(model, "ho_internet").previous == households
        # counting communes: 2 old ones against 1 new one is no comparison
        assert _row(model, "xa_cap_quang").previous is None
        assert _row(model, "xa_cap_quang").current is not None
        # a derived figure over commune-wide totals of the same territory is kept
        assert _row(model, "ban_kinh_phuc_vu").previous is not None
        flat = " ".join(pdf_text(write_model(model, tmp_path / "c.pdf"), layout=False).split())
        assert note in flat and "Kỳ trước (*)" in flat
        sheet = load_workbook(write_model(model, tmp_path / "c.xlsx")).worksheets[0]
        assert note in [c for r in sheet.iter_rows(values_only=True) for c in r]

        # an old commune returned before the reform: not counted, and named
        district = actor_for(store, "pre2025:125")  # Huyện Mai Sơn reviewed them then
        store.submissions.move(OLD_B, "2025Q2", "returned", reason="Thiếu số liệu", actor=district)
        model = build_report(store, "commune", NEW, "2025Q3", report_date=DAY)
        assert (
            _row(model, "ho_internet").previous == parts[0].current.indicators["ho_internet"].total
        )
        assert "1 xã không có số liệu được tính của quý 2/2025: Xã Chiềng Chăn" in (
            model.previous_note
        )
        en = build_report(store, "commune", NEW, "2025Q3", lang="en", report_date=DAY)
        assert en.previous_note.startswith(
            "(*) The “Previous” column (Q2 2025, before the administrative units were"
            " reorganised on 1 July 2025) holds the figures of 2 old communes:"
        )
        assert "1 commune has no counted data for Q2 2025: Xã Chiềng Chăn" in en.previous_note
        out = write_model(en, tmp_path / "c.csv")
        rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
        assert rows[0][3] == "Previous" and rows[-1][0] == "(*)"


def test_an_old_commune_split_between_new_ones_leaves_its_commune_wide_figures_blank(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    path = tmp_path / "province.db"
    shutil.copy(demo[1], path)
    with Store.open(path) as store:
        village = store.db.execute_sql(
            "SELECT v.id FROM village v LEFT JOIN village_origin o ON o.village_id = v.id"
            " WHERE COALESCE(o.commune_id, v.commune_id) = ? ORDER BY v.id LIMIT 1",
            (OLD_B,),
        ).fetchone()[0]
        # the province places one of Chiềng Chăn's villages in another 2025 commune
        store.publishing.publish_village_mapping({str(village): "2025:03646"}, "2026.9")
        model = build_report(store, "commune", NEW, "2025Q3", report_date=DAY)
    assert "Xã Chiềng Chăn được chia về nhiều xã hiện nay nên các chỉ tiêu chung của xã" in (
        model.previous_note
    )
    assert "chỉ tiêu tổng của xã tính trên cùng địa bàn" not in model.previous_note
    assert _row(model, "bts_vi_tri").previous is None
    assert _row(model, "ban_kinh_phuc_vu").previous is None
    assert _row(model, "bts_vi_tri").current is not None
