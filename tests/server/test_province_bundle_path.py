"""The province's USB bundles carry down what offices pushed to its server over HTTP
(the server's feed on the same file), so a district on a stick reaches the state of
one pulling over the network."""

from __future__ import annotations

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.server.conftest import (
    C1,
    DISTRICT,
    Province,
    ServerThread,
    count_changes,
    fill_period,
)
from tests.sync.conftest import values_of


def test_a_district_on_a_stick_gets_what_a_commune_pushed_over_http(
    province: Province, sqlite_server: ServerThread, unit_directory: UnitDirectory
) -> None:
    commune, district = province[C1], province[DISTRICT]
    changes = fill_period(commune, 30, per_village=2)
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == changes
    sqlite_server.wait_applied()
    sync_office(district, sqlite_server.url, backup=False)  # the network district
    stick = create_office(province.tmp / "stick.db", DISTRICT, directory=unit_directory, user="usb")
    try:
        with Store.open(province.path) as prov:
            enroll_demo(stick, prov)
            out = province.tmp / "p.cdsync"
            export_bundle(prov, out, to=stick.node.node_id)
            want = values_of(prov, C1)
        result = import_bundle(stick, out, backup=False)
        assert result.report.applied == changes
        assert values_of(stick, C1) == values_of(district, C1) == want
        assert len(want) == 60
    finally:
        stick.close()


def _stick_to_province(province: Province, commune: Store, changes: int) -> None:
    """The commune's bundle carried to the province and imported there (all applied)."""
    out = province.tmp / "c1.cdsync"
    with Store.open(province.path) as prov:
        export_bundle(commune, out, to=prov.node.node_id)
        assert import_bundle(prov, out, backup=False).report.applied == changes


def test_a_district_pulling_gets_what_a_commune_carried_to_the_province_on_a_stick(
    province: Province, sqlite_server: ServerThread
) -> None:
    """A commune's bundle imported at the province reaches the feed its server serves (the
    server runs on the province's file): a district pulling over HTTP gets the same values
    as the province, and a later resend over HTTP is neither refused nor doubled."""
    commune, district = province[C1], province[DISTRICT]
    changes = fill_period(commune, 20, per_village=2)
    _stick_to_province(province, commune, changes)
    with Store.open(province.path) as prov:
        want = values_of(prov, C1)
    assert len(want) == 40
    sync_office(district, sqlite_server.url, backup=False)
    assert values_of(district, C1) == want
    # the commune syncs over the network later: what the stick carried is not sent twice
    result = sync_office(commune, sqlite_server.url, backup=False)
    assert result.accepted == 0
    sqlite_server.wait_applied()
    sync_office(district, sqlite_server.url, backup=False)
    with Store.open(province.path) as prov:
        assert values_of(prov, C1) == values_of(district, C1) == want
        assert count_changes(prov, commune.node.node_id) == changes


def test_a_push_after_a_stick_leaves_no_gap_in_the_feed(
    province: Province, sqlite_server: ServerThread
) -> None:
    """The regression of case 22 of seed 1 in test_revocation_property: the commune's
    stick reaches the province, then the commune pushes those changes and more over
    HTTP before anyone pulled. The push takes only the new ones into the feed and moves
    the server's cursor past all of them; the stick's must still reach the feed, or a
    district pulling waits for ever behind the gap."""
    commune, district = province[C1], province[DISTRICT]
    _stick_to_province(province, commune, fill_period(commune, 10, per_village=1))
    more = fill_period(commune, 5, per_village=1, period="2025")
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == more
    sqlite_server.wait_applied()
    sync_office(district, sqlite_server.url, backup=False, page_size=1)
    with Store.open(province.path) as prov:
        want = values_of(prov, C1)
    assert len(want) == 15
    assert values_of(district, C1) == want


def test_a_district_pc_that_never_reported_gets_what_another_pc_of_its_office_carried_up(
    province: Province, unit_directory: UnitDirectory
) -> None:
    """C1's stick reaches the district's first PC, whose own stick reaches the province
    (reporting what that PC holds). The province's bundle addressed to a second PC of the
    district, which never sent the province anything, carries C1's changes: it is sent
    from what that PC reported (nothing), not from what the other PC of its office did
    (the defect: nothing of C1 went; found by test_revocation_property, seed 4 case 0,
    once its relaying district carried sticks to the province)."""
    commune, district = province[C1], province[DISTRICT]
    changes = fill_period(commune, 5)
    out = province.tmp / "c1.cdsync"
    export_bundle(commune, out, to=district.node.node_id)
    assert import_bundle(district, out, backup=False).report.applied == changes
    second = create_office(
        province.tmp / "second.db", DISTRICT, directory=unit_directory, user="second"
    )
    try:
        with Store.open(province.path) as prov:
            enroll_demo(second, prov)
            out = province.tmp / "d.cdsync"
            export_bundle(district, out, to=prov.node.node_id)
            assert import_bundle(prov, out, backup=False).report.applied == changes
            out = province.tmp / "p.cdsync"
            export_bundle(prov, out, to=second.node.node_id)
            want = values_of(prov, C1)
        assert import_bundle(second, out, backup=False).report.applied == changes
        assert values_of(second, C1) == values_of(district, C1) == want
        assert len(want) == 5
    finally:
        second.close()
