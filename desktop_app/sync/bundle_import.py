"""Import of a bundle: every check in order, then ONE transaction (see
:mod:`desktop_app.sync.exchange`)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import zstandard
from peewee import PeeweeException as PeeweeError

from desktop_app.i18n import _
from desktop_app.store.apply import ApplyReport, Batch, ChangeApplier, report_hlc
from desktop_app.store.backup import SnapshotBackup, auto_backup, start_auto_backup
from desktop_app.store.errors import DiskFullError
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import (
    CertInfo,
    keep_revocation_list,
    my_certificate,
    refuse_backlog_past_positions,
    remember_node,
    revoked_serials,
    revoked_with,
    verify_certificate,
)
from desktop_app.sync.errors import (
    BadSignatureError,
    NewerSchemaError,
    NotEnoughMemoryError,
    OwnBundleError,
    PayloadHashError,
    SyncError,
    WrongAddresseeError,
)
from desktop_app.sync.identity import verify
from desktop_app.sync.progress import Cancel, Progress, check_cancel, report
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.segments import segment_batch
from desktop_app.sync.sending import Tree
from desktop_app.sync.takeback import TakenBack, take_back_past_positions
from desktop_app.sync.vectors import (
    Vector,
    merge_peer,
    my_level,
    vector_from_json,
)


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
    backup_seconds: float | None = None  # writing the backup took (alongside the apply)
    # seconds spent in each part of the import, in order (see :data:`PHASES`)
    phases: dict[str, float] = field(default_factory=dict)
    # changes applied here before the revocation list reached it, taken back with it
    taken_back: list[TakenBack] = field(default_factory=list)


PHASES = {
    "read": "reading the file",
    "verify": "bundle checks: manifest, certificate, signature, SHA-256",
    "decompress": "decompressing and framing the payload",
    "segments": "each segment's certificate, signature and hash",
    "decode": "decoding the segments' changes",
    "backup": "the automatic backup",
    "apply": "applying the changes (the store's applier, conflicts reconciled)",
    "bookkeeping": "held segments, vectors, rejections, revocations (and what they take"
    " back), bundle record",
    "commit": "COMMIT",
}
"""The parts of an import that :attr:`ImportResult.phases` times, in order, in words."""


@contextlib.contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] = phases.get(name, 0.0) + time.perf_counter() - started


@dataclass
class _Verified:
    raw: fmt.RawBundle
    sender: CertInfo
    frames: list[bytes]


def verify_bundle(
    store: Store, data: bytes, path: str = "", phases: dict[str, float] | None = None
) -> _Verified:
    """Every bundle-level check, in the documented order; raises the first that fails.

    ``phases`` (if given) adds the seconds of the checks and of the decompression.
    """
    timings: dict[str, float] = {} if phases is None else phases
    started = time.perf_counter()
    raw = fmt.split(data, path)
    fmt.check_declared_size(raw.manifest, len(data))
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
    if to is not None and to not in (me, store.node.office_id):  # its node, or its office
        raise WrongAddresseeError(to=to)
    if sender.node_id == me:
        raise OwnBundleError()
    fmt.check_payload(raw)
    unpacked = time.perf_counter()
    timings["verify"] = timings.get("verify", 0.0) + unpacked - started
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
    timings["decompress"] = timings.get("decompress", 0.0) + time.perf_counter() - unpacked
    return _Verified(raw, sender, frames)


def import_bundle(
    store: Store,
    path: Path,
    *,
    backup: bool = True,
    backup_dir: Path | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ImportResult:
    """Check and apply a bundle in one transaction (after an automatic backup).

    ``progress(fraction, message)`` hears how far it got; ``cancel`` (a flag
    with ``is_set()`` or a callable) is checked between segments, before the
    backup, before applying and once more just BEFORE the transaction commits:
    a cancelled import raises
    :class:`~desktop_app.sync.errors.SyncCancelledError` and leaves the
    database exactly as it was.
    """
    report(progress, 0.0, _("Reading and checking the bundle…"))
    path = Path(path)
    phases: dict[str, float] = {}
    try:
        with _timed(phases, "read"):
            fmt.check_file_size(path)
            data = path.read_bytes()
    except OSError as exc:
        raise SyncError(detail=str(exc)) from exc
    try:
        return _import(store, path, data, backup, backup_dir, progress, cancel, phases)
    except MemoryError as exc:  # rolled back; the PC had less memory than it said
        raise NotEnoughMemoryError(need=max(1, 4 * len(data) // 2**20)) from exc


def _import(
    store: Store,
    path: Path,
    data: bytes,
    backup: bool,
    backup_dir: Path | None,
    progress: Progress | None,
    cancel: Cancel | None,
    phases: dict[str, float],
) -> ImportResult:
    checked = verify_bundle(store, data, str(path), phases)
    manifest = checked.raw.manifest
    bundle_id = str(manifest.get("bundle_id"))
    sender = checked.sender
    result = ImportResult(bundle_id, sender.office_id, phases=phases)
    payload_sha = str((manifest.get("payload") or {}).get("sha256"))
    seen = store.db.execute_sql(
        "SELECT summary FROM sync_bundle WHERE bundle_id = ? AND direction = 'in'", (bundle_id,)
    ).fetchone()
    if seen is not None and json.loads(seen[0]).get("sha256") == payload_sha:
        result.already = True  # the very same file (cursors would skip it all anyway)
        return result
    _cert, province_key = my_certificate(store)
    mine = my_level(store)
    my_office = store.node.office_id
    try:
        extras = json.loads(checked.frames[0])
        if not isinstance(extras, dict):
            raise ValueError("extras")
    except ValueError as exc:
        raise PayloadHashError(detail="contents cannot be read") from exc
    # the segments are judged with the list that travels with them, as a network page's
    revoked = revoked_with(store, extras.get("revocations"), province_key)
    tree = Tree(store)
    batches: list[Batch] = []
    certs: list[CertInfo] = [sender]
    keep: list[tuple[dict[str, Any], bytes, bytes]] = []
    frames = checked.frames
    total = len(frames) // 2
    for i in range(1, len(frames), 2):
        check_cancel(cancel)
        report(
            progress,
            0.1 + 0.3 * (i // 2) / max(1, total),
            _("Checking segment {n} of {total}…").format(n=i // 2 + 1, total=total),
        )
        try:
            header = json.loads(frames[i])
            if not isinstance(header, dict):
                raise ValueError("header")
        except ValueError:
            result.refused_segments.append("unreadable segment header")
            continue
        batch, info, refused = segment_batch(
            store, header, frames[i + 1], province_key, revoked, phases
        )
        if refused is not None:
            result.refused_segments.append(refused)
        if batch is None or info is None:
            continue
        if mine != 1 and not tree.entitled(my_office, mine, info.office_id):
            continue  # another office's data, relayed for someone else
        certs.append(info)
        batches.append(batch)
        if info.node_id != store.node.node_id:
            # held, to send on as its author signed it; a revoked author's too (the only
            # refusal that still gives a batch): every receiver splits it at the position
            # itself, so what stands here and what is quarantined here travel on alike
            keep.append((header, frames[i], frames[i + 1]))
    check_cancel(cancel)
    backing_up = backup and store.path is not None
    if backing_up:
        report(progress, 0.5, _("Backing up the database and applying the changes…"))
    else:
        report(progress, 0.5, _("Applying the changes…"))
    with store.transaction():
        # the backup is taken inside this write transaction, before it writes: of exactly
        # the state the import starts from, written alongside the apply
        pending = _start_backup(store, backup_dir, result) if backing_up else None
        try:
            bookkeeping = _write(
                store, checked, result, certs, batches, keep, mine, extras, revoked
            )
            phases["bookkeeping"] = time.perf_counter() - bookkeeping
        except BaseException:
            if pending is not None:  # never a backup thread left running
                with contextlib.suppress(Exception):
                    pending.wait()
            raise
        if pending is not None:  # a failed backup rolls the import back
            report(progress, 0.9, _("Finishing the backup…"))
            with _timed(phases, "backup"):
                result.backup = pending.wait()
            result.backup_seconds = pending.seconds
        check_cancel(cancel)  # the last moment: raising here rolls everything back
        report(progress, 0.95, _("Saving…"))
        committing = time.perf_counter()
    phases["commit"] = time.perf_counter() - committing
    report(progress, 1.0, _("Bundle imported."))
    return result


def _start_backup(
    store: Store, backup_dir: Path | None, result: ImportResult
) -> SnapshotBackup | None:
    """The automatic backup, started on its thread (a database not in WAL mode: taken
    here, before anything is written; then None)."""
    assert store.path is not None
    started = time.perf_counter()
    pending = start_auto_backup(store.path, reason="before-import", backup_dir=backup_dir)
    if pending is None:
        result.backup = auto_backup(store.path, reason="before-import", backup_dir=backup_dir)
        result.backup_seconds = time.perf_counter() - started
    result.phases["backup"] = time.perf_counter() - started
    return pending


def _write(
    store: Store,
    checked: _Verified,
    result: ImportResult,
    certs: list[CertInfo],
    batches: list[Batch],
    keep: list[tuple[dict[str, Any], bytes, bytes]],
    mine: int,
    extras: dict[str, Any],
    revoked: set[int],
) -> float:
    """Everything the import writes, inside its transaction; returns when the apply ended.
    ``revoked`` (the list the segments were judged with) also judges the backlog."""
    manifest, sender, phases = checked.raw.manifest, checked.sender, result.phases
    bundle_id = result.bundle_id
    _cert, province_key = my_certificate(store)
    for info in certs:
        remember_node(store, info)
    refuse_backlog_past_positions(store, revoked)
    applier = ChangeApplier(store, Authoriser(store), received_from=sender.office_id, my_level=mine)
    try:
        with _timed(phases, "apply"):
            result.report = applier.apply(batches)
    except (PeeweeError, sqlite3.Error) as exc:  # rolled back: nothing was applied
        raise _not_applied(exc) from exc
    bookkeeping = time.perf_counter()
    result.skewed = report_hlc(store, applier.max_hlc)
    store.db.cursor().executemany(
        "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, 'segment_refused', ?, ?)",
        [(store.now_iso(), sender.node_id, reason) for reason in result.refused_segments],
    )
    cctx = zstandard.ZstdCompressor(level=3)
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
        replace=True,
    )
    prov = vector_from_json(extras.get("province_vector"))
    if prov and sender.level != 1 and mine != 1:
        _merge_province(store, prov, bundle_id)
    _store_rejections(store, extras.get("rejections"), sender.office_id)
    keep_revocation_list(store, extras.get("revocations"), province_key)
    # what this office applied before the list reached it, past the province's position
    try:
        result.taken_back = take_back_past_positions(store)
    except (PeeweeError, sqlite3.Error) as exc:  # rolled back with the list: nothing changed
        raise _not_applied(exc) from exc
    payload_sha = str((manifest.get("payload") or {}).get("sha256"))
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
    return bookkeeping


def _not_applied(exc: Exception) -> SyncError | DiskFullError:
    """A database error while writing an import, as the words the import raises (its
    transaction rolls back: nothing of the bundle was applied)."""
    if "full" in str(exc):
        return DiskFullError(detail=str(exc))
    return SyncError(detail=f"the changes could not be applied: {exc}")


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
    """Forget a held segment inside a wider one of the same author.

    Every other held segment is kept: an office below may still lack it (a
    restore, a bundle that went round the district), and the province's
    acknowledgement never decides what goes down.
    """
    store.db.execute_sql(
        "DELETE FROM sync_segment WHERE EXISTS (SELECT 1 FROM sync_segment t"
        " WHERE t.origin = sync_segment.origin AND t.epoch = sync_segment.epoch"
        " AND t.seq_from <= sync_segment.seq_from AND t.seq_to >= sync_segment.seq_to"
        " AND (t.seq_from < sync_segment.seq_from OR t.seq_to > sync_segment.seq_to))"
    )
