"""Letterheads of the new bodies: UBND xã/phường with no district above, Sở Khoa học và
Công nghệ as the province's department; the old bodies for old periods of old units."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop_app.domain.periods import Period
from desktop_app.domain.units import UnitDirectory
from desktop_app.reports import write_report
from desktop_app.reports.letterhead import letterhead
from desktop_app.store.office import create_office
from tests.reports.conftest import pdf_text


def test_new_and_old_bodies(unit_directory: UnitDirectory) -> None:
    d = unit_directory
    new_commune, new_province = d.get("2025:04108"), d.get("2025:14")
    old_commune, old_district, old_province = (
        d.get("pre2025:04108"), d.get("pre2025:125"), d.get("pre2025:14"),
    )  # fmt: skip
    now, then = Period(2025, 3), Period(2020, 4)

    head = letterhead(new_commune, new_province, new_province, now)
    assert head["parent_agency"] == ""
    assert head["office_name"] == f"ỦY BAN NHÂN DÂN {new_commune.name.upper()}"
    assert head["signer_on_behalf"] == "TM. ỦY BAN NHÂN DÂN" and head["signer_title"] == "CHỦ TỊCH"
    assert "Sở Khoa học và Công nghệ tỉnh Sơn La" in head["recipients"]

    head = letterhead(new_province, None, new_province, now)
    assert head["office_name"] == "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    assert head["parent_agency"] == "UBND TỈNH SƠN LA" and head["signer_title"] == "GIÁM ĐỐC"
    assert "Bộ Khoa học và Công nghệ" in head["recipients"]

    # the old units' reports of old periods keep the bodies of their time
    head = letterhead(old_commune, old_district, old_province, then)
    assert head["parent_agency"] == "UBND HUYỆN MAI SƠN"
    assert "Phòng Văn hóa và Thông tin huyện Mai Sơn" in head["recipients"]
    assert letterhead(old_province, None, old_province, then)["office_name"] == (
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    )
    # ... and the new department once the reform took effect
    assert letterhead(old_province, None, old_province, now)["office_name"] == (
        "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
    )


def test_a_2025_commune_report_has_no_district_above(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    store = create_office(path, "2025:04108")
    try:
        out = write_report(store, "commune", "2025:04108", "2025Q3", tmp_path / "r.pdf",
                           report_date=date(2025, 10, 10))  # fmt: skip
        text = pdf_text(out)
    finally:
        store.close()
    head = text.split("BÁO CÁO")[0]
    assert "ỦY BAN NHÂN DÂN" in head
    assert "TỈNH SƠN LA" not in head and "HUYỆN" not in head
