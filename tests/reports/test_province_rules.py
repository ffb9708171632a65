"""Province figures: one rule for denominators (the communes that reported, coverage
stated), "—" for a district with nothing, and the district beside each village without
signal. The demo office holds Mai Sơn's data only, out of Sơn La's 12 districts."""

from __future__ import annotations

from pathlib import Path

import pytest

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
    row = next(r for r in province.rows if r.code == "ty_le_xa_bdvhx")
    assert row.label.endswith("(22/204 xã có số liệu)")
    row = next(r for r in province.rows if r.code == "ty_le_thon_co_song")
    assert "22/204 xã có số liệu" in row.label


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
