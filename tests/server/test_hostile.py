"""An enrolled but hostile office cannot block another office, replay a sign-in or
outlive its revocation (issue 14); through real HTTP on a loopback port."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from desktop_app.netsync.client import ServerClient, plan_batches, sync_office
from desktop_app.netsync.wire import batch_id_for, encode_push
from desktop_app.store.store import Store
from tests.server.conftest import (
    C1,
    C2,
    Province,
    ServerThread,
    count_changes,
    fill_period,
)


@pytest.fixture(params=["sqlite", "postgres"])
def server(
    request: pytest.FixtureRequest, province: Province
) -> Iterator[tuple[str, ServerThread]]:
    """The server on the province database, then on PostgreSQL."""
    from desktop_app.server.app import create_app

    if request.param == "sqlite":
        yield "sqlite", request.getfixturevalue("sqlite_server")
        return
    url = request.getfixturevalue("pg_database")
    with ServerThread(create_app(url, province_db=province.path)) as srv:
        yield "postgres", srv


def test_another_office_reusing_a_batch_id_is_just_another_batch(
    province: Province, server: tuple[str, ServerThread]
) -> None:
    mode, srv = server
    victim, squatter = province[C1], province[C2]
    changes = fill_period(victim, 6)
    squatter_changes = fill_period(squatter, 3)
    victim_id = batch_id_for(plan_batches(victim, {}, 500)[0])  # the victim's next id
    client = ServerClient(srv.url)
    try:
        client.sign_in(squatter)
        body = encode_push(plan_batches(squatter, {}, 500)[0])
        squatted = client.push(victim_id, body)
        assert (
            squatted["accepted"] == squatter_changes
        )  # the squatter's own changes, taken as its batch
    finally:
        client.close()
    result = sync_office(victim, srv.url)
    assert result.accepted == changes and result.rejected == 0
    assert victim_id in result.batch_ids
    if mode == "sqlite":
        srv.wait_applied()
        with Store.open(province.path) as prov:
            assert count_changes(prov, victim.node.node_id) == changes
            assert count_changes(prov, squatter.node.node_id) == squatter_changes
