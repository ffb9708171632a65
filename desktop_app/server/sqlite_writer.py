"""The writer of the SQLite-mode server: pushes taken into the feed, by one thread.

A push is verified (certificates, signatures, decoding: the USB import's checks,
:mod:`desktop_app.netsync.adapter`) in the request's thread, and every change
authorised against its signer's certificate; ONE writer thread then takes every
push waiting into the feed, each in its own savepoint, with one commit for the
group (group commit). The office's acknowledgement means "durably held by the
province". Between push groups the same thread runs the apply
(:mod:`desktop_app.server.sqlite_apply`). Scope refusals are answered to the push
itself. A revocation written (by the province's window on this file, or ``POST
/v1/revocations``) after a push was verified and before the writer takes it judges
that push: the writer reads the revocations again in its transaction and, when
they changed, hands the push back to its request thread to be verified again by
them (outside the writer), so the answer refuses what the apply and every puller
would quarantine (a revoked office cannot sign in to pull the refusal later).

WAL checkpoints run in a thread of their own, so the commit a client waits for is
only the WAL's fsync.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from desktop_app.netsync.adapter import VerifiedSegment, verify_segments
from desktop_app.server import backend
from desktop_app.server.auth import Claims
from desktop_app.server.backend import (
    BatchConflictError,
    GapError,
    ServerBusyError,
    Stream,
    take_batch,
)
from desktop_app.server.sqlite_apply import APPLY_CHANGES, APPLY_CHANGES_MAX, FeedApply
from desktop_app.server.sqlite_feed import move_cursors
from desktop_app.sync.certificates import Revoked, remember_node
from desktop_app.sync.vectors import Vector

# the writer's own automatic checkpoint, should the checkpointer thread fall behind (pages)
WAL_BACKSTOP_PAGES = 20000
# seconds between two checkpoints (each one copies every frame committed meanwhile)
CHECKPOINT_PAUSE = 0.25


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


class FeedWriter(FeedApply):
    """Pushes queued for the writer thread, taken by it in groups; the checkpointer."""

    _queue: list[_Job]
    _queue_lock: threading.Lock
    _writer: threading.Thread | None
    _closing: bool
    _checkpoint: threading.Event
    _checkpointer: threading.Thread | None

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
        move_cursors(store.db, taken.cursors)
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
