"""Derived indicators (``derived.csv``): counts and ratios for a commune and above.

Formulas use the rule language (:mod:`.expressions`) plus ``count(villages [where c])``,
``count(communes [where c])``, ``sum(x)`` over the area's villages or communes,
``sqrt``, ``pi`` and trailing ``where N = expr`` definitions. A definition is shared by
the whole catalogue: ``dan_so_phuc_vu = sum(dan_so) / N`` uses the ``N`` defined in
``ban_kinh_phuc_vu``. A result that divides by zero is undefined (``None``).

Missing is not zero: a formula ranges only over the villages and communes that have a
value for every indicator it reads (:func:`reporting_area`), so an empty new village
or a commune that has not reported enters neither numerator nor denominator, and a
figure with no such village or commune at all is undefined (``None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Literal

from desktop_app.domain.catalogue import Catalogue, CatalogueError, DerivedIndicator
from desktop_app.domain.evaluator import Evaluator, Missing, Undefined
from desktop_app.domain.expressions import (
    Call,
    Collection,
    EvalValue,
    Local,
    Lookup,
    Node,
    Ref,
    children,
    parse_formula,
    resolve,
    variables,
)
from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.domain.values import Value

__all__ = [
    "AreaData",
    "CommuneData",
    "CompiledDerived",
    "Coverage",
    "ValueKey",
    "compile_derived",
    "compute_derived",
    "coverage",
    "derived_and_coverage",
    "reporting_area",
]

ValueKey = tuple[str, str]  # (indicator code, disaggregation key; "" when none)
AreaLevel = Literal["commune", "district", "province"]


# Plain immutable classes, not dataclasses, which the window's start would compile
# (desktop_app.domain.frozen).


class CommuneData(Frozen):
    """One commune's values for the period and its active villages' values."""

    __slots__ = ("commune_values", "villages")
    commune_values: Mapping[ValueKey, Value]
    villages: Sequence[Mapping[ValueKey, Value]]

    def __init__(
        self, commune_values: Mapping[ValueKey, Value], villages: Sequence[Mapping[ValueKey, Value]]
    ) -> None:
        set_field(self, "commune_values", commune_values)
        set_field(self, "villages", villages)


class AreaData(Frozen):
    """The communes of the area a derived indicator is computed for (one for a commune)."""

    __slots__ = ("communes",)
    communes: Sequence[CommuneData]

    def __init__(self, communes: Sequence[CommuneData]) -> None:
        set_field(self, "communes", communes)


class CompiledDerived(Frozen):
    """A derived indicator with its resolved formula and the definitions it may use."""

    __slots__ = ("definitions", "expr", "indicator", "refs")
    indicator: DerivedIndicator
    expr: Node
    definitions: Mapping[str, Node]
    #: The indicators the formula reads: a village or commune counts in the figure
    #: (numerator and denominator alike) only when it has a value for each of them.
    refs: frozenset[str]

    def __init__(
        self,
        indicator: DerivedIndicator,
        expr: Node,
        definitions: Mapping[str, Node],
        refs: frozenset[str] = frozenset(),
    ) -> None:
        set_field(self, "indicator", indicator)
        set_field(self, "expr", expr)
        set_field(self, "definitions", definitions)
        set_field(self, "refs", refs)


def compile_derived(catalogue: Catalogue) -> dict[str, CompiledDerived]:
    """Parse and check every formula of ``catalogue``; :class:`CatalogueError` names a bad one."""
    parsed = {}
    shared: dict[str, Node] = {}
    clashes: set[str] = set()
    for code, der in catalogue.derived.items():
        try:
            parsed[code] = parse_formula(der.formula)
        except CatalogueError as exc:
            raise CatalogueError(f"derived indicator {code!r}: {exc}") from None
        for name, node in parsed[code].definitions:
            if shared.setdefault(name, node) != node:
                clashes.add(name)
    out: dict[str, CompiledDerived] = {}
    for code, formula in parsed.items():
        own = dict(formula.definitions)
        raw = {**{k: v for k, v in shared.items() if k not in clashes}, **own}
        names = frozenset(raw)
        try:
            defs = {k: _checked(v, catalogue, names) for k, v in raw.items()}
            expr = _checked(formula.expr, catalogue, names)
        except CatalogueError as exc:
            raise CatalogueError(f"derived indicator {code!r}: {exc}") from None
        out[code] = CompiledDerived(catalogue.derived[code], expr, defs, _refs(expr, defs))
    return out


def _refs(expr: Node, definitions: Mapping[str, Node]) -> frozenset[str]:
    found: set[str] = set()
    seen: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Ref):
            found.add(node.code)
        elif isinstance(node, Local) and node.name in definitions and node.name not in seen:
            seen.add(node.name)
            stack.append(definitions[node.name])
        stack.extend(children(node))
    return frozenset(found)


def _cells(catalogue: Catalogue, codes: frozenset[str]) -> list[tuple[ValueKey, ...]]:
    return [tuple((code, key) for key in catalogue.disaggregation_keys(code)) for code in codes]


def _has(values: Mapping[ValueKey, Value], wanted: list[tuple[ValueKey, ...]]) -> bool:
    """Whether ``values`` holds a value (any cell) of every indicator of ``wanted``."""
    for cells in wanted:
        if cells[0] in values:
            continue
        if not any(cell in values for cell in cells[1:]):
            return False
    return True


def reporting_area(catalogue: Catalogue, area: AreaData, refs: frozenset[str]) -> AreaData:
    """``area`` restricted to the villages and communes with data for every one of
    ``refs`` (a commune keeps its own values when any of its villages is kept)."""
    village_refs = frozenset(c for c in refs if catalogue.indicators[c].level == "village")
    by_village = _cells(catalogue, village_refs)
    by_commune = _cells(catalogue, refs - village_refs)
    kept: list[CommuneData] = []
    for commune in area.communes:
        if not _has(commune.commune_values, by_commune):
            continue
        villages = [v for v in commune.villages if _has(v, by_village)]
        if village_refs and not villages:
            continue
        kept.append(CommuneData(commune.commune_values, villages))
    return AreaData(kept)


class Coverage(Frozen):
    """What a derived figure covers: villages and communes with its data, of how many."""

    __slots__ = ("by_villages", "communes", "of_communes", "of_villages", "villages")
    villages: int
    of_villages: int
    communes: int
    of_communes: int
    by_villages: bool  # the formula reads village indicators

    def __init__(
        self, villages: int, of_villages: int, communes: int, of_communes: int, by_villages: bool
    ) -> None:
        set_field(self, "villages", villages)
        set_field(self, "of_villages", of_villages)
        set_field(self, "communes", communes)
        set_field(self, "of_communes", of_communes)
        set_field(self, "by_villages", by_villages)

    @property
    def complete(self) -> bool:
        """Every village (for a village figure) and every commune has the data."""
        whole = self.communes == self.of_communes
        return whole and (not self.by_villages or self.villages == self.of_villages)


def coverage(catalogue: Catalogue, area: AreaData, refs: frozenset[str]) -> Coverage:
    """The villages and communes behind a derived figure (see :func:`reporting_area`)."""
    kept = reporting_area(catalogue, area, refs)
    return Coverage(
        sum(len(c.villages) for c in kept.communes),
        sum(len(c.villages) for c in area.communes),
        len(kept.communes),
        len(area.communes),
        any(catalogue.indicators[c].level == "village" for c in refs),
    )


def _checked(node: Node, catalogue: Catalogue, names: frozenset[str]) -> Node:
    resolved = resolve(node, catalogue, names, want="number")
    if variables(resolved):
        raise CatalogueError("subscripts in formulas must be dimension codes")

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            raise CatalogueError(f"{n.code} must be inside sum() or count(... where ...)")
        if isinstance(n, Collection):
            raise CatalogueError(f"{n.name} may only be counted")
        if isinstance(n, Call) and n.func in ("sum", "count"):
            return
        for child in children(n):
            walk(child)

    walk(resolved)
    return resolved


class _AreaEvaluator(Evaluator):
    """Evaluates a formula over an area: ``sum`` and ``count`` range over its rows."""

    def __init__(
        self,
        catalogue: Catalogue,
        area: AreaData,
        definitions: Mapping[str, Node],
        shared: dict[tuple[int, int], Evaluator] | None = None,
    ) -> None:
        super().__init__(catalogue, lambda code, key: None)
        self.area = area
        self.definitions = definitions
        self.pending: set[str] = set()
        self._rows: dict[bool, list[Evaluator]] = {}  # a ratio's two counts share them
        # one evaluator per village or commune for every formula over the area (stateless;
        # keyed by the value mappings, which live as long as the area)
        self._shared: dict[tuple[int, int], Evaluator] = {} if shared is None else shared

    def eval(self, node: Node) -> EvalValue:
        if isinstance(node, Local) and node.name not in self.locals:
            if node.name in self.pending:
                raise CatalogueError(f"definition {node.name!r} refers to itself")
            self.pending.add(node.name)
            self.locals[node.name] = self.eval(self.definitions[node.name])
            self.pending.discard(node.name)
        return super().eval(node)

    def rows(self, village_level: bool) -> list[Evaluator]:
        """One evaluator per village (falling back to its commune's values) or per commune."""
        built = self._rows.get(village_level)
        if built is not None:
            return built
        out: list[Evaluator] = self._rows.setdefault(village_level, [])
        shared = self._shared
        for commune in self.area.communes:
            values = commune.commune_values
            if not village_level:
                row = shared.get((0, id(values)))
                if row is None:
                    row = shared[(0, id(values))] = Evaluator(self.catalogue, _getter(values))
                out.append(row)
                continue
            for village in commune.villages:
                row = shared.get((id(village), id(values)))
                if row is None:
                    row = Evaluator(self.catalogue, _getter(village, values))
                    shared[(id(village), id(values))] = row
                out.append(row)
        return out

    def sum(self, ref: Ref) -> Decimal:
        village_level = self.catalogue.indicators[ref.code].level == "village"
        keys = self.catalogue.total_keys(ref.code) if not ref.subs else None
        total = Decimal(0)
        for row in self.rows(village_level):
            for key in keys if keys is not None else (row.key(ref),):
                value = row.lookup(ref.code, key)
                if value is not None:
                    total += _num(value)
        return total

    def count(self, call: Call) -> Decimal:
        collection = call.args[0]
        assert isinstance(collection, Collection)
        matched = 0
        for row in self.rows(collection.name == "villages"):
            if call.where is None:
                matched += 1
                continue
            try:
                matched += row.truth(call.where)
            except (Missing, Undefined):
                pass
        return Decimal(matched)


def _num(value: Value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise CatalogueError(f"cannot add {value!r}")
    return Decimal(value)


def _getter(
    values: Mapping[ValueKey, Value], fallback: Mapping[ValueKey, Value] | None = None
) -> Lookup:
    def lookup(code: str, key: str) -> Value | None:
        found = values.get((code, key))
        if found is None and fallback is not None:
            found = fallback.get((code, key))
        return found

    return lookup


def compute_derived(
    catalogue: Catalogue,
    area: AreaData,
    level: AreaLevel,
    compiled: Mapping[str, CompiledDerived] | None = None,
) -> dict[str, float | None]:
    """Every derived indicator applying to ``level`` over ``area`` (see
    :func:`derived_and_coverage`)."""
    return derived_and_coverage(catalogue, area, level, compiled)[0]


def derived_and_coverage(
    catalogue: Catalogue,
    area: AreaData,
    level: AreaLevel,
    compiled: Mapping[str, CompiledDerived] | None = None,
) -> tuple[dict[str, float | None], dict[str, Coverage]]:
    """Every derived indicator applying to ``level`` over ``area`` (``None``: undefined).

    ``commune+`` indicators are computed at every level, ``district+`` ones only for a
    district or a province. Pass ``compiled`` (from :func:`compile_derived`) to skip
    re-parsing when computing many areas.
    """
    formulas = compiled if compiled is not None else compile_derived(catalogue)
    out: dict[str, float | None] = {}
    areas: dict[frozenset[str], AreaData] = {}  # formulas reading the same indicators
    covered: dict[str, Coverage] = {}
    villages = sum(len(c.villages) for c in area.communes)
    rows: dict[tuple[int, int], Evaluator] = {}
    for code, item in formulas.items():
        if item.indicator.level == "district+" and level == "commune":
            continue
        counted = areas.get(item.refs)
        if counted is None:
            counted = areas[item.refs] = reporting_area(catalogue, area, item.refs)
        covered[code] = Coverage(
            sum(len(c.villages) for c in counted.communes),
            villages,
            len(counted.communes),
            len(area.communes),
            any(catalogue.indicators[c].level == "village" for c in item.refs),
        )
        if item.refs and not counted.communes:
            out[code] = None  # no village or commune has the data: not a measured zero
            continue
        ev = _AreaEvaluator(catalogue, counted, item.definitions, rows)
        try:
            out[code] = float(ev.number(item.expr))
        except (Undefined, Missing):
            out[code] = None
    return out, covered
