"""A reviewer's decision on a hard conflict, written as a NEW change (entity ``decision``)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from desktop_app.store.apply.rules import RowMerger
from desktop_app.store.changes import Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.store import Store

# the fields naming the row: a typed third state may not change them
IDENTITY_FIELDS = ("id", "org_id", "commune_id", "village_id", "period", "indicator", "disagg")


def decide_conflict(
    store: Store,
    conflict_id: int,
    choice: str,
    *,
    user: str | None = None,
    state: dict[str, Any] | None = None,
    comment: str = "",
) -> str:
    """The reviewer's choice on a hard conflict, written as a NEW change (entity ``decision``).

    ``choice`` is ``"local"`` or ``"remote"`` (the two states kept in the conflict
    row), or ``"other"`` with ``state``: a third state the reviewer typed (the
    row's full state, same shape as the two kept ones). ``comment`` travels with
    the decision. Only the office above the commune (or the province) decides.
    The decision travels like any change; every receiver applies the chosen
    state and closes its own copy of the conflict. Returns the decision's version.
    """
    row = store.db.execute_sql(
        "SELECT entity, entity_key, local_state, remote_state, local_version, remote_version,"
        " status FROM conflict WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None or row[6] != "open":
        raise InvalidValueError(reason=f"no open conflict {conflict_id}")
    if choice not in ("local", "remote", "other") or (choice == "other" and state is None):
        raise InvalidValueError(reason=f"choose local, remote or another state, not {choice!r}")
    entity, key = str(row[0]), str(row[1])
    chosen_text = row[2] if choice == "local" else row[3]
    chosen = None if chosen_text is None else dict(json.loads(chosen_text))
    if state is not None:
        kept = dict(json.loads(row[3] or row[2] or "{}"))
        if set(state) != set(kept) or any(
            state[k] != kept[k] for k in IDENTITY_FIELDS if k in kept
        ):
            raise InvalidValueError(reason="the decided state must describe the same row")
        chosen = dict(state)
    sample = chosen or dict(json.loads(row[3] or row[2] or "{}"))
    unit = str(sample.get("commune_id") or sample.get("unit_id") or "")
    office = store.node.office_id
    level_row = store.db.execute_sql("SELECT level FROM unit WHERE id = ?", (office,)).fetchone()
    parent = store.db.execute_sql("SELECT parent_id FROM unit WHERE id = ?", (unit,)).fetchone()
    if level_row is None or not (
        int(level_row[0]) == 1 or (parent is not None and parent[0] == office)
    ):
        raise OutOfScopeError(unit=unit)
    actor = store.local_actor()
    if user is not None:
        actor = replace(actor, user=user)
    # ranked as receivers rank this office (its level), since the row is settled by the
    # rules below: level 1 made a district decide as the province would
    rows = RowMerger(store, my_level=int(level_row[0]))
    with store.write(actor) as ctx:
        rows.load()
        cur = rows.current(entity, key)
        doc: dict[str, Any] = {
            "entity": entity,
            "key": key,
            "state": chosen,
            "supersedes": [v for v in (row[4], row[5]) if v],
        }
        if comment:
            doc["comment"] = comment
        ref = ctx.log(
            Entry(
                "decision",
                {"entity": entity, "key": key},
                unit,
                None if chosen is None else chosen.get("period"),
                doc,
                None if cur is None else cur.state,
                None if cur is None else cur.version,
                "decide",
            )
        )
        rows.write_row(entity, key, chosen, ref.version, ref.hlc, actor.user)
        rows.close_decided(entity, key, ref.version, actor.user)
        # the row as every receiver of the decision makes it (RowMerger._merge): a head
        # the decision did not supersede still merges in or clashes. Before, the deciding
        # office kept the chosen state while the others merged a third head's field in
        # (seeds 1039, and 1002 of mix 'reviews', at 1,200 operations)
        rows.settle_row(entity, key, actor.user)
        rows.touched_rows.add((entity, key))
        rows.finish_local()
    return ref.version
