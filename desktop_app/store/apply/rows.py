"""Reading and writing the data rows a received change names (one SQL shape per entity).

The applier keeps its own caches; these functions only translate between a
row's full state (the dict a change carries) and the table it lives in:
``value`` → ``data_value`` (written in bulk with
:data:`~desktop_app.store.repositories.values.UPSERT_VALUE_SQL`),
``village``, ``site``, ``submission`` and ``target``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from json.encoder import encode_basestring as _quote  # canonical_json's quoting of a text
from typing import Any

from peewee import SqliteDatabase

from desktop_app.domain.periods import Period, PeriodError

# data_value columns in the order :func:`value_state` reads them
VALUE_SELECT = (
    "SELECT org_id, commune_id, village_id, period, indicator, disagg, value,"
    " comment, version, hlc FROM data_value"
)

# the same columns from ``data_value d`` (joined with the keys looked up)
VALUE_SELECT_D = (
    "SELECT d.org_id, d.commune_id, d.village_id, d.period, d.indicator, d.disagg, d.value,"
    " d.comment, d.version, d.hlc"
)

SITE_FIELDS = (
    "id site_type commune_id village_id name operator technologies shared lat lon"
    " status start_date end_date notes deleted site_code"
).split()


@dataclass
class Row:
    """A row as held here: its full state (None when deleted or absent), version and HLC."""

    state: dict[str, Any] | None
    version: str
    hlc: int


def value_state(r: tuple[Any, ...] | list[Any]) -> dict[str, Any]:
    """A value's full state from a :data:`VALUE_SELECT` row."""
    return {
        "comment": r[7],
        "commune_id": r[1],
        "disagg": r[5],
        "indicator": r[4],
        "org_id": r[0],
        "period": r[3],
        "value": r[6],
        "village_id": r[2],
    }


def value_key_text(org_id: str, period: str, indicator: str, disagg: str) -> str:
    """A value's natural key text exactly as ``canonical_json`` writes it for these four
    texts, at a third of its cost (the applier compares it with a change's key text)."""
    return (
        f'{{"disagg":{_quote(disagg)},"indicator":{_quote(indicator)},'
        f'"org_id":{_quote(org_id)},"period":{_quote(period)}}}'
    )


def value_key_tuple(key: str) -> tuple[Any, ...] | None:
    """A value's natural key text as ``(org_id, period, indicator, disagg)``; None if unreadable."""
    try:
        k = json.loads(key)
        t = (k["org_id"], k["period"], k["indicator"], k["disagg"])
    except (ValueError, TypeError, KeyError, RecursionError):
        return None
    # the four columns are NOT NULL text: a key of any other type names no row
    return t if all(type(x) is str for x in t) else None


def read_row(db: SqliteDatabase, entity: str, key: dict[str, Any]) -> Row | None:
    """The row the natural ``key`` names, or None (also for an unknown entity)."""
    if entity == "value":
        r = db.execute_sql(
            f"{VALUE_SELECT} WHERE org_id = ? AND period = ? AND indicator = ? AND disagg = ?",
            (key["org_id"], key["period"], key["indicator"], key["disagg"]),
        ).fetchone()
        return None if r is None else Row(value_state(r), str(r[8]), int(r[9]))
    if entity == "village":
        r = db.execute_sql(
            "SELECT id, commune_id, name, sort_order, active, demo, version, hlc FROM village"
            " WHERE id = ?",
            (key["id"],),
        ).fetchone()
        if r is None:
            return None
        state = {
            "id": r[0],
            "commune_id": r[1],
            "name": r[2],
            "sort_order": r[3],
            "active": bool(r[4]),
            "demo": bool(r[5]),
        }
        return Row(state, str(r[6]), int(r[7]))
    if entity == "site":
        r = db.execute_sql(
            f"SELECT {', '.join(SITE_FIELDS)}, version, hlc FROM site WHERE id = ?", (key["id"],)
        ).fetchone()
        if r is None:
            return None
        fields = len(SITE_FIELDS)
        state = dict(zip(SITE_FIELDS, r[:fields], strict=True))
        state["technologies"] = [t for t in str(r[6]).split("|") if t]
        state["shared"] = bool(r[7])
        state["deleted"] = bool(r[14])
        return Row(state, str(r[fields]), int(r[fields + 1]))
    if entity == "submission":
        r = db.execute_sql(
            "SELECT commune_id, period, state, reason, version, hlc, catalogue_version"
            " FROM submission WHERE commune_id = ? AND period = ?",
            (key["commune_id"], key["period"]),
        ).fetchone()
        if r is None:
            return None
        state = {"commune_id": r[0], "period": r[1], "state": r[2], "reason": r[3]}
        if r[6]:  # a lock's catalogue version (m0010), in its change only when set
            state["catalogue_version"] = r[6]
        return Row(state, str(r[4]), int(r[5]))
    if entity == "target":
        r = db.execute_sql(
            "SELECT unit_id, year, indicator, value, version, hlc FROM target"
            " WHERE unit_id = ? AND year = ? AND indicator = ?",
            (key["unit_id"], key["year"], key["indicator"]),
        ).fetchone()
        if r is None:
            return None
        state = {"unit_id": r[0], "year": r[1], "indicator": r[2], "value": r[3]}
        return Row(state, str(r[4]), int(r[5]))
    return None


