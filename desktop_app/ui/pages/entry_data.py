"""What the data entry grids show for one commune and period, read in a few queries.

A :class:`Snapshot` holds the villages, every stored cell of the commune for the period
(and, for a quarter, the year's yearly indicators), the lock and scope state, and the
rule violations found in memory. Nothing here imports Qt; the item models adapt it.
"""

from __future__ import annotations

from decimal import Decimal

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Catalogue, Indicator
from desktop_app.domain.derived import AreaData, CommuneData, compute_derived
from desktop_app.domain.frozen import Frozen, set_field
from desktop_app.domain.periods import Period
from desktop_app.domain.rules import Violation
from desktop_app.i18n import _, current_language
from desktop_app.store.repositories.base import LOCKED_STATES
from desktop_app.store.repositories.values import StoredValue
from desktop_app.store.repositories.villages import Village
from desktop_app.store.store import Store
from desktop_app.store.validation import known_lookup, rules_of

Key = tuple[str, str, str]  # (org id, indicator code, disaggregation key)


class Cell(Frozen):
    """The address of one grid cell (plain classes here, not dataclasses, which the
    window's start would compile: :mod:`desktop_app.domain.frozen`)."""

    __slots__ = ("commune_id", "disagg", "indicator", "village_id")
    commune_id: str
    village_id: str | None
    indicator: Indicator
    disagg: str

    def __init__(
        self, commune_id: str, village_id: str | None, indicator: Indicator, disagg: str
    ) -> None:
        set_field(self, "commune_id", commune_id)
        set_field(self, "village_id", village_id)
        set_field(self, "indicator", indicator)
        set_field(self, "disagg", disagg)

    @property
    def org_id(self) -> str:
        """The village for village indicators, else the commune."""
        return self.village_id or self.commune_id

    @property
    def key(self) -> Key:
        """The cell's key in the snapshot."""
        return (self.org_id, self.indicator.code, self.disagg)


class Snapshot:
    """One commune and period, as the grids show it."""

    __slots__ = (
        "_by_org", "commune_id", "commune_name", "flags", "locked_codes", "period",
        "scope_ok", "stored", "villages",
    )  # fmt: skip

    def __init__(
        self,
        commune_id: str,
        commune_name: str,
        period: Period,
        villages: list[Village],
        stored: dict[Key, StoredValue],
        scope_ok: bool,
        locked_codes: frozenset[str],
        flags: dict[Key, list[Violation]] | None = None,
    ) -> None:
        self.commune_id = commune_id
        self.commune_name = commune_name
        self.period = period
        self.villages = villages
        self.stored = stored
        self.scope_ok = scope_ok
        self.locked_codes = locked_codes
        self.flags: dict[Key, list[Violation]] = {} if flags is None else flags
        self._by_org: dict[str, dict[tuple[str, str], typed.Value]] | None = None

    def holds(self, indicator: Indicator) -> str:
        """The period code where ``indicator`` is stored for this view."""
        return str(self.period.year) if indicator.frequency == "annual" else self.period.code

    def read_only(self, indicator: Indicator) -> bool:
        """True when the cells of ``indicator`` cannot be written here."""
        if not self.scope_ok:
            return True
        code = self.holds(indicator)
        if indicator.frequency == "annual":
            return f"{self.period.year}Q4" in self.locked_codes or code in self.locked_codes
        return code in self.locked_codes

    def text(self, key: Key) -> str | None:
        """The stored canonical text of a cell (None when empty)."""
        stored = self.stored.get(key)
        return None if stored is None else stored.value

    def comment(self, key: Key) -> str:
        """The cell's comment ("" when none)."""
        stored = self.stored.get(key)
        return "" if stored is None else stored.comment

    def typed_of(self, org_id: str, catalogue: Catalogue) -> dict[tuple[str, str], typed.Value]:
        """Every typed value of one village or of the commune, for rules and formulas."""
        if self._by_org is None:
            self._by_org = {}
            for key, stored in self.stored.items():
                self._decode_into(key, stored, catalogue)
        return self._by_org.get(org_id, {})

    def _decode_into(self, key: Key, stored: StoredValue | None, catalogue: Catalogue) -> None:
        assert self._by_org is not None
        org, code, disagg = key
        values = self._by_org.setdefault(org, {})
        values.pop((code, disagg), None)
        indicator = catalogue.indicators.get(code)
        if stored is None or stored.value is None or indicator is None:
            return
        try:
            values[(code, disagg)] = typed.decode(indicator, stored.value)
        except ValueError:
            return

    def put(self, key: Key, stored: StoredValue | None, catalogue: Catalogue) -> None:
        """Replace one cell after a write (None: the cell is gone)."""
        if stored is None:
            self.stored.pop(key, None)
        else:
            self.stored[key] = stored
        if self._by_org is not None:
            self._decode_into(key, stored, catalogue)

    def shown_indicators(self, catalogue: Catalogue, level: str) -> list[Indicator]:
        """Indicators of ``level`` that belong in this period (only yearly ones for a year)."""
        found = (
            catalogue.village_indicators() if level == "village" else catalogue.commune_indicators()
        )
        if self.period.kind == "annual":
            return [i for i in found if i.frequency == "annual"]
        return found


