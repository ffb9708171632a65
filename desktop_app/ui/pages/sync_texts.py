"""What the sync page says: an export or an import in words, and each period's sync state.

The sync layer reports numbers (:class:`ExportResult`, :class:`ImportResult`); a
clerk needs sentences: how many values, villages, sites and reports went into a
bundle or came out of one, from which office, what the province acknowledged,
what it refused and why, and what waits for a missing bundle. The counts per kind
of data are read from the change log and the audit log (reads only).
Each period's sync state and the warnings are in :mod:`.sync_states`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError
from desktop_app.store.store import Store
from desktop_app.sync.exchange import ExportResult, ImportResult, my_level, province_vector
from desktop_app.sync.takeback import taken_back_lines
from desktop_app.ui.error_text import user_text

APPLIED_ACTIONS = ("sync", "sync-merge", "sync-conflict", "sync-same", "decision")


def kind_counts_text(counts: Counter[str]) -> str:
    """ "values: 12, villages: 2, …" in the current language (no plural forms needed)."""
    names = {
        "value": _("values: {n}"),
        "village": _("villages: {n}"),
        "site": _("sites: {n}"),
        "submission": _("report moves (submit, approve, return): {n}"),
        "decision": _("conflict decisions: {n}"),
        "target": _("targets: {n}"),
    }
    parts = [names[k].format(n=counts[k]) for k in names if counts.get(k)]
    others = sum(n for k, n in counts.items() if k not in names)
    if others:
        parts.append(_("other changes: {n}").format(n=others))
    return ", ".join(parts)


def office_name(store: Store, office_id: str) -> str:
    """The unit's name, or its id when this database does not know it."""
    try:
        return store.reference.unit(office_id).name
    except StoreError:
        return office_id


def _db(store: Store) -> Any:
    return store.db  # peewee leaves execute_sql untyped


# --- export ---


def export_summary(store: Store, result: ExportResult) -> str:
    """What went into the bundle, in words."""
    db = _db(store)
    by_kind: Counter[str] = Counter()
    origins: set[str] = set()
    for origin, epoch, first, last in result.ranges:
        for entity, n in db.execute_sql(
            "SELECT entity, count(*) FROM change WHERE origin = ? AND epoch = ?"
            " AND seq BETWEEN ? AND ? GROUP BY entity",
            (origin, epoch, first, last),
        ):
            by_kind[str(entity)] += int(n)
        origins.add(str(origin))
    lines = [
        _("Bundle written: {name} ({size}) in {folder}").format(
            name=result.path.name, size=size_text(result.size), folder=result.path.parent
        )
    ]
    if result.changes == 0:
        lines.append(
            _(
                "It carries no new changes; it still tells the other office what this "
                "office has received."
            )
        )
    else:
        offices = sorted(office_name(store, o) for o in _offices_of(store, origins))
        lines.append(
            _("Changes in the bundle: {n} ({kinds}), from {offices}.").format(
                n=result.changes, kinds=kind_counts_text(by_kind), offices=", ".join(offices)
            )
        )
    lines.append(
        _("Take the file to the office above and import it there; keep it until they confirm.")
    )
    return "\n".join(lines)


def office_of_node(store: Store, node_id: str) -> str:
    """The name of the office an installation serves (its id when unknown)."""
    return office_name(store, next(iter(_offices_of(store, {node_id}))))


def _offices_of(store: Store, nodes: set[str]) -> set[str]:
    if not nodes:
        return set()
    marks = ",".join("?" for _ in nodes)
    found = {
        str(n): str(o)
        for n, o in _db(store).execute_sql(
            f"SELECT node_id, office_id FROM sync_node WHERE node_id IN ({marks})", tuple(nodes)
        )
    }
    found.setdefault(store.node.node_id, store.node.office_id)
    return {found.get(n, n) for n in nodes}


