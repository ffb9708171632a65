"""Which of a report's communes this office holds the data of, and how the report says so.

The unit directory names every commune of the province, but an office holds only the data
that is sent to it (DESIGN §4, "what to send"): a district office its own communes', a
commune office its own (and, after the 2025 reform, that of the old communes it took
over). A province report printed at Huyện Mai Sơn said "toàn tỉnh có 375 thôn" with the
375 villages of Mai Sơn's 22 communes, and listed the other 182 communes of Sơn La as
"chưa gửi" and "chưa được duyệt", which this office cannot know. With :func:`holding`
the report says on page 1 what its figures cover, never calls them the whole area's, and
counts submission states and left-out communes among the held communes only
(:meth:`Holding.restrict`).

The other parts say it too. The annex by district (or by commune) lists the districts or
communes the office holds data of and names the others once, over the table
(:meth:`Holding.annex_note`), instead of eleven rows of "—" that read as "sent no data";
a district of which only some communes are held is marked with its share ("Huyện Mai Sơn
(1/22 xã)"). The bar chart, the trend chart and the map say under their titles that they
count the held communes only (:meth:`Holding.scope_line`); the map draws only those.
A report of a fully-held area (the province's own) is drawn as before.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_app.domain.units import Unit
from desktop_app.reports.texts import Lang, pick, translations
from desktop_app.store.aggregation import UnitAggregate
from desktop_app.store.store import Store

LABELS: dict[str, tuple[str, str]] = {
    "completeness": (
        " (tính trong các xã có dữ liệu tại đơn vị)",
        " (of the communes held at this office)",
    ),
    "total_row": ("Các xã có dữ liệu tại đơn vị", "Communes held at this office"),
    "coverage": (
        "{what} có số liệu tại đơn vị",
        "{what} with data at this office",
    ),
}
_KIND_EN = {"tỉnh": "province", "thành phố": "city", "huyện": "district", "thị xã": "town"}


def holding_label(key: str, lang: Lang, **params: object) -> str:
    """The fixed text ``key`` of this module in ``lang``."""
    return pick(LABELS, key, lang, **params)


@dataclass(frozen=True)
class Holding:
    """The communes of a report's area whose data this office holds."""

    #: the held communes, in the report's order
    held: tuple[Unit, ...]
    #: how many communes the area has (the unit directory knows them all)
    communes: int
    #: a pre-2025 province report: the districts with a held commune, and how many it has
    districts: tuple[Unit, ...] = ()
    of_districts: int = 0
    #: every commune of the area, held or not (the unit directory's), in the report's order
    area: tuple[Unit, ...] = ()
    #: a pre-2025 province report: the districts with no held commune
    other_districts: tuple[Unit, ...] = ()

    @property
    def partial(self) -> bool:
        """True when the office holds the data of only some of the area's communes."""
        return len(self.held) < self.communes

    def restrict(self, agg: UnitAggregate) -> UnitAggregate:
        """``agg`` with its submission states and left-out communes among the held
        communes only: this office cannot say whether another district's commune has
        sent or been approved (the figures are unchanged: others have no data here)."""
        if not self.partial:
            return agg
        ids = {u.id for u in self.held}
        return replace(
            agg,
            completeness=[s for s in agg.completeness if s.commune.id in ids],
            excluded=tuple(u for u in agg.excluded if u.id in ids),
            entered=tuple(u for u in agg.entered if u.id in ids),
            listed=tuple(u for u in agg.listed if u.id in ids),
        )

    def holds(self, unit: Unit) -> bool:
        """Whether this office holds data of ``unit`` (a commune of the area, or a district
        of a pre-2025 province with at least one held commune)."""
        if not self.partial:
            return True
        return any(u.id == unit.id for u in (*self.held, *self.districts))

    def share(self, district: Unit) -> tuple[int, int]:
        """(held, all) communes of ``district`` (a district of a pre-2025 province)."""
        held = sum(1 for u in self.held if u.parent_id == district.id)
        return held, sum(1 for u in self.area if u.parent_id == district.id)

    def row_name(self, unit: Unit, lang: Lang) -> str:
        """``unit``'s name in an annex or chart row; a district of which only some communes
        are held says how many: "Huyện Mai Sơn (1/22 xã)"."""
        if not self.partial or unit.level != 2:
            return unit.name
        held, of = self.share(unit)
        if held >= of:
            return unit.name
        text = translations(lang).ngettext(
            "{name} ({held} of {of} commune)", "{name} ({held} of {of} communes)", of
        )
        return text.format(name=unit.name, held=held, of=of)

    def _districts_text(self, lang: Lang) -> str:
        """ " (ở 1/12 huyện: Huyện Mai Sơn)", or "" outside a pre-2025 province report."""
        if not self.of_districts:
            return ""
        names = ", ".join(u.name for u in self.districts)
        return " " + translations(lang).ngettext(
            "(in {held} of its {of} district: {names})",
            "(in {held} of its {of} districts: {names})",
            self.of_districts,
        ).format(held=len(self.districts), of=self.of_districts, names=names)

    def scope_line(self, agg: UnitAggregate, lang: Lang) -> str:
        """The line under a chart's or the map's title saying it covers the held communes
        only ("" when all is held): without it the trend of one district reads as the
        province's, and the map of Mai Sơn's sites as the province's sites."""
        if not self.partial:
            return ""
        text = translations(lang).ngettext(
            "Counts only the {held} of the {communes} commune held at this office{districts},"
            " not the whole {kind}.",
            "Counts only the {held} of the {communes} communes held at this office{districts},"
            " not the whole {kind}.",
            self.communes,
        )
        return text.format(
            held=len(self.held),
            communes=self.communes,
            districts=self._districts_text(lang),
            kind=_kind(agg.unit, lang),
        )

    def annex_note(self, agg: UnitAggregate, lang: Lang, *, by_district: bool) -> str:
        """The sentence over an annex that leaves out the districts (``by_district``) or
        communes this office holds nothing of, naming them once; a district of which
        only some communes are held is named with its share ("" when all is held)."""
        if not self.partial:
            return ""
        tr = translations(lang)
        if by_district:
            parts = []
            if self.other_districts:
                n = len(self.other_districts)
                text = tr.ngettext(
                    "The annex lists only the {held} of the {of} districts whose data this"
                    " office holds; {n} district is not listed, its data is kept by other"
                    " offices and not held here: {names}.",
                    "The annex lists only the {held} of the {of} districts whose data this"
                    " office holds; {n} districts are not listed, their data is kept by other"
                    " offices and not held here: {names}.",
                    n,
                )
                others = ", ".join(u.name for u in self.other_districts)
                parts.append(
                    text.format(held=len(self.districts), of=self.of_districts, n=n, names=others)
                )
            for district in self.districts:
                held, of = self.share(district)
                if held < of:
                    text = tr.ngettext(
                        "{name}: only the {held} of its {of} communes held at this office is"
                        " counted.",
                        "{name}: only the {held} of its {of} communes held at this office are"
                        " counted.",
                        held,
                    )
                    parts.append(text.format(name=district.name, held=held, of=of))
            return " ".join(parts)
        ids = {u.id for u in self.held}
        left = [u for u in self.area if u.id not in ids]
        gone = {d.id for d in self.other_districts}
        # a whole district held by another office is named once, not commune by commune
        names = [
            tr.ngettext("{name} ({n} commune)", "{name} ({n} communes)", k).format(name=d.name, n=k)
            for d in self.other_districts
            if (k := sum(1 for u in left if u.parent_id == d.id))
        ]
        names += [u.name for u in left if u.parent_id not in gone]
        n = len(left)
        text = tr.ngettext(
            "The annex lists only the {held} of the {communes} communes whose data this"
            " office holds; {n} commune is not listed, its data is kept by other offices and"
            " not held here: {names}.",
            "The annex lists only the {held} of the {communes} communes whose data this"
            " office holds; {n} communes are not listed, their data is kept by other offices"
            " and not held here: {names}.",
            n,
        )
        return text.format(held=len(self.held), communes=self.communes, n=n, names=", ".join(names))

    def notice(self, agg: UnitAggregate, lang: Lang) -> str:
        """The page-1 sentence saying what the figures cover ("" when all is held)."""
        if not self.partial:
            return ""
        unit = agg.unit
        tr = translations(lang)
        districts = self._districts_text(lang)
        text = tr.ngettext(
            "This office holds the data of {held} of the {communes} commune of"
            " {area}{districts}; the figures of this report count those communes only, not"
            " the whole {kind}. The other communes' data is kept by other offices and is"
            " not held here.",
            "This office holds the data of {held} of the {communes} communes of"
            " {area}{districts}; the figures of this report count those communes only, not"
            " the whole {kind}. The other communes' data is kept by other offices and is"
            " not held here.",
            self.communes,
        )
        return text.format(
            held=len(self.held),
            communes=self.communes,
            area=f"{unit.kind} {unit.short_name}" if lang == "vi" else unit.name,
            districts=districts,
            kind=_kind(unit, lang),
        )

    def opening(self, agg: UnitAggregate, villages: int, shown: str, lang: Lang) -> str:
        """The summary's first clause for a partial holding (the caller goes on with the
        comparison): never "toàn tỉnh có 375 thôn" for one district's villages.
        ``shown``: ``villages`` as printed."""
        text = translations(lang).ngettext(
            "In {period}, the communes held at this office ({held} of the {communes} of"
            " {area}) have {villages} active village",
            "In {period}, the communes held at this office ({held} of the {communes} of"
            " {area}) have {villages} active villages",
            villages,
        )
        return text.format(
            period=agg.period.label(lang),
            held=len(self.held),
            communes=self.communes,
            area=agg.unit.kind if lang == "vi" else agg.unit.name,
            villages=shown,
        )


