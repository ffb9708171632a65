"""The province's coverage-hole programme (entity ``coverage_hole``, province-owned
reference data: only the province's office writes it; every office reads it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from desktop_app.domain.holes import LACKS, STATUSES, Hole
from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.reference_rows import read_reference, write_reference
from desktop_app.store.repositories.base import Repository

COLUMNS = (
    "id", "commune_id", "village_id", "lack", "since", "site_id", "operator", "target_year",
    "funding", "status", "closed_period", "notes",
)  # fmt: skip


class HoleRepository(Repository):
    """Reads and writes the coverage-hole programme."""

    def all(self) -> list[Hole]:
        """Every hole not removed, by commune, village and kind."""
        rows = self.db.execute_sql(
            f"SELECT {', '.join(COLUMNS)} FROM coverage_hole WHERE removed = 0"
            " ORDER BY commune_id, village_id, lack"
        )
        return [Hole(*row) for row in rows]

    def site_names(self) -> dict[str, tuple[str, str]]:
        """Site id → (name, operator) of the register, to name a hole's planned fix."""
        rows = self.db.execute_sql("SELECT id, name, operator FROM site")
        return {str(i): (str(n), str(o)) for i, n, o in rows}

    def save_many(self, holes: Iterable[Hole], *, actor: Actor | None = None) -> int:
        """Create or update holes (the province only), in one transaction; returns how
        many rows changed. Checks the village (of that commune), the kind, the status and
        that a closed hole says when."""
        actor = actor or self.store.local_actor()
        name, level, _ = self.unit_row(actor.office_id)
        if level != 1:
            raise OutOfScopeError(unit=name)
        batch = list(holes)
        for h in batch:
            self.unit_row(h.commune_id)
            row = self.db.execute_sql(
                "SELECT commune_id FROM village WHERE id = ?", (h.village_id,)
            ).fetchone()
            if row is None or str(row[0]) != h.commune_id:
                raise InvalidValueError(reason=f"no village {h.village_id} in {h.commune_id}")
            if h.lack not in LACKS or h.status not in STATUSES:
                raise InvalidValueError(reason=f"{h.lack!r}/{h.status!r}")
            if (h.status == "closed") != (h.closed_period is not None):
                raise InvalidValueError(reason=f"closed hole {h.id} without its period")
        changed = 0
        with self.store.write(actor) as ctx:
            for h in batch:
                state: dict[str, Any] = {**asdict(h), "removed": 0}
                key = {"id": h.id}
                old = read_reference(self.db, "coverage_hole", key)
                if old == state:
                    continue
                ref = ctx.log(
                    Entry("coverage_hole", key, actor.office_id, None, state, old, None, "publish")
                )
                write_reference(self.db, "coverage_hole", state, ref.version)
                changed += 1
        return changed
