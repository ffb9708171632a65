"""Signed segments: the unit of provenance a relay forwards unchanged.

A segment is a run of one author's consecutive changes ``(origin, epoch,
seq_from..seq_to)``. Its header names the range, the count, the schema and the
SHA-256 of the canonical body (:mod:`desktop_app.sync.codec`), is signed with
the author's Ed25519 key, and carries the author's certificate. One signature
per segment (64 bytes per bundle and author, not per change) keeps bundles
within the 20-bytes-per-value budget while every receiver (the province
included) verifies each ORIGINAL author, however many relays it crossed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop_app.store.apply import Batch, Change
from desktop_app.store.apply import Signer as ChangeSigner
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync.certificates import (
    CertInfo,
    parse_certificate,
    stands_to,
    verify_certificate,
)
from desktop_app.sync.codec import (
    ENCODED_COLUMNS,
    CodecError,
    SegmentRow,
    decode_segment,
    encode_fields,
    encode_segment,
    segment_rows,
)
from desktop_app.sync.errors import RevokedCertificateError, SyncError
from desktop_app.sync.identity import b64, canonical_bytes, sign, unb64, verify


def signed_part(header: dict[str, Any]) -> bytes:
    """The bytes a segment signature covers (the header without signature and certificate)."""
    return canonical_bytes({k: v for k, v in header.items() if k not in ("sig", "cert")})


def make_segment(
    changes: list[Change], private_key: bytes, cert: dict[str, Any]
) -> tuple[bytes, bytes]:
    """(header, body) of a signed segment of consecutive changes of one (origin, epoch)."""
    first, last = changes[0], changes[-1]
    body = encode_segment(changes)
    return sign_segment(
        body, first.origin, first.epoch, first.seq, last.seq, len(changes), private_key, cert
    )


# own changes as :func:`own_segment` encodes them: origin, epoch, first and last seq
OWN_ROWS = (
    f"SELECT {ENCODED_COLUMNS} FROM change WHERE origin = ? AND epoch = ?"
    " AND seq BETWEEN ? AND ? ORDER BY seq"
)


def own_segment(
    rows: list[Any],
    origin: str,
    epoch: int,
    seq_from: int,
    seq_to: int,
    private_key: bytes,
    cert: dict[str, Any],
) -> tuple[bytes, bytes]:
    """:func:`make_segment` of own changes ``seq_from..seq_to`` read with :data:`OWN_ROWS`
    (the same bytes, without building a :class:`Change` per row)."""
    if len(rows) != seq_to - seq_from + 1:  # own seqs have no gap
        raise RuntimeError(f"own changes {seq_from}..{seq_to} of {epoch} are not all there")
    body = encode_fields(rows)
    return sign_segment(body, origin, epoch, seq_from, seq_to, len(rows), private_key, cert)


def sign_segment(
    body: bytes,
    origin: str,
    epoch: int,
    seq_from: int,
    seq_to: int,
    n: int,
    private_key: bytes,
    cert: dict[str, Any],
) -> tuple[bytes, bytes]:
    """(header, body): the signed header of an encoded body of ``n`` changes."""
    header: dict[str, Any] = {
        "origin": origin,
        "epoch": epoch,
        "from": seq_from,
        "to": seq_to,
        "n": n,
        "sha256": hashlib.sha256(body).hexdigest(),
        "schema": SCHEMA_VERSION,
    }
    header["sig"] = b64(sign(private_key, signed_part(header)))
    header["cert"] = cert
    return canonical_bytes(header), body


HeldSegment = tuple[int, int, str, int]
"""A stored segment as its range: seq_from, seq_to, the table holding it
(``sync_segment`` or ``server_feed``) and its rowid there (:func:`held_data` reads it)."""

#: the tables of held segments, each with the index its ranges are read from
_HELD_TABLES = ("sync_segment", "server_feed")


def held_segments(
    store: Store, streams: set[tuple[str, int]] | None = None
) -> dict[tuple[str, int], list[HeldSegment]]:
    """Every segment this office holds to send on, per (origin, epoch), or of ``streams``
    only: those it received by bundle (``sync_segment``) and, in the province's database
    when its server runs on it, those the server's feed took over the network
    (``server_feed``, kept zstd-compressed the same way), so the province's bundles carry
    down what offices pushed over HTTP as its feed does.

    Only the ranges are read, from the tables' indexes: the header and body of the few
    segments chosen are read by :func:`held_data`. (Reading every body, the whole
    history, cost a province's every export and stick publication ~2x from half its
    history to all of it; ``bench/bench_province_stick.py``.)"""
    groups: dict[tuple[str, int], list[HeldSegment]] = {}
    for table in _held_tables(store):
        sql = f"SELECT origin, epoch, seq_from, seq_to, rowid FROM {table}"
        if streams is None:
            found = store.db.execute_sql(sql).fetchall()
        else:
            found = []
            for stream in sorted(streams):
                found += store.db.execute_sql(sql + " WHERE origin = ? AND epoch = ?", stream)
        for o, e, f, t, key in found:
            groups.setdefault((str(o), int(e)), []).append((int(f), int(t), table, int(key)))
    return groups


def _held_tables(store: Store) -> list[str]:
    """The tables of held segments this database has (``server_feed``: a server runs on it)."""
    return [
        table
        for table in _HELD_TABLES
        if table == "sync_segment"
        or store.db.execute_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    ]


def held_tops(store: Store) -> dict[tuple[str, int], int]:
    """Per (origin, epoch), the last seq of the segments this office holds (one grouped
    read of each table's index): which streams :func:`held_segments` need read at all."""
    tops: dict[tuple[str, int], int] = {}
    for table in _held_tables(store):
        for o, e, top in store.db.execute_sql(
            f"SELECT origin, epoch, MAX(seq_to) FROM {table} GROUP BY origin, epoch"
        ):
            stream = (str(o), int(e))
            tops[stream] = max(tops.get(stream, 0), int(top))
    return tops


def held_data(store: Store, held: HeldSegment) -> tuple[str, bytes]:
    """The header text and zstd-compressed body of a held segment."""
    table = held[2]
    if table not in _HELD_TABLES:
        raise ValueError(f"no held segments in {table}")
    row = store.db.execute_sql(
        f"SELECT header, body FROM {table} WHERE rowid = ?", (held[3],)
    ).fetchone()
    return str(row[0]), bytes(row[1])


def chain_from(segs: list[HeldSegment], pos: int) -> Iterator[HeldSegment]:
    """The held segments that carry one stream on from seq ``pos``: at each step the
    widest one covering ``pos``, else the earliest one after it (a gap the receiver parks)."""
    while True:
        covering = [s for s in segs if s[0] <= pos <= s[1]]
        later = [s for s in segs if s[0] > pos]
        if covering:
            best = max(covering, key=lambda s: s[1])
        elif later:
            best = min(later, key=lambda s: (s[0], -s[1]))
        else:
            return
        yield best
        pos = best[1] + 1


def segment_batch(
    store: Store,
    header: dict[str, Any],
    body: bytes,
    province_key: bytes,
    revoked: set[int],
    phases: dict[str, float] | None = None,
) -> tuple[Batch | None, CertInfo | None, str | None]:
    """Verify one segment; (batch, certificate, refusal reason).

    A segment whose author cannot be verified (certificate not from this
    province, signature or hash wrong, unreadable) gives no batch at all: its
    changes are neither applied nor counted, so a forged segment can never
    move a cursor past the genuine changes. A segment genuinely signed with a
    since-revoked certificate gives a ``refused`` batch: its changes after the
    province's position at revoking (``Batch.stands_to``) are quarantined and
    reported back, those up to it stand; a segment wholly within that position is
    not refused at all (:func:`desktop_app.sync.certificates.stands_to`).
    ``phases`` (if given) adds the seconds of the checks (``segments``) and of the
    decoding (``decode``).
    """
    read = _verified(
        store, header, body, province_key, revoked,
        lambda c: decode_segment(body, c.origin, c.epoch, c.seq_from), phases,
    )  # fmt: skip
    if isinstance(read, tuple):
        return None, *read
    batch = Batch(read.items, read.signer, read.refused, read.stands_to)
    return batch, read.info, read.refused


@dataclass
class CheckedRows:
    """A verified segment read for authorisation only (:func:`segment_rows_checked`)."""

    rows: list[SegmentRow]
    signer: ChangeSigner
    refused: str | None
    stands_to: int = 0  # with ``refused``: the changes up to this seq stand (Batch)


def segment_rows_checked(
    store: Store, header: dict[str, Any], body: bytes, province_key: bytes, revoked: set[int]
) -> tuple[CheckedRows | None, CertInfo | None, str | None]:
    """:func:`segment_batch` for a receiver that only stores and forwards the segment
    (the provincial server's feed): the same checks, the body read as
    :func:`desktop_app.sync.codec.segment_rows` instead of decoded."""
    read = _verified(store, header, body, province_key, revoked, lambda _c: segment_rows(body))
    if isinstance(read, tuple):
        return None, *read
    checked = CheckedRows(read.items, read.signer, read.refused, read.stands_to)
    return checked, read.info, read.refused


_Item = TypeVar("_Item")


@dataclass
class _Read(Generic[_Item]):
    items: list[_Item]
    signer: ChangeSigner
    info: CertInfo
    refused: str | None
    stands_to: int = 0


def _verified(
    store: Store,
    header: dict[str, Any],
    body: bytes,
    province_key: bytes,
    revoked: set[int],
    read: Callable[[_Checked], list[_Item]],
    phases: dict[str, float] | None = None,
) -> _Read[_Item] | tuple[CertInfo | None, str]:
    """What ``read`` makes of the body after the checks, or (certificate, why not)."""
    started = time.perf_counter()
    checked = _check(store, header, body, province_key, revoked)
    checked_at = time.perf_counter()
    if isinstance(checked, tuple):
        return checked
    try:
        items = read(checked)
    except CodecError as exc:
        return checked.info, f"segment cannot be read: {exc}"
    finally:
        if phases is not None:
            phases["segments"] = phases.get("segments", 0.0) + checked_at - started
            phases["decode"] = phases.get("decode", 0.0) + time.perf_counter() - checked_at
    if len(items) != checked.count:
        return checked.info, "segment length differs"
    signer = ChangeSigner(checked.info.node_id, checked.info.office_id, checked.info.level)
    return _Read(items, signer, checked.info, checked.revoked, checked.stands_to)


@dataclass
class _Checked:
    info: CertInfo
    revoked: str | None
    origin: str
    epoch: int
    seq_from: int
    count: int
    stands_to: int = 0


def _check(
    store: Store, header: dict[str, Any], body: bytes, province_key: bytes, revoked: set[int]
) -> _Checked | tuple[CertInfo | None, str]:
    """The author's certificate, the signature and the body's hash; or why not."""
    doc = header.get("cert")
    cert_doc: dict[str, Any] = doc if isinstance(doc, dict) else {}
    revoked_reason: str | None = None
    try:
        info = verify_certificate(
            cert_doc, province_key, now=store.clock(), revoked=revoked, check_expiry=False
        )
    except RevokedCertificateError as exc:
        revoked_reason = exc.user_message()
        info = parse_certificate(cert_doc)
    except SyncError as exc:
        return None, exc.user_message()
    try:
        origin, epoch = str(header["origin"]), int(header["epoch"])
        seq_from, count = int(header["from"]), int(header["n"])
        seq_to = int(header["to"])
    except (KeyError, TypeError, ValueError):
        return info, "segment header cannot be read"
    if count < 1 or seq_from < 1 or seq_to != seq_from + count - 1:
        return info, "segment header cannot be read"
    if info.node_id != origin:
        return info, "segment signed by another installation's certificate"
    try:
        signature = unb64(str(header.get("sig", "")))
    except ValueError:
        signature = b""
    if not verify(info.public_key, signature, signed_part(header)):
        return info, "segment signature not valid"
    if hashlib.sha256(body).hexdigest() != header.get("sha256"):
        return info, "segment contents do not match their signature"
    position = 0
    if revoked_reason is not None:
        # what the province held when it revoked stands, here as everywhere
        position = stands_to(revoked, info.serial, epoch)
        if seq_to <= position:
            revoked_reason = None
    return _Checked(info, revoked_reason, origin, epoch, seq_from, count, position)
