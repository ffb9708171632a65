"""What "Kỳ trước" counts: the previous period over the same communes as this one.

:func:`same_basis` when both periods read the same communes, :func:`same_basis_across`
across the 2025 reform (a 2025 unit's quarter after 1 July 2025 against one before it,
read from the old communes the new ones were formed from: ``store.lineage``). Both
return the previous period's data restricted to the same basis, the communes kept with
nothing counted in the previous period, and those whose previous data was left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.domain.derived import CommuneData
from desktop_app.domain.units import Unit
from desktop_app.store.lineage import Collected


def _has_data(data: CommuneData) -> bool:
    return bool(data.commune_values) or any(data.villages)


def same_basis(
    communes: Sequence[Unit], now: Sequence[CommuneData], before: Sequence[CommuneData]
) -> tuple[list[CommuneData], list[Unit], list[Unit]]:
    """The previous period's data restricted to the communes counted with data this
    period, so "Kỳ trước" and "Kỳ này" compare the same communes: a commune left out this
    period (not approved, or nothing entered) is left out of the previous column too, as
    if nothing had been entered (its villages stay, with no values, as in ``excluded``).
    Without it a district with one commune approved in Q3 only showed its Q3 households
    in "Kỳ trước" (80 against 57, when the same communes had 40 against 57).

    Returns the restricted data, the communes of this period with nothing counted in the
    previous one, and the communes whose previous data was left out.
    """
    kept: list[CommuneData] = []
    missing: list[Unit] = []
    dropped: list[Unit] = []
    for commune, here, there in zip(communes, now, before, strict=True):
        if _has_data(here):
            kept.append(there)
            if not _has_data(there):
                missing.append(commune)
            continue
        kept.append(CommuneData({}, [{} for _ in there.villages]))
        if _has_data(there):
            dropped.append(commune)
    return kept, missing, dropped


def _homes(got: Collected) -> dict[str, set[str]]:
    """Commune id → the 2025 communes of ``got`` its data is reported under (itself for
    a 2025 commune; for an old one, every new commune formed from it)."""
    homes: dict[str, set[str]] = {}
    for c in got.communes:
        if c.structure == "2025":
            homes.setdefault(c.id, set()).add(c.id)
    for new_id, olds in got.sources.items():
        for old in olds:
            homes.setdefault(old.id, set()).add(new_id)
    return homes


def same_basis_across(
    now: Collected,
    now_data: Sequence[CommuneData],
    before: Collected,
    before_data: Sequence[CommuneData],
) -> tuple[list[CommuneData], list[Unit], list[Unit]]:
    """:func:`same_basis` across the 2025 reform, where the two periods read different
    communes: the previous period's old communes count when a 2025 commune they went
    into has counted data this period (the lineage and the village mapping say which),
    and are left out (``dropped``) when none has. A kept old commune with nothing
    counted in the previous period is ``missing``. Without it a new commune formed from
    two old ones, one of them not submitted before the reform, compared its whole
    territory now with half of it before, and said nothing.
    """
    homes_now = _homes(now)
    counted = {
        new_id
        for c, data in zip(now.communes, now_data, strict=True)
        if _has_data(data)
        for new_id in homes_now.get(c.id, ())
    }
    homes_before = _homes(before)
    kept: list[CommuneData] = []
    missing: list[Unit] = []
    dropped: list[Unit] = []
    for commune, there in zip(before.communes, before_data, strict=True):
        if commune.structure == "2025" and not _has_data(there):
            kept.append(there)  # a new commune before it existed: nothing to say
        elif homes_before.get(commune.id, set()) & counted:
            kept.append(there)
            if not _has_data(there):
                missing.append(commune)
        else:
            kept.append(CommuneData({}, [{} for _ in there.villages]))
            if _has_data(there):
                dropped.append(commune)
    return kept, missing, dropped
