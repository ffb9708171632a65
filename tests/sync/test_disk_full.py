"""A full disk while backing up, importing or exporting: one clear line, no ``*.partial``
left behind, the database as it was. The disk fills at the edge (an injected ENOSPC from
the file write, SQLite's "database or disk is full" from the backup copy)."""

from __future__ import annotations

import builtins
import errno
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from desktop_app.cli import main
from desktop_app.store.errors import DiskFullError
from desktop_app.sync.exchange import import_bundle
from tests.sync.conftest import Net, add_village, set_households
from tests.sync.test_faults import snapshot

C1, D1 = "pre2025:04108", "pre2025:125"


class _FullCopy:
    """A connection whose backup copy fills the disk after writing what it could."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def backup(self, target: Any, **kw: Any) -> None:
        self.real.backup(getattr(target, "real", target), **kw)
        raise sqlite3.OperationalError("database or disk is full")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def full_backup(monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop_app.store.backup as backup

    real = sqlite3.connect

    def connect(target: Any, *a: Any, **kw: Any) -> Any:
        conn = real(target, *a, **kw)
        return _FullCopy(conn) if "mode=ro" in str(target) else conn

    monkeypatch.setattr(backup.sqlite3, "connect", connect)


@pytest.fixture
def full_stick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing a ``*.partial`` file gets half of it on the stick, then ENOSPC."""
    real_open = builtins.open

    class Half:
        def __init__(self, fh: Any) -> None:
            self.fh = fh

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self) -> Half:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def __getattr__(self, name: str) -> Any:
            return getattr(self.fh, name)

    def fake_open(file: Any, mode: str = "r", *a: Any, **kw: Any) -> Any:
        fh = real_open(file, mode, *a, **kw)
        return Half(fh) if str(file).endswith(".partial") and "w" in mode else fh

    import desktop_app.sync.certificates as certificates

    monkeypatch.setattr(certificates, "open", fake_open, raising=False)


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def _partials(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.partial"))


@pytest.mark.usefixtures("full_backup")
def test_a_full_disk_while_backing_up(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Đầy"), 5)
    before = snapshot(net, C1)
    out = net.tmp / "saved" / "c1.db"
    assert main(["--lang", "en", "backup", "--db", str(c.path), "--out", str(out)]) == 1
    assert _one_line(capsys).startswith("coverage-desk: Not enough disk space to save:")
    assert not out.exists() and not _partials(net.tmp)
    assert snapshot(net, C1) == before


@pytest.mark.usefixtures("full_backup")
def test_a_full_disk_during_the_automatic_backup_before_an_import(net: Net) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Đầy"), 5)
    bundle = net.export(C1)
    before = snapshot(net, D1)
    # the import of the window and the command (the test clock is the certificates' own)
    with pytest.raises(DiskFullError) as caught:
        import_bundle(net[D1], bundle, backup=True)
    message = caught.value.user_message()
    assert message.startswith("Not enough disk space to save:") and "\n" not in message
    assert not _partials(net.tmp)
    assert snapshot(net, D1) == before


@pytest.mark.usefixtures("full_stick")
def test_exporting_to_a_nearly_full_stick(net: Net, capsys: pytest.CaptureFixture[str]) -> None:
    c = net[C1]
    set_households(c, add_village(c, "Bản Đầy"), 5)
    before = snapshot(net, C1)
    stick = net.tmp / "stick"
    stick.mkdir()
    out = stick / "c1.cdsync"
    assert main(["--lang", "en", "bundle", "export", "--db", str(c.path), "--out", str(out)]) == 1
    assert _one_line(capsys) == f"coverage-desk: Not enough disk space to save: {out}"
    assert list(stick.iterdir()) == []
    assert snapshot(net, C1) == before
