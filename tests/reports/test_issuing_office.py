"""A report's letterhead names the office that issues it (the one printing), its title
the area reported on: a province overview printed at a district office is the
district's document about the province (Decree 30/2020/NĐ-CP, appendix I)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop_app.reports import build_report, write_model
from desktop_app.reports.model import attached_line
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text
from tests.reports.handbuilt import PROVINCE, build_small_district

DAY = date(2021, 2, 5)


def _head_and_title(path: Path) -> tuple[str, str]:
    """The page-1 text above "BÁO CÁO" (the letterhead) and the title block under it."""
    first = pdf_text(path, layout=False).split("\f")[0]
    head, _, rest = first.partition("BÁO CÁO")
    return " ".join(head.split()), " ".join(rest.split("I. TÌNH HÌNH CHUNG")[0].split())


def test_a_province_report_printed_at_a_district_has_the_district_letterhead(
    district_store: Store, tmp_path: Path
) -> None:
    # no office settings: the defaults are the issuing office's (Huyện Mai Sơn's UBND)
    model = build_report(district_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    h = model.header
    assert (h.parent_agency, h.office_name) == ("UBND TỈNH SƠN LA", "ỦY BAN NHÂN DÂN HUYỆN MAI SƠN")
    assert h.date_line == "Mai Sơn, ngày 05 tháng 02 năm 2021"
    assert model.subject.endswith("trên địa bàn tỉnh Sơn La")
    out = write_model(model, tmp_path / "p.pdf")
    # the issuing district's name is kept whole on its line, as the report unit's is
    assert "HUYỆN MAI SƠN" in [x.strip() for x in pdf_text(out, layout=False).splitlines()]
    head, title = _head_and_title(out)
    assert "ỦY BAN NHÂN DÂN HUYỆN MAI SƠN" in head and "Mai Sơn, ngày 05 tháng 02 năm 2021" in head
    assert "ỦY BAN NHÂN DÂN TỈNH SƠN LA" not in head
    assert "trên địa bàn tỉnh Sơn La" in title
    assert attached_line(model).endswith("của Ủy ban nhân dân huyện Mai Sơn)")


def test_the_office_settings_and_the_annex_name_the_issuing_district(
    district_store: Store, tmp_path: Path
) -> None:
    build_small_district(district_store)  # Phòng Văn hóa và Thông tin's settings
    model = build_report(district_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    head, title = _head_and_title(write_model(model, tmp_path / "p.pdf"))
    assert "UBND HUYỆN MAI SƠN" in head and "PHÒNG VĂN HÓA VÀ THÔNG TIN" in head
    assert "trên địa bàn tỉnh Sơn La" in title
    # "Phòng Văn hóa và Thông tin" alone would not say which district's report it is
    line = attached_line(model)
    assert line.endswith("của Phòng Văn hóa và Thông tin huyện Mai Sơn)")
    assert line in " ".join(pdf_text(tmp_path / "p.pdf", layout=False).split())


def test_the_district_report_keeps_its_own_letterhead(district_store: Store) -> None:
    model = build_report(district_store, "district", "pre2025:125", "2020Q4", report_date=DAY)
    assert model.header.office_name == "ỦY BAN NHÂN DÂN HUYỆN MAI SƠN"
    assert attached_line(model).endswith("của Ủy ban nhân dân huyện Mai Sơn)")
