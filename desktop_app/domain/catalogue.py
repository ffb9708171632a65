"""The indicator catalogue: typed data elements, their dimensions and derived indicators.

The catalogue is reference data published by the province (``resources/catalog/*.csv``
or the same rows from the database). This module only reads and checks it; the rule
language lives in :mod:`desktop_app.domain.rules`, values in :mod:`.values`.
"""

from __future__ import annotations

import csv
import itertools
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal, cast

from desktop_app.domain.frozen import Frozen, set_field

__all__ = [
    "CHOICE_LABELS",
    "Catalogue",
    "CatalogueError",
    "DerivedIndicator",
    "DimensionMember",
    "Indicator",
    "load_catalogue",
]

Level = Literal["village", "commune"]
Kind = Literal["integer", "decimal", "boolean", "choice", "multichoice"]
Frequency = Literal["annual", "quarterly"]
DerivedLevel = Literal["commune+", "district+"]
Lang = Literal["vi", "en"]

INDICATOR_COLUMNS = (
    "code,section,level,type,disaggregation,frequency,unit_vi,unit_en,name_vi,name_en,rules,note"
).split(",")
DIMENSION_COLUMNS = ("dimension", "code", "name_vi", "name_en")
#: Optional indicator column: non-empty once the province no longer collects the
#: indicator (e.g. the catalogue version that retired it). The row stays so that data
#: typed against it stays readable, and a period locked before keeps reporting it
#: through the catalogue archived then; the catalogue in force leaves it out.
RETIRED_COLUMN = "retired"
#: How a dimension member adds up (the optional ``aggregation`` column, ``sum`` when
#: empty): ``sum`` members partition the whole (the figure is their sum); a ``total``
#: member is the whole itself and ``part`` members are sub-counts of it (the figure is
#: the total alone; the parts are shown as their own rows, never added).
AGGREGATIONS = ("sum", "total", "part")
DERIVED_COLUMNS = ("code", "level", "unit", "name_vi", "name_en", "formula", "note")

#: Readable labels for the codes of ``choice:a|b|c`` indicators, whose CSV row only
#: lists codes (the hints come from the ``note`` column). Unknown codes show as is.
CHOICE_LABELS: Mapping[tuple[str, str], tuple[str, str]] = {
    ("song_di_dong", "khong_co"): ("Không có sóng", "No signal"),
    ("song_di_dong", "yeu"): ("Sóng yếu", "Weak signal"),
    ("song_di_dong", "on_dinh"): ("Sóng ổn định", "Stable signal"),
    ("dai_truyen_thanh", "khong"): ("Không có đài", "No radio station"),
    ("dai_truyen_thanh", "huu_tuyen"): ("Đài hữu tuyến", "Wired radio station"),
    ("dai_truyen_thanh", "fm"): ("Đài vô tuyến FM", "FM radio station"),
    ("dai_truyen_thanh", "cntt_vt"): (
        "Đài ứng dụng CNTT - viễn thông",
        "IP-based radio station (ICT and telecom)",
    ),
}


class CatalogueError(ValueError):
    """The catalogue (or one of its rows, rules or formulas) is malformed."""


# Plain immutable classes, not dataclasses, which the window's start would compile
# (desktop_app.domain.frozen).


class DimensionMember(Frozen):
    """One code of a disaggregation dimension, e.g. ``operator`` → ``viettel``."""

    __slots__ = ("aggregation", "code", "name_en", "name_vi")
    code: str
    name_vi: str
    name_en: str
    aggregation: str

    def __init__(
        self,
        code: str,
        name_vi: str,
        name_en: str,
        aggregation: str = "sum",
    ) -> None:
        set_field(self, "code", code)
        set_field(self, "name_vi", name_vi)
        set_field(self, "name_en", name_en)
        set_field(self, "aggregation", aggregation)


class Indicator(Frozen):
    """A typed data element recorded for a village or a commune."""

    __slots__ = (
        "choice_dimension",
        "choices",
        "code",
        "disaggregation",
        "frequency",
        "kind",
        "level",
        "name_en",
        "name_vi",
        "note",
        "rules",
        "section",
        "unit_en",
        "unit_vi",
    )
    code: str
    section: str
    level: Level
    kind: Kind
    choices: tuple[str, ...]
    disaggregation: tuple[str, ...]
    frequency: Frequency
    unit_vi: str
    unit_en: str
    name_vi: str
    name_en: str
    rules: str
    note: str
    choice_dimension: str

    def __init__(
        self,
        code: str,
        section: str,
        level: Level,
        kind: Kind,
        choices: tuple[str, ...],
        disaggregation: tuple[str, ...],
        frequency: Frequency,
        unit_vi: str,
        unit_en: str,
        name_vi: str,
        name_en: str,
        rules: str,
        note: str,
        choice_dimension: str = "",
    ) -> None:
        set_field(self, "code", code)
        set_field(self, "section", section)
        set_field(self, "level", level)
        set_field(self, "kind", kind)
        set_field(self, "choices", choices)
        set_field(self, "disaggregation", disaggregation)
        set_field(self, "frequency", frequency)
        set_field(self, "unit_vi", unit_vi)
        set_field(self, "unit_en", unit_en)
        set_field(self, "name_vi", name_vi)
        set_field(self, "name_en", name_en)
        set_field(self, "rules", rules)
        set_field(self, "note", note)
        set_field(self, "choice_dimension", choice_dimension)

    def name(self, lang: Lang) -> str:
        """The indicator's name in ``lang``."""
        return self.name_vi if lang == "vi" else self.name_en


