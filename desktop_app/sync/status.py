"""What a clerk sees about sync: each period's state, the warnings, the review queue."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from desktop_app.domain.periods import Period, PeriodError
from desktop_app.domain.units import STRUCTURE_2025
from desktop_app.i18n import _, current_language, ngettext
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.sync.vectors import Vector, my_level, province_vector, vector_from_json

NOT_SENT = "not_sent"
EXPORTED = "exported"
RECEIVED = "received"
ACKNOWLEDGED = "acknowledged"
REJECTED = "rejected"
NOTHING = "nothing"


@dataclass(frozen=True)
class PeriodSyncState:
    """One (commune, period): its state and, when rejected, the reason."""

    state: str
    reason: str = ""

    def label(self) -> str:
        """The state in words (current language)."""
        return {
            NOTHING: _("nothing entered"),
            NOT_SENT: _("not sent"),
            EXPORTED: _("exported"),
            RECEIVED: _("received by the district"),
            ACKNOWLEDGED: _("acknowledged by the province"),
            REJECTED: _("rejected: {reason}").format(reason=self.reason),
        }[self.state]


def _covers(vector: Vector, needed: dict[tuple[str, int], int]) -> bool:
    return all(vector.get(k, 0) >= s for k, s in needed.items())


Needed = dict[tuple[str, int], int]


@dataclass(frozen=True)
class PeriodStatus:
    """One (commune, period) in the users' units: its review state and its way up.

    ``label()`` is the one line the window, the entry page and ``coverage-desk status``
    show: "returned: reason" when the district sent it back, else the sync state.
    """

    commune_id: str
    period: str
    submission: str  # draft, submitted, approved, returned, accepted
    return_reason: str
    sync: PeriodSyncState

    @property
    def returned(self) -> bool:
        """The office above sent the period back."""
        return self.submission == "returned"

    @property
    def waiting(self) -> bool:
        """Entered here but not yet acknowledged by the province."""
        return self.sync.state not in (NOTHING, ACKNOWLEDGED)

    def label(self) -> str:
        """ "returned: reason", or the sync state in words."""
        if self.returned:
            return _("returned: {reason}").format(reason=self.return_reason)
        return self.sync.label()


def period_label(code: str) -> str:
    """ "Quý 2/2019" or "Q2 2019"; the code itself when it is not a period."""
    try:
        return Period.parse(code).label(current_language())
    except PeriodError:
        return code


def reviewed_by_province(commune_id: str) -> bool:
    """A 2025 commune has no district: its province receives, reviews and approves it."""
    return commune_id.partition(":")[0] == STRUCTURE_2025


def submission_label(state: str, commune_id: str = "") -> str:
    """A submission state in words (current language); ``commune_id`` names the reviewer."""
    direct = reviewed_by_province(commune_id)
    return {
        "draft": _("draft"),
        "submitted": _("submitted for review"),
        "approved": _("approved by the province") if direct else _("approved by the district"),
        "returned": _("returned"),
        "accepted": _("accepted by the province"),
    }.get(state, state)


class _Context:
    """What every period's state is judged against, read once."""

    def __init__(self, store: Store) -> None:
        db = store.db
        self.level = my_level(store)
        self.province = province_vector(store) if self.level != 1 else {}
        self.districts = [
            vector_from_json(json.loads(text))
            for (text,) in db.execute_sql("SELECT vector FROM sync_peer WHERE level = 2")
        ]
        self.me = store.node.node_id
        self.offices = {
            str(n): str(o) for n, o in db.execute_sql("SELECT node_id, office_id FROM sync_node")
        }
        self.offices[self.me] = store.node.office_id
        exported: Vector = {}
        for (summary,) in db.execute_sql("SELECT summary FROM sync_bundle WHERE direction = 'out'"):
            for key, seq in json.loads(summary).get("own", {}).items():
                origin, epoch = key.rsplit("/", 1)
                k = (origin, int(epoch))
                exported[k] = max(exported.get(k, 0), int(seq))
        self.exported = exported

    def state(self, commune_id: str, changes: Needed, rejected: str | None) -> PeriodSyncState:
        # Only what the commune's own office wrote travels up as "its" report: a district's
        # review decision or the province's acceptance is not something the commune sends.
        own_office = {k: s for k, s in changes.items() if self.offices.get(k[0]) == commune_id}
        needed = own_office or changes
        if not needed:
            return PeriodSyncState(NOTHING)
        if rejected is not None:
            return PeriodSyncState(REJECTED, rejected)
        if self.level == 1 or _covers(self.province, needed):
            return PeriodSyncState(ACKNOWLEDGED)
        if self.level == 2 or any(_covers(v, needed) for v in self.districts):
            return PeriodSyncState(RECEIVED)
        mine = {k: s for k, s in needed.items() if k[0] == self.me}
        if mine and _covers(self.exported, mine):
            return PeriodSyncState(EXPORTED)
        return PeriodSyncState(NOT_SENT)


