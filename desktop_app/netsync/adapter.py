"""Thin adapter: verify and apply received segments through the USB import's own code.

``desktop_app.sync.exchange.import_bundle`` reads a whole bundle file; the
network moves the same signed segments in batches and pages. This module does
for one batch exactly what ``import_bundle`` does for the segments of a bundle,
calling the same public functions: :func:`desktop_app.sync.segments.segment_batch`
(certificate against the province key and revocations, signature, body hash,
decoding), :class:`desktop_app.sync.scope.Authoriser` (each change against its
signer's scope), :class:`desktop_app.store.apply.ChangeApplier` (cursors,
backlog, quarantine, conflicts: the store's writer of received changes) and
:func:`desktop_app.store.apply.report_hlc`, all in ONE transaction.

What the sync layer should expose later so this adapter can shrink to a call:
``apply_segments(store, segments, *, sender, keep_for_relay)`` (the body of
``import_bundle`` after its bundle-level checks), ``store_rejections`` (now the
private ``_store_rejections``) and ``segment_batch`` taking ``now`` instead of a
store (the PostgreSQL server has no office store).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import zstandard

from desktop_app.store.apply import ApplyReport, Batch, ChangeApplier, report_hlc
from desktop_app.store.apply import Signer as ChangeSigner
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync.certificates import (
    CertInfo,
    parse_certificate,
    refuse_backlog_past_positions,
    remember_node,
    stands_to,
    verify_certificate,
)
from desktop_app.sync.codec import CodecError, decode_segment
from desktop_app.sync.errors import RevokedCertificateError, SyncError
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.segments import CheckedRows, segment_batch, segment_rows_checked
from desktop_app.sync.vectors import Vector, merge_peer

Segment = tuple[bytes, bytes]


def sql(store: Store) -> Any:
    """The store's database, untyped (peewee leaves ``execute_sql`` and ``cursor`` untyped)."""
    return store.db


@dataclass
class VerifiedSegment:
    """One received segment after its checks: the batch to apply, or why it is refused."""

    header: dict[str, Any]
    header_bytes: bytes
    body: bytes
    batch: Batch | None
    info: CertInfo | None
    refused: str | None
    # read for authorisation only (``verify_segments(..., rows_only=True)``), not decoded
    rows: CheckedRows | None = None

    @property
    def readable(self) -> bool:
        """Verified and read (decoded, or read as rows)."""
        return self.info is not None and (self.batch is not None or self.rows is not None)

    @property
    def stream(self) -> tuple[str, int]:
        """(origin, epoch)."""
        return str(self.header["origin"]), int(self.header["epoch"])

    @property
    def seq_range(self) -> tuple[int, int]:
        """(first seq, last seq)."""
        return int(self.header["from"]), int(self.header["to"])


@dataclass
class Applied:
    """What applying a batch of segments did."""

    report: ApplyReport = field(default_factory=ApplyReport)
    refused: list[str] = field(default_factory=list)
    skewed: list[str] = field(default_factory=list)


def verify_segments(
    store: Store,
    segments: list[Segment],
    province_key: bytes,
    revoked: set[int],
    *,
    rows_only: bool = False,
) -> list[VerifiedSegment]:
    """Check every segment on its own (as a USB import does); never raises on bad input.

    ``rows_only``: the same checks, but each body is read only as far as
    authorising its changes needs (:func:`desktop_app.sync.segments.segment_rows_checked`),
    for a receiver that stores and forwards segments without applying them yet.
    """
    out: list[VerifiedSegment] = []
    for header_bytes, body in segments:
        try:
            header = json.loads(header_bytes)
            if not isinstance(header, dict):
                raise ValueError("header")
            int(header["from"]), int(header["to"]), int(header["epoch"]), str(header["origin"])
        except (ValueError, KeyError, TypeError):
            out.append(VerifiedSegment({}, header_bytes, body, None, None, "unreadable header"))
            continue
        schema = header.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            reason = f"segment made by a newer version (schema {schema})"
            out.append(VerifiedSegment(header, header_bytes, body, None, None, reason))
            continue
        if rows_only:
            rows, info, refused = segment_rows_checked(store, header, body, province_key, revoked)
            out.append(VerifiedSegment(header, header_bytes, body, None, info, refused, rows))
            continue
        batch, info, refused = segment_batch(store, header, body, province_key, revoked)
        out.append(VerifiedSegment(header, header_bytes, body, batch, info, refused))
    return out


