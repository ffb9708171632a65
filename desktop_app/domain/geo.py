"""Coordinates on a flat map without a tile server: a local projection and GeoJSON rings.

An equirectangular projection centred on the area (x east, y north, in kilometres,
longitudes shrunk by the cosine of the centre's latitude) is true to within a fraction
of a percent over a province, which is all a map of sites needs. Pure, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

EARTH_KM = 6371.0

Ring = list[tuple[float, float]]  # (lon, lat) pairs


class GeometryError(ValueError):
    """A GeoJSON geometry that is not a polygon or multipolygon of numbers."""


@dataclass(frozen=True)
class Projection:
    """The local projection around (lat0, lon0)."""

    lat0: float
    lon0: float

    @classmethod
    def around(cls, points: Iterable[tuple[float, float]]) -> Projection:
        """Centred on the middle of ``points`` (lat, lon); Sơn La's centre when none."""
        pts = list(points)
        if not pts:
            return cls(21.3, 103.9)
        lats, lons = [p[0] for p in pts], [p[1] for p in pts]
        return cls((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        """Kilometres east and north of the centre."""
        k = math.pi / 180 * EARTH_KM
        return ((lon - self.lon0) * k * math.cos(math.radians(self.lat0)), (lat - self.lat0) * k)


def rings_of(geometry: Any) -> list[Ring]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon; :class:`GeometryError` else."""
    if not isinstance(geometry, dict):
        raise GeometryError("no geometry")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else None
    if not isinstance(polygons, list):
        raise GeometryError(f"geometry {kind!r} is not a Polygon or MultiPolygon")
    rings: list[Ring] = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon or not isinstance(polygon[0], list):
            raise GeometryError("a polygon without rings")
        ring: Ring = []
        for point in polygon[0]:
            if (
                not isinstance(point, list | tuple)
                or len(point) < 2
                or not all(
                    isinstance(c, int | float) and not isinstance(c, bool) for c in point[:2]
                )
            ):
                raise GeometryError(f"a point that is not two numbers: {point!r}")
            lon, lat = float(point[0]), float(point[1])
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                raise GeometryError(f"a point off the globe: {point!r}")
            ring.append((lon, lat))
        if len(ring) < 3:
            raise GeometryError("a ring of fewer than three points")
        rings.append(ring)
    return rings


def centroid(rings: list[Ring]) -> tuple[float, float]:
    """(lat, lon) of the rings' points' mean: where a commune's label goes."""
    points = [p for ring in rings for p in ring]
    return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))
