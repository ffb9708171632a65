"""Where each (commune, period) stands on its way to the province, and the sync warnings.

The states come from :func:`desktop_app.sync.status.period_sync_state`; this module
lists the pairs this office holds data for, colours the states and puts the
warnings (gaps, clocks far ahead, refused changes) into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.domain.periods import Period, PeriodError
from desktop_app.i18n import _, current_language
from desktop_app.store.store import Store
from desktop_app.sync.status import (
    ACKNOWLEDGED,
    EXPORTED,
    NOT_SENT,
    NOTHING,
    RECEIVED,
    REJECTED,
    PeriodSyncState,
    period_sync_state,
    sync_warnings,
)
from desktop_app.ui.pages.sync_texts import office_of_node

# Light backgrounds with dark text; the state is always written too, never colour alone.
SYNC_COLOURS = {
    NOTHING: "#f4f4f4",
    NOT_SENT: "#ffe2b8",
    EXPORTED: "#cfe0ff",
    RECEIVED: "#d9ecc0",
    ACKNOWLEDGED: "#8fd19e",
    REJECTED: "#ffb3b3",
}


def _db(store: Store) -> Any:
    return store.db  # peewee leaves execute_sql untyped


def warning_lines(store: Store) -> list[str]:
    """The sync warnings a clerk should act on, one sentence each (at most six)."""
    lines: list[str] = []
    seen: set[tuple[str, str]] = set()
    for warning in sync_warnings(store):
        if (warning.kind, warning.node_id) in seen:
            continue
        seen.add((warning.kind, warning.node_id))
        office = office_of_node(store, warning.node_id) if warning.node_id else ""
        if warning.kind == "backlog":
            n = _db(store).execute_sql("SELECT count(*) FROM sync_backlog").fetchone()[0]
            lines.append(
                _(
                    "Changes waiting for a missing earlier bundle: {n}. Import the older "
                    "bundles too."
                ).format(n=n)
            )
        elif warning.kind == "gap":
            lines.append(
                _("A bundle from {office} is missing: its later changes wait.").format(
                    office=office
                )
            )
        elif warning.kind == "clock_skew":
            lines.append(
                _(
                    "The clock of {office} is more than a day ahead: check the date on that "
                    "computer."
                ).format(office=office)
            )
        elif warning.kind == "quarantine":
            lines.append(
                _("Changes from {office} were refused: {detail}").format(
                    office=office, detail=warning.detail
                )
            )
        else:
            lines.append(f"{office}: {warning.detail}")
    return lines[:6]


# --- sync state of each (commune, period) ---


@dataclass(frozen=True)
class StateRow:
    """One line of the sync state list."""

    commune: str
    period: str
    state: PeriodSyncState


def period_label(code: str) -> str:
    """ "Quý 2/2019" or "Q2 2019"; the code itself when it is not a period."""
    try:
        return Period.parse(code).label(current_language())
    except PeriodError:
        return code


def state_rows(store: Store) -> list[StateRow]:
    """Every (commune, period) of this office that has data, newest period first."""
    communes = {u.id: u.name for u in store.reference.communes_under(store.node.office_id)}
    pairs = [
        (str(u), str(p))
        for u, p in _db(store).execute_sql(
            "SELECT DISTINCT scope_unit, period FROM change WHERE period IS NOT NULL"
        )
        if str(u) in communes
    ]

    pairs.sort()  # communes in code order within each period (the sort below is stable)
    pairs.sort(key=lambda pair: pair[1], reverse=True)
    rows = []
    for unit, period in pairs:
        rows.append(
            StateRow(communes[unit], period_label(period), period_sync_state(store, unit, period))
        )
    return rows
