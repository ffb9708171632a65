"""The command line (``coverage-desk``, also ``python -m desktop_app``).

Subcommands import what they need when they run, so ``--help`` is instant and
no command but ``gui`` ever loads Qt. Every command exits 0 on success and
non-zero with one clear line on stderr on failure.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop_app.i18n import _


class CommandError(Exception):
    """A failure already worded for the user."""


def _db_arg(parser: argparse.ArgumentParser) -> None:
    from desktop_app.paths import default_db_path

    parser.add_argument(
        "--db", type=Path, default=None, help=f"database file (default: {default_db_path()})"
    )


def _db_path(args: argparse.Namespace) -> Path:
    from desktop_app.paths import default_db_path

    return Path(args.db) if args.db is not None else default_db_path()


def _out(line: str) -> None:
    print(line, flush=True)


# --- commands ---


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.store.office import create_office

    path = _db_path(args)
    with create_office(path, args.office) as store:
        office = store.reference.unit(args.office)
        if args.admin:
            password = os.environ.get("COVERAGE_DESK_ADMIN_PASSWORD")
            if password is None:
                import getpass

                password = getpass.getpass(_("Password for {user}:").format(user=args.admin) + " ")
            store.users.add(args.admin, args.admin_name or args.admin, "admin", password)
    _out(
        _("Created the office database {path} for {office}.").format(path=path, office=office.name)
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop_app.demo import build_demo

    path = _db_path(args)
    summary = build_demo(path, args.office, args.seed)
    _out(
        _(
            "Demo office {office} written to {path}: {communes} communes, {villages} villages, "
            "{values} values, {sites} sites."
        ).format(
            office=summary.office_name,
            path=path,
            communes=summary.communes,
            villages=summary.villages,
            values=summary.values,
            sites=summary.sites,
        )
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from desktop_app.store.check import run_check

    report = run_check(_db_path(args))
    for line in report.lines():
        _out(line)
    return 0 if report.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop_app.store.backup import backup_to
    from desktop_app.store.db import inspect_file

    path = _db_path(args)
    inspect_file(path)
    out = backup_to(path, args.out)
    _out(_("Backup written to {path}").format(path=out))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop_app.store.backup import restore

    path = _db_path(args)
    epoch = restore(path, args.file)
    _out(
        _("Restored {path} from {backup}. This installation now has a new epoch ({epoch}).").format(
            path=path, backup=args.file, epoch=epoch
        )
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="coverage-desk",
        description=_("Coverage Desk: telephone, Internet, postal and radio coverage survey."),
    )
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=None, help=_("language of messages (default: vi)")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("init", help=_("create an office database"))
    _db_arg(p)
    p.add_argument("--office", required=True, help=_("unit id of the office, e.g. pre2025:125"))
    p.add_argument("--admin", help=_("also create this administrator account"))
    p.add_argument("--admin-name", help=_("full name of the administrator"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help=_("build a realistic demo office database"))
    _db_arg(p)
    p.add_argument("--office", default="pre2025:125", help=_("unit id (default pre2025:125)"))
    p.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help=_("check a database and the data against the rules"))
    _db_arg(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("backup", help=_("write a backup of the database"))
    _db_arg(p)
    p.add_argument("--out", type=Path, required=True, help=_("backup file to write"))
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=_("replace the database with a backup"))
    _db_arg(p)
    p.add_argument("file", type=Path, help=_("backup file to restore"))
    p.set_defaults(func=cmd_restore)
    return parser


def _language(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("COVERAGE_DESK_LANG", "vi")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from desktop_app.i18n import setup

    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _language(argv)
    setup(lang if lang in ("vi", "en") else "vi")
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from desktop_app.store.errors import StoreError

    try:
        return func(args)
    except StoreError as exc:
        print(f"coverage-desk: {exc.user_message()}", file=sys.stderr)
        return 1
    except CommandError as exc:
        print(f"coverage-desk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
