"""The fault matrix: every bad bundle gives its own clear message and leaves the data as it was."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from desktop_app.store.errors import StoreError
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import enroll_demo, init_province, revoke
from desktop_app.sync.errors import (
    BadSignatureError,
    CompressionBombError,
    ExpiredCertificateError,
    NewerSchemaError,
    NotABundleError,
    PayloadHashError,
    RevokedCertificateError,
    TruncatedBundleError,
    UnknownCertificateError,
    WrongAddresseeError,
)
from desktop_app.sync.identity import load_identity
from desktop_app.sync.status import REJECTED, period_sync_state, sync_warnings
from tests.helpers.clock import FakeClock
from tests.sync.conftest import Net, add_village, set_households, values_of

C1, C2 = "pre2025:04108", "pre2025:04105"
D1, D2 = "pre2025:125", "pre2025:118"
P = "pre2025:14"


def snapshot(net: Net, unit: str) -> list[object]:
    db = net[unit].db
    return [
        db.execute_sql(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
        for t in ("data_value", "change", "peer_cursor", "village", "sync_bundle", "conflict")
    ]


def one_bundle(net: Net, to: str | None = None) -> Path:
    c = net[C1]
    v = add_village(c, "Bản Hụm")
    set_households(c, v, 88)
    return net.export(C1, to)


def refuse(net: Net, unit: str, path: Path, error: type[StoreError]) -> str:
    before = snapshot(net, unit)
    with pytest.raises(error) as err:
        net.load(unit, path)
    assert snapshot(net, unit) == before
    message = err.value.user_message()
    assert message and "\n" not in message
    return message


def resign(net: Net, unit: str, manifest: dict, compressed: bytes) -> bytes:
    return fmt.build_file(manifest, compressed, load_identity(net[unit]).private_key)


def test_duplicate_import_does_nothing(net: Net) -> None:
    b = one_bundle(net)
    assert net.load(D1, b).report.applied == 2
    before = snapshot(net, D1)
    assert net.load(D1, b).already
    assert snapshot(net, D1) == before


def test_flipped_bytes_anywhere_are_refused(net: Net, tmp_path: Path) -> None:
    b = one_bundle(net)
    data = b.read_bytes()
    raw = fmt.split(data)
    positions = [0, 9, 20, len(raw.signed) + 5, len(raw.signed) + 70, len(data) - 3]
    for pos in positions:
        bad = bytearray(data)
        bad[pos] ^= 0x01
        f = tmp_path / f"flip{pos}.cdsync"
        f.write_bytes(bytes(bad))
        before = snapshot(net, D1)
        with pytest.raises(StoreError):
            net.load(D1, f)
        assert snapshot(net, D1) == before
    tail = tmp_path / "tail.cdsync"
    bad = bytearray(data)
    bad[-3] ^= 0x01
    tail.write_bytes(bytes(bad))
    assert "checksum" in refuse(net, D1, tail, PayloadHashError)
    sig = tmp_path / "sig.cdsync"
    bad = bytearray(data)
    bad[len(raw.signed) + 5] ^= 0x01
    sig.write_bytes(bytes(bad))
    refuse(net, D1, sig, BadSignatureError)
    magic = tmp_path / "magic.cdsync"
    magic.write_bytes(b"XX" + data[2:])
    refuse(net, D1, magic, NotABundleError)
    assert net.load(D1, b).report.applied == 2  # the good file still imports


def test_truncated_files(net: Net, tmp_path: Path) -> None:
    b = one_bundle(net)
    data = b.read_bytes()
    for cut, error in (
        (10, TruncatedBundleError),
        (40, TruncatedBundleError),
        (len(data) - 10, PayloadHashError),
    ):
        f = tmp_path / f"cut{cut}.cdsync"
        f.write_bytes(data[:cut])
        refuse(net, D1, f, error)


def test_compression_bomb_is_refused(net: Net, tmp_path: Path) -> None:
    b = one_bundle(net)
    raw = fmt.split(b.read_bytes())
    bomb_payload = fmt.compress(b"\0" * 20_000_000, 3)
    manifest = dict(raw.manifest)
    manifest["payload"] = {
        "length": len(bomb_payload),
        "sha256": hashlib.sha256(bomb_payload).hexdigest(),
        "size": 1000,
        "codec": "zstd",
    }
    f = tmp_path / "bomb.cdsync"
    f.write_bytes(resign(net, C1, manifest, bomb_payload))
    assert "larger than declared" in refuse(net, D1, f, CompressionBombError)


def test_newer_schema_asks_for_a_newer_app(net: Net, tmp_path: Path) -> None:
    b = one_bundle(net)
    raw = fmt.split(b.read_bytes())
    manifest = dict(raw.manifest, schema=SCHEMA_VERSION + 1, min_app="9.1.0")
    f = tmp_path / "newer.cdsync"
    f.write_bytes(resign(net, C1, manifest, raw.payload))
    message = refuse(net, D1, f, NewerSchemaError)
    assert "9.1.0" in message and "Install" in message


def test_wrong_addressee(net: Net) -> None:
    b = one_bundle(net, to=P)
    assert "another office" in refuse(net, D1, b, WrongAddresseeError)
    assert net.load(P, b).report.applied == 2


def test_another_province_and_an_unknown_certificate(
    net: Net, tmp_path: Path, clock: FakeClock, unit_directory
) -> None:
    from desktop_app.store.office import create_office

    rogue = init_province(tmp_path / "rogue.db", P, directory=unit_directory, clock=clock)
    fake = create_office(tmp_path / "fake.db", C1, directory=unit_directory, clock=clock)
    enroll_demo(fake, rogue)
    v = fake.villages.add(C1, "Bản Giả").id
    set_households(fake, v, 5)
    net.offices["fake"] = fake
    net.offices["rogue"] = rogue
    b = net.export("fake")
    assert "not issued by your province" in refuse(net, D1, b, UnknownCertificateError)

    hanoi = init_province(tmp_path / "hn.db", "pre2025:01", directory=unit_directory, clock=clock)
    office = create_office(
        tmp_path / "hn-office.db", "pre2025:001", directory=unit_directory, clock=clock
    )
    enroll_demo(office, hanoi)
    net.offices["hn"] = office
    net.offices["hnp"] = hanoi
    office.villages.add("pre2025:001", "Tổ 1") if False else None
    b = net.export("hn")
    refuse(net, D1, b, UnknownCertificateError)


def test_expired_certificate(net: Net, clock: FakeClock) -> None:
    b = one_bundle(net)
    clock.advance(6 * 366 * 86400)
    assert "expired" in refuse(net, D1, b, ExpiredCertificateError)


def test_revoked_certificate(net: Net) -> None:
    serial = json.loads(net[C1].db.execute_sql("SELECT certificate FROM node").fetchone()[0])[
        "body"
    ]["serial"]
    revoke(net[P], serial)
    net.send(P, D1)  # the revocation list travels down
    b = one_bundle(net)
    assert "revoked" in refuse(net, D1, b, RevokedCertificateError)


def test_changes_to_another_communes_data_are_quarantined_and_reported_back(net: Net) -> None:
    c = net[C1]
    v = add_village(c, "Bản Thật")
    set_households(c, v, 40)
    # a tampered client writes a village of the neighbouring commune into its own log
    with c.write() as ctx:
        from desktop_app.store.changes import Entry

        ctx.log(
            Entry(
                "village",
                {"id": "forged-1"},
                C2,
                None,
                {
                    "id": "forged-1",
                    "commune_id": C2,
                    "name": "Bản Giả",
                    "sort_order": 9,
                    "active": True,
                    "demo": False,
                },
                None,
                None,
                "create",
            )
        )
    res = net.send(C1, D1)
    assert res.report.applied == 2 and res.report.quarantined == 1
    assert "may not write data of" in res.report.reasons[0]
    assert net[D1].villages.get("forged-1") is None
    assert values_of(net[D1], C1) == values_of(c, C1)
    # reported back to the commune in the district's next bundle
    net.send(D1, C1)
    rows = c.db.execute_sql("SELECT reason FROM sync_rejection").fetchall()
    assert len(rows) == 1
    # the rest of the commune's period is fine; the forged village has no period
    assert period_sync_state(c, C1, "2019").state != REJECTED


def test_out_of_order_and_missing_bundles_wait_in_the_backlog(net: Net) -> None:
    c = net[C1]
    v = add_village(c, "Bản Một")
    first = net.export(C1)  # seq 1..1
    set_households(c, v, 10)
    set_households(c, v, 11)
    # pretend the district and the province reported seq 1 (so it is not sent again)
    for unit, level in ((P, 1), (D1, 2)):
        held = json.dumps([[c.node.node_id, c.node.epoch, 1]])
        c.db.execute_sql(
            "INSERT INTO sync_peer (node_id, office_id, level, vector, bundle_id, received_at)"
            " VALUES (?, ?, ?, ?, 'x', 'now')",
            (net[unit].node.node_id, unit, level, held),
        )
    second = net.export(C1)  # seq 2..3 only
    res = net.load(D1, second)
    assert res.report.backlog == 2 and res.report.applied == 0
    assert any(w.kind == "gap" for w in sync_warnings(net[D1]))
    assert any(w.kind == "backlog" for w in sync_warnings(net[D1]))
    res = net.load(D1, first)
    assert res.report.applied == 3
    assert values_of(net[D1], C1) == values_of(c, C1)
    assert not [w for w in sync_warnings(net[D1]) if w.kind == "backlog"]


def test_replayed_old_bundle_and_old_reference_data(net: Net) -> None:
    prov = net[P]
    prov.targets.set(C1, 2019, next(iter(prov.catalogue.derived)), 10.0)
    old = net.export(P)
    prov.targets.set(C1, 2019, next(iter(prov.catalogue.derived)), 20.0)
    new = net.export(P)
    net.load(D1, new)
    res = net.load(D1, old)
    assert res.report.applied == 0 and res.report.skipped >= 1
    assert list(net[D1].targets.get(C1, 2019).values()) == [20.0]
    # and a commune's replayed bundle after newer ones
    c = net[C1]
    v = add_village(c, "Bản Cũ")
    set_households(c, v, 1)
    b1 = net.export(C1)
    set_households(c, v, 2)
    b2 = net.export(C1)
    net.load(D1, b2)
    assert net.load(D1, b1).report.applied == 0
    assert values_of(net[D1], C1) == values_of(c, C1)


def test_clock_skewed_by_days_is_flagged_and_does_not_drag(net: Net) -> None:
    from tests.helpers.clock import FakeClock as Clock

    c = net[C1]
    c.clock = Clock(net.clock.now + 3 * 86400)
    v = add_village(c, "Bản Lệch")
    set_households(c, v, 7)
    d = net[D1]
    res = net.send(C1, D1)
    assert res.skewed == [c.node.node_id]
    wall = d.db.execute_sql("SELECT hlc_wall FROM node").fetchone()[0]
    assert wall <= int(net.clock.now * 1000) + 1000
    assert any(w.kind == "clock_skew" for w in sync_warnings(d))
    from desktop_app.sync.status import clock_flags, mark_warnings_seen

    assert clock_flags(d) == {c.node.node_id}
    assert mark_warnings_seen(d) >= 1 and not sync_warnings(d)
    assert values_of(d, C1) == values_of(c, C1)  # the data itself is accepted


def test_restore_from_backup_gives_a_new_epoch_and_loses_nothing(net: Net, tmp_path: Path) -> None:
    from desktop_app.store.backup import backup_to, restore
    from desktop_app.store.store import Store

    c = net[C1]
    v1, v2 = add_village(c, "Bản A"), add_village(c, "Bản B")
    set_households(c, v1, 10)
    saved = backup_to(c.path, tmp_path / "saved.db")
    set_households(c, v2, 20)  # made after the backup, sent, then lost by the restore
    net.send(C1, D1)
    path = c.path
    old_epoch = c.node.epoch
    c.close()
    new_epoch = restore(path, saved, backup_dir=tmp_path / "bk")
    c = Store.open(path, clock=net.clock, user="canbo")
    net.offices[C1] = c
    assert c.node.epoch == new_epoch and new_epoch != old_epoch
    set_households(c, v1, 11)  # a new change in the new epoch
    res = net.send(C1, D1)
    assert res.report.applied == 1
    d = net[D1]
    got = values_of(d, C1)
    assert got[(v1, "2019", "so_ho", "")] == "11"
    assert got[(v2, "2019", "so_ho", "")] == "20"  # nothing lost upstream
    dup = d.db.execute_sql(
        "SELECT count(*) FROM (SELECT 1 FROM change"
        " GROUP BY origin, epoch, seq HAVING count(*) > 1)"
    ).fetchone()[0]
    assert dup == 0


def test_a_district_cannot_forge_a_communes_changes(net: Net, tmp_path: Path) -> None:
    """The district alters a relayed commune value and re-signs the bundle with its own key."""
    from desktop_app.sync.vectors import full_vector

    c = net[C1]
    v = add_village(c, "Bản Thật")
    set_households(c, v, 40)
    net.send(C1, D1)
    honest = net.export(D1, P)
    raw = fmt.split(honest.read_bytes())
    payload = fmt.decompress(raw).replace(b'"40"', b'"99"')
    compressed = fmt.compress(payload, 3)
    manifest = dict(raw.manifest, payload=fmt.payload_fields(payload, compressed))
    forged = tmp_path / "forged.cdsync"
    forged.write_bytes(resign(net, D1, manifest, compressed))
    res = net.load(P, forged)  # the bundle itself is genuinely the district's
    assert res.refused_segments == ["segment contents do not match their signature"]
    assert res.report.applied == 0
    assert (c.node.node_id, c.node.epoch) not in full_vector(net[P])  # no cursor moved
    assert any(w.kind == "segment_refused" for w in sync_warnings(net[P]))
    assert net.load(P, honest).report.applied == 2  # the genuine changes still arrive
    assert values_of(net[P], C1)[(v, "2019", "so_ho", "")] == "40"


def test_a_full_disk_during_import_changes_nothing(net: Net) -> None:
    from bench.bench_sync import bulk_writes
    from desktop_app.store.errors import DiskFullError

    c = net[C1]
    c.values.set_many(bulk_writes(c, 3000))
    b = net.export(C1)
    d = net[D1]
    pages = d.db.execute_sql("PRAGMA page_count").fetchone()[0]
    d.db.execute_sql(f"PRAGMA max_page_count = {pages + 20}")
    before = snapshot(net, D1)
    with pytest.raises(DiskFullError):
        net.load(D1, b)
    assert snapshot(net, D1) == before
    d.db.execute_sql("PRAGMA max_page_count = 1073741823")
    assert net.load(D1, b).report.applied > 3000


def test_a_rejected_change_shows_on_its_period_with_the_reason(net: Net) -> None:
    from desktop_app.store.changes import Entry

    c = net[C1]
    key = {"commune_id": C1, "period": "2019Q2"}
    with c.write() as ctx:  # a commune cannot approve its own period
        ctx.log(
            Entry(
                "submission",
                key,
                C1,
                "2019Q2",
                {**key, "state": "approved", "reason": ""},
                None,
                None,
                "approved",
            )
        )
    res = net.send(C1, D1)
    assert res.report.quarantined == 1
    net.send(D1, C1)
    state = period_sync_state(c, C1, "2019Q2")
    assert state.state == REJECTED and "may not move" in state.reason
    assert state.label().startswith("rejected: ")


def test_a_replayed_old_revocation_list_does_not_undo_a_newer_one(net: Net) -> None:
    old = net.export(P)  # lists no revocation
    serial = json.loads(net[C2].db.execute_sql("SELECT certificate FROM node").fetchone()[0])[
        "body"
    ]["serial"]
    revoke(net[P], serial)
    net.send(P, D1)
    net.load(D1, old)
    held = net[D1].db.execute_sql("SELECT value FROM meta WHERE key = 'sync_revocations'")
    assert json.loads(held.fetchone()[0])["body"]["revoked"][0][0] == serial
    net.send(D1, C1)  # relayed down: the commune learns it too
    assert net[C1].db.execute_sql("SELECT serial FROM revocation").fetchall() == [(serial,)]
