"""The command line, run as a real process: exit codes, one-line errors, both languages."""

from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

from desktop_app import cli, i18n
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


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_the_command_table_names_what_each_module_registers():
    for name in cli.COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        importlib.import_module(f"desktop_app.commands.{name}").register(parser.add_subparsers())
        assert tuple(_subcommands(parser)) == cli.COMMANDS[name], name
    assert set(cli.COMMANDS) == set(cli.COMMAND_MODULES)


def _helps(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, help text) of this parser and of every sub-command below it."""
    yield path, parser.format_help()
    for name, sub in _subcommands(parser).items():
        yield from _helps(sub, (*path, name))


def test_one_commands_parser_is_the_same_as_in_the_whole_parser():
    i18n.setup("vi")
    try:
        whole = _subcommands(cli.build_parser())
        assert len(whole) == sum(len(names) for names in cli.COMMANDS.values())
        for command, full in whole.items():
            alone = _subcommands(cli.build_parser(command))
            module = next(names for names in cli.COMMANDS.values() if command in names)
            assert tuple(alone) == module  # the commands of its own module only
            assert list(_helps(alone[command])) == list(_helps(full))
    finally:
        i18n.setup("en")


def test_command_in_reads_the_command_only_where_it_is_certain():
    assert cli.command_in([]) == "gui"
    assert cli.command_in(["--lang", "en"]) == "gui"
    assert cli.command_in(["--lang", "en", "status", "--db", "x"]) == "status"
    assert cli.command_in(["--lang=vi", "self-test"]) == "self-test"
    assert cli.command_in(["bundle", "export", "--help"]) == "bundle"
    # anything the parser alone can judge goes to the parser with every command
    for argv in (["--help"], ["-h", "gui"], ["--la", "en", "gui"], ["nosuch"], ["--", "gui"]):
        assert cli.command_in(argv) is None, argv


def test_a_command_imports_no_other_commands_module():
    probe = (
        "import sys; from desktop_app import cli; cli.build_parser(cli.command_in(sys.argv[1:]));"
        "print(*sorted(m for m in sys.modules if m.startswith('desktop_app.commands.')))"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", probe, "--lang", "vi", "gui", "--db", "x.db"],
        capture_output=True, text=True, env=env, timeout=60, check=True,
    )  # fmt: skip
    imported = done.stdout.split()
    assert imported == ["desktop_app.commands.common", "desktop_app.commands.gui_command"]


def test_every_help_and_error_is_the_same_with_one_command_built(capsys):
    # cli.main builds one command's parser when it can tell the command; its output
    # must be what the parser with every command prints
    def printed(argv: list[str], command: str | None) -> tuple[object, str, str]:
        parser = cli.build_parser(command)
        try:
            code: object = parser.parse_args(argv)
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return (code if isinstance(code, int) else 0), captured.out, captured.err

    for argv in (
        ["status", "--help"], ["status"], ["bundle"], ["bundle", "export", "--help"],
        ["gui", "--bogus"], ["--lang"], ["--lang", "xx", "gui"], ["report", "--db"],
    ):  # fmt: skip
        assert printed(argv, cli.command_in(argv)) == printed(argv, None), argv
