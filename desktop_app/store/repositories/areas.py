"""The province's area classifications: decisions and the places each lists.

Province-owned reference data (entities ``area_decision`` and ``area_member``, see
:mod:`desktop_app.store.reference_rows`): only the province's office writes them, every
office reads the ones that came down. A removal is a row marked ``removed``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.domain.areas import AREA_KINDS, Decision
from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.reference_rows import read_reference, write_reference
from desktop_app.store.repositories.base import Repository


@dataclass(frozen=True)
class Member:
    """One place listed by a decision as an area of ``kind``."""

    decision_id: str
    kind: str
    place_id: str


class AreaRepository(Repository):
    """Reads and publishes area classifications."""

    def decisions(self) -> list[Decision]:
        """Every decision not removed, oldest in force first."""
        rows = self.db.execute_sql(
            "SELECT id, title, signed, valid_from, valid_to FROM area_decision"
            " WHERE removed = 0 ORDER BY valid_from, id"
        )
        return [Decision(str(i), str(t), str(s), int(f), None if e is None else int(e))
                for i, t, s, f, e in rows]  # fmt: skip

    def members(self, decision_id: str | None = None) -> list[Member]:
        """The places listed (by one decision, or all), not removed."""
        sql = "SELECT decision_id, kind, place_id FROM area_member WHERE removed = 0"
        args: tuple[Any, ...] = ()
        if decision_id is not None:
            sql += " AND decision_id = ?"
            args = (decision_id,)
        rows = self.db.execute_sql(sql + " ORDER BY decision_id, kind, place_id", args)
        return [Member(str(d), str(k), str(p)) for d, k, p in rows]

    def villages(self) -> dict[str, tuple[str, str]]:
        """Village id → (name, commune id) of every village this office holds."""
        rows = self.db.execute_sql("SELECT id, name, commune_id FROM village")
        return {str(i): (str(n), str(c)) for i, n, c in rows}

    def in_force(self, year: int) -> tuple[list[Decision], dict[str, set[str]]]:
        """The decisions in force in ``year`` and, by place id, the kinds they give it."""
        decisions = [d for d in self.decisions() if d.in_force(year)]
        ids = {d.id for d in decisions}
        kinds: dict[str, set[str]] = {}
        for m in self.members():
            if m.decision_id in ids:
                kinds.setdefault(m.place_id, set()).add(m.kind)
        return decisions, kinds

    def publish(
        self,
        decisions: Sequence[Decision],
        members: Iterable[Member],
        *,
        actor: Actor | None = None,
    ) -> int:
        """Publish ``decisions`` with exactly ``members`` as their places (the province
        only): places a decision listed before and no longer does are marked removed.
        Returns how many rows changed."""
        actor = actor or self.store.local_actor()
        name, level, _ = self.unit_row(actor.office_id)
        if level != 1:
            raise OutOfScopeError(unit=name)
        wanted = {(m.decision_id, m.kind, m.place_id) for m in members}
        ids = {d.id for d in decisions}
        for decision_id, kind, _place in wanted:
            if decision_id not in ids:
                raise InvalidValueError(reason=f"unknown decision {decision_id!r}")
            if kind not in AREA_KINDS:
                raise InvalidValueError(reason=f"unknown area kind {kind!r}")
        states: list[tuple[str, dict[str, Any]]] = []
        for d in decisions:
            state: dict[str, Any] = {"id": d.id, "title": d.title, "signed": d.signed}
            state |= {"valid_from": d.valid_from, "valid_to": d.valid_to, "removed": 0}
            states.append(("area_decision", state))
        marks = ",".join("?" for _ in ids)
        held = set()
        if ids:
            held = {
                (str(a), str(b), str(c))
                for a, b, c in self.db.execute_sql(
                    f"SELECT decision_id, kind, place_id FROM area_member"
                    f" WHERE decision_id IN ({marks})",
                    tuple(ids),
                )
            }
        for decision_id, kind, place in sorted(wanted | held):
            removed = 0 if (decision_id, kind, place) in wanted else 1
            states.append(("area_member", {"decision_id": decision_id, "kind": kind,
                           "place_id": place, "removed": removed}))  # fmt: skip
        return self._write(actor, states)

    def _write(self, actor: Actor, states: list[tuple[str, dict[str, Any]]]) -> int:
        from desktop_app.store.reference_rows import REFERENCE_TABLES

        changed = 0
        with self.store.write(actor) as ctx:
            for entity, state in states:
                key = REFERENCE_TABLES[entity].key_of(state)
                old = read_reference(self.db, entity, key)
                if old == state or (old is None and state.get("removed") == 1):
                    continue
                ref = ctx.log(
                    Entry(entity, key, actor.office_id, None, state, old, None, "publish")
                )
                write_reference(self.db, entity, state, ref.version)
                changed += 1
        return changed
