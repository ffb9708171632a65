"""The network sync pushes by the same rule as a bundle (sending.py): every held segment
of the office's scope the server's vector does not cover; the server is the province's
replica. A real server on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import plan_batches, sync_office
from desktop_app.store.backup import backup_to, restore
from desktop_app.store.store import Store
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.server.conftest import C1, DISTRICT, PROVINCE, Province, ServerThread, make_province
from tests.sync.conftest import set_households


@pytest.fixture
def province(tmp_path: Path, unit_directory: UnitDirectory) -> Iterator[Province]:
    prov = make_province(tmp_path, unit_directory)
    yield prov
    for store in prov.offices.values():
        store.close()


@pytest.fixture
def server(province: Province) -> Iterator[ServerThread]:
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()  # the server opens the file itself
    with ServerThread(create_app(province.path, max_body=2 * 1024 * 1024)) as running:
        yield running
    province.offices[PROVINCE] = Store.open(province.path)


def _usb(province: Province, src: str, dst: str, name: str) -> None:
    path = province.tmp / f"{name}.cdsync"
    export_bundle(province[src], path, level=3)
    import_bundle(province[dst], path, backup=False)


def _value(store: Store, village: str) -> str | None:
    row = store.db.execute_sql(
        "SELECT value FROM data_value WHERE org_id = ? AND period = '2019'", (village,)
    ).fetchone()
    return None if row is None else str(row[0])


def test_a_restored_commune_pushes_its_lost_changes_got_back_from_the_district(
    province: Province, server: ServerThread
) -> None:
    c = province[C1]
    village = c.villages.add(C1, "Bản Mòn").id
    set_households(c, village, 213)
    assert c.path is not None
    backup = province.tmp / "c1-backup.db"
    backup_to(c.path, backup)
    set_households(c, village, 301)
    _usb(province, C1, DISTRICT, "up")  # the district holds 301; the server nothing yet
    c.close()
    restore(c.path, backup, backup_dir=province.tmp / "auto")
    c = province.offices[C1] = Store.open(c.path)
    assert _value(c, village) == "213"
    _usb(province, C1, DISTRICT, "report")  # the restored commune reports its vector
    _usb(province, DISTRICT, C1, "back")  # its lost changes come back (an older epoch's)
    assert _value(c, village) == "301"
    result = sync_office(c, server.url)  # the district has no network: the commune pushes
    assert result.rejected == 0 and result.accepted >= 3, result
    server.wait_applied()
    with Store.open(province.path) as prov:
        assert _value(prov, village) == "301"
    assert sync_office(c, server.url).pushed_batches == 0  # nothing left the server lacks


def test_a_district_pushes_its_scope_only_and_nothing_the_server_holds(
    province: Province, server: ServerThread
) -> None:
    c = province[C1]
    village = c.villages.add(C1, "Bản Mòn").id
    set_households(c, village, 7)
    sync_office(c, server.url)  # the commune syncs itself
    _usb(province, C1, DISTRICT, "up")  # and the same changes reach the district by USB
    d = province[DISTRICT]
    assert d.db.execute_sql("SELECT count(*) FROM sync_segment").fetchone()[0]
    server.wait_applied()
    result = sync_office(d, server.url)
    assert result.pushed_changes == 0 and result.accepted == 0, result
    # the control: against a server that held nothing, the commune's segment would go
    batches = plan_batches(d, {}, 500)
    assert any(c.node.node_id.encode() in h for b in batches for h, _body in b)
