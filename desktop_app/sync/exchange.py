"""Export and import of bundles: what goes in, the checks in order, the one transaction.

Relay design (segments). Signing each change would cost 64 bytes a change,
three times the 20-byte budget, so the author signs SEGMENTS: a run of its own
consecutive changes ``(origin, epoch, seq_from..seq_to)``, the SHA-256 of the
segment's canonical body (:mod:`desktop_app.sync.codec`) and the schema,
signed with the author's key; the header carries the author's certificate.

* An office exports ONE fresh segment of its own changes per epoch, from just
  above what the province has acknowledged to its newest change (so each
  bundle contains the ones before it and order stops mattering).
* A receiver verifies each segment on its own (certificate against the
  province key and revocations, signature, body hash) and checks every change
  against THAT certificate's scope, not the sender's: a district relays but
  cannot forge.
* A district keeps the segments it received (``sync_segment``: header with
  signature and certificate, compressed body) and forwards them unchanged:
  upward its communes' segments not yet acknowledged by the province,
  downward the province's segments. A commune ignores other communes'
  segments. The province's vector travels down inside every bundle, so each
  office knows what the province holds and what it may stop re-sending.

The bundle itself is signed by its sender (manifest, and the payload through
its hash); the sender's applied vector in the manifest is its acknowledgement.
"""

from __future__ import annotations

import json
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard
from peewee import PeeweeException as PeeweeError

from desktop_app import __version__
from desktop_app.domain.ids import uuid7
from desktop_app.store.apply import ApplyReport, Batch, ChangeApplier, report_hlc
from desktop_app.store.errors import DiskFullError
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import (
    CertInfo,
    apply_revocations,
    my_certificate,
    remember_node,
    revocation_list,
    revoked_serials,
    verify_certificate,
)
from desktop_app.sync.errors import (
    BadSignatureError,
    NewerSchemaError,
    OwnBundleError,
    PayloadHashError,
    SyncError,
    WrongAddresseeError,
)
from desktop_app.sync.identity import canonical_bytes, load_identity, verify
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.segments import own_segments, relayed_segments, segment_batch
from desktop_app.sync.summary import inspect_bundle
from desktop_app.sync.vectors import (
    Vector,
    full_vector,
    merge_peer,
    my_level,
    peer_vector,
    province_vector,
    vector_from_json,
    vector_to_json,
)

__all__ = [
    "ExportResult",
    "ImportResult",
    "Vector",
    "export_bundle",
    "import_bundle",
    "inspect_bundle",
    "my_level",
    "province_vector",
    "vector_from_json",
    "verify_bundle",
]


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    bundle_id: str
    changes: int
    segments: int
    size: int
    ranges: list[list[Any]]


@dataclass
class ImportResult:
    """What an import did (``already`` when the bundle had been imported before)."""

    bundle_id: str
    sender: str
    already: bool = False
    report: ApplyReport = field(default_factory=ApplyReport)
    refused_segments: list[str] = field(default_factory=list)
    skewed: list[str] = field(default_factory=list)
    backup: Path | None = None


# --- export ---


