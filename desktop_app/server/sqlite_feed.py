"""The server's own tables on the province office database (SQLite mode), and the state
the parts of :class:`desktop_app.server.sqlite_backend.SqliteBackend` share.

The server keeps its FEED (every accepted segment as its author signed it),
its per-(origin, epoch) cursors (what it holds without a gap, the
acknowledgement that goes down), the batch answers and its settings in tables
of their own beside the province's data (created with ``CREATE TABLE IF NOT
EXISTS`` when the server starts). The backend is one class in four parts, one
module each: this state, the writer that takes pushes
(:mod:`~desktop_app.server.sqlite_writer`), the apply of the feed to the
province's tables (:mod:`~desktop_app.server.sqlite_apply`), and what is put
into the feed besides pushes (:mod:`~desktop_app.server.sqlite_publish`).
"""

from __future__ import annotations

import abc
import threading
from typing import Any

import zstandard

from desktop_app.server.auth import Claims
from desktop_app.server.backend import Backend, Stream
from desktop_app.store.store import Store
from desktop_app.sync.certificates import Revoked
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.vectors import Vector

TABLES = (
    "CREATE TABLE IF NOT EXISTS server_feed (fseq INTEGER PRIMARY KEY, origin TEXT NOT NULL,"
    " epoch INTEGER NOT NULL, seq_from INTEGER NOT NULL, seq_to INTEGER NOT NULL,"
    " n INTEGER NOT NULL, office_id TEXT NOT NULL, level INTEGER NOT NULL,"
    " header TEXT NOT NULL, body BLOB NOT NULL, batch_id TEXT, received_at TEXT NOT NULL,"
    " sender TEXT)",
    "CREATE INDEX IF NOT EXISTS server_feed_stream ON server_feed (origin, epoch, seq_to)",
    "CREATE INDEX IF NOT EXISTS server_feed_office ON server_feed (office_id, fseq)",
    # batch ids are the sending office's own: another office's same id is another batch
    "CREATE TABLE IF NOT EXISTS server_batch (batch_id TEXT NOT NULL, node_id TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, answer TEXT NOT NULL, at TEXT NOT NULL,"
    " PRIMARY KEY (node_id, batch_id))",
    # sign-in challenges already used, kept until they expire (single use)
    "CREATE TABLE IF NOT EXISTS server_nonce (nonce TEXT PRIMARY KEY, expires REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS server_config (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS server_cursor (origin TEXT NOT NULL, epoch INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, PRIMARY KEY (origin, epoch))",
    # what /v1/health counts (dropped uploads), kept across restarts
    "CREATE TABLE IF NOT EXISTS server_count (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    # the feed's ranges without its rows' headers and bodies (held_segments)
    "CREATE INDEX IF NOT EXISTS server_feed_range ON server_feed (origin, epoch, seq_from, seq_to)",
)


def upgrade_tables(store: Store) -> None:
    """Bring the server tables of an older version up to date (inside a transaction)."""
    db = store.db
    columns = {str(r[1]) for r in db.execute_sql("PRAGMA table_info(server_feed)")}
    if "sender" not in columns:
        db.execute_sql("ALTER TABLE server_feed ADD COLUMN sender TEXT")
    keys = [str(r[1]) for r in db.execute_sql("PRAGMA table_info(server_batch)") if r[5]]
    if keys == ["batch_id"]:  # keyed by batch id alone: one office could squat another's
        db.execute_sql("ALTER TABLE server_batch RENAME TO server_batch_old")
        db.execute_sql(TABLES[3])
        db.execute_sql(
            "INSERT INTO server_batch (batch_id, node_id, sha256, answer, at)"
            " SELECT batch_id, node_id, sha256, answer, at FROM server_batch_old"
        )
        db.execute_sql("DROP TABLE server_batch_old")


def config_value(store: Store, key: str, make: str) -> str:
    """The server setting ``key``, written as ``make`` the first time."""
    store.db.execute_sql(
        "INSERT OR IGNORE INTO server_config (key, value) VALUES (?, ?)", (key, make)
    )
    return str(
        store.db.execute_sql("SELECT value FROM server_config WHERE key = ?", (key,)).fetchone()[0]
    )


def move_cursors(db: Any, cursors: Vector) -> None:
    """Raise ``server_cursor`` to these positions (never lower it)."""
    db.cursor().executemany(
        "INSERT INTO server_cursor (origin, epoch, seq) VALUES (?, ?, ?)"
        " ON CONFLICT (origin, epoch) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        [(o, e, seq) for (o, e), seq in cursors.items()],
    )


def save_applied(db: Any, fseq: int) -> None:
    """Record that the apply has reached feed row ``fseq`` (in the caller's transaction)."""
    db.execute_sql("UPDATE server_config SET value = ? WHERE key = 'applied_fseq'", (str(fseq),))


class SqliteState(Backend):
    """What the parts of the SQLite backend share (set by its ``__init__``)."""

    store: Store
    quiet: float
    max_lag: float
    # the feed: its last row applied to the province's tables, its newest pushed row
    _applied: int
    _feed_top: int
    _oldest_pending: float | None
    _last_push: float
    _last_failure: float
    _failures: int
    _chunk: int
    apply_error: str | None
    _parents: dict[str, str | None]
    _authorise: Authoriser
    # what the server holds without a gap, by stream (replaced whole after each commit)
    _received: Vector
    _known_nodes: dict[str, int]
    _revocations: tuple[list[Any], dict[str, Any]] | None
    _received_mark: int | None
    _stick_waiting: set[Stream]
    _published: dict[int, int]
    _cctx: zstandard.ZstdCompressor
    # the writer's lock (pushes, apply, publishing) and the queue's condition
    _lock: threading.Lock
    _wake: threading.Condition
    _applied_event: threading.Condition

    @abc.abstractmethod
    def revoked(self) -> Revoked:
        """The revocations as the province's database holds them now."""

    @abc.abstractmethod
    def vector_for(self, claims: Claims, received: Vector | None = None) -> Vector:
        """What the province holds of the office's scope (``received``: the feed's)."""

    @abc.abstractmethod
    def _village_table(self) -> dict[str, str]:
        """village → commune, as the province's tables hold them."""
