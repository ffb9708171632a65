"""A provincial server whose disk is full (SQLite mode) answers 507 ``disk_full`` with a
JSON body and keeps nothing of the push; the office's sync stops with one translated
sentence and its changes stay pending, sent whole once there is room again. The full
disk is SQLite's own SQLITE_FULL, reached through ``max_page_count`` on the writer's
connection (the only fault injected), through real HTTP on a loopback port."""

from __future__ import annotations

from desktop_app.netsync.client import sync_office
from desktop_app.server.app import create_app
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.store.store import Store
from tests.server.conftest import (
    C1,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    refused_for_a_full_disk,
)


def test_a_full_disk_keeps_nothing_and_says_so(province: Province) -> None:
    commune = province[C1]
    changes = fill_period(commune, 400, per_village=2)
    province.offices[PROVINCE].close()
    with Store.open(province.path) as prov:
        prov.db.execute_sql("VACUUM")  # no free page left for the push to fill
    backend = SqliteBackend(province.path)
    pages = int(backend.store.db.execute_sql("PRAGMA page_count").fetchone()[0])
    # every connection opened from now on, the writer's among them, may not grow the file
    backend.store.db._pragmas = [*backend.store.db._pragmas, ("max_page_count", pages)]
    try:
        with ServerThread(create_app(province.path, backend=backend)) as server:
            text = refused_for_a_full_disk(commune, server.url)
            assert text.startswith("Ổ đĩa của máy chủ tỉnh đã đầy"), text
            assert "\n" not in text
            with Store.open(province.path) as prov:
                assert count_changes(prov, commune.node.node_id) == 0
                assert prov.db.execute_sql("SELECT COUNT(*) FROM server_feed").fetchone()[0] == 0
    finally:
        backend.close()
    # room again (a server started without the limit): the same changes go whole, once
    with ServerThread(create_app(province.path)) as server:
        result = sync_office(commune, server.url, backup=False)
        assert result.accepted == changes
        server.wait_applied()
    with Store.open(province.path) as prov:
        assert count_changes(prov, commune.node.node_id) == changes
    province.offices[PROVINCE] = Store.open(province.path)
