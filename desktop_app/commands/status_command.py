"""``coverage-desk status``: each period's review state and sync state, one line each,
then what the office holds apart (quarantined changes, per sender office and reason).

Support staff ask for it over the phone; it reads the same states as the window
(:func:`desktop_app.sync.status.period_statuses`,
:func:`desktop_app.sync.status.quarantine_lines`) and never writes.
"""

from __future__ import annotations

import argparse

from desktop_app.commands.common import CommandError, add_db_argument, db_path, out
from desktop_app.i18n import _


def status_lines(store: object, period: str | None = None) -> list[str]:
    """ "Xã Chiềng Sung — Quý 4/2020: đã gửi duyệt; tỉnh đã xác nhận", newest first."""
    from desktop_app.store.store import Store
    from desktop_app.sync.status import period_label, period_statuses, submission_label

    assert isinstance(store, Store)
    names = {u.id: u.name for u in store.reference.communes_under(store.node.office_id)}
    lines = []
    for status in period_statuses(store, period=period, communes=set(names)):
        sync = status.sync.label()
        if status.returned:
            sync = status.label() + "; " + sync
        lines.append(
            _("{commune} — {period}: {review}; {sync}").format(
                commune=names[status.commune_id],
                period=period_label(status.period),
                review=submission_label(status.submission, status.commune_id),
                sync=sync,
            )
        )
    return lines


def cmd_status(args: argparse.Namespace) -> int:
    from desktop_app.domain.periods import Period, PeriodError
    from desktop_app.store.store import Store
    from desktop_app.sync.status import quarantine_lines

    period = None
    if args.period:
        try:
            period = Period.parse(args.period.strip().upper()).code
        except PeriodError as exc:
            raise CommandError(
                _("{period} is not a period: write a year (2020) or a quarter (2020Q4).").format(
                    period=args.period
                )
            ) from exc
    with Store.open(db_path(args)) as store:
        lines = status_lines(store, period)
        held = quarantine_lines(store)
    if not lines:
        out(_("Nothing has been entered yet, so there is nothing to send."))
    for line in lines + held:
        out(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``status``."""
    p = sub.add_parser(
        "status", help=_("print each period's review state and sync state, one line each")
    )
    add_db_argument(p)
    p.add_argument("--period", help=_("only this period, e.g. 2020Q4"))
    p.set_defaults(func=cmd_status)
