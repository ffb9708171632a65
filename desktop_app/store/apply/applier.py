"""The applier: a bundle's verified batches applied in the caller's ONE transaction.

Per (origin, epoch) stream, in seq order: skip what the cursor already
covers, quarantine what the signer may not write, park what follows a gap (or
names a village not here yet) in ``sync_backlog``, hand the rest to the row
rules of :class:`~desktop_app.store.apply.rules.RowMerger`; then advance the
cursors and flush the buffered change-log, audit and value rows.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from desktop_app.store.apply.rows import value_key_text, value_key_tuple
from desktop_app.store.apply.rules import RowMerger
from desktop_app.store.apply.types import (
    LOCKED,
    ApplyReport,
    Authorise,
    Batch,
    Change,
    Signer,
)
from desktop_app.store.changes import INSERT_AUDIT_SQL, INSERT_CHANGE_SQL, canonical_json, heads
from desktop_app.store.merge import same_writer_later
from desktop_app.store.reference_rows import (
    CATALOGUE_ENTITIES,
    REFERENCE_TABLES,
    read_reference,
    write_reference,
)
from desktop_app.store.repositories.values import UPSERT_VALUE_SQL
from desktop_app.store.store import Store

Stream = tuple[str, int]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while an apply builds its rows, or a decode
    its changes (:func:`desktop_app.sync.codec.decode_segment`).

    Every new object counts towards the collector's thresholds, so buffering
    100,000 changes' rows (change log, audit, values, the versions known) made it
    walk every object of the process again and again: a third of the apply's
    Python time on the bench (``bench/bench_apply.py``), and a third of a decode.
    Those rows and changes hold no cycle, so nothing is left for it to find; it
    resumes, if it was running, afterwards. With applies and decodes in several
    threads at once (the server), one that found the collector paused leaves it
    alone, and the one that paused it resumes it.
    """
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


Pending = tuple[Change, Signer, str | None]


def _key_from_state(c: Change) -> tuple[str, str, str, str] | None:
    """A value change's natural key from its parsed state, when the key text is exactly
    the canonical text of those four fields (as every writer makes it); else None, and
    the key text is parsed (:func:`value_key_tuple`). Building and comparing that text
    costs a third of parsing it, which was 0.8 s of a 100k-value apply."""
    s = c.parsed
    if s is None:
        return None
    org, period = s.get("org_id"), s.get("period")
    indicator, disagg = s.get("indicator"), s.get("disagg")
    if not (type(org) is str and type(period) is str):
        return None
    if not (type(indicator) is str and type(disagg) is str):
        return None
    text = value_key_text(org, period, indicator, disagg)
    return (org, period, indicator, disagg) if text == c.entity_key else None


