"""Every part of a report printed at a partly-held office says what it covers: the annex
leaves out the districts (or communes) the office holds nothing of and names them once,
over the table; a district of which only some communes are held says how many; the bar
chart, the trend chart and the map say, under their titles, that they count the held
communes only. The province's own report (it holds everything) has none of it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
from openpyxl import load_workbook

from desktop_app.reports import build_report, write_model
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.store import Store
from tests.reports.handbuilt import DISTRICT, PROVINCE, actor_for

DAY = date(2021, 2, 5)
OTHERS = (
    "Thành phố Sơn La, Huyện Quỳnh Nhai, Huyện Thuận Châu, Huyện Mường La, Huyện Bắc Yên,"
    " Huyện Phù Yên, Huyện Mộc Châu, Huyện Yên Châu, Huyện Sông Mã, Huyện Sốp Cộp,"
    " Huyện Vân Hồ"
)
SCOPE_VI = (
    "Chỉ tính 22/204 xã có dữ liệu tại đơn vị (ở 1/12 huyện: Huyện Mai Sơn), không phải toàn tỉnh."
)


def _pages(path: Path) -> list[str]:
    """Each page's text, whitespace folded (pdfium, as the pages are drawn)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in pdf]
    finally:
        pdf.close()


def _page(pages: list[str], marker: str) -> str:
    found = [p for p in pages if marker in p]
    assert len(found) == 1, (marker, len(found))
    return found[0]


