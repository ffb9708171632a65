"""The default backend: the province office database itself (SQLite, one file).

A pushed batch is verified and applied through the USB import's code
(:mod:`desktop_app.netsync.adapter`) and its accepted segments appended to the
feed in the SAME transaction, so the province's window and reports opened on
the file see every change the server acknowledged. The feed, the batch answers
and the server's settings live in tables of their own (created here with
``CREATE TABLE IF NOT EXISTS``; a store migration may adopt them later).
The province's own changes (targets, reviews, decisions made in its window)
are signed with its key and published to the feed when an office pulls.

Pushes are verified (certificates, signatures, decoding) in the request's
thread; ONE writer thread then applies every push waiting, each in its own
savepoint, with one commit for the group (group commit). Its connection keeps
a large page cache warm from batch to batch, and WAL checkpoints run in a
thread of their own, so the commit a client waits for is only the WAL's fsync.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

from desktop_app.netsync.adapter import VerifiedSegment, apply_verified, verify_segments
from desktop_app.server.auth import Claims
from desktop_app.server.backend import (
    BATCH_CHANGES,
    Backend,
    BatchConflictError,
    Page,
    PushAnswer,
    visible_offices,
)
from desktop_app.store.apply import CHANGE_COLUMNS, Change
from desktop_app.store.store import Clock, Store
from desktop_app.sync.certificates import (
    is_province,
    my_certificate,
    revocation_list,
    revoked_serials,
)
from desktop_app.sync.errors import EnrolmentError
from desktop_app.sync.identity import load_identity
from desktop_app.sync.segments import make_segment
from desktop_app.sync.vectors import Vector, full_vector

TABLES = (
    "CREATE TABLE IF NOT EXISTS server_feed (fseq INTEGER PRIMARY KEY, origin TEXT NOT NULL,"
    " epoch INTEGER NOT NULL, seq_from INTEGER NOT NULL, seq_to INTEGER NOT NULL,"
    " n INTEGER NOT NULL, office_id TEXT NOT NULL, level INTEGER NOT NULL,"
    " header TEXT NOT NULL, body BLOB NOT NULL, batch_id TEXT, received_at TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS server_feed_stream ON server_feed (origin, epoch, seq_to)",
    "CREATE TABLE IF NOT EXISTS server_batch (batch_id TEXT PRIMARY KEY, node_id TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, answer TEXT NOT NULL, at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS server_config (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

# the writer's own automatic checkpoint, should the checkpointer thread fall behind (pages)
WAL_BACKSTOP_PAGES = 20000
# seconds between two checkpoints (each one copies every frame committed meanwhile)
CHECKPOINT_PAUSE = 0.25


def _config(store: Store, key: str, make: str) -> str:
    store.db.execute_sql(
        "INSERT OR IGNORE INTO server_config (key, value) VALUES (?, ?)", (key, make)
    )
    return str(
        store.db.execute_sql("SELECT value FROM server_config WHERE key = ?", (key,)).fetchone()[0]
    )


@dataclass
class _Job:
    """One push waiting for the writer (group commit)."""

    claims: Claims
    batch_id: str
    sha256: str
    verified: list[VerifiedSegment]
    answer: dict[str, Any] | None = None
    error: BaseException | None = None
    done: bool = False
    finished: threading.Event = field(default_factory=threading.Event)


class SqliteBackend(Backend):
    """The feed in the province office database; batches applied to it as they arrive."""

    mode = "sqlite"

    def __init__(self, path: Path, *, clock: Clock = time.time) -> None:
        self.store = Store.open(Path(path), clock=clock, user="server")
        store = self.store
        try:
            if not is_province(store):
                raise EnrolmentError(detail=f"{path} is not the province office's database")
            _cert, self.province_key = my_certificate(store)
            with store.transaction():
                for sql in TABLES:
                    store.db.execute_sql(sql)
                self.secret = bytes.fromhex(_config(store, "secret", os.urandom(32).hex()))
                self.feed_id = _config(store, "feed_id", str(uuid.uuid4()))
        except BaseException:
            store.close()
            raise
        node = store.node
        self.province_node, self.province_office = node.node_id, node.office_id
        self._parents: dict[str, str | None] = {
            str(i): (None if p is None else str(p))
            for i, p in store.db.execute_sql("SELECT id, parent_id FROM unit")
        }
        self._lock = threading.Lock()
        self._queue_lock = threading.Lock()
        self._queue: list[_Job] = []
        self._cctx = zstandard.ZstdCompressor(level=3)
        # one writer thread: one connection whose page cache stays warm between batches
        self._wake = threading.Condition(self._queue_lock)
        self._writer: threading.Thread | None = None
        self._closing = False
        # WAL checkpoints in a thread of their own, off the commit a client waits for
        self._checkpoint = threading.Event()
        self._checkpointer: threading.Thread | None = None

    # --- reads ---

    def revoked(self) -> set[int]:
        return revoked_serials(self.store)

    def parents(self) -> dict[str, str | None]:
        return self._parents

    def feed_head(self) -> int:
        row = self.store.db.execute_sql("SELECT COALESCE(MAX(fseq), 0) FROM server_feed")
        return int(row.fetchone()[0])

    def vector_for(self, claims: Claims) -> Vector:
        full = full_vector(self.store)
        if claims.level == 1:
            return full
        nodes = {
            str(n)
            for n, o in self.store.db.execute_sql("SELECT node_id, office_id FROM sync_node")
            if o in claims.scope
        }
        return {k: v for k, v in full.items() if k[0] in nodes}

    # --- push ---

    def push(
        self, claims: Claims, batch_id: str, sha256: str, segments: list[tuple[bytes, bytes]]
    ) -> dict[str, Any]:
        # signatures and decoding outside the writer: only the apply is serialised
        verified = verify_segments(self.store, segments, self.province_key, self.revoked())
        job = _Job(claims, batch_id, sha256, verified)
        with self._wake:
            if self._closing:
                raise RuntimeError("the server is shutting down")
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write_loop, name="province-writer", daemon=True
                )
                self._writer.start()
            if self._checkpointer is None or not self._checkpointer.is_alive():
                self._checkpointer = threading.Thread(
                    target=self._checkpoint_loop, name="province-checkpoint", daemon=True
                )
                self._checkpointer.start()
            self._queue.append(job)
            self._wake.notify()
        job.finished.wait()
        if job.error is not None:
            raise job.error
        assert job.answer is not None
        return job.answer

    def _write_loop(self) -> None:
        """The writer: every push waiting, as one group (one transaction), then the next."""
        db = self.store.db
        try:
            with contextlib.suppress(Exception):  # tuning only: the defaults work too
                db.execute_sql("PRAGMA cache_size = -65536")  # 64 MiB, this connection only
                db.execute_sql("PRAGMA temp_store = MEMORY")
                # the checkpointer thread copies the WAL back; this is only a backstop
                db.execute_sql(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}")
            while True:
                with self._wake:
                    while not self._queue and not self._closing:
                        self._wake.wait()
                    jobs, self._queue = self._queue, []
                    if not jobs:
                        return  # closing, nothing left
                try:
                    with self._lock, contextlib.suppress(Exception):  # each job holds its error
                        self._run_group(jobs)
                finally:
                    for job in jobs:
                        if not job.done:
                            job.error = job.error or RuntimeError("the writer stopped")
                        job.finished.set()
                    self._checkpoint.set()
        finally:
            self.store.close()  # this thread's connection

    def _checkpoint_loop(self) -> None:
        """Copy committed WAL frames into the database file while the writer goes on."""
        db = self.store.db
        try:
            while not self._closing:
                self._checkpoint.wait()
                self._checkpoint.clear()
                if self._closing:
                    return
                with contextlib.suppress(Exception):  # busy or failed: the next one retries
                    db.execute_sql("PRAGMA wal_checkpoint(PASSIVE)")
                time.sleep(CHECKPOINT_PAUSE)
        finally:
            self.store.close()  # this thread's connection

    def _run_group(self, jobs: list[_Job]) -> None:
        """Group commit: each push in its own savepoint, one commit (one fsync) for all."""
        db = self.store.db
        try:
            with self.store.transaction():
                for job in jobs:
                    db.execute_sql("SAVEPOINT push_job")
                    try:
                        job.answer = self._push_one(job)
                    except Exception as exc:  # this push only: the others go on
                        db.execute_sql("ROLLBACK TO push_job")
                        job.error = exc
                    db.execute_sql("RELEASE push_job")
        except BaseException as exc:  # the commit failed: nothing of the group was kept
            for job in jobs:
                job.answer, job.error = None, job.error or exc
            raise
        finally:
            for job in jobs:
                job.done = True

    def _push_one(self, job: _Job) -> dict[str, Any]:
        store, claims, batch_id, sha256 = self.store, job.claims, job.batch_id, job.sha256
        verified = job.verified
        row = store.db.execute_sql(
            "SELECT node_id, sha256, answer FROM server_batch WHERE batch_id = ?", (batch_id,)
        ).fetchone()
        if row is not None:
            if row[0] == claims.node_id and row[1] == sha256:
                answer: dict[str, Any] = json.loads(row[2])
                return answer
            raise BatchConflictError(batch_id)
        before = full_vector(store)
        applied = apply_verified(
            store, verified, received_from=claims.office_id, my_level=1, keep_for_relay=False
        )
        after = full_vector(store)
        ans = PushAnswer(batch_id, refused_segments=applied.refused)
        head = self.feed_head()
        feed_rows = []
        streams: set[tuple[str, int]] = set()
        for seg in verified:
            if not seg.header:
                continue
            lo, hi = seg.seq_range
            ans.changes += hi - lo + 1
            streams.add(seg.stream)
            had = before.get(seg.stream, 0)
            ans.skipped += max(0, min(hi, had) - lo + 1)
            if seg.batch is None or seg.info is None or seg.refused is not None:
                continue
            if hi <= had:
                continue
            head += 1
            feed_rows.append(
                (
                    head,
                    *seg.stream,
                    lo,
                    hi,
                    hi - lo + 1,
                    seg.info.office_id,
                    seg.info.level,
                    seg.header_bytes.decode("utf-8"),
                    self._cctx.compress(seg.body),
                    batch_id,
                    store.now_iso(),
                )
            )
            for o, e, s, r in store.db.execute_sql(
                "SELECT origin, epoch, seq, reason FROM sync_quarantine WHERE origin = ?"
                " AND epoch = ? AND seq BETWEEN ? AND ? ORDER BY seq",
                (*seg.stream, lo, hi),
            ):
                ans.rejections.append((str(o), int(e), int(s), str(r)))
        store.db.cursor().executemany(
            "INSERT INTO server_feed (fseq, origin, epoch, seq_from, seq_to, n, office_id,"
            " level, header, body, batch_id, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            feed_rows,
        )
        ans.accepted = sum(after.get(k, 0) - before.get(k, 0) for k in streams)
        ans.held = applied.report.backlog
        ans.feed_head = head
        ans.vector = {k: v for k, v in after.items() if k in streams} | self.vector_for(claims)
        answer = ans.to_json()
        store.db.execute_sql(
            "INSERT INTO server_batch (batch_id, node_id, sha256, answer, at)"
            " VALUES (?, ?, ?, ?, ?)",
            (batch_id, claims.node_id, sha256, json.dumps(answer), store.now_iso()),
        )
        return answer

    # --- pull ---

    def _publish_own(self) -> None:
        """Sign the province's own new changes into the feed (targets, decisions, reviews)."""
        store = self.store
        me = store.node.node_id
        sql_own = "SELECT epoch, MAX(seq) FROM change WHERE origin = ? GROUP BY epoch"
        sql_pub = "SELECT epoch, MAX(seq_to) FROM server_feed WHERE origin = ? GROUP BY epoch"

        def pending() -> dict[int, int]:
            own = {int(e): int(s) for e, s in store.db.execute_sql(sql_own, (me,))}
            pub = {int(e): int(s) for e, s in store.db.execute_sql(sql_pub, (me,))}
            return {e: pub.get(e, 0) for e, s in own.items() if s > pub.get(e, 0)}

        if not pending():
            return
        ident = load_identity(store)
        cert, _key = my_certificate(store)
        with self._lock, store.transaction():
            head = self.feed_head()
            for epoch, after in sorted(pending().items()):
                rows = store.db.execute_sql(
                    f"SELECT {CHANGE_COLUMNS} FROM change WHERE origin = ? AND epoch = ?"
                    " AND seq > ? ORDER BY seq",
                    (me, epoch, after),
                ).fetchall()
                for i in range(0, len(rows), BATCH_CHANGES):
                    chunk = [Change(*r) for r in rows[i : i + BATCH_CHANGES]]
                    header, body = make_segment(chunk, ident.private_key, cert)
                    head += 1
                    store.db.execute_sql(
                        "INSERT INTO server_feed (fseq, origin, epoch, seq_from, seq_to, n,"
                        " office_id, level, header, body, batch_id, received_at)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, ?)",
                        (
                            head,
                            me,
                            epoch,
                            chunk[0].seq,
                            chunk[-1].seq,
                            len(chunk),
                            self.province_office,
                            header.decode("utf-8"),
                            self._cctx.compress(body),
                            store.now_iso(),
                        ),
                    )

    def pull(self, claims: Claims, after: int, limit: int) -> Page:
        self._publish_own()
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
        rej_sql = "SELECT origin, epoch, seq, reason FROM sync_quarantine"
        rej_params: list[Any] = []
        if claims.level != 1:
            rej_sql += f" WHERE signer IN ({', '.join('?' * len(scope))})"
            rej_params = list(scope)
        rejections = [
            (str(o), int(e), int(s), str(r))
            for o, e, s, r in store.db.execute_sql(rej_sql + " ORDER BY id", rej_params)
        ]
        return Page(
            entries,
            next_after,
            more,
            self.vector_for(claims),
            rejections,
            revocation_list(store),
        )

    def close(self) -> None:
        with self._wake:
            self._closing = True
            self._wake.notify()
            writer, checkpointer = self._writer, self._checkpointer
        self._checkpoint.set()
        for thread in (writer, checkpointer):
            if thread is not None:
                thread.join(60)
        self.store.close()
