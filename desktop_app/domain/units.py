"""Administrative units of Vietnam in the pre-2025 and the 2025 structures.

The 2025 reform abolished districts and reused unit codes (03646 was Phường Chiềng Lề
and is now Phường Tô Hiệu), so a unit is named by structure and code together:
``pre2025:03646``, ``2025:03646``; provinces ``pre2025:14``, ``2025:14``.

Levels: 1 province, 2 district (pre-2025 only), 3 commune, ward, town or special zone.
In the 2025 structure communes hang directly under their province.

Pure: the directory is built from the already-parsed ``units.json`` document (see
``build/make_resources.py``); reading the file is ``desktop_app.units_resource``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.domain.text import fold_diacritics

STRUCTURES: Final = ("pre2025", "2025")
"""The two administrative structures, the default (and the demo's) first."""

PRE2025: Final = "pre2025"
STRUCTURE_2025: Final = "2025"

PROVINCE: Final = 1
DISTRICT: Final = 2
COMMUNE: Final = 3
LEVELS: Final = (PROVINCE, DISTRICT, COMMUNE)

RESOURCE_FORMAT: Final = 1

# GSO codes have a fixed width per level: provinces 2 digits, districts 3, communes 5.
_CODE_LENGTHS: Final = (2, 3, 5)

# Name prefixes that say what kind of unit it is, longest first so that "Thành phố"
# wins over a shorter prefix and "Thị trấn" over "Thị xã" never clash.
_KIND_PREFIXES: Final = (
    "thành phố trung ương",
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "quận",
    "tỉnh",
    "xã",
)


class UnitError(ValueError):
    """A malformed or unknown unit id, or a damaged unit directory."""


def parse_unit_id(unit_id: str) -> tuple[str, str]:
    """Split ``"pre2025:125"`` into ``("pre2025", "125")``.

    Raises ``UnitError`` naming the problem for anything that is not
    ``<structure>:<code>`` with a known structure and a 2-, 3- or 5-digit code.
    """
    if not isinstance(unit_id, str):
        raise UnitError(f"A unit id must be text like 'pre2025:14', not {unit_id!r}")
    structure, colon, code = unit_id.partition(":")
    if not colon:
        raise UnitError(
            f"Unit id {unit_id!r} has no structure: write it as 'pre2025:{unit_id}' "
            f"or '2025:{unit_id}'"
        )
    if structure not in STRUCTURES:
        known = ", ".join(STRUCTURES)
        raise UnitError(f"Unit id {unit_id!r} has an unknown structure {structure!r} ({known})")
    if not code:
        raise UnitError(f"Unit id {unit_id!r} has no code after the colon")
    if not (code.isascii() and code.isdigit()):
        raise UnitError(f"Unit id {unit_id!r}: the code {code!r} must be digits only")
    if len(code) not in _CODE_LENGTHS:
        raise UnitError(
            f"Unit id {unit_id!r}: the code must have 2 (province), 3 (district) or "
            f"5 (commune) digits, with its leading zeros"
        )
    return structure, code


def make_unit_id(structure: str, code: str) -> str:
    """Build and check the id of the unit ``code`` in ``structure``."""
    unit_id = f"{structure}:{code}"
    parse_unit_id(unit_id)
    return unit_id


def _strip_kind_prefix(name: str) -> str:
    lowered = name.casefold()
    for prefix in _KIND_PREFIXES:
        if lowered.startswith(prefix + " "):
            rest = name[len(prefix) + 1 :].strip()
            # "Phường 1", "Quận 3": the number alone is no name.
            if rest and not rest.isdigit():
                return rest
            return name
    return name


class Unit(Frozen):
    """One administrative unit: a province, district or commune in one structure.

    A plain immutable class, not a dataclass, which the window's start would compile
    (:mod:`desktop_app.domain.frozen`).
    """

    __slots__ = ("code", "id", "kind", "level", "name", "parent_id", "structure")
    id: str
    structure: str
    code: str
    name: str
    kind: str
    level: int
    parent_id: str | None

    def __init__(
        self,
        id: str,
        structure: str,
        code: str,
        name: str,
        kind: str,
        level: int,
        parent_id: str | None,
    ) -> None:
        set_field(self, "id", id)
        set_field(self, "structure", structure)
        set_field(self, "code", code)
        set_field(self, "name", name)
        set_field(self, "kind", kind)
        set_field(self, "level", level)
        set_field(self, "parent_id", parent_id)

    @property
    def short_name(self) -> str:
        """The name without its kind: "Huyện Mai Sơn" gives "Mai Sơn".

        Numbered units keep their full name ("Phường 1"), since "1" alone names nothing.
        """
        return _strip_kind_prefix(self.name)

    @property
    def is_province(self) -> bool:
        """True for a province or centrally governed city."""
        return self.level == PROVINCE

    @property
    def is_district(self) -> bool:
        """True for a pre-2025 district, district-level town or city, or urban district."""
        return self.level == DISTRICT

    @property
    def is_commune(self) -> bool:
        """True for a commune, ward, township or special zone."""
        return self.level == COMMUNE


class UnitDirectory:
    """All administrative units of both structures, with their tree and the 2025 lineage.

    Lookups take unit ids (``"pre2025:125"``) and raise ``UnitError`` for malformed or
    unknown ones. Lists of units come in tree order: a unit before its children,
    siblings in the order of the source data (GSO code order).
    """

    def __init__(
        self,
        units: Iterable[Unit],
        sources: Mapping[str, Sequence[str]],
        *,
        version: str,
        source: str = "",
    ) -> None:
        """Index ``units`` and the 2025-commune ``sources``; checks that both are coherent."""
        self._version = version
        self._source = source
        self._units: dict[str, Unit] = {}
        self._children: dict[str, list[str]] = {}
        for unit in units:
            self._add(unit)
        self._sources: dict[str, tuple[str, ...]] = {}
        self._successors: dict[str, list[str]] = {}
        for new_id, old_ids in sources.items():
            new = self.get(new_id)
            if new.structure != STRUCTURE_2025 or new.level != COMMUNE:
                raise UnitError(f"Unit directory: {new_id} has sources but is no 2025 commune")
            for old_id in old_ids:
                old = self.get(old_id)
                if old.structure != PRE2025 or old.level != COMMUNE:
                    raise UnitError(f"Unit directory: source {old_id} of {new_id} is no commune")
                self._successors.setdefault(old_id, []).append(new_id)
            self._sources[new_id] = tuple(old_ids)
        self._folded: dict[str, tuple[str, str]] = {}

    def _add(self, unit: Unit) -> None:
        structure, code = parse_unit_id(unit.id)
        if (structure, code) != (unit.structure, unit.code):
            raise UnitError(
                f"Unit directory: {unit.id} says structure {unit.structure!r}, code {unit.code!r}"
            )
        if unit.id in self._units:
            raise UnitError(f"Unit directory: {unit.id} appears twice")
        if unit.level not in LEVELS or (structure == STRUCTURE_2025 and unit.level == DISTRICT):
            raise UnitError(f"Unit directory: {unit.id} has an impossible level {unit.level}")
        if unit.parent_id is None:
            if unit.level != PROVINCE:
                raise UnitError(f"Unit directory: {unit.id} has no parent")
        else:
            parent = self._units.get(unit.parent_id)
            if parent is None:
                raise UnitError(f"Unit directory: parent {unit.parent_id} of {unit.id} comes later")
            if parent.structure != structure or parent.level >= unit.level:
                raise UnitError(f"Unit directory: {unit.parent_id} cannot contain {unit.id}")
            self._children.setdefault(parent.id, []).append(unit.id)
        self._units[unit.id] = unit

    @classmethod
    def from_resource(cls, document: Mapping[str, Any]) -> UnitDirectory:
        """Build the directory from the parsed ``resources/units/units.json`` document."""
        if not isinstance(document, Mapping):
            raise UnitError("Unit directory: the document is not a JSON object")
        if document.get("format") != RESOURCE_FORMAT:
            raise UnitError(
                f"Unit directory: format {document.get('format')!r} is not supported "
                f"(this version reads format {RESOURCE_FORMAT})"
            )
        try:
            rows = document["units"]
            sources = document.get("sources", {})
            units: list[Unit] = []
            for row in rows:
                unit_id, name, kind, level, parent_id = row
                structure, code = parse_unit_id(unit_id)
                units.append(
                    Unit(
                        id=unit_id,
                        structure=structure,
                        code=code,
                        name=unicodedata.normalize("NFC", str(name)),
                        kind=unicodedata.normalize("NFC", str(kind)),
                        level=int(level),
                        parent_id=None if parent_id is None else str(parent_id),
                    )
                )
            return cls(
                units,
                {str(k): [str(v) for v in vs] for k, vs in sources.items()},
                version=str(document.get("version", "")),
                source=str(document.get("source", "")),
            )
        except UnitError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise UnitError(f"Unit directory: damaged document ({exc!r})") from exc

    # -- whole-directory facts -------------------------------------------------------

    @property
    def version(self) -> str:
        """The data date of the unit list, e.g. ``"2026-09-20"``."""
        return self._version

    @property
    def source(self) -> str:
        """Where the unit list comes from, in words."""
        return self._source

    def __len__(self) -> int:
        return len(self._units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self._units.values())

    def __contains__(self, unit_id: object) -> bool:
        return isinstance(unit_id, str) and unit_id in self._units

    # -- single units ----------------------------------------------------------------

    def get(self, unit_id: str) -> Unit:
        """The unit ``unit_id``; ``UnitError`` if the id is malformed or unknown."""
        unit = self._units.get(unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            parse_unit_id(unit_id)
            raise UnitError(f"Unknown unit: {unit_id}")
        return unit

    def find(self, unit_id: str) -> Unit | None:
        """The unit ``unit_id``, or None if it is unknown (malformed ids still raise)."""
        unit = self._units.get(unit_id)
        if unit is None:
            parse_unit_id(unit_id)
        return unit

    def provinces(self, structure: str = PRE2025) -> tuple[Unit, ...]:
        """The provinces of ``structure``, in code order."""
        if structure not in STRUCTURES:
            raise UnitError(f"Unknown structure {structure!r} ({', '.join(STRUCTURES)})")
        return tuple(
            u for u in self._units.values() if u.structure == structure and u.level == PROVINCE
        )

    # -- the tree --------------------------------------------------------------------

    def children(self, unit_id: str) -> tuple[Unit, ...]:
        """The units directly under ``unit_id`` (districts of a pre-2025 province, ...)."""
        self.get(unit_id)
        return tuple(self._units[c] for c in self._children.get(unit_id, ()))

    def ancestors(self, unit_id: str) -> tuple[Unit, ...]:
        """The units above ``unit_id``, province first, parent last; empty for a province."""
        chain: list[Unit] = []
        parent_id = self.get(unit_id).parent_id
        while parent_id is not None:
            parent = self._units[parent_id]
            chain.append(parent)
            parent_id = parent.parent_id
        chain.reverse()
        return tuple(chain)

    def descendants(self, unit_id: str, level: int | None = None) -> tuple[Unit, ...]:
        """All units below ``unit_id`` in tree order, or only those of ``level``."""
        if level is not None and level not in LEVELS:
            raise UnitError(f"Unknown level {level!r} (1 province, 2 district, 3 commune)")
        self.get(unit_id)
        found: list[Unit] = []
        stack = list(reversed(self._children.get(unit_id, ())))
        while stack:
            unit = self._units[stack.pop()]
            if level is None or unit.level == level:
                found.append(unit)
            stack.extend(reversed(self._children.get(unit.id, ())))
        return tuple(found)

    def province_of(self, unit_id: str) -> Unit:
        """The province ``unit_id`` lies in (the unit itself for a province)."""
        unit = self.get(unit_id)
        while unit.parent_id is not None:
            unit = self._units[unit.parent_id]
        return unit

    def units_of_province(self, province_id: str) -> tuple[Unit, ...]:
        """The province, its districts (pre-2025) and its communes, in tree order."""
        province = self.get(province_id)
        if province.level != PROVINCE:
            raise UnitError(f"{province_id} ({province.name}) is not a province")
        return (province, *self.descendants(province_id))

    def is_within(self, unit_id: str, ancestor_id: str) -> bool:
        """True if ``unit_id`` is ``ancestor_id`` or lies under it."""
        self.get(ancestor_id)
        current: str | None = self.get(unit_id).id
        while current is not None:
            if current == ancestor_id:
                return True
            current = self._units[current].parent_id
        return False

    # -- the 2025 reform -------------------------------------------------------------

    def sources_of(self, unit_id: str) -> tuple[Unit, ...]:
        """The pre-2025 communes the 2025 commune ``unit_id`` was formed from.

        Empty for the few 2025 units with no pre-2025 commune (island special zones).
        """
        unit = self.get(unit_id)
        if unit.structure != STRUCTURE_2025 or unit.level != COMMUNE:
            raise UnitError(f"{unit_id} is not a 2025 commune: only those have pre-2025 sources")
        return tuple(self._units[s] for s in self._sources.get(unit_id, ()))

    def successors_of(self, unit_id: str) -> tuple[Unit, ...]:
        """The 2025 communes the pre-2025 commune ``unit_id`` went into (one or more)."""
        unit = self.get(unit_id)
        if unit.structure != PRE2025 or unit.level != COMMUNE:
            raise UnitError(f"{unit_id} is not a pre-2025 commune: only those have successors")
        return tuple(self._units[s] for s in self._successors.get(unit_id, ()))

    # -- search ----------------------------------------------------------------------

    def _folded_names(self, unit: Unit) -> tuple[str, str]:
        folded = self._folded.get(unit.id)
        if folded is None:
            folded = (fold_diacritics(unit.name), fold_diacritics(unit.short_name))
            self._folded[unit.id] = folded
        return folded

    def search(
        self,
        text: str,
        within: str | None = None,
        *,
        structure: str | None = None,
        limit: int | None = None,
    ) -> list[Unit]:
        """Units with a name word starting with each word of ``text``, diacritics optional.

        ``within`` limits the search to a unit and what lies under it; ``structure``
        to one structure. Best matches first: the short name equal to the text, then
        starting with it, then containing it whole, then the rest; within a rank,
        higher levels first, then tree order.
        """
        query = fold_diacritics(unicodedata.normalize("NFC", text))
        if not query:
            return []
        if structure is not None and structure not in STRUCTURES:
            raise UnitError(f"Unknown structure {structure!r} ({', '.join(STRUCTURES)})")
        words = query.split(" ")
        if within is None:
            candidates: Iterable[Unit] = self._units.values()
        else:
            candidates = (self.get(within), *self.descendants(within))
        ranked: list[tuple[int, int, int, Unit]] = []
        for order, unit in enumerate(candidates):
            if structure is not None and unit.structure != structure:
                continue
            name, short = self._folded_names(unit)
            name_words = name.split(" ")
            if not all(any(nw.startswith(word) for nw in name_words) for word in words):
                continue
            if short == query:
                rank = 0
            elif short.startswith(query):
                rank = 1
            elif query in name:
                rank = 2
            else:
                rank = 3
            ranked.append((rank, unit.level, order, unit))
        ranked.sort(key=lambda item: item[:3])
        found = [item[3] for item in ranked]
        return found if limit is None else found[:limit]
