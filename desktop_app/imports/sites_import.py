"""``coverage-desk import sites``: an operator's or the post's list into the site register.

Each row is matched against the register: by the operator's site code, else by the
nearest site of the same operator and type under :data:`MATCH_METRES`. The plan says
what is new, changed, unchanged, which register sites no row matched (kept: a list
that leaves a site out does not prove it is gone) and which rows could not be read.
:meth:`SitePlan.apply` writes the new and changed sites in ONE transaction through
``store.sites.save``, after an automatic backup.

Ownership. A commune office imports its own commune's rows. The province imports
the list of the whole province: each row goes to the commune it names, written by
the province on the commune's behalf. Every receiver accepts the province's changes
to any data (DESIGN §4), so each commune receives its sites with the province's
next bundle or sync, and the province's next import of the operator's list updates
them by code. A commune may still correct its copy; where both edit one field, the
province's authority wins the conflict as it does for any data. A district cannot
import sites: receivers would quarantine a district's change to a commune's data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from desktop_app.domain.text import fold_diacritics
from desktop_app.i18n import _
from desktop_app.imports.coordinates import distance_m, parse_degrees, split_pair
from desktop_app.imports.errors import NotAllowedError
from desktop_app.imports.sites_table import Table, read_table
from desktop_app.store.repositories.sites import SITE_TYPES, Site
from desktop_app.store.store import Store

MATCH_METRES = 100.0
# Closer than this is the same position written another way (seconds rounded in DMS).
SAME_PLACE_METRES = 1.0
# Viet Nam with a margin: a point outside is a typo or latitude and longitude swapped.
_LAT_RANGE = (8.0, 24.0)
_LON_RANGE = (102.0, 110.0)
_BUCKET = 0.002  # degrees (about 220 m): sites are looked for in the 3×3 buckets around

_TYPE_WORDS = {
    "bts": "bts", "tram bts": "bts", "tram phat song": "bts", "tram thu phat song": "bts",
    "tram": "bts", "vi tri bts": "bts",
    "buu cuc": "post_office", "post office": "post_office", "buu dien": "post_office",
    "diem buu dien van hoa xa": "cultural_post_office", "bdvhx": "cultural_post_office",
    "diem bdvhx": "cultural_post_office", "cultural post office": "cultural_post_office",
    "dai truyen thanh": "radio_station", "dai truyen thanh xa": "radio_station",
    "radio station": "radio_station",
    "cum loa": "loudspeaker_cluster", "cum loa truyen thanh": "loudspeaker_cluster",
    "loudspeaker cluster": "loudspeaker_cluster",
    "diem internet": "public_internet_point", "diem truy nhap internet cong cong":
    "public_internet_point", "public internet point": "public_internet_point",
}  # fmt: skip
_OPERATOR_WORDS = {"vinaphone": "vnpt", "vnpt vinaphone": "vnpt", "mobi": "mobifone",
                   "vietnam mobile": "vietnamobile", "viettel telecom": "viettel"}  # fmt: skip
_STATUS_WORDS = {
    "": "active", "hoat dong": "active", "dang hoat dong": "active", "active": "active",
    "tot": "active", "phat song": "active", "on air": "active",
    "quy hoach": "planned", "du kien": "planned", "planned": "planned", "dang xay dung": "planned",
    "hong": "out_of_order", "ngung": "out_of_order", "ngung hoat dong": "out_of_order",
    "mat lien lac": "out_of_order", "out of order": "out_of_order", "off air": "out_of_order",
}  # fmt: skip
_YES = {"co", "x", "yes", "y", "1", "true", "dung chung"}


@dataclass(frozen=True)
class Unreadable:
    """A row that could not be read, and why."""

    row: int
    reason: str

    def line(self) -> str:
        """One line for the user."""
        return _("Row {row}: {reason}").format(row=self.row, reason=self.reason)


@dataclass
class SitePlan:
    """What importing a list would do; nothing is written until :meth:`apply`."""

    path: Path
    on_behalf: bool
    new: list[Site] = field(default_factory=list)
    changed: list[tuple[Site, Site]] = field(default_factory=list)
    unchanged: list[Site] = field(default_factory=list)
    unmatched: list[Site] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    by_code: int = 0
    by_distance: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """The preview's counts in one line."""
        return _(
            "{new} new, {changed} changed, {unchanged} unchanged, {unmatched} in the register "
            "but not in the list, {unreadable} row(s) not read."
        ).format(
            new=len(self.new),
            changed=len(self.changed),
            unchanged=len(self.unchanged),
            unmatched=len(self.unmatched),
            unreadable=len(self.unreadable),
        )

    def apply(self, store: Store, *, backup: bool = True) -> int:
        """Write the new and changed sites in one transaction; return how many."""
        sites = self.new + [after for _before, after in self.changed]
        if not sites:
            return 0
        if backup and store.path is not None:
            from desktop_app.store.backup import auto_backup

            auto_backup(store.path, reason="before-import")
        actor = store.local_actor()
        with store.transaction():
            for site in sites:
                store.sites.save(site, actor=actor, on_behalf=self.on_behalf)
        return len(sites)


