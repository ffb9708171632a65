"""Taking back a revoked author's changes applied past the province's position.

The province quarantines a revoked installation's changes after its position at
revoking (``desktop_app.sync.certificates.stands_to``), whatever path they take. An
office that APPLIED some of them before the list reached it (a commune's stick carried
straight to its district; a district that pulled a feed the province's list had not
reached yet) holds rows the province never wrote. :func:`take_back` makes such an
office what it would be had those changes never been applied, in the caller's ONE
transaction:

* the changes leave the change log and join ``sync_quarantine`` with the revocation's
  words, exactly the rows the province quarantines (the cursors stay: a quarantined
  change is passed over, as there);
* each row they touched (value, village, site, submission, target; the row a decision
  decided) is rebuilt from the versions that remain, by the applier's own rules
  (:class:`~desktop_app.store.apply.rules.RowMerger`: heads, ranks, merges, locks, a
  lock's values relocked); a row no remaining version writes is removed (a village is
  kept while a value or site that stands still names it, its row or a version left in
  the log: a late value stands again when its period is returned);
* another author's value or site naming a village taken back goes back to the backlog
  with the rest of its stream (the cursor before it), as the province holds it: there
  it waits for a village that never comes (:func:`_hold_back`);
* a local edit made on top of a taken-back version stays: it is this office's own
  change, and the province ranks it the same way, its base unknown there too;
* conflicts: one that a taken-back version was part of is ``withdrawn``; one that a
  taken-back decision resolved is open again; then each rebuilt row's conflicts are
  reconciled with its remaining versions (open while they clash or are late);
* the audit trail keeps what was applied (an audit row naming a removed change gets
  its state in ``new``) and one ``take-back`` row per rebuilt row, plus a
  ``taken_back`` event per stream;
* an approved (locked) period whose rows change (its figures were approved as they
  stood) gets one ``take-back-locked`` audit row (entity ``submission``, its key; ``new``
  the lock's state and how many values changed), and the outcome names it
  (``TakeBackReport.locked``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from desktop_app.store.apply.rows import delete_value
from desktop_app.store.apply.rules import RowMerger
from desktop_app.store.apply.types import LOCKED, Change, Signer
from desktop_app.store.changes import INSERT_AUDIT_SQL, canonical_json
from desktop_app.store.repositories.values import UPSERT_VALUE_SQL
from desktop_app.store.store import Store

# rows removed in this order: what names a village before the village
_ORDER = {"value": 0, "site": 1, "submission": 2, "target": 3, "village": 4}


@dataclass(frozen=True)
class Retraction:
    """One revoked author: its changes after ``positions[epoch]`` (0 for an epoch not
    listed) are taken back, quarantined with ``reason``; ``office_id`` signed them."""

    origin: str
    office_id: str
    positions: dict[int, int]
    reason: str


@dataclass
class TakeBackReport:
    """What :func:`take_back` did: changes taken back per author, rows rebuilt."""

    by_origin: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    kept_villages: list[str] = field(default_factory=list)
    #: changes of other authors back in the backlog, per author: they name a village
    #: taken back, and wait for it as at the province (:func:`_hold_back`)
    held: dict[str, int] = field(default_factory=dict)
    #: the same changes counted per revoked author whose village they name (the first
    #: such author when several are taken back at once), for the outcome's sentence
    held_for: dict[str, int] = field(default_factory=dict)
    #: approved (locked) periods whose rows this take-back changed: (commune, period) ->
    #: values changed there (0: the lock itself was taken back); one ``take-back-locked``
    #: audit row each
    locked: dict[tuple[str, str], int] = field(default_factory=dict)
    #: the same periods per revoked author: those of the communes its changes were in
    #: (every author's when none was in that commune)
    locked_for: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    @property
    def changes(self) -> int:
        """How many changes were taken back."""
        return sum(self.by_origin.values())


# from this many deletes on, an index on the child column is built first (_child_index)
_INDEX_FROM = 8

_CHANGE_SELECT = (
    "SELECT id, origin, epoch, seq, entity, entity_key, scope_unit, period, state FROM change"
)


def _past_positions(store: Store, r: Retraction) -> list[tuple[Any, ...]]:
    """The change-log rows of ``r.origin`` after its positions (index on origin, epoch, seq)."""
    rows: list[tuple[Any, ...]] = []
    for (epoch,) in store.db.execute_sql(
        "SELECT DISTINCT epoch FROM change WHERE origin = ?", (r.origin,)
    ).fetchall():
        rows += store.db.execute_sql(
            f"{_CHANGE_SELECT} WHERE origin = ? AND epoch = ? AND seq > ? ORDER BY seq",
            (r.origin, int(epoch), r.positions.get(int(epoch), 0)),
        ).fetchall()
    return rows


def take_back(store: Store, retractions: list[Retraction], *, my_level: int) -> TakeBackReport:
    """Take back what ``retractions`` name from this office's change log and rows (see the
    module docstring); the caller holds the transaction. Nothing is written when none of
    those changes is here (the common case: a list that changes nothing)."""
    report = TakeBackReport()
    me = store.node.node_id
    found: list[tuple[Retraction, tuple[Any, ...]]] = [
        (r, row) for r in retractions if r.origin != me for row in _past_positions(store, r)
    ]
    if not found:
        return report
    db = store.db
    at = store.now_iso()
    user = store.user
    ids = [int(row[0]) for _r, row in found]
    versions = {f"{row[1]}/{row[2]}/{row[3]}" for _r, row in found}
    # the rows each revoked author's changes wrote, in the order found
    affected_by: dict[str, dict[tuple[str, str], None]] = {}
    for r, (_i, _o, _e, _q, entity, key, _u, _p, state) in found:
        report.by_origin[r.origin] = report.by_origin.get(r.origin, 0) + 1
        rows = affected_by.setdefault(r.origin, {})
        if entity == "decision":
            doc = json.loads(state)
            rows[(str(doc["entity"]), str(doc["key"]))] = None
        else:
            rows[(str(entity), str(key))] = None
    db.cursor().executemany(
        "INSERT OR IGNORE INTO sync_quarantine (origin, epoch, seq, entity, entity_key,"
        " scope_unit, period, reason, signer, received_from, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (origin, epoch, seq, entity, key, scope, period, r.reason, r.office_id,
             r.office_id, at)
            for r, (_i, origin, epoch, seq, entity, key, scope, period, _s) in found
        ],
    )  # fmt: skip
    _untie_audit(store, ids)
    _untie_conflicts(store, versions)
    # audit.change_id has its own index since m0012 (audit_change): no temporary one
    db.execute_sql("DELETE FROM change WHERE id IN (SELECT id FROM taken_back_change)")
    db.execute_sql("DELETE FROM taken_back_change")
    affected: dict[tuple[str, str], None] = {}
    for origin, rows in affected_by.items():
        # one author at a time, so that what goes to the backlog is counted for the author
        # whose village it names (a stream held once is out of the log for the next)
        before = sum(report.held.values())
        _hold_back(store, rows, report, at)
        if sum(report.held.values()) > before:
            report.held_for[origin] = sum(report.held.values()) - before
        affected.update(rows)
    villages = sum(1 for entity, _k in affected if entity == "village")
    with _child_index(store, "data_value", "village_id", villages):
        report.rows = _Rebuilder(store, my_level=my_level).rebuild(list(affected), user, report)
    scopes: dict[str, set[str]] = {}
    for r, row in found:
        scopes.setdefault(r.origin, set()).add(str(row[6]))
    for pair in sorted(report.locked):
        owners = [o for o in report.by_origin if pair[0] in scopes.get(o, set())]
        for origin in owners or list(report.by_origin):
            report.locked_for.setdefault(origin, []).append(pair)
    for village in report.kept_villages:
        db.execute_sql(
            "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, 'taken_back', ?, ?)",
            (at, me, f"village {village} kept: a change that stands names it"),
        )
    for r in retractions:
        streams: dict[int, list[int]] = {}
        for rr, row in found:
            if rr is r:
                streams.setdefault(int(row[2]), []).append(int(row[3]))
        for epoch, seqs in sorted(streams.items()):
            db.execute_sql(
                "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, 'taken_back', ?, ?)",
                (
                    at,
                    r.origin,
                    f"epoch {epoch}: {len(seqs)} changes after seq {r.positions.get(epoch, 0)}"
                    f" taken back ({min(seqs)}-{max(seqs)}): {r.reason}",
                ),
            )
    return report


_FULL_SELECT = (
    "SELECT id, origin, epoch, seq, entity, entity_key, scope_unit, period, state,"
    " base_version, hlc, schema_version, user FROM change"
)


def _hold_back(
    store: Store, affected: dict[tuple[str, str], None], report: TakeBackReport, at: str
) -> None:
    """Another author's change naming a village taken back goes back to the backlog, with
    the rest of its stream, as the province holds it (a value or site there waits for its
    village, which the province quarantined, and its stream waits behind it). Before, the
    relaying district kept the village and the value, the province neither (its backlog
    [2, 3, 4], the district's []). The rows those changes wrote join ``affected`` (rebuilt
    from what remains); a village one of them created and nothing else writes is taken
    back in turn. This office's own changes stay (their village too: :meth:`_named_by_log`),
    and so does a stream whose log here has a gap after that change that its quarantine
    does not fill (a change passed over, held nowhere here): the backlog could never
    replay it in order. A change of the stream quarantined here is passed over again by
    the replay, as the province quarantines it when its backlog reaches it (before, such a
    stream stayed: the village and its values kept here, the province holding neither)."""
    db = store.db
    me = store.node.node_id
    checked: set[str] = set()
    while True:
        gone: list[str] = []
        for entity, key in list(affected):
            if entity != "village" or key in checked:
                continue
            checked.add(key)
            if (
                db.execute_sql(
                    "SELECT 1 FROM change WHERE entity = 'village' AND entity_key = ? LIMIT 1",
                    (key,),
                ).fetchone()
                is None
            ):
                gone.append(str(json.loads(key)["id"]))
        if not gone:
            return
        marks = ", ".join("?" * len(gone))
        communes = sorted(
            str(r[0])
            for r in db.execute_sql(
                f"SELECT commune_id FROM village WHERE id IN ({marks}) UNION"
                f" SELECT commune_id FROM village_origin WHERE village_id IN ({marks})",
                [*gone, *gone],
            )
        )
        if not communes:
            return
        streams = db.execute_sql(
            "SELECT origin, epoch, MIN(seq) FROM change"
            f" WHERE scope_unit IN ({', '.join('?' * len(communes))})"
            " AND entity IN ('value', 'site') AND origin != ?"
            f" AND json_extract(state, '$.village_id') IN ({marks})"
            " GROUP BY origin, epoch ORDER BY origin, epoch",
            [*communes, me, *gone],
        ).fetchall()
        for origin, epoch, first in streams:
            _hold_stream(store, str(origin), int(epoch), int(first), affected, report, at)


def _hold_stream(
    store: Store,
    origin: str,
    epoch: int,
    first: int,
    affected: dict[tuple[str, str], None],
    report: TakeBackReport,
    at: str,
) -> None:
    """Changes ``first`` on of one stream from the log to the backlog, the cursor before."""
    db = store.db
    cursor = db.execute_sql(
        "SELECT seq FROM peer_cursor WHERE origin = ? AND epoch = ?", (origin, epoch)
    ).fetchone()
    signer = db.execute_sql(
        "SELECT office_id, level FROM sync_node WHERE node_id = ?", (origin,)
    ).fetchone()
    rows = db.execute_sql(
        f"{_FULL_SELECT} WHERE origin = ? AND epoch = ? AND seq >= ? ORDER BY seq",
        (origin, epoch, first),
    ).fetchall()
    if cursor is None or signer is None or not rows:
        return
    # a change of the stream quarantined here counts as passed: the replay goes on past it
    # (ChangeApplier._apply), as the province's does when its backlog reaches it
    passed = {
        int(q[0])
        for q in db.execute_sql(
            "SELECT seq FROM sync_quarantine WHERE origin = ? AND epoch = ?"
            " AND seq BETWEEN ? AND ?",
            (origin, epoch, first, int(cursor[0])),
        )
    }
    if sorted({int(r[3]) for r in rows} | passed) != list(range(first, int(cursor[0]) + 1)):
        return  # a gap: the backlog could not replay it in order (the village stays)
    who = Signer(origin, str(signer[0]), int(signer[1])).to_json()
    db.cursor().executemany(
        "INSERT OR IGNORE INTO sync_backlog (origin, epoch, seq, change, signer, received_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(origin, epoch, int(r[3]), Change(*r[1:]).to_json(), who, at) for r in rows],
    )
    for r in rows:
        entity, key, state = str(r[4]), str(r[5]), r[8]
        if entity == "decision":
            doc = json.loads(state)
            affected[(str(doc["entity"]), str(doc["key"]))] = None
        else:
            affected[(entity, key)] = None
    ids = [int(r[0]) for r in rows]
    _untie_audit(store, ids)
    _untie_conflicts(store, {f"{origin}/{epoch}/{int(r[3])}" for r in rows})
    # audit.change_id has its own index since m0012 (audit_change): no temporary one
    db.execute_sql("DELETE FROM change WHERE id IN (SELECT id FROM taken_back_change)")
    db.execute_sql("DELETE FROM taken_back_change")
    db.execute_sql(
        "UPDATE peer_cursor SET seq = ? WHERE origin = ? AND epoch = ?",
        (first - 1, origin, epoch),
    )
    report.held[origin] = report.held.get(origin, 0) + len(rows)
    db.execute_sql(
        "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, 'taken_back', ?, ?)",
        (
            at,
            origin,
            f"epoch {epoch}: {len(rows)} changes from seq {first} back in the backlog:"
            " they name a village taken back",
        ),
    )


def _untie_audit(store: Store, ids: list[int]) -> None:
    """Audit rows naming a change about to leave the log keep its state in ``new``. The
    ids go into a temporary table (``taken_back_change``, the caller then deletes those
    changes through it), one statement for all of them (``audit_change``, m0012, finds
    each id's rows)."""
    db = store.db
    db.execute_sql("CREATE TEMP TABLE IF NOT EXISTS taken_back_change (id INTEGER PRIMARY KEY)")
    db.execute_sql("DELETE FROM taken_back_change")
    db.cursor().executemany("INSERT INTO taken_back_change (id) VALUES (?)", [(i,) for i in ids])
    db.execute_sql(
        "UPDATE audit SET new = COALESCE(new, (SELECT c.state FROM change c"
        " WHERE c.id = audit.change_id)), change_id = NULL"
        " WHERE change_id IN (SELECT id FROM taken_back_change)"
    )


@contextmanager
def _child_index(store: Store, table: str, column: str, deletes: int) -> Iterator[None]:
    """An index on a foreign key's child column while many parent rows are deleted (or
    looked up), dropped again in the same transaction, so the schema is unchanged.

    ``data_value.village_id`` has no index, and SQLite checks each deleted parent row
    (a village) by reading the whole child table. It was written for ``audit.change_id``
    too, which has its own index since m0012 (``audit_change``): there, 1,000 changes
    deleted had cost 6.0 s of CPU against 100,000 audit rows (quadratic as a district
    grows), the index 0.03 s to build (0.32 s at 1,000,000 rows) and the deletes then
    0.003 s. ``python -m bench.bench_takeback``:
    2,400 changes taken back at a district of 7,201 audit rows, 0.17 s of CPU for the
    whole import against 1.35 s without these indexes. Below :data:`_INDEX_FROM`
    deletes the reads are cheaper than the index.
    """
    if deletes < _INDEX_FROM:
        yield
        return
    name = f"taken_back_{table}_{column}"
    store.db.execute_sql(f"CREATE INDEX {name} ON {table}({column})")
    try:
        yield
    finally:
        store.db.execute_sql(f"DROP INDEX IF EXISTS {name}")


def _untie_conflicts(store: Store, versions: set[str]) -> None:
    """A conflict a taken-back version was part of is withdrawn; one a taken-back decision
    resolved is open again (the rebuild then reconciles each row)."""
    for i, local, remote, status, resolution in store.db.execute_sql(
        "SELECT id, local_version, remote_version, status, resolution_version FROM conflict"
    ).fetchall():
        if local in versions or remote in versions:
            if status in ("open", "merged"):
                store.db.execute_sql(
                    "UPDATE conflict SET status = 'withdrawn' WHERE id = ?", (int(i),)
                )
        elif status == "resolved" and resolution in versions:
            store.db.execute_sql(
                "UPDATE conflict SET status = 'open', resolved_by = NULL,"
                " resolution_version = NULL WHERE id = ?",
                (int(i),),
            )


class _Rebuilder(RowMerger):
    """The applier's row rules, run over rows whose taken-back versions left the log."""

    def rebuild(self, rows: list[tuple[str, str]], user: str, report: TakeBackReport) -> int:
        """Each row rebuilt from its remaining versions; how many rows changed."""
        self._named: dict[str, set[str]] = {}  # commune -> villages its logged changes name
        self.load()
        # the locks as they stood before: a period approved there whose rows change is
        # named (its figures were approved as they stood)
        self._locked = {pair: st for pair, st in self.locks.items() if st in LOCKED}
        self.prefetch_known(rows)
        audits: list[tuple[Any, ...]] = []
        for entity, key in sorted(rows, key=lambda r: (_ORDER.get(r[0], 9), r[1])):
            self.touched_rows.add((entity, key))
            cur = self.current(entity, key)
            known = self._known(entity, key)
            old = None if cur is None or cur.state is None else canonical_json(cur.state)
            if not known:
                if cur is not None and self._remove(entity, key, report):
                    audits.append((self.at, user, "take-back", entity, key, old, None, None))
                    self._note_locked(entity, key, cur.state, report)
                continue
            state = cur.state if cur is not None else None
            if state is None:
                state = next((k.state for k in known.values() if k.state), None)
            lock = self._lock_after(state) if entity == "value" else None
            res = self._resolve(known, lock)
            self._settle(entity, key, cur, res, known, user)
            new = None if res.state is None or not res.winner else canonical_json(res.state)
            if new != old:
                audits.append((self.at, user, "take-back", entity, key, old, new, None))
                was = cur.state if cur is not None and cur.state is not None else None
                self._note_locked(entity, key, was or res.state, report)
        self.reconcile()
        self.db.cursor().executemany(UPSERT_VALUE_SQL, list(self.value_rows.values()))
        self.book.flush(self.db)
        rebuilt = len(audits)
        for (commune, period), values in sorted(report.locked.items()):
            key = canonical_json({"commune_id": commune, "period": period})
            said = canonical_json({"state": self._locked[(commune, period)], "values": values})
            audits.append((self.at, user, "take-back-locked", "submission", key, None, said, None))
        self.db.cursor().executemany(INSERT_AUDIT_SQL, audits)
        return rebuilt

    def _note_locked(
        self, entity: str, key: str, state: dict[str, Any] | None, report: TakeBackReport
    ) -> None:
        """Count a changed row in the approved period it lies in (a value: its quarter's,
        or an annual value's year or fourth quarter; a submission: its own lock)."""
        if entity == "value" and state is not None:
            commune, period = str(state.get("commune_id")), str(state.get("period"))
            pairs = [(commune, period)]
            if "Q" not in period:  # annual values lock with the year's fourth quarter too
                pairs.append((commune, f"{period}Q4"))
            pair = next((p for p in pairs if p in self._locked), None)
            if pair is not None:
                report.locked[pair] = report.locked.get(pair, 0) + 1
        elif entity == "submission":
            k = json.loads(key)
            pair = (str(k["commune_id"]), str(k["period"]))
            if pair in self._locked:
                report.locked.setdefault(pair, 0)

    def _named_by_log(self, village: str) -> bool:
        """Whether a value, site or decision left in the change log names this village.

        A late value writes no row while its period stays approved, but stands once the
        period is returned (or a reviewer chooses it): its village must be there then.
        Before, such a village was removed, and that relock failed on the foreign key
        ``data_value.village_id``, so the office could import nothing more. The villages
        named are read once per commune (the village's, and its commune before the 2025
        reform: a value keeps the commune it was typed in)."""
        communes = {
            str(r[0])
            for r in self.db.execute_sql(
                "SELECT commune_id FROM village WHERE id = ? UNION"
                " SELECT commune_id FROM village_origin WHERE village_id = ?",
                (village, village),
            )
        }
        for commune in sorted(communes - set(self._named)):
            self._named[commune] = {
                str(r[0])
                for r in self.db.execute_sql(
                    "SELECT DISTINCT COALESCE(json_extract(state, '$.village_id'),"
                    " json_extract(state, '$.state.village_id')) FROM change"
                    " WHERE scope_unit = ? AND entity IN ('value', 'site', 'decision')",
                    (commune,),
                )
                if r[0] is not None
            }
        return any(village in self._named[commune] for commune in communes)

    def _remove(self, entity: str, key: str, report: TakeBackReport) -> bool:
        """Remove a row no remaining version writes; False when it must stay."""
        k = json.loads(key)
        db = self.db
        if entity == "value":
            self.value_rows.pop(key, None)
            delete_value(db, k)
        elif entity == "village":
            village = str(k["id"])
            named = db.execute_sql(
                "SELECT 1 FROM data_value WHERE village_id = ? UNION ALL"
                " SELECT 1 FROM site WHERE village_id = ? LIMIT 1",
                (village, village),
            ).fetchone()
            if named is not None or self._named_by_log(village):
                # a change that stands names it (a row here, or a version held in the log
                # that a reopened period or a decision may write: a late value): kept,
                # and said so
                report.kept_villages.append(village)
                return False
            db.execute_sql("DELETE FROM village_origin WHERE village_id = ?", (village,))
            db.execute_sql("DELETE FROM village WHERE id = ?", (village,))
            self.villages.discard(village)
        elif entity == "site":
            db.execute_sql("DELETE FROM site WHERE id = ?", (k["id"],))
        elif entity == "submission":
            db.execute_sql(
                "DELETE FROM submission WHERE commune_id = ? AND period = ?",
                (k["commune_id"], k["period"]),
            )
            pair = (str(k["commune_id"]), str(k["period"]))
            was = self.locks.pop(pair, None)
            threshold = self.lock_hlc.pop(pair, 0)
            if was in LOCKED:  # its values edited after the lock may stand now
                self.any_lock = any(v in LOCKED for v in self.locks.values())
                self._relock(pair[0], pair[1], threshold)
        elif entity == "target":
            db.execute_sql(
                "DELETE FROM target WHERE unit_id = ? AND year = ? AND indicator = ?",
                (k["unit_id"], k["year"], k["indicator"]),
            )
        else:  # reference data: only the province writes it, and it is never revoked
            return False
        self.rows[(entity, key)] = None
        return True
