"""What the SQLite-mode server puts into its feed besides pushes: the province's own
changes, signed as they are pulled, and the segments the province received by USB
stick, so that an office pulling over the network gets what reached the province on
a stick (as a district importing the province's bundle gets what the feed took:
:func:`desktop_app.sync.segments.held_segments` reads the feed the other way round).
"""

from __future__ import annotations

from typing import Any

from desktop_app.server.backend import BATCH_CHANGES, Stream
from desktop_app.server.sqlite_apply import FeedApply
from desktop_app.server.sqlite_feed import move_cursors, save_applied
from desktop_app.store.apply import CHANGE_COLUMNS, Change
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.identity import load_identity
from desktop_app.sync.segments import (
    HeldSegment,
    chain_from,
    held_data,
    held_segments,
    make_segment,
)
from desktop_app.sync.vectors import Vector


def _run_from(pos: int, ranges: list[tuple[int, int]]) -> int:
    """How far ``ranges`` (sorted by their first seq) carry a stream on from ``pos``
    without a gap."""
    for lo, hi in ranges:
        if lo > pos + 1:
            break
        pos = max(pos, hi)
    return pos


class FeedPublish(FeedApply):
    """The province's own changes and its sticks' segments, put into the feed at a pull."""

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
        move_cursors(db, moved)
        if self._applied >= before:  # nothing waits to be applied: the apply starts past them
            save_applied(db, head)
