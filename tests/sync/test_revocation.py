"""Revocation, enrolment and addressing through the real ``coverage-desk`` process:
revoke at the province, the list down with the bundles, refusals said in Vietnamese."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.store import Store
from desktop_app.sync.bundle import split
from desktop_app.sync.certificates import REQUEST_KIND, scope_for
from desktop_app.sync.identity import b64, canonical_bytes, load_identity, sign

ROOT = Path(__file__).resolve().parents[2]
P, D, C1, C2 = "pre2025:14", "pre2025:125", "pre2025:04108", "pre2025:04105"


def cli(*args: str, lang: str = "vi", ok: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", lang, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if ok:
        assert done.returncode == 0, done.stderr
    else:
        assert done.returncode == 1, done.stdout
        assert done.stderr.strip().count("\n") == 0, done.stderr  # one line
        assert "Traceback" not in done.stderr
    return done


def db(tmp: Path, unit: str) -> str:
    return str(tmp / f"{unit.split(':')[1]}.db")


@pytest.fixture
def offices(tmp_path: Path) -> Path:
    """A province, a district and two of its communes, enrolled by file."""
    cli("province", "init", "--db", db(tmp_path, P), "--province", P)
    for unit in (D, C1, C2):
        req, cert = tmp_path / f"req-{unit[8:]}.json", tmp_path / f"cert-{unit[8:]}.json"
        cli("init", "--db", db(tmp_path, unit), "--office", unit)
        cli("enroll", "request", "--db", db(tmp_path, unit), "--out", str(req))
        cli("enroll", "approve", "--db", db(tmp_path, P), str(req), "--out", str(cert))
        cli("enroll", "accept", "--db", db(tmp_path, unit), str(cert))
    return tmp_path


def add_village(path: str, name: str) -> str:
    with Store.open(Path(path)) as store:
        return store.villages.add(store.node.office_id, name).id


def has_village(path: str, village: str) -> bool:
    with Store.open(Path(path)) as store:
        return store.villages.get(village) is not None


def serial_of(path: str) -> int:
    with Store.open(Path(path)) as store:
        cert = load_identity(store).certificate
        assert cert is not None
        return int(cert["body"]["serial"])


def test_revoked_commune_is_refused_at_the_district_and_told_at_home(offices: Path) -> None:
    t = offices
    before = add_village(db(t, C1), "Bản Mòn")
    cli("bundle", "export", "--db", db(t, C1), "--out", str(t / "c1.cdsync"))
    assert "1 đã áp dụng" in cli("bundle", "import", "--db", db(t, D), str(t / "c1.cdsync")).stdout
    cli("bundle", "import", "--db", db(t, P), str(t / "c1.cdsync"))  # the province holds it
    only_here = add_village(db(t, C1), "Bản Lẻ")  # a stick to the district alone
    cli("bundle", "export", "--db", db(t, C1), "--out", str(t / "c1b.cdsync"), "--to", D)
    assert "1 đã áp dụng" in cli("bundle", "import", "--db", db(t, D), str(t / "c1b.cdsync")).stdout
    serial = serial_of(db(t, C1))

    done = cli("enroll", "revoke", "--db", db(t, P), C1, "--reason", "Máy tính bị mất cắp")
    assert f"Đã thu hồi chứng thư {serial} của {C1} (Xã Chiềng Sung)" in done.stdout
    listed = cli("enroll", "list", "--db", db(t, P)).stdout.splitlines()
    row = next(line for line in listed if line.startswith(f"{serial}\t"))
    assert "đã thu hồi" in row and "Máy tính bị mất cắp" in row
    assert sum("còn hiệu lực" in line for line in listed) == 3  # province, district, C2

    # the province's next bundle carries the signed list down to the district
    cli("bundle", "export", "--db", db(t, P), "--out", str(t / "p1.cdsync"), "--to", D)
    imported = cli("bundle", "import", "--db", db(t, D), str(t / "p1.cdsync")).stdout
    took = unicodedata.normalize("NFC", imported)
    # what the province had not received when revoking is taken back, said in one sentence
    assert (
        "Đã rút lại 1 thay đổi của Xã Chiềng Sung (04108): chứng thư của đơn vị này bị thu hồi ngày"
    ) in took
    assert "(Máy tính bị mất cắp)" in took
    assert took.startswith("Đã nhập từ Tỉnh Sơn La (14): ")  # the sender by name, not its id
    assert not has_village(db(t, D), only_here)
    after = add_village(db(t, C1), "Bản Mới")  # the commune does not know yet: it exports
    cli("bundle", "export", "--db", db(t, C1), "--out", str(t / "c2.cdsync"))
    refused = cli("bundle", "import", "--db", db(t, D), str(t / "c2.cdsync"), ok=False)
    line = unicodedata.normalize("NFC", refused.stderr)
    assert f"Chứng thư của {C1} (số sê-ri {serial}) đã bị tỉnh thu hồi ngày" in line
    assert "Máy tính bị mất cắp" in line and "vẫn được giữ" in line
    assert has_village(db(t, D), before)  # what the province held when revoking stays
    assert not has_village(db(t, D), after)  # its new bundle is not applied

    # the commune hears it at its next import, in words, and stops exporting
    cli("bundle", "export", "--db", db(t, D), "--out", str(t / "d1.cdsync"))
    told = cli("bundle", "import", "--db", db(t, C1), str(t / "d1.cdsync")).stdout
    assert f"Tỉnh đã thu hồi chứng thư của cơ quan này (số sê-ri {serial})" in told
    assert "Máy tính bị mất cắp" in told
    again = cli("bundle", "export", "--db", db(t, C1), "--out", str(t / "c3.cdsync"), ok=False)
    assert "Tỉnh đã thu hồi chứng thư" in again.stderr
    assert not (t / "c3.cdsync").exists()
    # the sibling commune got the same list through the district
    cli("bundle", "import", "--db", db(t, C2), str(t / "d1.cdsync"))
    with Store.open(Path(db(t, C2))) as c2:
        rows = c2.db.execute_sql("SELECT serial, reason FROM revocation").fetchall()
    assert rows == [(serial, "Máy tính bị mất cắp")]


def test_revoked_district_is_refused_at_its_commune(offices: Path) -> None:
    t = offices
    cli("enroll", "revoke", "--db", db(t, P), str(serial_of(db(t, D))))
    # straight from the province to the commune (the district is the one revoked)
    cli("bundle", "export", "--db", db(t, P), "--out", str(t / "p.cdsync"), "--to", C2)
    cli("bundle", "import", "--db", db(t, C2), str(t / "p.cdsync"))
    cli("bundle", "export", "--db", db(t, D), "--out", str(t / "d.cdsync"))
    refused = cli("bundle", "import", "--db", db(t, C2), str(t / "d.cdsync"), ok=False)
    assert f"Chứng thư của {D} (số sê-ri" in refused.stderr
    assert "vẫn được giữ" in refused.stderr  # dated, even without a reason
    english = cli(
        "bundle", "import", "--db", db(t, C2), str(t / "d.cdsync"), lang="en", ok=False
    ).stderr
    assert re.search(r"was revoked by the province on \d\d/\d\d/20\d\d\. Its new bundles", english)


def test_revoke_refusals_are_one_line_and_change_nothing(offices: Path) -> None:
    t = offices
    prov = db(t, P)
    before = Path(prov).read_bytes()
    for target, words in [
        ("1", "chứng thư gốc của chính tỉnh"),  # the province's own root certificate
        ("99", "không có chứng thư số sê-ri 99"),
        ("pre2025:04111", "chưa cấp chứng thư nào cho cơ quan pre2025:04111"),
    ]:
        assert words in cli("enroll", "revoke", "--db", prov, target, ok=False).stderr
    assert Path(prov).read_bytes() == before
    refused = cli("enroll", "revoke", "--db", db(t, D), C1, ok=False)
    assert "chỉ văn phòng tỉnh mới thu hồi được chứng thư" in refused.stderr
    cli("enroll", "revoke", "--db", prov, C1)
    twice = cli("enroll", "revoke", "--db", prov, C1, ok=False).stderr
    assert f"của {C1} đã bị thu hồi ngày" in twice


def test_export_to_must_name_a_known_office(offices: Path) -> None:
    t = offices
    out = t / "x.cdsync"
    unknown = cli(
        "bundle", "export", "--db", db(t, C1), "--out", str(out), "--to", "xã 9", ok=False
    )
    assert "không phải cơ quan hay bản cài đặt mà máy này biết" in unknown.stderr
    assert not out.exists()
    # an office not heard from yet: the bundle is addressed to the office itself
    cli("bundle", "export", "--db", db(t, C1), "--out", str(out), "--to", D)
    assert split(out.read_bytes(), str(out)).manifest["to"] == D
    out.unlink()
    # once the district was heard from, its office id names its installation
    cli("bundle", "export", "--db", db(t, D), "--out", str(t / "d.cdsync"))
    cli("bundle", "import", "--db", db(t, C1), str(t / "d.cdsync"))
    cli("bundle", "export", "--db", db(t, C1), "--out", str(out), "--to", D)
    with Store.open(Path(db(t, D))) as d:
        node = d.node.node_id
    assert split(out.read_bytes(), str(out)).manifest["to"] == node
    cli("bundle", "import", "--db", db(t, D), str(out))  # its addressee imports it


def test_a_key_holding_another_offices_certificate_needs_force(offices: Path) -> None:
    t = offices
    # the commune's own key asks for the district's certificate (a copied database)
    with Store.open(Path(db(t, C1))) as c1:
        ident = load_identity(c1)
        body = {
            "node_id": "0193a000-0000-7000-8000-000000000001",
            "office_id": D,
            "public_key": b64(ident.public_key),
            "scope": scope_for(c1, D),
            "created": c1.now_iso(),
        }
    request = {
        "kind": REQUEST_KIND,
        "body": body,
        "sig": b64(sign(ident.private_key, canonical_bytes(body))),
    }
    req = t / "reused.json"
    req.write_text(json.dumps(request), encoding="utf-8")
    prov = db(t, P)
    listed = cli("enroll", "list", "--db", prov).stdout
    refused = cli("enroll", "approve", "--db", prov, str(req), "--out", str(t / "c.json"), ok=False)
    assert f"khóa của máy này đã giữ chứng thư {serial_of(db(t, C1))} cho {C1}" in refused.stderr
    assert "--force" in refused.stderr
    assert not (t / "c.json").exists()
    assert cli("enroll", "list", "--db", prov).stdout == listed  # nothing issued
    forced = cli("enroll", "approve", "--db", prov, str(req), "--out", str(t / "c.json"), "--force")
    assert f"cho {D}" in forced.stdout and (t / "c.json").exists()
    # the same key for the SAME office again (a re-enrolment) needs no --force
    cli("enroll", "request", "--db", db(t, C2), "--out", str(t / "again.json"))
    cli("enroll", "approve", "--db", prov, str(t / "again.json"), "--out", str(t / "c2.json"))


def test_network_sync_carries_the_revocation_and_tells_the_revoked_office(
    tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    from desktop_app.netsync.client import sync_office
    from desktop_app.server.app import create_app
    from desktop_app.store.errors import StoreError
    from desktop_app.sync.certificates import revoke_certificates
    from desktop_app.sync.errors import OwnCertificateRevokedError
    from desktop_app.sync.exchange import export_bundle, import_bundle
    from tests.server.conftest import ServerThread, make_province

    prov = make_province(tmp_path, unit_directory)
    try:
        district, commune = prov[D], prov[C1]
        serial = serial_of(str(tmp_path / "04108.db"))
        revoke_certificates(prov[P], C1, "Máy tính bị mất cắp")  # in the province's window
        prov[P].close()  # the server opens the province's file itself
        with ServerThread(create_app(prov.path)) as server:
            sync_office(district, server.url, backup=False)  # the list comes down
            rows = district.db.execute_sql("SELECT serial, reason FROM revocation").fetchall()
            assert rows == [(serial, "Máy tính bị mất cắp")]
            # the revoked commune's next sync is refused, and says why
            with pytest.raises(StoreError) as refused:
                sync_office(commune, server.url, backup=False)
            told = refused.value.user_message()
            assert f"serial {serial}" in told and "revoked" in told
            assert "Máy tính bị mất cắp" in told
        # its bundle carried to the district on a stick is refused there too
        export_bundle(commune, tmp_path / "c.cdsync")
        with pytest.raises(
            StoreError, match=r"revoked by the province on \d\d/\d\d/20\d\d: Máy tính bị mất cắp"
        ):
            import_bundle(district, tmp_path / "c.cdsync", backup=False)
        # once the list reached it (a bundle from its district), the commune is told at
        # home before it even connects, and it exports nothing more
        export_bundle(district, tmp_path / "d.cdsync")
        import_bundle(commune, tmp_path / "d.cdsync", backup=False)
        with pytest.raises(OwnCertificateRevokedError, match="Máy tính bị mất cắp"):
            sync_office(commune, "https://127.0.0.1:9", backup=False)
        with pytest.raises(OwnCertificateRevokedError):
            export_bundle(commune, tmp_path / "c2.cdsync")
    finally:
        for unit, store in prov.offices.items():
            if unit != P:
                store.close()


@pytest.mark.parametrize("seed", range(6))
def test_lists_arriving_in_any_order_leave_every_office_with_the_province_s(
    seed: int, tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    """Property (seeded): whatever order the signed lists arrive in, replayed or not, the
    receiver ends with exactly the province's revocations and reasons, keeps the newest
    list to relay, and refuses each revoked certificate with its own reason."""
    from desktop_app.store.office import create_office
    from desktop_app.sync.certificates import (
        certify_installation,
        enroll_demo,
        init_province,
        keep_revocation_list,
        revocation_list,
        revoke,
        verify_certificate,
    )
    from desktop_app.sync.errors import RevokedCertificateError
    from desktop_app.sync.identity import new_key_pair

    rng = random.Random(seed)
    prov = init_province(tmp_path / "p.db", P, directory=unit_directory, user="so")
    district = create_office(tmp_path / "d.db", D, directory=unit_directory)
    try:
        enroll_demo(district, prov)
        offices = [C1, C2, D, "pre2025:04111"]
        certs = [
            certify_installation(prov, f"0193a000-0000-7000-8000-{n:012d}", rng.choice(offices),
                                 new_key_pair()[1])
            for n in range(12)
        ]  # fmt: skip
        lists = []
        for info in rng.sample(certs, rng.randint(1, len(certs))):
            reason = rng.choice(["", "Máy bị mất", "Cán bộ chuyển công tác", "Ổ cứng hỏng"])
            revoke(prov, info.serial, reason)
            lists.append(revocation_list(prov))
        arriving = lists + rng.choices(lists, k=rng.randint(0, 6))  # replays too
        rng.shuffle(arriving)
        key = load_identity(prov).public_key
        for doc in arriving:
            with district.transaction():
                keep_revocation_list(district, doc, key)
        want = prov.db.execute_sql("SELECT serial, reason FROM revocation ORDER BY 1").fetchall()
        got = district.db.execute_sql("SELECT serial, reason FROM revocation ORDER BY 1")
        assert got.fetchall() == want
        held = district.db.execute_sql("SELECT value FROM meta WHERE key = 'sync_revocations'")
        assert json.loads(held.fetchone()[0]) == lists[-1]  # the newest, to send on down
        from desktop_app.sync.certificates import revoked_serials

        revoked = revoked_serials(district)
        reasons = dict(want)
        for info in certs:
            if info.serial not in reasons:
                verify_certificate(info.document, key, now=district.clock(), revoked=revoked)
                continue
            with pytest.raises(RevokedCertificateError) as refused:
                verify_certificate(info.document, key, now=district.clock(), revoked=revoked)
            assert refused.value.params["why"] == reasons[info.serial]
    finally:
        prov.close()
        district.close()


def test_a_key_moved_to_a_new_office_by_the_reform_needs_no_force(
    tmp_path: Path, unit_directory: UnitDirectory
) -> None:
    from desktop_app.store.office import create_office
    from desktop_app.sync.certificates import (
        approve_request,
        enroll_demo,
        init_province,
        make_request,
        reissue_for,
    )
    from desktop_app.sync.errors import KeyReusedError

    prov = init_province(tmp_path / "p.db", P, directory=unit_directory, user="so")
    commune = create_office(tmp_path / "c.db", C1, directory=unit_directory)
    try:
        enroll_demo(commune, prov)
        cert = load_identity(commune).certificate
        assert cert is not None
        request = make_request(commune)
        request_for_c2 = dict(request, body=dict(request["body"], office_id=C2, scope=[C2]))
        body = request_for_c2["body"]
        request_for_c2["sig"] = b64(sign(load_identity(commune).private_key, canonical_bytes(body)))
        with pytest.raises(KeyReusedError):
            approve_request(prov, request_for_c2)
        reissue_for(prov, cert, C2)  # the province moves this installation to C2
        approve_request(prov, request_for_c2)  # now its key belongs to C2: no question
        with pytest.raises(KeyReusedError):  # and asking for C1 again is the reuse
            approve_request(prov, request)
    finally:
        prov.close()
        commune.close()
