"""Where the site register and the typed figures disagree: the register's active BTS
sites per operator against the BTS site count typed for the latest quarter with data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from desktop_app.domain.periods import Period
from desktop_app.i18n import _
from desktop_app.store.store import Store

SEARCH_BACK_QUARTERS = 40  # how far back to look for typed BTS counts


def _latest_bts_counts(store: Store, commune_id: str) -> tuple[Period, dict[str, int]] | None:
    """The newest quarter with typed BTS site counts for the commune, and those counts."""
    today = datetime.fromtimestamp(store.clock(), UTC).date()
    period = Period.containing(today)
    for _step in range(SEARCH_BACK_QUARTERS):
        typed: dict[str, int] = {}
        for value in store.values.commune_values(commune_id, period.code):
            if value.indicator == "bts_vi_tri" and value.value is not None:
                try:
                    typed[value.disagg] = int(float(value.value))
                except ValueError:
                    continue
        if typed:
            return period, typed
        period = period.previous()
    return None


def register_mismatches(
    store: Store, communes: Mapping[str, str], operator_names: Mapping[str, str], language: str
) -> list[str]:
    """Sentences naming each (commune, operator) whose active BTS sites in the register
    differ from the BTS site count typed for the latest quarter with data."""
    out: list[str] = []
    for commune_id, commune_name in communes.items():
        register = {
            op: n
            for (kind, op), n in store.sites.register_counts(commune_id).items()
            if kind == "bts"
        }
        latest = _latest_bts_counts(store, commune_id)
        if latest is None:
            continue  # nothing typed yet: nothing to compare with
        period, typed = latest
        label = period.label(language)
        if language == "vi":
            label = label[:1].lower() + label[1:]
        for operator in sorted(set(register) | set(typed)):
            in_register, entered = register.get(operator, 0), typed.get(operator, 0)
            if in_register != entered:
                out.append(
                    _(
                        "{commune}: the site register has {register} BTS sites of {operator}, "
                        "the figures of {period} give {typed}."
                    ).format(
                        commune=commune_name,
                        register=in_register,
                        operator=operator_names.get(operator, operator),
                        period=label,
                        typed=entered,
                    )
                )
    return out