def export_bundle(
    store: Store, out: Path, *, to: str | None = None, level: int = fmt.ZSTD_LEVEL
) -> ExportResult:
    """Write a signed bundle of everything the province has not acknowledged yet."""
    cert, _province_key = my_certificate(store)
    ident = load_identity(store)
    mine = my_level(store)
    to_level: int | None = None
    ack = province_vector(store) if mine != 1 else {}
    if to is not None:
        by_office = store.db.execute_sql(
            "SELECT node_id FROM sync_node WHERE office_id = ? ORDER BY serial DESC", (to,)
        ).fetchall()
        if len(by_office) == 1:  # an office id names its one known installation
            to = str(by_office[0][0])
        row = store.db.execute_sql("SELECT level FROM sync_node WHERE node_id = ?", (to,))
        found = row.fetchone()
        to_level = None if found is None else int(found[0])
        if to_level is not None and to_level > mine:
            ack = peer_vector(store, to)
    # causal order for the receiver: what came from below, then our own, then from above
    segments: list[tuple[bytes, bytes]] = []
    own = own_segments(store, ident.private_key, cert, ack)
    if mine != 3:
        down_ack = peer_vector(store, to) if to is not None else {}
        up_ack = province_vector(store)
        segments += relayed_segments(store, to_level, up_ack, down_ack, which="below")
        segments += own
        segments += relayed_segments(store, to_level, up_ack, down_ack, which="above")
    else:
        segments = own
    rejections = [
        [o, e, s, r, b]
        for o, e, s, r, b in store.db.execute_sql(
            "SELECT origin, epoch, seq, reason, ? FROM sync_quarantine"
            " UNION SELECT origin, epoch, seq, reason, reported_by FROM sync_rejection",
            (store.node.office_id,),
        )
    ]
    revocations: Any = None
    if mine == 1:
        revocations = revocation_list(store)
    else:
        row = store.db.execute_sql("SELECT value FROM meta WHERE key = 'sync_revocations'")
        found = row.fetchone()
        revocations = json.loads(found[0]) if found else None
    prov_vec = province_vector(store)
    extras = {
        "province_vector": vector_to_json(prov_vec),
        "rejections": sorted(rejections),
        "revocations": revocations,
    }
    frames = [canonical_bytes(extras)]
    ranges: list[list[Any]] = []
    count = 0
    for header, body in segments:
        h = json.loads(header)
        ranges.append([h["origin"], h["epoch"], h["from"], h["to"]])
        count += int(h["n"])
        frames += [header, body]
    raw_payload = fmt.pack_frames(frames)
    compressed = fmt.compress(raw_payload, level)
    node = store.node
    bundle_id = uuid7(int(store.clock() * 1000), random.SystemRandom())
    manifest = {
        "bundle_id": bundle_id,
        "created": store.now_iso(),
        "from": {"node": node.node_id, "office": node.office_id, "epoch": node.epoch},
        "to": to,
        "chain": [cert],
        "schema": SCHEMA_VERSION,
        "min_app": __version__,
        "ranges": ranges,
        "payload": fmt.payload_fields(raw_payload, compressed),
        "vector": vector_to_json(full_vector(store)),
    }
    data = fmt.build_file(manifest, compressed, ident.private_key)
    fmt.write_bundle(out, data)
    # read back and verify what is on the disk
    back = fmt.split(Path(out).read_bytes(), str(out))
    if not verify(ident.public_key, back.signature, back.signed):
        raise BadSignatureError()
    fmt.check_payload(back)
    back_frames = fmt.unpack_frames(fmt.decompress(back))
    if back_frames[1:] != frames[1:]:
        raise PayloadHashError(detail="the file read back differs from what was written")
    own_seqs = {f"{o}/{e}": s for (o, e), s in full_vector(store).items() if o == node.node_id}
    with store.transaction():
        store.db.execute_sql(
            "INSERT OR REPLACE INTO sync_bundle (bundle_id, direction, peer, at, summary)"
            " VALUES (?, 'out', ?, ?, ?)",
            (bundle_id, to, store.now_iso(), json.dumps({"own": own_seqs, "changes": count})),
        )
    return ExportResult(Path(out), bundle_id, count, len(segments), len(data), ranges)


# --- import ---


@dataclass
class _Verified:
    raw: fmt.RawBundle
    sender: CertInfo
    frames: list[bytes]


