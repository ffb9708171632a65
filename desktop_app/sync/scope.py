"""Authorisation of each received change against its signer's certificate (DESIGN §4).

* a commune writes only its own commune's values, villages and sites, and
  submits its own periods;
* a district reviews (approves or returns) its communes' periods, decides
  conflicts of its communes, and writes its own data;
* the province writes everything: reference data, targets, acceptances,
  decisions.

A change out of scope is quarantined and reported back; the rest is applied.
"""

from __future__ import annotations

import json
import re
from typing import Any

from desktop_app.store.apply import Change, Signer
from desktop_app.store.reference_rows import PUBLISHED_META, REFERENCE_TABLES
from desktop_app.store.reform import taken_over
from desktop_app.store.store import Store
from desktop_app.sync.codec import SegmentRow

DATA_ENTITIES = ("value", "village", "site")
KNOWN_ENTITIES = (*DATA_ENTITIES, "submission", "decision", "target", *REFERENCE_TABLES)

#: Why :meth:`Authoriser.reason` refuses a change, as ``sync_quarantine`` stores it and the
#: office reports it back: English, never translated, and never to be reworded (the text
#: travels to other offices and older versions read it). :func:`reason_key` reads a stored
#: text back to its key (:func:`desktop_app.sync.status.held_apart` groups the quarantine
#: by it).
REASONS: dict[str, str] = {
    "unknown_entity": "unknown kind of change {entity}",
    "unknown_unit": "unknown unit {unit}",
    "reference": "only the province publishes reference data ({office})",
    "meta": "the province may not set {key}",
    "data": "{office} may not write data of {owner}",
    "move_row": "{office} may not move a row into {commune}",
    "submission": "{office} may not move {unit} {period} to {target}",
    "decision": "{office} may not decide conflicts of {unit}",
    "target": "only the province sets targets ({office})",
}
#: the reasons that refuse a change as out of its signer's scope; the others name a change
#: this version cannot place (a kind or a unit it does not know)
SCOPE_REASONS = frozenset(REASONS) - {"unknown_entity", "unknown_unit"}


def _why(name: str, /, **params: object) -> str:
    """The reason ``name`` of :data:`REASONS` with its ``params`` (``key`` among them)."""
    return REASONS[name].format(**params)


def _pattern(template: str) -> re.Pattern[str]:
    """A template of :data:`REASONS` as a pattern of the whole text (any placeholder: any text)."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile("(?s)" + "(.*)".join(re.escape(p) for p in parts))


_PATTERNS = {key: _pattern(template) for key, template in REASONS.items()}


def reason_key(text: str) -> str | None:
    """The key of :data:`REASONS` that wrote ``text``, or None (another reason)."""
    return next((k for k, p in _PATTERNS.items() if p.fullmatch(text)), None)


def is_scope_reason(text: str) -> bool:
    """Whether ``text`` is a refusal of a change as out of its signer's scope."""
    return reason_key(text) in SCOPE_REASONS


def _loads(state: str) -> dict[str, Any]:
    """A state text as a dict ({} when it is not one)."""
    try:
        doc = json.loads(state)
    except ValueError:
        return {}
    return doc if isinstance(doc, dict) else {}