def _kind(unit: Unit, lang: Lang) -> str:
    return unit.kind if lang == "vi" else _KIND_EN.get(unit.kind, "area")


def _office(store: Store) -> Unit | None:
    from desktop_app.store.errors import UnknownUnitError

    try:
        return store.reference.unit(store.node.office_id)
    except (LookupError, UnknownUnitError):
        return None


def holding(store: Store, agg: UnitAggregate) -> Holding:
    """Which of ``agg``'s communes (those it reads, ``agg.completeness``) this office
    holds: all of them at the province; at a district its own communes; at a commune
    office itself and the old communes it took over (``reform.allowed_units``). A 2025
    commune formed from a held commune counts as held. A database whose installation
    record names no unit it holds is taken to hold everything (as before)."""
    from desktop_app.domain.reform import is_pre_reform
    from desktop_app.store.reform import allowed_units

    communes = [s.commune for s in agg.completeness]
    office = _office(store)
    if office is None or office.level == 1:
        return Holding(tuple(communes), len(communes))
    if agg.unit.structure == "2025" and not is_pre_reform(agg.period):
        # after the reform a 2025 commune is read only where its villages are known here
        # (store.lineage), so the province's 74 others were missing from the count and a
        # commune office's report of the province said "toàn tỉnh" of one commune
        seen = {c.id for c in communes}
        communes += [c for c in store.reference.communes_under(agg.unit.id) if c.id not in seen]
    own = allowed_units(store, office.id)

    def mine(unit: Unit) -> bool:
        return unit.id in own or (unit.parent_id or "") in own

    held = tuple(c for c in communes if mine(c) or any(mine(s) for s in agg.sources.get(c.id, ())))
    if agg.level != "province" or agg.unit.structure == "2025":
        return Holding(held, len(communes), area=tuple(communes))
    districts = store.reference.children(agg.unit.id)
    parents = {c.parent_id for c in held}
    return Holding(
        held,
        len(communes),
        tuple(d for d in districts if d.id in parents),
        len(districts),
        area=tuple(communes),
        other_districts=tuple(d for d in districts if d.id not in parents),
    )