class ChangeApplier(RowMerger):
    """Applies batches of received changes inside the caller's transaction."""

    def __init__(
        self, store: Store, authorise: Authorise, *, received_from: str, my_level: int
    ) -> None:
        super().__init__(store, my_level=my_level)
        self.authorise = authorise
        self.received_from = received_from
        self.vector: dict[Stream, int] = {}
        self.max_hlc: dict[str, int] = {}
        self.held_units: set[str] = set()
        self.catalogue_changed = False

    # --- set-up ---

    def load(self) -> None:
        """What the rules need, and the cursors."""
        super().load()
        for o, e, s in self.db.execute_sql("SELECT origin, epoch, seq FROM peer_cursor"):
            self.vector[(str(o), int(e))] = int(s)
        # own changes held in the change log; those above (an earlier epoch's, lost by a
        # restore and sent back) apply as received changes
        me = self.node.node_id
        for e, s in heads(self.db, me).items():
            self.vector[(me, e)] = max(self.vector.get((me, e), 0), s)
        parents = {
            str(i): (None if p is None else str(p))
            for i, p in self.db.execute_sql("SELECT id, parent_id FROM unit")
        }
        office = self.node.office_id
        self.held_units = set()  # the units whose rows this office holds (all: province)
        if self.my_level != 1:
            for unit in parents:
                cur: str | None = unit
                while cur is not None and cur != office and cur not in self.held_units:
                    cur = parents.get(cur)
                if cur is not None:
                    self.held_units.add(unit)
            cur = office
            while cur is not None:  # its ancestors' own rows (reference data, targets)
                self.held_units.add(cur)
                cur = parents.get(cur)
            from desktop_app.store.reform import taken_over

            # a 2025 commune's office holds the old communes it took over (the reform)
            self.held_units |= taken_over(self.store).get(office, set())

    def _prefetch_values(self, batches: list[Batch]) -> None:
        """Read, in a few queries, the value rows the batches name (by natural key).

        The (commune, period) pairs the batches write are marked prefetched:
        a value of such a pair that is not held there is known absent without
        a query (:meth:`RowMerger.current`). Only the rows the changes name are
        read, not every value of each pair.
        """
        pairs = {
            (c.scope_unit, c.period)
            for b in batches
            for c in b.changes
            if c.entity == "value" and c.period is not None
        }
        if not pairs:
            return
        self.prefetched.update((commune, str(period)) for commune, period in pairs)
        if not any(
            self.db.execute_sql(
                "SELECT 1 FROM data_value WHERE commune_id = ? AND period = ? LIMIT 1",
                (commune, period),
            ).fetchone()
            for commune, period in pairs
        ):
            self.prefetch_empty = True  # every value they name is new (a first import)
            return
        keys = self.prefetch_keys
        wanted: list[tuple[Any, ...]] = []
        for b in batches:
            for c in b.changes:
                if c.entity == "value" and c.entity_key not in keys:
                    t = _key_from_state(c) or value_key_tuple(c.entity_key)
                    keys[c.entity_key] = t
                    if t is not None:
                        wanted.append(t)
        self._fetch_values(wanted)
        self._prefetch_versions(batches)

    def _prefetch_versions(self, batches: list[Batch]) -> None:
        """Read, in a few queries, every logged version of the value rows whose change
        will not take the fast path (:meth:`RowMerger._merge`): a row here that the change
        does not descend from, a row that conflicted before, or a value of a locked
        period. One query per such row made 13,000 conflicting cells cost 13,000 reads.
        """
        rows = self.prefetched_rows
        conflicted = self.book.conflicted
        locked = {pair for pair, st in self.locks.items() if st in LOCKED}
        candidates: list[tuple[str, str]] = []
        for b in batches:
            for c in b.changes:
                if c.entity != "value":
                    continue
                t = self.prefetch_keys.get(c.entity_key)
                r = None if t is None else rows.get(t)
                row = ("value", c.entity_key)
                if r is not None:
                    version = str(r[8])
                    if version != c.base_version and not same_writer_later(version, c.version):
                        candidates.append(row)
                        continue
                if row in conflicted:
                    candidates.append(row)
                elif locked and c.parsed is not None:
                    pair = (str(c.parsed.get("commune_id")), str(c.parsed.get("period")))
                    if pair in locked or (pair[0], f"{pair[1]}Q4") in locked:
                        candidates.append(row)
        self.prefetch_known(candidates)

    def _pending(self, batches: list[Batch]) -> dict[Stream, dict[int, Pending]]:
        """The changes still to apply, per stream by seq: this import's and the backlog's."""
        pending: dict[Stream, dict[int, Pending]] = {}
        for batch in batches:
            for c in batch.changes:
                stream = (c.origin, c.epoch)
                own_now = c.origin == self.node.node_id and c.epoch == self.node.epoch
                if own_now or c.seq <= self.vector.get(stream, 0):
                    self.report.skipped += 1
                    continue
                pending.setdefault(stream, {})[c.seq] = (c, batch.signer, batch.refusal(c.seq))
        # streams with a backlog from earlier imports
        for o, e, s, text, signer in self.db.execute_sql(
            "SELECT origin, epoch, seq, change, signer FROM sync_backlog"
        ):
            stream = (str(o), int(e))
            if int(s) > self.vector.get(stream, 0):
                signer_obj, refused = Signer.from_json(str(signer))
                pending.setdefault(stream, {}).setdefault(
                    int(s), (Change.from_json(str(text)), signer_obj, refused)
                )
            else:
                self.db.execute_sql(
                    "DELETE FROM sync_backlog WHERE origin = ? AND epoch = ? AND seq = ?", (o, e, s)
                )
        return pending

    # --- main loop ---

    def apply(self, batches: list[Batch]) -> ApplyReport:
        """Apply the batches (in the caller's transaction) and return the report."""
        with collector_paused():
            return self._apply(batches)

    def _apply(self, batches: list[Batch]) -> ApplyReport:
        self.load()
        self._prefetch_values(batches)
        pending = self._pending(batches)
        start = {stream: self.vector.get(stream, 0) for stream in pending}
        blocked: dict[Stream, str] = {}
        # seqs this office quarantined past a stream's cursor: a take-back that held the
        # stream back over them (takeback._hold_stream); the replay passes them over again
        passed: dict[Stream, set[int]] = {}
        progress = True
        while progress:  # a change waiting for a village another stream creates retries
            progress = False
            for stream, waiting in pending.items():
                cursor = self.vector.get(stream, 0)
                while waiting:
                    if cursor + 1 not in waiting:
                        if stream not in passed:
                            passed[stream] = {
                                int(q[0])
                                for q in self.db.execute_sql(
                                    "SELECT seq FROM sync_quarantine"
                                    " WHERE origin = ? AND epoch = ? AND seq > ?",
                                    (stream[0], stream[1], cursor),
                                )
                            }
                        if cursor + 1 not in passed[stream]:
                            break
                        cursor += 1
                        progress = True
                        continue
                    c, signer, refused = waiting[cursor + 1]
                    if refused is not None:
                        self._quarantine(c, signer, refused)
                    else:
                        missing = self._one(c, signer)
                        if missing is not None:
                            blocked[stream] = missing
                            break
                    blocked.pop(stream, None)
                    del waiting[cursor + 1]
                    cursor += 1
                    progress = True
                self.vector[stream] = cursor
        for stream, waiting in pending.items():
            self._close_stream(stream, waiting, start[stream], blocked.get(stream))
        self.reconcile()
        self._flush()
        if self.catalogue_changed:  # the catalogue in force joins the archive (m0010)
            from desktop_app.store.repositories.reference import archive_catalogue

            archive_catalogue(self.db, "received", self.at)
        self._forget()
        return self.report

    def _forget(self) -> None:
        """Drop what the apply held (written now), before the collector runs again: it
        would walk every buffered row once more for nothing."""
        self.changes, self.audits, self.value_rows = [], [], {}
        self.rows, self.key_log, self.logged = {}, {}, {}
        self.prefetched, self.prefetched_rows, self.prefetch_keys = set(), {}, {}
        self.prefetch_empty = False
        self.keys_by_period, self.touched_rows = {}, set()

    def _close_stream(
        self, stream: Stream, waiting: dict[int, Pending], start: int, blocked: str | None
    ) -> None:
        """Move the stream's cursor, and park what still waits in the backlog."""
        cursor = self.vector[stream]
        if cursor != start:
            self.report.touched.add(stream)
            self.db.execute_sql(
                "INSERT INTO peer_cursor (origin, epoch, seq) VALUES (?, ?, ?)"
                " ON CONFLICT (origin, epoch) DO UPDATE SET seq = max(seq, excluded.seq)",
                (stream[0], stream[1], cursor),
            )
            self.db.execute_sql(
                "DELETE FROM sync_backlog WHERE origin = ? AND epoch = ? AND seq <= ?",
                (stream[0], stream[1], cursor),
            )
        if waiting:
            self.report.backlog += len(waiting)
            self.db.cursor().executemany(
                "INSERT OR IGNORE INTO sync_backlog (origin, epoch, seq, change, signer,"
                " received_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (c.origin, c.epoch, c.seq, c.to_json(), s.to_json(r), self.at)
                    for c, s, r in waiting.values()
                ],
            )
            why = blocked or f"waiting for seq {cursor + 1}"
            self._event("gap", stream[0], f"epoch {stream[1]}: {why}; {len(waiting)} held")

    def _flush(self) -> None:
        cur = self.db.cursor()
        cur.executemany(INSERT_CHANGE_SQL, self.changes)
        cur.executemany(INSERT_AUDIT_SQL, self.audits)
        cur.executemany(UPSERT_VALUE_SQL, list(self.value_rows.values()))
        self.book.flush(self.db)

    def _event(self, kind: str, node_id: str, detail: str) -> None:
        self.db.execute_sql(
            "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, ?, ?, ?)",
            (self.at, kind, node_id, detail),
        )

    def _quarantine(self, c: Change, signer: Signer, reason: str) -> None:
        self.report.quarantined += 1
        if len(self.report.reasons) < 20:
            self.report.reasons.append(reason)
        self.db.execute_sql(
            "INSERT OR IGNORE INTO sync_quarantine (origin, epoch, seq, entity, entity_key,"
            " scope_unit, period, reason, signer, received_from, received_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                c.origin,
                c.epoch,
                c.seq,
                c.entity,
                c.entity_key,
                c.scope_unit,
                c.period,
                reason,
                signer.office_id,
                self.received_from,
                self.at,
            ),
        )

    # --- one change ---

    def _one(self, c: Change, signer: Signer) -> str | None:
        """Apply (or quarantine) one change; returns what it waits for, without writing.

        A value or site naming a village this database does not hold yet waits
        (its village is created by another change, perhaps another author's,
        still on its way); the whole stream waits behind it in the backlog.
        """
        state: dict[str, Any] | None = (
            c.parsed if c.parsed is not None else (None if c.state is None else json.loads(c.state))
        )
        reason = self.authorise(c, signer, state)
        if reason is None:
            reason = self._references(c, state)
        if reason is not None:
            self._quarantine(c, signer, reason)
            return None
        if self.held_units and c.scope_unit not in self.held_units:
            # another office's row relayed inside an entitled author's segment (a district's
            # decision about a sibling commune): not held here, the stream moves on
            self.report.skipped += 1
            return None
        if c.entity in REFERENCE_TABLES:
            self._reference(c, state)
            return None
        village = None if state is None else state.get("village_id")
        if c.entity in ("value", "site") and village is not None and village not in self.villages:
            return f"waits for village {village}"
        if (
            c.entity == "value"
            and state is not None
            and state.get("indicator") not in (self.indicators)
        ):
            # typed against a newer catalogue whose publication has not arrived yet
            return f"waits for indicator {state.get('indicator')}"
        self.max_hlc[c.origin] = max(self.max_hlc.get(c.origin, 0), c.hlc)
        self.levels.setdefault(c.origin, signer.level)
        if c.entity == "decision":
            self._decision(c, state or {})
        else:
            self._merge(c, c.entity, c.entity_key, state, c.version)
        return None

    def _references(self, c: Change, state: dict[str, Any] | None) -> str | None:
        if c.entity == "value" and state is not None and not state.get("indicator"):
            return "a value without an indicator"
        return None

    def _reference(self, c: Change, state: dict[str, Any] | None) -> None:
        """Published reference data: only the province writes it, so it simply applies."""
        key = json.loads(c.entity_key)
        old = read_reference(self.db, c.entity, key)
        self.change_id += 1
        self.changes.append((self.change_id, *c.row()))
        self.audits.append(
            (
                self.at,
                c.user,
                "publish",
                c.entity,
                c.entity_key,
                None if old is None else canonical_json(old),
                None,  # the new state is the change's (see RowMerger._log)
                self.change_id,
            )
        )
        if state is not None:
            write_reference(self.db, c.entity, state, c.version)
        if c.entity == "indicator" and state is not None:
            self.indicators.add(str(state["code"]))
        if c.entity in CATALOGUE_ENTITIES or key == {"key": "catalogue_version"}:
            self.catalogue_changed = True
            self.store.reload_catalogue()  # read afresh (after commit) the next time
