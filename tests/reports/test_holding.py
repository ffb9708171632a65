"""A report printed at an office that holds only part of its area's data says what its
figures cover: a province report at a district office counts that district's communes,
a district report at a commune office that commune, and neither calls them "toàn tỉnh"
or "toàn huyện", nor lists the communes it holds nothing of as not sent or not approved."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text
from tests.reports.handbuilt import DISTRICT, PROVINCE

DAY = date(2021, 2, 5)


def _flat(path: Path) -> str:
    return " ".join(pdf_text(path, layout=False).split())


def test_a_province_report_at_a_district_says_it_holds_one_district(
    reports_store: Store, tmp_path: Path
) -> None:
    # the demo: Huyện Mai Sơn's office, 22 of Sơn La's 204 communes, 375 villages
    model = build_report(reports_store, "province", PROVINCE, "2020Q4", report_date=DAY)
    notice = model.notices[0]
    assert notice.startswith("Đơn vị chỉ có dữ liệu của 22/204 xã trong tỉnh Sơn La")
    assert "(ở 1/12 huyện: Huyện Mai Sơn)" in notice
    assert "không phải số liệu toàn tỉnh" in notice
    assert model.summary[0].startswith(
        "Quý 4/2020, các xã có dữ liệu tại đơn vị (22/204 xã của tỉnh) có 375 thôn, bản"
    )
    # submission states of the held communes only: not 184 of 204 "chưa gửi"
    assert model.completeness_text.startswith("Có 20/22 xã đã gửi số liệu quý 4/2020")
    assert model.completeness_text.endswith(
        "2 xã chưa gửi (tính trong các xã có dữ liệu tại đơn vị)."
    )
    assert [r[1] for r in model.completeness_rows] == ["Huyện Mai Sơn"]
    # the left-out communes are Mai Sơn's 19 not approved, not 201 of the province
    assert "không tính 19 xã chưa được duyệt" in model.notices[1]
    # the by-area table adds up the held communes, and says so
    assert model.areas is not None
    total = model.areas.rows[-1]
    assert total[:3] == ("Các xã có dữ liệu tại đơn vị", "22", "375")
    assert sum(int(r[1]) for r in model.areas.rows[:-1]) == 22
    text = _flat(write_model(model, tmp_path / "p.pdf"))
    assert "Đơn vị chỉ có dữ liệu của 22/204 xã trong tỉnh Sơn La" in text
    assert "toàn tỉnh có" not in text and "Toàn tỉnh" not in text


def test_the_english_province_report_at_a_district(reports_store: Store) -> None:
    model = build_report(reports_store, "province", PROVINCE, "2020Q4", lang="en", report_date=DAY)
    assert model.notices[0].startswith(
        "This office holds the data of 22 of the 204 communes of Tỉnh Sơn La"
        " (in 1 of its 12 districts: Huyện Mai Sơn)"
    )
    assert "Sơn La has" not in model.summary[0]
    assert model.summary[0].startswith("In Q4 2020, the communes held at this office (22 of")


def test_a_district_report_at_a_commune_office_says_it_holds_one_commune(
    commune_store: Store, tmp_path: Path
) -> None:
    # Xã Chiềng Sung's office: the unit directory knows Mai Sơn's 22 communes
    commune_store.villages.add("pre2025:04108", "Bản Nà Sản")
    model = build_report(commune_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    assert model.notices[0].startswith("Đơn vị chỉ có dữ liệu của 1/22 xã trong huyện Mai Sơn")
    assert model.summary[0].startswith("Quý 4/2020, các xã có dữ liệu tại đơn vị (1/22 xã")
    assert [r[1] for r in model.completeness_rows] == ["Xã Chiềng Sung"]
    text = _flat(write_model(model, tmp_path / "d.pdf"))
    assert "toàn huyện có" not in text and "Toàn huyện" not in text
    assert "1/22 xã trong huyện Mai Sơn" in text


def test_the_office_s_own_area_says_nothing_of_the_kind(reports_store: Store) -> None:
    model = build_report(reports_store, "district", DISTRICT, "2020Q4", report_date=DAY)
    assert not any("Đơn vị chỉ có dữ liệu" in n for n in model.notices)
    assert model.summary[0].startswith("Quý 4/2020, toàn huyện có 375 thôn, bản")
    assert model.areas is not None and model.areas.rows[-1][0] == "Toàn huyện"
    assert len(model.completeness_rows) == 22
