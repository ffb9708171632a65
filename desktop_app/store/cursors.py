"""Peer cursors: per origin and epoch, the highest sequence applied without a gap."""

from __future__ import annotations

from peewee import SqliteDatabase


def applied_vector(db: SqliteDatabase) -> dict[tuple[str, int], int]:
    """Every (origin, epoch) → highest gap-free seq applied here (local changes included)."""
    vector = {
        (str(o), int(e)): int(s)
        for o, e, s in db.execute_sql("SELECT origin, epoch, seq FROM peer_cursor")
    }
    node = db.execute_sql("SELECT node_id, epoch FROM node").fetchone()
    if node is not None:
        own = db.execute_sql(
            "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
            (node[0], node[1]),
        ).fetchone()[0]
        vector[(str(node[0]), int(node[1]))] = int(own)
    return vector


def advance(db: SqliteDatabase, origin: str, epoch: int, seq: int) -> None:
    """Move the cursor of (origin, epoch) up to ``seq`` (never down); caller holds the txn."""
    db.execute_sql(
        "INSERT INTO peer_cursor (origin, epoch, seq) VALUES (?, ?, ?)"
        " ON CONFLICT (origin, epoch) DO UPDATE SET seq = max(seq, excluded.seq)",
        (origin, epoch, seq),
    )
