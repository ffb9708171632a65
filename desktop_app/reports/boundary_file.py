"""Reading the province's GeoJSON of its communes (``coverage-desk areas import-boundaries``).

A FeatureCollection whose features each name a commune of the province in their
properties: ``unit_id`` (``pre2025:04108``), or a commune code (``ma_xa``, ``MaXa``,
``code``), or its name (``ten_xa``, ``TenXa``, ``name``; diacritics and case ignored,
"Xã"/"Phường"/"Thị trấn" optional). Every feature is checked: one naming no commune or
without a polygon is refused with its number and reason, and nothing is published then
unless ``partial``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.domain.geo import GeometryError, rings_of
from desktop_app.domain.text import fold_diacritics
from desktop_app.i18n import _
from desktop_app.reports.plan_sheet import PlanSheetError, plan_units
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.store import Store

CODE_KEYS = ("ma_xa", "MaXa", "maxa", "code", "ma")
NAME_KEYS = ("ten_xa", "TenXa", "tenxa", "name", "ten")
KINDS = ("xa ", "phuong ", "thi tran ")


@dataclass(frozen=True)
class BoundaryImport:
    """Features read, boundaries changed, and the refused features (one line each)."""

    read: int
    changed: int
    problems: tuple[str, ...]
    applied: bool


def _folded(name: str) -> str:
    text = fold_diacritics(name).lower().strip()
    for kind in KINDS:
        if text.startswith(kind):
            return text[len(kind) :].strip()
    return text


def import_boundaries(store: Store, path: Path, *, partial: bool = False) -> BoundaryImport:
    """Check the GeoJSON at ``path`` and publish its communes' boundaries."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanSheetError(path=str(path), detail=_("the file does not exist")) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise PlanSheetError(path=str(path), detail=_("not a GeoJSON file")) from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise PlanSheetError(path=str(path), detail=_("not a GeoJSON FeatureCollection"))
    communes = [u for u in plan_units(store) if u.level == 3]
    by_id = {u.id: u for u in communes}
    by_code = {u.code: u for u in communes}
    by_name: dict[str, list[str]] = {}
    for u in communes:
        by_name.setdefault(_folded(u.name), []).append(u.id)
    geometries: dict[str, Any] = {}
    problems: list[str] = []
    for number, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        unit_id = str(props.get("unit_id") or "")
        code = next((str(props[k]) for k in CODE_KEYS if props.get(k) not in (None, "")), "")
        name = next((str(props[k]) for k in NAME_KEYS if props.get(k) not in (None, "")), "")
        found: str | None = None
        if unit_id in by_id:
            found = unit_id
        elif code and (code.zfill(5) in by_code):
            found = by_code[code.zfill(5)].id
        elif name and len(by_name.get(_folded(name), [])) == 1:
            found = by_name[_folded(name)][0]

        def refuse(reason: str, number: int = number) -> None:
            problems.append(_("Feature {n}: {reason}").format(n=number, reason=reason))

        if found is None:
            named = unit_id or code or name or "—"
            refuse(_("no commune of the province is {name}").format(name=named))
            continue
        try:
            rings_of(feature.get("geometry"))
        except GeometryError as exc:
            refuse(_("the geometry is not a polygon: {detail}").format(detail=exc))
            continue
        geometries[found] = feature["geometry"]
    applied = partial or not problems
    changed = BoundaryRepository(store).publish(geometries) if applied else 0
    return BoundaryImport(len(features), changed, tuple(problems), applied)
