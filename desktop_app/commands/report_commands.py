"""Subcommands of the reports: ``report {commune,district,province}`` and ``export dhis2``.

The report's language follows the global ``--lang`` option (Vietnamese by default);
the format follows the output file's extension.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.commands.common import CommandError, add_db_argument, db_path, out
from desktop_app.i18n import _

if TYPE_CHECKING:
    from desktop_app.domain.periods import Period
    from desktop_app.reports.texts import Lang
    from desktop_app.store.store import Store

KINDS = ("commune", "district", "province", "plan", "holes", "form")


def _report_date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("Invalid date {date}: write it as YYYY-MM-DD, e.g. 2021-02-05.").format(date=text)
        ) from None


def _lang() -> Lang:
    from desktop_app.i18n import current_language

    return "en" if current_language() == "en" else "vi"


class _Check:
    """The full quick_check of a report's database on a thread of its own, while the
    report is built (SQLite releases the interpreter while it reads, and the office PCs
    have two cores): the report is written only once it has passed (:func:`_verified`).
    ``bench.bench_reports --whole``, "report district, check due", adjacent runs at load
    1.4: 893 ms beside the build against 1350 ms with the check first (the district report
    itself 653-746 ms; the check alone about 0.35-0.6 s on the 395 MB bench database)."""

    def __init__(self, path: Path) -> None:
        import threading

        from desktop_app.store import health

        self.path = path
        self.result: list[str] = []
        self.thread = threading.Thread(
            target=lambda: self.result.extend(health.quick_check(path)),
            name="report-quick-check",
            daemon=True,
        )
        self.thread.start()

    def problems(self) -> list[str]:
        self.thread.join()
        return self.result or ["the check did not finish"]


_PENDING: dict[int, _Check] = {}


def _verified(store: Store) -> None:
    """Wait for the database's full check if one runs beside the report; damage found is
    recorded (the next open refuses the file) and raised before anything is written."""
    from desktop_app.store import health
    from desktop_app.store.errors import DamagedDatabaseError

    check = _PENDING.pop(id(store), None)
    if check is None:
        return
    found = check.problems()
    health.record_check(check.path, now=time.time(), result=found)
    if found != ["ok"]:
        raise DamagedDatabaseError(path=str(check.path), detail=health.problems_line(found))


@contextmanager
def _open(args: argparse.Namespace, *, check_beside: bool = False) -> Iterator[Store]:
    """The database of a read-only command (reports, exports): the full quick_check at
    open only when damage is likely (the window's rule, :mod:`desktop_app.store.health`),
    and the clean close remembered, so the next report need not read the file through.

    With ``check_beside`` (a command that builds its output before it writes it, and
    calls :func:`_verified` in between), a due check runs on its own thread beside the
    build, after the cheap checks at open; a file whose last check found damage is still
    checked in full before anything is read.

    Damage the cheap checks cannot see (a bad sector, size and time unchanged) makes
    SQLite fail while the report reads: the file is then checked in full, the damage
    recorded (the next open refuses the file) and told in one line."""
    import sqlite3

    import peewee

    from desktop_app.store import health
    from desktop_app.store.db import open_database
    from desktop_app.store.errors import DamagedDatabaseError
    from desktop_app.store.store import Store

    path = db_path(args)
    due = health.full_check_due(path, now=time.time()) if path.exists() else None
    beside = check_beside and due is not None and due != health.DAMAGED
    store = Store(open_database(path, full_check=due is not None and not beside), path)
    if beside:
        _PENDING[id(store)] = _Check(path)
    try:
        if due is not None and not beside:
            health.record_check(path, now=time.time(), result=["ok"])  # passed, or raised
        yield store
        _verified(store)  # a check still running is waited for, even if nothing was written
    except (sqlite3.DatabaseError, peewee.DatabaseError):  # peewee wraps sqlite3's
        store.close()
        pending = _PENDING.pop(id(store), None)
        found = pending.problems() if pending is not None else health.quick_check(path)
        if found == ["ok"]:
            raise  # not damage (a locked file, say): told as it is
        health.record_check(path, now=time.time(), result=found)
        raise DamagedDatabaseError(path=str(path), detail=health.problems_line(found)) from None
    finally:
        leftover = _PENDING.pop(id(store), None)  # another error: the thread is let finish
        if leftover is not None:
            leftover.thread.join()
        store.close()
        health.read_closed(path)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the commune, district or province report."""
    from desktop_app.reports import FORMATS, build_report, parse_period, write_model
    from desktop_app.reports.errors import UnknownFormatError

    out_path = Path(args.out)
    if args.annex_by_area and args.kind not in ("district", "province"):
        raise CommandError(
            _("--annex-by-area is for district and province reports: their annex lists communes.")
        )
    if args.kind in ("plan", "holes"):
        return _plan_report(args, out_path)
    if out_path.suffix.lower() not in FORMATS:
        raise UnknownFormatError(path=str(out_path), formats=", ".join(FORMATS))
    if args.period is None:
        raise CommandError(_("Give the report's period with --period, e.g. 2020Q4 or 2020."))
    period = parse_period(args.period)
    day = _report_date(args.date)
    if args.kind == "form":
        return _form(args, period)
    with _open(args, check_beside=True) as store:
        model = build_report(
            store,
            args.kind,
            args.unit,
            period,
            lang=_lang(),
            report_date=day,
            include_drafts=args.include_drafts,
            annex_by_area=args.annex_by_area,
        )
        _verified(store)  # the database's full check (if one was due) passed
        written = write_model(model, out_path, csv_sep=args.csv_sep)
        unit = model.aggregate.unit
        unmapped = ""
        if unit.structure == "2025" and unit.level == 1:
            from desktop_app.store.reform import unmapped_line

            unmapped = unmapped_line(store)
    if unmapped:
        print("coverage-desk: " + _("warning: {what}").format(what=unmapped), file=sys.stderr)
    if not model.aggregate.current.has_data:
        # still exit 0: a script may print an empty form on purpose
        print(
            "coverage-desk: "
            + _("warning: there is no data for {period} in {unit}; the report is empty").format(
                period=period.label(_lang()), unit=model.aggregate.unit.name
            ),
            file=sys.stderr,
        )
    out(_("Report written to {path}").format(path=written))
    return 0


def _plan_report(args: argparse.Namespace, out_path: Path) -> int:
    """``report plan`` (targets against the approved figures) and ``report holes`` (the
    coverage-hole programme's year): both by year, as PDF."""
    from desktop_app.reports.holes import write_holes_report
    from desktop_app.reports.plan import write_plan_report

    if args.year is None:
        raise CommandError(_("Give the plan's year with --year, e.g. 2020."))
    day = _report_date(args.date)
    with _open(args) as store:
        write = write_plan_report if args.kind == "plan" else write_holes_report
        written = write(store, args.unit, args.year, out_path, lang=_lang(), report_date=day)
    out(_("Report written to {path}").format(path=written))
    return 0


def _form(args: argparse.Namespace, period: Period) -> int:
    from desktop_app.reports.errors import UnknownFormatError, WrongUnitLevelError
    from desktop_app.reports.form import write_form

    out_path = Path(args.out)
    if out_path.suffix.lower() != ".pdf":
        raise UnknownFormatError(path=str(out_path), formats=".pdf")
    with _open(args) as store:
        unit = store.reference.unit(args.unit)
        if unit.level != 3:
            raise WrongUnitLevelError(unit=unit.name, kind=_("commune"))
        pages = write_form(store, args.unit, period, out_path, _lang())
    out(_("Blank form ({pages} pages) written to {path}").format(pages=pages, path=out_path))
    return 0


def cmd_export_dhis2(args: argparse.Namespace) -> int:
    """Write a unit's values for a period as a DHIS2 dataValueSet (JSON or CSV)."""
    from desktop_app.reports import parse_period
    from desktop_app.reports.dhis2 import FORMATS, write_dhis2
    from desktop_app.reports.errors import UnknownFormatError

    out_path = Path(args.out)
    if out_path.suffix.lower() not in FORMATS:
        raise UnknownFormatError(path=str(out_path), formats=", ".join(FORMATS))
    period = parse_period(args.period)
    with _open(args) as store:
        count = write_dhis2(store, args.unit, period, out_path, include_drafts=args.include_drafts)
    out(_("{count} data values written to {path}").format(count=count, path=out_path))
    return 0


def cmd_export_dhis2_metadata(args: argparse.Namespace) -> int:
    """Write the DHIS2 metadata package matching ``export dhis2``."""
    from desktop_app.reports import parse_period
    from desktop_app.reports.dhis2 import write_metadata

    out_path = Path(args.out)
    period = None if args.period is None else parse_period(args.period)
    with _open(args) as store:
        count = write_metadata(
            store, args.unit, out_path, period, include_drafts=args.include_drafts
        )
    out(_("{count} DHIS2 metadata objects written to {path}").format(count=count, path=out_path))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report`` and ``export`` to the parser."""
    p = sub.add_parser("report", help=_("write an official report (PDF, XLSX or CSV)"))
    p.add_argument(
        "kind",
        choices=KINDS,
        help=_(
            "commune, district, province, plan (plan follow-up), holes (coverage holes) or "
            "form (a blank collection form of a commune)"
        ),
    )
    add_db_argument(p)
    p.add_argument("--unit", required=True, help=_("unit id, e.g. pre2025:125"))
    p.add_argument("--period", default=None, help=_("period, e.g. 2020Q4 or 2020"))
    p.add_argument(
        "--year", type=int, default=None, help=_("year of report plan or holes, e.g. 2020")
    )
    p.add_argument("--out", type=Path, required=True, help=_("file to write: .pdf, .xlsx or .csv"))
    p.add_argument("--date", default=None, help=_("date printed on the report (YYYY-MM-DD)"))
    p.add_argument(
        "--include-drafts",
        action="store_true",
        help=_("also count data not yet submitted or approved (every page is marked)"),
    )
    p.add_argument(
        "--csv-sep",
        choices=(",", ";"),
        default=",",
        help=_("CSV field separator; ';' writes decimal commas (Vietnamese Excel)"),
    )
    p.add_argument(
        "--annex-by-area",
        action="store_true",
        help=_("district and province reports: the annex lists the communes grouped by area"),
    )
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("export", help=_("export data for other systems"))
    export = p.add_subparsers(dest="export_kind", metavar="FORMAT")
    export.required = True
    d = export.add_parser("dhis2", help=_("a DHIS2 dataValueSet (.json or .csv)"))
    add_db_argument(d)
    d.add_argument("--unit", required=True, help=_("unit id, e.g. pre2025:125"))
    d.add_argument("--period", required=True, help=_("period, e.g. 2020Q4 or 2020"))
    d.add_argument("--out", type=Path, required=True, help=_("file to write: .json or .csv"))
    d.add_argument(
        "--include-drafts",
        action="store_true",
        help=_("also export data not yet approved"),
    )
    d.set_defaults(func=cmd_export_dhis2)
    m = export.add_parser(
        "dhis2-metadata",
        help=_("the DHIS2 metadata package (data elements, categories, units, data sets)"),
    )
    add_db_argument(m)
    m.add_argument("--unit", required=True, help=_("unit id, e.g. pre2025:125"))
    m.add_argument("--out", type=Path, required=True, help=_("file to write (.json)"))
    m.add_argument(
        "--period",
        default=None,
        help=_(
            "the period exported: its catalogue is described (a locked period keeps the"
            " one it was locked under); without it, the catalogue in force"
        ),
    )
    m.add_argument(
        "--include-drafts",
        action="store_true",
        help=_("as export dhis2 --include-drafts (it may change which catalogue applies)"),
    )
    m.set_defaults(func=cmd_export_dhis2_metadata)
