"""Every write is one transaction: row, change and audit together, or nothing at all."""

from __future__ import annotations

import pytest

from desktop_app.store.changes import Actor
from desktop_app.store.errors import DiskFullError, InvalidValueError, OutOfScopeError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.schema import SCHEMA_VERSION
from tests.conftest import COMMUNE


def _counts(store) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    q = store.db.execute_sql
    return (
        q("SELECT count(*) FROM data_value").fetchone()[0],
        q("SELECT count(*) FROM change").fetchone()[0],
        q("SELECT count(*) FROM audit WHERE change_id IS NOT NULL").fetchone()[0],
    )


@pytest.fixture
def village(commune_store):  # type: ignore[no-untyped-def]
    return commune_store.villages.add(COMMUNE, "Bản Nà Sản")


def test_a_write_puts_row_change_and_audit_in_one_go(commune_store, village):
    before = _counts(commune_store)
    ref = commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 120))
    assert ref is not None
    assert _counts(commune_store) == (before[0] + 1, before[1] + 1, before[2] + 1)
    stored = commune_store.values.get(village.id, "2019", "so_ho")
    assert stored is not None and stored.value == "120" and stored.version == ref.version
    change = commune_store.db.execute_sql(
        "SELECT origin, epoch, seq, entity, state, base_version, schema_version, user"
        " FROM change WHERE id = ?",
        (ref.change_id,),
    ).fetchone()
    node = commune_store.node
    assert change[:4] == (node.node_id, node.epoch, 2, "value")  # seq 1 was the village
    assert '"value":"120"' in change[4] and change[5] is None
    assert change[6] == SCHEMA_VERSION and change[7] == "canbo"
    # an edit names the version it was based on
    ref2 = commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 125))
    based_on = commune_store.db.execute_sql(
        "SELECT base_version FROM change WHERE id = ?", (ref2.change_id,)
    ).fetchone()[0]
    assert based_on == ref.version


def test_writing_the_same_value_again_writes_nothing(commune_store, village):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 120))
    before = _counts(commune_store)
    assert (
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 120))
        is None
    )
    assert _counts(commune_store) == before


def test_a_rule_error_leaves_no_trace(commune_store, village):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 100))
    before = _counts(commune_store)
    with pytest.raises(InvalidValueError) as err:
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho_ngheo", 130))
    assert "must not exceed" in err.value.user_message()
    assert _counts(commune_store) == before
    # a warning does not block
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "dan_so", 1600))
    assert commune_store.values.get(village.id, "2019", "dan_so").value == "1600"


def test_a_failure_inside_the_transaction_rolls_everything_back(commune_store, village):
    # A trigger makes the very last statement of the write fail, after the change
    # and audit rows were already inserted in the same transaction.
    commune_store.db.execute_sql(
        "CREATE TRIGGER refuse BEFORE INSERT ON data_value WHEN NEW.value = '77'"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    before = _counts(commune_store)
    hlc_before = commune_store.db.execute_sql("SELECT hlc_wall, hlc_counter FROM node").fetchone()
    with pytest.raises(Exception, match="injected failure"):
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 77))
    assert _counts(commune_store) == before
    assert commune_store.db.execute_sql("SELECT hlc_wall, hlc_counter FROM node").fetchone() == (
        hlc_before
    )
    assert (
        commune_store.db.execute_sql("SELECT count(*) FROM audit").fetchone()[0]
        == (commune_store.db.execute_sql("SELECT count(*) FROM audit").fetchone()[0])
    )
    # and the next successful write takes the next seq: no gap
    ref = commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 78))
    assert ref.version.endswith("/2")


def test_seq_stays_gap_free_over_many_writes_with_failures(commune_store, village):
    clerk = commune_store.local_actor()
    for i in range(300):
        value = 10 + i
        if i % 7 == 3:
            with pytest.raises(InvalidValueError):  # poor households above households
                commune_store.values.set_value(
                    ValueWrite(COMMUNE, village.id, "2019", "so_ho_ngheo", 10_000), actor=clerk
                )
        commune_store.values.set_value(
            ValueWrite(COMMUNE, village.id, f"{2019 + i % 2}Q{1 + i % 4}", "ho_internet", 0),
            actor=clerk,
        )
        commune_store.values.set_value(
            ValueWrite(COMMUNE, village.id, "2019", "so_ho", value), actor=clerk
        )
    seqs = [
        r[0]
        for r in commune_store.db.execute_sql(
            "SELECT seq FROM change WHERE origin = ? AND epoch = ? ORDER BY seq",
            (clerk.origin, clerk.epoch),
        )
    ]
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) > 300


