"""Subcommands of the province's plan: ``plan export`` and ``plan import`` (XLSX)."""

from __future__ import annotations

import argparse
from pathlib import Path

from desktop_app.commands.common import (
    CommandError,
    add_db_argument,
    db_path,
    out,
    print_problems,
    xlsx_out,
)
from desktop_app.i18n import _


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        year = 0
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(_("invalid year {year}").format(year=text))
    return year


def cmd_plan_export(args: argparse.Namespace) -> int:
    """Write the plan sheet of a year, filled with the targets already set."""
    from desktop_app.reports.plan_sheet import write_plan_sheet
    from desktop_app.store.store import Store

    path = xlsx_out(args.out)
    with Store.open(db_path(args)) as store:
        write_plan_sheet(store, args.year, path)
    out(_("Plan sheet for {year} written to {path}").format(year=args.year, path=path))
    return 0


def cmd_plan_import(args: argparse.Namespace) -> int:
    """Check a filled plan sheet and set its targets (all or nothing unless --partial)."""
    from desktop_app.reports.plan_sheet import import_plan_sheet
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        result = import_plan_sheet(store, Path(args.file), partial=args.partial)
    print_problems(result.problems)
    if not result.applied:
        raise CommandError(
            _(
                "{count} cells refused: no target was changed (use --partial to apply the rest)."
            ).format(count=len(result.problems))
        )
    out(
        _("Targets for {year}: {changed} changed of {read} read, {refused} refused.").format(
            year=result.year, changed=result.changed, read=result.read, refused=len(result.problems)
        )
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``plan`` to the parser."""
    p = sub.add_parser("plan", help=_("the province's annual targets (XLSX)"))
    plan = p.add_subparsers(dest="plan_command", metavar="ACTION")
    plan.required = True
    e = plan.add_parser("export", help=_("write the plan sheet of a year (.xlsx)"))
    add_db_argument(e)
    e.add_argument("--year", type=_year, required=True, help=_("plan year, e.g. 2021"))
    e.add_argument("--out", type=Path, required=True, help=_("file to write (.xlsx)"))
    e.set_defaults(func=cmd_plan_export)
    i = plan.add_parser("import", help=_("set targets from a filled plan sheet"))
    add_db_argument(i)
    i.add_argument("file", type=Path, help=_("the plan sheet (.xlsx)"))
    i.add_argument(
        "--partial",
        action="store_true",
        help=_("apply the good cells even when some are refused"),
    )
    i.set_defaults(func=cmd_plan_import)
