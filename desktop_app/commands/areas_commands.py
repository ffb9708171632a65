"""Subcommands of the area classifications: ``areas export`` and ``areas import`` (XLSX)."""

from __future__ import annotations

import argparse
import sys
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


def cmd_areas_export(args: argparse.Namespace) -> int:
    """Write the classifications held as a workbook to edit and import."""
    from desktop_app.reports.area_sheet import write_area_sheet
    from desktop_app.store.store import Store

    path = xlsx_out(args.out)
    with Store.open(db_path(args)) as store:
        write_area_sheet(store, path)
    out(_("Area classifications written to {path}").format(path=path))
    return 0


def cmd_areas_import(args: argparse.Namespace) -> int:
    """Check an area workbook and publish it (all or nothing unless --partial)."""
    from desktop_app.reports.area_sheet import import_area_sheet
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        result = import_area_sheet(store, Path(args.file), partial=args.partial)
    print_problems(result.problems)
    if not result.applied:
        raise CommandError(
            _("{count} rows refused: nothing was published (use --partial to publish the rest).")
            .format(count=len(result.problems))
        )  # fmt: skip
    out(
        _("Area classifications: {decisions} decisions, {places} places, {changed} rows changed, "
          "{refused} refused.").format(
            decisions=result.decisions,
            places=result.places,
            changed=result.changed,
            refused=len(result.problems),
        )
    )  # fmt: skip
    return 0


def cmd_areas_import_boundaries(args: argparse.Namespace) -> int:
    """Publish the communes' boundaries of a GeoJSON file (all or nothing unless --partial)."""
    from desktop_app.reports.boundary_file import import_boundaries
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        result = import_boundaries(store, Path(args.file), partial=args.partial)
    for problem in result.problems:
        print(problem, file=sys.stderr)
    if not result.applied:
        raise CommandError(
            _("{count} features refused: no boundary was published (use --partial).").format(
                count=len(result.problems)
            )
        )
    out(
        _("Boundaries: {changed} published of {read} features, {refused} refused.").format(
            changed=result.changed, read=result.read, refused=len(result.problems)
        )
    )
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``areas`` to the parser."""
    p = sub.add_parser("areas", help=_("border, region III and other area classifications (XLSX)"))
    areas = p.add_subparsers(dest="areas_command", metavar="ACTION")
    areas.required = True
    e = areas.add_parser("export", help=_("write the classifications as a workbook (.xlsx)"))
    add_db_argument(e)
    e.add_argument("--out", type=Path, required=True, help=_("file to write (.xlsx)"))
    e.set_defaults(func=cmd_areas_export)
    i = areas.add_parser("import", help=_("publish the classifications of a filled workbook"))
    add_db_argument(i)
    i.add_argument("file", type=Path, help=_("the workbook (.xlsx)"))
    i.add_argument(
        "--partial", action="store_true", help=_("apply the good rows even when some are refused")
    )
    i.set_defaults(func=cmd_areas_import)
    b = areas.add_parser(
        "import-boundaries", help=_("publish the communes' boundaries from a GeoJSON file")
    )
    add_db_argument(b)
    b.add_argument("file", type=Path, help=_("a GeoJSON FeatureCollection of the communes"))
    b.add_argument(
        "--partial",
        action="store_true",
        help=_("publish the good features even when some are refused"),
    )
    b.set_defaults(func=cmd_areas_import_boundaries)
