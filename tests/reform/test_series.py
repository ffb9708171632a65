"""A trend across the reform reads as one series: a 2025 commune's quarters before the
reform are its old communes' figures added up (commune-level indicators too), in the
report's own columns, its previous-period column after the reform and the trend."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

from desktop_app import cli
from desktop_app.reports import OFFICIAL_STATES
from desktop_app.reports.dashboard import build_dashboard
from desktop_app.reports.trend_section import trend_section
from desktop_app.store.aggregation import IndicatorSummary, aggregate
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

NEW, OLDS = "2025:04108", ("pre2025:04108", "pre2025:04114")


def combined(parts: list[IndicatorSummary]) -> object:
    """What the catalogue's rules make of the old communes' summaries of one indicator."""
    given = [p for p in parts if p.reported]
    if not given:
        return None
    if parts[0].method == "mean":  # a rate: averaged over the communes that gave it
        total = sum(Decimal(str(p.total)) for p in given)
        return (total / len(given)).quantize(Decimal("0.01"))
    if parts[0].method == "count_choice":
        return {c: sum(p.choices[c] for p in parts) for c in parts[0].choices}
    return sum(p.total or 0 for p in given)


def figure(summary: IndicatorSummary) -> object:
    if summary.method == "count_choice":
        return dict(summary.choices) if summary.reported else None
    return summary.total


def test_old_communes_commune_figures_add_up_under_the_2025_commune(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    province = tmp_path / "province.db"
    shutil.copy(demo[1], province)
    with Store.open(province) as store:
        catalogue = store.catalogue
        before = aggregate(store, NEW, "2025Q2")
        parts = [aggregate(store, old, "2025Q2") for old in OLDS]
        after = aggregate(store, NEW, "2025Q3")
        official = aggregate(store, NEW, "2025Q3", counted_states=OFFICIAL_STATES["commune"])
        dash = build_dashboard(store, NEW)
    communal = [i.code for i in catalogue.indicators.values() if i.level == "commune"]
    assert len(communal) > 10
    for code in communal:
        want = combined([p.current.indicators[code] for p in parts])
        assert figure(before.current.indicators[code]) == want, code
        assert before.current.indicators[code].reported == 2, code
        # after the reform the previous column is that same quarter: one series
        assert after.previous is not None and official.previous is not None
        assert figure(after.previous.indicators[code]) == want, code
        assert figure(official.previous.indicators[code]) == want, code
    assert sum(p.current.indicators["bts_tram"].total or 0 for p in parts) > 0
    assert after.previous.derived == before.current.derived
    # the dashboard's series runs from the old communes' first quarter on
    labels = [p.code for p in dash.periods]
    assert labels[:2] == ["2024Q1", "2024Q2"] and "2025Q3" in labels
    i = labels.index("2025Q2")
    for code, _name, values in dash.series:
        assert values[i] == before.current.derived.get(code), code

    out = tmp_path / "c.csv"
    argv = ["--lang", "en", "report", "commune", "--db", str(province), "--unit", NEW]
    assert cli.main([*argv, "--period", "2025Q3", "--out", str(out)]) == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = {(r["Indicator code"], r["Cell"]): r for r in csv.DictReader(f)}
    for code in ("bts_tram", "bts_vi_tri", "tb_bang_rong", "ho_so_tthc", "dai_ly_buu_chinh"):
        want = sum(p.current.indicators[code].total or 0 for p in parts)
        assert rows[(code, "")]["Previous"] == str(want), code


def test_the_2025_province_trend_runs_across_the_reform(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    province = tmp_path / "province.db"
    shutil.copy(demo[1], province)
    with Store.open(province) as store:
        agg = aggregate(store, "2025:14", "2026Q2")
        section = trend_section(store, agg, "en")
        q2 = aggregate(store, "2025:14", "2025Q2", with_previous=False)
    assert section is not None
    assert section.labels[0] == "Q1/2024" and "Q2/2025" in section.labels
    assert "Q3/2025" in section.labels
    i = section.labels.index("Q2/2025")
    names = {d.name_en: c for c, d in store.catalogue.derived.items()}
    for name, values in section.series:
        assert values[i] == q2.current.derived.get(names[name]), name


def test_the_2025_province_chart_and_annex_go_by_commune(
    demo: tuple[Path, Path], tmp_path: Path
) -> None:
    province = tmp_path / "province.db"
    shutil.copy(demo[1], province)
    with Store.open(province) as store:
        agg = aggregate(store, "2025:14", "2025Q2")
        communes = [c.id for c in store.reference.communes_under("2025:14")]
        own = {
            a.unit.id: aggregate(store, a.unit.id, "2025Q2", with_previous=False)
            for a in agg.by_commune
            if a.villages
        }
    assert not agg.by_district
    assert [a.unit.id for a in agg.by_commune] == communes and len(communes) == 75
    assert sum(a.villages for a in agg.by_commune) == agg.current.villages
    # before the reform each 2025 commune's bar is its old communes' figures: the same as
    # the 2025 commune's own report of the quarter
    assert len(own) >= 5
    for area in agg.by_commune:
        if area.unit.id in own:
            assert area.villages == own[area.unit.id].current.villages
            for code, value in area.derived.items():
                assert value == own[area.unit.id].current.derived.get(code), code

    out = tmp_path / "p.pdf"
    argv = ["--lang", "en", "report", "province", "--db", str(province), "--unit", "2025:14"]
    assert cli.main([*argv, "--period", "2025Q2", "--include-drafts", "--out", str(out)]) == 0
    text = " ".join(pdf_text(out, layout=False).split())
    annex = text[text.index("Main indicators by commune") :]
    assert "by district" not in text
    assert "By today's communes and wards (the province has no districts)" in annex
    for area in agg.by_commune:
        assert area.unit.name in annex