class DerivedIndicator(Frozen):
    """A ratio or count computed from data values for a commune and above."""

    __slots__ = ("code", "formula", "level", "name_en", "name_vi", "note", "unit")
    code: str
    level: DerivedLevel
    unit: str
    name_vi: str
    name_en: str
    formula: str
    note: str

    def __init__(
        self,
        code: str,
        level: DerivedLevel,
        unit: str,
        name_vi: str,
        name_en: str,
        formula: str,
        note: str,
    ) -> None:
        set_field(self, "code", code)
        set_field(self, "level", level)
        set_field(self, "unit", unit)
        set_field(self, "name_vi", name_vi)
        set_field(self, "name_en", name_en)
        set_field(self, "formula", formula)
        set_field(self, "note", note)


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


class Catalogue:
    """The whole catalogue; build it with :func:`load_catalogue` or :meth:`from_rows`."""

    def __init__(
        self,
        indicators: Mapping[str, Indicator],
        dimensions: Mapping[str, tuple[DimensionMember, ...]],
        derived: Mapping[str, DerivedIndicator],
        version: str,
        retired: Mapping[str, Indicator] | None = None,
    ) -> None:
        """Wrap already checked parts; prefer :meth:`from_rows`."""
        self.indicators: dict[str, Indicator] = dict(indicators)
        #: indicators no longer collected (not in ``indicators``), by code
        self.retired: dict[str, Indicator] = dict(retired or {})
        self.dimensions: dict[str, tuple[DimensionMember, ...]] = dict(dimensions)
        self.derived: dict[str, DerivedIndicator] = dict(derived)
        self.version = version
        self._keys: dict[str, tuple[str, ...]] = {}
        self._totals: dict[str, tuple[str, ...]] = {}

    def __repr__(self) -> str:
        return f"<Catalogue {self.version}: {len(self.indicators)} indicators>"

    @classmethod
    def from_rows(
        cls,
        indicators: Sequence[Mapping[str, str]],
        dimensions: Sequence[Mapping[str, str]],
        derived: Sequence[Mapping[str, str]],
        version: str,
    ) -> Catalogue:
        """Build and check a catalogue from rows with the CSV column names."""
        dims: dict[str, list[DimensionMember]] = {}
        for n, row in enumerate(dimensions, start=1):
            where = f"dimensions row {n}"
            _need(row, DIMENSION_COLUMNS, where)
            name, code = _nfc(row["dimension"]), _nfc(row["code"])
            if not name or not code:
                raise CatalogueError(f"{where}: dimension and code must not be empty")
            members = dims.setdefault(name, [])
            if any(m.code == code for m in members):
                raise CatalogueError(f"{where}: duplicate code {code!r} in dimension {name!r}")
            aggregation = _nfc(row.get("aggregation")) or "sum"
            if aggregation not in AGGREGATIONS:
                raise CatalogueError(
                    f"{where}: aggregation must be sum, total or part, not {aggregation!r}"
                )
            members.append(
                DimensionMember(code, _nfc(row["name_vi"]), _nfc(row["name_en"]), aggregation)
            )
        for name, members in dims.items():
            kinds = [m.aggregation for m in members]
            if "sum" in kinds and len(set(kinds)) > 1:
                raise CatalogueError(f"dimension {name!r}: sum cannot be mixed with total/part")
            if kinds.count("total") > 1 or ("part" in kinds and "total" not in kinds):
                raise CatalogueError(f"dimension {name!r}: parts need exactly one total member")
        frozen_dims = {k: tuple(v) for k, v in dims.items()}
        inds: dict[str, Indicator] = {}
        retired: dict[str, Indicator] = {}
        for n, row in enumerate(indicators, start=1):
            ind = _indicator(row, f"indicators row {n}", frozen_dims)
            if ind.code in inds or ind.code in retired:
                raise CatalogueError(f"indicators row {n}: duplicate code {ind.code!r}")
            (retired if _nfc(row.get(RETIRED_COLUMN)) else inds)[ind.code] = ind
        der: dict[str, DerivedIndicator] = {}
        for n, row in enumerate(derived, start=1):
            where = f"derived row {n}"
            _need(row, DERIVED_COLUMNS, where)
            code, level = _nfc(row["code"]), _nfc(row["level"])
            where = f"{where} ({code!r})"
            if not code or code in der or code in inds or code in retired:
                raise CatalogueError(f"{where}: missing or duplicate code")
            if level not in ("commune+", "district+"):
                raise CatalogueError(f"{where}: level must be commune+ or district+, not {level!r}")
            if not _nfc(row["formula"]):
                raise CatalogueError(f"{where}: empty formula")
            der[code] = DerivedIndicator(
                code,
                cast(DerivedLevel, level),
                _nfc(row["unit"]),
                _nfc(row["name_vi"]),
                _nfc(row["name_en"]),
                _nfc(row["formula"]),
                _nfc(row["note"]),
            )
        return cls(inds, frozen_dims, der, _nfc(version) or "unversioned", retired)

    def indicator(self, code: str) -> Indicator:
        """The indicator ``code``; :class:`CatalogueError` when there is none."""
        try:
            return self.indicators[code]
        except KeyError:
            raise CatalogueError(f"unknown indicator {code!r}") from None

    def disaggregation_keys(self, code: str) -> tuple[str, ...]:
        """Every cell key of ``code``: ``("",)`` or e.g. ``"viettel.4g"`` in dimension order."""
        keys = self._keys.get(code)
        if keys is None:
            ind = self.indicator(code)
            if not ind.disaggregation:
                keys = ("",)
            else:
                codes = [[m.code for m in self.dimensions[d]] for d in ind.disaggregation]
                keys = tuple(".".join(combo) for combo in itertools.product(*codes))
            self._keys[code] = keys
        return keys

    def total_keys(self, code: str) -> tuple[str, ...]:
        """The cell keys of ``code`` that add up to its whole figure.

        Every key when its dimensions partition the whole (``sum``); for a dimension
        with a ``total`` member, only the keys on that member (its ``part`` members are
        sub-counts of the total, never added to it).
        """
        keys = self._totals.get(code)
        if keys is None:
            ind = self.indicator(code)
            wanted = [
                {m.code for m in self.dimensions[d] if m.aggregation == "total"}
                for d in ind.disaggregation
            ]
            keys = tuple(
                key
                for key in self.disaggregation_keys(code)
                if not key
                or all(not w or part in w for w, part in zip(wanted, key.split("."), strict=True))
            )
            self._totals[code] = keys
        return keys

    def is_total_key(self, code: str, key: str) -> bool:
        """Whether cell ``key`` of ``code`` is the whole itself (only total members)."""
        ind = self.indicator(code)
        if not key or not ind.disaggregation:
            return False
        parts = key.split(".")
        return all(
            any(m.code == p and m.aggregation == "total" for m in self.dimensions[d])
            for d, p in zip(ind.disaggregation, parts, strict=True)
        )

    def choice_label(self, indicator: Indicator | str, code: str, lang: Lang) -> str:
        """The readable label of choice ``code`` of ``indicator`` (the code if unknown)."""
        ind = self.indicator(indicator) if isinstance(indicator, str) else indicator
        if ind.choice_dimension:
            for m in self.dimensions[ind.choice_dimension]:
                if m.code == code:
                    return m.name_vi if lang == "vi" else m.name_en
            return code
        labels = CHOICE_LABELS.get((ind.code, code))
        if labels is None:
            return code
        return labels[0] if lang == "vi" else labels[1]

    def disaggregation_label(self, code: str, key: str, lang: Lang) -> str:
        """The readable label of cell ``key`` of ``code``, e.g. ``"Viettel · 4G"``."""
        ind = self.indicator(code)
        if not key:
            return ""
        parts = key.split(".")
        if len(parts) != len(ind.disaggregation):
            raise CatalogueError(f"{key!r} is not a disaggregation key of {code!r}")
        labels = []
        for dim, part in zip(ind.disaggregation, parts, strict=True):
            member = next((m for m in self.dimensions[dim] if m.code == part), None)
            if member is None:
                raise CatalogueError(f"{part!r} is not a code of dimension {dim!r}")
            labels.append(member.name_vi if lang == "vi" else member.name_en)
        return " · ".join(labels)

    def village_indicators(self) -> list[Indicator]:
        """Indicators recorded per village, in catalogue order."""
        return [i for i in self.indicators.values() if i.level == "village"]

    def commune_indicators(self) -> list[Indicator]:
        """Indicators recorded per commune, in catalogue order."""
        return [i for i in self.indicators.values() if i.level == "commune"]


