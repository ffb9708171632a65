"""A revocation list installed here takes back what its positions refuse.

Every receiver quarantines a revoked installation's changes after the province's
position (:func:`desktop_app.sync.certificates.stands_to`). Those this office applied
BEFORE the list reached it (a commune's stick carried straight to its district, or a
feed page pulled before the province office posted its list to a PostgreSQL server)
are taken back when the list is installed, in the same transaction
(:func:`desktop_app.store.apply.takeback.take_back`), so this office ends with the rows
and the quarantine the province has. :func:`taken_back_lines` says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from desktop_app.i18n import ngettext
from desktop_app.store.apply import Retraction, take_back
from desktop_app.store.store import Store
from desktop_app.sync.certificates import Revoked, day_text, revoked_serials
from desktop_app.sync.errors import RevokedCertificateError
from desktop_app.sync.vectors import my_level


@dataclass(frozen=True)
class TakenBack:
    """Changes of one revoked office taken back at this office, and why."""

    office_id: str
    serial: int
    changes: int
    revoked_at: str
    reason: str
    label: str = ""  # "Xã Chiềng Sung (04108)", as the office's reference names it
    #: changes of other installations that name a village taken back with these: back in
    #: the backlog, waiting for it as at the province (``TakeBackReport.held_for``)
    held: int = 0
    #: approved periods whose figures this take-back changed: (commune's label, period
    #: code), each with a ``take-back-locked`` audit row (``TakeBackReport.locked_for``)
    locked: tuple[tuple[str, str], ...] = ()


def take_back_past_positions(store: Store, revoked: Revoked | None = None) -> list[TakenBack]:
    """Take back the changes of every revoked installation this office applied past the
    province's position (``revoked``: the list just installed; by default what this
    office holds). Only revocations signed with a position count: a list signed before
    positions existed keeps what was applied before it arrived. The caller holds the
    transaction in which it installed the list; nothing is written when nothing is past."""
    revoked = revoked if revoked is not None else revoked_serials(store)
    if not revoked.held:
        return []
    retractions: list[Retraction] = []
    serials: dict[str, tuple[int, str]] = {}
    for node, serial, office in store.db.execute_sql(
        "SELECT node_id, serial, office_id FROM sync_node"
    ).fetchall():
        if int(serial) not in revoked.held or str(node) == store.node.node_id:
            continue
        at, why = revoked.notes.get(int(serial), ("", ""))
        reason = RevokedCertificateError(
            office=str(office), serial=int(serial), date=day_text(at), why=why
        ).user_message()
        retractions.append(Retraction(str(node), str(office), revoked.held[int(serial)], reason))
        serials[str(node)] = (int(serial), str(office))
    if not retractions:
        return []
    report = take_back(store, retractions, my_level=my_level(store))
    from desktop_app.sync.status import office_label

    out = []
    for node, n in sorted(report.by_origin.items()):
        serial, office = serials[node]
        at, why = revoked.notes.get(serial, ("", ""))
        label = office_label(store, office)
        held = report.held_for.get(node, 0)
        locked = tuple((office_label(store, c), p) for c, p in report.locked_for.get(node, []))
        out.append(TakenBack(office, serial, n, at, why, label, held, locked))
    return out


def taken_back_lines(taken: list[TakenBack]) -> list[str]:
    """One sentence per revoked office whose changes were taken back here (one sync's
    pages each count theirs: added up per certificate)."""
    counted: dict[int, TakenBack] = {}
    for t in taken:
        was = counted.get(t.serial)
        counted[t.serial] = (
            t
            if was is None
            else replace(
                t,
                changes=was.changes + t.changes,
                held=was.held + t.held,
                locked=(*was.locked, *(p for p in t.locked if p not in was.locked)),
            )
        )
    lines = []
    for t in counted.values():
        because = f" ({t.reason})" if t.reason else ""  # the province's own words
        lines.append(
            ngettext(
                "{n} change from {office} was taken back: its certificate was revoked "
                "on {date}{because} and the province had not received it before that.",
                "{n} changes from {office} were taken back: its certificate was revoked "
                "on {date}{because} and the province had not received them before that.",
                t.changes,
            ).format(
                n=t.changes,
                office=t.label or t.office_id,
                date=day_text(t.revoked_at),
                because=because,
            )
            + _held_sentence(t.held)
            + _locked_sentence(t.locked)
        )
    return lines


def _locked_sentence(locked: tuple[tuple[str, str], ...]) -> str:
    """ " The figures of 1 approved period changed with it: …" ("" when none did)."""
    if not locked:
        return ""
    from desktop_app.sync.status import period_label

    periods = "; ".join(f"{commune}, {period_label(period)}" for commune, period in locked)
    return " " + ngettext(
        "The figures of {n} approved period changed with it: {periods}.",
        "The figures of {n} approved periods changed with it: {periods}.",
        len(locked),
    ).format(n=len(locked), periods=periods)


def _held_sentence(held: int) -> str:
    """ " 2 changes of other installations …": said after the taken-back sentence when
    changes of others went back to the backlog with it ("" when none did)."""
    if not held:
        return ""
    return " " + ngettext(
        "{n} change of another installation names a village taken back: it is back in the "
        "waiting list, and waits for that village as at the province.",
        "{n} changes of other installations name a village taken back: they are back in the "
        "waiting list, and wait for that village as at the province.",
        held,
    ).format(n=held)
