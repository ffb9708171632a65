"""A report's database check at open: in full when damage is likely, not at every report.

Real SQLite files, real damage written over a table's page, the real command line.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.store import health


@pytest.fixture(autouse=True)
def with_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    if "report_commands" not in cli.COMMAND_MODULES:
        monkeypatch.setattr(cli, "COMMAND_MODULES", (*cli.COMMAND_MODULES, "report_commands"))


def _report(path: Path, out: Path) -> int:
    where = ["--db", str(path), "--unit", "pre2025:125", "--period", "2020Q4"]
    return cli.main(
        ["--lang", "en", "report", "district", *where, "--date", "2021-02-05", "--out", str(out)]
    )


def _record(path: Path) -> dict[str, object]:
    data = json.loads(health.record_path(path).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _damage_a_table(path: Path, *, keep_time: bool, table: str = "data_value") -> None:
    """Scribble over the root page of ``table``; the size (and optionally time) kept."""
    conn = sqlite3.connect(path)
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    st = path.stat()
    with path.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xa5" * 200)
    if keep_time:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert health.quick_check(path) != ["ok"]


@pytest.fixture
def office(demo_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "office.db"
    shutil.copy(demo_db, path)
    return path


def test_a_file_is_checked_in_full_once_then_again_only_after_it_changed(
    office: Path, tmp_path: Path
) -> None:
    assert health.full_check_due(office, now=0) == health.NEVER
    assert _report(office, tmp_path / "1.pdf") == 0
    first = _record(office)
    assert first["result"] == "ok" and first["closed"]
    assert health.full_check_due(office, now=float(str(first["checked_at"]))) is None
    assert _report(office, tmp_path / "2.pdf") == 0
    assert _record(office)["checked_at"] == first["checked_at"]  # not read through again
    assert (tmp_path / "1.pdf").read_bytes() == (tmp_path / "2.pdf").read_bytes()
    st = office.stat()
    os.utime(office, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # written by another program
    assert _report(office, tmp_path / "3.pdf") == 0
    assert _record(office)["checked_at"] != first["checked_at"]


def test_a_window_holding_the_file_means_a_full_check_and_its_marker_stays(
    office: Path, tmp_path: Path
) -> None:
    assert _report(office, tmp_path / "1.pdf") == 0
    before = _record(office)
    health.mark_open(office)  # the window has it open (or died with it open)
    assert _report(office, tmp_path / "2.pdf") == 0
    assert _record(office)["checked_at"] != before["checked_at"]
    assert health.marker_path(office).exists()


def test_damage_after_the_last_check_is_refused_before_the_report(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(office, tmp_path / "1.pdf") == 0
    _damage_a_table(office, keep_time=False)
    capsys.readouterr()
    assert _report(office, tmp_path / "2.pdf") == 1
    err = capsys.readouterr().err
    assert err.startswith("coverage-desk: Database ") and "is damaged" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "2.pdf").exists()


def test_damage_the_cheap_checks_cannot_see_is_one_line_and_remembered(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _report(office, tmp_path / "1.pdf") == 0
    _damage_a_table(office, keep_time=True)  # a bad sector: size and time as they were
    checked = _record(office)["checked_at"]
    assert health.full_check_due(office, now=float(str(checked))) is None
    capsys.readouterr()
    assert _report(office, tmp_path / "2.pdf") == 1  # SQLite fails while reading
    err = capsys.readouterr().err
    assert "is damaged" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "2.pdf").exists()
    assert _record(office)["result"] != "ok"
    assert health.full_check_due(office, now=float(str(checked))) == health.DAMAGED
    assert _report(office, tmp_path / "3.pdf") == 1  # refused at open from now on
    assert "is damaged" in capsys.readouterr().err


def test_damage_only_the_full_check_sees_is_refused_before_the_report_is_written(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check due after a change runs beside the report's build; the report reads
    nothing of the damaged table (the audit trail), so only that check finds it, and the
    report is not written."""
    assert _report(office, tmp_path / "1.pdf") == 0
    _damage_a_table(office, keep_time=False, table="audit")
    capsys.readouterr()
    assert _report(office, tmp_path / "2.pdf") == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "2.pdf").exists()
    assert _record(office)["result"] != "ok"
    assert _report(office, tmp_path / "3.pdf") == 1  # refused at open from now on
