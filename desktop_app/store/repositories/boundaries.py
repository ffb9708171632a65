"""Commune boundaries the province imported from GeoJSON (entity ``unit_boundary``,
province-owned reference data: published by the province, sent down to every office)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from desktop_app.domain.geo import Ring, rings_of
from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import OutOfScopeError
from desktop_app.store.reference_rows import read_reference, write_reference
from desktop_app.store.repositories.base import Repository


class BoundaryRepository(Repository):
    """Reads and publishes commune boundaries."""

    def all(self) -> dict[str, list[Ring]]:
        """Unit id → its outer rings, for every boundary held."""
        rows = self.db.execute_sql("SELECT unit_id, geometry FROM unit_boundary WHERE removed = 0")
        return {str(u): rings_of(json.loads(str(g))) for u, g in rows}

    def publish(self, geometries: Mapping[str, Any], *, actor: Actor | None = None) -> int:
        """Set the boundaries of the units in ``geometries`` (GeoJSON geometry dicts, checked
        already); the province only. Returns how many changed."""
        actor = actor or self.store.local_actor()
        name, level, _ = self.unit_row(actor.office_id)
        if level != 1:
            raise OutOfScopeError(unit=name)
        changed = 0
        with self.store.write(actor) as ctx:
            for unit_id, geometry in sorted(geometries.items()):
                self.unit_row(unit_id)
                text = json.dumps(geometry, sort_keys=True, separators=(",", ":"))
                state: dict[str, Any] = {"unit_id": unit_id, "geometry": text, "removed": 0}
                key = {"unit_id": unit_id}
                old = read_reference(self.db, "unit_boundary", key)
                if old == state:
                    continue
                ref = ctx.log(
                    Entry("unit_boundary", key, actor.office_id, None, state, old, None, "publish")
                )
                write_reference(self.db, "unit_boundary", state, ref.version)
                changed += 1
        return changed