class _Places:
    """The communes an office may import into, found by code or by name."""

    def __init__(self, store: Store, office_id: str) -> None:
        self.communes = store.reference.communes_under(office_id)
        self.structure = office_id.split(":")[0]
        self.by_key: dict[str, str] = {}
        for c in self.communes:
            for key in (c.id, c.code, fold_diacritics(c.name), fold_diacritics(c.short_name)):
                self.by_key.setdefault(key, c.id)
        self.villages: dict[str, dict[str, str]] = {}
        for c in self.communes:
            self.villages[c.id] = {
                fold_diacritics(v.name): v.id for v in store.villages.for_commune(c.id)
            }

    def commune(self, text: str) -> str | None:
        folded = fold_diacritics(text)
        code = folded.split(":")[-1].zfill(5) if folded.replace(":", "").isalnum() else folded
        return self.by_key.get(folded) or self.by_key.get(code)

    def village(self, commune_id: str, text: str) -> str | None:
        if not text:
            return None
        villages = self.villages.get(commune_id, {})
        folded = fold_diacritics(text)
        for prefix in ("", "ban ", "thon ", "tieu khu ", "to dan pho "):
            found = villages.get(prefix + folded)
            if found:
                return found
        return None


def _operators(store: Store) -> dict[str, str]:
    out = dict(_OPERATOR_WORDS)
    for member in store.catalogue.dimensions.get("operator", ()):
        for label in (member.code, member.name_vi, member.name_en):
            out[" ".join(fold_diacritics(label).replace("-", " ").split())] = member.code
    return out


def _technologies(store: Store, text: str) -> tuple[str, ...]:
    known = [m.code for m in store.catalogue.dimensions.get("technology", ())]
    folded = fold_diacritics(text)
    return tuple(code for code in known if code in folded.replace(" ", ""))


