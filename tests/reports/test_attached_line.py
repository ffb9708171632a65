"""The annex's "(Kèm theo Báo cáo số … của …)" names the issuing office as Vietnamese
writes an agency's name (Decree 30/2020/NĐ-CP, appendix II): the kind of body and each
field of its work with a capital, the place's proper name with its capitals. The letterhead
holds the name in capitals ("PHÒNG VĂN HÓA VÀ THÔNG TIN"); the sentence printed "của
Phòng văn hóa và thông tin huyện Mai Sơn", and lower-cased a name typed by hand in its
proper case. Read back from the PDF's annex page (pdfium) and the workbook's annex sheet."""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.conftest import DISTRICT
from tests.reports.handbuilt import PROVINCE, build_small_district

DAY = date(2021, 2, 5)


def _annex_lines(model_path: Path) -> list[str]:
    """Every "(Kèm theo …)" / "(Attached to …)" sentence of the PDF and of its workbook."""
    pdf = pdfium.PdfDocument(str(model_path))
    try:
        pages = [" ".join(p.get_textpage().get_text_range().split()) for p in pdf]
    finally:
        pdf.close()
    found = []
    for page in pages:
        for start in ("(Kèm theo", "(Attached to"):
            at = page.find(start)
            if at >= 0:
                found.append(page[at : page.index(")", at) + 1])
    return found


def _sheet_line(path: Path) -> str:
    sheet = load_workbook(path).worksheets[-1]
    return str(sheet["A3"].value)


def _both(store: Store, kind: str, unit: str, folder: Path, lang: str = "vi") -> list[str]:
    model = build_report(store, kind, unit, "2020Q4", lang=lang, report_date=DAY)  # type: ignore[arg-type]
    pdf = write_model(model, folder / f"{kind}-{lang}.pdf")
    xlsx = write_model(model, folder / f"{kind}-{lang}.xlsx")
    return [*_annex_lines(pdf), _sheet_line(xlsx)]


def test_the_district_office_s_name_keeps_its_capitals(
    reports_store: Store, tmp_path: Path
) -> None:
    # the demo's letterhead: "PHÒNG VĂN HÓA VÀ THÔNG TIN" of Huyện Mai Sơn
    lines = _both(reports_store, "district", DISTRICT, tmp_path)
    assert (
        lines
        == [
            "(Kèm theo Báo cáo số …/BC-VHTT ngày 05/02/2021 của Phòng Văn hóa và Thông tin"
            " huyện Mai Sơn)"
        ]
        * 2
    )
    english = _both(reports_store, "district", DISTRICT, tmp_path, "en")
    assert english[0].endswith("by Phòng Văn hóa và Thông tin huyện Mai Sơn)")
    assert english[0] == english[1]


def test_a_commune_and_a_province_office(commune_store: Store, tmp_path: Path) -> None:
    # a commune office with no settings: "ỦY BAN NHÂN DÂN XÃ CHIỀNG SUNG"
    commune_store.villages.add("pre2025:04108", "Bản Nà Sản")
    lines = _both(commune_store, "commune", "pre2025:04108", tmp_path)
    assert all(x.endswith("của Ủy ban nhân dân xã Chiềng Sung)") for x in lines), lines
    assert len(lines) == 2


def test_the_province_office(tmp_path: Path, province_store: Store) -> None:
    # the hand-built settings say "PHÒNG VĂN HÓA VÀ THÔNG TIN"; the province's own are
    # the department's
    province_store.reference.set_settings(
        {"office_name": "SỞ THÔNG TIN VÀ TRUYỀN THÔNG", "parent_agency": "UBND TỈNH SƠN LA"}
    )
    lines = _both(province_store, "province", PROVINCE, tmp_path)
    assert all(x.endswith("của Sở Thông tin và Truyền thông tỉnh Sơn La)") for x in lines), lines
    assert len(lines) == 2


def test_a_name_typed_in_its_own_case_is_kept(district_store: Store, tmp_path: Path) -> None:
    build_small_district(district_store)
    # typed by hand, decomposed (as some keyboards send it): kept as written, not lowered
    typed = unicodedata.normalize("NFD", "Phòng Văn hóa và Thông tin huyện Mai Sơn")
    district_store.reference.set_settings({"office_name": typed})
    lines = _both(district_store, "district", DISTRICT, tmp_path)
    assert all(x.endswith("của Phòng Văn hóa và Thông tin huyện Mai Sơn)") for x in lines), lines
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("name", "keep", "written"),
    [
        ("ỦY BAN NHÂN DÂN THỊ TRẤN HÁT LÓT", (), "Ủy ban nhân dân thị trấn Hát Lót"),
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ SƠN LA", (), "Ủy ban nhân dân thành phố Sơn La"),
        ("PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", (), "Phòng Lao động - Thương binh và Xã hội"),
        ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", ("Sơn La",), "Sở Khoa học và Công nghệ"),
        ("VĂN PHÒNG HĐND VÀ UBND HUYỆN MAI SƠN", (), "Văn phòng HĐND và UBND huyện Mai Sơn"),
    ],
)
def test_agency_names(name: str, keep: tuple[str, ...], written: str) -> None:
    from desktop_app.reports.texts import agency_name

    assert agency_name(name, keep) == written