def _need(row: Mapping[str, str], columns: Sequence[str], where: str) -> None:
    missing = [c for c in columns if c not in row]
    if missing:
        raise CatalogueError(f"{where}: missing column(s) {', '.join(missing)}")
    extra = row.get(None)  # type: ignore[call-overload]
    if extra:
        raise CatalogueError(f"{where}: more fields than columns (a stray comma?)")


def _indicator(
    row: Mapping[str, str], where: str, dims: Mapping[str, tuple[DimensionMember, ...]]
) -> Indicator:
    _need(row, INDICATOR_COLUMNS, where)
    code = _nfc(row["code"])
    if not code or not code.isidentifier() or not code.isascii():
        raise CatalogueError(f"{where}: invalid indicator code {code!r}")
    where = f"{where} ({code!r})"
    level = _nfc(row["level"])
    if level not in ("village", "commune"):
        raise CatalogueError(f"{where}: level must be village or commune, not {level!r}")
    frequency = _nfc(row["frequency"])
    if frequency not in ("annual", "quarterly"):
        raise CatalogueError(f"{where}: frequency must be annual or quarterly, not {frequency!r}")
    kind, _, arg = _nfc(row["type"]).partition(":")
    choices: tuple[str, ...] = ()
    choice_dim = ""
    if kind == "choice":
        choices = tuple(c.strip() for c in arg.split("|"))
        if not arg or not all(choices) or len(set(choices)) != len(choices):
            raise CatalogueError(f"{where}: choice type needs distinct codes, e.g. choice:a|b")
    elif kind == "multichoice":
        if arg not in dims:
            raise CatalogueError(f"{where}: multichoice needs a known dimension, not {arg!r}")
        choice_dim = arg
        choices = tuple(m.code for m in dims[arg])
    elif kind not in ("integer", "decimal", "boolean") or arg:
        raise CatalogueError(f"{where}: unknown type {row['type']!r}")
    disagg_text = _nfc(row["disaggregation"])
    disagg = tuple(d.strip() for d in disagg_text.split("*")) if disagg_text else ()
    for d in disagg:
        if d not in dims:
            raise CatalogueError(f"{where}: unknown disaggregation dimension {d!r}")
    if disagg and kind not in ("integer", "decimal"):
        raise CatalogueError(f"{where}: only numeric indicators can be disaggregated")
    if not _nfc(row["name_vi"]) or not _nfc(row["name_en"]):
        raise CatalogueError(f"{where}: name_vi and name_en must not be empty")
    return Indicator(
        code=code,
        section=_nfc(row["section"]),
        level=cast(Level, level),
        kind=cast(Kind, kind),
        choices=choices,
        disaggregation=disagg,
        frequency=cast(Frequency, frequency),
        unit_vi=_nfc(row["unit_vi"]),
        unit_en=_nfc(row["unit_en"]),
        name_vi=_nfc(row["name_vi"]),
        name_en=_nfc(row["name_en"]),
        rules=_nfc(row["rules"]),
        note=_nfc(row["note"]),
        choice_dimension=choice_dim,
    )


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return list(csv.DictReader(fh))
    except FileNotFoundError:
        raise CatalogueError(f"catalogue file {path} is missing") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CatalogueError(f"catalogue file {path} cannot be read: {exc}") from None


