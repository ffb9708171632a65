"""``coverage-desk serve`` and ``coverage-desk sync`` (registered by server_commands)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from desktop_app.commands.server_commands import register
from tests.server.conftest import C1, Province, ServerThread, fill_period


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="coverage-desk")
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def test_serve_refuses_a_missing_database_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.server.__main__ import main

    assert main(["--db", str(tmp_path / "nowhere.db")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_serve_refuses_an_office_that_is_not_the_province(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.server.__main__ import main

    path = province[C1].path
    assert path is not None
    province[C1].close()
    assert main(["--db", str(path)]) == 1
    assert "not the province" in capsys.readouterr().err


def test_the_sync_command_syncs_an_office(
    province: Province, sqlite_server: ServerThread, capsys: pytest.CaptureFixture[str]
) -> None:
    fill_period(province[C1], 2)
    path = province[C1].path
    args = _parse(["sync", "--db", str(path), "--server", sqlite_server.url])
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert "1 batches sent (4 new changes taken, 0 refused)" in out
