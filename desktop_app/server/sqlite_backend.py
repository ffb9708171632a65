"""The default backend: the province office database itself (SQLite, one file).

The server keeps its feed, cursors, batch answers and settings in tables of their
own beside the province's data (:mod:`desktop_app.server.sqlite_feed`); one writer
thread takes the pushes into the feed (:mod:`desktop_app.server.sqlite_writer`)
and, when pushes pause, applies the feed to the province's tables
(:mod:`desktop_app.server.sqlite_apply`); a pull first puts into the feed the
province's own changes and what it received by stick
(:mod:`desktop_app.server.sqlite_publish`). This module starts the backend on the
file and answers the reads: the vector, the revocations, the feed pages.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import zstandard

from desktop_app.server.auth import Claims
from desktop_app.server.backend import Page, rejection_page, visible_offices
from desktop_app.server.sqlite_apply import APPLY_CHANGES, MAX_LAG, QUIET
from desktop_app.server.sqlite_feed import TABLES, config_value, upgrade_tables
from desktop_app.server.sqlite_publish import FeedPublish
from desktop_app.server.sqlite_writer import FeedWriter
from desktop_app.server.timings import PhaseTimes
from desktop_app.store.store import Clock, Store
from desktop_app.sync.certificates import (
    Revoked,
    is_province,
    my_certificate,
    read_revocations,
    revocation_list,
    revocation_positions,
    revoked_serials,
    store_revocations,
)
from desktop_app.sync.errors import EnrolmentError
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.vectors import Vector, full_vector

__all__ = ["SqliteBackend"]


class SqliteBackend(FeedWriter, FeedPublish):
    """The feed in the province office database, applied to it behind the pushes."""

    mode = "sqlite"

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = time.time,
        quiet: float = QUIET,
        max_lag: float = MAX_LAG,
    ) -> None:
        self.quiet, self.max_lag = quiet, max_lag
        self.timings = PhaseTimes()
        self.store = Store.open(Path(path), clock=clock, user="server")
        store = self.store
        try:
            if not is_province(store):
                raise EnrolmentError(detail=f"{path} is not the province office's database")
            _cert, self.province_key = my_certificate(store)
            with store.transaction():
                for sql in TABLES:
                    store.db.execute_sql(sql)
                upgrade_tables(store)
                self.secret = bytes.fromhex(config_value(store, "secret", os.urandom(32).hex()))
                self.feed_id = config_value(store, "feed_id", str(uuid.uuid4()))
                # a restored backup has a new epoch and may hold less of the feed than the
                # offices pulled: a new feed id makes every office pull it from the start
                # (nothing doubles: what they hold is skipped) instead of skipping new entries
                epoch = str(store.node.epoch)
                if config_value(store, "feed_epoch", epoch) != epoch:
                    self.feed_id = str(uuid.uuid4())
                    store.db.execute_sql(
                        "UPDATE server_config SET value = ? WHERE key = 'feed_id'", (self.feed_id,)
                    )
                    store.db.execute_sql(
                        "UPDATE server_config SET value = ? WHERE key = 'feed_epoch'", (epoch,)
                    )
                # a feed written by a version that applied each push as it took it is applied
                self._applied = int(config_value(store, "applied_fseq", str(self.feed_head())))
        except BaseException:
            store.close()
            raise
        node = store.node
        self.province_node, self.province_office = node.node_id, node.office_id
        self._parents: dict[str, str | None] = {
            str(i): (None if p is None else str(p))
            for i, p in store.db.execute_sql("SELECT id, parent_id FROM unit")
        }
        # the province's own record of each village's commune judges a row's real owner
        # (new villages of a push are learnt as it is taken; the table is read again after
        # each apply, for the villages the province itself moved)
        self._authorise = Authoriser.over(self._parents, self._village_table())
        # what the server holds without a gap, by stream (replaced whole after each commit)
        self._received: Vector = {
            (str(o), int(e)): int(s)
            for o, e, s in store.db.execute_sql("SELECT origin, epoch, seq FROM server_cursor")
        }
        row = store.db.execute_sql(
            "SELECT COALESCE(MAX(fseq), 0) FROM server_feed WHERE batch_id IS NOT NULL"
        ).fetchone()
        # the newest pushed segment (the province's own and those from a stick need no apply)
        self._feed_top = int(row[0])
        self._oldest_pending: float | None = (
            time.monotonic() if self._feed_top > self._applied else None
        )
        self._last_push = 0.0
        self._last_failure = 0.0
        self._failures = 0
        self._chunk = APPLY_CHANGES
        # certificates already in sync_node (node → serial; the writer's, for remember_node)
        self._known_nodes: dict[str, int] = {}
        # the signed revocation list, re-signed only when the revocations change
        self._revocations: tuple[list[Any], dict[str, Any]] | None = None
        # sync_segment's highest rowid when _publish_received last looked at it, and the
        # streams it left with stick segments after a gap in the feed
        self._received_mark: int | None = None
        self._stick_waiting = set()
        # the province's own changes already in the feed, by epoch
        self._published: dict[int, int] = {
            int(e): int(s)
            for e, s in store.db.execute_sql(
                "SELECT epoch, MAX(seq_to) FROM server_feed WHERE origin = ? GROUP BY epoch",
                (self.province_node,),
            )
        }
        self.apply_error: str | None = None
        self._applied_event = threading.Condition()
        self._lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue = []
        self._cctx = zstandard.ZstdCompressor(level=1)
        # one writer thread: one connection whose page cache stays warm between batches
        self._wake = threading.Condition(self._queue_lock)
        self._writer: threading.Thread | None = None
        self._closing = False
        # WAL checkpoints in a thread of their own, off the commit a client waits for
        self._checkpoint = threading.Event()
        self._checkpointer: threading.Thread | None = None
        if self._oldest_pending is not None:
            with self._wake:
                self._start_threads()  # a feed left unapplied by the last run

    # --- reads ---

    def revoked(self) -> Revoked:
        return revoked_serials(self.store)

    def parents(self) -> dict[str, str | None]:
        return self._parents

    def _village_table(self) -> dict[str, str]:
        """village → commune, as the province's tables hold them."""
        return {
            str(i): str(c)
            for i, c in self.store.db.execute_sql("SELECT id, commune_id FROM village")
        }

    def feed_head(self) -> int:
        row = self.store.db.execute_sql("SELECT COALESCE(MAX(fseq), 0) FROM server_feed")
        return int(row.fetchone()[0])

    def vector_for(self, claims: Claims, received: Vector | None = None) -> Vector:
        """What the province holds of the office's scope: its tables and the feed, merged."""
        received = self._received if received is None else received
        if claims.level == 1:
            held = full_vector(self.store)
            nodes = None
        else:
            offices = sorted(claims.scope)
            nodes = {
                str(r[0])
                for r in self.store.db.execute_sql(
                    "SELECT node_id FROM sync_node WHERE office_id IN"
                    f" ({', '.join('?' * len(offices))})",
                    offices,
                )
            }
            if not nodes:
                return {}
            marks = ", ".join("?" * len(nodes))
            held = {
                (str(o), int(e)): int(s)
                for o, e, s in self.store.db.execute_sql(
                    f"SELECT origin, epoch, seq FROM peer_cursor WHERE origin IN ({marks})",
                    sorted(nodes),
                )
            }
        for stream, seq in received.items():
            if (nodes is None or stream[0] in nodes) and seq > held.get(stream, 0):
                held[stream] = seq
        return held

    def add_count(self, name: str, n: int = 1) -> None:
        with self.store.transaction():
            self.store.db.execute_sql(
                "INSERT INTO server_count (name, n) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET n = n + excluded.n",
                (name, n),
            )

    def count(self, name: str) -> int:
        row = self.store.db.execute_sql(
            "SELECT n FROM server_count WHERE name = ?", (name,)
        ).fetchone()
        return 0 if row is None else int(row[0])

    def use_nonce(self, nonce: str, expires: float, now: float) -> bool:
        db = self.store.db
        with self.store.transaction():
            db.execute_sql("DELETE FROM server_nonce WHERE expires < ?", (now,))
            cur = db.execute_sql(
                "INSERT OR IGNORE INTO server_nonce (nonce, expires) VALUES (?, ?)",
                (nonce, expires),
            )
            return bool(cur.rowcount == 1)

    def install_revocations(self, doc: dict[str, Any]) -> int | None:
        # the province's window writes them to this very file: nothing new, as a rule
        rows = read_revocations(doc, self.province_key)
        if rows is None:
            return None
        with self.store.transaction():
            return store_revocations(self.store, rows, revocation_positions(doc))

    def _revocation_list(self) -> dict[str, Any]:
        """The province's signed revocation list (signed again only when it changed)."""
        rows = list(
            self.store.db.execute_sql("SELECT serial, revoked_at FROM revocation ORDER BY serial")
        )
        if self._revocations is None or self._revocations[0] != rows:
            self._revocations = (rows, revocation_list(self.store))
        return self._revocations[1]

    def pull(self, claims: Claims, after: int, limit: int, rejections_after: int = 0) -> Page:
        self._publish_own()
        self._publish_received()
        store = self.store
        head = self.feed_head()
        offices = sorted(visible_offices(claims, self._parents, self.province_office))
        where = "fseq > ? AND fseq <= ? AND origin != ?"
        params: list[Any] = [after, head, claims.node_id]
        if offices:
            where += f" AND office_id IN ({', '.join('?' * len(offices))})"
            params += offices
        rows = store.db.execute_sql(
            f"SELECT fseq, header, body FROM server_feed WHERE {where} ORDER BY fseq LIMIT ?",
            (*params, limit),
        ).fetchall()
        dctx = zstandard.ZstdDecompressor()
        entries = [(int(f), str(h), dctx.decompress(bytes(b))) for f, h, b in rows]
        more = len(entries) == limit
        next_after = entries[-1][0] if more else max(head, after)
        scope = sorted(claims.scope)
        rej_sql = "SELECT id, origin, epoch, seq, reason FROM sync_quarantine WHERE id > ?"
        rej_params: list[Any] = [rejections_after]
        if claims.level != 1:
            rej_sql += f" AND signer IN ({', '.join('?' * len(scope))})"
            rej_params += scope
        rej_rows = store.db.execute_sql(
            rej_sql + " ORDER BY id LIMIT ?", (*rej_params, limit + 1)
        ).fetchall()
        rejections, rej_next, rej_more = rejection_page(rej_rows, rejections_after, limit)
        return Page(
            entries,
            next_after,
            more,
            self.vector_for(claims),
            rejections,
            self._revocation_list(),
            rej_next,
            rej_more,
        )

    def close(self) -> None:
        """Stop taking pushes, apply what is pending, stop the threads."""
        with self._wake:
            self._closing = True
            self._wake.notify()
            writer, checkpointer = self._writer, self._checkpointer
        if writer is not None:
            writer.join(600)
        self._checkpoint.set()
        if checkpointer is not None:
            checkpointer.join(60)
        self.store.close()