def load_catalogue(folder: Path) -> Catalogue:
    """Read the three catalogue CSVs and the optional ``VERSION`` file in ``folder``."""
    version_file = folder / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.exists() else ""
    try:
        return Catalogue.from_rows(
            _read_csv(folder / "indicators.csv"),
            _read_csv(folder / "dimensions.csv"),
            _read_csv(folder / "derived.csv"),
            version or "unversioned",
        )
    except CatalogueError as exc:
        raise CatalogueError(f"{folder}: {exc}") from None


#: The order of the catalogue's sections wherever indicators are shown by section (the
#: report's indicator table, the commune form of the entry page); a section not listed
#: comes after these, in the order first met.
SECTION_ORDER = ("population", "mobile", "fixed", "devices", "postal", "radio", "egov")


def by_section(indicators: Iterable[Indicator]) -> list[Indicator]:
    """The indicators grouped by section, so each section's heading is shown once: the
    sections in :data:`SECTION_ORDER` (then any other in the order first met), each
    one's indicators in catalogue order.

    A catalogue version that moves an indicator to another section keeps its row where
    it was (2026.1 in ``tests/reports/test_section_headings.py`` moves
    ``diem_internet_cc`` from "fixed" to "postal"): read in catalogue order, the report's
    table had 10 headings for 7 sections and the entry form repeated "fixed" and "postal".
    """
    found = list(indicators)
    rank = {name: i for i, name in enumerate(SECTION_ORDER)}
    for ind in found:
        rank.setdefault(ind.section, len(rank))
    return sorted(found, key=lambda ind: rank[ind.section])  # stable: catalogue order
