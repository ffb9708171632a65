"""Where each (commune, period) stands on its way to the province, and the sync warnings.

The states come from :func:`desktop_app.sync.status.period_sync_state`; this module
lists the pairs this office holds data for, colours the states and puts the
warnings (gaps, clocks far ahead, refused changes) into sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from desktop_app.i18n import _
from desktop_app.store.store import Store
from desktop_app.sync.status import (
    ACKNOWLEDGED,
    EXPORTED,
    NOT_SENT,
    NOTHING,
    RECEIVED,
    REJECTED,
    PeriodStatus,
    period_label,
    period_statuses,
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
        if warning.kind == "taken_back":
            # the log's record ("epoch …: 4 changes after seq 2 taken back …", the stored
            # sentence in the language of that day): the page's "Changes held apart" box
            # says it in words, in the current language
            continue
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
    status: PeriodStatus

    @property
    def colour(self) -> str:
        """The row's background (a returned period shows like a rejected one)."""
        return SYNC_COLOURS[REJECTED if self.status.returned else self.status.sync.state]


def state_rows(store: Store) -> list[StateRow]:
    """Every (commune, period) of this office that has data, newest period first."""
    communes = {u.id: u.name for u in store.reference.communes_under(store.node.office_id)}
    return [
        StateRow(communes[s.commune_id], period_label(s.period), s)
        for s in period_statuses(store, communes=set(communes))
        if s.sync.state != NOTHING or s.submission != "draft"
    ]
