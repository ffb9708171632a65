"""Subcommands of the store: init, demo, check, backup, restore."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from desktop_app.commands.common import add_db_argument, db_path, out
from desktop_app.i18n import _


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.store.office import create_office

    path = db_path(args)
    with create_office(path, args.office) as store:
        office = store.reference.unit(args.office)
        if args.admin:
            password = os.environ.get("COVERAGE_DESK_ADMIN_PASSWORD")
            if password is None:
                import getpass

                password = getpass.getpass(_("Password for {user}:").format(user=args.admin) + " ")
            store.users.add(args.admin, args.admin_name or args.admin, "admin", password)
    out(_("Created the office database {path} for {office}.").format(path=path, office=office.name))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop_app.demo import build_demo
    from desktop_app.demo.enrolment import province_path_for

    path = db_path(args)
    if args.structure == "2025":
        return _demo_2025(args, path)
    province = None if args.no_province else province_path_for(path)
    summary = build_demo(path, args.office, args.seed, province_path=province)
    out(
        _(
            "Demo office {office} written to {path}: {communes} communes, {villages} villages, "
            "{values} values, {sites} sites."
        ).format(
            office=_unit_name(path, summary.office_id),
            path=path,
            communes=summary.communes,
            villages=summary.villages,
            values=summary.values,
            sites=summary.sites,
        )
    )
    if province is not None and province.exists():
        out(
            _(
                "The demo office is enrolled under a demo province written to {path}; "
                "open it with: coverage-desk gui --db {path}"
            ).format(path=province)
        )
    return 0


def _demo_2025(args: argparse.Namespace, path: Path) -> int:
    from desktop_app.demo.enrolment import province_path_for
    from desktop_app.demo.structure2025 import build_demo_2025

    province = province_path_for(path)
    summary = build_demo_2025(path, args.seed, province_path=province)
    out(
        _(
            "Demo office {office} (2025 structure) written to {path}: {villages} villages, "
            "history of its old communes remapped, {values} values from 2025Q3 on."
        ).format(
            office=_unit_name(path, summary.office_id),
            path=path,
            villages=summary.villages,
            values=summary.values,
        )
    )
    out(
        _(
            "Its demo province is {path}; it approves the communes directly: "
            "coverage-desk gui --db {path}"
        ).format(path=province)
    )
    return 0


def _unit_name(path: Path, unit_id: str) -> str:
    from desktop_app.store.store import Store

    with Store.open(path) as store:
        return store.reference.unit(unit_id).name


def cmd_check(args: argparse.Namespace) -> int:
    from desktop_app.store.check import run_check

    report = run_check(db_path(args))
    for line in report.lines():
        out(line)
    return 0 if report.ok else 1


def cmd_backup(args: argparse.Namespace) -> int:
    from desktop_app.store.backup import backup_to
    from desktop_app.store.db import inspect_file

    path = db_path(args)
    inspect_file(path)
    written = backup_to(path, args.out)
    out(_("Backup written to {path}").format(path=written))
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from desktop_app.store.backup import restore

    path = db_path(args)
    epoch = restore(path, args.file)
    out(
        _("Restored {path} from {backup}. This installation now has a new epoch ({epoch}).").format(
            path=path, backup=args.file, epoch=epoch
        )
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the store's subcommands to the parser."""
    p = sub.add_parser("init", help=_("create an office database"))
    add_db_argument(p)
    p.add_argument("--office", required=True, help=_("unit id of the office, e.g. pre2025:125"))
    p.add_argument("--admin", help=_("also create this administrator account"))
    p.add_argument("--admin-name", help=_("full name of the administrator"))
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help=_("build a realistic demo office database"))
    add_db_argument(p)
    p.add_argument("--office", default="pre2025:125", help=_("unit id (default pre2025:125)"))
    p.add_argument("--seed", type=int, default=1, help=_("random seed (default 1)"))
    p.add_argument(
        "--no-province",
        action="store_true",
        help=_("do not write the demo province database beside it (NAME-province.db)"),
    )
    p.add_argument(
        "--structure",
        choices=("pre2025", "2025"),
        default="pre2025",
        help=_(
            "pre2025 (default): the district office of before the reform; 2025: a commune "
            "office of the new structure with its remapped history, under a demo province"
        ),
    )
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("check", help=_("check a database and the data against the rules"))
    add_db_argument(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("backup", help=_("write a backup of the database"))
    add_db_argument(p)
    p.add_argument("--out", type=Path, required=True, help=_("backup file to write"))
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help=_("replace the database with a backup"))
    add_db_argument(p)
    p.add_argument("file", type=Path, help=_("backup file to restore"))
    p.set_defaults(func=cmd_restore)
