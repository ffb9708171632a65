"""Province figures: one rule for denominators (the communes that reported, coverage
stated), "—" for a district with nothing, and the district beside each village without
signal. The demo office holds Mai Sơn's data only, out of Sơn La's 12 districts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop_app.reports import build_report, write_model
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

PROVINCE = "pre2025:14"
DISTRICT = "pre2025:125"


@pytest.fixture(scope="module")
def models(reports_store: Store):  # type: ignore[no-untyped-def]
    kw = {"include_drafts": True}
    return (
        build_report(reports_store, "province", PROVINCE, "2020Q4", **kw),  # type: ignore[arg-type]
        build_report(reports_store, "district", DISTRICT, "2020Q4", **kw),  # type: ignore[arg-type]
    )


def test_commune_ratios_divide_by_the_communes_that_reported(models) -> None:  # type: ignore[no-untyped-def]
    province, district = models
    p, d = province.aggregate.current, district.aggregate.current
    for code in ("ty_le_xa_bdvhx", "ty_le_xa_dai_cntt", "ty_le_thon_co_song", "ty_le_ho_internet"):
        # the same communes reported, so the same figure (not 9,8% against 90,9%)
        assert p.derived[code] == pytest.approx(d.derived[code]), code
        assert p.coverage[code].communes == 22 and p.coverage[code].of_communes == 204
    # The label said "(22/204 xã có số liệu)" here, so that a row of a report printed at a
    # district office never read as the whole province's; but with its villages it said
    # "(48/375 thôn, 3/204 xã có số liệu)" by default: the held villages against every
    # commune of the province, two bases in one bracket (375 is not Sơn La's number of
    # villages). Both counts are now of what this office holds, the words say so ("tại
    # đơn vị"), and they are printed also when every held commune has the data, so the
    # row still says it is partial; page 1 says of how much of the province.
    row = next(r for r in province.rows if r.code == "ty_le_xa_bdvhx")
    assert row.label.endswith("(22/22 xã có số liệu tại đơn vị)")
    row = next(r for r in province.rows if r.code == "ty_le_thon_co_song")
    assert row.label.endswith("(375/375 thôn, 22/22 xã có số liệu tại đơn vị)")
    assert province.notices[0].startswith("Đơn vị chỉ có dữ liệu của 22/204 xã trong tỉnh Sơn La")


def test_a_district_with_nothing_is_a_dash_not_zero(district_store: Store, tmp_path: Path) -> None:
    # at the district office the other districts are left out of the annex (it holds
    # nothing of them: tests/reports/test_holding_parts.py); a district it holds with
    # nothing counted is "—", never 0
    model = build_report(district_store, "province", PROVINCE, "2020Q4")
    assert [r[1] for r in model.annex_rows] == ["Huyện Mai Sơn"]
    assert model.annex_rows[0][2:] == (None,) * (len(model.annex_columns) - 2)
    text = pdf_text(write_model(model, tmp_path / "p.pdf"))
    annex = text[text.index("PHỤ LỤC") :]
    line = next(x for x in annex.splitlines() if "Huyện Mai Sơn" in x)
    assert line.split()[-1] == "—" and " 0 " not in f" {line} "


def test_villages_without_signal_name_their_district(models) -> None:  # type: ignore[no-untyped-def]
    province, district = models
    assert province.holes and all(", Huyện Mai Sơn (" in h for h in province.holes)
    assert all("Huyện" not in h for h in district.holes)


def test_a_partly_held_province_counts_coverage_on_one_base(
    reports_store: Store, tmp_path: Path
) -> None:
    # approved data only: 3 of the 22 held communes, 48 of their 375 villages. Every
    # bracket counts villages and communes of the held communes, never "3/204 xã" beside
    # "48/375 thôn", and page 1 still says the figures are part of the province's
    province = build_report(reports_store, "province", PROVINCE, "2020Q4")
    labels = {r.code: r.label for r in province.rows if not r.heading and not r.cell}
    assert labels["ty_le_thon_co_song"].endswith("(48/375 thôn, 3/22 xã có số liệu tại đơn vị)")
    assert labels["so_ho"].endswith("(48/375 thôn có số liệu tại đơn vị)")
    assert labels["bts_vi_tri"].endswith("(3/22 xã có số liệu tại đơn vị)")
    assert labels["so_thon"].endswith("(22/22 xã có số liệu tại đơn vị)")
    reader = PdfReader(write_model(province, tmp_path / "p.pdf"))
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Đơn vị chỉ có dữ liệu của 22/204 xã trong tỉnh Sơn La" in first
    assert "không phải số liệu toàn tỉnh" in first
    assert "tỷ lệ thôn có sóng di động (48/375 thôn, 3/22 xã có số liệu tại đơn vị)" in first
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "/204 xã có số liệu" not in text
    # the district's own report (it holds all of it) keeps its plain brackets
    district = build_report(reports_store, "district", DISTRICT, "2020Q4")
    labels = {r.code: r.label for r in district.rows if not r.heading and not r.cell}
    assert labels["ty_le_thon_co_song"].endswith("(48/375 thôn, 3/22 xã có số liệu)")
    assert labels["so_thon"] == "Số thôn/bản"
