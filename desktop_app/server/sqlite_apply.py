"""The apply (SQLite mode): the feed taken into the province's own tables.

The writer thread (:mod:`desktop_app.server.sqlite_writer`) APPLIES the feed to
the province's tables through the USB import's own code
(:func:`desktop_app.netsync.adapter.apply_verified`: rules, merge, conflicts,
quarantine), in transactions of a few thousand changes, when no push has come for
a moment (or when the oldest unapplied segment has waited :data:`MAX_LAG`
seconds), so a stream of pushes is never slowed by the apply. The province's
window and reports opened on the file see a pushed change once applied
(``pending_apply`` in ``/v1/health`` says how many wait). A certificate revoked
between the push and the apply keeps what the feed took before the revocation
(the revocation's position covers the feed's cursor, ``revoke``); a feed row past
that position is quarantined by the apply, as at every office pulling it. The
position of the apply is committed with what it applied, so a server stopped at
any point resumes where it was; on shutdown it applies what is pending first.
"""

from __future__ import annotations

import logging
import time

import zstandard

from desktop_app.netsync.adapter import VerifiedSegment, apply_verified, held_segment
from desktop_app.server.sqlite_feed import SqliteState, save_applied

# the logger of the backend it is a part of (the name a logging configuration knows)
log = logging.getLogger("desktop_app.server.sqlite_backend")

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


class FeedApply(SqliteState):
    """The apply of the feed to the province's tables, run by the writer thread."""

    def pending_apply(self) -> int:
        """Received changes not yet applied to the province's tables."""
        row = self.store.db.execute_sql(
            "SELECT COALESCE(SUM(n), 0) FROM server_feed WHERE fseq > ? AND batch_id IS NOT NULL",
            (self._applied,),
        ).fetchone()
        return int(row[0])

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

    def _apply_due(self, now: float) -> float | None:
        """Seconds until the apply should run (≤ 0: now), or None with nothing to apply."""
        if self._applied >= self._feed_top or self._oldest_pending is None:
            return None
        if self.apply_error is not None:
            pause = min(APPLY_RETRY * 2.0 ** (self._failures - 1), APPLY_RETRY_MAX)
            return self._last_failure + pause - now
        return min(self._last_push + self.quiet - now, self._oldest_pending + self.max_lag - now)

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
                    save_applied(store.db, last)
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