def revoked_since(
    seg: VerifiedSegment, province_key: bytes, revoked: set[int], now: float
) -> VerifiedSegment:
    """``seg`` (verified earlier by this receiver), refused as a USB import would refuse it
    now if its author's certificate was revoked since (the same words): its changes after
    the province's position at revoking, not those up to it."""
    if seg.info is None or seg.batch is None or seg.refused is not None:
        return seg
    if seg.info.serial not in revoked:
        return seg
    position = stands_to(revoked, seg.info.serial, seg.stream[1])
    if seg.seq_range[1] <= position:
        return seg  # the province held all of it when it revoked: it stands
    cert = seg.header.get("cert")
    try:
        verify_certificate(
            cert if isinstance(cert, dict) else {}, province_key, now=now, revoked=revoked,
            check_expiry=False,
        )  # fmt: skip
    except RevokedCertificateError as exc:
        reason = exc.user_message()
    except SyncError as exc:  # not expected of a segment this receiver verified itself
        reason = exc.user_message()
    else:
        return seg
    batch = Batch(seg.batch.changes, seg.batch.signer, reason, position)
    return VerifiedSegment(seg.header, seg.header_bytes, seg.body, batch, seg.info, reason)


def held_segment(
    header_bytes: bytes, body: bytes, province_key: bytes, revoked: set[int], now: float
) -> VerifiedSegment:
    """A segment this receiver verified ITSELF when it took it, read back from its own
    store (the provincial server's feed) to be applied: decoded, with its author's
    certificate read, and refused if that certificate was revoked since; the author's
    signature, the body's hash and the certificate's signature are NOT checked again.

    Only for rows that nothing but this receiver's own verified path writes (see the
    caller's reasons); a body that no longer decodes is refused like an unreadable one.
    """
    try:
        header = json.loads(header_bytes)
        cert = header.get("cert")
        info = parse_certificate(cert if isinstance(cert, dict) else {})
        origin, epoch, first = str(header["origin"]), int(header["epoch"]), int(header["from"])
        count = int(header["n"])
    except (ValueError, KeyError, TypeError, AttributeError, SyncError):
        return VerifiedSegment({}, header_bytes, body, None, None, "unreadable header")
    signer = ChangeSigner(info.node_id, info.office_id, info.level)
    try:
        changes = decode_segment(body, origin, epoch, first)
    except CodecError as exc:
        reason = f"segment cannot be read: {exc}"
        return VerifiedSegment(header, header_bytes, body, None, info, reason)
    if len(changes) != count:
        return VerifiedSegment(header, header_bytes, body, None, info, "segment length differs")
    seg = VerifiedSegment(header, header_bytes, body, Batch(changes, signer), info, None)
    return revoked_since(seg, province_key, revoked, now)


def apply_verified(
    store: Store,
    verified: list[VerifiedSegment],
    *,
    received_from: str,
    my_level: int,
    keep_for_relay: bool,
    revoked: set[int] | None = None,
) -> Applied:
    """Apply verified segments; the caller holds the ONE transaction. ``revoked`` (the
    list the segments were verified with) also judges the changes waiting in the backlog
    (:func:`desktop_app.sync.certificates.refuse_backlog_past_positions`)."""
    result = Applied()
    if revoked:
        refuse_backlog_past_positions(store, revoked)
    batches: list[Batch] = []
    keep: list[VerifiedSegment] = []
    me = store.node
    seen: set[str] = set()
    for seg in verified:
        if seg.refused is not None:
            result.refused.append(seg.refused)
        if seg.batch is None or seg.info is None:
            continue
        if my_level == 3 and seg.info.level == 3 and seg.info.office_id != me.office_id:
            continue  # another commune's data, not ours to hold
        if seg.info.node_id not in seen:
            seen.add(seg.info.node_id)
            remember_node(store, seg.info)
        batches.append(seg.batch)
        if keep_for_relay and seg.info.node_id != me.node_id:
            keep.append(seg)  # a revoked author's too, as a bundle import keeps it
    applier = ChangeApplier(
        store, Authoriser(store), received_from=received_from, my_level=my_level
    )
    result.report = applier.apply(batches)
    result.skewed = report_hlc(store, applier.max_hlc)
    if keep:
        cctx = zstandard.ZstdCompressor(level=3)
        sql(store).cursor().executemany(
            "INSERT OR IGNORE INTO sync_segment (origin, epoch, seq_from, seq_to, header, body,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    *seg.stream,
                    *seg.seq_range,
                    seg.header_bytes.decode("utf-8"),
                    cctx.compress(seg.body),
                    store.now_iso(),
                )
                for seg in keep
            ],
        )
    return result


def record_acknowledgement(
    store: Store, province_node: str, province_office: str, vector: Vector, tag: str
) -> None:
    """Remember what the province holds (the period's state becomes "acknowledged")."""
    merge_peer(store, province_node, province_office, 1, vector, tag)


def record_rejections(store: Store, rows: list[tuple[str, int, int, str]], by: str) -> None:
    """Store the province's rejections of our (or our communes') changes, with reasons."""
    sql(store).cursor().executemany(
        "INSERT OR IGNORE INTO sync_rejection (origin, epoch, seq, reason, reported_by,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?)",
        [(o, e, s, r, by, store.now_iso()) for o, e, s, r in rows],
    )
