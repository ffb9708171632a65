"""The organisation units of the DHIS2 metadata package, across the 2025 reform.

DHIS2 holds ONE organisation unit hierarchy, and a data value belongs to the org unit it
was recorded for. The reform (1 July 2025) closed Sơn La's districts and 204 communes and
opened 75 new communes, and moved the villages into them. The package therefore says:

* every administrative unit with its real parent in its own structure and its life
  (``openingDate``; ``closedDate`` for the old units: ``unit.valid_from``/``valid_to``),
  and every ancestor up to its province, so each unit is at its level (pre-2025:
  province 1, district 2, commune 3; 2025: province 1, commune 2) whichever unit was
  exported. An old commune stays under its old district (a closed branch), where its
  commune-wide values of the periods before the reform are kept;
* a village under the commune it belongs to now (the village register), in every
  package: a pre-reform export describes a moved village under its new commune, as the
  post-reform one does, so importing the two never moves a village back and forth;
* for an exported period, every unit its dataValueSet can name (``aggregation.collected``:
  a 2025 commune's pre-reform values are its old communes' and their villages'), so each
  value's ``orgUnit`` is in the package; without a period, every unit the dataValueSet
  of any period the office holds values of can name, before and after the reform, so
  the one package an administrator imports serves all of them.

Before this, a 2025 commune's pre-reform export named its old communes, which its package
did not describe, and an old commune's export named its villages, which its package no
longer listed once they had moved (``tests/reform/test_dhis2_reform.py``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from desktop_app.domain.periods import Period
from desktop_app.domain.units import Unit
from desktop_app.store.store import Store

#: a village (no founding date in the register), or a unit with no start in the directory
DEFAULT_OPENING = "2000-01-01"


def uid(code: str) -> str:
    """A stable DHIS2 UID (a letter and ten letters or digits) derived from ``code``."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return alphabet[digest[0] % 52] + "".join(alphabet[b % 62] for b in digest[1:11])


def short(text: str) -> str:
    """A DHIS2 short name (at most 50 characters)."""
    return text[:50]


def organisation_units(
    store: Store, unit_id: str, period: Period | None = None
) -> list[dict[str, Any]]:
    """The org units of ``unit_id``'s package: its ancestors, itself, its districts and
    communes and their villages of today, and every commune and village its values for
    ``period`` are recorded under (without a period: for every period the database holds
    values of); parents before children."""
    from desktop_app.store.aggregation import collected

    db: Any = store.db  # peewee leaves execute_sql untyped
    life = {
        str(i): (str(start) if start else None, str(end) if end else None)
        for i, start, end in db.execute_sql("SELECT id, valid_from, valid_to FROM unit")
    }
    register = {
        str(v): (str(c), str(n))
        for v, c, n in db.execute_sql("SELECT id, commune_id, name FROM village")
    }
    units: list[dict[str, Any]] = []
    seen: set[str] = set()

    def row(code: str, name: str, parent: str | None, opening: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": uid(code),
            "code": code,
            "name": name,
            "shortName": short(name),
            "openingDate": opening,
        }
        if parent is not None:
            out["parent"] = {"id": uid(parent)}
        return out

    def add_unit(unit: Unit) -> None:
        if unit.id in seen:
            return
        if unit.parent_id:
            add_unit(store.reference.unit(unit.parent_id))
        seen.add(unit.id)
        opening, closing = life.get(unit.id, (None, None))
        units.append(row(unit.id, unit.name, unit.parent_id, opening or DEFAULT_OPENING))
        if closing:
            units[-1]["closedDate"] = closing

    def add_village(village_id: str, name: str) -> None:
        if village_id in seen:
            return
        commune_id, registered_name = register.get(village_id, ("", name))
        add_unit(store.reference.unit(commune_id))
        seen.add(village_id)
        units.append(row(village_id, registered_name, commune_id, DEFAULT_OPENING))

    add_unit(store.reference.unit(unit_id))
    for commune in store.reference.communes_under(unit_id):
        add_unit(commune)
        for village in store.villages.for_commune(commune.id):
            add_village(village.id, village.name)
    periods = [period] if period is not None else held_periods(store)
    for each in periods:
        plan = collected(store, unit_id, each)
        for commune in plan.communes:
            add_unit(commune)
        for members in plan.villages.values():
            for village_id, name in members:
                add_village(village_id, name)
    return units


def held_periods(store: Store) -> list[Period]:
    """Every period the database holds a value of, oldest first."""
    db: Any = store.db
    codes = [str(c) for (c,) in db.execute_sql("SELECT DISTINCT period FROM data_value")]
    return sorted((Period.parse(c) for c in codes), key=lambda p: (p.year, p.quarter or 5))
