"""One row at a time: the merge and conflict rules applied to the database.

:class:`RowMerger` holds what an import knows (rows read so far, office
levels, period locks, versions logged in this import) and decides each
received version of a row: the fast path (no row, or the change descends from
the current version), otherwise the row recomputed from every known version
with :func:`desktop_app.store.merge.resolve`, the hard conflicts and merges
recorded in ``conflict``, and a lock (approved period) honoured. Buffered
writes (change log, audit, values) are flushed by the applier.
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.store.apply.conflicts import ConflictBook
from desktop_app.store.apply.rows import (
    VALUE_SELECT_D,
    Row,
    delete_value,
    ensure_period,
    read_row,
    value_key_text,
    value_key_tuple,
    value_state,
    write_site,
    write_submission,
    write_target,
    write_village,
)
from desktop_app.store.apply.types import LOCKED, ApplyReport, Change
from desktop_app.store.changes import canonical_json
from desktop_app.store.merge import (
    Known,
    Resolution,
    ancestry,
    change_known,
    decision_known,
    resolve,
    same_writer_later,
)
from desktop_app.store.reference_rows import REFERENCE_TABLES
from desktop_app.store.repositories.values import UPSERT_VALUE_SQL, value_params
from desktop_app.store.store import Store

# The values of one commune's period edited after a lock's HLC. '+entity' keeps SQLite on
# the (scope_unit, period) index: without statistics it chose the entity index (every
# value change of the office) and took 0.5 s a period on the province bench database
# (330,000 changes), so the province accepting one period took 643 ms; 13 ms now.
RELOCK_KEYS_SQL = (
    "SELECT DISTINCT entity_key FROM change WHERE +entity = 'value'"
    " AND scope_unit = ? AND period = ? AND hlc > ?"
)


class RowMerger:
    """The per-row rules of an import, over one store, inside the caller's transaction."""

    def __init__(self, store: Store, *, my_level: int) -> None:
        self.store = store
        self.db = store.db
        self.my_level = my_level
        self.at = store.now_iso()
        self.node = store.node
        self.report = ApplyReport()
        self.rows: dict[tuple[str, str], Row | None] = {}
        self.value_rows: dict[str, tuple[Any, ...]] = {}
        self.prefetched: set[tuple[str, str]] = set()
        # data_value rows of the prefetched pairs, by (org_id, period, indicator, disagg)
        self.prefetched_rows: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        # no prefetched pair held any value when read: none of their values is here
        self.prefetch_empty = False
        # value keys already looked up there: key text -> its natural key (None: unreadable)
        self.prefetch_keys: dict[str, tuple[Any, ...] | None] = {}
        self.changes: list[tuple[Any, ...]] = []
        self.audits: list[tuple[Any, ...]] = []
        self.change_id = 0
        self.levels: dict[str, int] = {}
        self.locks: dict[tuple[str, str], str] = {}
        self.lock_hlc: dict[tuple[str, str], int] = {}
        self.keys_by_period: dict[tuple[str, str], set[str]] = {}
        self.indicators: set[str] = set()
        self.villages: set[str] = set()
        self.periods: set[str] = set()
        self.book = ConflictBook()
        # the versions of a row held in the change log (decisions included), by row: read
        # once per row (the change table does not change while an import runs: its rows
        # are buffered in ``changes`` until the flush), many rows in one query
        self.logged: dict[tuple[str, str], dict[str, Known]] = {}
        self.any_lock = False
        self.key_log: dict[tuple[str, str], list[tuple[str, Known]]] = {}
        self.touched_rows: set[tuple[str, str]] = set()  # rows this import wrote or relocked

    def load(self) -> None:
        """Read what the rules need: last change id, levels, locks, reference sets, conflicts."""
        db = self.db
        self.change_id = int(
            db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM change").fetchone()[0]
        )
        self.levels = {
            str(n): int(lv) for n, lv in db.execute_sql("SELECT node_id, level FROM sync_node")
        }
        self.levels[self.node.node_id] = self.my_level
        self.locks = {}
        for c, p, st, hlc in db.execute_sql(
            "SELECT commune_id, period, state, hlc FROM submission"
        ):
            self.locks[(str(c), str(p))] = str(st)
            self.lock_hlc[(str(c), str(p))] = int(hlc)
        self.indicators = {str(r[0]) for r in db.execute_sql("SELECT code FROM indicator")}
        self.villages = {str(r[0]) for r in db.execute_sql("SELECT id FROM village")}
        self.periods = {str(r[0]) for r in db.execute_sql("SELECT code FROM period")}
        self.any_lock = any(v in LOCKED for v in self.locks.values())
        self.book.load(db)
        self.logged = {}

    def level_of(self, origin: str) -> int:
        """The office level of an author (a commune, 3, when unknown)."""
        return self.levels.get(origin, 3)

    # --- reading ---

    def current(self, entity: str, key: str, state: dict[str, Any] | None = None) -> Row | None:
        """The row as it stands in this import (cached; a prefetched value absent is None)."""
        cache_key = (entity, key)
        if cache_key in self.rows:
            return self.rows[cache_key]
        if (
            entity == "value"
            and state is not None
            and (state.get("commune_id"), state.get("period")) in self.prefetched
        ):
            row = self._prefetched_value(key)
            self.rows[cache_key] = row
            return row
        row = read_row(self.db, entity, json.loads(key))
        self.rows[cache_key] = row
        return row

    def _fetch_values(self, wanted: list[tuple[Any, ...]]) -> None:
        """Read the value rows of these natural keys that lie in a prefetched pair."""
        for i in range(0, len(wanted), 200):
            chunk = wanted[i : i + 200]
            params = [x for t in chunk for x in t]
            rows = ", ".join(["(?, ?, ?, ?)"] * len(chunk))
            for r in self.db.execute_sql(
                f"{VALUE_SELECT_D} FROM (VALUES {rows}) k JOIN data_value d"
                " ON d.org_id = k.column1 AND d.period = k.column2"
                " AND d.indicator = k.column3 AND d.disagg = k.column4",
                params,
            ):
                if (r[1], r[3]) in self.prefetched:
                    self.prefetched_rows[(r[0], r[3], r[4], r[5])] = r

    def _prefetched_value(self, key: str) -> Row | None:
        """A value of a prefetched (commune, period): its row there under ``key``, else None."""
        if self.prefetch_empty:
            return None
        if key in self.prefetch_keys:
            t = self.prefetch_keys[key]
        else:
            t = self.prefetch_keys[key] = value_key_tuple(key)
            if t is not None:
                self._fetch_values([t])
        r = None if t is None else self.prefetched_rows.get(t)
        # the key names this row only in its canonical text
        if r is None or key != value_key_text(r[0], r[3], r[4], r[5]):
            return None
        return Row(value_state(r), str(r[8]), int(r[9]))

    def _lock_after(self, state: dict[str, Any] | None) -> int | None:
        """For a value of an approved (commune, period): the approval's HLC, else None.

        Annual values lock with the year's fourth quarter. A commune's version
        with a later HLC than the approval is a late edit: a hard conflict, and
        the approved value stays. The approver had received (HLC ``receive``)
        everything it approved, so what it saw is always before the approval,
        whatever order the replicas learn of the two.
        """
        if state is None or not self.any_lock:
            return None
        commune, period = str(state.get("commune_id")), str(state.get("period"))
        if "Q" in period:  # the common case, without building a list
            pair = (commune, period)
            return self.lock_hlc.get(pair, 0) if self.locks.get(pair) in LOCKED else None
        found = [
            self.lock_hlc.get((commune, p), 0)
            for p in (period, f"{period}Q4")
            if self.locks.get((commune, p)) in LOCKED
        ]
        return min(found) if found else None

    def _known(self, entity: str, key: str) -> dict[str, Known]:
        """Every version of this row held here: the change log, decisions, this import."""
        logged = self.logged.get((entity, key))
        if logged is None:
            self.prefetch_known([(entity, key)])
            logged = self.logged[(entity, key)]
        known = dict(logged)
        for version, item in self.key_log.get((entity, key), []):
            known[version] = item
        return known

    def prefetch_known(self, rows: list[tuple[str, str]]) -> None:
        """Read the logged versions of these rows (and the decisions about them), 200 rows
        a query, for :meth:`_known`."""
        wanted = [r for r in dict.fromkeys(rows) if r not in self.logged]
        for r in wanted:
            self.logged[r] = {}
        for i in range(0, len(wanted), 200):
            chunk = wanted[i : i + 200]
            marks = ", ".join(["(?, ?)"] * len(chunk))
            for e, k, o, ep, q, base, state, hlc in self.db.execute_sql(
                "SELECT c.entity, c.entity_key, c.origin, c.epoch, c.seq, c.base_version,"
                f" c.state, c.hlc FROM (VALUES {marks}) w JOIN change c"
                " ON c.entity = w.column1 AND c.entity_key = w.column2",
                [x for r in chunk for x in r],
            ):
                self.logged[(str(e), str(k))][f"{o}/{ep}/{q}"] = change_known(
                    base, None if state is None else json.loads(state), int(hlc), str(o)
                )
            decided = {canonical_json({"entity": e, "key": k}): (e, k) for e, k in chunk}
            marks = ", ".join(["?"] * len(decided))
            for k, o, ep, q, base, state, hlc in self.db.execute_sql(
                "SELECT entity_key, origin, epoch, seq, base_version, state, hlc FROM change"
                f" WHERE entity = 'decision' AND entity_key IN ({marks})",
                list(decided),
            ):
                self.logged[decided[str(k)]][f"{o}/{ep}/{q}"] = decision_known(
                    base, json.loads(state), int(hlc), str(o)
                )

    def _resolve(self, known: dict[str, Known], lock_after: int | None = None) -> Resolution:
        return resolve(known, self.level_of, lock_after)

    # --- deciding one version ---

    def _merge(
        self,
        c: Change,
        entity: str,
        key: str,
        state: dict[str, Any] | None,
        version: str,
        *,
        decision: dict[str, Any] | None = None,
    ) -> None:
        self.touched_rows.add((entity, key))
        cur = self.current(entity, key, state)
        lock_after = (
            self._lock_after(state or (cur.state if cur else None)) if entity == "value" else None
        )
        base = c.base_version
        # a row in the book may have versions here though it has no row (a decision that
        # kept no value): a first version of it is resolved against them, never written
        # blindly (seed 1046 of mix 'reviews' at 1,200 operations)
        fast = (
            lock_after is None
            and (entity, key) not in self.book.conflicted
            and (cur is None or cur.version == base or same_writer_later(cur.version, version))
        )
        if fast:
            self.write_row(entity, key, state, version, c.hlc, c.user)
            self._log(c, cur, "sync", entity, key, state, decision)
            self.report.applied += 1
            return
        if cur is not None and cur.version == version:
            self._log(c, cur, "sync-seen", entity, key, state, decision)
            return
        known = self._known(entity, key)
        known[version] = (
            decision_known(base, decision, c.hlc, c.origin)
            if decision is not None
            else change_known(base, state, c.hlc, c.origin)
        )
        res = self._resolve(known, lock_after)
        late = version in res.late
        self._log(c, cur, "sync-locked" if late else "sync", entity, key, state, decision)
        if late:
            self._conflict(entity, key, cur, state, version, "local", "open", res.winner)
        elif version not in res.heads:
            # superseded by a version already here, which it may now connect to the rest:
            # a change that arrived before its base (C, based on B) left two heads, A and
            # C; B (based on A) makes C the one head, so the row is settled below. Before,
            # it was left at A (seed 1019 of mix 'reviews' at 1,200 operations: a period
            # the province kept approved while the district and the commune showed the
            # restored district's return and the commune's new submission)
            pass
        elif version in res.clashes or (res.winner == version and res.clashes):
            winner = "remote" if res.winner == version else "local"
            self._conflict(entity, key, cur, state, version, winner, "open", res.winner)
        elif version in res.merged or (res.winner == version and res.merged):
            self._conflict(entity, key, cur, state, version, "merged", "merged", res.winner)
        if decision is None:
            self._withdraw(entity, key, res)
        self._settle(entity, key, cur, res, known, c.user)
        self._note_heads(entity, key, res)

    def _note_heads(self, entity: str, key: str, res: Resolution) -> None:
        """A row left with more than one head and no conflict row (heads that agree: the
        same value typed at two offices, or by one commune before and after a restore) is
        noted with a ``concurrent`` row, which no page shows: a row in the book never
        takes the fast path (:meth:`_merge`), so a later change that descends from one
        head is resolved against the others, here as at every replica.

        Without it, seed 49 of the convergence property: the province held A (1) and B
        (1, the same commune after a restore, not descending from A), agreeing, so no
        conflict; C (7) descending from B then took the fast path there, while the
        commune and the district, which learnt A last, resolved it and opened the clash
        of A with C that :func:`resolve` finds from those three versions."""
        if len(res.heads) > 1 and (entity, key) not in self.book.conflicted:
            self.book.add(
                entity, key, res.winner, res.heads[1], None, None, res.winner, "concurrent",
                self.at,
            )  # fmt: skip

    def _settle(
        self,
        entity: str,
        key: str,
        cur: Row | None,
        res: Resolution,
        known: dict[str, Known],
        user: str,
    ) -> None:
        """Make the row what the resolution says (write, or remove a value that no version
        left standing writes: a late-only value, or one a decision chose to have none)."""
        if not res.winner or (res.state is None and entity == "value"):
            if cur is not None and cur.state is not None and entity == "value":
                self.rows[(entity, key)] = None
                self.value_rows.pop(key, None)
                delete_value(self.db, json.loads(key))
                self.report.applied += 1
            return
        if cur is not None and res.state == cur.state and res.winner == cur.version:
            return
        self.write_row(entity, key, res.state, res.winner, known[res.winner].hlc, user)
        self.report.applied += 1

    def moved(self, commune: str, period: str, state: str, hlc: int) -> None:
        """The submission of (commune, period) is now ``state`` (its change's HLC ``hlc``):
        the lock noted, and the values of a period that was or now is locked relocked (an
        edit after an approval late, or standing again once the period is returned).

        A received submission change comes here (:meth:`write_row`), and so does a
        submission moved at this office (:func:`relock_local_move`): the office that
        returns a period settles its late edits as every receiver of that return does."""
        pair = (commune, period)
        was = self.locks.get(pair) in LOCKED
        before = self.lock_hlc.get(pair, hlc)
        self.locks[pair] = state
        self.lock_hlc[pair] = hlc
        now_locked = state in LOCKED
        self.any_lock = self.any_lock or now_locked
        if was or now_locked:
            self._relock(commune, period, min(before, hlc) if was else hlc)

    def _relock(self, commune: str, period: str, threshold: int) -> None:
        """A period was approved, returned or accepted: recompute its values edited after."""
        periods = [period] if not period.endswith("Q4") else [period, period[:4]]
        for p in periods:
            keys = {
                str(r[0]) for r in self.db.execute_sql(RELOCK_KEYS_SQL, (commune, p, threshold))
            } | self.keys_by_period.get((commune, p), set())
            for key in sorted(keys):
                self.touched_rows.add(("value", key))
                cur = self.current("value", key)
                state = cur.state if cur is not None else {"commune_id": commune, "period": p}
                known = self._known("value", key)
                if not known:
                    continue
                res = self._resolve(known, self._lock_after(state))
                if cur is not None and cur.version in res.late:
                    self._conflict(
                        "value", key, None, cur.state, cur.version, "local", "open", res.winner
                    )
                else:  # the period was reopened: an edit once late may now stand
                    self._withdraw("value", key, res)
                self._settle("value", key, cur, res, known, "sync")

    def _withdraw(self, entity: str, key: str, res: Resolution) -> None:
        """Open conflicts of a row whose known versions no longer clash (nor are late) are
        withdrawn: the row's conflicts, like its state, depend on the versions known, not
        on the order they arrived in."""
        if not res.clashes and not res.late:
            self.book.withdraw(entity, key, res.winner)

    def _conflict(
        self,
        entity: str,
        key: str,
        cur: Row | None,
        state: dict[str, Any] | None,
        version: str,
        winner: str,
        status: str,
        winner_version: str,
    ) -> None:
        """Record a hard conflict (``open``) or a merge (``merged``) of this row."""
        if status == "merged":
            self.report.merged += 1
        else:
            self.report.conflicts += 1
        self.book.add(
            entity,
            key,
            None if cur is None else cur.version,
            version,
            None if cur is None or cur.state is None else canonical_json(cur.state),
            None if state is None else canonical_json(state),
            winner_version,
            status,
            self.at,
        )

    def _log(
        self,
        c: Change,
        cur: Row | None,
        action: str,
        entity: str,
        key: str,
        state: dict[str, Any] | None,
        decision: dict[str, Any] | None,
    ) -> None:
        """Buffer the change-log and audit rows of a received change; remember the version.

        Its audit row names the change for the new state (``new`` NULL), as a local
        change's does (:func:`desktop_app.store.changes.record`): the same text twice
        was about a sixth of the bytes an import of values wrote (rows and index keys).
        """
        self.change_id = change_id = self.change_id + 1
        self.changes.append((change_id, *c.row()))
        old = None if cur is None or cur.state is None else canonical_json(cur.state)
        self.audits.append((self.at, c.user, action, c.entity, c.entity_key, old, None, change_id))
        item = (
            decision_known(c.base_version, decision, c.hlc, c.origin)
            if decision is not None
            else change_known(c.base_version, state, c.hlc, c.origin)
        )
        logged = self.key_log.get((entity, key))
        if logged is None:
            self.key_log[(entity, key)] = [(c.version, item)]
        else:
            logged.append((c.version, item))
        if entity == "value" and state is not None:
            pair = (str(state.get("commune_id")), str(state.get("period")))
            self.keys_by_period.setdefault(pair, set()).add(key)

    def _decision(self, c: Change, doc: dict[str, Any]) -> None:
        """A received reviewer's decision: the chosen state, and the conflict closed."""
        entity, key, chosen = str(doc["entity"]), str(doc["key"]), doc.get("state")
        self._merge(c, entity, key, chosen, c.version, decision=doc)
        closed = self.close_decided(entity, key, c.version, c.user)
        if not closed:  # decided before this office saw the clash: it still sees why
            versions = [str(v) for v in doc.get("supersedes", ())]
            self.book.add(
                entity,
                key,
                versions[0] if len(versions) > 1 else None,
                versions[-1] if versions else c.version,
                None,
                None if chosen is None else canonical_json(chosen),
                c.version,
                "resolved",
                self.at,
                resolved_by=c.user,
                resolution_version=c.version,
            )

    def close_decided(self, entity: str, key: str, version: str, user: str) -> int:
        """Close the open conflicts of a row that the decision ``version`` settles: those
        whose versions it descends from. A later late edit stays open (a new question),
        whichever arrived first; returns how many were closed."""
        known = self._known(entity, key)
        below = ancestry(known).get(version, set()) if version in known else set()
        return self.book.close(entity, key, below, user, version)

    def reconcile(self) -> None:
        """Make each conflicted row's open conflict a function of its known versions: open
        while a version is late or clashes with the winner, withdrawn once none does
        (whatever order the versions, approvals and decisions arrived in)."""
        rows = sorted(self.touched_rows & self.book.conflicted)
        self.prefetch_known(rows)
        for entity, key in rows:
            known = self._known(entity, key)
            if not known:
                continue
            cur = self.current(entity, key)
            state = cur.state if cur is not None else None
            if state is None:
                state = next((k.state for k in known.values() if k.state), None)
            lock = self._lock_after(state) if entity == "value" else None
            res = self._resolve(known, lock)
            questions = [*res.late, *res.clashes]
            is_open = self.book.is_open(entity, key)
            if questions and not is_open:
                remote = max(questions)
                self.book.add(
                    entity,
                    key,
                    res.winner or None,
                    remote,
                    None if res.state is None else canonical_json(res.state),
                    None
                    if known[remote].state is None
                    else canonical_json(known[remote].state or {}),
                    res.winner or remote,
                    "open",
                    self.at,
                )
            elif not questions and is_open:
                self._withdraw(entity, key, res)

    def settle_row(self, entity: str, key: str, user: str) -> None:
        """Make the row what :func:`resolve` makes it from every version known here, as
        every receiver of those versions does (after a write made at this office)."""
        known = self._known(entity, key)
        if not known:
            return
        cur = self.current(entity, key)
        state = cur.state if cur is not None else None
        res = self._resolve(known, self._lock_after(state) if entity == "value" else None)
        self._settle(entity, key, cur, res, known, user)

    def finish_local(self) -> None:
        """After this office's own write (a move, a decision, a row typed or imported):
        reconcile the touched rows' conflicts and write the values and conflict rows the
        rules buffered (an import's applier flushes its own, with its change log)."""
        self.reconcile()
        self.db.cursor().executemany(UPSERT_VALUE_SQL, list(self.value_rows.values()))
        self.book.flush(self.db)

    # --- writing rows ---

    def write_row(
        self,
        entity: str,
        key: str,
        state: dict[str, Any] | None,
        version: str,
        hlc: int,
        user: str,
    ) -> None:
        """Make the row ``state`` (values are buffered in ``value_rows`` for the flush)."""
        self.rows[(entity, key)] = Row(state, version, hlc)
        if state is None:
            return
        db = self.db
        if entity == "value":
            period = str(state["period"])
            if period not in self.periods:
                ensure_period(db, period, self.periods)
            self.value_rows[key] = value_params(state, version, hlc, user)
        elif entity == "village":
            write_village(db, state, version, hlc)
            self.villages.add(str(state["id"]))
        elif entity == "site":
            write_site(db, state, version, hlc)
        elif entity == "submission":
            ensure_period(db, str(state["period"]), self.periods)
            write_submission(db, state, version, hlc, user)
            self.moved(str(state["commune_id"]), str(state["period"]), str(state["state"]), hlc)
        elif entity == "target":
            write_target(db, state, version, hlc)


