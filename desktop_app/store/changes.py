"""The change log and the audit log, written in the caller's transaction.

Every syncable write goes through :func:`record`: it allocates the next gap-free
sequence number for the writer's (origin, epoch), stamps a hybrid logical clock
time, and writes the change and its audit entry. The caller writes the data row
in the same transaction, so the three stand or fall together.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from peewee import SqliteDatabase

from desktop_app.store.schema import SCHEMA_VERSION

# The change-log columns after its local id, in the order every writer passes them.
CHANGE_COLUMNS = (
    "origin, epoch, seq, entity, entity_key, scope_unit, period, state, base_version, hlc,"
    " schema_version, user"
)
# A change with a chosen local id (bulk writes and received changes): id, then the columns.
INSERT_CHANGE_SQL = (
    f"INSERT INTO change (id, {CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# An audit row: at, user, action, entity, entity_key, old state, new state, change id.
# A synced change's new state lives in the change itself (local or received), so ``new``
# is then NULL: read it as ``COALESCE(audit.new, change.state)``.
INSERT_AUDIT_SQL = (
    "INSERT INTO audit (at, user, action, entity, entity_key, old, new, change_id)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Actor:
    """Who writes: the installation (origin node and epoch), its office, and the user."""

    origin: str
    epoch: int
    office_id: str
    user: str


@dataclass(frozen=True)
class ChangeRef:
    """The change just written: its local row id and its version string."""

    change_id: int
    version: str
    hlc: int


def canonical_json(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the same state always gives the same text."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def version_of(origin: str, epoch: int, seq: int) -> str:
    """The version string naming a change: ``origin/epoch/seq``."""
    return f"{origin}/{epoch}/{seq}"


def heads(db: SqliteDatabase, origin: str) -> dict[int, int]:
    """Per epoch, the highest seq of ``origin`` in this change log."""
    return {
        int(e): int(s)
        for e, s in db.execute_sql(
            "SELECT epoch, MAX(seq) FROM change WHERE origin = ? GROUP BY epoch", (origin,)
        )
    }


def next_seq(db: SqliteDatabase, origin: str, epoch: int) -> int:
    """The next sequence number for (origin, epoch): one above the highest, so never a gap."""
    row = db.execute_sql(
        "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
        (origin, epoch),
    ).fetchone()
    return int(row[0]) + 1


@dataclass(frozen=True)
class Entry:
    """One syncable write to log: which row, its new full state, and what it replaced."""

    entity: str
    key: dict[str, Any]
    scope_unit: str
    period: str | None
    state: dict[str, Any] | None
    old_state: dict[str, Any] | None
    base_version: str | None
    action: str


def record(db: SqliteDatabase, actor: Actor, entry: Entry, hlc: int, at: str) -> ChangeRef:
    """Write the change and its audit entry; the caller holds the transaction."""
    seq = next_seq(db, actor.origin, actor.epoch)
    key_text = canonical_json(entry.key)
    cursor = db.execute_sql(
        f"INSERT INTO change ({CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            actor.origin,
            actor.epoch,
            seq,
            entry.entity,
            key_text,
            entry.scope_unit,
            entry.period,
            None if entry.state is None else canonical_json(entry.state),
            entry.base_version,
            hlc,
            SCHEMA_VERSION,
            actor.user,
        ),
    )
    change_id = int(cursor.lastrowid or 0)
    # The new state is kept once, in the change; the audit row points at it.
    db.execute_sql(
        INSERT_AUDIT_SQL,
        (
            at,
            actor.user,
            entry.action,
            entry.entity,
            key_text,
            None if entry.old_state is None else canonical_json(entry.old_state),
            None,
            change_id,
        ),
    )
    return ChangeRef(change_id, version_of(actor.origin, actor.epoch, seq), hlc)


def audit_only(
    db: SqliteDatabase,
    user: str,
    action: str,
    entity: str,
    key: dict[str, Any],
    at: str,
    new: dict[str, Any] | None = None,
) -> None:
    """An audit entry for a local event that is not synced (login, backup, user admin)."""
    db.execute_sql(
        INSERT_AUDIT_SQL,
        (
            at,
            user,
            action,
            entity,
            canonical_json(key),
            None,
            None if new is None else canonical_json(new),
            None,
        ),
    )
