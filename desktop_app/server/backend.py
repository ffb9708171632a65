"""What a storage backend of the server does, and what both backends share.

The server keeps a FEED: the signed segments it accepted, in the order it
accepted them, numbered by ``fseq`` (gap-free, assigned under the writers'
lock, so a reader that pages ``fseq > cursor`` never misses one), plus per
(origin, epoch) cursors (its applied vector), the stored answer of every batch
id, the rejections with reasons, and the offices' certificates.

* :class:`desktop_app.server.sqlite_backend.SqliteBackend`: the feed lives in
  the province office database itself, and every batch is applied to it
  through the USB import's code, in the same transaction as the feed rows.
* :class:`desktop_app.server.pg_backend.PostgresBackend`: the feed lives in
  PostgreSQL; the province office database pulls it like any office.
"""

from __future__ import annotations

import abc
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from desktop_app.netsync.adapter import VerifiedSegment
from desktop_app.server.auth import Claims
from desktop_app.server.timings import PhaseTimes
from desktop_app.sync.certificates import CertInfo
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.vectors import Vector

BATCH_CHANGES = 500
PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 500


class BatchConflictError(Exception):
    """The batch id was used before with other bytes (answered as 409)."""


class ServerBusyError(Exception):
    """The writer did not take the push in time (answered as 503; the push may still be
    taken, and its resend then gets the stored answer), or PostgreSQL was short of memory,
    connections or locks for the request (answered as 503; nothing of it was kept)."""


# seconds a push waits for the writer before it is answered 503
PUSH_WAIT = 120.0


@dataclass
class PushAnswer:
    """What a batch did (stored and returned again for the same id and bytes)."""

    batch_id: str
    changes: int = 0
    accepted: int = 0
    skipped: int = 0
    held: int = 0
    rejections: list[tuple[str, int, int, str]] = field(default_factory=list)
    refused_segments: list[str] = field(default_factory=list)
    vector: Vector = field(default_factory=dict)
    feed_head: int = 0

    def to_json(self) -> dict[str, Any]:
        """The API shape (:class:`desktop_app.server.models.BatchAnswer`)."""
        return {
            "batch_id": self.batch_id,
            "changes": self.changes,
            "accepted": self.accepted,
            "skipped": self.skipped,
            "held": self.held,
            "rejections": [
                {"origin": o, "epoch": e, "seq": s, "reason": r} for o, e, s, r in self.rejections
            ],
            "refused_segments": self.refused_segments,
            "vector": vector_json(self.vector),
            "feed_head": self.feed_head,
        }


@dataclass
class Page:
    """A page of the feed for one office."""

    entries: list[tuple[int, str, bytes]]
    next_after: int
    more: bool
    vector: Vector
    rejections: list[tuple[str, int, int, str]]
    revocations: dict[str, Any] | None
    # the rejections are paged too, by their own cursor: each one is reported once
    rejections_next: int = 0
    rejections_more: bool = False


Stream = tuple[str, int]

# A client keeps two batches in flight, and the later one may be verified first: a push
# that starts past what the server holds waits this long (seconds) for the gap to be
# filled by a push in flight, trying again every HOLD_RETRY, before it is answered "held".
HOLD_WAIT = 1.0
HOLD_RETRY = 0.005


class GapError(Exception):
    """A push starts past what the server holds: wait for the pushes in flight."""


@dataclass
class FeedRow:
    """A segment a batch adds to the feed (its fseq is given by the backend)."""

    segment: VerifiedSegment
    office_id: str
    level: int

    @property
    def stream(self) -> Stream:
        """(origin, epoch)."""
        return self.segment.stream

    @property
    def seq_range(self) -> tuple[int, int]:
        """(first seq, last seq)."""
        return self.segment.seq_range

    def columns(self, fseq: int, body: bytes, batch_id: str) -> tuple[Any, ...]:
        """The feed table's fseq, origin, epoch, seq_from, seq_to, n, office_id, level,
        header, body (as the backend stores it) and batch_id (both backends' order)."""
        lo, hi = self.seq_range
        header = self.segment.header_bytes.decode("utf-8")
        return (fseq, *self.stream, lo, hi, hi - lo + 1, self.office_id, self.level, header,
                body, batch_id)  # fmt: skip


@dataclass
class Taken:
    """What a batch adds: feed rows, cursor moves, refusals, certificates seen."""

    answer: PushAnswer
    feed: list[FeedRow] = field(default_factory=list)
    cursors: dict[Stream, int] = field(default_factory=dict)
    # (origin, epoch, seq, reason, office of the author)
    rejections: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    nodes: list[CertInfo] = field(default_factory=list)


