"""The command line, run as a real process: exit codes, one-line errors, both languages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop_app.store.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]


def run(*args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--lang", lang, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_init_check_backup_restore(tmp_path: Path):
    db = tmp_path / "xa.db"
    result = run("init", "--db", str(db), "--office", "pre2025:04108")
    assert result.returncode == 0, result.stderr
    assert "Xã Chiềng Sung" in result.stdout

    again = run("init", "--db", str(db), "--office", "pre2025:04108")
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "already exists" in again.stderr

    check = run("check", "--db", str(db))
    assert check.returncode == 0, check.stderr
    assert "Integrity check: ok" in check.stdout
    assert f"Schema version: {SCHEMA_VERSION}" in check.stdout
    assert "Villages: 0" in check.stdout and "No rule is broken." in check.stdout

    backup = tmp_path / "usb" / "xa-backup.db"
    made = run("backup", "--db", str(db), "--out", str(backup))
    assert made.returncode == 0 and backup.exists()
    restored = run("restore", "--db", str(db), str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "new epoch" in restored.stdout


def test_errors_are_one_clear_line_in_vietnamese(tmp_path: Path):
    missing = run("check", "--db", str(tmp_path / "none.db"), lang="vi")
    assert missing.returncode == 1
    line = missing.stderr.strip()
    assert "\n" not in line and "none.db" in line and "Không tìm thấy" in line

    unknown = run("init", "--db", str(tmp_path / "a.db"), "--office", "pre2025:99999", lang="vi")
    assert unknown.returncode == 1 and "pre2025:99999" in unknown.stderr
    assert not (tmp_path / "a.db").exists()

    village = run("init", "--db", str(tmp_path / "b.db"), "--office", "2025:03646x")
    assert village.returncode == 1 and "\n" not in village.stderr.strip()

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"PK\x03\x04 not a database" * 200)
    bad = run("restore", "--db", str(tmp_path / "c.db"), str(garbage), lang="vi")
    assert bad.returncode == 1 and "sao lưu" in bad.stderr


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("gui", "init", "demo", "check", "backup", "restore"):
        assert command in result.stdout
