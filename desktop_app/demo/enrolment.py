"""The demo office pre-enrolled under a demo province (``coverage-desk demo``).

DESIGN: "The demo office may come pre-enrolled under a demo province; say how."
This is how. After the replay (:mod:`desktop_app.demo.replay`) has written every
simulated installation's changes into the office database:

* the demo province's database is created with
  :func:`~desktop_app.sync.certificates.init_province`; its installation IS the
  one that set the demo's targets (same node id and epoch), and those changes,
  their audit rows and the target rows are handed over to it, so the province
  holds what it wrote;
* the office gets its own key pair and is enrolled
  (:func:`~desktop_app.sync.certificates.enroll_demo`);
* every other simulated installation (each commune's computer; the district's
  for a commune office) gets a key pair and a certificate signed by the
  province, and its changes are stored in the office's ``sync_segment`` as ONE
  signed segment, exactly as an import keeps what it received; the province's
  changes are stored signed by the province's root key. So the office relays
  them and every receiver verifies the original authors;
* then the office sends everything to the province as a real office does
  (:func:`deliver`): a signed bundle exported by the office and imported by the
  province, and the province's answer imported by the office, so the province's
  dashboard, map and reports are filled from the start and the office knows the
  province holds its data (it would not send it again).

Keys are Ed25519 private keys derived from the seed (SHA-256 of the seed and
the installation), and every time comes from the demo clock, so the same
seed gives the same tables in both databases. Demo certificates are valid for
50 years from the simulated time (the demo's quarters lie in the past).
"""

from __future__ import annotations

import hashlib
import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Any

import zstandard

from desktop_app.domain import hlc as hlc_clock
from desktop_app.store.apply import Change, RowMerger
from desktop_app.store.changes import CHANGE_COLUMNS, INSERT_AUDIT_SQL, INSERT_CHANGE_SQL, Actor
from desktop_app.store.reference_rows import REFERENCE_TABLES, write_reference
from desktop_app.store.repositories.values import UPSERT_VALUE_SQL
from desktop_app.store.store import Clock, Store
from desktop_app.sync.certificates import (
    certify_installation,
    enroll_demo,
    init_province,
    remember_node,
)
from desktop_app.sync.identity import install_keys, key_pair_from_seed, load_identity
from desktop_app.sync.segments import make_segment

DEMO_VALIDITY = timedelta(days=50 * 366)


def demo_key_pair(seed: int, installation: str) -> tuple[bytes, bytes]:
    """The (private, public) Ed25519 pair of a demo installation, derived from the seed."""
    material = hashlib.sha256(f"coverage-desk demo key|{seed}|{installation}".encode()).digest()
    return key_pair_from_seed(material)


def province_path_for(path: Path) -> Path:
    """``demo/demo-office.db`` → ``demo/demo-office-province.db``."""
    path = Path(path)
    return path.with_name(f"{path.stem}-province{path.suffix or '.db'}")


def create_demo_province(
    path: Path, province_id: str, writer: Actor, seed: int, clock: Clock
) -> Store:
    """The province's database; its installation is ``writer`` (who set the targets)."""
    return init_province(
        path,
        province_id,
        keys=demo_key_pair(seed, "province"),
        validity=DEMO_VALIDITY,
        clock=clock,
        rng=random.Random(f"coverage-desk demo province|{seed}"),
        node_id=writer.origin,
        epoch=writer.epoch,
    )


