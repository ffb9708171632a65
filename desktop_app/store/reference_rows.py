"""Reference data rows as syncable entities: the catalogue, the units, the province's
area classifications and coverage-hole programme.

The province publishes a newer catalogue or unit list as ordinary changes
(entity ``indicator``, ``dimension_member``, ``derived_indicator``, ``unit`` and
``meta`` for the version), so they travel down in bundles and over the network
like any other change, and only a province's certificate may write them. This
module is the one description of those tables: what identifies a row, which
columns it carries, and how a row is read and written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase


@dataclass(frozen=True)
class ReferenceTable:
    """One reference table: its entity name, key columns and state columns."""

    entity: str
    table: str
    key: tuple[str, ...]
    columns: tuple[str, ...]

    def key_of(self, state: dict[str, Any]) -> dict[str, Any]:
        """The natural key of a row state."""
        return {k: state[k] for k in self.key}


REFERENCE_TABLES: dict[str, ReferenceTable] = {
    t.entity: t
    for t in (
        ReferenceTable(
            "indicator",
            "indicator",
            ("code",),
            ("code", "position", "section", "level", "type", "disaggregation", "frequency",
             "unit_vi", "unit_en", "name_vi", "name_en", "rules", "note", "retired"),
        ),
        ReferenceTable(
            "dimension_member",
            "dimension_member",
            ("dimension", "code"),
            ("dimension", "code", "position", "name_vi", "name_en", "aggregation"),
        ),
        ReferenceTable(
            "derived_indicator",
            "derived_indicator",
            ("code",),
            ("code", "position", "level", "unit", "name_vi", "name_en", "formula", "note"),
        ),
        ReferenceTable(
            "unit",
            "unit",
            ("id",),
            ("id", "structure", "code", "name", "kind", "level", "parent_id", "valid_from",
             "valid_to", "border", "remote"),
        ),
        ReferenceTable("unit_source", "unit_source", ("unit_id", "source_id"),
                       ("unit_id", "source_id")),
        ReferenceTable("village_mapping", "village_mapping", ("village_id",),
                       ("village_id", "commune_id")),
        ReferenceTable("meta", "meta", ("key",), ("key", "value")),
        # the province's area classifications and coverage-hole programme (m0004)
        ReferenceTable(
            "area_decision",
            "area_decision",
            ("id",),
            ("id", "title", "signed", "valid_from", "valid_to", "removed"),
        ),
        ReferenceTable(
            "area_member",
            "area_member",
            ("decision_id", "kind", "place_id"),
            ("decision_id", "kind", "place_id", "removed"),
        ),
        ReferenceTable(
            "coverage_hole",
            "coverage_hole",
            ("id",),
            ("id", "commune_id", "village_id", "lack", "since", "site_id", "operator",
             "target_year", "funding", "status", "closed_period", "notes", "removed"),
        ),
        ReferenceTable("unit_boundary", "unit_boundary", ("unit_id",),
                       ("unit_id", "geometry", "removed")),
    )
}  # fmt: skip

# What a province may publish; the catalogue entities change the catalogue in force.
CATALOGUE_ENTITIES = ("indicator", "dimension_member", "derived_indicator")
# Meta keys a province may set (the versions of what it published).
PUBLISHED_META = ("catalogue_version", "units_version", "village_mapping_version")


def read_reference(db: SqliteDatabase, entity: str, key: dict[str, Any]) -> dict[str, Any] | None:
    """The row state of a reference entity, or None."""
    t = REFERENCE_TABLES[entity]
    where = " AND ".join(f"{k} = ?" for k in t.key)
    row = db.execute_sql(
        f"SELECT {', '.join(t.columns)} FROM {t.table} WHERE {where}",
        tuple(key[k] for k in t.key),
    ).fetchone()
    return None if row is None else dict(zip(t.columns, row, strict=True))


def write_reference(
    db: SqliteDatabase, entity: str, state: dict[str, Any], version: str | None = None
) -> None:
    """Insert or replace a reference row (units also keep the change that wrote them)."""
    t = REFERENCE_TABLES[entity]
    columns = list(t.columns)
    values = [state.get(c) for c in columns]
    if entity == "unit" and version is not None:
        columns.append("version")
        values.append(version)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in t.key)
    db.execute_sql(
        f"INSERT INTO {t.table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
        f" ON CONFLICT ({', '.join(t.key)}) DO UPDATE SET {updates}",
        tuple(values),
    )
