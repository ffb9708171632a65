"""Rules applied to stored data: one typed value before it is saved, or a whole database.

The rule layer knows nothing of periods; here a quarter's lookup also sees the
values collected yearly, and an annual value is checked against every quarter of
its year that holds data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.periods import Period
from desktop_app.domain.rules import Rule, RuleSet, Violation, compile_rules, evaluate
from desktop_app.domain.values import Value

if TYPE_CHECKING:
    from desktop_app.store.repositories.values import ValueWrite
    from desktop_app.store.store import Store

_RULESETS: dict[int, tuple[Catalogue, RuleSet]] = {}


def rules_of(catalogue: Catalogue) -> RuleSet:
    """The compiled rules of a catalogue (compiled once per catalogue object)."""
    cached = _RULESETS.get(id(catalogue))
    if cached is None or cached[0] is not catalogue:
        cached = (catalogue, compile_rules(catalogue))
        _RULESETS[id(catalogue)] = cached
    return cached[1]


def _quarters_with_data(store: Store, org_id: str, year: int) -> list[Period]:
    rows = store.db.execute_sql(
        "SELECT DISTINCT period FROM data_value WHERE org_id = ? AND period LIKE ?",
        (org_id, f"{year}Q_"),
    )
    return sorted(Period.parse(r[0]) for r in rows)


def violations_for_write(
    store: Store, indicator: Indicator, write: ValueWrite, period: Period, org_id: str
) -> list[Violation]:
    """Violations the value in ``write`` would cause, with the stored neighbours."""
    rules = rules_of(store.catalogue).for_indicator(indicator.code)
    if not rules:
        return []
    periods = [period]
    if period.kind == "annual":
        periods += _quarters_with_data(store, org_id, period.year)
    found: list[Violation] = []
    seen: set[tuple[str, str, str]] = set()
    for each in periods:
        known = store.values.typed_values(org_id, each)
        if write.value is None:
            known.pop((indicator.code, write.disagg), None)
        else:
            known[(indicator.code, write.disagg)] = write.value
        for rule in rules:
            for violation in evaluate(rule, known_lookup(known)):
                mark = (rule.source, violation.disaggregation_key, violation.message_en)
                if mark not in seen:
                    seen.add(mark)
                    found.append(violation)
    return found


@dataclass(frozen=True)
class Finding:
    """A rule broken by stored data: where, when, and the violation."""

    org_id: str
    org_name: str
    period: str
    violation: Violation


def _rule_periods(rule: Rule, catalogue: Catalogue) -> str:
    """'annual' when a rule reads only yearly indicators, else 'quarterly'."""
    freqs = {catalogue.indicators[c].frequency for c in rule.references}
    return "annual" if freqs == {"annual"} else "quarterly"


def check_database(store: Store) -> Iterator[Finding]:
    """Every rule violation in the stored data, village and commune, every period."""
    catalogue = store.catalogue
    ruleset = rules_of(catalogue)
    names = {
        str(i): str(n)
        for i, n in store.db.execute_sql(
            "SELECT id, name FROM village UNION ALL SELECT id, name FROM unit"
        )
    }
    by_kind = {
        (level, kind): [r for r in ruleset.for_level(level) if _rule_periods(r, catalogue) == kind]
        for level in ("village", "commune")
        for kind in ("annual", "quarterly")
    }
    pairs = store.db.execute_sql(
        "SELECT DISTINCT org_id, village_id IS NOT NULL, period FROM data_value"
        " ORDER BY commune_id, org_id, period"
    ).fetchall()
    for org_id, is_village, code in pairs:
        period = Period.parse(code)
        level = "village" if is_village else "commune"
        known = store.values.typed_values(org_id, period)
        for rule in by_kind[(level, period.kind)]:
            for violation in evaluate(rule, known_lookup(known)):
                yield Finding(org_id, names.get(org_id, org_id), code, violation)


def known_lookup(known: dict[tuple[str, str], Value]) -> Callable[[str, str], Value | None]:
    """A rule lookup over a dict of typed values keyed by (indicator, cell)."""

    def lookup(code: str, key: str) -> Value | None:
        return known.get((code, key))

    return lookup
