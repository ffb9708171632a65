"""Received HLC times merged into the local clock; an author far ahead is flagged."""

from __future__ import annotations

from desktop_app.domain import hlc as hlc_clock
from desktop_app.store.store import Store


def report_hlc(store: Store, max_hlc: dict[str, int]) -> list[str]:
    """Merge the received HLC times into the node's clock; flag origins > 24 h ahead.

    ``max_hlc`` is the highest packed HLC received per origin. An origin whose
    clock is more than a day ahead does not drag the local clock; it is
    recorded as a ``clock_skew`` event and returned.
    """
    flagged: list[str] = []
    if not max_hlc:
        return flagged
    row = store.db.execute_sql("SELECT hlc_wall, hlc_counter, node_id FROM node").fetchone()
    clock = hlc_clock.HybridClock(hlc_clock.Timestamp(int(row[0]), int(row[1]), str(row[2])))
    now_ms = int(store.clock() * 1000)
    for origin, packed in sorted(max_hlc.items()):
        result = clock.receive(hlc_clock.unpack(packed, origin), now_ms)
        if result.skewed:
            flagged.append(origin)
            office = store.db.execute_sql(
                "SELECT office_id FROM sync_node WHERE node_id = ?", (origin,)
            ).fetchone()
            store.db.execute_sql(
                "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, ?, ?, ?)",
                (
                    store.now_iso(),
                    "clock_skew",
                    origin,
                    f"{office[0] if office else origin}: clock ahead by "
                    f"{(packed >> 16) - now_ms} ms",
                ),
            )
    state = clock.state
    store.db.execute_sql(
        "UPDATE node SET hlc_wall = ?, hlc_counter = ?", (state.wall_ms, state.counter)
    )
    return flagged
