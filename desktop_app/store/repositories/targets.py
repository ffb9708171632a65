"""Annual plan targets set by the province: (unit, year, derived indicator) → value."""

from __future__ import annotations

from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.repositories.base import Repository

ENTITY = "target"


class TargetRepository(Repository):
    """Reads and writes plan targets; only the province's office writes them."""

    def get(self, unit_id: str, year: int) -> dict[str, float]:
        """The targets of a unit for a year, by derived indicator code."""
        rows = self.db.execute_sql(
            "SELECT indicator, value FROM target WHERE unit_id = ? AND year = ?", (unit_id, year)
        )
        return {str(code): float(value) for code, value in rows}

    def set(
        self, unit_id: str, year: int, indicator: str, value: float, *, actor: Actor | None = None
    ) -> None:
        """Set one target (the province only)."""
        actor = actor or self.store.local_actor()
        name, _, _ = self.unit_row(unit_id)
        _, office_level, _ = self.unit_row(actor.office_id)
        if office_level != 1:
            raise OutOfScopeError(unit=name)
        if indicator not in self.store.catalogue.derived:
            raise InvalidValueError(reason=f"unknown derived indicator {indicator!r}")
        old = self.db.execute_sql(
            "SELECT value, version FROM target WHERE unit_id = ? AND year = ? AND indicator = ?",
            (unit_id, year, indicator),
        ).fetchone()
        if old is not None and float(old[0]) == float(value):
            return
        key = {"unit_id": unit_id, "year": year, "indicator": indicator}
        with self.store.write(actor) as ctx:
            ref = ctx.log(
                Entry(
                    ENTITY,
                    key,
                    unit_id,
                    str(year),
                    {**key, "value": value},
                    None if old is None else {**key, "value": old[0]},
                    None if old is None else old[1],
                    "create" if old is None else "update",
                )
            )
            self.db.execute_sql(
                "INSERT INTO target (unit_id, year, indicator, value, version, hlc)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, indicator) DO UPDATE"
                " SET value = excluded.value, version = excluded.version, hlc = excluded.hlc",
                (unit_id, year, indicator, float(value), ref.version, ref.hlc),
            )
