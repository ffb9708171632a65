"""How a dimension adds up, from the catalogue: parts of a partition are summed; a total
member is the whole and its parts are sub-counts shown as their own rows, never added."""

from __future__ import annotations

import csv
import random
import sqlite3
from pathlib import Path

import pytest

from desktop_app.domain.catalogue import Catalogue, CatalogueError, load_catalogue
from desktop_app.reports import build_report
from desktop_app.store.aggregation import aggregate
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.schema import migrate
from desktop_app.store.store import Store
from tests.reports.handbuilt import COMMUNE_A, COMMUNE_B, DISTRICT, actor_for

CATALOG = Path(__file__).resolve().parents[2] / "resources" / "catalog"


def _rows(name: str) -> list[dict[str, str]]:
    with open(CATALOG / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_disaggregated_indicator_of_the_catalogue_declares_how_it_adds_up() -> None:
    cat = load_catalogue(CATALOG)
    seen = {}
    for ind in cat.indicators.values():
        if not ind.disaggregation:
            assert cat.total_keys(ind.code) == ("",), ind.code
            continue
        seen[ind.code] = cat.total_keys(ind.code)
    # a total with sub-counts: only the total member makes the whole
    assert seen.pop("cum_loa") == ("tong",)
    assert seen.pop("ho_so_tthc") == ("tong",)
    # partitions: every cell adds up (operator, operator x technology, access, ...)
    for code, keys in seen.items():
        assert keys == cat.disaggregation_keys(code), code
    assert set(seen) == {
        "bts_vi_tri",
        "bts_tram",
        "tb_bang_rong",
        "co_so_tong",
        "co_so_bang_rong",
        "buu_cuc",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"aggregation": "tổng"}, "aggregation must be sum, total or part"),
        ({"code": "tong", "aggregation": "part"}, "parts need exactly one total"),
        ({"code": "ip", "aggregation": "sum"}, "sum cannot be mixed"),
    ],
)
def test_a_malformed_aggregation_is_refused(change: dict[str, str], message: str) -> None:
    dims = _rows("dimensions.csv")
    target = next(
        r for r in dims if r["dimension"] == "speaker" and r["code"] == change.get("code", "ip")
    )
    target.update(change)
    with pytest.raises(CatalogueError, match=message):
        Catalogue.from_rows(_rows("indicators.csv"), dims, _rows("derived.csv"), "t")


def test_an_old_catalogue_without_the_column_sums_everything() -> None:
    dims = [{k: v for k, v in r.items() if k != "aggregation"} for r in _rows("dimensions.csv")]
    cat = Catalogue.from_rows(_rows("indicators.csv"), dims, _rows("derived.csv"), "t")
    assert cat.total_keys("cum_loa") == ("tong", "ip", "hong")


def test_migration_marks_the_installed_speaker_and_channel_dimensions(tmp_path: Path) -> None:
    from desktop_app.store.migrations import m0008_dimension_aggregation as step

    conn = sqlite3.connect(tmp_path / "before.db", isolation_level=None)
    migrate(conn, step.VERSION - 1)
    conn.executemany(
        "INSERT INTO dimension_member (position, dimension, code, name_vi, name_en)"
        " VALUES (?, ?, ?, ?, ?)",
        [
            (0, "operator", "viettel", "Viettel", "Viettel"),
            (1, "speaker", "tong", "Tổng số", "All"),
            (2, "speaker", "ip", "Loa IP", "IP"),
            (3, "channel", "tong", "Tổng số", "All"),
            (4, "channel", "truc_tuyen", "Trực tuyến", "Online"),
        ],
    )
    migrate(conn)
    got = dict(
        ((d, c), a)
        for d, c, a in conn.execute("SELECT dimension, code, aggregation FROM dimension_member")
    )
    assert got == {
        ("operator", "viettel"): "sum",
        ("speaker", "tong"): "total",
        ("speaker", "ip"): "part",
        ("channel", "tong"): "total",
        ("channel", "truc_tuyen"): "part",
    }


