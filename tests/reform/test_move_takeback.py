"""``reform move`` with a certificate file whose revocation list takes back a revoked
installation's changes: they are taken back before the move, and the move says so.

Before, the move carried the villages first, the revoked installation's one among them
(a change of this office), and the take-back then kept that village because this
office's own change named it: the office held 3 villages, the revoked 'Bản Mới' moved
into the new commune and sent on to the province under it, while the province had
quarantined its creation; and nothing was said."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from tests.reform.test_merge import A_OLD, NEW, count, enrol, run, send, type_history


def test_a_move_takes_back_first_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, a, lost = tmp_path / "prov.db", tmp_path / "a.db", tmp_path / "lost.db"
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    enrol(tmp_path, prov, a, A_OLD)
    enrol(tmp_path, prov, lost, A_OLD)  # a second PC of the same commune, later lost
    type_history(a, A_OLD, [120, 80])
    send(tmp_path, a, prov, "a1")
    with Store.open(lost) as s:
        serial = int(
            s.db.execute_sql(
                "SELECT serial FROM sync_node WHERE node_id = ?", (s.node.node_id,)
            ).fetchone()[0]
        )
    # the province revokes the lost PC before it received anything of it
    assert run("enroll", "revoke", "--db", str(prov), str(serial), "--reason", "Máy bị mất") == 0
    with Store.open(lost) as s:  # what the lost PC had typed reached the office by stick
        v = s.villages.add(A_OLD, "Bản Mới")
        s.values.set_value(ValueWrite(A_OLD, v.id, "2020", "so_ho", 40))
    send(tmp_path, lost, a, "lost")
    with Store.open(a) as s:
        assert count(s, "SELECT count(*) FROM village") == 3
    plan, certs = tmp_path / "mapping.xlsx", tmp_path / "certs"
    assert run("reform", "plan", "--db", str(prov), "--out", str(plan)) == 0
    assert run("reform", "apply", "--db", str(prov), "--mapping", str(plan),
               "--certificates", str(certs)) == 0  # fmt: skip
    (cert,) = certs.glob("reform-04108-*.json")
    capsys.readouterr()

    assert run("reform", "move", "--db", str(a), "--certificate", str(cert)) == 0

    shown = capsys.readouterr().out.splitlines()
    assert shown[0].startswith(f"Moved from {A_OLD} to {NEW}: 2 villages, ")
    assert shown[1].startswith("2 changes from Xã Chiềng Sung (04108) were taken back: ")
    assert "(Máy bị mất)" in shown[1]
    with Store.open(a) as s:
        assert s.node.office_id == NEW
        names = [str(r[0]) for r in s.db.execute_sql("SELECT name FROM village ORDER BY name")]
        assert "Bản Mới" not in names and len(names) == 2
        assert count(s, "SELECT count(*) FROM village WHERE commune_id = ?", NEW) == 2
        assert count(s, "SELECT count(*) FROM sync_quarantine") == 2
    # the province and the office agree: the lost PC's village is nowhere
    send(tmp_path, a, prov, "a2")
    with Store.open(prov) as s:
        assert count(s, "SELECT count(*) FROM village WHERE name = 'Bản Mới'") == 0
        assert count(s, "SELECT count(*) FROM village WHERE commune_id = ?", NEW) == 2