def take_batch(
    batch_id: str,
    verified: list[VerifiedSegment],
    cursor_of: Callable[[Stream], int],
    authoriser: Authoriser,
) -> Taken:
    """Decide what a verified batch adds to the feed; shared by both backends.

    Per (origin, epoch) the server holds changes up to a cursor without a gap.
    A segment wholly below the cursor is skipped (a resend); one that starts
    past the cursor + 1 is held back (not stored: the sender resends it once
    the gap is filled); otherwise its new changes are taken, each authorised
    against its signer's certificate (refusals are answered, and the segment,
    signed as a whole, is still stored: every receiver quarantines the same
    changes). A segment signed with a since-revoked certificate (relayed by a
    district) is stored the same way: its changes after the province's position at
    revoking are refused and answered, and every receiver of the feed, the
    province's apply included, quarantines those same changes, so the province's
    quarantine does not depend on whether they came by stick or by push, and a
    district that took them back (``desktop_app.sync.takeback``) holds the same
    quarantine. Segments may be decoded or read as rows
    (``verify_segments(..., rows_only=True)``).
    """
    taken = Taken(PushAnswer(batch_id))
    ans = taken.answer
    for seg in verified:
        if not seg.header:
            ans.refused_segments.append(seg.refused or "unreadable segment")
            continue
        lo, hi = seg.seq_range
        stream = seg.stream
        ans.changes += max(0, hi - lo + 1)
        if seg.refused is not None:
            ans.refused_segments.append(seg.refused)
        if not seg.readable or seg.info is None:
            continue
        cursor = taken.cursors.get(stream)
        if cursor is None:
            cursor = cursor_of(stream)
        count = hi - lo + 1
        first = max(lo, cursor + 1)  # the first change not held yet
        fresh = max(0, hi - first + 1)
        ans.skipped += count - fresh
        if not fresh:
            taken.cursors.setdefault(stream, cursor)
            continue
        if first != cursor + 1:
            ans.held += fresh
            continue
        office = seg.info.office_id
        refusals = _refusals(seg, authoriser, first)
        for seq, reason in refusals:
            taken.rejections.append((stream[0], stream[1], seq, reason, office))
            ans.rejections.append((stream[0], stream[1], seq, reason))
        taken.cursors[stream] = hi
        ans.accepted += fresh - len(refusals)  # a quarantined change is not accepted
        taken.nodes.append(seg.info)
        # (a revoked certificate's segment too: every receiver splits it the same, at
        # the position, and quarantines what lies past it)
        taken.feed.append(FeedRow(seg, office, seg.info.level))
    return taken


def villages_taken(taken: Taken) -> list[tuple[str, str, int]]:
    """(village, commune, signer's level) of every village change the batch adds to the
    feed and that was not refused: the server's record of each village's commune, which
    judges the owner of later rows (``Authoriser.owner``)."""
    refused = {(o, e, s) for o, e, s, _r, _office in taken.rejections}
    out: list[tuple[str, str, int]] = []
    for row in taken.feed:
        seg = row.segment
        (origin, epoch), lo = seg.stream, seg.seq_range[0]
        if seg.rows is not None:
            states: list[tuple[int, str | None]] = [
                (lo + i, state)
                for i, (entity, _unit, _period, state) in enumerate(seg.rows.rows)
                if entity == "village"
            ]
        elif seg.batch is not None:
            states = [(c.seq, c.state) for c in seg.batch.changes if c.entity == "village"]
        else:
            continue
        for seq, state in states:
            if (origin, epoch, seq) in refused or not state:
                continue
            try:
                doc = json.loads(state)
            except ValueError:
                continue
            if isinstance(doc, dict) and doc.get("id") and doc.get("commune_id"):
                out.append((str(doc["id"]), str(doc["commune_id"]), row.level))
    return out


def _refusals(seg: VerifiedSegment, authoriser: Authoriser, first: int) -> list[tuple[int, str]]:
    """(seq, reason) of the segment's changes from seq ``first`` that are refused."""
    lo = seg.seq_range[0]
    if seg.rows is not None:
        signer, refused, stands = seg.rows.signer, seg.rows.refused, seg.rows.stands_to
        reasons = authoriser.rows(seg.rows.rows, signer)
        if refused:  # revoked: refused after the province's position at revoking
            reasons = [refused if lo + i > stands else r for i, r in enumerate(reasons)]
        return [(lo + i, r) for i, r in enumerate(reasons) if r is not None and lo + i >= first]
    assert seg.batch is not None
    out: list[tuple[int, str]] = []
    for c in seg.batch.changes:
        if c.seq >= first:
            reason = seg.batch.refusal(c.seq) or authoriser(c, seg.batch.signer)
            if reason is not None:
                out.append((c.seq, reason))
    return out