def relock_local_move(
    store: Store,
    commune: str,
    period: str,
    was: tuple[str, int],
    state: str,
    hlc: int,
) -> None:
    """A submission moved at this office from ``was`` (its state and HLC before) to
    ``state`` (HLC ``hlc``), inside the move's write transaction once the row is written:
    the values of a period that was or now is locked settle as they do at every receiver
    of that move (:meth:`RowMerger.moved`). Before, only the receivers relocked: a
    district that returned an approved period kept the approved value and the late
    edit's open conflict, while the province, once the return reached it, showed the
    edit and no conflict."""
    rows = RowMerger(store, my_level=store.reference.unit(store.node.office_id).level)
    rows.load()  # reads the submission row already moved: its lock as it was
    pair = (commune, period)
    rows.locks[pair], rows.lock_hlc[pair] = was
    rows.moved(commune, period, state, hlc)
    rows.finish_local()


def reconcile_local_writes(store: Store, rows: set[tuple[str, str]]) -> None:
    """Rows written at this office (``(entity, key text)``, inside the write's transaction,
    the change logged): those that have a conflict row get their conflicts reconciled
    with their versions, this write's included, as at every receiver of the write
    (:meth:`RowMerger.reconcile`). Before, only receivers did: a clerk who typed over a
    decision, settling her office's late clash with it, kept it open at her office while
    the district withdrew it (seed 78 of the convergence property, mix 'reviews'); an
    edit over one of two agreeing heads opened nothing here but a clash everywhere else.

    One indexed look-up per 200 rows (m0014); the rules' data is read only when a row
    has a conflict row. Published reference rows (:data:`REFERENCE_TABLES`) are left
    out: no receiver merges them, and a note on one (schema 13 as first written) made
    the province's next publication open a conflict there."""
    wanted = sorted(r for r in rows if r[0] not in REFERENCE_TABLES)
    conflicted: list[tuple[str, str]] = []
    for i in range(0, len(wanted), 200):
        chunk = wanted[i : i + 200]
        marks = ", ".join(["(?, ?)"] * len(chunk))
        conflicted += [
            (str(e), str(k))
            for e, k in store.db.execute_sql(
                f"SELECT DISTINCT c.entity, c.entity_key FROM (VALUES {marks}) w"
                " JOIN conflict c ON c.entity = w.column1 AND c.entity_key = w.column2",
                [x for r in chunk for x in r],
            )
        ]
    if not conflicted:
        return
    merger = RowMerger(store, my_level=store.reference.unit(store.node.office_id).level)
    merger.load()
    for entity, key in conflicted:
        merger.settle_row(entity, key, store.user)
    merger.touched_rows.update(conflicted)
    merger.finish_local()
