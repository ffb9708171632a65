"""A revoked commune's segment that reaches the province on its district's stick, and
straddles the province's position, still travels on from the province, by its bundles
and by its server's feed, as its author signed it: every receiver splits it at the
position itself (the defect: the province quarantined it but did not keep it to send
on, so the districts it serves lacked what the province held and quarantined)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, my_certificate, revoke
from desktop_app.sync.exchange import export_bundle, import_bundle
from tests.server.conftest import C1, DISTRICT, Province, ServerThread, fill_period


def replica(store: Store, origin: str) -> dict[str, list[tuple[Any, ...]]]:
    """What every office holding C1's data must agree on about ``origin``'s changes:
    C1's villages and values (with the version that wrote them) and the quarantine."""
    db = store.db

    def rows(sql: str, *params: object) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in db.execute_sql(sql, params)]

    return {
        "villages": rows(
            "SELECT id, name, version FROM village WHERE commune_id = ? ORDER BY id", C1
        ),
        "values": rows(
            "SELECT village_id, period, indicator, value, version FROM data_value"
            " WHERE commune_id = ? ORDER BY 1, 2, 3",
            C1,
        ),
        "quarantined": rows(
            "SELECT epoch, seq, entity, entity_key, reason FROM sync_quarantine"
            " WHERE origin = ? ORDER BY epoch, seq",
            origin,
        ),
    }


def _installation(province: Province, name: str, directory: UnitDirectory) -> Store:
    """Another enrolled installation of C1's district (a second PC of that office)."""
    store = create_office(province.tmp / f"{name}.db", DISTRICT, directory=directory, user=name)
    with Store.open(province.path) as prov:
        enroll_demo(store, prov)
    province.offices[name] = store
    return store


def _carry(src: Store, dst: Store | Path, tmp: Path, name: str) -> Any:
    """``src``'s bundle addressed to ``dst`` (a store, or the province's file), imported."""
    out = tmp / f"{name}.cdsync"
    if isinstance(dst, Path):
        with Store.open(dst) as prov:
            export_bundle(src, out, to=prov.node.node_id)
            return import_bundle(prov, out, backup=False)
    export_bundle(src, out, to=dst.node.node_id)
    return import_bundle(dst, out, backup=False)


def test_a_relayed_stick_straddling_the_position_reaches_the_province_s_other_receivers(
    province: Province, sqlite_server: ServerThread, unit_directory: UnitDirectory
) -> None:
    """C1 pushes 1-20 over HTTP; 21-36 follow on its stick to the district (segment 1-36).
    The province revokes C1 holding 1-20 (position 20), then the district carries its
    stick to the province: 21-36 are quarantined there. A second installation of the
    district on the province's stick and a third pulling over HTTP end with the
    province's villages, values and quarantine, and so does the relaying district once
    the list reaches it (it takes 21-36 back)."""
    commune, relay = province[C1], province[DISTRICT]
    usb = _installation(province, "usb", unit_directory)
    http = _installation(province, "http", unit_directory)
    origin = commune.node.node_id
    # the second PC tells the province what it holds (nothing): the province's bundles to
    # the district office go from the lowest position its installations reported
    _carry(usb, province.path, province.tmp, "usb-province")
    assert fill_period(commune, 10) == 20
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == 20
    sqlite_server.wait_applied()
    assert fill_period(commune, 8) == 16  # 21-36, on the commune's stick with 1-20
    assert _carry(commune, relay, province.tmp, "c1-district").report.applied == 36
    with Store.open(province.path) as prov:
        revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
    relayed = _carry(relay, province.path, province.tmp, "district-province")
    assert (relayed.report.skipped, relayed.report.quarantined) == (20, 16)
    with Store.open(province.path) as prov:
        want = replica(prov, origin)
    assert [seq for _e, seq, *_rest in want["quarantined"]] == list(range(21, 37))
    assert len(want["values"]) == len(want["villages"]) == 10

    with Store.open(province.path) as prov:  # the province's stick to a second district PC
        assert _carry(prov, usb, province.tmp, "province-usb").report.quarantined == 16
    sync_office(http, sqlite_server.url, backup=False, page_size=1)  # a third, over HTTP
    with Store.open(province.path) as prov:  # the list reaches the relaying district
        assert [t.changes for t in _carry(prov, relay, province.tmp, "p-d").taken_back] == [16]
    assert replica(usb, origin) == want, "the district PC on the province's stick differs"
    assert replica(http, origin) == want, "the district PC pulling over HTTP differs"
    assert replica(relay, origin) == want, "the relaying district differs"


def test_a_straddling_segment_pulled_over_http_is_held_to_send_on(
    province: Province, sqlite_server: ServerThread, unit_directory: UnitDirectory
) -> None:
    """The same straddling segment pulled from the feed by a district PC is held there to
    send on (before: only what no revocation refused was kept), so that PC's stick gives
    another PC of the district the province's villages, values and quarantine."""
    commune, relay = province[C1], province[DISTRICT]
    http = _installation(province, "http", unit_directory)
    other = _installation(province, "other", unit_directory)
    origin = commune.node.node_id
    assert fill_period(commune, 10) == 20
    assert sync_office(commune, sqlite_server.url, backup=False).accepted == 20
    sqlite_server.wait_applied()
    assert fill_period(commune, 8) == 16
    _carry(commune, relay, province.tmp, "c1-district")
    with Store.open(province.path) as prov:
        revoke(prov, int(my_certificate(commune)[0]["body"]["serial"]), "Máy bị mất")
    _carry(relay, province.path, province.tmp, "district-province")
    sync_office(http, sqlite_server.url, backup=False)
    held = http.db.execute_sql(
        "SELECT seq_from, seq_to FROM sync_segment WHERE origin = ? ORDER BY 1, 2", (origin,)
    ).fetchall()
    assert (1, 36) in held
    assert _carry(http, other, province.tmp, "http-other").report.quarantined == 16
    with Store.open(province.path) as prov:
        want = replica(prov, origin)
    assert replica(http, origin) == replica(other, origin) == want