def rejection_page(
    rows: list[tuple[Any, Any, Any, Any, Any]], after: int, limit: int
) -> tuple[list[tuple[str, int, int, str]], int, bool]:
    """Rejections (id, origin, epoch, seq, reason) read ``limit + 1`` after ``after``:
    the page's rejections, the cursor to ask for next and whether more wait."""
    more = len(rows) > limit
    rows = rows[:limit]
    page = [(str(o), int(e), int(s), str(r)) for _i, o, e, s, r in rows]
    return page, int(rows[-1][0]) if rows else after, more


def vector_json(vector: Vector) -> list[list[Any]]:
    """Sorted ``[[origin, epoch, seq], ...]``."""
    return [[o, e, s] for (o, e), s in sorted(vector.items())]


def iso(ts: float | None = None) -> str:
    """UTC ISO 8601 time."""
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat(
        timespec="seconds"
    )


def visible_offices(claims: Claims, parents: dict[str, str | None], province: str) -> set[str]:
    """Whose segments an office pulls: the province's, its parent's, its scope's.

    The province pulls everything (an empty set means "all").
    """
    if claims.level == 1:
        return set()
    seen = {province, *claims.scope}
    parent = parents.get(claims.office_id)
    if parent is not None:
        seen.add(parent)
    return seen


def epoch_check(
    vector: Vector, node_id: str, epoch: int | None, seq: int | None
) -> tuple[bool, str]:
    """Does the office's (epoch, newest seq) fit what the server holds from it?"""
    if epoch is None:
        return True, ""
    # epochs are random (a restore draws a new one), so only the held seq can be compared
    held = vector.get((node_id, epoch), 0)
    if seq is not None and held > seq:
        return False, (
            f"the server holds changes up to {held} of epoch {epoch} but this office only "
            f"{seq}: the database was restored without a new epoch"
        )
    return True, ""


class Backend(abc.ABC):
    """Storage of the feed and the server's configuration."""

    mode: str
    feed_id: str
    secret: bytes
    province_key: bytes
    province_node: str
    province_office: str
    # where the time goes, by phase (:mod:`desktop_app.server.timings`)
    timings: PhaseTimes

    @abc.abstractmethod
    def revoked(self) -> set[int]:
        """Revoked certificate serials."""

    @abc.abstractmethod
    def parents(self) -> dict[str, str | None]:
        """The province's unit tree: unit → parent."""

    @abc.abstractmethod
    def vector_for(self, claims: Claims) -> Vector:
        """The server's applied vector restricted to the office's scope (all for the province)."""

    @abc.abstractmethod
    def feed_head(self) -> int:
        """The highest fseq."""

    @abc.abstractmethod
    def push(
        self, claims: Claims, batch_id: str, sha256: str, segments: list[tuple[bytes, bytes]]
    ) -> dict[str, Any]:
        """Verify, authorise and take a batch (idempotent by batch id and body hash).

        Returns the answer as JSON (:meth:`PushAnswer.to_json`): the stored one
        when the same id came before with the same bytes.
        """

    @abc.abstractmethod
    def pull(self, claims: Claims, after: int, limit: int, rejections_after: int = 0) -> Page:
        """Feed entries after ``after`` the office may see, oldest first, and up to
        ``limit`` of the rejections of its scope after the rejection cursor
        ``rejections_after``."""

    @abc.abstractmethod
    def use_nonce(self, nonce: str, expires: float, now: float) -> bool:
        """Mark a sign-in challenge used; False when it was used before (kept until it expires,
        in the database, so every server process on it refuses the replay)."""

    @abc.abstractmethod
    def install_revocations(self, doc: dict[str, Any]) -> int | None:
        """Take the province's signed revocation list; None when it is not signed by it."""

    @abc.abstractmethod
    def add_count(self, name: str, n: int = 1) -> None:
        """Add ``n`` to the server's count ``name`` (e.g. dropped uploads), kept in the
        database: every server process on it adds to and reads the same number."""

    @abc.abstractmethod
    def count(self, name: str) -> int:
        """The server's count ``name`` (0 before the first :meth:`add_count`)."""

    def pending_apply(self) -> int:
        """Received changes not yet applied to the province's tables (0: nothing waits)."""
        return 0

    def apply_problem(self) -> str | None:
        """Why the last attempt to apply failed (it is tried again), or None."""
        return None

    @abc.abstractmethod
    def close(self) -> None:
        """Release connections."""
