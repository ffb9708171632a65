"""Tests of the validation rules of indicators.csv."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from desktop_app.domain.expressions import Lookup
from desktop_app.domain.rules import Rule, RuleSet, Violation, compile_rules, evaluate
from desktop_app.domain.values import Value

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"
CAT = load_catalogue(CATALOG)
RULES = compile_rules(CAT)

Cells = Mapping[str | tuple[str, str], Value]


def lookup(cells: Cells) -> Lookup:
    """A lookup over ``{"code": v}`` or ``{("code", "key"): v}``."""
    table = {(k, "") if isinstance(k, str) else k: v for k, v in cells.items()}
    return lambda code, key: table.get((code, key))


def rule(indicator: str, source: str) -> Rule:
    return next(r for r in RULES.rules if r.indicator == indicator and r.source == source)


D = Decimal
NONE: frozenset[str] = frozenset()
# (indicator, rule source, severity, bad values, good values)
CASES: list[tuple[str, str, str, Cells, Cells]] = [
    ("so_ho", ">= 0", "error", {"so_ho": -1}, {"so_ho": 0}),
    ("dan_so", "dan_so >= so_ho", "error", {"dan_so": 9, "so_ho": 10}, {"dan_so": 10, "so_ho": 10}),
    ("dan_so", "dan_so <= 15 * so_ho", "warning", {"dan_so": 151, "so_ho": 10},
     {"dan_so": 150, "so_ho": 10}),
    ("so_ho_ngheo", "so_ho_ngheo <= so_ho", "error", {"so_ho_ngheo": 12, "so_ho": 10},
     {"so_ho_ngheo": 10, "so_ho": 10}),
    ("phu_4g", "song_di_dong == khong_co => not phu_4g", "error",
     {"song_di_dong": "khong_co", "phu_4g": True}, {"song_di_dong": "yeu", "phu_4g": True}),
    ("phu_5g", "phu_5g => phu_4g", "error", {"phu_5g": True, "phu_4g": False},
     {"phu_5g": False, "phu_4g": False}),
    ("nha_mang", "empty(nha_mang) <=> song_di_dong == khong_co", "error",
     {"nha_mang": NONE, "song_di_dong": "yeu"}, {"nha_mang": NONE, "song_di_dong": "khong_co"}),
    ("bts_vi_tri", ">= 0", "error", {("bts_vi_tri", "vnpt"): -2}, {("bts_vi_tri", "vnpt"): 0}),
    ("bts_tram", "bts_tram[op][t] <= bts_vi_tri[op]", "warning",
     {("bts_tram", "mobifone.3g"): 4, ("bts_vi_tri", "mobifone"): 3},
     {("bts_tram", "mobifone.3g"): 3, ("bts_vi_tri", "mobifone"): 3}),
    ("bts_dung_chung", "bts_dung_chung <= sum(bts_vi_tri)", "error",
     {"bts_dung_chung": 5, ("bts_vi_tri", "viettel"): 2, ("bts_vi_tri", "khac"): 2},
     {"bts_dung_chung": 4, ("bts_vi_tri", "viettel"): 2, ("bts_vi_tri", "khac"): 2}),
    ("ho_ftth", "ho_ftth <= so_ho", "error", {"ho_ftth": 11, "so_ho": 10},
     {"ho_ftth": 10, "so_ho": 10}),
    ("ho_ftth", "ho_ftth > 0 => thon_ftth", "error", {"ho_ftth": 1, "thon_ftth": False},
     {"ho_ftth": 0, "thon_ftth": False}),
    ("ho_internet", "ho_ftth <= ho_internet <= so_ho", "error",
     {"ho_ftth": 3, "ho_internet": 2, "so_ho": 10}, {"ho_ftth": 2, "ho_internet": 2, "so_ho": 2}),
    ("tb_bang_rong", ">= 0", "error", {("tb_bang_rong", "di_dong"): -1},
     {("tb_bang_rong", "di_dong"): 7}),
    ("diem_internet_cc", ">= 0", "error", {"diem_internet_cc": -1}, {"diem_internet_cc": 2}),
    ("co_so_tong", ">= 0", "error", {("co_so_tong", "tram_y_te"): -1},
     {("co_so_tong", "tram_y_te"): 1}),
    ("co_so_bang_rong", "co_so_bang_rong[f] <= co_so_tong[f]", "error",
     {("co_so_bang_rong", "truong_hoc"): 3, ("co_so_tong", "truong_hoc"): 2},
     {("co_so_bang_rong", "truong_hoc"): 2, ("co_so_tong", "truong_hoc"): 2}),
    ("ho_dttm", "ho_dttm <= so_ho", "error", {"ho_dttm": 11, "so_ho": 10},
     {"ho_dttm": 1, "so_ho": 10}),
    ("ho_chi_2g", "ho_chi_2g <= so_ho", "error", {"ho_chi_2g": 11, "so_ho": 10},
     {"ho_chi_2g": 1, "so_ho": 10}),
    ("ho_khong_dtdd", "ho_dttm + ho_chi_2g + ho_khong_dtdd <= so_ho", "error",
     {"ho_dttm": 5, "ho_chi_2g": 3, "ho_khong_dtdd": 3, "so_ho": 10},
     {"ho_dttm": 5, "ho_chi_2g": 3, "ho_khong_dtdd": 2, "so_ho": 10}),
    ("nguoi_tt_dttm", "nguoi_tt_dttm <= dan_so", "error", {"nguoi_tt_dttm": 41, "dan_so": 40},
     {"nguoi_tt_dttm": 40, "dan_so": 40}),
    ("ho_ngheo_dttm", "ho_ngheo_dttm <= so_ho_ngheo", "error",
     {"ho_ngheo_dttm": 3, "so_ho_ngheo": 2}, {"ho_ngheo_dttm": 0, "so_ho_ngheo": 2}),
    ("diem_bdvhx", ">= 0", "error", {"diem_bdvhx": -1}, {"diem_bdvhx": 0}),
    ("diem_bdvhx", "diem_bdvhx <= 2", "warning", {"diem_bdvhx": 3}, {"diem_bdvhx": 2}),
    ("buu_cuc", ">= 0", "error", {("buu_cuc", "cap_3"): -1}, {("buu_cuc", "cap_3"): 1}),
    ("thung_thu", ">= 0", "error", {"thung_thu": -1}, {"thung_thu": 0}),
    ("dai_ly_buu_chinh", ">= 0", "error", {"dai_ly_buu_chinh": -4}, {"dai_ly_buu_chinh": 4}),
    ("tan_suat_phat", ">= 0", "error", {"tan_suat_phat": D("-0.5")}, {"tan_suat_phat": D("0.5")}),
    ("tan_suat_phat", "tan_suat_phat >= 1", "warning", {"tan_suat_phat": D("0.5")},
     {"tan_suat_phat": D("1")}),
    ("dien_tich", "> 0", "error", {"dien_tich": D("0")}, {"dien_tich": D("0.1")}),
    ("cum_loa", "cum_loa[ip] <= cum_loa[tong]", "error",
     {("cum_loa", "ip"): 5, ("cum_loa", "tong"): 4},
     {("cum_loa", "ip"): 4, ("cum_loa", "tong"): 4}),
    ("cum_loa", "cum_loa[hong] <= cum_loa[tong]", "error",
     {("cum_loa", "hong"): 5, ("cum_loa", "tong"): 4},
     {("cum_loa", "hong"): 0, ("cum_loa", "tong"): 4}),
    ("ho_so_tthc", "ho_so_tthc[truc_tuyen] <= ho_so_tthc[tong]", "error",
     {("ho_so_tthc", "truc_tuyen"): 9, ("ho_so_tthc", "tong"): 8},
     {("ho_so_tthc", "truc_tuyen"): 8, ("ho_so_tthc", "tong"): 8}),
]  # fmt: skip


def test_cases_cover_every_rule_of_the_catalogue() -> None:
    assert sorted((r.indicator, r.source) for r in RULES.rules) == sorted(
        (c[0], c[1]) for c in CASES
    )
    assert len(RULES) == 33


@pytest.mark.parametrize(("indicator", "source", "severity", "bad", "good"), CASES)
def test_rule_fires_on_bad_values_only(
    indicator: str, source: str, severity: str, bad: Cells, good: Cells
) -> None:
    r = rule(indicator, source)
    assert r.severity == severity
    assert evaluate(r, lookup(good)) == []
    found = evaluate(r, lookup(bad))
    assert len(found) == 1
    (v,) = found
    assert (v.severity, v.indicator, v.rule) == (severity, indicator, r)
    for text in (v.message_vi, v.message_en):
        assert text.endswith(".") and text[0].isupper()
    assert unicodedata.is_normalized("NFC", v.message_vi)
    assert ("nên" in v.message_vi or "thường" in v.message_vi) == (severity == "warning")
    assert ("should" in v.message_en) == (severity == "warning")
    assert set(v.values) <= {(k, "") if isinstance(k, str) else k for k in bad}


@pytest.mark.parametrize(("indicator", "source", "severity", "bad", "good"), CASES)
def test_rule_skips_when_values_are_missing(
    indicator: str, source: str, severity: str, bad: Cells, good: Cells
) -> None:
    r = rule(indicator, source)
    for dropped in bad:
        partial = {k: v for k, v in bad.items() if k != dropped}
        if indicator == "bts_dung_chung" and isinstance(dropped, tuple):
            continue  # sum() over the other operator still has a value: see the next test
        if indicator == "ho_ftth" and dropped == "thon_ftth":
            continue  # covered below: the premise alone decides nothing
        if indicator == "ho_internet" and dropped == "so_ho":
            continue  # a chain checks the pairs it has: see test_chain_checks_entered_pairs
        assert evaluate(r, lookup(partial)) == [], dropped


def test_sum_uses_the_entered_cells() -> None:
    r = rule("bts_dung_chung", "bts_dung_chung <= sum(bts_vi_tri)")
    assert len(evaluate(r, lookup({"bts_dung_chung": 3, ("bts_vi_tri", "vnpt"): 2}))) == 1
    assert evaluate(r, lookup({"bts_dung_chung": 3})) == []
    r = rule("ho_ftth", "ho_ftth > 0 => thon_ftth")
    assert evaluate(r, lookup({"ho_ftth": 2})) == []


def test_variable_subscripts_give_one_violation_per_binding() -> None:
    r = rule("bts_tram", "bts_tram[op][t] <= bts_vi_tri[op]")
    cells = {
        ("bts_vi_tri", "viettel"): 2,
        ("bts_vi_tri", "vnpt"): 1,
        ("bts_tram", "viettel.2g"): 3,
        ("bts_tram", "viettel.3g"): 2,
        ("bts_tram", "viettel.4g"): 5,
        ("bts_tram", "vnpt.4g"): 2,
        ("bts_tram", "mobifone.4g"): 9,  # mobifone sites missing: not evaluated
    }
    found = evaluate(r, lookup(cells))
    assert [v.disaggregation_key for v in found] == ["viettel.2g", "viettel.4g", "vnpt.4g"]
    assert all(v.severity == "warning" for v in found)
    assert len(set(found)) == 3  # violations are hashable
    assert found[1].values == {("bts_tram", "viettel.4g"): 5, ("bts_vi_tri", "viettel"): 2}
    assert found[1].message_vi == (
        "Số trạm phát sóng theo công nghệ (Viettel · 4G) (5) thường không vượt quá "
        "Số vị trí trạm BTS (Viettel) (2). Hãy kiểm tra lại."
    )
    assert found[1].message_en == (
        "Transmitters by technology (Viettel · 4G) (5) should not exceed "
        "BTS sites (Viettel) (2). Please check."
    )
    r = rule("co_so_bang_rong", "co_so_bang_rong[f] <= co_so_tong[f]")
    cells = {("co_so_bang_rong", f): 3 for f in ("truong_hoc", "tram_y_te", "tru_so_ubnd")}
    cells |= {("co_so_tong", "truong_hoc"): 2, ("co_so_tong", "tru_so_ubnd"): 1}
    cells |= {("co_so_tong", "tram_y_te"): 3}
    keys = [v.disaggregation_key for v in evaluate(r, lookup(cells))]
    assert keys == ["truong_hoc", "tru_so_ubnd"]


def test_bare_comparison_checks_every_cell() -> None:
    r = rule("buu_cuc", ">= 0")
    found = evaluate(r, lookup({("buu_cuc", "cap_1"): -1, ("buu_cuc", "phat"): -2}))
    assert [v.disaggregation_key for v in found] == ["cap_1", "phat"]
    assert found[1].message_vi == "Số bưu cục (Bưu cục phát) (-2) không được nhỏ hơn 0."
    assert found[1].message_en == "Post offices (Delivery office) (-2) must not be less than 0."


def test_literal_subscripts() -> None:
    r = rule("cum_loa", "cum_loa[ip] <= cum_loa[tong]")
    assert r.variables == ()
    (v,) = evaluate(r, lookup({("cum_loa", "ip"): 5, ("cum_loa", "tong"): 2}))
    assert v.disaggregation_key == "ip"
    assert (
        v.message_en
        == "Loudspeaker clusters (IP speakers) (5) must not exceed Loudspeaker clusters (All) (2)."
    )


def test_chained_comparison_names_the_failing_pair() -> None:
    r = rule("ho_internet", "ho_ftth <= ho_internet <= so_ho")
    (v,) = evaluate(r, lookup({"ho_ftth": 2, "ho_internet": 12, "so_ho": 10}))
    assert v.message_vi == "Số hộ có kết nối Internet (12) không được lớn hơn Số hộ gia đình (10)."
    (v,) = evaluate(r, lookup({"ho_ftth": 3, "ho_internet": 2, "so_ho": 10}))
    assert v.message_en == (
        "Households with a fibre subscription (3) must not exceed Households with Internet (2)."
    )
    (v,) = evaluate(r, lookup({"ho_ftth": 30, "ho_internet": 20, "so_ho": 10}))
    assert v.message_en.count("must not exceed") == 2


def test_chain_checks_entered_pairs() -> None:
    r = rule("ho_internet", "ho_ftth <= ho_internet <= so_ho")
    (v,) = evaluate(r, lookup({"ho_internet": 12, "so_ho": 10}))
    assert v.message_en == "Households with Internet (12) must not exceed Households (10)."
    (v,) = evaluate(r, lookup({"ho_ftth": 3, "ho_internet": 2}))
    assert v.message_en == (
        "Households with a fibre subscription (3) must not exceed Households with Internet (2)."
    )
    assert v.rule.source == "ho_ftth <= ho_internet <= so_ho"
    assert evaluate(r, lookup({"ho_internet": 2, "so_ho": 10})) == []
    assert evaluate(r, lookup({"ho_internet": 2})) == []


def test_messages_wording() -> None:
    (v,) = evaluate(
        rule("so_ho_ngheo", "so_ho_ngheo <= so_ho"), lookup({"so_ho_ngheo": 12, "so_ho": 10})
    )
    assert v.message_vi == "Số hộ nghèo và cận nghèo (12) không được lớn hơn Số hộ gia đình (10)."
    assert v.message_en == "Poor and near-poor households (12) must not exceed Households (10)."
    r = rule("phu_4g", "song_di_dong == khong_co => not phu_4g")
    (v,) = evaluate(r, lookup({"song_di_dong": "khong_co", "phu_4g": True}))
    assert v.message_vi == (
        "Nếu Tình trạng sóng di động là «Không có sóng» thì Thôn có sóng 4G phải là «Không»."
    )
    assert v.message_en == "If Mobile signal is «No signal», Village covered by 4G must be «No»."
    r = rule("nha_mang", "empty(nha_mang) <=> song_di_dong == khong_co")
    (v,) = evaluate(r, lookup({"song_di_dong": "khong_co", "nha_mang": frozenset({"viettel"})}))
    assert v.message_vi == (
        "Nếu Tình trạng sóng di động là «Không có sóng» thì "
        "Nhà mạng có sóng tại thôn phải để trống."
    )
    (v,) = evaluate(r, lookup({"song_di_dong": "on_dinh", "nha_mang": frozenset()}))
    assert v.message_en == (
        "If Operators with signal in the village is empty, Mobile signal must be «No signal»."
    )
    r = rule("dan_so", "dan_so <= 15 * so_ho")
    (v,) = evaluate(r, lookup({"dan_so": 1600, "so_ho": 100}))
    assert v.message_vi == (
        "Dân số (1.600) thường không vượt quá 15 × Số hộ gia đình (1.500). Hãy kiểm tra lại."
    )
    assert (
        v.message_en
        == "Population (1,600) should not exceed 15 × Households (1,500). Please check."
    )
    r = rule("tan_suat_phat", "tan_suat_phat >= 1")
    (v,) = evaluate(r, lookup({"tan_suat_phat": Decimal("0.5")}))
    assert v.message_vi.startswith("Tần suất thu gom và phát bưu gửi (0,5) thường không nhỏ hơn 1.")
    r = rule("ho_khong_dtdd", "ho_dttm + ho_chi_2g + ho_khong_dtdd <= so_ho")
    (v,) = evaluate(r, lookup({"ho_dttm": 5, "ho_chi_2g": 4, "ho_khong_dtdd": 3, "so_ho": 10}))
    assert v.message_en == (
        "The sum of Households with a smartphone, Households with 2G-only phones and Households"
        " without a mobile phone (12) must not exceed Households (10)."
    )
    r = rule("ho_ftth", "ho_ftth > 0 => thon_ftth")
    (v,) = evaluate(r, lookup({"ho_ftth": 3, "thon_ftth": False}))
    assert v.message_vi == (
        "Nếu Số hộ có thuê bao Internet cáp quang (3) lớn hơn 0 thì "
        "Thôn có hạ tầng cáp quang FTTH phải là «Có»."
    )


def test_empty_multichoice_is_a_value_not_missing() -> None:
    r = rule("nha_mang", "empty(nha_mang) <=> song_di_dong == khong_co")
    assert evaluate(r, lookup({"song_di_dong": "yeu"})) == []
    assert len(evaluate(r, lookup({"song_di_dong": "yeu", "nha_mang": frozenset()}))) == 1


def test_rule_metadata_and_index() -> None:
    r = rule("ho_khong_dtdd", "ho_dttm + ho_chi_2g + ho_khong_dtdd <= so_ho")
    assert r.level == "village"
    assert r.references == {"ho_dttm", "ho_chi_2g", "ho_khong_dtdd", "so_ho"}
    owners = {x.indicator for x in RULES.for_indicator("so_ho")}
    assert owners == {"so_ho", "dan_so", "so_ho_ngheo", "ho_ftth", "ho_internet", "ho_dttm",
                      "ho_chi_2g", "ho_khong_dtdd"}  # fmt: skip
    assert {x.indicator for x in RULES.for_indicator("bts_vi_tri")} == {
        "bts_vi_tri", "bts_tram", "bts_dung_chung"}  # fmt: skip
    assert rule("cum_loa", "cum_loa[ip] <= cum_loa[tong]").level == "commune"


def test_check_runs_the_rules_of_one_level() -> None:
    village = {"so_ho": 10, "so_ho_ngheo": 12, "dan_so": 20, "phu_5g": True, "phu_4g": False}
    commune = {"diem_bdvhx": 3, ("cum_loa", "ip"): 1, ("cum_loa", "tong"): 0}
    both = lookup({**village, **commune})
    found: list[Violation] = RULES.check(both, "village")
    assert [(v.indicator, v.severity) for v in found] == [
        ("so_ho_ngheo", "error"),
        ("phu_5g", "error"),
    ]
    found = RULES.check(both, "commune")
    assert [(v.indicator, v.severity) for v in found] == [
        ("diem_bdvhx", "warning"),
        ("cum_loa", "error"),
    ]
    assert RULES.check(lookup({}), "village") == []


def _with_rule(code: str, text: str) -> Catalogue:
    def rows(name: str) -> list[dict[str, str]]:
        with (CATALOG / name).open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    inds = [{**r, "rules": text} if r["code"] == code else r for r in rows("indicators.csv")]
    return Catalogue.from_rows(inds, rows("dimensions.csv"), rows("derived.csv"), "t")


@pytest.mark.parametrize(
    "text",
    ["so_ho <=", "so_hoo >= 0", "song_di_dong == mat_song", "bts_tram <= 3",
     "bts_tram[op] <= 1", "so_ho + phu_4g > 0", "so_ho => phu_4g", "count(villages) > 1",
     "so_ho >= 0 )"],
)  # fmt: skip
def test_bad_rule_raises_catalogue_error(text: str) -> None:
    with pytest.raises(CatalogueError, match="indicator 'so_ho', rule"):
        compile_rules(_with_rule("so_ho", text))


def test_more_general_rules_compile() -> None:
    cat = _with_rule(
        "so_ho", "so_ho >= 0 and not (so_ho < dan_so / 20 or so_ho == 0); warn: abs(-so_ho) <= 1000"
    )
    ruleset: RuleSet = compile_rules(cat)
    rules = ruleset.for_indicator("so_ho")
    first = next(r for r in rules if r.indicator == "so_ho" and r.severity == "error")
    assert evaluate(first, lookup({"so_ho": 10, "dan_so": 100})) == []
    assert len(evaluate(first, lookup({"so_ho": 1, "dan_so": 100}))) == 1
