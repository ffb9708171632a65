"""A 2025 province report printed at a 2025 commune office, for a quarter after the reform:
the office holds one of the province's 75 communes, and page 1 says so; it said "toàn
tỉnh có 38 thôn" of the one commune (the other 74 are not read at all where none of
their villages is known, so they were missing from the count as well)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store


def test_a_commune_office_s_report_of_the_2025_province_says_it_is_partial(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    office, _province = demo
    with Store.open(office) as store:
        model = build_report(
            store, "province", "2025:14", "2025Q4", report_date=date(2026, 2, 5), lang="vi"
        )
        assert model.holding is not None and len(model.holding.held) == 1
        assert model.holding.communes == 75
        path = write_model(model, tmp_path / "p.pdf")
    first = " ".join(PdfReader(path).pages[0].extract_text().split())
    assert "Đơn vị chỉ có dữ liệu của 1/75 xã trong tỉnh Sơn La" in first
    assert "các xã có dữ liệu tại đơn vị (1/75 xã của tỉnh) có 38 thôn" in first
    assert "toàn tỉnh có" not in first
