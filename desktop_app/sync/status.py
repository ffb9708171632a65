"""What a clerk sees about sync: each period's state, the warnings, the review queue."""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.i18n import _
from desktop_app.store.store import Store
from desktop_app.sync.exchange import Vector, my_level, province_vector, vector_from_json

NOT_SENT = "not_sent"
EXPORTED = "exported"
RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
REJECTED = "rejected"
NOTHING = "nothing"


@dataclass(frozen=True)
class PeriodSyncState:
    """One (commune, period): its state and, when rejected, the reason."""

    state: str
    reason: str = ""

    def label(self) -> str:
        """The state in words (current language)."""
        return {
            NOTHING: _("nothing entered"),
            NOT_SENT: _("not sent"),
            EXPORTED: _("exported"),
            RECEIVED: _("received by the district"),
            ACKNOWLEDGED: _("acknowledged by the province"),
            REJECTED: _("rejected: {reason}").format(reason=self.reason),
        }[self.state]


def _covers(vector: Vector, needed: dict[tuple[str, int], int]) -> bool:
    return all(vector.get(k, 0) >= s for k, s in needed.items())


def period_sync_state(store: Store, commune_id: str, period: str) -> PeriodSyncState:
    """not sent → exported → received by the district → acknowledged, or rejected."""
    db = store.db
    needed: dict[tuple[str, int], int] = {
        (str(o), int(e)): int(s)
        for o, e, s in db.execute_sql(
            "SELECT origin, epoch, MAX(seq) FROM change WHERE scope_unit = ? AND period = ?"
            " GROUP BY origin, epoch",
            (commune_id, period),
        )
    }
    if not needed:
        return PeriodSyncState(NOTHING)
    rejected = db.execute_sql(
        "SELECT r.reason FROM sync_rejection r JOIN change c ON c.origin = r.origin"
        " AND c.epoch = r.epoch AND c.seq = r.seq WHERE c.scope_unit = ? AND c.period = ?"
        " LIMIT 1",
        (commune_id, period),
    ).fetchone()
    if rejected is not None:
        return PeriodSyncState(REJECTED, str(rejected[0]))
    level = my_level(store)
    if level == 1 or _covers(province_vector(store), needed):
        return PeriodSyncState(ACKNOWLEDGED)
    if level == 2:
        return PeriodSyncState(RECEIVED)
    for (text,) in db.execute_sql("SELECT vector FROM sync_peer WHERE level = 2"):
        if _covers(vector_from_json(json.loads(text)), needed):
            return PeriodSyncState(RECEIVED)
    me = store.node.node_id
    own = {k: s for k, s in needed.items() if k[0] == me}
    exported: Vector = {}
    for (summary,) in db.execute_sql("SELECT summary FROM sync_bundle WHERE direction = 'out'"):
        for key, seq in json.loads(summary).get("own", {}).items():
            origin, epoch = key.rsplit("/", 1)
            k = (origin, int(epoch))
            exported[k] = max(exported.get(k, 0), int(seq))
    if own and _covers(exported, own):
        return PeriodSyncState(EXPORTED)
    return PeriodSyncState(NOT_SENT)


@dataclass(frozen=True)
class Warning:
    """A sync warning to show: kind (gap, clock_skew, quarantine, backlog) and detail."""

    kind: str
    node_id: str
    detail: str
    at: str


def sync_warnings(store: Store) -> list[Warning]:
    """Visible warnings: gaps, clocks far ahead, quarantined and backlogged changes."""
    out = [
        Warning(str(k), str(n), str(d), str(a))
        for k, n, d, a in store.db.execute_sql(
            "SELECT kind, node_id, detail, at FROM sync_event WHERE seen = 0 ORDER BY id"
        )
    ]
    backlog = store.db.execute_sql("SELECT count(*) FROM sync_backlog").fetchone()[0]
    if backlog:
        out.append(Warning("backlog", "", f"{backlog} changes wait for missing bundles", ""))
    return out


def clock_flags(store: Store) -> set[str]:
    """Offices (by node) whose clock was seen more than 24 h ahead."""
    return {
        str(r[0])
        for r in store.db.execute_sql("SELECT node_id FROM sync_event WHERE kind = 'clock_skew'")
    }


def review_queue(store: Store) -> list[tuple[int, str, str, str]]:
    """Open hard conflicts: (id, entity, key, provisional winner version)."""
    return [
        (int(i), str(e), str(k), str(w))
        for i, e, k, w in store.db.execute_sql(
            "SELECT id, entity, entity_key, winner FROM conflict WHERE status = 'open' ORDER BY id"
        )
    ]


def mark_warnings_seen(store: Store) -> int:
    """The clerk has read the warnings: hide them until new ones arrive."""
    with store.transaction():
        cursor = store.db.execute_sql("UPDATE sync_event SET seen = 1 WHERE seen = 0")
    return int(cursor.rowcount or 0)