def test_a_province_report_at_a_district_annex_charts_and_map(
    reports_store: Store, tmp_path: Path
) -> None:
    model = build_report(reports_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    # the annex lists Mai Sơn alone, not eleven districts of "—" that read as no data
    assert [r[1] for r in model.annex_rows] == ["Huyện Mai Sơn"]
    assert model.annex_scope == (
        "Phụ lục chỉ liệt kê 1/12 huyện có dữ liệu tại đơn vị; không liệt kê 11 huyện có số"
        f" liệu do đơn vị khác quản lý, không có tại đơn vị: {OTHERS}."
    )
    assert model.chart_note == SCOPE_VI
    # the trend also says its last quarter counts the 3 approved communes only
    assert model.trend is not None and model.trend.note.startswith(SCOPE_VI + " Mỗi điểm")
    assert model.map is not None and model.map.note == SCOPE_VI
    # the map draws the held communes only: Mai Sơn's 22 names
    assert len(model.map.labels) == 22

    pages = _pages(write_model(model, tmp_path / "p.pdf"))
    chart = _page(pages, "V. BIỂU ĐỒ")
    assert "V. BIỂU ĐỒ " + SCOPE_VI + " Tỷ lệ thôn có sóng di động và có sóng 4G (%)" in chart
    trend = _page(pages, "Diễn biến các tỷ lệ chính qua các quý")
    assert "Diễn biến các tỷ lệ chính qua các quý " + SCOPE_VI in trend
    annex = _page(pages, "Các chỉ tiêu chính theo huyện, Quý 4/2020")
    assert model.annex_scope in annex
    # named once, in the sentence over the table, never as a row
    assert annex.count("Huyện Quỳnh Nhai") == 1 and "—" not in annex
    assert annex.index(model.annex_scope) < annex.index("Huyện Mai Sơn 375")
    map_page = _page(pages, "Bản đồ các điểm hạ tầng")
    assert "Bản đồ các điểm hạ tầng trên địa bàn tỉnh Sơn La " + SCOPE_VI in map_page

    book = load_workbook(write_model(model, tmp_path / "p.xlsx"))
    cells = [c for row in book["Phụ lục"].iter_rows(values_only=True) for c in row if c]
    assert "Huyện Mai Sơn" in cells and "Huyện Quỳnh Nhai" not in cells
    assert model.annex_scope in cells


def test_the_english_report_says_the_same(reports_store: Store) -> None:
    model = build_report(reports_store, "province", PROVINCE, "2020Q4", lang="en", report_date=DAY)
    scope = (
        "Counts only the 22 of the 204 communes held at this office (in 1 of its 12"
        " districts: Huyện Mai Sơn), not the whole province."
    )
    assert model.chart_note == scope
    assert model.trend is not None and model.trend.note == (
        f"{scope} Each point counts only the data approved for its quarter; communes counted:"
        " Q4/2020: 3/22 communes."
    )
    assert model.map is not None and model.map.note == scope
    assert model.annex_scope == (
        "The annex lists only the 1 of the 12 districts whose data this office holds;"
        " 11 districts are not listed, their data is kept by other offices and not held"
        f" here: {OTHERS}."
    )


def test_the_annex_by_area_lists_the_held_communes(reports_store: Store, tmp_path: Path) -> None:
    model = build_report(
        reports_store, "province", PROVINCE, "2020Q4", report_date=DAY, annex_by_area=True
    )
    communes = [r for r in model.annex_rows if r[0] not in ("I", "II", "III")]
    assert len(communes) == 22
    assert all(str(r[1]).endswith("(Huyện Mai Sơn)") for r in communes)
    # the other districts' 182 communes by district, not one by one
    assert model.annex_scope.startswith(
        "Phụ lục chỉ liệt kê 22/204 xã có dữ liệu tại đơn vị; không liệt kê 182 xã có số liệu"
        " do đơn vị khác quản lý, không có tại đơn vị: Thành phố Sơn La (12 xã), Huyện"
        " Quỳnh Nhai (11 xã),"
    )
    # the workbook of the annex by area (its group rows numbered I, II, III)
    book = load_workbook(write_model(model, tmp_path / "a.xlsx"))
    rows = [r for r in book["Phụ lục"].iter_rows(min_row=5, values_only=True) if any(r)]
    assert [r[0] for r in rows if isinstance(r[0], str)] == ["I", "II", "III"]
    # under the table, the lines the PDF prints with the annex: what it leaves out, then
    # the decisions the communes are grouped by
    assert [r[1] for r in rows][-1 - len(model.annex_notes) :] == [
        model.annex_scope,
        *model.annex_notes,
    ]


def test_a_province_report_at_a_commune_office_marks_its_district(
    commune_store: Store, tmp_path: Path
) -> None:
    # Xã Chiềng Sung's office holds 1 of Mai Sơn's 22 communes
    commune_store.villages.add("pre2025:04108", "Bản Nà Sản")
    model = build_report(commune_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    assert [r[1] for r in model.annex_rows] == ["Huyện Mai Sơn (1/22 xã)"]
    assert model.annex_scope.endswith(
        f"không có tại đơn vị: {OTHERS}. Huyện Mai Sơn: chỉ tính 1/22 xã có dữ liệu tại đơn vị."
    )
    en = build_report(commune_store, "province", PROVINCE, "2020Q4", lang="en", report_date=DAY)
    assert [r[1] for r in en.annex_rows] == ["Huyện Mai Sơn (1 of 22 communes)"]
    assert en.annex_scope.endswith(
        "Huyện Mai Sơn: only the 1 of its 22 communes held at this office is counted."
    )
    text = " ".join(_pages(write_model(model, tmp_path / "c.pdf")))
    assert "Huyện Mai Sơn: chỉ tính 1/22 xã có dữ liệu tại đơn vị." in text


def test_a_held_village_without_values_counts_the_same_in_both_annexes(
    commune_store: Store, tmp_path: Path
) -> None:
    # the commune has one village and no values: the district report says 1 village, and
    # the province's annex row of that district (its 1 held commune) says 1 too, not "—"
    commune_store.villages.add("pre2025:04108", "Bản Nà Sản")
    district = build_report(commune_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    province = build_report(commune_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    assert [r[:3] for r in district.annex_rows] == [("1", "Xã Chiềng Sung", 1)]
    assert [r[:3] for r in province.annex_rows] == [("1", "Huyện Mai Sơn (1/22 xã)", 1)]
    # nothing else is known: every ratio and count from values stays "—" in both
    assert district.annex_rows[0][3:] == province.annex_rows[0][3:] == (None,) * 6
    text = " ".join(_pages(write_model(province, tmp_path / "p.pdf")))
    annex = text[text.index("PHỤ LỤC") :]
    assert "1 Huyện Mai Sơn (1/22 xã) 1 — — — — — —" in annex, annex


def test_a_district_report_at_a_commune_office_lists_its_commune(commune_store: Store) -> None:
    commune_store.villages.add("pre2025:04108", "Bản Nà Sản")
    model = build_report(commune_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    assert [r[1] for r in model.annex_rows] == ["Xã Chiềng Sung"]
    assert model.annex_scope.startswith(
        "Phụ lục chỉ liệt kê 1/22 xã có dữ liệu tại đơn vị; không liệt kê 21 xã có số liệu"
        " do đơn vị khác quản lý, không có tại đơn vị: Thị trấn Hát Lót, "
    )
    assert "Xã Chiềng Sung" not in model.annex_scope
    assert model.annex_scope.count("Xã ") + model.annex_scope.count("Thị trấn ") == 21


def test_the_province_s_own_report_says_nothing_of_the_kind(
    province_store: Store, tmp_path: Path
) -> None:
    model = build_report(province_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    # every district listed; the eleven with no data are "—", which is what they are here
    assert len(model.annex_rows) == 12
    rows = {r[1]: r for r in model.annex_rows}
    assert rows["Huyện Quỳnh Nhai"][2:] == (None,) * (len(model.annex_columns) - 2)
    assert rows["Huyện Mai Sơn"][2] is not None  # the hand-built villages
    assert model.holding is None
    assert not any("Đơn vị chỉ có dữ liệu" in n for n in model.notices)
    assert (model.annex_scope, model.chart_note) == ("", "")
    # the list of villages without signal says only that it lists the villages that
    # answered (the hand-built communes' few), nothing of what this office holds
    assert model.holes_note.startswith("Danh sách chỉ gồm các thôn, bản có số liệu")
    assert model.trend is None or model.trend.note == ""
    assert model.map is None or model.map.note == ""
    text = " ".join(_pages(write_model(model, tmp_path / "p.pdf")))
    assert "có dữ liệu tại đơn vị" not in text and "Phụ lục chỉ liệt kê" not in text
    annex = text[text.index("Các chỉ tiêu chính theo huyện") :]
    assert "Huyện Quỳnh Nhai — —" in annex


def test_the_map_draws_the_held_communes_only(reports_db: Path, tmp_path: Path) -> None:
    # a boundary of a commune of another district (the province may publish every
    # commune's) is not drawn on Mai Sơn's map of the province, nor named on it
    path = tmp_path / "office.db"
    shutil.copy(reports_db, path)
    with Store.open(path) as store:
        other = next(d for d in store.reference.children(PROVINCE) if d.name == "Huyện Quỳnh Nhai")
        commune = store.reference.communes_under(other.id)[0]
        ring = [[103.60, 21.80], [103.70, 21.80], [103.70, 21.90], [103.60, 21.80]]
        polygon = {"type": "Polygon", "coordinates": [ring]}
        BoundaryRepository(store).publish({commune.id: polygon}, actor=actor_for(store, PROVINCE))
        model = build_report(store, "province", PROVINCE, "2020Q4", report_date=DAY)
    assert model.map is not None
    assert len(model.map.labels) == 22
    assert commune.short_name not in {name for _x, _y, name in model.map.labels}


def test_the_villages_without_signal_are_of_the_held_communes(
    reports_store: Store, tmp_path: Path
) -> None:
    # with drafts Mai Sơn has villages without signal: the list is Mai Sơn's, not the
    # province's, and "none left" (the approved data) would be Mai Sơn's too
    for drafts in (True, False):
        model = build_report(
            reports_store, "province", PROVINCE, "2020Q4", report_date=DAY, include_drafts=drafts
        )
        assert model.holes_note == SCOPE_VI
        assert bool(model.aggregate.without_signal) is drafts
        pages = _pages(write_model(model, tmp_path / f"h{drafts}.pdf"))
        text = " ".join(pages)
        holes = text[text.index("III. THÔN, BẢN CHƯA CÓ SÓNG DI ĐỘNG") :]
        assert holes.startswith("III. THÔN, BẢN CHƯA CÓ SÓNG DI ĐỘNG " + SCOPE_VI + " ")
        book = load_workbook(write_model(model, tmp_path / f"h{drafts}.xlsx"))
        cells = [c for row in book["Thôn lõm sóng"].iter_rows(values_only=True) for c in row]
        assert SCOPE_VI in cells
