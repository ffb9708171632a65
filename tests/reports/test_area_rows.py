"""The "by area" section of a partly entered period: each group's ratio is over the villages
that have the data (as the indicator table's own figure is), and a group with no data says
"—" for its villages without signal, not 0. The demo district with drafts counted, after
Xã Chiềng Nơi (a border commune, 11 villages) cleared the signal, 4G and FTTH answers of
6 of its villages for 2020Q4."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium

from desktop_app.reports import build_report, write_model
from desktop_app.reports.texts import display
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.reports.handbuilt import actor_for

DISTRICT = "pre2025:125"
BORDER = ("pre2025:04141", "pre2025:04159")  # Xã Chiềng Nơi, Xã Phiêng Pằn
CLEARED = ("song_di_dong", "phu_4g", "thon_ftth")
DAY = date(2021, 2, 5)


def _half_entered(demo_db: Path, tmp_path: Path) -> Store:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    commune = BORDER[0]
    villages = [v.id for v in store.villages.for_commune(commune)][:6]
    writes = [ValueWrite(commune, v, "2020Q4", code, None) for v in villages for code in CLEARED]
    assert store.values.set_many(writes, actor=actor_for(store, commune)) == 18
    return store


def _by_hand(store: Store, communes: tuple[str, ...], indicator: str, meets: str) -> float:
    """100 x villages answering ``meets`` (``!`` first: any other answer) / villages
    answering at all, from the stored rows."""
    marks = ",".join("?" for _ in communes)
    rows = store.db.execute_sql(
        f"SELECT value FROM data_value WHERE commune_id IN ({marks}) AND period = '2020Q4'"
        f" AND indicator = ? AND village_id IS NOT NULL AND value IS NOT NULL",
        (*communes, indicator),
    ).fetchall()
    hits = [(v != meets[1:]) if meets.startswith("!") else (v == meets) for (v,) in rows]
    return 100 * sum(hits) / len(hits)


def test_group_ratios_count_the_villages_with_data(demo_db: Path, tmp_path: Path) -> None:
    store = _half_entered(demo_db, tmp_path)
    try:
        model = build_report(
            store, "district", DISTRICT, "2020Q4", include_drafts=True, report_date=DAY
        )
        assert model.areas is not None
        rows = {r[0]: r for r in model.areas.rows}
        table = {r.code: r.current for r in model.rows if not r.cell}
        # the whole district's row is the indicator table's own figure
        whole = rows["Toàn huyện"]
        for i, code in enumerate(("ty_le_thon_co_song", "ty_le_thon_4g", "ty_le_thon_ftth")):
            assert whole[3 + i] == display(table[code], 1, "vi"), code
        # the border communes' row, worked out from the stored answers
        border = rows["Xã biên giới"]
        assert border[3] == display(_by_hand(store, BORDER, "song_di_dong", "!khong_co"), 1, "vi")
        assert border[4] == display(_by_hand(store, BORDER, "phu_4g", "1"), 1, "vi")
        assert border[5] == display(_by_hand(store, BORDER, "thon_ftth", "1"), 1, "vi")
        pdf = pdfium.PdfDocument(str(write_model(model, tmp_path / "d.pdf")))
        try:
            text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
        finally:
            pdf.close()
        assert " ".join(border) in text and " ".join(whole) in text
    finally:
        store.close()


def test_a_group_without_data_prints_a_dash(reports_store: Store) -> None:
    # approved data only: neither border commune is approved in 2020Q4
    model = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    assert model.areas is not None
    border = next(r for r in model.areas.rows if r[0] == "Xã biên giới")
    assert border[1:] == ("2", "21", "—", "—", "—", "—")
    table = next(r for r in model.rows if r.code == "so_thon_lom_song")
    whole = next(r for r in model.areas.rows if r[0] == "Toàn huyện")
    assert whole[-1] == display(table.current, 0, "vi") == "0"


def test_a_group_without_a_commune_says_so(reports_store: Store, tmp_path: Path) -> None:
    """In 2021 no region III decision is in force at the demo district (MẪU-02 ran
    2016–2020): the region III row said "0" communes and dashes, which read as a measured
    group that sent nothing. It says that the group has no commune, in the PDF and the
    workbook, and the other rows keep their figures."""
    from openpyxl import load_workbook

    period = "2021Q1"
    model = build_report(reports_store, "district", DISTRICT, period, report_date=DAY)
    assert model.areas is not None
    rows = {r[0]: r for r in model.areas.rows}
    empty = rows["Xã khu vực III"]
    assert empty[1:] == ("không có xã nào", "", "", "", "", "")
    # the groups that hold communes still count them, and add up to the district's
    counted = [int(rows[g][1]) for g in ("Xã biên giới", "Các xã khác")]
    communes = reports_store.reference.children(DISTRICT)
    assert sum(counted) == int(rows["Toàn huyện"][1]) == len(communes)

    pdf = pdfium.PdfDocument(str(write_model(model, tmp_path / "d.pdf")))
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    finally:
        pdf.close()
    assert "Xã khu vực III không có xã nào" in text
    assert "Xã khu vực III 0" not in text

    book = load_workbook(write_model(model, tmp_path / "d.xlsx"), read_only=True)
    try:
        found = [
            row
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            if row and row[0] == "Xã khu vực III"
        ]
    finally:
        book.close()
    assert found, "the workbook's by-area sheet has no region III row"
    for row in found:
        assert row[1] == "không có xã nào"
        assert all(v is None for v in row[2:]), row


def test_the_annex_by_area_says_a_group_has_no_commune(
    reports_store: Store, tmp_path: Path
) -> None:
    """The annex by area opened the empty region III group with "III. Xã khu vực III (0 xã)"
    over no row; it says the group has no commune, and the other groups still count theirs."""
    model = build_report(
        reports_store, "district", DISTRICT, "2021Q1", report_date=DAY, annex_by_area=True
    )
    heads = {r[0]: r[1] for r in model.annex_rows if not str(r[0]).isdigit()}
    assert heads["II"] == "Xã khu vực III (không có xã nào)"
    assert heads["I"] == "Xã biên giới (2 xã)"
    pdf = pdfium.PdfDocument(str(write_model(model, tmp_path / "d.pdf")))
    try:
        text = " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in pdf)
    finally:
        pdf.close()
    assert "II Xã khu vực III (không có xã nào)" in text
    assert "(0 xã)" not in text
