"""Revocation a province can use, and enrolment that does not hand one key two offices;
end to end through the ``coverage-desk`` commands."""

from __future__ import annotations

import json

import pytest

from desktop_app.cli import main
from desktop_app.sync.identity import b64, canonical_bytes, load_identity, sign
from tests.sync.conftest import set_households
from tests.sync.test_traced_cases import C1, C2, D, Offices, P, cli, offices  # noqa: F401


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], list[str]]:
    capsys.readouterr()
    code = main(["--lang", "en", *argv])
    got = capsys.readouterr()
    return code, got.out.strip().splitlines(), got.err.strip().splitlines()


def test_a_revoked_office_is_refused_at_district_and_commune_and_told_why(
    offices: Offices,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    with offices.open(C1) as c:
        set_households(c, c.villages.add(C1, "Bản Mất").id, 5)
    offices.send(C1, D)  # before: accepted
    code, said, _err = _run(
        capsys, "enroll", "revoke", "--db", str(offices.db(P)), C1, "--reason", "máy bị mất"
    )
    assert code == 0 and said == [
        "Revoked certificate 3 of pre2025:04108; the revocation goes down in the next bundles"
        " and syncs."
    ]
    with offices.open(C1) as c:  # the stolen PC keeps writing
        set_households(c, c.villages.add(C1, "Bản Giả").id, 9)
    stolen = offices.tmp / "stolen.cdsync"
    cli("bundle", "export", "--db", str(offices.db(C1)), "--out", str(stolen))
    offices.send(P, D)  # the province's list reaches the district ...
    offices.send(D, C2)  # ... and, relayed, the commune
    for unit in (D, C2):
        code, _out, err = _run(
            capsys, "bundle", "import", "--db", str(offices.db(unit)), str(stolen)
        )
        assert code == 1 and err == [
            "coverage-desk: The sender's certificate (pre2025:04108, serial 3) was revoked by"
            " the province."
        ], (unit, err)
    with offices.open(D) as d:
        assert not d.db.execute_sql(
            "SELECT count(*) FROM village WHERE name = 'Bản Giả'"
        ).fetchone()[0]
    # the revoked office hears it in words at its next import
    bundle = offices.tmp / "down.cdsync"
    cli("bundle", "export", "--db", str(offices.db(D)), "--out", str(bundle), "--to", C1)
    code, said, _err = _run(capsys, "bundle", "import", "--db", str(offices.db(C1)), str(bundle))
    assert code == 0 and said[-1].startswith("The province has revoked this office's certificate")
    # a serial or office that matches nothing is refused in one line
    code, _out, err = _run(capsys, "enroll", "revoke", "--db", str(offices.db(P)), "999")
    assert code == 1 and err == [
        "coverage-desk: No certificate issued here matches 999; nothing was revoked."
    ]


def test_a_key_holding_a_commune_certificate_is_not_made_a_district_without_confirmation(
    offices: Offices,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop_app.sync.certificates import make_request

    with offices.open(C2) as c2:  # C2's own key asks to be the other district's office
        ident = load_identity(c2)
        kind = make_request(c2)["kind"]
        body = {
            "node_id": c2.node.node_id,
            "office_id": "pre2025:118",
            "public_key": b64(ident.public_key),
            "scope": ["pre2025:118"],
            "created": c2.now_iso(),
        }
    request = {
        "kind": kind,
        "body": body,
        "sig": b64(sign(ident.private_key, canonical_bytes(body))),
    }
    req = offices.tmp / "district-req.json"
    req.write_text(json.dumps(request))
    cert = offices.tmp / "district-cert.json"
    approve = ["enroll", "approve", "--db", str(offices.db(P)), str(req), "--out", str(cert)]
    code, _out, err = _run(capsys, *approve)
    assert code == 1 and not cert.exists()
    assert err == [
        "coverage-desk: Enrolment refused: this key already holds certificate 4 of"
        " pre2025:04105. Revoke it first, or approve with --confirm if the installation"
        " really moves."
    ]
    code, _out, _err = _run(capsys, *approve, "--confirm")
    assert code == 0 and cert.exists()