def load_snapshot(store: Store, commune_id: str, period: Period, office_id: str) -> Snapshot:
    """Read one commune and period: villages, cells, locks (a handful of queries)."""
    unit = store.reference.unit(commune_id)
    villages = store.villages.for_commune(commune_id)
    codes = [period.code] if period.kind == "annual" else [period.code, str(period.year)]
    stored: dict[Key, StoredValue] = {}
    for code in codes:
        for value in store.values.commune_values(commune_id, code):
            stored[(value.org_id, value.indicator, value.disagg)] = value
    locked: set[str] = set()
    lock_codes = {period.code, f"{period.year}Q4"}
    for code in lock_codes:
        if store.submissions.get(commune_id, code).state in LOCKED_STATES:
            locked.add(code)
    snapshot = Snapshot(
        commune_id,
        unit.name,
        period,
        villages,
        stored,
        scope_ok=office_id == commune_id,
        locked_codes=frozenset(locked),
    )
    refresh_flags(snapshot, store.catalogue)
    return snapshot


def refresh_flags(snapshot: Snapshot, catalogue: Catalogue, org_id: str | None = None) -> None:
    """Run the rules in memory over one village/the commune (``org_id``) or all of them."""
    ruleset = rules_of(catalogue)
    orgs: list[tuple[str, str]] = [(v.id, "village") for v in snapshot.villages]
    orgs.append((snapshot.commune_id, "commune"))
    for org, level in orgs:
        if org_id is not None and org != org_id:
            continue
        for key in [k for k in snapshot.flags if k[0] == org]:
            del snapshot.flags[key]
        known = snapshot.typed_of(org, catalogue)
        if not known:
            continue
        for violation in ruleset.check(known_lookup(known), level):  # type: ignore[arg-type]
            targets = {(violation.indicator, violation.disaggregation_key)}
            if (violation.indicator, violation.disaggregation_key) not in known:
                targets = set(violation.values)
            for code, disagg in targets:
                snapshot.flags.setdefault((org, code, disagg), []).append(violation)


def sentence(violation: Violation) -> str:
    """The violation's sentence in the current language."""
    return violation.message_vi if current_language() == "vi" else violation.message_en


def display(catalogue: Catalogue, indicator: Indicator, text: str | None) -> str:
    """How a stored value reads in a cell: "1.234", "Có", "Sóng yếu", "Viettel, VNPT"."""
    if text is None:
        return ""
    lang = current_language()
    try:
        value = typed.decode(indicator, text)
    except ValueError:
        return text
    if indicator.kind == "boolean":
        return _("Yes") if value else _("No")
    if indicator.kind in ("integer", "decimal"):
        assert isinstance(value, int | Decimal)
        return typed.format_number(value, lang)
    if indicator.kind == "choice":
        return catalogue.choice_label(indicator, str(value), "vi" if lang == "vi" else "en")
    assert isinstance(value, frozenset)
    if not value:
        return "–"
    return ", ".join(
        catalogue.choice_label(indicator, c, "vi" if lang == "vi" else "en")
        for c in indicator.choices
        if c in value
    )


def derived_figures(snapshot: Snapshot, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(name, value with unit) of every commune-level derived indicator, computed in memory."""
    area = AreaData(
        [
            CommuneData(
                snapshot.typed_of(snapshot.commune_id, catalogue),
                [snapshot.typed_of(v.id, catalogue) for v in snapshot.villages],
            )
        ]
    )
    try:
        results = compute_derived(catalogue, area, "commune")
    except Exception:
        return []
    lang = current_language()
    out: list[tuple[str, str]] = []
    for code, result in results.items():
        item = catalogue.derived[code]
        name = item.name_vi if lang == "vi" else item.name_en
        if result is None:
            shown = "—"
        else:
            places = 1 if item.unit in ("%", "km") else 0
            number = Decimal(str(round(result, places)))
            shown = typed.format_number(number, lang)
            if item.unit == "%":
                shown += " %"
            elif item.unit:
                shown += f" {item.unit}" if lang == "vi" or item.unit == "km" else ""
        out.append((name, shown))
    return out
