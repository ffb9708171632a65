"""The revocation's position in the signed list and the database: written at revoking,
carried by the list, read back; lists and databases from before it stay readable
(no position: position 0, every change not applied yet is quarantined, as before)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from desktop_app.store.db import open_database, schema_version
from desktop_app.store.migrations import m0011_revocation_position
from desktop_app.store.schema import SCHEMA_VERSION, migrate
from desktop_app.sync.certificates import (
    keep_revocation_list,
    my_certificate,
    revocation_list,
    revoke,
    revoked_serials,
    revoked_with,
    stands_to,
)
from desktop_app.sync.exchange import export_bundle, import_bundle
from desktop_app.sync.identity import b64, canonical_bytes, load_identity, sign
from tests.sync.conftest import PROVINCE, Net, add_village, set_households, values_of

FIXTURE_V3 = Path(__file__).resolve().parents[1] / "fixtures" / "schema_v3.db"
D, C1 = "pre2025:125", "pre2025:04108"


def test_a_version_10_file_keeps_its_revocations_without_a_position(tmp_path: Path) -> None:
    path = tmp_path / "v10.db"
    shutil.copy(FIXTURE_V3, path)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, target=m0011_revocation_position.VERSION - 1)
    conn.execute("INSERT INTO revocation (serial, revoked_at, reason) VALUES (7, 'x', 'mất')")
    conn.close()
    db = open_database(path)
    try:
        assert schema_version(db) == SCHEMA_VERSION
        rows = db.execute_sql("SELECT serial, reason, held FROM revocation").fetchall()
        assert rows == [(7, "mất", None)]
    finally:
        db.close()


def _serial(net: Net, unit: str) -> int:
    return int(my_certificate(net[unit])[0]["body"]["serial"])


def test_the_list_carries_the_province_s_position_at_revoking(net: Net) -> None:
    prov, commune = net[PROVINCE], net[C1]
    for i in range(3):
        set_households(commune, add_village(commune, f"Bản {i}"), 10 + i)  # 6 changes
    net.send(C1, D)
    net.send(D, PROVINCE)  # the province holds C1's changes 1..6
    serial = _serial(net, C1)
    revoke(prov, serial, "Máy bị mất")
    doc = revocation_list(prov)
    epoch = commune.node.epoch
    assert doc["body"]["held"] == {str(serial): [[epoch, 6]]}
    key = load_identity(prov).public_key
    with net[D].transaction():
        keep_revocation_list(net[D], doc, key)
    got = revoked_serials(net[D])
    assert got.notes[serial][1] == "Máy bị mất"
    assert stands_to(got, serial, epoch) == 6 and stands_to(got, serial, epoch + 1) == 0
    # a serial revoked with nothing held: position 0 for every epoch
    revoke(prov, _serial(net, "pre2025:04105"))
    assert revocation_list(prov)["body"]["held"][str(_serial(net, "pre2025:04105"))] == []


def test_a_list_signed_without_positions_is_read_as_position_0(net: Net) -> None:
    prov = net[PROVINCE]
    serial = _serial(net, C1)
    revoke(prov, serial)
    body = {k: v for k, v in revocation_list(prov)["body"].items() if k != "held"}
    old = {"body": body, "sig": b64(sign(load_identity(prov).private_key, canonical_bytes(body)))}
    key = load_identity(prov).public_key
    district = net[D]
    assert serial in revoked_with(district, old, key)  # judged with it before it is kept
    assert stands_to(revoked_with(district, old, key), serial, 1) == 0
    with district.transaction():
        keep_revocation_list(district, old, key)
    rows = district.db.execute_sql("SELECT serial, held FROM revocation").fetchall()
    assert rows == [(serial, None)]
    assert stands_to(revoked_serials(district), serial, district.node.epoch) == 0


def test_a_province_bundle_is_judged_by_the_position_not_by_when_the_list_came(
    net: Net,
) -> None:
    """USB: the district already has the list (through its other commune's bundle) when
    the province's bundle brings the revoked commune's segments the province held before
    revoking: it applies them all, like the province (it quarantined them before)."""
    commune, district = net[C1], net[D]
    for i in range(4):
        set_households(commune, add_village(commune, f"Bản {i}"), 20 + i)  # 8 changes
    net.load(PROVINCE, net.export(C1))  # the province holds them (straight off the stick)
    revoke(net[PROVINCE], _serial(net, C1), "Máy bị mất")
    net.send(PROVINCE, "pre2025:04105")  # the list goes to the other commune...
    net.send("pre2025:04105", D)  # ...and up to the district with its bundle
    assert _serial(net, C1) in revoked_serials(district)
    out = net.tmp / "p.cdsync"
    export_bundle(net[PROVINCE], out, to=district.node.node_id)
    result = import_bundle(district, out, backup=False)
    assert result.report.applied == 8 and result.report.quarantined == 0


def test_a_backlogged_change_past_the_position_is_quarantined_when_the_gap_fills(
    net: Net,
) -> None:
    """C1's changes 2..3 wait in the district's backlog (change 1 not there yet); the
    province held only change 1 when it revoked C1. The province's bundle fills the gap
    and brings the list: 1 stands, 2..3 are quarantined, as at the province once the
    district relays them."""
    import json

    commune, district, prov = net[C1], net[D], net[PROVINCE]
    village = add_village(commune, "Bản Một")
    first = net.export(C1)  # change 1
    set_households(commune, village, 10)
    set_households(commune, village, 11)
    for unit, level in ((PROVINCE, 1), (D, 2)):  # as if both had reported change 1
        held = json.dumps([[commune.node.node_id, commune.node.epoch, 1]])
        commune.db.execute_sql(
            "INSERT INTO sync_peer (node_id, office_id, level, vector, bundle_id, received_at)"
            " VALUES (?, ?, ?, ?, 'x', 'now')",
            (net[unit].node.node_id, unit, level, held),
        )
    assert net.load(D, net.export(C1)).report.backlog == 2  # changes 2..3 wait
    net.load(PROVINCE, first)
    revoke(prov, _serial(net, C1), "Máy bị mất")
    out = net.tmp / "p.cdsync"
    export_bundle(prov, out, to=district.node.node_id)
    report = import_bundle(district, out, backup=False).report
    assert (report.applied, report.quarantined) == (1, 2)
    net.send(D, PROVINCE)  # the district relays 2..3: the province quarantines them too

    def quarantined(unit: str) -> list[int]:
        rows = net[unit].db.execute_sql(
            "SELECT seq FROM sync_quarantine WHERE origin = ? ORDER BY seq",
            (commune.node.node_id,),
        )
        return [int(r[0]) for r in rows]

    assert quarantined(D) == quarantined(PROVINCE) == [2, 3]
    assert values_of(district, C1) == values_of(prov, C1) == {}
    reasons = district.db.execute_sql("SELECT DISTINCT reason FROM sync_quarantine").fetchall()
    assert len(reasons) == 1 and "Máy bị mất" in reasons[0][0]
