"""Peer cursors: per origin and epoch, the highest sequence applied without a gap.

The applied vector a bundle carries is built by ``sync/vectors.py``.
"""

from __future__ import annotations

from peewee import SqliteDatabase


def advance(db: SqliteDatabase, origin: str, epoch: int, seq: int) -> None:
    """Move the cursor of (origin, epoch) up to ``seq`` (never down); caller holds the txn."""
    db.execute_sql(
        "INSERT INTO peer_cursor (origin, epoch, seq) VALUES (?, ?, ?)"
        " ON CONFLICT (origin, epoch) DO UPDATE SET seq = max(seq, excluded.seq)",
        (origin, epoch, seq),
    )
