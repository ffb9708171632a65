"""Annual plan targets set by the province: (unit, year, derived indicator) → value.

Targets are province-owned reference data: only the province's office writes them (a
district or commune office reads the ones that came down with its bundles and syncs).
A district that wants to propose its communes' targets fills the province's plan sheet
(``coverage-desk plan export``) and sends it back; the province imports it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.repositories.base import Repository

ENTITY = "target"


@dataclass(frozen=True)
class TargetWrite:
    """One target to set: a unit's value of a derived indicator for a year."""

    unit_id: str
    year: int
    indicator: str
    value: float


class TargetRepository(Repository):
    """Reads and writes plan targets; only the province's office writes them."""

    def get(self, unit_id: str, year: int) -> dict[str, float]:
        """The targets of a unit for a year, by derived indicator code."""
        rows = self.db.execute_sql(
            "SELECT indicator, value FROM target WHERE unit_id = ? AND year = ?", (unit_id, year)
        )
        return {str(code): float(value) for code, value in rows}

    def for_year(self, year: int) -> dict[tuple[str, str], float]:
        """Every target of ``year``: (unit id, indicator) → value."""
        rows = self.db.execute_sql(
            "SELECT unit_id, indicator, value FROM target WHERE year = ?", (year,)
        )
        return {(str(u), str(i)): float(v) for u, i, v in rows}

    def years(self) -> list[int]:
        """The years that have at least one target, oldest first."""
        rows = self.db.execute_sql("SELECT DISTINCT year FROM target ORDER BY year")
        return [int(y) for (y,) in rows]

    def judged_quarter(self, communes: list[str], year: int) -> tuple[str | None, int]:
        """The quarter of ``year`` the plan is judged on, and how many of ``communes`` are
        approved in it: the quarter with the most approved (or accepted) communes, the
        latest of those, so a fourth quarter still under review does not replace a third
        quarter approved everywhere. (None, 0) when no quarter of the year is approved."""
        if not communes:
            return None, 0
        marks = ",".join("?" for _ in communes)
        row = self.db.execute_sql(
            f"SELECT period, count(*) FROM submission WHERE commune_id IN ({marks})"
            " AND period LIKE ? AND state IN ('approved', 'accepted')"
            " GROUP BY period ORDER BY count(*) DESC, period DESC LIMIT 1",
            (*communes, f"{year}Q_"),
        ).fetchone()
        return (None, 0) if row is None else (str(row[0]), int(row[1]))

    def set(
        self, unit_id: str, year: int, indicator: str, value: float, *, actor: Actor | None = None
    ) -> None:
        """Set one target (the province only)."""
        self.set_many([TargetWrite(unit_id, year, indicator, value)], actor=actor)

    def set_many(self, writes: Iterable[TargetWrite], *, actor: Actor | None = None) -> int:
        """Set many targets in one transaction (the province only); returns how many changed.

        Every write is checked before anything is written: an unknown unit or derived
        indicator refuses the whole batch. A target already holding the value is skipped.
        """
        actor = actor or self.store.local_actor()
        _, office_level, _ = self.unit_row(actor.office_id)
        batch = list(writes)
        if not batch:
            return 0
        for w in batch:
            name, _, _ = self.unit_row(w.unit_id)
            if office_level != 1:
                raise OutOfScopeError(unit=name)
            if w.indicator not in self.store.catalogue.derived:
                raise InvalidValueError(reason=f"unknown derived indicator {w.indicator!r}")
        changed = 0
        with self.store.write(actor) as ctx:
            for w in batch:
                old = self.db.execute_sql(
                    "SELECT value, version FROM target"
                    " WHERE unit_id = ? AND year = ? AND indicator = ?",
                    (w.unit_id, w.year, w.indicator),
                ).fetchone()
                if old is not None and float(old[0]) == float(w.value):
                    continue
                key = {"unit_id": w.unit_id, "year": w.year, "indicator": w.indicator}
                ref = ctx.log(
                    Entry(
                        ENTITY,
                        key,
                        w.unit_id,
                        str(w.year),
                        {**key, "value": w.value},
                        None if old is None else {**key, "value": old[0]},
                        None if old is None else old[1],
                        "create" if old is None else "update",
                    )
                )
                self.db.execute_sql(
                    "INSERT INTO target (unit_id, year, indicator, value, version, hlc)"
                    " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, indicator) DO UPDATE"
                    " SET value = excluded.value, version = excluded.version, hlc = excluded.hlc",
                    (w.unit_id, w.year, w.indicator, float(w.value), ref.version, ref.hlc),
                )
                changed += 1
        return changed
