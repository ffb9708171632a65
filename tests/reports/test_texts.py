"""Official dates, the font search and the hand-built report."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from desktop_app.reports.fonts import find_times_new_roman, report_fonts
from desktop_app.reports.texts import official_date


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2021, 2, 5), "Mai Sơn, ngày 05 tháng 02 năm 2021"),
        (date(2021, 1, 31), "Mai Sơn, ngày 31 tháng 01 năm 2021"),
        (date(2021, 3, 9), "Mai Sơn, ngày 09 tháng 3 năm 2021"),
        (date(2025, 12, 1), "Mai Sơn, ngày 01 tháng 12 năm 2025"),
    ],
)
def test_official_date(day: date, text: str) -> None:
    assert official_date("Mai Sơn", day, "vi") == text


def test_english_date() -> None:
    assert official_date("Mai Sơn", date(2021, 2, 5), "en") == "Mai Sơn, 5 February 2021"


def test_times_new_roman_needs_all_four_styles(tmp_path: Path) -> None:
    for name in ("times.ttf", "timesbd.ttf", "timesi.ttf"):
        (tmp_path / name).write_bytes(b"")
    assert find_times_new_roman([tmp_path]) is None
    (tmp_path / "timesbi.ttf").write_bytes(b"")
    found = find_times_new_roman([tmp_path])
    assert found is not None and found["bold"].name == "timesbd.ttf"


def test_registered_fonts_are_truetype() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    fonts = report_fonts()
    for name in (fonts.regular, fonts.bold, fonts.italic, fonts.bold_italic):
        assert isinstance(pdfmetrics.getFont(name), TTFont)


def test_hand_built_district(district_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.reports import build_report, write_model
    from tests.reports.handbuilt import build_small_district

    build_small_district(district_store)
    # B's 2020Q4 was returned: with drafts included it counts, and the report says so
    model = build_report(
        district_store,
        "district",
        "pre2025:125",
        "2020Q4",
        report_date=date(2021, 2, 5),
        include_drafts=True,
    )
    assert model.summary[0].startswith("Quý 4/2020, toàn huyện có 4 thôn, bản")
    assert "giảm từ 2 xuống 1 (kế hoạch năm 0)" in model.summary[0]
    assert "tăng từ 25,0% lên 75,0% (kế hoạch năm 80,0%)" in model.summary[0]
    assert model.draft_mark == "SỐ LIỆU CHƯA DUYỆT"
    assert any("Thị trấn Hát Lót" in n for n in model.notices)
    assert model.header.number == "12/BC-VHTT"
    assert model.header.recipients == ("- Sở Thông tin và Truyền thông;", "- Lưu: VT.")
    assert model.completeness_text.startswith("Có 2/22 xã đã gửi")
    for ext in ("pdf", "xlsx", "csv"):
        assert write_model(model, tmp_path / f"r.{ext}").stat().st_size > 500


def test_defaults_without_settings(district_store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.reports import build_report

    model = build_report(
        district_store, "district", "pre2025:125", "2020Q4", report_date=date(2021, 2, 5)
    )
    h = model.header
    assert h.office_name == "ỦY BAN NHÂN DÂN HUYỆN MAI SƠN"
    assert h.parent_agency == "UBND TỈNH SƠN LA"  # the parent's committee, not a place
    assert h.signer_on_behalf == "TM. ỦY BAN NHÂN DÂN" and h.signer_title == "CHỦ TỊCH"
    assert h.date_line == "Mai Sơn, ngày 05 tháng 02 năm 2021"


def test_commune_annex_by_village(district_store) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.reports import build_report
    from tests.reports.handbuilt import COMMUNE_A, build_small_district

    build_small_district(district_store)
    model = build_report(
        district_store, "commune", COMMUNE_A, "2020Q4", report_date=date(2021, 2, 5)
    )
    assert model.annex_columns[:3] == ("TT", "Thôn, bản", "Tình trạng sóng di động")
    assert model.annex_rows == (
        ("1", "A1 Bản Nà Sản", "Sóng ổn định", "Có", "—", 100, 40, 60),
        ("2", "A2 Bản Hua Tát", "Không có sóng", "Không", "—", 50, 10, 20),
    )
    assert model.holes == ("Xã Chiềng Sung (1 thôn): A2 Bản Hua Tát.",)
    assert model.chart == ()
