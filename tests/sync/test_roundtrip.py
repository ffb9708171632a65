"""Basic round trips: commune → district → province and back."""

from __future__ import annotations

from tests.sync.conftest import Net, add_village, set_households, values_of

C1 = "pre2025:04108"
D1 = "pre2025:125"
P = "pre2025:14"


def test_commune_to_district_to_province(net: Net) -> None:
    c = net[C1]
    v = add_village(c, "Bản Nà Sản")
    set_households(c, v, 120)
    res = net.send(C1, D1)
    assert res.report.applied == 2, res
    assert values_of(net[D1], C1) == values_of(c, C1)
    res = net.send(D1, P)
    assert res.report.applied == 2, res
    assert not res.refused_segments
    assert values_of(net[P], C1) == values_of(c, C1)


def test_province_reference_data_and_decisions_reach_the_communes_through_the_district(
    net: Net,
) -> None:
    prov = net[P]
    code = next(iter(prov.catalogue.derived))
    prov.targets.set(C1, 2020, code, 75.0)
    net.send(P, D1)
    assert net[D1].targets.get(C1, 2020) == {code: 75.0}
    down = net.export(D1)  # no addressee: what is kept for the communes goes down
    net.load(C1, down)
    assert net[C1].targets.get(C1, 2020) == {code: 75.0}
    # a later change reaches the commune from a later bundle; a sibling commune reading
    # the same stick holds only what is its own (a target of C1 is not)
    c2 = "pre2025:04105"
    prov.targets.set(C1, 2020, code, 80.0)
    net.send(P, D1)
    net.send(D1, c2)
    net.send(D1, C1)
    assert net[C1].targets.get(C1, 2020) == {code: 80.0}
    assert net[c2].targets.get(C1, 2020) == {}
    # a commune cannot set targets: its change is quarantined at the district
    from desktop_app.store.changes import Entry

    c = net[C1]
    with c.write() as ctx:
        key = {"unit_id": C1, "year": 2021, "indicator": code}
        ctx.log(Entry("target", key, C1, "2021", {**key, "value": 1.0}, None, None, "create"))
    res = net.send(C1, D1)
    assert res.report.quarantined == 1 and "only the province" in res.report.reasons[0]
    assert net[D1].targets.get(C1, 2021) == {}


def test_a_periods_sync_state_moves_from_not_sent_to_acknowledged(net: Net) -> None:
    from desktop_app.sync.status import (
        ACKNOWLEDGED,
        EXPORTED,
        NOT_SENT,
        NOTHING,
        RECEIVED,
        period_sync_state,
    )

    c = net[C1]
    assert period_sync_state(c, C1, "2019").state == NOTHING
    v = add_village(c, "Bản Trạng Thái")
    set_households(c, v, 12)
    assert period_sync_state(c, C1, "2019").state == NOT_SENT
    bundle = net.export(C1)
    assert period_sync_state(c, C1, "2019").state == EXPORTED
    net.load(D1, bundle)
    net.send(D1, C1)
    assert period_sync_state(c, C1, "2019").state == RECEIVED
    net.send(D1, P)
    net.send(P, D1)
    net.send(D1, C1)
    state = period_sync_state(c, C1, "2019")
    assert state.state == ACKNOWLEDGED
    assert state.label() == "acknowledged by the province"
    set_households(c, v, 13)  # a new edit: back to not sent
    assert period_sync_state(c, C1, "2019").state == NOT_SENT
