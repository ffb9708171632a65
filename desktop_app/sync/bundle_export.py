"""Export of a bundle: what goes in (own segments, relayed segments, acknowledgements), the
signed file written atomically and read back (see :mod:`desktop_app.sync.exchange`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app import __version__
from desktop_app.i18n import _
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import (
    my_certificate,
    refuse_if_revoked,
    resolve_addressee,
    revocation_list,
)
from desktop_app.sync.errors import (
    BadSignatureError,
    PayloadHashError,
    SyncCancelledError,
)
from desktop_app.sync.identity import canonical_bytes, load_identity, verify
from desktop_app.sync.progress import Cancel, Progress, check_cancel, report
from desktop_app.sync.sending import Tree, receivers_for, segments_to_send
from desktop_app.sync.vectors import (
    full_vector,
    my_level,
    peer_vector,
    province_vector,
    vector_to_json,
)


@dataclass
class ExportResult:
    """What an export wrote."""

    path: Path
    bundle_id: str
    changes: int
    segments: int
    size: int
    ranges: list[list[Any]]


def export_bundle(
    store: Store,
    out: Path,
    *,
    to: str | None = None,
    level: int = fmt.ZSTD_LEVEL,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
) -> ExportResult:
    """Write a signed bundle of every held segment the addressee lacks and may hold.

    ``progress(fraction, message)`` hears how far it got; ``cancel`` (a flag
    with ``is_set()`` or a callable) is checked between segments, before the
    file is written and before the export is recorded: a cancelled export
    raises :class:`~desktop_app.sync.errors.SyncCancelledError` and leaves no
    file behind (nor any trace in the database).
    """
    report(progress, 0.0, _("Gathering the changes to send…"))
    cert, _province_key = my_certificate(store)
    refuse_if_revoked(store)  # nobody would accept it: say so now, in words
    ident = load_identity(store)
    mine = my_level(store)
    # an office id names its one known installation; an unknown one is refused
    to, to_office = resolve_addressee(store, to)
    # what the receiver (or every neighbour, when it is unknown) lacks and may hold
    tree = Tree(store)
    receivers = receivers_for(tree, store.node.office_id, to_office)
    # one installation named: from what it reported itself, never from what another
    # installation of its office did (one that never reported is sent everything)
    addressee = None
    if to is not None and to_office is not None and to != to_office:
        addressee = peer_vector(store, to)
    segments = segments_to_send(store, ident.private_key, cert, tree, receivers, addressee)
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
    for n, (header, body) in enumerate(segments):
        check_cancel(cancel)
        report(
            progress,
            0.1 + 0.4 * n / len(segments),
            _("Packing segment {n} of {total}…").format(n=n + 1, total=len(segments)),
        )
        h = json.loads(header)
        ranges.append([h["origin"], h["epoch"], h["from"], h["to"]])
        count += int(h["n"])
        frames += [header, body]
    check_cancel(cancel)
    report(progress, 0.5, _("Compressing and signing the bundle…"))
    raw_payload = fmt.pack_frames(frames)
    compressed = fmt.compress(raw_payload, level)
    node = store.node
    bundle_id = store.new_id()  # deterministic under a seeded store (the demo)
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
    check_cancel(cancel)
    report(progress, 0.7, _("Writing the bundle file…"))
    fmt.write_bundle(out, data)
    try:
        report(progress, 0.85, _("Reading the file back to check it…"))
        back = fmt.split(Path(out).read_bytes(), str(out))
        if not verify(ident.public_key, back.signature, back.signed):
            raise BadSignatureError()
        fmt.check_payload(back)
        back_frames = fmt.unpack_frames(fmt.decompress(back))
        if back_frames[1:] != frames[1:]:
            raise PayloadHashError(detail="the file read back differs from what was written")
        check_cancel(cancel)
    except SyncCancelledError:
        Path(out).unlink(missing_ok=True)
        raise
    own_seqs = {f"{o}/{e}": s for (o, e), s in full_vector(store).items() if o == node.node_id}
    with store.transaction():
        store.db.execute_sql(
            "INSERT OR REPLACE INTO sync_bundle (bundle_id, direction, peer, at, summary)"
            " VALUES (?, 'out', ?, ?, ?)",
            (bundle_id, to, store.now_iso(), json.dumps({"own": own_seqs, "changes": count})),
        )
    report(progress, 1.0, _("Bundle written and checked."))
    return ExportResult(Path(out), bundle_id, count, len(segments), len(data), ranges)
