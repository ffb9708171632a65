"""Build ``resources/units/units.json`` from the national administrative-unit data.

Usage::

    .venv/bin/python build/make_resources.py /work/shared/data/vn_admin_units.json [--out PATH]

The source holds the pre-2025 three-level structure (``legacy``: provinces, districts,
communes) and the 2025 two-level structure (``current``: provinces, communes with the
pre-2025 communes each was formed from). Codes were reused by the 2025 reform, so every
unit is written as ``structure:code`` (``pre2025:03646``, ``2025:03646``).

Output (one line, UTF-8, no spaces)::

    {"format": 1, "version": "2026-09-20", "source": "...",
     "units": [[id, name, kind, level, parent_id_or_null], ...],
     "sources": {"2025:xxxxx": ["pre2025:yyyyy", ...]}}

Units come parents first (provinces, then districts, then communes) in each structure.
2025 communes without pre-2025 sources (a few island special zones) have no ``sources``
entry. The script checks the data it reads and stops with a message on anything odd.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

FORMAT = 1
PROVINCE, DISTRICT, COMMUNE = 1, 2, 3

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "resources" / "units" / "units.json"

# Pre-2025 communes dissolved by the late-2024 mergers (after the packaged 2025 lineage was
# drawn) whose successor public sources name; the rest are mapped by their province
# (``coverage-desk reform plan``). Sơn La, Resolution 1280/NQ-UBTVQH15 (14 Nov 2024):
# * Xã Chiềng Ly (03751) went partly into Thị trấn Thuận Châu and wholly otherwise into the new
#   Xã Phổng Ly with Xã Phổng Lăng (03748); both are in 2025 Xã Thuận Châu (2025:03721).
# * Thị trấn Phù Yên (03898) went wholly into the new Thị trấn Quang Huy (code 03910, with part
#   of Xã Quang Huy), a source of 2025 Xã Phù Yên (2025:03910).
# Xã Huy Bắc (03913) was split (part into Quang Huy, the rest elsewhere); Tân Hợp (03988), Qui
# Hướng (03991), Tà Lai (04003) and Thị trấn Yên Châu (04060): no public source found here.
LINEAGE_FIXES: dict[str, tuple[str, ...]] = {
    "2025:03721": ("pre2025:03751",),
    "2025:03910": ("pre2025:03898",),
}

Row = list[Any]


class SourceError(Exception):
    """The source file does not have the expected shape."""


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split()))


def _code(item: dict[str, Any], digits: int, what: str) -> str:
    code = item.get("code")
    if not isinstance(code, str) or len(code) != digits or not code.isdigit():
        raise SourceError(f"{what}: bad code {code!r} in {item!r}")
    return code


def _data_version(source_text: str) -> str:
    match = re.search(r"\b(\d{4}-\d{2}-\d{2})\b", source_text)
    if match is None:
        raise SourceError(f"no data date (YYYY-MM-DD) in the source text {source_text!r}")
    return match.group(1)


def build_units(data: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed source JSON into the ``units.json`` document."""
    source_text = str(data.get("source", ""))
    units: list[Row] = []
    seen: set[str] = set()

    def add(unit_id: str, item: dict[str, Any], level: int, parent: str | None) -> None:
        if unit_id in seen:
            raise SourceError(f"duplicate unit {unit_id}")
        if parent is not None and parent not in seen:
            raise SourceError(f"{unit_id}: parent {parent} is unknown")
        name, kind = _nfc(str(item["name"])), _nfc(str(item["kind"]))
        if not name or not kind:
            raise SourceError(f"{unit_id}: empty name or kind")
        seen.add(unit_id)
        units.append([unit_id, name, kind, level, parent])

    legacy, current = data["legacy"], data["current"]
    for item in legacy["provinces"]:
        add(f"pre2025:{_code(item, 2, 'pre2025 province')}", item, PROVINCE, None)
    for item in legacy["districts"]:
        code = _code(item, 3, "pre2025 district")
        add(f"pre2025:{code}", item, DISTRICT, f"pre2025:{item['province']}")
    for item in legacy["communes"]:
        code = _code(item, 5, "pre2025 commune")
        add(f"pre2025:{code}", item, COMMUNE, f"pre2025:{item['district']}")

    for item in current["provinces"]:
        add(f"2025:{_code(item, 2, '2025 province')}", item, PROVINCE, None)
    sources: dict[str, list[str]] = {}
    for item in current["communes"]:
        unit_id = f"2025:{_code(item, 5, '2025 commune')}"
        add(unit_id, item, COMMUNE, f"2025:{item['province']}")
        legacy_ids = [f"pre2025:{code}" for code in item.get("legacy_sources", [])]
        for legacy_id in legacy_ids:
            if legacy_id not in seen or not legacy_id.startswith("pre2025:"):
                raise SourceError(f"{unit_id}: source {legacy_id} is unknown")
        if len(set(legacy_ids)) != len(legacy_ids):
            raise SourceError(f"{unit_id}: repeated source")
        legacy_ids += [s for s in LINEAGE_FIXES.get(unit_id, ()) if s not in legacy_ids]
        if legacy_ids:
            sources[unit_id] = sorted(legacy_ids)

    return {
        "format": FORMAT,
        "version": _data_version(source_text),
        "source": source_text,
        "units": units,
        "sources": sources,
    }


def main(argv: list[str] | None = None) -> int:
    """Command line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("source", type=Path, help="vn_admin_units.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output file")
    args = parser.parse_args(argv)

    try:
        data = json.loads(args.source.read_text(encoding="utf-8"))
        document = build_units(data)
    except (OSError, ValueError, KeyError, TypeError, SourceError) as exc:
        print(f"make_resources: {args.source}: {exc}", file=sys.stderr)
        return 1

    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(args.out)
    counts: dict[str, int] = {}
    for row in document["units"]:
        key = f"{row[0].split(':')[0]} level {row[3]}"
        counts[key] = counts.get(key, 0) + 1
    summary = ", ".join(f"{key}: {n}" for key, n in counts.items())
    print(f"wrote {args.out} (version {document['version']}; {summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