def period_statuses(
    store: Store, *, period: str | None = None, communes: set[str] | None = None
) -> list[PeriodStatus]:
    """Every (commune, period) with data or a review state, newest period first.

    ``communes`` defaults to the communes this office serves (itself, for a commune).
    A few grouped queries for the lot, not one per period.
    """
    db = store.db
    if communes is None:
        communes = {u.id for u in store.reference.communes_under(store.node.office_id)}
    where, args = ("AND period = ?", (period,)) if period else ("", ())
    # one commune (the entry page): the change_scope_period index finds its rows at once
    few = sorted(communes) if len(communes) <= 50 else []
    scope = f"AND scope_unit IN ({','.join('?' for _ in few)})" if few else ""
    changes: dict[tuple[str, str], Needed] = {}
    for unit, code, origin, epoch, seq in db.execute_sql(
        "SELECT scope_unit, period, origin, epoch, MAX(seq) FROM change"
        f" WHERE period IS NOT NULL {where} {scope}"
        " GROUP BY scope_unit, period, origin, epoch",
        (*args, *few),
    ):
        if str(unit) in communes:
            changes.setdefault((str(unit), str(code)), {})[(str(origin), int(epoch))] = int(seq)
    rejected: dict[tuple[str, str], str] = {}
    for unit, code, reason in db.execute_sql(
        # the few rejections outside, each change found by its unique (origin, epoch, seq)
        "SELECT c.scope_unit, c.period, r.reason FROM sync_rejection r CROSS JOIN change c"
        " ON c.origin = r.origin AND c.epoch = r.epoch AND c.seq = r.seq"
        f" WHERE c.period IS NOT NULL {where.replace('period', 'c.period')}",
        args,
    ):
        rejected.setdefault((str(unit), str(code)), str(reason))
    submissions = {
        (str(c), str(p)): (str(s), str(r))
        for c, p, s, r in db.execute_sql(
            f"SELECT commune_id, period, state, reason FROM submission WHERE 1 = 1 {where}",
            args,
        )
        if str(c) in communes
    }
    judge = _Context(store)
    pairs = sorted(set(changes) | set(submissions))
    pairs.sort(key=lambda pair: pair[1], reverse=True)  # stable: communes in code order
    out = []
    for pair in pairs:
        state, reason = submissions.get(pair, ("draft", ""))
        sync = judge.state(pair[0], changes.get(pair, {}), rejected.get(pair))
        # What the office above decided proves what it holds: an approval was made on the
        # district's copy, an acceptance on the province's (an approved period is locked).
        if state == "accepted" and sync.state != REJECTED:
            sync = PeriodSyncState(ACKNOWLEDGED)
        elif state == "approved" and sync.state in (NOT_SENT, EXPORTED):
            sync = PeriodSyncState(RECEIVED)
        out.append(PeriodStatus(pair[0], pair[1], state, reason, sync))
    return out


def period_status(store: Store, commune_id: str, period: str) -> PeriodStatus:
    """The state of one (commune, period) (a draft with nothing entered when unknown)."""
    for status in period_statuses(store, period=period, communes={commune_id}):
        if status.commune_id == commune_id:
            return status
    return PeriodStatus(commune_id, period, "draft", "", PeriodSyncState(NOTHING))


_ORDER = (REJECTED, NOT_SENT, EXPORTED, RECEIVED, ACKNOWLEDGED, NOTHING)


def view_status(store: Store, commune_id: str, period: str, *also: str) -> PeriodStatus:
    """The state of ``period`` whose sync part also counts the periods in ``also``.

    A quarter's form shows the year's yearly indicators too, stored under the year: the
    quarter is only as far along as the least advanced of the two.
    """
    main = period_status(store, commune_id, period)
    syncs = [main.sync, *(period_status(store, commune_id, p).sync for p in also)]
    worst = min(syncs, key=lambda s: _ORDER.index(s.state))
    return PeriodStatus(commune_id, period, main.submission, main.return_reason, worst)


