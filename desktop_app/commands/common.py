"""What every subcommand module shares: the --db argument and plain output."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from desktop_app.i18n import _


class CommandError(Exception):
    """A failure already worded for the user (printed as one line, exit code 1)."""


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """``--db PATH`` (default: the per-user data folder)."""
    parser.add_argument(
        "--db", type=Path, default=None, help=_("database file (default: per-user data folder)")
    )


def db_path(args: argparse.Namespace) -> Path:
    """The database path given, or the per-user default."""
    from desktop_app.paths import default_db_path

    return Path(args.db) if args.db is not None else default_db_path()


def out(line: str) -> None:
    """Print one line of a command's result."""
    print(line, flush=True)


def xlsx_out(name: str | Path) -> Path:
    """The workbook an export writes, refused in one line unless it ends in ``.xlsx``."""
    path = Path(name)
    if path.suffix.lower() != ".xlsx":
        raise CommandError(
            _("Cannot write {path}: the file name must end in .xlsx.").format(path=path)
        )
    return path


class _Problem(Protocol):
    def line(self) -> str: ...


def print_problems(problems: Iterable[_Problem]) -> None:
    """One line on stderr for each refused row or cell of an imported workbook."""
    for problem in problems:
        print(problem.line(), file=sys.stderr)