def write_village(db: SqliteDatabase, state: dict[str, Any], version: str, hlc: int) -> None:
    """Insert or update a village. Its commune changes only when the 2025 reform moves it
    into its new commune; the old one is kept in ``village_origin`` for old periods.

    A village new here has no values yet (``data_value.village_id`` is a foreign key),
    so nothing moves: the update below reads the whole ``data_value`` table (no index
    on ``village_id``), 29 ms a village on the province-sized bench database, which
    was 6.4 s of a 100k-value import that added 220 villages.
    """
    exists = db.execute_sql("SELECT 1 FROM village WHERE id = ?", (state["id"],)).fetchone()
    if exists is not None:
        db.execute_sql(
            "INSERT OR IGNORE INTO village_origin (village_id, commune_id)"
            " SELECT id, commune_id FROM village WHERE id = ? AND commune_id != ?",
            (state["id"], state["commune_id"]),
        )
        # its open work goes with it: the values of periods from the reform on (the year
        # 2025 and 2025Q3 onwards); older periods stay where they were typed
        db.execute_sql(
            "UPDATE data_value SET commune_id = ? WHERE village_id = ? AND commune_id != ?"
            " AND ((length(period) = 4 AND period >= '2025')"
            " OR (length(period) = 6 AND period >= '2025Q3'))",
            (state["commune_id"], state["id"], state["commune_id"]),
        )
    db.execute_sql(
        "INSERT INTO village (id, commune_id, name, sort_order, active, demo, version, hlc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " commune_id = excluded.commune_id,"
        " name = excluded.name, sort_order = excluded.sort_order,"
        " active = excluded.active, version = excluded.version, hlc = excluded.hlc",
        (
            state["id"],
            state["commune_id"],
            state["name"],
            state["sort_order"],
            int(bool(state["active"])),
            int(bool(state.get("demo", False))),
            version,
            hlc,
        ),
    )


def write_site(db: SqliteDatabase, state: dict[str, Any], version: str, hlc: int) -> None:
    """Insert or replace a site (a deleted one keeps its row with ``deleted`` set)."""
    db.execute_sql(
        f"INSERT OR REPLACE INTO site ({', '.join(SITE_FIELDS)}, version, hlc)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            state["id"],
            state["site_type"],
            state["commune_id"],
            state["village_id"],
            state["name"],
            state["operator"],
            "|".join(state["technologies"]),
            int(bool(state["shared"])),
            state["lat"],
            state["lon"],
            state["status"],
            state["start_date"],
            state["end_date"],
            state["notes"],
            int(bool(state["deleted"])),
            state.get("site_code", ""),  # absent from a version-3 office's changes
            version,
            hlc,
        ),
    )


def write_submission(
    db: SqliteDatabase, state: dict[str, Any], version: str, hlc: int, user: str
) -> None:
    """Insert or update the state of a (commune, period)."""
    db.execute_sql(
        "INSERT INTO submission (commune_id, period, state, reason, updated_by, version,"
        " hlc, catalogue_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (commune_id, period) DO UPDATE"
        " SET state = excluded.state, reason = excluded.reason,"
        " updated_by = excluded.updated_by, version = excluded.version,"
        " hlc = excluded.hlc, catalogue_version = excluded.catalogue_version",
        (
            state["commune_id"],
            state["period"],
            state["state"],
            state["reason"],
            user,
            version,
            hlc,
            state.get("catalogue_version") or None,
        ),
    )


def write_target(db: SqliteDatabase, state: dict[str, Any], version: str, hlc: int) -> None:
    """Insert or update a yearly target."""
    db.execute_sql(
        "INSERT INTO target (unit_id, year, indicator, value, version, hlc)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, indicator) DO UPDATE"
        " SET value = excluded.value, version = excluded.version, hlc = excluded.hlc",
        (
            state["unit_id"],
            state["year"],
            state["indicator"],
            float(state["value"]),
            version,
            hlc,
        ),
    )


def delete_value(db: SqliteDatabase, key: dict[str, Any]) -> None:
    """Remove a value row (only a late edit of a locked period that never had one)."""
    db.execute_sql(
        "DELETE FROM data_value WHERE org_id = ? AND period = ? AND indicator = ? AND disagg = ?",
        (key["org_id"], key["period"], key["indicator"], key["disagg"]),
    )


def ensure_period(db: SqliteDatabase, code: str, known: set[str]) -> None:
    """Add the period ``code`` (if it parses) unless ``known`` holds it; remember it there."""
    if code in known:
        return
    try:
        p = Period.parse(code)
    except (PeriodError, ValueError):
        return
    db.execute_sql(
        "INSERT OR IGNORE INTO period (code, kind, year, quarter, start_date, end_date)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (p.code, p.kind, p.year, p.quarter, p.start.isoformat(), p.end.isoformat()),
    )
    known.add(code)