class _Nearby:
    """Register sites bucketed by position, to find the nearest in a few lookups."""

    def __init__(self, sites: Iterable[Site]) -> None:
        self.buckets: dict[tuple[int, int], list[Site]] = {}
        for s in sites:
            if s.lat is not None and s.lon is not None:
                self.buckets.setdefault(self._key(s.lat, s.lon), []).append(s)

    @staticmethod
    def _key(lat: float, lon: float) -> tuple[int, int]:
        return int(lat // _BUCKET), int(lon // _BUCKET)

    def nearest(self, lat: float, lon: float, ok: object) -> tuple[Site, float] | None:
        assert callable(ok)
        kx, ky = self._key(lat, lon)
        best: tuple[Site, float] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for s in self.buckets.get((kx + dx, ky + dy), ()):
                    assert s.lat is not None and s.lon is not None
                    d = distance_m(lat, lon, s.lat, s.lon)
                    if d < MATCH_METRES and ok(s) and (best is None or d < best[1]):
                        best = (s, d)
        return best


def plan_sites_import(
    store: Store,
    path: Path,
    *,
    operator: str | None = None,
    site_type: str | None = None,
    mapping: Path | None = None,
) -> SitePlan:
    """Read a list and match it against the register; nothing is written."""
    office = store.reference.unit(store.node.office_id)
    if office.level == 2:
        raise NotAllowedError(
            detail=_(
                "a district office cannot import sites: each commune imports its own, "
                "or the province imports the whole province's list"
            )
        )
    codes = [m.code for m in store.catalogue.dimensions.get("operator", ())]
    if operator is not None and operator not in codes:
        raise NotAllowedError(
            detail=_("unknown operator {operator} (known: {known})").format(
                operator=operator, known=", ".join(codes)
            )
        )
    if site_type is not None and site_type not in SITE_TYPES:
        raise NotAllowedError(
            detail=_("unknown site type {type} (known: {known})").format(
                type=site_type, known=", ".join(SITE_TYPES)
            )
        )
    table = read_table(Path(path), mapping)
    plan = SitePlan(Path(path), on_behalf=office.level == 1, notes=list(table.notes))
    places = _Places(store, office.id)
    operators = _operators(store)
    covered = {c.id for c in places.communes}
    register = [s for s in store.sites.find() if s.commune_id in covered]
    by_code = {(s.operator, s.site_code): s for s in register if s.site_code}
    nearby = _Nearby(register)
    claimed: dict[str, int] = {}
    seen_kinds: set[tuple[str, str]] = set()
    for number, row in table.rows:
        parsed = _read_row(store, table, row, places, operators, operator, site_type, office.level)
        if isinstance(parsed, str):
            plan.unreadable.append(Unreadable(number, parsed))
            continue
        site = parsed
        seen_kinds.add((site.site_type, site.operator))
        match = by_code.get((site.operator, site.site_code)) if site.site_code else None
        how = "code" if match else ""
        if match is None and site.lat is not None and site.lon is not None:

            def fits(s: Site, new: Site = site) -> bool:
                return (
                    s.operator == new.operator
                    and s.site_type == new.site_type
                    and s.site_code in ("", new.site_code)
                    and s.id not in claimed
                )

            found = nearby.nearest(site.lat, site.lon, fits)
            if found is not None:
                match, how = found[0], "distance"
        if match is None:
            plan.new.append(site)
            continue
        if match.id in claimed:
            plan.unreadable.append(
                Unreadable(number, _("the same site as row {row}").format(row=claimed[match.id]))
            )
            continue
        claimed[match.id] = number
        if how == "code":
            plan.by_code += 1
        else:
            plan.by_distance += 1
        updated = _merge(match, site, row)
        if updated == match:
            plan.unchanged.append(match)
        else:
            plan.changed.append((match, updated))
    plan.unmatched = [
        s for s in register if s.id not in claimed and (s.site_type, s.operator) in seen_kinds
    ]
    return plan


def _merge(old: Site, new: Site, row: dict[str, str]) -> Site:
    """``old`` with what the list says (a field the list leaves blank keeps its value)."""
    changes: dict[str, object] = {}
    # A name differing only in case is the same name: TCVN3 cannot write a capital
    # with a tone ("Ít Ong" comes back "ít Ong"), and some lists are all capitals.
    if row.get("name") and new.name.casefold() != old.name.casefold():
        changes["name"] = new.name
    if new.site_code and not old.site_code:
        changes["site_code"] = new.site_code
    if new.lat is not None and new.lon is not None:
        same = (
            old.lat is not None
            and old.lon is not None
            and distance_m(old.lat, old.lon, new.lat, new.lon) < SAME_PLACE_METRES
        )
        if not same:
            changes["lat"], changes["lon"] = new.lat, new.lon
    if row.get("commune"):
        changes["commune_id"] = new.commune_id
        changes["village_id"] = (
            new.village_id if new.commune_id != old.commune_id else old.village_id
        )
    if new.village_id is not None:
        changes["village_id"] = new.village_id
    if row.get("technologies"):
        changes["technologies"] = new.technologies
    if row.get("status"):
        changes["status"] = new.status
    if row.get("shared"):
        changes["shared"] = new.shared
    if row.get("notes"):
        changes["notes"] = new.notes
    return replace(old, **changes)  # type: ignore[arg-type]


def _read_row(
    store: Store,
    table: Table,
    row: dict[str, str],
    places: _Places,
    operators: dict[str, str],
    operator: str | None,
    site_type: str | None,
    level: int,
) -> Site | str:
    """The row as a site to save (id empty), or why it cannot be read."""
    kind = site_type
    if kind is None and row.get("type"):
        kind = _TYPE_WORDS.get(fold_diacritics(row["type"]))
        if kind is None:
            return _("unknown site type «{value}»").format(value=row["type"])
    op = operator
    if op is None and row.get("operator"):
        op = operators.get(" ".join(fold_diacritics(row["operator"]).replace("-", " ").split()))
        if op is None:
            return _("unknown operator «{value}»").format(value=row["operator"])
    if kind is None:
        kind = "bts" if op else None
    if kind is None or kind not in SITE_TYPES:
        return _("the site type is missing (give --type or a «Loại» column)")
    lat = lon = None
    lat_text, lon_text = row.get("lat", ""), row.get("lon", "")
    if not (lat_text or lon_text) and row.get("coordinates"):
        pair = split_pair(row["coordinates"])
        if pair is None:
            return _("coordinates «{value}» cannot be read").format(value=row["coordinates"])
        lat_text, lon_text = pair
    if lat_text or lon_text:
        lat, lon = parse_degrees(lat_text), parse_degrees(lon_text)
        if lat is None or lon is None:
            return _("coordinates «{lat}», «{lon}» cannot be read").format(
                lat=lat_text, lon=lon_text
            )
        if not (_LAT_RANGE[0] <= lat <= _LAT_RANGE[1] and _LON_RANGE[0] <= lon <= _LON_RANGE[1]):
            return _("{lat}, {lon} is not in Viet Nam (latitude and longitude swapped?)").format(
                lat=round(lat, 5), lon=round(lon, 5)
            )
    code = row.get("code", "")
    if not code and lat is None:
        return _("neither a site code nor coordinates")
    commune_text = row.get("commune", "")
    if commune_text:
        commune_id = places.commune(commune_text)
        if commune_id is None:
            return _("«{value}» is not a commune of this office").format(value=commune_text)
    elif level == 3:
        commune_id = places.communes[0].id
    else:
        return _("the commune is missing (the province's list needs a «Xã» column)")
    status = _STATUS_WORDS.get(fold_diacritics(row.get("status", "")))
    if status is None:
        return _("unknown status «{value}»").format(value=row["status"])
    name = row.get("name") or " ".join(
        p for p in (kind.upper() if kind == "bts" else "", op or "", code) if p
    )
    return Site(
        id="",
        site_type=kind,
        commune_id=commune_id,
        village_id=places.village(commune_id, row.get("village", "")),
        name=name,
        operator=op or "",
        technologies=_technologies(store, row.get("technologies", "")) if kind == "bts" else (),
        shared=fold_diacritics(row.get("shared", "")) in _YES,
        lat=lat,
        lon=lon,
        status=status,
        start_date=None,
        end_date=None,
        notes=row.get("notes", ""),
        site_code=code,
    )