def _write(store: Store, commune: str, code: str, cells: dict[str, int], period: str) -> None:
    store.values.set_many(
        [ValueWrite(commune, None, period, code, v, k) for k, v in cells.items()],
        actor=actor_for(store, commune),
    )


def test_each_kind_adds_up_as_declared_in_the_district(district_store: Store) -> None:
    cat = district_store.catalogue
    assert cat.total_keys("cum_loa") == ("tong",)  # read back from the database
    # total + parts
    _write(district_store, COMMUNE_A, "cum_loa", {"tong": 10, "ip": 3, "hong": 2}, "2020")
    _write(district_store, COMMUNE_B, "cum_loa", {"tong": 5, "ip": 1}, "2020")
    _write(district_store, COMMUNE_A, "ho_so_tthc", {"tong": 40, "truc_tuyen": 12}, "2020Q4")
    # a partition and a two-dimension partition
    _write(district_store, COMMUNE_A, "buu_cuc", {"cap_2": 1, "cap_3": 2}, "2020")
    _write(district_store, COMMUNE_B, "buu_cuc", {"phat": 4}, "2020")
    _write(district_store, COMMUNE_A, "bts_tram", {"viettel.4g": 2, "vnpt.3g": 1}, "2020Q4")
    _write(district_store, COMMUNE_B, "bts_tram", {"viettel.4g": 3}, "2020Q4")

    ind = aggregate(district_store, DISTRICT, "2020Q4").current.indicators
    assert ind["cum_loa"].total == 15
    assert dict(ind["cum_loa"].cells) == {"tong": 15, "ip": 4, "hong": 2}
    assert ind["ho_so_tthc"].total == 40
    assert ind["ho_so_tthc"].cells["truc_tuyen"] == 12
    assert ind["buu_cuc"].total == 7
    assert ind["bts_tram"].total == 6
    assert ind["bts_tram"].cells["viettel.4g"] == 5

    # the report table: one row for the whole, the parts below it, no "Tổng số" row
    model = build_report(
        district_store, "district", DISTRICT, "2020Q4", lang="vi", include_drafts=True
    )
    rows = [r for r in model.rows if r.code == "cum_loa"]
    assert [(r.cell, r.current) for r in rows] == [("", 15), ("ip", 4), ("hong", 2)]
    assert all("Tổng số" not in r.label for r in rows)
    rows = [r for r in model.rows if r.code == "buu_cuc"]
    assert [(r.cell, r.current) for r in rows] == [("", 7), ("cap_2", 1), ("cap_3", 2), ("phat", 4)]


def test_a_commune_with_parts_but_no_total_has_no_total(district_store: Store) -> None:
    _write(district_store, COMMUNE_A, "cum_loa", {"ip": 3}, "2020")
    summary = aggregate(district_store, DISTRICT, "2020").current.indicators["cum_loa"]
    assert summary.total is None and summary.reported == 0
    assert summary.cells["ip"] == 3


def test_totals_follow_the_declaration_for_random_values(district_store: Store) -> None:
    """Property: for every numeric indicator of a commune, the total is the sum of the
    cells the catalogue declares as the whole, never of its sub-counts."""
    rng = random.Random(12)
    cat = district_store.catalogue
    numeric = [i for i in cat.commune_indicators() if i.kind == "integer" and i.disaggregation]
    expected: dict[str, int] = {}
    for ind in numeric:
        period = "2020Q4" if ind.frequency == "quarterly" else "2020"
        cells = {k: rng.randint(0, 50) for k in cat.disaggregation_keys(ind.code)}
        # parts never exceed their total (the catalogue's own rules)
        for key in cells:
            if not cat.is_total_key(ind.code, key) and cat.total_keys(ind.code) != (
                cat.disaggregation_keys(ind.code)
            ):
                cells[key] = min(cells[key], cells[cat.total_keys(ind.code)[0]])
        _write(district_store, COMMUNE_A, ind.code, cells, period)
        expected[ind.code] = sum(cells[k] for k in cat.total_keys(ind.code))
    got = aggregate(district_store, DISTRICT, "2020Q4").current.indicators
    assert {c: got[c].total for c in expected} == expected
