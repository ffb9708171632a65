"""The sync command line, end to end through argparse (province, enrolment, bundles)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from desktop_app.commands import store_commands, sync_commands
from desktop_app.store.errors import StoreError


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="coverage-desk")
    sub = parser.add_subparsers(dest="command")
    store_commands.register(sub)
    sync_commands.register(sub)
    args = parser.parse_args(list(argv))
    return int(args.func(args))


def test_province_enrolment_and_bundle_by_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prov, office = tmp_path / "prov.db", tmp_path / "commune.db"
    assert run("province", "init", "--db", str(prov), "--province", "pre2025:14") == 0
    assert run("init", "--db", str(office), "--office", "pre2025:04108") == 0
    req, cert = tmp_path / "req.json", tmp_path / "cert.json"
    assert run("enroll", "request", "--db", str(office), "--out", str(req)) == 0
    assert run("enroll", "approve", "--db", str(prov), str(req), "--out", str(cert)) == 0
    assert run("enroll", "accept", "--db", str(office), str(cert)) == 0
    from desktop_app.store.store import Store

    with Store.open(office) as s:
        v = s.villages.add("pre2025:04108", "Bản Mòn")
    b = tmp_path / "b.cdsync"
    assert run("bundle", "export", "--db", str(office), "--out", str(b)) == 0
    capsys.readouterr()
    assert run("bundle", "inspect", str(b)) == 0
    shown = capsys.readouterr().out
    assert "pre2025:04108" in shown and "commune" in shown
    assert run("bundle", "import", "--db", str(prov), str(b)) == 0
    assert "1 applied" in capsys.readouterr().out
    from desktop_app.store.backup import list_backups

    assert any("before-import" in b.name for b in list_backups(prov))  # backed up first
    assert run("bundle", "import", "--db", str(prov), str(b)) == 0
    assert "already imported" in capsys.readouterr().out
    with Store.open(prov) as s:
        assert s.villages.get(v.id) is not None
    # a folder (the USB stick) gets a file named after the office and the time, never
    # overwriting one already there
    stick = tmp_path / "usb"
    stick.mkdir()
    assert run("bundle", "export", "--db", str(office), "--out", str(stick)) == 0
    assert run("bundle", "export", "--db", str(office), "--out", str(stick)) == 0
    names = sorted(p.name for p in stick.iterdir())  # two files: the second did not overwrite
    assert len(names) == 2, names
    assert all(n.startswith("xa-chieng-sung-20") and n.endswith(".cdsync") for n in names)
    shown = capsys.readouterr().out
    assert all(str(stick / n) in shown for n in names)


def test_accepting_a_certificate_for_another_node_is_refused(tmp_path: Path) -> None:
    prov = tmp_path / "prov.db"
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    run("province", "init", "--db", str(prov), "--province", "pre2025:14")
    run("init", "--db", str(a), "--office", "pre2025:04108")
    run("init", "--db", str(b), "--office", "pre2025:04108")
    run("enroll", "request", "--db", str(a), "--out", str(tmp_path / "req"))
    run("enroll", "approve", "--db", str(prov), str(tmp_path / "req"), "--out", str(tmp_path / "c"))
    with pytest.raises(StoreError, match="another installation"):
        run("enroll", "accept", "--db", str(b), str(tmp_path / "c"))


def test_approve_refuses_an_office_of_another_province(tmp_path: Path) -> None:
    prov = tmp_path / "prov.db"
    other = tmp_path / "other.db"
    run("province", "init", "--db", str(prov), "--province", "pre2025:14")
    run("init", "--db", str(other), "--office", "pre2025:001")  # Hà Nội district
    run("enroll", "request", "--db", str(other), "--out", str(tmp_path / "req"))
    with pytest.raises(StoreError, match="Enrolment refused"):
        run(
            "enroll",
            "approve",
            "--db",
            str(prov),
            str(tmp_path / "req"),
            "--out",
            str(tmp_path / "c"),
        )
