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
from tests.server.conftest import C1, DISTRICT, Province, ServerThread, fill_period
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
