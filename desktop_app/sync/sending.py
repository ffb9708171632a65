"""What a bundle sends: every held segment the receiver lacks and is entitled to hold.

One rule (ARCHITECTURE.md, "What is sent"): an office holds its own changes
and every verified segment it received. For a receiver R, an author A's
stream is sent from the position R last reported for it, when R is entitled
to A's data: the province holds everything; an office holds its own data
(also after a restore), its ancestors' (decisions about it, reference data)
and its descendants' (a district its communes', whichever path they took).
Without a named receiver, a stream goes from the lowest position any
neighbour entitled to it reported (nothing reported: from the start).
Sending more than needed is harmless (cursors skip it); sending less is the
only way replicas could differ, so every floor is a position the receiver
itself reported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import zstandard

from desktop_app.store.store import Store
from desktop_app.sync.segments import (
    OWN_ROWS,
    chain_from,
    held_data,
    held_segments,
    held_tops,
    own_segment,
)
from desktop_app.sync.vectors import Vector, office_vectors, province_vector


class Tree:
    """The unit tree of this database: parent and level of each unit, and who may hold
    whose data."""

    def __init__(self, store: Store) -> None:
        self.parent: dict[str, str | None] = {}
        self.levels: dict[str, int] = {}
        for i, p, lv in store.db.execute_sql("SELECT id, parent_id, level FROM unit"):
            self.parent[str(i)] = None if p is None else str(p)
            self.levels[str(i)] = int(lv)
        from desktop_app.store.reform import taken_over

        # a 2025 commune holds the data of the pre-2025 communes it took over (reform)
        self.taken: dict[str, set[str]] = taken_over(store)

    def level(self, unit: str) -> int:
        """The unit's level (1 province, 2 district, 3 commune; unknown: a commune)."""
        return self.levels.get(unit, 3)

    def ancestors(self, unit: str) -> list[str]:
        out: list[str] = []
        cur = self.parent.get(unit)
        while cur is not None and cur not in out:
            out.append(cur)
            cur = self.parent.get(cur)
        return out

    def entitled(self, receiver: str, receiver_level: int, author: str) -> bool:
        """May ``receiver`` hold the segments ``author`` signed?"""
        if receiver_level == 1 or receiver == author:
            return True
        if author in self.taken.get(receiver, ()):
            return True
        above = self.ancestors(receiver)
        if above and self.parent.get(author, "") is None:
            # the province's office of one structure is the province of the other one too
            return self._same_code(author, above[-1])
        return author in above or receiver in self.ancestors(author)

    @staticmethod
    def _same_code(a: str, b: str) -> bool:
        return a.partition(":")[2] == b.partition(":")[2]

    def neighbours(self, me: str) -> list[str]:
        """The offices a bundle without an addressee may reach: above and below."""
        out = self.ancestors(me)
        # a province's office is the province of both structures (pre2025:14 and 2025:14)
        mine = {me}
        if self.parent.get(me, "") is None:
            mine |= {u for u, p in self.parent.items() if p is None and self._same_code(u, me)}
        out += [u for u in self.parent if u not in mine and mine & {u, *self.ancestors(u)}]
        return out


def segments_to_send(
    store: Store,
    private_key: bytes,
    cert: dict[str, Any],
    tree: Tree,
    receivers: list[tuple[str, int]],
    addressee: Vector | None = None,
) -> list[tuple[bytes, bytes]]:
    """Signed segments for ``receivers`` (office, level), in causal order
    (authors of lower levels first, then higher). ``addressee``: the bundle is for one
    installation of the one receiver below the province, and this is what that
    installation itself last reported (empty: it never did), not what its office's other
    installations did."""
    vectors = office_vectors(store)
    prov = province_vector(store)
    me = store.node
    authors: dict[str, tuple[str, int]] = {
        str(n): (str(o), int(lv))
        for n, o, lv in store.db.execute_sql("SELECT node_id, office_id, level FROM sync_node")
    }
    my_level = tree.level(me.office_id)
    authors[me.node_id] = (me.office_id, my_level)

    def floor(origin: str, epoch: int) -> int | None:
        office, _lv = authors.get(origin, ("", 3))
        best: int | None = None
        for r_office, r_level in receivers:
            if not tree.entitled(r_office, r_level, office):
                continue
            if r_level == 1:
                vec: Vector = prov
            elif addressee is not None:
                vec = addressee
            else:
                vec = vectors.get(r_office, {})
            pos = vec.get((origin, epoch), 0)
            best = pos if best is None else min(best, pos)
        return best

    out: list[tuple[int, str, int, tuple[bytes, bytes]]] = []
    # own changes (including those of an earlier epoch received back after a restore)
    for epoch, lo_all, hi in store.db.execute_sql(
        "SELECT epoch, MIN(seq), MAX(seq) FROM change WHERE origin = ? GROUP BY epoch",
        (me.node_id,),
    ).fetchall():
        start = floor(me.node_id, int(epoch))
        if start is None or start >= int(hi):
            continue
        lo = max(int(lo_all), start + 1)
        rows = store.db.execute_sql(OWN_ROWS, (me.node_id, int(epoch), lo, int(hi))).fetchall()
        if len(rows) != int(hi) - lo + 1:
            continue  # a hole in an old epoch: its stored segments below serve it
        seg = own_segment(rows, me.node_id, int(epoch), lo, int(hi), private_key, cert)
        out.append((my_level, me.node_id, int(epoch), seg))
    own_done = {(n, e) for _lv, n, e, _s in out}
    out += held_to_send(store, floor, own_done)
    out.sort(key=lambda x: (-x[0], x[1], x[2]))
    return [seg for _lv, _o, _e, seg in out]


Floor = Callable[[str, int], "int | None"]
"""For an (origin, epoch) stream: the position the receiver holds, None: not to send."""


def held_to_send(
    store: Store, floor: Floor, skip: set[tuple[str, int]]
) -> list[tuple[int, str, int, tuple[bytes, bytes]]]:
    """(author level, origin, epoch, segment) of every held segment that carries a stream
    on from ``floor`` (streams in ``skip`` are sent otherwise)."""
    levels = {
        str(n): int(lv) for n, lv in store.db.execute_sql("SELECT node_id, level FROM sync_node")
    }
    dctx = zstandard.ZstdDecompressor()
    # only the streams the receiver lacks something of are read (their ranges, then the
    # chosen segments): not the whole history (bench/bench_province_stick.py)
    starts: dict[tuple[str, int], int] = {}
    for stream, top in held_tops(store).items():
        start = None if stream in skip else floor(*stream)
        if start is not None and top > start:
            starts[stream] = start
    out: list[tuple[int, str, int, tuple[bytes, bytes]]] = []
    for (origin, epoch), segs in held_segments(store, set(starts)).items():
        start = starts[(origin, epoch)]
        level = levels.get(origin, 3)
        for best in chain_from(segs, start + 1):
            header, body = held_data(store, best)
            out.append((level, origin, epoch, (header.encode("utf-8"), dctx.decompress(body))))
    return out


def receivers_for(tree: Tree, me: str, to_office: str | None) -> list[tuple[str, int]]:
    """(office, level) of the addressee, or of every neighbour of ``me`` when there is none."""
    if to_office is not None:
        return [(to_office, tree.level(to_office))]
    return [(u, tree.level(u)) for u in tree.neighbours(me)]