def verify_bundle(store: Store, data: bytes, path: str = "") -> _Verified:
    """Every bundle-level check, in the documented order; raises the first that fails."""
    raw = fmt.split(data, path)
    _cert, province_key = my_certificate(store)
    chain = raw.manifest.get("chain")
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], dict):
        raise BadSignatureError()
    sender = verify_certificate(
        chain[0], province_key, now=store.clock(), revoked=revoked_serials(store)
    )
    if not verify(sender.public_key, raw.signature, raw.signed):
        raise BadSignatureError()
    me = store.node.node_id
    to = raw.manifest.get("to")
    if to is not None and to != me:
        raise WrongAddresseeError(to=to)
    if sender.node_id == me:
        raise OwnBundleError()
    fmt.check_payload(raw)
    payload = fmt.decompress(raw)
    schema = raw.manifest.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        raise NewerSchemaError(found=schema, app_version=raw.manifest.get("min_app", "?"))
    try:
        frames = fmt.unpack_frames(payload)
    except ValueError as exc:
        raise PayloadHashError(detail=str(exc)) from exc
    if not frames or len(frames) % 2 != 1:
        raise PayloadHashError(detail="bad framing")
    return _Verified(raw, sender, frames)


def import_bundle(
    store: Store, path: Path, *, backup: bool = True, backup_dir: Path | None = None
) -> ImportResult:
    """Check and apply a bundle in one transaction (after an automatic backup)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SyncError(detail=str(exc)) from exc
    checked = verify_bundle(store, data, str(path))
    manifest = checked.raw.manifest
    bundle_id = str(manifest.get("bundle_id"))
    sender = checked.sender
    result = ImportResult(bundle_id, sender.office_id)
    payload_sha = str((manifest.get("payload") or {}).get("sha256"))
    seen = store.db.execute_sql(
        "SELECT summary FROM sync_bundle WHERE bundle_id = ? AND direction = 'in'", (bundle_id,)
    ).fetchone()
    if seen is not None and json.loads(seen[0]).get("sha256") == payload_sha:
        result.already = True  # the very same file (cursors would skip it all anyway)
        return result
    _cert, province_key = my_certificate(store)
    revoked = revoked_serials(store)
    mine = my_level(store)
    my_office = store.node.office_id
    try:
        extras = json.loads(checked.frames[0])
        if not isinstance(extras, dict):
            raise ValueError("extras")
    except ValueError as exc:
        raise PayloadHashError(detail="contents cannot be read") from exc
    batches: list[Batch] = []
    certs: list[CertInfo] = [sender]
    keep: list[tuple[dict[str, Any], bytes, bytes]] = []
    frames = checked.frames
    for i in range(1, len(frames), 2):
        try:
            header = json.loads(frames[i])
            if not isinstance(header, dict):
                raise ValueError("header")
        except ValueError:
            result.refused_segments.append("unreadable segment header")
            continue
        batch, info, refused = segment_batch(store, header, frames[i + 1], province_key, revoked)
        if refused is not None:
            result.refused_segments.append(refused)
        if batch is None or info is None:
            continue
        if mine == 3 and info.level == 3 and info.office_id != my_office:
            continue  # another commune's data, relayed for the province
        certs.append(info)
        batches.append(batch)
        if refused is None and mine == 2 and info.node_id != store.node.node_id:
            keep.append((header, frames[i], frames[i + 1]))
    if backup and store.path is not None:
        from desktop_app.store.backup import auto_backup

        result.backup = auto_backup(store.path, reason="before-import", backup_dir=backup_dir)
    cctx = zstandard.ZstdCompressor(level=3)
    with store.transaction():
        for info in certs:
            remember_node(store, info)
        applier = ChangeApplier(
            store, Authoriser(store), received_from=sender.office_id, my_level=mine
        )
        try:
            result.report = applier.apply(batches)
        except (PeeweeError, sqlite3.Error) as exc:  # rolled back: nothing was applied
            if "full" in str(exc):
                raise DiskFullError(detail=str(exc)) from exc
            raise SyncError(detail=f"the changes could not be applied: {exc}") from exc
        result.skewed = report_hlc(store, applier.max_hlc)
        store.db.cursor().executemany(
            "INSERT INTO sync_event (at, kind, node_id, detail)"
            " VALUES (?, 'segment_refused', ?, ?)",
            [(store.now_iso(), sender.node_id, reason) for reason in result.refused_segments],
        )
        store.db.cursor().executemany(
            "INSERT OR IGNORE INTO sync_segment (origin, epoch, seq_from, seq_to, header, body,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    h["origin"],
                    h["epoch"],
                    h["from"],
                    h["to"],
                    header_bytes.decode("utf-8"),
                    cctx.compress(body),
                    store.now_iso(),
                )
                for h, header_bytes, body in keep
            ],
        )
        merge_peer(
            store,
            sender.node_id,
            sender.office_id,
            sender.level,
            vector_from_json(manifest.get("vector")),
            bundle_id,
        )
        prov = vector_from_json(extras.get("province_vector"))
        if prov and sender.level != 1 and mine != 1:
            _merge_province(store, prov, bundle_id)
        _store_rejections(store, extras.get("rejections"), sender.office_id)
        revocations = extras.get("revocations")
        listed = apply_revocations(store, revocations, province_key)
        if listed:
            held = store.db.execute_sql(
                "SELECT value FROM meta WHERE key = 'sync_revocations'"
            ).fetchone()
            held_count = len(json.loads(held[0])["body"]["revoked"]) if held else -1
            if listed > held_count:  # an old, replayed list never replaces a newer one
                store.db.execute_sql(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_revocations', ?)",
                    (json.dumps(revocations),),
                )
        store.db.execute_sql(
            "INSERT OR REPLACE INTO sync_bundle (bundle_id, direction, peer, at, summary)"
            " VALUES (?, 'in', ?, ?, ?)",
            (
                bundle_id,
                sender.node_id,
                store.now_iso(),
                json.dumps(
                    {
                        "sha256": payload_sha,
                        "applied": result.report.applied,
                        "skipped": result.report.skipped,
                        "backlog": result.report.backlog,
                        "quarantined": result.report.quarantined,
                        "conflicts": result.report.conflicts,
                    }
                ),
            ),
        )
        _prune_segments(store)
    return result


def _merge_province(store: Store, vec: Vector, bundle_id: str) -> None:
    row = store.db.execute_sql("SELECT node_id FROM sync_node WHERE level = 1 LIMIT 1").fetchone()
    if row is None:
        return
    prov_node = str(row[0])
    office = store.db.execute_sql(
        "SELECT office_id FROM sync_node WHERE node_id = ?", (prov_node,)
    ).fetchone()[0]
    merge_peer(store, prov_node, str(office), 1, vec, bundle_id)


def _store_rejections(store: Store, rows: object, by: str) -> None:
    if not isinstance(rows, list):
        return
    clean = []
    for item in rows:
        try:
            o, e, s, reason, reporter = item
            clean.append(
                (str(o), int(e), int(s), str(reason), str(reporter or by), store.now_iso())
            )
        except (TypeError, ValueError):
            continue
    store.db.cursor().executemany(
        "INSERT OR IGNORE INTO sync_rejection (origin, epoch, seq, reason, reported_by,"
        " received_at) VALUES (?, ?, ?, ?, ?, ?)",
        clean,
    )


def _prune_segments(store: Store) -> None:
    """Forget relayed segments from below that the province already holds entirely.

    The province's own segments are kept: they go down to every office below.
    A segment inside a wider one of the same author (each export re-sends from
    the province's acknowledgement) is dropped too.
    """
    store.db.execute_sql(
        "DELETE FROM sync_segment WHERE EXISTS (SELECT 1 FROM sync_segment t"
        " WHERE t.origin = sync_segment.origin AND t.epoch = sync_segment.epoch"
        " AND t.seq_from <= sync_segment.seq_from AND t.seq_to >= sync_segment.seq_to"
        " AND (t.seq_from < sync_segment.seq_from OR t.seq_to > sync_segment.seq_to))"
    )
    levels = {
        str(n): int(lv) for n, lv in store.db.execute_sql("SELECT node_id, level FROM sync_node")
    }
    for (o, e), s in province_vector(store).items():
        if levels.get(o, 3) == 1:
            continue
        store.db.execute_sql(
            "DELETE FROM sync_segment WHERE origin = ? AND epoch = ? AND seq_to <= ?", (o, e, s)
        )