def hand_over(office: Store, province: Store) -> int:
    """Copy the province installation's changes (with audit and rows) from the office.

    The replay wrote them in the office's database as received from the
    province; the province's own database must hold them as its own: the same
    ``(origin, epoch, seq)``, HLC and state, its audit rows, and the rows they
    set. Its clock moves past them. Returns how many changes were handed over.
    """
    node = province.node
    odb: Any = office.db  # peewee leaves execute_sql untyped
    pdb: Any = province.db
    changes = odb.execute_sql(
        f"SELECT id, {CHANGE_COLUMNS} FROM change WHERE origin = ? AND epoch = ? ORDER BY seq",
        (node.node_id, node.epoch),
    ).fetchall()
    if not changes:
        return 0
    audits: dict[int, list[tuple[Any, ...]]] = {}
    for change_id, *audit in odb.execute_sql(
        "SELECT a.change_id, a.at, a.user, a.action, a.entity, a.entity_key, a.old, a.new"
        " FROM audit a JOIN change c ON c.id = a.change_id WHERE c.origin = ? AND c.epoch = ?",
        (node.node_id, node.epoch),
    ):
        audits.setdefault(int(change_id), []).append(tuple(audit))
    rows = RowMerger(province, my_level=1)
    highest = 0
    with province.transaction():
        rows.load()
        for row in changes:
            change = Change(*row[1:])
            cursor = pdb.execute_sql(INSERT_CHANGE_SQL, (None, *change.row()))
            new_id = int(cursor.lastrowid or 0)
            for audit in audits.get(int(row[0]), []):
                pdb.execute_sql(INSERT_AUDIT_SQL, (*audit, new_id))
            state = None if change.state is None else dict(json.loads(change.state))
            if change.entity in REFERENCE_TABLES and state is not None:  # area lists, holes
                write_reference(pdb, change.entity, state, change.version)
            else:
                rows.write_row(
                    change.entity, change.entity_key, state, change.version, change.hlc, change.user
                )
            highest = max(highest, change.hlc)
        pdb.cursor().executemany(UPSERT_VALUE_SQL, list(rows.value_rows.values()))
        stamp = hlc_clock.unpack(highest, node.node_id)
        pdb.execute_sql(
            "UPDATE node SET hlc_wall = ?, hlc_counter = ?"
            " WHERE hlc_wall < ? OR (hlc_wall = ? AND hlc_counter < ?)",
            (stamp.wall_ms, stamp.counter, stamp.wall_ms, stamp.wall_ms, stamp.counter),
        )
    return len(changes)


def pre_enrol(office: Store, province: Store, actors: dict[str, Actor], seed: int) -> int:
    """Enrol the office and store every simulated installation's changes as signed segments.

    ``actors`` are the replay's writers by unit id. Returns the number of
    segments stored.
    """
    me = office.node.node_id
    install_keys(office, *demo_key_pair(seed, me))
    enroll_demo(office, province, validity=DEMO_VALIDITY)
    root = load_identity(province)
    compressor = zstandard.ZstdCompressor(level=3)
    db: Any = office.db
    kept = []
    for unit_id, actor in sorted(actors.items()):
        if actor.origin == me:
            continue  # the office's own changes: it signs them at each export
        if actor.origin == root.node_id and root.certificate is not None:
            private, cert = root.private_key, root.certificate
        else:
            private, public = demo_key_pair(seed, actor.origin)
            info = certify_installation(
                province, actor.origin, unit_id, public, validity=DEMO_VALIDITY
            )
            with office.transaction():
                remember_node(office, info)
            cert = info.document
        changes = [
            Change(*r)
            for r in db.execute_sql(
                f"SELECT {CHANGE_COLUMNS} FROM change WHERE origin = ? AND epoch = ? ORDER BY seq",
                (actor.origin, actor.epoch),
            )
        ]
        if not changes:
            continue
        header, body = make_segment(changes, private, cert)
        kept.append(
            (
                actor.origin,
                actor.epoch,
                changes[0].seq,
                changes[-1].seq,
                header.decode("utf-8"),
                compressor.compress(body),
                office.now_iso(),
            )
        )
    with office.transaction():
        db.cursor().executemany(
            "INSERT INTO sync_segment (origin, epoch, seq_from, seq_to, header, body,"
            " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            kept,
        )
    return len(kept)


def deliver(office: Store, province: Store, folder: Path) -> tuple[int, int]:
    """The office's bundle imported by the province, then the province's answer by the office.

    The bundles are written beside the databases and removed afterwards (a failed
    import raises and leaves them for a look). Returns (segments sent up, values the
    province holds).
    """
    from desktop_app.sync.exchange import export_bundle, import_bundle

    up = folder / f".demo-up-{office.node.node_id}.cdsync"
    down = folder / f".demo-down-{office.node.node_id}.cdsync"
    try:
        sent = export_bundle(office, up, to=province.node.node_id)
        import_bundle(province, up, backup=False)
        export_bundle(province, down, to=office.node.node_id)
        import_bundle(office, down, backup=False)
    finally:
        up.unlink(missing_ok=True)
        down.unlink(missing_ok=True)
    return sent.segments, province.values.count()
