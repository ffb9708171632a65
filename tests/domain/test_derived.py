"""Tests of the derived indicators of derived.csv on a small hand-made area."""

from __future__ import annotations

import csv
import math
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from desktop_app.domain.derived import (
    AreaData,
    CommuneData,
    Coverage,
    compile_derived,
    compute_derived,
    coverage,
)
from desktop_app.domain.values import Value

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"
CAT = load_catalogue(CATALOG)


def cells(**values: Value) -> dict[tuple[str, str], Value]:
    """``buu_cuc__cap_1=1`` is the cell ("buu_cuc", "cap_1")."""
    out: dict[tuple[str, str], Value] = {}
    for name, value in values.items():
        code, _, key = name.partition("__")
        out[(code, key)] = value
    return out


V1 = cells(so_ho=100, dan_so=400, song_di_dong="yeu", phu_4g=True, thon_ftth=True,
           ho_internet=50, ho_dttm=80)  # fmt: skip
V2 = cells(so_ho=50, dan_so=200, song_di_dong="khong_co", phu_4g=False, thon_ftth=False,
           ho_internet=0, ho_dttm=20)  # fmt: skip
V3 = cells()  # a village with nothing entered yet
V4 = cells(so_ho=50, dan_so=150, song_di_dong="on_dinh", phu_4g=True, thon_ftth=False,
           ho_internet=25)  # fmt: skip
A = CommuneData(
    cells(diem_bdvhx=1, buu_cuc__cap_1=1, buu_cuc__phat=1, dai_ly_buu_chinh=0,
          dien_tich=Decimal(40), dai_truyen_thanh="cntt_vt"),
    [V1, V2, V3],
)  # fmt: skip
B = CommuneData(
    cells(diem_bdvhx=0, dai_ly_buu_chinh=1, dien_tich=Decimal(60), dai_truyen_thanh="fm"), [V4]
)


def test_district_by_hand() -> None:
    """Missing is not zero: a village or commune counts in a figure only when it has a
    value for every indicator the formula reads (V3 has nothing; V4 no ho_dttm; B no
    buu_cuc), in the numerator and the denominator alike."""
    got = compute_derived(CAT, AreaData([A, B]), "district")
    assert got == pytest.approx(
        {
            "so_thon": 4,  # the register's count, data or not
            "so_thon_lom_song": 1,  # V2
            "ty_le_thon_co_song": 100 * 2 / 3,  # V1, V4 of V1, V2, V4 (V3 has no data)
            "ty_le_thon_4g": 100 * 2 / 3,
            "ty_le_thon_ftth": 100 * 1 / 3,
            "ty_le_ho_internet": 100 * (50 + 0 + 25) / (100 + 50 + 50),
            "ty_le_ho_dttm": 100 * (80 + 20) / 150,  # V4 (no ho_dttm) is left out
            "ty_le_xa_bdvhx": 100 * 1 / 2,
            "ty_le_xa_dai_cntt": 100 * 1 / 2,
            # B has no buu_cuc: only A; N = diem_bdvhx 1 + buu_cuc (1 + 1) + 0 = 3
            "ban_kinh_phuc_vu": math.sqrt(40 / (math.pi * 3)),
            "dan_so_phuc_vu": (400 + 200) / 3,
        }
    )
    assert compute_derived(CAT, AreaData([A, B]), "province") == got


def test_commune_by_hand() -> None:
    got = compute_derived(CAT, AreaData([A]), "commune")
    assert set(got) == set(CAT.derived) - {"ty_le_xa_bdvhx", "ty_le_xa_dai_cntt"}
    assert got == pytest.approx(
        {
            "so_thon": 3,
            "so_thon_lom_song": 1,
            "ty_le_thon_co_song": 100 / 2,
            "ty_le_thon_4g": 100 / 2,
            "ty_le_thon_ftth": 100 / 2,
            "ty_le_ho_internet": 100 * 50 / 150,
            "ty_le_ho_dttm": 100 * 100 / 150,
            "ban_kinh_phuc_vu": math.sqrt(40 / (math.pi * 3)),  # N = 1 + 2 + 0
            "dan_so_phuc_vu": 600 / 3,
        }
    )


