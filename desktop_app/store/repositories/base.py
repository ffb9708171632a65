"""What every repository shares: the store, scope and lock checks, period rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop_app.domain.periods import Period
from desktop_app.store.changes import Actor
from desktop_app.store.errors import LockedPeriodError, OutOfScopeError, UnknownUnitError

if TYPE_CHECKING:
    from desktop_app.store.store import Store

LOCKED_STATES = ("approved", "accepted")


class Repository:
    """Base of the repositories: holds the store and its checks."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    def unit_row(self, unit_id: str) -> tuple[str, int, str | None]:
        """(name, level, parent id) of a unit; :class:`UnknownUnitError` when absent."""
        row = self.db.execute_sql(
            "SELECT name, level, parent_id FROM unit WHERE id = ?", (unit_id,)
        ).fetchone()
        if row is None:
            raise UnknownUnitError(unit=unit_id)
        return str(row[0]), int(row[1]), row[2]

    def check_data_scope(self, actor: Actor, commune_id: str, *, on_behalf: bool = False) -> None:
        """A commune's data (values, villages, sites) is written by that commune's office.

        With ``on_behalf`` (imports only: a commune's filled template, an operator's
        list) the province may write it too: every receiver already accepts the
        province's changes to any data (DESIGN §4), a district's it quarantines.
        """
        name, _, _ = self.unit_row(commune_id)
        if actor.office_id == commune_id:
            return
        if on_behalf and self.is_province_of(actor.office_id, commune_id):
            return
        from desktop_app.store.reform import allowed_units

        if commune_id in allowed_units(self.store, actor.office_id):
            return  # a 2025 commune's office writes the old communes it took over
        raise OutOfScopeError(unit=name)

    def is_province_of(self, office_id: str, commune_id: str) -> bool:
        """True when ``office_id`` is the province ``commune_id`` lies in."""
        unit: str | None = commune_id
        while unit is not None:
            _, level, parent = self.unit_row(unit)
            if unit == office_id:
                return level == 1
            unit = parent
        return False

    def check_not_locked(self, commune_id: str, period: Period) -> None:
        """Refuse writes to an approved (commune, period); annual values lock with Q4."""
        codes = [period.code]
        if period.kind == "annual":
            codes.append(f"{period.year}Q4")
        marks = ",".join("?" for _ in codes)
        row = self.db.execute_sql(
            f"SELECT period FROM submission WHERE commune_id = ? AND period IN ({marks})"
            f" AND state IN {LOCKED_STATES}",
            (commune_id, *codes),
        ).fetchone()
        if row is not None:
            name, _, _ = self.unit_row(commune_id)
            raise LockedPeriodError(period=str(row[0]), unit=name)

    def ensure_period(self, period: Period) -> None:
        """Make sure the period row exists (inside the caller's transaction)."""
        self.db.execute_sql(
            "INSERT OR IGNORE INTO period (code, kind, year, quarter, start_date, end_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                period.code,
                period.kind,
                period.year,
                period.quarter,
                period.start.isoformat(),
                period.end.isoformat(),
            ),
        )