def period_sync_state(store: Store, commune_id: str, period: str) -> PeriodSyncState:
    """not sent → exported → received by the district → acknowledged, or rejected."""
    return period_status(store, commune_id, period).sync


DEADLINE_DAY = 10  # the province's default: the 10th of the month after the quarter
DEADLINE_SETTING = "report_deadline_day"
DONE = ("submitted", "approved", "accepted")


@dataclass(frozen=True)
class DuePeriod:
    """A quarter whose report is due (deadline not passed) or late, not yet sent."""

    period: str
    deadline: date
    late: bool


def deadline_of(period: Period, day: int = DEADLINE_DAY) -> date:
    """The day the report of ``period`` is due: ``day`` of the month after it ends."""
    end = period.end
    first_after = date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    return first_after.replace(day=day)


def deadline_day(store: Store) -> int:
    """The deadline the province published (office settings), else the 10th."""
    raw = store.reference.settings().get(DEADLINE_SETTING, "")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 28 else DEADLINE_DAY


def due_periods(store: Store, commune_id: str, today: date) -> list[DuePeriod]:
    """Every ended quarter, since the commune's first report, not yet sent: late ones
    (deadline passed) and the one due now, newest first."""
    db = store.db
    submitted = {
        str(p): str(s)
        for p, s in db.execute_sql(
            "SELECT period, state FROM submission WHERE commune_id = ?", (commune_id,)
        )
    }
    first = db.execute_sql(
        "SELECT min(code) FROM period WHERE kind = 'quarterly' AND code IN"
        " (SELECT period FROM submission WHERE commune_id = ?"
        " UNION SELECT period FROM data_value WHERE commune_id = ?)",
        (commune_id, commune_id),
    ).fetchone()[0]
    last = Period.containing(today).previous()  # the newest quarter that has ended
    start = Period.parse(str(first)) if first else last
    day = deadline_day(store)
    out = []
    period = last
    while period >= start:
        if submitted.get(period.code) not in DONE:
            deadline = deadline_of(period, day)
            out.append(DuePeriod(period.code, deadline, today > deadline))
        period = period.previous()
    return out


@dataclass(frozen=True)
class Warning:
    """A sync warning to show: kind (gap, clock_skew, quarantine, backlog) and detail."""

    kind: str
    node_id: str
    detail: str
    at: str


def sync_warnings(store: Store) -> list[Warning]:
    """Visible warnings: gaps, clocks far ahead, quarantined and backlogged changes."""
    out = [
        Warning(str(k), str(n), str(d), str(a))
        for k, n, d, a in store.db.execute_sql(
            "SELECT kind, node_id, detail, at FROM sync_event WHERE seen = 0 ORDER BY id"
        )
    ]
    backlog = store.db.execute_sql("SELECT count(*) FROM sync_backlog").fetchone()[0]
    if backlog:
        out.append(Warning("backlog", "", f"{backlog} changes wait for missing bundles", ""))
    return out


def clock_flags(store: Store) -> set[str]:
    """Offices (by node) whose clock was seen more than 24 h ahead."""
    return {
        str(r[0])
        for r in store.db.execute_sql("SELECT node_id FROM sync_event WHERE kind = 'clock_skew'")
    }


def review_queue(store: Store) -> list[tuple[int, str, str, str]]:
    """Open hard conflicts: (id, entity, key, provisional winner version)."""
    return [
        (int(i), str(e), str(k), str(w))
        for i, e, k, w in store.db.execute_sql(
            "SELECT id, entity, entity_key, winner FROM conflict WHERE status = 'open' ORDER BY id"
        )
    ]


def mark_warnings_seen(store: Store) -> int:
    """The clerk has read the warnings: hide them until new ones arrive."""
    with store.transaction():
        cursor = store.db.execute_sql("UPDATE sync_event SET seen = 1 WHERE seen = 0")
    return int(cursor.rowcount or 0)


# --- what is held in quarantine ---

HELD_REVOKED = "revoked"
HELD_OUT_OF_SCOPE = "out_of_scope"
HELD_OTHER = "other"