def size_text(size: int) -> str:
    """ "12 KB", "3.4 MB"."""
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{max(1, size // 1024)} KB"


# --- import ---


@dataclass
class ImportMarks:
    """Where the logs stood before an import, to tell what the import added."""

    audit: int
    rejection: int
    acknowledged: int


@dataclass
class ImportOutcome:
    """An import's result with what it changed, counted by kind and by office."""

    result: ImportResult | None  # None after a network sync
    by_kind: Counter[str] = field(default_factory=Counter)
    offices: list[str] = field(default_factory=list)
    rejections: list[str] = field(default_factory=list)
    newly_acknowledged: int = 0
    still_unacknowledged: int = 0
    touched: list[tuple[str, str]] = field(default_factory=list)  # (commune, period code)


def _own_acknowledged(store: Store) -> int:
    node = store.node
    return province_vector(store).get((node.node_id, node.epoch), 0)


def _own_last(store: Store) -> int:
    node = store.node
    row = (
        _db(store)
        .execute_sql(
            "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
            (node.node_id, node.epoch),
        )
        .fetchone()
    )
    return int(row[0])


def marks_before_import(store: Store) -> ImportMarks:
    """Read the positions an :class:`ImportOutcome` is measured from."""
    db = _db(store)
    audit = db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
    rejection = db.execute_sql("SELECT COALESCE(MAX(rowid), 0) FROM sync_rejection").fetchone()[0]
    return ImportMarks(int(audit), int(rejection), _own_acknowledged(store))


def outcome_of(store: Store, result: ImportResult | None, marks: ImportMarks) -> ImportOutcome:
    """What the import brought, read from the logs past ``marks``."""
    db = _db(store)
    outcome = ImportOutcome(result)
    actions = ",".join("?" for _ in APPLIED_ACTIONS)
    offices: set[str] = set()
    for entity, office, n in db.execute_sql(
        "SELECT c.entity, COALESCE(n.office_id, c.origin), count(*) FROM audit a"
        " JOIN change c ON c.id = a.change_id LEFT JOIN sync_node n ON n.node_id = c.origin"
        f" WHERE a.id > ? AND a.action IN ({actions}) GROUP BY 1, 2",
        (marks.audit, *APPLIED_ACTIONS),
    ):
        outcome.by_kind[str(entity)] += int(n)
        offices.add(str(office))
    outcome.offices = sorted(office_name(store, o) for o in offices)
    outcome.touched = [
        (str(u), str(p or ""))
        for u, p in db.execute_sql(
            "SELECT DISTINCT c.scope_unit, c.period FROM audit a JOIN change c"
            f" ON c.id = a.change_id WHERE a.id > ? AND a.action IN ({actions})",
            (marks.audit, *APPLIED_ACTIONS),
        )
    ]
    outcome.rejections = [
        str(r)
        for (r,) in db.execute_sql(
            "SELECT reason FROM sync_rejection WHERE rowid > ? ORDER BY rowid", (marks.rejection,)
        )
    ]
    if my_level(store) != 1:
        now = _own_acknowledged(store)
        outcome.newly_acknowledged = max(0, now - marks.acknowledged)
        outcome.still_unacknowledged = max(0, _own_last(store) - now)
    return outcome


def acknowledgement_lines(store: Store, outcome: ImportOutcome) -> list[str]:
    """What the province newly acknowledged, and what still waits for it."""
    lines = []
    if outcome.newly_acknowledged:
        lines.append(
            _("Changes of this office newly acknowledged by the province: {n}.").format(
                n=outcome.newly_acknowledged
            )
        )
    if my_level(store) != 1 and outcome.still_unacknowledged:
        lines.append(
            _(
                "Changes of this office still waiting for the province's acknowledgement: {n}."
            ).format(n=outcome.still_unacknowledged)
        )
    elif my_level(store) != 1 and outcome.newly_acknowledged:
        lines.append(_("Everything this office sent is acknowledged by the province."))
    return lines


def import_summary(store: Store, outcome: ImportOutcome) -> str:
    """What the bundle brought, in words."""
    result = outcome.result
    assert result is not None
    sender = office_name(store, result.sender)
    if result.already:
        return _("This bundle from {office} was already imported; nothing changed.").format(
            office=sender
        )
    report = result.report
    lines = [_("Bundle from {office} imported.").format(office=sender)]
    applied = sum(outcome.by_kind.values())
    if applied:
        lines.append(
            _("Changes received: {n} ({kinds}), written by {offices}.").format(
                n=applied,
                kinds=kind_counts_text(outcome.by_kind),
                offices=", ".join(outcome.offices),
            )
        )
    else:
        lines.append(_("No new data: everything in it was already here."))
    lines += acknowledgement_lines(store, outcome)
    lines += taken_back_lines(result.taken_back)
    if report.conflicts:
        lines.append(
            _("Conflicts: {n} (the same data was changed differently in two places).").format(
                n=report.conflicts
            )
            + " "
            + _("The office above decides them on the Conflicts page.")
        )
    if report.merged:
        lines.append(
            _("Merged: {n} (changed in two places, on different fields).").format(n=report.merged)
        )
    if report.backlog:
        lines.append(
            _(
                "Changes waiting for a missing earlier bundle from the same office: {n}. "
                "Import the older bundles too; they are applied then."
            ).format(n=report.backlog)
        )
    refused = report.quarantined + len(result.refused_segments)
    if refused:
        lines.append(_("Changes refused (not allowed for their sender): {n}").format(n=refused))
        lines += ["  • " + r for r in (result.refused_segments + report.reasons)[:5]]
    if outcome.rejections:
        lines.append(_("Changes rejected by the province: {n}").format(n=len(outcome.rejections)))
        lines += ["  • " + r for r in outcome.rejections[:5]]
    for node in result.skewed:
        lines.append(
            _(
                "The clock of {office} is more than a day ahead: check the date on that computer."
            ).format(office=office_of_node(store, node))
        )
    if result.backup is not None:
        lines.append(
            _("A backup was made before the import: {name}").format(name=result.backup.name)
        )
    from desktop_app.sync.certificates import own_revocation

    revoked = own_revocation(store)  # the list that came down names this office
    if revoked is not None:  # first: the one thing this office must act on
        lines.insert(0, revoked.user_message())
    return "\n".join(lines)


def error_text(exc: BaseException) -> str:
    """An export or import failure in one sentence the clerk can act on."""
    return user_text(exc)
