"""The default backend: the province office database itself (SQLite, one file).

The server keeps its FEED (every accepted segment as its author signed it),
its per-(origin, epoch) cursors (what it holds without a gap, the
acknowledgement that goes down), the batch answers and its settings in tables
of their own beside the province's data (created here with ``CREATE TABLE IF
NOT EXISTS``). A push is verified (certificates, signatures, decoding: the
USB import's checks, :mod:`desktop_app.netsync.adapter`) in the request's
thread, and every change authorised against its signer's certificate; ONE
writer thread then takes every push waiting into the feed, each in its own
savepoint, with one commit for the group (group commit). The office's
acknowledgement means "durably held by the province".

The same writer thread then APPLIES the feed to the province's tables through
the USB import's own code (:func:`desktop_app.netsync.adapter.apply_verified`:
rules, merge, conflicts, quarantine), in transactions of a few thousand
changes, when no push has come for a moment (or when the oldest unapplied
segment has waited :data:`MAX_LAG` seconds), so a stream of pushes is never
slowed by the apply. The province's window and reports opened on the file see
a pushed change once applied (``pending_apply`` in ``/v1/health`` says how many
wait). Scope refusals are answered to the push itself. A revocation written
(by the province's window on this file, or ``POST /v1/revocations``) after a
push was verified and before the writer takes it judges that push: the writer
reads the revocations again in its transaction and, when they changed, hands
the push back to its request thread to be verified again by them (outside the
writer), so the answer refuses what the apply and every puller would
quarantine (a revoked office cannot sign in to pull the refusal later). A
certificate revoked between the push and the apply keeps what the feed took
before the revocation (the revocation's position covers the feed's cursor,
``revoke``); a feed row past that position is quarantined by the apply, as at
every office pulling it. The position of
the apply is committed with what it applied, so a server stopped at any point
resumes where it was; on shutdown it applies what is pending first.

WAL checkpoints run in a thread of their own, so the commit a client waits
for is only the WAL's fsync.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard

from desktop_app.netsync.adapter import (
    VerifiedSegment,
    apply_verified,
    held_segment,
    verify_segments,
)
from desktop_app.server import backend
from desktop_app.server.auth import Claims
from desktop_app.server.backend import (
    BATCH_CHANGES,
    Backend,
    BatchConflictError,
    GapError,
    Page,
    ServerBusyError,
    Stream,
    rejection_page,
    take_batch,
    visible_offices,
)
from desktop_app.server.timings import PhaseTimes
from desktop_app.store.apply import CHANGE_COLUMNS, Change
from desktop_app.store.store import Clock, Store
from desktop_app.sync.certificates import (
    Revoked,
    is_province,
    my_certificate,
    read_revocations,
    remember_node,
    revocation_list,
    revocation_positions,
    revoked_serials,
    store_revocations,
)
from desktop_app.sync.errors import EnrolmentError
from desktop_app.sync.identity import load_identity
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.segments import (
    HeldSegment,
    chain_from,
    held_data,
    held_segments,
    make_segment,
)
from desktop_app.sync.vectors import Vector, full_vector

log = logging.getLogger(__name__)

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

# the writer's own automatic checkpoint, should the checkpointer thread fall behind (pages)
WAL_BACKSTOP_PAGES = 20000
# seconds between two checkpoints (each one copies every frame committed meanwhile)
CHECKPOINT_PAUSE = 0.25
# the apply starts once no push has come for this long (seconds)...
QUIET = 0.2
# ...or once the oldest unapplied segment has waited this long, pushes or not
MAX_LAG = 10.0
# changes per apply transaction (one such transaction at a time between push groups);
# doubled after each transaction during which no push came, up to APPLY_CHANGES_MAX
APPLY_CHANGES = 2000
APPLY_CHANGES_MAX = 16000
# seconds to wait before trying again after an apply failed (disk full, a bug); doubled
# after each failure in a row, up to APPLY_RETRY_MAX
APPLY_RETRY = 1.0
APPLY_RETRY_MAX = 60.0


def _upgrade_tables(store: Store) -> None:
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


def _config(store: Store, key: str, make: str) -> str:
    store.db.execute_sql(
        "INSERT OR IGNORE INTO server_config (key, value) VALUES (?, ?)", (key, make)
    )
    return str(
        store.db.execute_sql("SELECT value FROM server_config WHERE key = ?", (key,)).fetchone()[0]
    )


def _move_cursors(db: Any, cursors: Vector) -> None:
    """Raise ``server_cursor`` to these positions (never lower it)."""
    db.cursor().executemany(
        "INSERT INTO server_cursor (origin, epoch, seq) VALUES (?, ?, ?)"
        " ON CONFLICT (origin, epoch) DO UPDATE SET seq = MAX(seq, excluded.seq)",
        [(o, e, seq) for (o, e), seq in cursors.items()],
    )


def _save_applied(db: Any, fseq: int) -> None:
    """Record that the apply has reached feed row ``fseq`` (in the caller's transaction)."""
    db.execute_sql("UPDATE server_config SET value = ? WHERE key = 'applied_fseq'", (str(fseq),))


def _run_from(pos: int, ranges: list[tuple[int, int]]) -> int:
    """How far ``ranges`` (sorted by their first seq) carry a stream on from ``pos``
    without a gap."""
    for lo, hi in ranges:
        if lo > pos + 1:
            break
        pos = max(pos, hi)
    return pos


class _RevokedMeanwhile(Exception):
    """The revocations changed between a push's verification and its take."""

    def __init__(self, revoked: Revoked) -> None:
        super().__init__("the revocation list changed")
        self.revoked = revoked


@dataclass(eq=False)
class _Job:
    """One push waiting for the writer (group commit)."""

    claims: Claims
    batch_id: str
    sha256: str
    verified: list[VerifiedSegment]
    revoked: Revoked  # the revocations it was verified by
    answer: dict[str, Any] | None = None
    error: BaseException | None = None
    done: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    created: float = field(default_factory=time.monotonic)
    # a push that found a gap waits (backend.HOLD_WAIT); the writer tries it again then
    retry_at: float | None = None

    def order(self) -> tuple[str, str, int, int]:
        """Pushes of one office in the order of their changes."""
        for seg in self.verified:
            if seg.header:
                return (self.claims.node_id, *seg.stream, seg.seq_range[0])
        return (self.claims.node_id, "", 0, 0)


class SqliteBackend(Backend):
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
                _upgrade_tables(store)
                self.secret = bytes.fromhex(_config(store, "secret", os.urandom(32).hex()))
                self.feed_id = _config(store, "feed_id", str(uuid.uuid4()))
                # a restored backup has a new epoch and may hold less of the feed than the
                # offices pulled: a new feed id makes every office pull it from the start
                # (nothing doubles: what they hold is skipped) instead of skipping new entries
                epoch = str(store.node.epoch)
                if _config(store, "feed_epoch", epoch) != epoch:
                    self.feed_id = str(uuid.uuid4())
                    store.db.execute_sql(
                        "UPDATE server_config SET value = ? WHERE key = 'feed_id'", (self.feed_id,)
                    )
                    store.db.execute_sql(
                        "UPDATE server_config SET value = ? WHERE key = 'feed_epoch'", (epoch,)
                    )
                # a feed written by a version that applied each push as it took it is applied
                self._applied = int(_config(store, "applied_fseq", str(self.feed_head())))
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
        self._stick_waiting: set[Stream] = set()
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
        self._queue: list[_Job] = []
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

    def pending_apply(self) -> int:
        """Received changes not yet applied to the province's tables."""
        row = self.store.db.execute_sql(
            "SELECT COALESCE(SUM(n), 0) FROM server_feed WHERE fseq > ? AND batch_id IS NOT NULL",
            (self._applied,),
        ).fetchone()
        return int(row[0])

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

    def apply_problem(self) -> str | None:
        return self.apply_error

    def wait_applied(self, timeout: float = 60.0) -> bool:
        """Block until everything received so far is applied (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout
        with self._applied_event:
            while self._applied < self._feed_top:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                with self._wake:
                    self._wake.notify()
                self._applied_event.wait(min(left, 0.5))
        return True

    # --- push ---

    def _start_threads(self) -> None:
        """Start the writer and the checkpointer (the caller holds ``self._wake``)."""
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

    def push(
        self, claims: Claims, batch_id: str, sha256: str, segments: list[tuple[bytes, bytes]]
    ) -> dict[str, Any]:
        # signatures and reading outside the writer: only taking into the feed is serialised.
        # The body is read as far as authorising needs, and decoded when it is applied (not
        # verified again then: see _apply_chunk). Decoding it here instead, once, costs the
        # push more than it saves the apply: per 20,000 values 348 ms against 207 ms here,
        # 237 ms at the apply (bench_server decode), and the push is what the office waits for
        revoked, created = self.revoked(), time.monotonic()
        while True:
            with self.timings.timed("push.verify"):
                verified = verify_segments(
                    self.store, segments, self.province_key, revoked, rows_only=True
                )
            job = _Job(claims, batch_id, sha256, verified, revoked, created=created)
            with self._wake:
                if self._closing:
                    raise RuntimeError("the server is shutting down")
                self._start_threads()
                self._queue.append(job)
                self._wake.notify()
            if not job.finished.wait(backend.PUSH_WAIT):
                raise ServerBusyError(batch_id)
            if isinstance(job.error, _RevokedMeanwhile):  # verified again by the new list
                revoked = job.error.revoked
                continue
            if job.error is not None:
                raise job.error
            assert job.answer is not None
            return job.answer

    def _apply_due(self, now: float) -> float | None:
        """Seconds until the apply should run (≤ 0: now), or None with nothing to apply."""
        if self._applied >= self._feed_top or self._oldest_pending is None:
            return None
        if self.apply_error is not None:
            pause = min(APPLY_RETRY * 2.0 ** (self._failures - 1), APPLY_RETRY_MAX)
            return self._last_failure + pause - now
        return min(self._last_push + self.quiet - now, self._oldest_pending + self.max_lag - now)

    def _write_loop(self) -> None:
        """The writer: push groups first; the apply when pushes pause (or lag too long)."""
        db = self.store.db
        try:
            with contextlib.suppress(Exception):  # tuning only: the defaults work too
                db.execute_sql("PRAGMA cache_size = -65536")  # 64 MiB, this connection only
                db.execute_sql("PRAGMA temp_store = MEMORY")
                # the checkpointer thread copies the WAL back; this is only a backstop
                db.execute_sql(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}")
            while True:
                with self._wake:
                    while not self._closing:
                        now = time.monotonic()
                        retries = [j.retry_at for j in self._queue if j.retry_at is not None]
                        if len(retries) < len(self._queue) or any(t <= now for t in retries):
                            break  # a new push, or one waiting for a gap is due again
                        due = self._apply_due(now)
                        if retries:
                            due = min(t - now for t in retries)
                        elif due is not None and due <= 0:
                            break
                        self._wake.wait(due)
                    jobs, self._queue = self._queue, []
                    closing = self._closing
                if jobs:
                    self._take(jobs)
                    self._chunk = APPLY_CHANGES  # pushes are coming: short transactions
                    continue
                if closing:
                    while self.apply_error is None and self._applied < self._feed_top:
                        self._apply_chunk()
                    return
                self._apply_chunk()
                with self._wake:
                    if not self._queue:  # no push came meanwhile: a longer one next
                        self._chunk = min(self._chunk * 2, APPLY_CHANGES_MAX)
        finally:
            with self._applied_event:
                self._applied_event.notify_all()
            self.store.close()  # this thread's connection

    def _take(self, jobs: list[_Job]) -> None:
        jobs.sort(key=_Job.order)
        waiting: list[_Job] = []
        try:
            with self._lock, contextlib.suppress(Exception), self.timings.timed("push.take"):
                waiting = self._run_group(jobs)  # each job holds its error
        finally:
            for job in jobs:
                if job in waiting:
                    continue
                if not job.done:
                    job.error = job.error or RuntimeError("the writer stopped")
                job.finished.set()
            if waiting:
                with self._wake:
                    self._queue[:0] = waiting
            self._last_push = time.monotonic()
            self._checkpoint.set()

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

    def _run_group(self, jobs: list[_Job]) -> list[_Job]:
        """Group commit: each push in its own savepoint, one commit (one fsync) for all.

        Returns the pushes that found a gap and wait for it to be filled.
        """
        db = self.store.db
        work: Vector = dict(self._received)
        fed: list[int] = []
        top = self._feed_top
        waiting: list[_Job] = []
        try:
            with self.store.transaction():
                # read under the write lock: no revocation can be written until the commit
                revoked = self.revoked()
                for job in jobs:
                    db.execute_sql("SAVEPOINT push_job")
                    before = dict(work)
                    try:
                        job.answer, fseqs = self._push_one(job, work, revoked)
                        fed += fseqs
                    except GapError:
                        db.execute_sql("ROLLBACK TO push_job")
                        work = before
                        job.retry_at = time.monotonic() + backend.HOLD_RETRY
                        waiting.append(job)
                    except Exception as exc:  # this push only: the others go on
                        try:
                            db.execute_sql("ROLLBACK TO push_job")
                        except Exception:  # SQLite rolled the whole group back (a full
                            raise exc from None  # disk does): every push gets this error
                        work = before
                        job.error = exc
                    db.execute_sql("RELEASE push_job")
        except BaseException as exc:  # the commit failed: nothing of the group was kept
            for job in jobs:
                job.answer, job.error = None, job.error or exc
            raise
        finally:
            for job in jobs:
                job.done = job not in waiting
        self._received = work
        if fed:
            top = max(top, *fed)
            if self._oldest_pending is None:
                self._oldest_pending = time.monotonic()
        self._feed_top = top
        return waiting

    def _push_one(
        self, job: _Job, work: Vector, revoked: Revoked
    ) -> tuple[dict[str, Any], list[int]]:
        """Take one push into the feed (inside the group's transaction); its answer.

        ``revoked``: the revocations as the transaction reads them; a push verified by
        other ones raises :class:`_RevokedMeanwhile` (its request thread verifies it again).
        """
        store, claims, batch_id = self.store, job.claims, job.batch_id
        row = store.db.execute_sql(
            "SELECT sha256, answer FROM server_batch WHERE node_id = ? AND batch_id = ?",
            (claims.node_id, batch_id),
        ).fetchone()
        if row is not None:
            if row[0] == job.sha256:
                answer: dict[str, Any] = json.loads(row[1])
                return answer, []
            raise BatchConflictError(batch_id)
        # a revocation written since the push was verified judges it: else its changes past
        # the position would be answered accepted and quarantined by the apply and every
        # puller, and the revoked office, refused at sign-in from now on, never hears of it
        if set(revoked) != set(job.revoked) or revoked.held != job.revoked.held:
            raise _RevokedMeanwhile(revoked)  # rolled back to the push's savepoint

        def cursor_of(stream: Stream) -> int:
            # what the feed took, or what the tables hold (a USB import at the province)
            row = store.db.execute_sql(
                "SELECT seq FROM peer_cursor WHERE origin = ? AND epoch = ?", stream
            ).fetchone()
            return max(work.get(stream, 0), 0 if row is None else int(row[0]))

        taken = take_batch(batch_id, job.verified, cursor_of, self._authorise)
        ans = taken.answer
        if ans.held and time.monotonic() - job.created < backend.HOLD_WAIT:
            raise GapError(batch_id)
        for info in taken.nodes:
            if self._known_nodes.get(info.node_id) != info.serial:
                remember_node(store, info)
                self._known_nodes[info.node_id] = info.serial
        head = self.feed_head()
        now = store.now_iso()
        fed = list(range(head + 1, head + 1 + len(taken.feed)))
        rows = [
            (
                *row.columns(fseq, self._cctx.compress(row.segment.body), batch_id),
                now,
                claims.node_id,
            )
            for fseq, row in zip(fed, taken.feed, strict=True)
        ]
        cursor = store.db.cursor()
        cursor.executemany(
            "INSERT INTO server_feed (fseq, origin, epoch, seq_from, seq_to, n, office_id,"
            " level, header, body, batch_id, received_at, sender)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        _move_cursors(store.db, taken.cursors)
        for stream, seq in taken.cursors.items():
            work[stream] = max(work.get(stream, 0), seq)
        ans.feed_head = fed[-1] if fed else head
        ans.vector = self.vector_for(claims, work) | taken.cursors
        answer = ans.to_json()
        if not ans.held:  # a held batch is not answered for good: its resend is taken anew
            store.db.execute_sql(
                "INSERT INTO server_batch (batch_id, node_id, sha256, answer, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (batch_id, claims.node_id, job.sha256, json.dumps(answer), now),
            )
        return answer, fed

    # --- apply ---

    def _apply_chunk(self) -> None:
        """Apply the next feed segments (about ``self._chunk`` changes), one transaction.

        The segments are decoded but NOT verified again: every feed row that is applied
        here was written by this server's writer (:meth:`_push_one`) after the push's
        request thread verified it (certificate against the province key and
        revocations, signature, body hash, the body readable) and authorised its
        changes; the province's own rows (:meth:`_publish_own`) and those from a stick
        (:meth:`_publish_received`, in its tables already) are skipped. The feed
        lives in the province's own database, which nothing else writes (no route,
        command or window writes ``server_feed``), so whoever could write a forged row
        there could as well write the province's tables themselves: checking the
        signatures again guards nothing, and costs two Ed25519 checks and a hash per
        segment. What may have changed since
        the push IS checked again: a certificate revoked in between quarantines the
        segment's changes (as the USB import would); see
        :func:`desktop_app.netsync.adapter.held_segment`.
        """
        store, times = self.store, self.timings
        started = time.perf_counter()
        # where the chunk ends, from the counts alone (the bodies are read next)
        last, total = self._applied, 0
        for fseq, n in store.db.execute_sql(
            "SELECT fseq, n FROM server_feed WHERE fseq > ? ORDER BY fseq LIMIT ?",
            (self._applied, self._chunk),
        ):
            if total and total + int(n) > self._chunk:
                break
            last, total = int(fseq), total + int(n)
        chunk: list[tuple[int, str, str, bytes, str, bool]] = [
            (int(fseq), str(origin), str(header), bytes(body), str(sender), bool(pushed))
            for fseq, origin, header, body, sender, pushed in store.db.execute_sql(
                "SELECT f.fseq, f.origin, f.header, f.body, COALESCE(s.office_id, f.office_id),"
                " f.batch_id IS NOT NULL"
                " FROM server_feed f LEFT JOIN sync_node s ON s.node_id = COALESCE(f.sender,"
                " (SELECT b.node_id FROM server_batch b WHERE b.batch_id = f.batch_id LIMIT 1))"
                " WHERE f.fseq > ? AND f.fseq <= ? ORDER BY f.fseq",
                (self._applied, last),
            )
        ]
        times.add("apply.read", time.perf_counter() - started)
        if not chunk:  # nothing left after all (the feed ends here)
            self._feed_top = min(self._feed_top, self._applied)
            self._finish_apply(self._applied)
            return
        last = chunk[-1][0]
        try:
            with self._lock:
                started = time.perf_counter()
                groups: list[tuple[str, list[VerifiedSegment]]] = []
                dctx = zstandard.ZstdDecompressor()
                revoked = self.revoked()
                now = store.clock()
                for _fseq, origin, header, body, sender, pushed in chunk:
                    if origin == self.province_node or not pushed:
                        continue  # the province's own changes or a stick's: in its tables
                    raw = dctx.decompress(body)
                    seg = held_segment(header.encode("utf-8"), raw, self.province_key,
                                       revoked, now)  # fmt: skip
                    if not groups or groups[-1][0] != sender:
                        groups.append((sender, []))
                    groups[-1][1].append(seg)
                times.add("apply.decode", time.perf_counter() - started)
                with store.transaction():
                    started = time.perf_counter()
                    for sender, verified in groups:
                        apply_verified(
                            store, verified, received_from=sender, my_level=1,
                            keep_for_relay=False, revoked=revoked,
                        )  # fmt: skip
                    _save_applied(store.db, last)
                    times.add("apply.applier", time.perf_counter() - started)
                    started = time.perf_counter()
                times.add("apply.commit", time.perf_counter() - started)
        except Exception as exc:  # nothing of the chunk kept; tried again after a pause
            log.exception("applying the feed failed; trying again")
            self.apply_error = str(exc) or type(exc).__name__
            self._last_failure = time.monotonic()
            self._failures += 1
            return
        self.apply_error, self._failures = None, 0
        started = time.perf_counter()
        self._authorise.villages.update(self._village_table())
        times.add("apply.villages", time.perf_counter() - started)
        times.add("apply.changes", 0.0, total)
        self._finish_apply(last)

    def _finish_apply(self, last: int) -> None:
        with self._applied_event:
            self._applied = max(self._applied, last)
            if self._applied >= self._feed_top:
                self._oldest_pending = None
            self._applied_event.notify_all()

    # --- pull ---

    def _publish_own(self) -> None:
        """Sign the province's own new changes into the feed (targets, decisions, reviews)."""
        store = self.store
        me = self.province_node
        sql_own = "SELECT epoch, MAX(seq) FROM change WHERE origin = ? GROUP BY epoch"

        def pending() -> dict[int, int]:
            own = {int(e): int(s) for e, s in store.db.execute_sql(sql_own, (me,))}
            return {
                e: self._published.get(e, 0)
                for e, s in own.items()
                if s > self._published.get(e, 0)
            }

        if not pending():
            return
        ident = load_identity(store)
        cert, _key = my_certificate(store)
        published: dict[int, int] = {}
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
                    published[epoch] = chunk[-1].seq
        self._published.update(published)

    def _publish_received(self) -> None:
        """Put into the feed what the province received by USB stick (``sync_segment``,
        written by a bundle import on this file) and the feed lacks, so an office pulling
        over the network gets a commune's changes that reached the province on a stick,
        as a district importing the province's bundle does (:func:`held_segments` reads
        the feed the other way round).

        The segments go in as they were signed (their author's signature, checked again
        by every receiver), with no batch id: they are in the province's tables already,
        so the apply passes over them. Per stream only what continues the feed without a
        gap (:func:`chain_from`), and ``server_cursor`` moves with it, so the author's
        later push of the same changes is a resend, never a second copy.

        Only the streams of the segments imported since the last look are examined (and
        those left waiting after a gap), by their ranges: a pull after a stick costs what
        that stick brought, not the province's whole history (every stream the first
        time, and after a VACUUM renumbered the rowids). Rowids only grow: an import
        inserts its segments, then forgets the narrower ones in the same transaction.
        """
        store = self.store
        top = int(
            store.db.execute_sql("SELECT COALESCE(MAX(rowid), 0) FROM sync_segment").fetchone()[0]
        )
        mark = self._received_mark
        if top == mark:
            return  # no bundle was imported since the last look
        streams: set[Stream] | None = None
        if mark is not None and top > mark:
            streams = self._stick_waiting | {
                (str(o), int(e))
                for o, e in store.db.execute_sql(
                    "SELECT DISTINCT origin, epoch FROM sync_segment WHERE rowid > ?", (mark,)
                )
            }
        nodes = {
            str(n): (str(office), int(level))
            for n, office, level in store.db.execute_sql(
                "SELECT node_id, office_id, level FROM sync_node"
            )
        }
        with self._lock:
            with store.transaction():
                head = before = self.feed_head()
                held = held_segments(store, streams)
                rows, received, waiting = self._stick_rows(held, nodes, head)
                if rows:
                    head = rows[-1][0]
                    self._write_stick_rows(rows, received, before, head)
            if rows:
                self._received = received
                if self._applied >= before:
                    self._finish_apply(head)
        self._received_mark, self._stick_waiting = top, waiting

    def _stick_rows(
        self, held: dict[Stream, list[HeldSegment]], nodes: dict[str, tuple[str, int]], head: int
    ) -> tuple[list[tuple[Any, ...]], Vector, set[Stream]]:
        """The feed rows (from fseq ``head + 1``) that fill each stream's feed from the
        stick's segments, the server's vector with them, and the streams whose stick
        segments go on after a gap.

        Per stream, from where the feed stops holding it without a gap: a push whose
        first changes the province already had from a stick puts only the rest into the
        feed (and moves ``server_cursor`` past all of it), so the feed's own ranges, not
        the cursor, say what it lacks.
        """
        received = dict(self._received)
        rows: list[tuple[Any, ...]] = []
        waiting: set[Stream] = set()
        now = self.store.now_iso()
        for stream, segs in sorted(held.items()):
            sticks = [s for s in segs if s[2] == "sync_segment"]
            if not sticks or stream[0] == self.province_node or stream[0] not in nodes:
                continue  # the feed's alone, the province's own, or no certificate known
            office, level = nodes[stream[0]]
            fed = sorted((lo, hi) for lo, hi, table, _key in segs if table == "server_feed")
            pos = _run_from(0, fed)
            while True:
                step = next(iter(chain_from(sticks, pos + 1)), None)
                if step is None or step[0] > pos + 1:
                    break  # the stick has no more, or only after a gap
                lo, hi = step[0], step[1]
                header, body = held_data(self.store, step)
                head += 1
                rows.append((head, *stream, lo, hi, hi - lo + 1, office, level, header, body, now))
                pos = _run_from(hi, fed)
            if any(s[1] > pos for s in sticks):
                waiting.add(stream)
            if pos > received.get(stream, 0):
                received[stream] = pos
        return rows, received, waiting

    def _write_stick_rows(
        self, rows: list[tuple[Any, ...]], received: Vector, before: int, head: int
    ) -> None:
        """Write :meth:`_stick_rows`' rows and cursors (in the caller's transaction)."""
        db = self.store.db
        db.cursor().executemany(
            "INSERT INTO server_feed (fseq, origin, epoch, seq_from, seq_to, n, office_id,"
            " level, header, body, batch_id, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, NULL, ?)",
            rows,
        )
        moved = {s: seq for s, seq in received.items() if seq > self._received.get(s, 0)}
        _move_cursors(db, moved)
        if self._applied >= before:  # nothing waits to be applied: the apply starts past them
            _save_applied(db, head)

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