def test_hlc_never_goes_backwards_when_the_wall_clock_does(commune_store, village, clock):
    stamps = []
    for i in range(40):
        if i == 10:
            clock.advance(-3 * 86400)  # someone sets the PC clock three days back
        elif i == 25:
            clock.advance(-365 * 86400)  # the CMOS battery died
        else:
            clock.advance(0.0005)
        ref = commune_store.values.set_value(
            ValueWrite(COMMUNE, village.id, "2019", "so_ho", 100 + i)
        )
        stamps.append(ref.hlc)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    # persisted: a new Store on the same file continues above the last stamp
    from desktop_app.store.store import Store

    commune_store.close()
    with Store.open(commune_store.path, clock=clock, user="canbo") as again:
        ref = again.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 999))
        assert ref.hlc > stamps[-1]


def test_full_disk_gives_a_clear_error_and_keeps_the_data(commune_store, village):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 100))
    before = _counts(commune_store)
    pages = commune_store.db.execute_sql("PRAGMA page_count").fetchone()[0]
    commune_store.db.execute_sql(f"PRAGMA max_page_count = {pages}")
    big = "x" * 200_000  # a comment that cannot fit in the pages left
    with pytest.raises(DiskFullError) as err:
        commune_store.values.set_value(
            ValueWrite(COMMUNE, village.id, "2019", "so_ho", 101, comment=big)
        )
    assert "disk space" in err.value.user_message()
    commune_store.db.execute_sql(f"PRAGMA max_page_count = {pages * 1000}")
    assert _counts(commune_store) == before
    assert commune_store.values.get(village.id, "2019", "so_ho").value == "100"


def test_out_of_scope_and_wrong_shapes_are_refused(district_store, commune_store, village):
    # a commune office cannot write another commune
    other = "pre2025:04105"
    with pytest.raises(OutOfScopeError):
        commune_store.villages.add(other, "Bản Lạ")
    # a district office does not type its communes' values
    intruder = Actor("x", 1, "pre2025:04105", "someone")
    with pytest.raises(OutOfScopeError):
        commune_store.values.set_value(
            ValueWrite(COMMUNE, village.id, "2019", "so_ho", 1), actor=intruder
        )
    with pytest.raises(InvalidValueError):  # a village indicator needs a village
        commune_store.values.set_value(ValueWrite(COMMUNE, None, "2019", "so_ho", 1))
    with pytest.raises(InvalidValueError):  # no such cell
        commune_store.values.set_value(
            ValueWrite(COMMUNE, None, "2019Q1", "bts_vi_tri", 1, disagg="nokia")
        )
    with pytest.raises(InvalidValueError):  # wrong type
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", "many"))
    with pytest.raises(InvalidValueError):  # bad period
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q5", "so_ho", 1))
    with pytest.raises(InvalidValueError):  # no such indicator (CatalogueError, not KeyError)
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "khong_co", 1))


def test_annual_indicator_typed_in_a_quarter_is_stored_for_the_year(commune_store, village):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q3", "so_ho", 80))
    assert commune_store.values.get(village.id, "2019", "so_ho").value == "80"
    assert commune_store.values.get(village.id, "2019Q3", "so_ho") is None


def test_annual_value_is_checked_against_the_quarters_of_its_year(commune_store, village):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 100))
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q2", "ho_ftth", 20))
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q2", "ho_internet", 60))
    with pytest.raises(InvalidValueError, match="Households"):
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 50))


def test_history_lists_who_changed_a_cell(commune_store, village, clock):
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 100))
    clock.advance(3600)
    commune_store.values.set_value(
        ValueWrite(COMMUNE, village.id, "2019", "so_ho", 104, comment="điều tra lại")
    )
    history = commune_store.values.history(village.id, "2019", "so_ho")
    assert [(h["old"], h["new"], h["user"]) for h in history] == [
        (None, "100", "canbo"),
        ("100", "104", "canbo"),
    ]
    assert history[1]["comment"] == "điều tra lại"


def test_bulk_writes_name_the_version_they_overwrite(commune_store, village):
    first = commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 90))
    writes = [
        ValueWrite(COMMUNE, village.id, "2019", "so_ho", 95),  # overwrites
        ValueWrite(COMMUNE, village.id, "2019", "dan_so", 400),  # new
        ValueWrite(COMMUNE, village.id, "2019", "dan_so", 400),  # same again: nothing
    ]
    before = _counts(commune_store)
    assert commune_store.values.set_many(writes) == 2
    assert _counts(commune_store)[1:] == (before[1] + 2, before[2] + 2)
    rows = commune_store.db.execute_sql(
        "SELECT entity_key, base_version FROM change WHERE entity = 'value' ORDER BY seq"
    ).fetchall()
    bases = {key: base for key, base in rows}
    assert any("so_ho" in k and b == first.version for k, b in bases.items())
    assert any("dan_so" in k and b is None for k, b in bases.items())
    history = commune_store.values.history(village.id, "2019", "so_ho")
    assert [(h["old"], h["new"]) for h in history] == [(None, "90"), ("90", "95")]
    assert commune_store.values.set_many(writes[1:]) == 0
