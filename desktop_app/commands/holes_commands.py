"""Subcommands of the coverage-hole programme: ``holes export`` and ``holes import`` (XLSX)."""

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


def cmd_holes_export(args: argparse.Namespace) -> int:
    """Write the programme held as a workbook to edit and import."""
    from desktop_app.reports.hole_sheet import write_hole_sheet
    from desktop_app.store.store import Store

    path = xlsx_out(args.out)
    with Store.open(db_path(args)) as store:
        write_hole_sheet(store, path)
    out(_("Coverage-hole programme written to {path}").format(path=path))
    return 0


def cmd_holes_import(args: argparse.Namespace) -> int:
    """Check a programme workbook and write it (all or nothing unless --partial)."""
    from desktop_app.reports.hole_sheet import import_hole_sheet
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        result = import_hole_sheet(store, Path(args.file), partial=args.partial)
    print_problems(result.problems)
    if not result.applied:
        raise CommandError(
            _("{count} rows refused: nothing was published (use --partial to publish the rest).")
            .format(count=len(result.problems))
        )  # fmt: skip
    out(
        _("Coverage holes: {changed} changed of {read} rows, {refused} refused.").format(
            changed=result.changed, read=result.read, refused=len(result.problems)
        )
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``holes`` to the parser."""
    p = sub.add_parser("holes", help=_("the province's coverage-hole programme (XLSX)"))
    holes = p.add_subparsers(dest="holes_command", metavar="ACTION")
    holes.required = True
    e = holes.add_parser("export", help=_("write the programme as a workbook (.xlsx)"))
    add_db_argument(e)
    e.add_argument("--out", type=Path, required=True, help=_("file to write (.xlsx)"))
    e.set_defaults(func=cmd_holes_export)
    i = holes.add_parser("import", help=_("write the holes of a filled workbook"))
    add_db_argument(i)
    i.add_argument("file", type=Path, help=_("the workbook (.xlsx)"))
    i.add_argument(
        "--partial", action="store_true", help=_("apply the good rows even when some are refused")
    )
    i.set_defaults(func=cmd_holes_import)
