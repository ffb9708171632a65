"""The units a page of this office lists: the province all of them, a district itself and
its communes, a commune itself.

The province's reference data (every unit of the province) is held by every office, so
a page that listed what the database holds showed a commune clerk every other
district's communes.
"""

from __future__ import annotations

from desktop_app.domain.units import Unit
from desktop_app.reports.plan_sheet import plan_units
from desktop_app.store.store import Store


def office_plan_units(store: Store) -> list[Unit]:
    """:func:`~desktop_app.reports.plan_sheet.plan_units` narrowed to this office's units,
    in the same order."""
    units = plan_units(store)
    office = store.reference.unit(store.node.office_id)
    if office.level == 1:
        return units
    mine = {office.id} | {u.id for u in store.reference.communes_under(office.id)}
    return [u for u in units if u.id in mine]


def office_communes(store: Store) -> list[Unit]:
    """The communes among :func:`office_plan_units`."""
    return [u for u in office_plan_units(store) if u.level == 3]
