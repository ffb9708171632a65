"""The review queue of hard conflicts, read for the conflicts page, and the decision.

Each open conflict keeps both states (this office's row before the import, and the
one received). For the page they are described in words: what the data is, each
value as the entry grid shows it, which office and user wrote it and when (the
change's hybrid-clock time as a local date), and which one is the provisional
winner. The decision goes through :func:`desktop_app.store.apply.decide_conflict`:
a new change, never a direct write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Indicator, Lang
from desktop_app.domain.hlc import COUNTER_BITS
from desktop_app.domain.periods import Period, periods_for_frequency
from desktop_app.i18n import _, current_language
from desktop_app.store.apply import decide_conflict
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.store.validation import violations_for_write
from desktop_app.sync.status import review_queue
from desktop_app.ui.pages.entry_data import display, sentence
from desktop_app.ui.pages.review_model import state_label
from desktop_app.ui.pages.sites_labels import status_label
from desktop_app.ui.pages.sync_texts import office_name

LOCAL, REMOTE, OTHER = "local", "remote", "other"


@dataclass(frozen=True)
class Side:
    """One of the two states a conflict keeps."""

    side: str  # LOCAL (this office's row before the import) or REMOTE (received)
    state: dict[str, Any] | None
    shown: str  # the value in words
    office: str
    user: str
    when: str
    winner: bool


@dataclass(frozen=True)
class OpenConflict:
    """An open hard conflict, ready to show."""

    id: int
    entity: str
    what: str
    commune_id: str
    commune: str
    period: str  # code ("" for data without a period)
    raised: str
    local: Side
    remote: Side
    indicator: Indicator | None  # for a value: what the reviewer may type

    def side(self, which: str) -> Side:
        """``local`` or ``remote``."""
        return self.local if which == LOCAL else self.remote


def _db(store: Store) -> Any:
    return store.db


def hlc_text(hlc: int) -> str:
    """A hybrid-clock time as the local date and time: "10/04/2019 09:00"."""
    return datetime.fromtimestamp((hlc >> COUNTER_BITS) / 1000).strftime("%d/%m/%Y %H:%M")


def local_time_text(iso: str) -> str:
    """An ISO time from the store as the local date and time (the text itself if unreadable)."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d/%m/%Y %H:%M")
    except ValueError:
        return iso


def _author(store: Store, version: str | None) -> tuple[str, str, str]:
    """(office, user, when) of the change named by ``version``."""
    if not version:
        return "—", "—", "—"
    origin, epoch, seq = version.rsplit("/", 2)
    row = (
        _db(store)
        .execute_sql(
            "SELECT c.user, c.hlc, COALESCE(n.office_id, ?) FROM change c"
            " LEFT JOIN sync_node n ON n.node_id = c.origin"
            " WHERE c.origin = ? AND c.epoch = ? AND c.seq = ?",
            ("" if origin != store.node.node_id else store.node.office_id, origin, epoch, seq),
        )
        .fetchone()
    )
    if row is None:
        return "—", "—", "—"
    user, hlc, office = row
    return (office_name(store, str(office)) if office else "—"), str(user), hlc_text(int(hlc))


def _field_text(key: str, value: object) -> str:
    labels = {"name": _("Name"), "status": _("Status"), "notes": _("Notes"), "active": _("In use")}
    if key == "status" and isinstance(value, str):
        value = status_label(value)
    if isinstance(value, bool):
        value = _("Yes") if value else _("No")
    return f"{labels.get(key, key)}: {value}"


def describe(
    store: Store,
    entity: str,
    state: dict[str, Any] | None,
    other: dict[str, Any] | None,
) -> str:
    """A state in words; for rows, the fields that differ from ``other``."""
    if state is None or state.get("deleted"):
        return _("(deleted)")
    if entity == "value":
        indicator = store.catalogue.indicators.get(str(state.get("indicator")))
        text = state.get("value")
        if text is None:
            shown = _("(empty)")
        elif indicator is None:
            shown = str(text)
        else:
            shown = display(store.catalogue, indicator, str(text))
        comment = str(state.get("comment") or "")
        return f"{shown}  ({comment})" if comment else shown
    if entity == "submission":
        return state_label(str(state.get("state")))
    other = other or {}
    differing = [k for k in sorted(state) if state.get(k) != other.get(k)]
    return "; ".join(_field_text(k, state[k]) for k in differing) or _("(same fields)")


