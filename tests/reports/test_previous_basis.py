"""The "Kỳ trước" column counts the same communes as "Kỳ này" (like for like), and says
which communes of this period have nothing counted in the previous one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop_app.reports import build_report, write_model
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text
from tests.reports.handbuilt import (
    COMMUNE_A,
    COMMUNE_B,
    DISTRICT,
    actor_for,
    build_small_district,
)

#: a third commune of Huyện Mai Sơn, approved in 2020Q4 with nothing in 2020Q3
COMMUNE_C = "pre2025:04111"


def _approve(store: Store, commune: str, period: str) -> None:
    store.submissions.move(commune, period, "submitted", actor=actor_for(store, commune))
    store.submissions.move(commune, period, "approved", actor=actor_for(store, DISTRICT))


def _mixed_district(store: Store) -> None:
    """A approved in both quarters; B approved in 2020Q3 only (returned in 2020Q4);
    C approved in 2020Q4 only, with no 2020Q3 values at all."""
    build_small_district(store)
    _approve(store, COMMUNE_A, "2020Q3")
    _approve(store, COMMUNE_B, "2020Q3")
    c = actor_for(store, COMMUNE_C)
    village = store.villages.add(COMMUNE_C, "C1 Bản Mòng", actor=c).id
    store.values.set_many(
        [ValueWrite(COMMUNE_C, village, "2020Q4", "ho_internet", 7)],  # type: ignore[arg-type]
        actor=c,
    )
    _approve(store, COMMUNE_C, "2020Q4")


def _row(text: str, name: str) -> list[str]:
    line = next(x for x in text.splitlines() if name in x)
    return line.split()


def test_previous_column_counts_the_communes_of_this_period(
    district_store: Store, tmp_path: Path
) -> None:
    _mixed_district(district_store)
    model = build_report(
        district_store, "district", DISTRICT, "2020Q4", report_date=date(2021, 2, 5)
    )
    row = next(r for r in model.rows if r.code == "ho_internet" and not r.cell)
    # this period: A (40 + 10, A3 deactivated) + C (7); B returned, not counted
    assert row.current == 57
    # previous period over the same communes: A's 30 + 10 only (B's 40 is left out:
    # B is not counted this period; C has nothing in 2020Q3)
    assert row.previous == 40
    out = write_model(model, tmp_path / "d.pdf")
    text = pdf_text(out)
    assert _row(text, "Số hộ có kết nối Internet")[-3:-1] == ["40", "57"]
    note = (
        "(*) Cột “Kỳ trước” tính cùng các xã được tính ở cột “Kỳ này”; 1 xã không có số liệu"
        " được tính của quý 3/2020: Xã Mường Bằng; không tính số liệu quý 3/2020 của 1 xã"
        " không có số liệu được tính kỳ này: Thị trấn Hát Lót."
    )
    assert model.previous_note == note
    flat = " ".join(pdf_text(out, layout=False).split())
    assert note in flat
    assert "Kỳ trước (*)" in flat


def test_the_english_report_says_the_same(district_store: Store) -> None:
    _mixed_district(district_store)
    model = build_report(
        district_store, "district", DISTRICT, "2020Q4", lang="en", report_date=date(2021, 2, 5)
    )
    assert model.previous_note == (
        "(*) The “Previous” column counts the same communes as “This period”; 1 commune has"
        " no counted data for Q3 2020: Xã Mường Bằng; the Q3 2020 data of 1 commune with no"
        " counted data this period is left out: Thị trấn Hát Lót."
    )


def test_no_note_when_both_periods_count_the_same_communes(district_store: Store) -> None:
    build_small_district(district_store)
    _approve(district_store, COMMUNE_A, "2020Q3")
    model = build_report(
        district_store, "district", DISTRICT, "2020Q4", report_date=date(2021, 2, 5)
    )
    row = next(r for r in model.rows if r.code == "ho_internet" and not r.cell)
    assert (row.previous, row.current) == (40, 50)
    assert model.previous_note == ""
