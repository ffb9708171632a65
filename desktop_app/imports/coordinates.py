"""Coordinates as lists write them: decimal degrees or degrees-minutes-seconds.

``21.3256``, ``21,3256`` (Vietnamese decimal comma), ``21°19'32.2"N``,
``21 19 32.2``, ``104°03′15″ E``, ``21°19.537'``; S and W make it negative. A pair in
one cell (``21.3256, 104.0542`` or ``21°19'32"N 104°3'15"E``) is split first.
"""

from __future__ import annotations

import math
import re

_DMS = re.compile(
    r"""^\s*(?P<sign>[-+−])?\s*(?P<deg>\d+(?:[.,]\d+)?)\s*(?:°|º|d|\s)\s*
    (?:(?P<min>\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|\s)?\s*)?
    (?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:"|″|”|''|s)?\s*)?
    (?P<hemi>[NSEWnsew])?\s*$""",
    re.VERBOSE,
)
_DECIMAL = re.compile(
    r"^\s*(?P<sign>[-+−])?\s*(?P<num>\d+(?:[.,]\d+)?)\s*°?\s*(?P<hemi>[NSEWnsew])?\s*$"
)
_EARTH_M = 6_371_000.0


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def parse_degrees(text: str) -> float | None:
    """Degrees of one coordinate, or None when ``text`` is not one."""
    text = text.strip().replace("\u00a0", " ")
    if not text:
        return None
    m = _DECIMAL.match(text)
    if m is not None:
        value = _number(m["num"])
        hemi = (m["hemi"] or "").upper()
    else:
        m = _DMS.match(text)
        if m is None:
            return None
        minutes = _number(m["min"]) if m["min"] else 0.0
        seconds = _number(m["sec"]) if m["sec"] else 0.0
        if minutes >= 60 or seconds >= 60:
            return None
        value = _number(m["deg"]) + minutes / 60 + seconds / 3600
        hemi = (m["hemi"] or "").upper()
    negative = m["sign"] in ("-", "−") or hemi in ("S", "W")
    return -value if negative else value


def split_pair(text: str) -> tuple[str, str] | None:
    """``"lat, lon"`` in one cell as two texts, or None."""
    text = text.strip()
    hemis = re.match(r"^(.*?[NSns])\s*[,;]?\s*(.*[EWew])$", text)
    if hemis is not None:
        return hemis[1], hemis[2]
    for sep in (";", ", ", " , ", "/", "\t"):
        if sep in text:
            a, _, b = text.partition(sep)
            return a, b
    parts = text.split(",")
    if len(parts) == 2:
        return parts[0], parts[1]
    if len(parts) == 4:  # decimal commas: "21,3256,104,0542"
        return f"{parts[0]},{parts[1]}", f"{parts[2]},{parts[3]}"
    return None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_M * math.asin(math.sqrt(a))
