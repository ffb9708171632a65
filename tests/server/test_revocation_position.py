"""A revocation decides per segment by the province's position at revoking, never by
when the list reached a receiver: the same feed gives the same replica whatever the
page size (the defect: 500 applied and 700 quarantined with page_size=1)."""

from __future__ import annotations

import pytest

from desktop_app.netsync.client import sync_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import revoke_certificates
from tests.server.conftest import C1, DISTRICT, PROVINCE, Province, ServerThread, fill_period


def commune_state(store: Store, commune: str, origin: str) -> tuple[int, int]:
    """(values of the commune, changes of ``origin`` quarantined)."""
    values = store.db.execute_sql(
        "SELECT count(*) FROM data_value WHERE commune_id = ?", (commune,)
    ).fetchone()[0]
    quarantined = store.db.execute_sql(
        "SELECT count(*) FROM sync_quarantine WHERE origin = ?", (origin,)
    ).fetchone()[0]
    return int(values), int(quarantined)


@pytest.mark.parametrize(
    "page_size",
    [
        1,
        2,
        100,
    ],
)
def test_a_commune_revoked_after_the_province_held_its_changes_stands_at_any_page_size(
    page_size: int, province: Province, sqlite_server: ServerThread
) -> None:
    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    assert fill_period(commune, 600) == 1200  # three segments of 500, 500 and 200
    sync_office(commune, sqlite_server.url, backup=False)
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:  # the province's window, on the server's file
        revoke_certificates(prov, C1, "Máy tính bị mất cắp")
        held = commune_state(prov, C1, node)
    assert held == (600, 0)  # the province applied them before revoking: they stand
    sync_office(district, sqlite_server.url, backup=False, page_size=page_size)
    assert commune_state(district, C1, node) == held


@pytest.mark.parametrize("page_size", [1, 100])
def test_a_feed_row_past_the_position_is_quarantined_by_every_puller_like_the_province(
    page_size: int, province: Province
) -> None:
    """The feed took C1's push just after the revocation (its position covers 20 of its
    50 changes): the province's apply quarantines 30, and a district pulling it judges
    the segment with the list on the same page, not the list it held before."""
    from desktop_app.server.app import create_app
    from desktop_app.server.sqlite_backend import SqliteBackend
    from desktop_app.sync.certificates import held_text, my_certificate, revoke

    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    changes = fill_period(commune, 25)
    province.offices[PROVINCE].close()
    backend = SqliteBackend(province.path, quiet=3600, max_lag=3600)
    with ServerThread(create_app(province.path, backend=backend)) as server:
        sync_office(commune, server.url, backup=False)  # held, not applied
        with Store.open(province.path) as prov:
            revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
            with prov.transaction():  # as if the feed took the push just after revoking
                prov.db.execute_sql(
                    "UPDATE revocation SET held = ?", (held_text({commune.node.epoch: 20}),)
                )
        backend.quiet = 0.0
        assert backend.wait_applied(60)
        with Store.open(province.path) as prov:
            held = commune_state(prov, C1, node)
        assert held == (0, changes - 20)
        sync_office(district, server.url, backup=False, page_size=page_size)
    province.offices[PROVINCE] = Store.open(province.path)
    assert commune_state(district, C1, node) == held


def test_a_district_relaying_a_revoked_commune_s_stick_by_push_gets_the_province_s_quarantine(
    province: Province, sqlite_server: ServerThread
) -> None:
    """C1's stick went to its district alone; the province revokes C1 holding none of it
    (position 0). The district's next sync pushes C1's segment on before the list reaches
    it: the province quarantines those changes as a stick relayed to it would (before: the
    push was only answered, and the province's quarantine stayed empty), and the pull
    that brings the list takes them back at the district, so both hold the same."""
    from desktop_app.sync.certificates import my_certificate, revoke
    from desktop_app.sync.exchange import export_bundle, import_bundle
    from desktop_app.sync.takeback import taken_back_lines
    from desktop_app.ui.pages.sync_network import network_summary
    from desktop_app.ui.pages.sync_texts import marks_before_import, outcome_of

    commune, district = province[C1], province[DISTRICT]
    node = commune.node.node_id
    changes = fill_period(commune, 3)
    stick = province.tmp / "c1.cdsync"
    export_bundle(commune, stick, to=district.node.node_id)
    import_bundle(district, stick, backup=False)
    assert commune_state(district, C1, node) == (3, 0)
    with Store.open(province.path) as prov:
        revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
    marks = marks_before_import(district)
    result = sync_office(district, sqlite_server.url, backup=False)
    sqlite_server.wait_applied()
    with Store.open(province.path) as prov:
        held = commune_state(prov, C1, node)
    assert held == (0, changes)
    assert commune_state(district, C1, node) == held
    assert [(t.office_id, t.changes) for t in result.taken_back] == [(C1, changes)]
    # the Sync page's outcome says it in one sentence
    (line,) = taken_back_lines(result.taken_back)
    assert line.startswith(f"{changes} changes from {C1} were taken back")
    summary = network_summary(district, result, outcome_of(district, None, marks))
    assert line in summary.splitlines()
