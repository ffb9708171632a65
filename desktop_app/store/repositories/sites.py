"""The register of sites: BTS towers, post offices, cultural post offices, radio, speakers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError
from desktop_app.store.repositories.base import Repository

ENTITY = "site"
SITE_TYPES = (
    "bts",
    "post_office",
    "cultural_post_office",
    "radio_station",
    "loudspeaker_cluster",
    "public_internet_point",
)
STATUSES = ("active", "planned", "out_of_order")
_COLUMNS = (
    "id, site_type, commune_id, village_id, name, operator, technologies, shared, lat, lon,"
    " status, start_date, end_date, notes, deleted, version, site_code"
)


@dataclass(frozen=True)
class Site:
    """One site of the register."""

    id: str
    site_type: str
    commune_id: str
    village_id: str | None
    name: str
    operator: str
    technologies: tuple[str, ...]
    shared: bool
    lat: float | None
    lon: float | None
    status: str
    start_date: str | None
    end_date: str | None
    notes: str
    deleted: bool = False
    version: str = ""
    site_code: str = ""  # the operator's own code, from an imported list


def _from_row(r: tuple[Any, ...]) -> Site:
    techs = tuple(t for t in str(r[6]).split("|") if t)
    return Site(
        r[0],
        r[1],
        r[2],
        r[3],
        r[4],
        r[5],
        techs,
        bool(r[7]),
        r[8],
        r[9],
        r[10],
        r[11],
        r[12],
        r[13],
        bool(r[14]),
        r[15],
        r[16],
    )


def _from_state(st: dict[str, Any]) -> Site:
    """A site from its logged state (a change's ``state``, as ``write_site`` reads it)."""
    return Site(
        str(st["id"]),
        str(st["site_type"]),
        str(st["commune_id"]),
        st.get("village_id"),
        str(st["name"]),
        str(st["operator"]),
        tuple(st.get("technologies") or ()),
        bool(st.get("shared")),
        st.get("lat"),
        st.get("lon"),
        str(st["status"]),
        st.get("start_date"),
        st.get("end_date"),
        str(st.get("notes") or ""),
        bool(st.get("deleted")),
        "",
        str(st.get("site_code") or ""),
    )


class SiteRepository(Repository):
    """Reads and writes the site register."""

    def find(self, commune_id: str | None = None, *, site_type: str | None = None) -> list[Site]:
        """Sites (not deleted) of a commune, or of the whole database, by type and name."""
        sql = f"SELECT {_COLUMNS} FROM site WHERE deleted = 0"
        args: list[Any] = []
        if commune_id is not None:
            sql += " AND commune_id = ?"
            args.append(commune_id)
        if site_type is not None:
            sql += " AND site_type = ?"
            args.append(site_type)
        rows = self.db.execute_sql(sql + " ORDER BY site_type, name, id", args).fetchall()
        return [_from_row(r) for r in rows]

    def as_of(self, locks: Mapping[str, int]) -> dict[str, list[Site]]:
        """Commune → its sites (not deleted) as they stood at the commune's time in
        ``locks`` (when its period was locked), rebuilt from the change log in one pass
        and ordered as :meth:`find` orders them; a commune the log holds no site of up
        to then is left out."""
        import json

        pending = sorted((hlc, commune) for commune, hlc in locks.items())
        by_commune: dict[str, dict[str, dict[str, Any]]] = {}
        where: dict[str, str] = {}  # site id → the commune its latest state names
        out: dict[str, list[Site]] = {}

        def snapshot(upto: int) -> None:
            while pending and pending[0][0] < upto:
                _hlc, commune = pending.pop(0)
                states = by_commune.get(commune)
                if states:
                    sites = [_from_state(st) for st in states.values()]
                    alive = [s for s in sites if not s.deleted]
                    out[commune] = sorted(alive, key=lambda s: (s.site_type, s.name, s.id))

        for key, state, hlc in self.db.execute_sql(
            "SELECT entity_key, state, hlc FROM change WHERE entity = 'site' ORDER BY hlc, id"
        ):
            snapshot(int(hlc))  # the locks before this change; a lock at hlc sees it
            sid = str(json.loads(key)["id"])
            before = where.pop(sid, None)
            if before is not None:
                by_commune[before].pop(sid, None)
            if state:
                st = json.loads(state)
                where[sid] = str(st["commune_id"])
                by_commune.setdefault(where[sid], {})[sid] = st
            if not pending:
                break
        snapshot(1 << 62)
        return out

    def get(self, site_id: str) -> Site | None:
        """One site (even deleted), or None."""
        r = self.db.execute_sql(f"SELECT {_COLUMNS} FROM site WHERE id = ?", (site_id,)).fetchone()
        return None if r is None else _from_row(r)

    def count(self) -> int:
        """How many sites (not deleted) the register holds."""
        return int(self.db.execute_sql("SELECT count(*) FROM site WHERE deleted = 0").fetchone()[0])

    def register_counts(self, commune_id: str) -> dict[tuple[str, str], int]:
        """Active sites counted by (type, operator): compared with the typed counts."""
        out: dict[tuple[str, str], int] = {}
        for site_type, operator, n in self.db.execute_sql(
            "SELECT site_type, operator, count(*) FROM site WHERE commune_id = ? AND deleted = 0"
            " AND status = 'active' GROUP BY site_type, operator",
            (commune_id,),
        ):
            out[(site_type, operator)] = int(n)
        return out

    def _validate(self, site: Site) -> None:
        if site.site_type not in SITE_TYPES:
            raise InvalidValueError(reason=f"unknown site type {site.site_type!r}")
        if site.status not in STATUSES:
            raise InvalidValueError(reason=f"unknown status {site.status!r}")
        if site.lat is not None and not -90 <= site.lat <= 90:
            raise InvalidValueError(reason=f"latitude {site.lat} is out of range")
        if site.lon is not None and not -180 <= site.lon <= 180:
            raise InvalidValueError(reason=f"longitude {site.lon} is out of range")
        if site.village_id is not None:
            row = self.db.execute_sql(
                "SELECT commune_id FROM village WHERE id = ?", (site.village_id,)
            ).fetchone()
            if row is None or row[0] != site.commune_id:
                raise InvalidValueError(reason="the village is not in the site's commune")

    def save(self, site: Site, *, actor: Actor | None = None, on_behalf: bool = False) -> Site:
        """Create or update a site (give ``id=""`` for a new one); ``on_behalf``: an
        import by the province (see :meth:`Repository.check_data_scope`)."""
        actor = actor or self.store.local_actor()
        if not site.id:
            site = replace(site, id=self.store.new_id())
        self.check_data_scope(actor, site.commune_id, on_behalf=on_behalf)
        self._validate(site)
        old = self.get(site.id)
        if old is not None and old.commune_id != site.commune_id:
            self.check_data_scope(actor, old.commune_id, on_behalf=on_behalf)
        state = asdict(site)
        state.pop("version")
        state["technologies"] = list(site.technologies)
        old_state = None
        if old is not None:
            old_state = asdict(old)
            old_state.pop("version")
            old_state["technologies"] = list(old.technologies)
            if old_state == state:
                return old
        action = "create" if old is None else ("delete" if site.deleted else "update")
        with self.store.write(actor) as ctx:
            ref = ctx.log(
                Entry(
                    ENTITY,
                    {"id": site.id},
                    site.commune_id,
                    None,
                    state,
                    old_state,
                    old.version if old else None,
                    action,
                )
            )
            self.db.execute_sql(
                "INSERT OR REPLACE INTO site (id, site_type, commune_id, village_id, name,"
                " operator, technologies, shared, lat, lon, status, start_date, end_date, notes,"
                " deleted, version, hlc, site_code)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    site.id,
                    site.site_type,
                    site.commune_id,
                    site.village_id,
                    site.name,
                    site.operator,
                    "|".join(site.technologies),
                    int(site.shared),
                    site.lat,
                    site.lon,
                    site.status,
                    site.start_date,
                    site.end_date,
                    site.notes,
                    int(site.deleted),
                    ref.version,
                    ref.hlc,
                    site.site_code,
                ),
            )
        saved = self.get(site.id)
        assert saved is not None
        return saved

    def delete(self, site_id: str, *, actor: Actor | None = None) -> Site:
        """Mark a site deleted (kept for history and for sync)."""
        site = self.get(site_id)
        if site is None:
            raise InvalidValueError(reason=f"no site {site_id}")
        return self.save(replace(site, deleted=True), actor=actor)
