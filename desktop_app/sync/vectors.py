"""Applied vectors: per (origin, epoch) the highest seq held without a gap.

A bundle's manifest carries its sender's vector (its acknowledgement); every
bundle also carries what the province is known to hold, so offices below
learn what they may stop re-sending.
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.store.changes import heads
from desktop_app.store.store import Store

Vector = dict[tuple[str, int], int]


def full_vector(store: Store) -> Vector:
    """Every (origin, epoch) → highest gap-free seq held here, own epochs included."""
    vector: Vector = {
        (str(o), int(e)): int(s)
        for o, e, s in store.db.execute_sql("SELECT origin, epoch, seq FROM peer_cursor")
    }
    me = store.node.node_id
    for e, s in heads(store.db, me).items():
        vector[(me, e)] = max(vector.get((me, e), 0), s)
    return vector


def vector_to_json(vector: Vector) -> list[list[Any]]:
    """Sorted ``[[origin, epoch, seq], ...]``."""
    return [[o, e, s] for (o, e), s in sorted(vector.items())]


def vector_from_json(data: object) -> Vector:
    """Inverse of :func:`vector_to_json` (garbage → empty)."""
    out: Vector = {}
    if isinstance(data, list):
        for item in data:
            try:
                o, e, s = item
                out[(str(o), int(e))] = int(s)
            except (TypeError, ValueError):
                continue
    return out


def peer_vector(store: Store, node_id: str) -> Vector:
    """The last vector a peer acknowledged."""
    row = store.db.execute_sql("SELECT vector FROM sync_peer WHERE node_id = ?", (node_id,))
    found = row.fetchone()
    return vector_from_json(json.loads(found[0])) if found else {}


def province_vector(store: Store) -> Vector:
    """What the province is known to hold (its own vector when this is the province)."""
    level = my_level(store)
    if level == 1:
        return full_vector(store)
    merged: Vector = {}
    for (text,) in store.db.execute_sql("SELECT vector FROM sync_peer WHERE level = 1"):
        for k, v in vector_from_json(json.loads(text)).items():
            merged[k] = max(merged.get(k, 0), v)
    return merged


def office_vectors(store: Store) -> dict[str, Vector]:
    """Per office, what every one of its installations holds: the element-wise minimum
    of the vectors they last reported. An office can have two live installations (the
    2025 reform moves two old offices into one new office): a bundle any of them may
    read must carry what the one that lacks most lacks; the others skip the rest."""
    out: dict[str, Vector] = {}
    for office, text in store.db.execute_sql(
        "SELECT office_id, vector FROM sync_peer ORDER BY received_at, rowid"
    ):
        vec = vector_from_json(json.loads(text))
        held = out.get(str(office))
        if held is None:
            out[str(office)] = vec
        else:
            out[str(office)] = {k: min(v, vec.get(k, 0)) for k, v in held.items()}
    return out


def merge_peer(
    store: Store,
    node_id: str,
    office: str,
    level: int,
    vec: Vector,
    bid: str,
    *,
    replace: bool = False,
) -> None:
    """Merge a peer's acknowledged vector into what we know of it (never lowers).

    ``replace``: the peer reported it itself, so it is what it holds now, lower
    after a restore; a lower vector only makes senders send more again.
    """
    merged = {} if replace else peer_vector(store, node_id)
    for k, v in vec.items():
        merged[k] = max(merged.get(k, 0), v)
    store.db.execute_sql(
        "INSERT INTO sync_peer (node_id, office_id, level, vector, bundle_id, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET"
        " vector = excluded.vector, bundle_id = excluded.bundle_id,"
        " received_at = excluded.received_at",
        (node_id, office, level, json.dumps(vector_to_json(merged)), bid, store.now_iso()),
    )


def my_level(store: Store) -> int:
    """This office's level (1 province, 2 district, 3 commune)."""
    # read through the reference repository (the same row and the same UnknownUnitError
    # as sync.certificates.unit_level_and_parent), so that the window's first page, which
    # asks this for its period states, does not load the Ed25519 machinery (~50 ms)
    return store.reference.unit(store.node.office_id).level