class Authoriser:
    """Callable ``(change, signer) -> reason or None`` over one database's units."""

    def __init__(self, store: Store) -> None:
        self.parents: dict[str, str | None] = {
            str(i): (None if p is None else str(p))
            for i, p in store.db.execute_sql("SELECT id, parent_id FROM unit")
        }
        # the receiver's own record of each village's commune: the proof of a row's owner
        self.villages: dict[str, str] = {
            str(i): str(c) for i, c in store.db.execute_sql("SELECT id, commune_id FROM village")
        }
        # a 2025 commune's office also writes the pre-2025 communes it took over (reform)
        self.taken: dict[str, set[str]] = taken_over(store)

    @classmethod
    def over(
        cls, parents: dict[str, str | None], villages: dict[str, str] | None = None
    ) -> Authoriser:
        """An authoriser over a unit tree held elsewhere (unit → parent; the server's) and
        that receiver's record of each village's commune (village → commune)."""
        auth = cls.__new__(cls)
        auth.parents = parents
        auth.villages = {} if villages is None else villages
        auth.taken = {}
        return auth

    def __call__(
        self, change: Change, signer: Signer, state: dict[str, Any] | None = None
    ) -> str | None:
        """Why the change is refused, or None when its signer may write it."""
        if state is None and change.entity in KNOWN_ENTITIES:
            state = change.parsed
            if state is None:
                state = json.loads(change.state) if change.state else {}
        return self.reason(change.entity, change.scope_unit, change.period, state or {}, signer)

    def rows(self, rows: list[SegmentRow], signer: Signer) -> list[str | None]:
        """Why each change of a segment read as rows is refused (None: allowed).

        A data value carried by its fields (state None) is its scope unit's own
        value, so its answer is the same for every such row of one unit and
        period: asked once; so is a village's value carried as its commune and
        village (the same text for every value of that village: the answer
        depends on the village's owner alone, and a village the segment adds
        becomes its signer's, which is what an unknown village is judged as).
        """
        asked: dict[tuple[str, str, str | None, str | None], str | None] = {}
        out: list[str | None] = []
        for entity, unit, period, state in rows:
            if state is None or entity == "value":
                key = (entity, unit, period, state)
                if key in asked:
                    out.append(asked[key])
                    continue
                doc: Any = {"commune_id": unit} if state is None else _loads(state)
                reason = self.reason(entity, unit, period, doc, signer)
                if state is None or doc.keys() == {"commune_id", "village_id"}:
                    asked[key] = reason  # a value carried by its fields: ask once
                out.append(reason)
            else:
                out.append(self.reason(entity, unit, period, _loads(state), signer))
        return out

    def owner(self, entity: str, unit: str, state: dict[str, Any]) -> str:
        """The commune a data row really belongs to, judged on this receiver's villages
        (the scope the change claims is only a hint)."""
        claimed = str(state.get("commune_id") or unit)
        village = state.get("id") if entity == "village" else state.get("village_id")
        known = None if village is None else self.villages.get(str(village))
        if known is not None and known != claimed:
            return known
        return claimed

    def reason(
        self,
        entity: str,
        unit: str,
        period: str | None,
        state: dict[str, Any],
        signer: Signer,
    ) -> str | None:
        """Why a change of ``entity`` in ``unit`` with ``state`` is refused, or None."""
        if entity not in KNOWN_ENTITIES:
            return _why("unknown_entity", entity=entity)
        if unit not in self.parents:
            return _why("unknown_unit", unit=unit)
        if entity in REFERENCE_TABLES:
            if signer.level != 1:
                return _why("reference", office=signer.office_id)
            if entity == "meta" and state.get("key") not in PUBLISHED_META:
                return _why("meta", key=state.get("key"))
            return None
        if signer.level == 1:
            return None
        if entity in DATA_ENTITIES:
            owner = self.owner(entity, unit, state)
            mine = {signer.office_id, *self.taken.get(signer.office_id, ())}
            if unit not in mine or owner not in mine:
                return _why("data", office=signer.office_id, owner=owner)
            moved_to = state.get("commune_id")
            # its own row, into a commune that is not its own (the 2025 reform moves rows
            # of the old communes an office took over into its new commune: both are its)
            if moved_to is not None and str(moved_to) != unit and str(moved_to) not in mine:
                return _why("move_row", office=signer.office_id, commune=moved_to)
            if entity == "village" and state.get("id"):
                self.villages.setdefault(str(state["id"]), unit)  # a new village: the signer's
            return None
        if entity == "submission":
            target = state.get("state")
            mine = {signer.office_id, *self.taken.get(signer.office_id, ())}
            if signer.level == 3 and unit in mine and target == "submitted":
                return None
            if (
                signer.level == 2
                and self.parents.get(unit) == signer.office_id
                and target in ("approved", "returned")
            ):
                return None
            return _why(
                "submission", office=signer.office_id, unit=unit, period=period, target=target
            )
        if entity == "decision":
            if signer.level == 2 and self.parents.get(unit) == signer.office_id:
                return None
            return _why("decision", office=signer.office_id, unit=unit)
        return _why("target", office=signer.office_id)
