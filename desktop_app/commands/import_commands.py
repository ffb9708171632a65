"""Subcommands that bring data in: ``template`` and ``import values|sites``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop_app.commands.common import add_db_argument, db_path, out
from desktop_app.i18n import _


def cmd_template(args: argparse.Namespace) -> int:
    """Write the data-entry workbook of a commune's period."""
    from desktop_app.imports.template import write_template
    from desktop_app.reports import parse_period
    from desktop_app.store.store import Store

    period = parse_period(args.period)
    with Store.open(db_path(args)) as store:
        unit = args.unit or store.node.office_id
        info = write_template(store, unit, period, Path(args.out))
    out(
        _(
            "Template written to {path}: {villages} villages, {communes} commune(s), {cells} cells."
        ).format(path=info.path, villages=info.villages, communes=info.communes, cells=info.cells)
    )
    return 0


def cmd_import_values(args: argparse.Namespace) -> int:
    """Import a filled template: every check of typing, one transaction."""
    from desktop_app.imports.values_import import plan_values_import
    from desktop_app.reports import parse_period
    from desktop_app.store.store import Store

    expected = parse_period(args.period) if args.period else None
    with Store.open(db_path(args)) as store:
        plan = plan_values_import(store, Path(args.file), expected_period=expected)
        for note in plan.notes:
            out(note)
        for refusal in plan.refusals:
            print(refusal.line(), file=sys.stderr, flush=True)
        written = plan.apply(store, partial=args.partial)
    out(
        _("{changed} cell(s) imported, {unchanged} unchanged, {refused} refused.").format(
            changed=written, unchanged=plan.unchanged, refused=len(plan.refusals)
        )
    )
    return 0


def cmd_import_dhis2(args: argparse.Namespace) -> int:
    """Import a DHIS2 dataValueSet whose codes match the catalogue."""
    from desktop_app.imports.dhis2_import import plan_dhis2_import
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        plan = plan_dhis2_import(store, Path(args.file))
        refused = plan.all_refusals
        for refusal in refused:
            print(refusal.line(), file=sys.stderr, flush=True)
        written = plan.apply(store, partial=args.partial)
    out(
        _("{changed} cell(s) imported, {unchanged} unchanged, {refused} refused.").format(
            changed=written, unchanged=plan.unchanged, refused=len(refused)
        )
    )
    return 0


def cmd_import_sites(args: argparse.Namespace) -> int:
    """Import an operator's or the post's list of sites into the register."""
    from desktop_app.imports.sites_import import plan_sites_import
    from desktop_app.store.store import Store

    with Store.open(db_path(args)) as store:
        plan = plan_sites_import(
            store,
            Path(args.file),
            operator=args.operator,
            site_type=args.type,
            mapping=args.mapping,
        )
        for note in plan.notes:
            out(note)
        for row in plan.unreadable:
            print(row.line(), file=sys.stderr, flush=True)
        for site in plan.unmatched:
            out(_("In the register, not in the list: {name}").format(name=site.name))
        out(plan.summary())
        out(
            _("Matched {code} by site code and {distance} by position (under 100 m).").format(
                code=plan.by_code, distance=plan.by_distance
            )
        )
        if args.preview:
            out(_("Preview only: nothing was changed."))
            return 0
        written = plan.apply(store)
    out(_("{count} site(s) written to the register.").format(count=written))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``template`` and ``import`` to the parser."""
    p = sub.add_parser("template", help=_("write an Excel template to fill in a period's data"))
    add_db_argument(p)
    p.add_argument("--period", required=True, help=_("period, e.g. 2020Q4 or 2020"))
    p.add_argument("--unit", default=None, help=_("commune (default: this office)"))
    p.add_argument("--out", type=Path, required=True, help=_("file to write (.xlsx)"))
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("import", help=_("bring data in from a file"))
    kinds = p.add_subparsers(dest="import_kind", metavar="KIND")
    kinds.required = True
    v = kinds.add_parser("values", help=_("a filled Excel template"))
    add_db_argument(v)
    v.add_argument("file", type=Path, help=_("the filled template (.xlsx)"))
    v.add_argument("--period", default=None, help=_("refuse the file unless it is of this period"))
    v.add_argument(
        "--partial",
        action="store_true",
        help=_("apply the cells that pass even if others are refused"),
    )
    v.set_defaults(func=cmd_import_values)

    d = kinds.add_parser("dhis2", help=_("a DHIS2 dataValueSet (.json or .csv)"))
    add_db_argument(d)
    d.add_argument("file", type=Path, help=_("the dataValueSet (.json or .csv)"))
    d.add_argument(
        "--partial",
        action="store_true",
        help=_("apply the cells that pass even if others are refused"),
    )
    d.set_defaults(func=cmd_import_dhis2)

    s = kinds.add_parser("sites", help=_("an operator's or the post's list of sites"))
    add_db_argument(s)
    s.add_argument("file", type=Path, help=_("the list (.xlsx or .csv)"))
    s.add_argument("--operator", default=None, help=_("the operator of every row, e.g. viettel"))
    s.add_argument("--type", default=None, help=_("the site type of every row, e.g. post_office"))
    s.add_argument("--mapping", type=Path, default=None, help=_("JSON: field → column header"))
    s.add_argument(
        "--preview", action="store_true", help=_("show what would change, change nothing")
    )
    s.set_defaults(func=cmd_import_sites)
