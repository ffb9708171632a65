"""A lock's relock reads one commune's period of the change log by its index, however
many value changes the office holds: the province accepting a period took 643 ms on the
province bench database when SQLite chose the entity index (every value change), 13 ms
on the (scope_unit, period) index (figures measured by hand, not asserted)."""

from __future__ import annotations

from pathlib import Path

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.apply.rules import RELOCK_KEYS_SQL
from desktop_app.store.office import create_office


def test_the_relock_reads_a_commune_s_period_by_its_index(
    tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    store = create_office(tmp_path / "d.db", "pre2025:125", directory=unit_directory, user="u")
    try:
        plan = " ".join(
            str(row[3])
            for row in store.db.execute_sql(
                "EXPLAIN QUERY PLAN " + RELOCK_KEYS_SQL, ("pre2025:04108", "2020Q1", 0)
            )
        )
    finally:
        store.close()
    assert "USING INDEX change_scope_period" in plan, plan