def _what(store: Store, entity: str, state: dict[str, Any]) -> str:
    lang: Lang = "vi" if current_language() == "vi" else "en"
    if entity == "value":
        indicator = store.catalogue.indicators.get(str(state.get("indicator")))
        name = indicator.name(lang) if indicator else str(state.get("indicator"))
        disagg = str(state.get("disagg") or "")
        if disagg and indicator is not None:
            name += " – " + store.catalogue.disaggregation_label(indicator.code, disagg, lang)
        org = str(state.get("org_id") or "")
        village = store.villages.get(org) if org != state.get("commune_id") else None
        return f"{name} — {village.name}" if village is not None else name
    if entity == "site":
        return _("Site: {name}").format(name=state.get("name", "?"))
    if entity == "village":
        return _("Village: {name}").format(name=state.get("name", "?"))
    if entity == "submission":
        return _("Report state")
    return entity


def open_conflicts(store: Store) -> list[OpenConflict]:
    """The open conflicts of the review queue, oldest first."""
    out: list[OpenConflict] = []
    for conflict_id, _entity, _key, _winner in review_queue(store):
        row = (
            _db(store)
            .execute_sql(
                "SELECT entity, local_version, remote_version, local_state, remote_state, winner,"
                " created_at FROM conflict WHERE id = ?",
                (conflict_id,),
            )
            .fetchone()
        )
        entity, lv, rv, ls, rs, winner, created = row
        local = None if ls is None else dict(json.loads(ls))
        remote = None if rs is None else dict(json.loads(rs))
        sample = remote or local or {}
        commune_id = str(sample.get("commune_id") or sample.get("unit_id") or "")
        sides = []
        for side, version, state, other in (
            (LOCAL, lv, local, remote),
            (REMOTE, rv, remote, local),
        ):
            office, user, when = _author(store, version)
            sides.append(
                Side(
                    side,
                    state,
                    describe(store, entity, state, other),
                    office,
                    user,
                    when,
                    bool(version) and winner == version,
                )
            )
        indicator = None
        if entity == "value" and remote is not None:
            indicator = store.catalogue.indicators.get(str(remote.get("indicator")))
        out.append(
            OpenConflict(
                int(conflict_id),
                str(entity),
                _what(store, str(entity), sample),
                commune_id,
                office_name(store, commune_id) if commune_id else "—",
                str(sample.get("period") or ""),
                local_time_text(str(created)),
                sides[0],
                sides[1],
                indicator,
            )
        )
    return out


def may_decide(store: Store, conflict: OpenConflict) -> bool:
    """Only the office above the commune (or the province) decides its conflicts."""
    office = store.reference.unit(store.node.office_id)
    if office.level == 1:
        return True
    try:
        return store.reference.unit(conflict.commune_id).parent_id == office.id
    except StoreError:
        return False


# --- the typed value ---


class RefusedValue(Exception):
    """What the reviewer typed cannot be the decision; the message says why."""


def typed_state(store: Store, conflict: OpenConflict, text: str) -> dict[str, Any]:
    """The value the reviewer typed, parsed and checked like data entry, as a row state."""
    indicator = conflict.indicator
    base = conflict.remote.state or conflict.local.state
    if indicator is None or base is None:
        raise RefusedValue(_("Only a data value can be typed; choose one of the two."))
    lang_vi = current_language() == "vi"
    try:
        value = typed.parse_input(indicator, text, store.catalogue)
    except typed.ValueInputError as exc:
        raise RefusedValue(exc.message_vi if lang_vi else exc.message_en) from exc
    period = periods_for_frequency(indicator.frequency, Period.parse(str(base["period"])))
    write = ValueWrite(
        str(base["commune_id"]),
        base.get("village_id"),
        period.code,
        indicator.code,
        value,
        str(base.get("disagg") or ""),
    )
    errors = [
        sentence(v)
        for v in violations_for_write(store, indicator, write, period, str(base["org_id"]))
        if v.severity == "error"
    ]
    if errors:
        raise RefusedValue(" ".join(errors))
    return dict(base, value=typed.encode(indicator, value))


# --- the decision ---


def decide(
    store: Store,
    conflict: OpenConflict,
    choice: str,
    *,
    user: str,
    comment: str,
    state: dict[str, Any] | None = None,
) -> str:
    """Record the reviewer's decision as a new change, comment included; returns its version.

    ``choice`` is ``local`` or ``remote``, or ``other`` with ``state`` (a typed
    value, see :func:`typed_state`).
    """
    return decide_conflict(store, conflict.id, choice, user=user, state=state, comment=comment)
