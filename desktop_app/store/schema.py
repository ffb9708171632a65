"""One schema version number and the ordered migration steps that reach it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from types import ModuleType

from desktop_app.store.migrations import (
    m0001_initial,
    m0002_settings,
    m0003_sync,
    m0004_areas,
    m0005_site_code,
    m0006_period_status,
    m0007_reform,
    m0008_dimension_aggregation,
    m0009_revocations,
    m0010_catalogue_archive,
    m0011_revocation_position,
    m0012_audit_by_change,
    m0013_concurrent_heads,
    m0014_conflict_by_row,
)

_STEPS: tuple[ModuleType, ...] = (
    m0001_initial,
    m0002_settings,
    m0003_sync,
    m0004_areas,
    m0005_site_code,
    m0006_period_status,
    m0007_reform,
    m0008_dimension_aggregation,
    m0009_revocations,
    m0010_catalogue_archive,
    m0011_revocation_position,
    m0012_audit_by_change,
    m0013_concurrent_heads,
    m0014_conflict_by_row,
)

# The application_id pragma marks a file as ours ("CVDK").
APPLICATION_ID = 0x4356444B


@dataclass(frozen=True)
class Migration:
    """One step: the version it produces and the statements that produce it."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = tuple(
    Migration(m.VERSION, m.DESCRIPTION, tuple(m.STATEMENTS)) for m in _STEPS
)
SCHEMA_VERSION: int = MIGRATIONS[-1].version

assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1)), "gap in migrations"


def read_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the file (0 for a new, empty file)."""
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[Migration]:
    """Apply every step above the file's version up to ``target``.

    Each step runs in its own transaction that also bumps ``user_version``, so a
    crash leaves the file at the last completed version, never half-migrated.
    """
    applied: list[Migration] = []
    current = read_version(conn)
    for step in MIGRATIONS:
        if step.version <= current or step.version > target:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in step.statements:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {step.version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(step)
    return applied
