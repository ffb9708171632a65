"""Forged changes: a tampered app writes straight into its change log, past the
repositories, and signs them into a genuine bundle. Every receiver judges each row by
its real owner (its own village records), quarantines it and reports it back."""

from __future__ import annotations

import json
from typing import Any

from desktop_app.store.changes import Entry
from desktop_app.store.store import Store
from tests.sync.conftest import Net, add_village, set_households, values_of

P, D1 = "pre2025:14", "pre2025:125"
C1, C2 = "pre2025:04108", "pre2025:04105"


def _state(store: Store, entity: str, key_part: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(key, state) of the newest change of ``entity`` whose key mentions ``key_part``."""
    key, state = store.db.execute_sql(
        "SELECT entity_key, state FROM change WHERE entity = ? AND entity_key LIKE ?"
        " ORDER BY id DESC LIMIT 1",
        (entity, f"%{key_part}%"),
    ).fetchone()
    return json.loads(key), json.loads(state)


def _forge(store: Store, entity: str, key: dict[str, Any], scope: str, state: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Log a change as a tampered app would: no repository, no check."""
    with store.write() as ctx:
        ctx.log(Entry(entity, key, scope, state.get("period"), state, None, None, "update"))


def _victim(net: Net) -> tuple[str, str]:
    """C2 has a village with a value, known at the district and the province; C1 has one."""
    v2 = add_village(net[C2], "Bản Thật")
    set_households(net[C2], v2, 40)
    net.send(C2, D1)
    net.send(D1, P)
    v1 = add_village(net[C1], "Bản Một")
    set_households(net[C1], v1, 10)
    net.send(C1, D1)
    net.send(D1, P)
    return v1, v2


def _villages(store: Store, commune: str) -> list[tuple[Any, ...]]:
    return sorted(
        tuple(r)
        for r in store.db.execute_sql(
            "SELECT id, commune_id, name FROM village WHERE commune_id = ?", (commune,)
        )
    )


def _quarantined(store: Store) -> list[str]:
    return [str(r[0]) for r in store.db.execute_sql("SELECT reason FROM sync_quarantine")]


def _refused_at_every_receiver(net: Net, forger: str, direct: bool) -> None:
    """The forger's bundle goes to the district (and on to the province), and also straight
    to the province: nothing applied anywhere, quarantined, and reported back down."""
    before = {u: (_villages(net[u], C2), values_of(net[u], C2)) for u in (D1, P)}
    bundle = net.export(forger)
    res = net.load(D1, bundle) if forger != D1 else None
    if res is not None:
        assert res.report.quarantined >= 1, res
    if direct and forger != D1:
        direct_res = net.load(P, bundle)  # the stick carried straight to the province
        assert direct_res.report.quarantined >= 1, direct_res
    up = net.send(D1, P)
    assert up.report.quarantined >= (0 if direct else 1), up
    for u in (D1, P):
        assert (_villages(net[u], C2), values_of(net[u], C2)) == before[u], u
        if u != forger:
            assert _quarantined(net[u]), u
        assert all("STOLEN" not in str(n) for _i, _c, n in _villages(net[u], C1)), u
    # reported back: the forger's office hears of the refusal with its next bundle
    net.send(P, D1)
    if forger != D1:
        net.send(D1, forger)
    reported = net[forger].db.execute_sql("SELECT count(*) FROM sync_rejection").fetchone()[0]
    assert reported >= 1


def test_a_commune_renaming_another_communes_village_under_its_own_scope(net: Net) -> None:
    _v1, v2 = _victim(net)
    key, state = _state(net[C2], "village", v2)
    _forge(net[C1], "village", key, C1, {**state, "name": "STOLEN"})
    _refused_at_every_receiver(net, C1, direct=True)


def test_a_commune_moving_another_communes_village_into_itself(net: Net) -> None:
    _v1, v2 = _victim(net)
    key, state = _state(net[C2], "village", v2)
    _forge(net[C1], "village", key, C1, {**state, "commune_id": C1, "name": "STOLEN"})
    _refused_at_every_receiver(net, C1, direct=True)


def test_a_commune_writing_another_communes_value_under_its_own_scope(net: Net) -> None:
    _v1, v2 = _victim(net)
    key, state = _state(net[C2], "value", v2)
    _forge(net[C1], "value", key, C1, {**state, "commune_id": C1, "value": "999"})
    _refused_at_every_receiver(net, C1, direct=True)


def test_a_district_writing_its_communes_village_value(net: Net) -> None:
    _v1, v2 = _victim(net)
    key, state = _state(net[D1], "value", v2)
    _forge(net[D1], "value", key, C2, {**state, "value": "999"})
    _refused_at_every_receiver(net, D1, direct=False)
    # and its commune refuses it too (the district's bundle going down)
    res = net.send(D1, C2)
    assert values_of(net[C2], C2)[(v2, "2019", "so_ho", "")] == "40"
    assert res.report.quarantined >= 1 or _quarantined(net[C2])


def test_a_district_renaming_its_communes_village(net: Net) -> None:
    _v1, v2 = _victim(net)
    key, state = _state(net[D1], "village", v2)
    _forge(net[D1], "village", key, C2, {**state, "name": "STOLEN"})
    _refused_at_every_receiver(net, D1, direct=False)
    net.send(D1, C2)
    assert [n for _i, _c, n in _villages(net[C2], C2)] == ["Bản Thật"]


def test_a_commune_moving_its_own_village_into_another_commune(net: Net) -> None:
    v1, _v2 = _victim(net)
    key, state = _state(net[C1], "village", v1)
    _forge(net[C1], "village", key, C1, {**state, "commune_id": C2, "name": "STOLEN"})
    before = {u: _villages(net[u], C1) for u in (D1, P)}
    _refused_at_every_receiver(net, C1, direct=True)
    for u in (D1, P):
        assert _villages(net[u], C1) == before[u]