def test_coverage_says_what_a_figure_covers() -> None:
    compiled = compile_derived(CAT)
    area = AreaData([A, B])
    assert coverage(CAT, area, compiled["ty_le_thon_co_song"].refs) == Coverage(3, 4, 2, 2, True)
    assert coverage(CAT, area, compiled["ty_le_xa_bdvhx"].refs) == Coverage(4, 4, 2, 2, False)
    assert coverage(CAT, area, compiled["ty_le_xa_bdvhx"].refs).complete
    assert coverage(CAT, area, compiled["ban_kinh_phuc_vu"].refs) == Coverage(3, 4, 1, 2, False)


def test_no_postal_point_is_undefined() -> None:
    got = compute_derived(CAT, AreaData([B]), "commune")
    assert got["dan_so_phuc_vu"] is None  # buu_cuc not entered: not a measured zero
    one_agent = CommuneData({**B.commune_values, ("buu_cuc", "cap_1"): 0}, [V4])
    got = compute_derived(CAT, AreaData([one_agent]), "commune")
    assert got["dan_so_phuc_vu"] == pytest.approx(150.0)  # N = 1 (one agent)
    no_points = CommuneData(
        cells(diem_bdvhx=0, buu_cuc__cap_1=0, dai_ly_buu_chinh=0, dien_tich=Decimal(60)), [V4]
    )
    got = compute_derived(CAT, AreaData([no_points]), "commune")
    assert got["ban_kinh_phuc_vu"] is None
    assert got["dan_so_phuc_vu"] is None
    assert got["so_thon"] == 1.0


def test_empty_area() -> None:
    got = compute_derived(CAT, AreaData([]), "province")
    assert got["so_thon"] == 0.0
    assert got["so_thon_lom_song"] is None  # nothing measured
    ratios = [c for c, d in CAT.derived.items() if d.unit == "%"]
    assert len(ratios) == 7
    assert all(got[c] is None for c in ratios)


def test_nothing_entered_is_undefined_not_zero() -> None:
    empty = CommuneData({}, [V3, V3])
    got = compute_derived(CAT, AreaData([empty]), "commune")
    assert got["so_thon"] == 2.0
    assert all(v is None for c, v in got.items() if c != "so_thon")


def test_compiled_formulas_can_be_reused() -> None:
    compiled = compile_derived(CAT)
    assert set(compiled) == set(CAT.derived)
    assert "N" in compiled["dan_so_phuc_vu"].definitions  # shared from ban_kinh_phuc_vu
    area = AreaData([A, B])
    assert compute_derived(CAT, area, "district", compiled) == compute_derived(
        CAT, area, "district"
    )


def _with_formula(formula: str) -> Catalogue:
    def rows(name: str) -> list[dict[str, str]]:
        with (CATALOG / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    derived = rows("derived.csv")
    derived[0] = {**derived[0], "formula": formula}
    return Catalogue.from_rows(rows("indicators.csv"), rows("dimensions.csv"), derived, "t")


@pytest.mark.parametrize(
    "formula",
    ["count(villages where)", "so_ho / 2", "count(hamlets)", "sum(khong_co)",
     "count(villages where so_ho)", "sum(so_ho) / M", "villages", "sum(buu_cuc[x])"],
)  # fmt: skip
def test_bad_formula_raises(formula: str) -> None:
    with pytest.raises(CatalogueError, match="derived indicator 'so_thon'"):
        compile_derived(_with_formula(formula))


def test_other_formulas() -> None:
    cat = _with_formula(
        "count(villages where xa_ung_dung_cntt and so_ho >= 50) + M * sum(buu_cuc[phat]) "
        "where M = 10"
    )
    a = CommuneData({**A.commune_values, ("xa_ung_dung_cntt", ""): True}, A.villages)
    got = compute_derived(cat, AreaData([a, B]), "commune")
    assert got["so_thon"] == pytest.approx(2 + 10 * 1)  # commune value seen from its villages