# the serial inside a revocation's sentence (errors.RevokedCertificateError, either language)
_REVOKED_SERIAL = re.compile(r"\((?:serial|số sê-ri) (\d+)\)")


@dataclass(frozen=True)
class HeldApart:
    """Changes of one sender office held in ``sync_quarantine`` for one reason.

    ``kind``: :data:`HELD_REVOKED` (``revoked_at``, ``why``: the province's date and
    words), :data:`HELD_OUT_OF_SCOPE`, or :data:`HELD_OTHER` (``detail``: the stored
    reason as written)."""

    office_id: str
    kind: str
    changes: int
    revoked_at: str = ""
    why: str = ""
    detail: str = ""


def held_apart(store: Store) -> list[HeldApart]:
    """The office's quarantine grouped by sender office and reason (one grouped read).

    The reason is judged from what the store knows, not from the stored sentence (written
    in the language of that moment): a scope refusal by the template that wrote it
    (:data:`desktop_app.sync.scope.REASONS`), a revocation by the sender installation's
    certificate being revoked here."""
    from desktop_app.sync.certificates import revoked_serials
    from desktop_app.sync.scope import is_scope_reason

    db = store.db
    revoked = revoked_serials(store)
    serials = {str(n): int(s) for n, s in db.execute_sql("SELECT node_id, serial FROM sync_node")}
    counts: dict[tuple[str, str, int, str], int] = {}
    for office, origin, reason, n in db.execute_sql(
        "SELECT signer, origin, reason, count(*) FROM sync_quarantine"
        " GROUP BY signer, origin, reason"
    ):
        text = str(reason)
        serial = 0
        if is_scope_reason(text):  # the reasons desktop_app.sync.scope.Authoriser writes
            kind = HELD_OUT_OF_SCOPE
        else:
            found = _REVOKED_SERIAL.search(text)
            candidates = [serials.get(str(origin), 0), int(found.group(1)) if found else 0]
            serial = next((s for s in candidates if s in revoked), 0)
            kind = HELD_REVOKED if serial else HELD_OTHER
        key = (str(office), kind, serial, text if kind == HELD_OTHER else "")
        counts[key] = counts.get(key, 0) + int(n)
    out = []
    for (office, kind, serial, detail), n in counts.items():
        at, why = revoked.notes.get(serial, ("", "")) if serial else ("", "")
        out.append(HeldApart(office, kind, n, at, why, detail))
    order = (HELD_REVOKED, HELD_OUT_OF_SCOPE, HELD_OTHER)
    out.sort(key=lambda h: (h.office_id, order.index(h.kind), h.revoked_at, h.detail))
    return out


def office_label(store: Store, office_id: str) -> str:
    """ "Xã Chiềng Sung (04108)": the unit's name and code; the id when it is unknown."""
    try:
        unit = store.reference.unit(office_id)
    except StoreError:
        return office_id
    return f"{unit.name} ({unit.code})"


def held_apart_text(held: HeldApart, office: str) -> str:
    """One group of the quarantine in words (current language); ``office`` names it."""
    from desktop_app.sync.certificates import day_text

    if held.kind == HELD_REVOKED:
        date_text = day_text(held.revoked_at)
        if held.why:
            why = _("certificate revoked on {date} ({why})").format(date=date_text, why=held.why)
        elif date_text:
            why = _("certificate revoked on {date}").format(date=date_text)
        else:
            why = _("certificate revoked")
    elif held.kind == HELD_OUT_OF_SCOPE:
        why = _("outside the sending office's scope")
    else:
        why = held.detail
    return ngettext(
        "{n} change from {office} held apart: {why}",
        "{n} changes from {office} held apart: {why}",
        held.changes,
    ).format(n=held.changes, office=office, why=why)


def quarantine_lines(store: Store) -> list[str]:
    """What this office holds apart in ``sync_quarantine``, one line per sender office and
    reason, in the current language ("Đang giữ riêng 6 thay đổi của Xã Chiềng Sung
    (04108): chứng thư bị thu hồi ngày 03/12/2026 (Máy bị mất)"); empty when none."""
    from desktop_app.domain.collation import vi_sort_key

    held = held_apart(store)
    names = {h.office_id: office_label(store, h.office_id) for h in held}
    held.sort(key=lambda h: vi_sort_key(names[h.office_id]))  # stable: reasons stay in order
    return [held_apart_text(h, names[h.office_id]) for h in held]
