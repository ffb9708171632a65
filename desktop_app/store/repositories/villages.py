"""The village register each commune keeps (villages have no official codes)."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

from desktop_app.domain.collation import vi_sort_key
from desktop_app.store.changes import Actor, ChangeRef, Entry
from desktop_app.store.errors import InvalidValueError
from desktop_app.store.repositories.base import Repository

ENTITY = "village"


@dataclass(frozen=True)
class Village:
    """A thôn/bản of a commune."""

    id: str
    commune_id: str
    name: str
    sort_order: int
    active: bool
    demo: bool
    version: str


class VillageRepository(Repository):
    """Reads and writes the village register; a village that has data is never deleted."""

    def for_commune(self, commune_id: str, *, include_inactive: bool = False) -> list[Village]:
        """The commune's villages in register order."""
        sql = (
            "SELECT id, commune_id, name, sort_order, active, demo, version FROM village"
            " WHERE commune_id = ?"
        )
        if not include_inactive:
            sql += " AND active = 1"
        rows = self.db.execute_sql(sql + " ORDER BY sort_order, id", (commune_id,)).fetchall()
        return [Village(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), r[6]) for r in rows]

    def get(self, village_id: str) -> Village | None:
        """One village, or None."""
        r = self.db.execute_sql(
            "SELECT id, commune_id, name, sort_order, active, demo, version FROM village"
            " WHERE id = ?",
            (village_id,),
        ).fetchone()
        return None if r is None else Village(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5]), r[6])

    def count(self, *, active_only: bool = True) -> int:
        """How many villages the database holds."""
        sql = "SELECT count(*) FROM village" + (" WHERE active = 1" if active_only else "")
        return int(self.db.execute_sql(sql).fetchone()[0])

    def sorted_by_name(self, commune_id: str) -> list[Village]:
        """The commune's villages in Vietnamese alphabetical order."""
        return sorted(self.for_commune(commune_id), key=lambda v: vi_sort_key(v.name))

    def _save(self, actor: Actor, village: Village, old: Village | None, action: str) -> ChangeRef:
        state: dict[str, Any] = asdict(village)
        state.pop("version")
        old_state = None
        if old is not None:
            old_state = asdict(old)
            old_state.pop("version")
        with self.store.write(actor) as ctx:
            ref = ctx.log(
                Entry(
                    ENTITY,
                    {"id": village.id},
                    village.commune_id,
                    None,
                    state,
                    old_state,
                    old.version if old else None,
                    action,
                )
            )
            self.db.execute_sql(
                "INSERT INTO village (id, commune_id, name, sort_order, active, demo, version, hlc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " name = excluded.name, sort_order = excluded.sort_order,"
                " active = excluded.active, version = excluded.version, hlc = excluded.hlc",
                (
                    village.id,
                    village.commune_id,
                    village.name,
                    village.sort_order,
                    int(village.active),
                    int(village.demo),
                    ref.version,
                    ref.hlc,
                ),
            )
            return ref

    @staticmethod
    def _clean_name(name: str) -> str:
        name = unicodedata.normalize("NFC", " ".join(name.split()))
        if not name:
            raise InvalidValueError(reason="a village needs a name")
        return name

    def add(
        self,
        commune_id: str,
        name: str,
        *,
        actor: Actor | None = None,
        demo: bool = False,
        village_id: str | None = None,
    ) -> Village:
        """Add a village at the end of the commune's register."""
        actor = actor or self.store.local_actor()
        self.check_data_scope(actor, commune_id)
        name = self._clean_name(name)
        if any(v.name.casefold() == name.casefold() for v in self.for_commune(commune_id)):
            raise InvalidValueError(reason=f"«{name}» is already in the register")
        order = int(
            self.db.execute_sql(
                "SELECT COALESCE(MAX(sort_order), 0) FROM village WHERE commune_id = ?",
                (commune_id,),
            ).fetchone()[0]
        )
        village = Village(
            village_id or self.store.new_id(), commune_id, name, order + 1, True, demo, ""
        )
        self._save(actor, village, None, "create")
        result = self.get(village.id)
        assert result is not None
        return result

    def _update(self, village_id: str, actor: Actor | None, action: str, **changes: Any) -> Village:
        actor = actor or self.store.local_actor()
        old = self.get(village_id)
        if old is None:
            raise InvalidValueError(reason=f"no village {village_id}")
        self.check_data_scope(actor, old.commune_id)
        new = Village(**{**asdict(old), **changes})
        if new == old:
            return old
        self._save(actor, new, old, action)
        result = self.get(village_id)
        assert result is not None
        return result

    def rename(self, village_id: str, name: str, *, actor: Actor | None = None) -> Village:
        """Give a village a new name (its data stays)."""
        return self._update(village_id, actor, "rename", name=self._clean_name(name))

    def set_active(self, village_id: str, active: bool, *, actor: Actor | None = None) -> Village:
        """Deactivate (or bring back) a village; villages are never deleted."""
        return self._update(
            village_id, actor, "activate" if active else "deactivate", active=active
        )

    def reorder(
        self, commune_id: str, village_ids: list[str], *, actor: Actor | None = None
    ) -> None:
        """Put the commune's villages in the given order (one change per moved village)."""
        current = {v.id: v for v in self.for_commune(commune_id, include_inactive=True)}
        if set(village_ids) != set(current):
            raise InvalidValueError(reason="the new order must list every village once")
        for position, village_id in enumerate(village_ids, start=1):
            if current[village_id].sort_order != position:
                self._update(village_id, actor, "reorder", sort_order=position)
