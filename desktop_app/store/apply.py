"""The store-layer writer of received changes (sync import).

It is a repository-level writer like the others: for every received change it
writes the data row, the change-log row with the change's ORIGINAL
``(origin, epoch, seq)``, an audit row and the cursor advance, all inside the
caller's ONE transaction (:meth:`Store.transaction` joins an open one).

Rules (DESIGN §4), per change, in seq order per (origin, epoch):

* at or below the cursor → skipped (importing twice does nothing);
* after a gap → ``sync_backlog`` and a ``gap`` event; applied as soon as the
  gap fills (later in the same import, or in a later one); a value or site
  naming a village not here yet waits the same way, its stream behind it;
* refused by ``authorise`` (scope of its signer's certificate) or naming an
  unknown indicator → ``sync_quarantine`` (reported back), cursor moves on;
* otherwise, on the row's natural key: no row, or the change descends from
  the current version (same base, or a later change of the same writer) on a
  row that never conflicted → applied (the fast path of bulk imports);
* else the row is recomputed from EVERY version of it known here (change log,
  decisions, this import), so the result does not depend on arrival order:
  heads are the versions nothing else descends from; the highest-ranked head
  wins (office authority, then HLC, then node id); another head's changes
  relative to its latest common ancestor with the winner are merged when they
  touch other fields (logged ``merged``); the same field to different values,
  or delete against edit, is a hard conflict (both kept in ``conflict``,
  provisional winner as ranked, review queue of the office above);
* any value of an approved (commune, period) → hard conflict, the approved
  value stays;
* a reviewer's choice (:func:`decide_conflict`) is a new change of entity
  ``decision`` that descends from both versions it decided between.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from desktop_app.domain.periods import Period, PeriodError
from desktop_app.store.changes import canonical_json
from desktop_app.store.store import Store

LOCKED = ("approved", "accepted")


@dataclass(frozen=True, slots=True)
class Change:
    """One change as stored in the ``change`` table (key and state as canonical text)."""

    origin: str
    epoch: int
    seq: int
    entity: str
    entity_key: str
    scope_unit: str
    period: str | None
    state: str | None
    base_version: str | None
    hlc: int
    schema_version: int
    user: str
    # the state already parsed, when the reader had it at hand (never compared)
    parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def version(self) -> str:
        """``origin/epoch/seq``."""
        return f"{self.origin}/{self.epoch}/{self.seq}"

    def row(self) -> tuple[Any, ...]:
        """The values in ``change`` column order (without the local id)."""
        return (
            self.origin,
            self.epoch,
            self.seq,
            self.entity,
            self.entity_key,
            self.scope_unit,
            self.period,
            self.state,
            self.base_version,
            self.hlc,
            self.schema_version,
            self.user,
        )

    def to_json(self) -> str:
        """The change as one JSON text (for the backlog)."""
        return canonical_json(list(self.row()))

    @classmethod
    def from_json(cls, text: str) -> Change:
        """Inverse of :meth:`to_json`."""
        return cls(*json.loads(text))


CHANGE_COLUMNS = (
    "origin, epoch, seq, entity, entity_key, scope_unit, period, state, base_version, hlc,"
    " schema_version, user"
)


@dataclass(frozen=True)
class Signer:
    """Who signed a change: the author's node, office and level (1 province … 3 commune)."""

    node_id: str
    office_id: str
    level: int

    def to_json(self, refused: str | None = None) -> str:
        """For the backlog (with the reason when its whole segment is refused)."""
        return canonical_json([self.node_id, self.office_id, self.level, refused])

    @classmethod
    def from_json(cls, text: str) -> tuple[Signer, str | None]:
        """Inverse of :meth:`to_json`: the signer and the refusal, if any."""
        node, office, level, refused = json.loads(text)
        return cls(str(node), str(office), int(level)), refused


@dataclass
class Batch:
    """Changes of one verified segment, with its signer; ``refused`` quarantines them all."""

    changes: list[Change]
    signer: Signer
    refused: str | None = None


@dataclass
class ApplyReport:
    """What an import did."""

    applied: int = 0
    skipped: int = 0
    backlog: int = 0
    quarantined: int = 0
    conflicts: int = 0
    merged: int = 0
    reasons: list[str] = field(default_factory=list)
    touched: set[tuple[str, int]] = field(default_factory=set)


Authorise = Callable[[Change, Signer, dict[str, Any] | None], str | None]


@dataclass
class _Row:
    state: dict[str, Any] | None
    version: str
    hlc: int


def _version_parts(version: str) -> tuple[str, int, int]:
    origin, epoch, seq = version.rsplit("/", 2)
    return origin, int(epoch), int(seq)


class ChangeApplier:
    """Applies batches of received changes inside the caller's transaction."""

    def __init__(
        self, store: Store, authorise: Authorise, *, received_from: str, my_level: int
    ) -> None:
        self.store = store
        self.db = store.db
        self.authorise = authorise
        self.received_from = received_from
        self.my_level = my_level
        self.at = store.now_iso()
        self.node = store.node
        self.report = ApplyReport()
        self.vector: dict[tuple[str, int], int] = {}
        self.rows: dict[tuple[str, str], _Row | None] = {}
        self.value_rows: dict[str, tuple[Any, ...]] = {}
        self.prefetched: set[tuple[str, str]] = set()
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
        self.max_hlc: dict[str, int] = {}
        self.conflicted: set[tuple[str, str]] = set()
        self.any_lock = False
        self.key_log: dict[tuple[str, str], list[tuple[str, _Known]]] = {}

    # --- set-up ---

    def _load(self) -> None:
        db = self.db
        for o, e, s in db.execute_sql("SELECT origin, epoch, seq FROM peer_cursor"):
            self.vector[(str(o), int(e))] = int(s)
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
        self.conflicted = {
            (str(e), str(k)) for e, k in db.execute_sql("SELECT entity, entity_key FROM conflict")
        }

    def _prefetch_values(self, batches: list[Batch]) -> None:
        pairs = {
            (c.scope_unit, c.period)
            for b in batches
            for c in b.changes
            if c.entity == "value" and c.period is not None
        }
        for commune, period in pairs:
            for r in self.db.execute_sql(
                "SELECT org_id, commune_id, village_id, period, indicator, disagg, value,"
                " comment, version, hlc FROM data_value WHERE commune_id = ? AND period = ?",
                (commune, period),
            ):
                state = {
                    "comment": r[7],
                    "commune_id": r[1],
                    "disagg": r[5],
                    "indicator": r[4],
                    "org_id": r[0],
                    "period": r[3],
                    "value": r[6],
                    "village_id": r[2],
                }
                key = canonical_json(
                    {"disagg": r[5], "indicator": r[4], "org_id": r[0], "period": r[3]}
                )
                self.rows[("value", key)] = _Row(state, str(r[8]), int(r[9]))
            self.prefetched.add((commune, str(period)))

    # --- main loop ---

    def apply(self, batches: list[Batch]) -> ApplyReport:
        """Apply the batches (in the caller's transaction) and return the report."""
        self._load()
        self._prefetch_values(batches)
        pending: dict[tuple[str, int], dict[int, tuple[Change, Signer, str | None]]] = {}
        for batch in batches:
            for c in batch.changes:
                stream = (c.origin, c.epoch)
                if c.origin == self.node.node_id or c.seq <= self.vector.get(stream, 0):
                    self.report.skipped += 1
                    continue
                pending.setdefault(stream, {})[c.seq] = (c, batch.signer, batch.refused)
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
        start = {stream: self.vector.get(stream, 0) for stream in pending}
        blocked: dict[tuple[str, int], str] = {}
        progress = True
        while progress:  # a change waiting for a village another stream creates retries
            progress = False
            for stream, waiting in pending.items():
                cursor = self.vector.get(stream, 0)
                while cursor + 1 in waiting:
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
            cursor = self.vector[stream]
            if cursor != start[stream]:
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
                why = blocked.get(stream) or f"waiting for seq {cursor + 1}"
                self._event("gap", stream[0], f"epoch {stream[1]}: {why}; {len(waiting)} held")
        self._flush()
        return self.report

    def _flush(self) -> None:
        cur = self.db.cursor()
        cur.executemany(
            f"INSERT INTO change (id, {CHANGE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
            " ?, ?)",
            self.changes,
        )
        cur.executemany(
            "INSERT INTO audit (at, user, action, entity, entity_key, old, new, change_id)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            self.audits,
        )
        cur.executemany(
            "INSERT INTO data_value (org_id, commune_id, village_id, period, indicator,"
            " disagg, value, comment, version, hlc, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (org_id, period, indicator, disagg) DO UPDATE SET"
            " value = excluded.value, comment = excluded.comment,"
            " version = excluded.version, hlc = excluded.hlc,"
            " updated_by = excluded.updated_by",
            list(self.value_rows.values()),
        )

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
        state = (
            c.parsed if c.parsed is not None else (None if c.state is None else json.loads(c.state))
        )
        reason = self.authorise(c, signer, state)
        if reason is None:
            reason = self._references(c, state)
        if reason is not None:
            self._quarantine(c, signer, reason)
            return None
        village = None if state is None else state.get("village_id")
        if c.entity in ("value", "site") and village is not None and village not in self.villages:
            return f"waits for village {village}"
        self.max_hlc[c.origin] = max(self.max_hlc.get(c.origin, 0), c.hlc)
        self.levels.setdefault(c.origin, signer.level)
        if c.entity == "decision":
            self._decision(c, state or {})
        else:
            self._merge(c, c.entity, c.entity_key, state, c.version)
        return None

    def _references(self, c: Change, state: dict[str, Any] | None) -> str | None:
        if c.entity != "value" or state is None:
            return None
        if state.get("indicator") not in self.indicators:
            return f"unknown indicator {state.get('indicator')}"
        return None

    def _current(self, entity: str, key: str, state: dict[str, Any] | None = None) -> _Row | None:
        cache_key = (entity, key)
        if cache_key in self.rows:
            return self.rows[cache_key]
        if (
            entity == "value"
            and state is not None
            and (state.get("commune_id"), state.get("period")) in self.prefetched
        ):
            return None
        row = self._read_row(entity, json.loads(key))
        self.rows[cache_key] = row
        return row

    def _read_row(self, entity: str, key: dict[str, Any]) -> _Row | None:
        db = self.db
        if entity == "value":
            r = db.execute_sql(
                "SELECT org_id, commune_id, village_id, period, indicator, disagg, value,"
                " comment, version, hlc FROM data_value WHERE org_id = ? AND period = ?"
                " AND indicator = ? AND disagg = ?",
                (key["org_id"], key["period"], key["indicator"], key["disagg"]),
            ).fetchone()
            if r is None:
                return None
            return _Row(
                {
                    "comment": r[7],
                    "commune_id": r[1],
                    "disagg": r[5],
                    "indicator": r[4],
                    "org_id": r[0],
                    "period": r[3],
                    "value": r[6],
                    "village_id": r[2],
                },
                str(r[8]),
                int(r[9]),
            )
        if entity == "village":
            r = db.execute_sql(
                "SELECT id, commune_id, name, sort_order, active, demo, version, hlc FROM village"
                " WHERE id = ?",
                (key["id"],),
            ).fetchone()
            if r is None:
                return None
            state = {
                "id": r[0],
                "commune_id": r[1],
                "name": r[2],
                "sort_order": r[3],
                "active": bool(r[4]),
                "demo": bool(r[5]),
            }
            return _Row(state, str(r[6]), int(r[7]))
        if entity == "site":
            r = db.execute_sql(
                "SELECT id, site_type, commune_id, village_id, name, operator, technologies,"
                " shared, lat, lon, status, start_date, end_date, notes, deleted, version, hlc"
                " FROM site WHERE id = ?",
                (key["id"],),
            ).fetchone()
            if r is None:
                return None
            names = (
                "id site_type commune_id village_id name operator technologies shared lat lon"
                " status start_date end_date notes deleted"
            ).split()
            state = dict(zip(names, r[:15], strict=True))
            state["technologies"] = [t for t in str(r[6]).split("|") if t]
            state["shared"] = bool(r[7])
            state["deleted"] = bool(r[14])
            return _Row(state, str(r[15]), int(r[16]))
        if entity == "submission":
            r = db.execute_sql(
                "SELECT commune_id, period, state, reason, version, hlc FROM submission"
                " WHERE commune_id = ? AND period = ?",
                (key["commune_id"], key["period"]),
            ).fetchone()
            if r is None:
                return None
            state = {"commune_id": r[0], "period": r[1], "state": r[2], "reason": r[3]}
            return _Row(state, str(r[4]), int(r[5]))
        if entity == "target":
            r = db.execute_sql(
                "SELECT unit_id, year, indicator, value, version, hlc FROM target"
                " WHERE unit_id = ? AND year = ? AND indicator = ?",
                (key["unit_id"], key["year"], key["indicator"]),
            ).fetchone()
            if r is None:
                return None
            state = {"unit_id": r[0], "year": r[1], "indicator": r[2], "value": r[3]}
            return _Row(state, str(r[4]), int(r[5]))
        return None

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
        found = [
            self.lock_hlc.get((commune, p), 0)
            for p in ((period,) if "Q" in period else (period, f"{period}Q4"))
            if self.locks.get((commune, p)) in LOCKED
        ]
        return min(found) if found else None

    def _known(self, entity: str, key: str) -> dict[str, _Known]:
        """Every version of this row held here: the change log, decisions, this import."""
        known: dict[str, _Known] = {}
        for o, e, q, base, state, hlc in self.db.execute_sql(
            "SELECT origin, epoch, seq, base_version, state, hlc FROM change"
            " WHERE entity = ? AND entity_key = ?",
            (entity, key),
        ):
            parents = (base,) if base else ()
            known[f"{o}/{e}/{q}"] = _Known(
                parents, None if state is None else json.loads(state), int(hlc), str(o)
            )
        for o, e, q, base, state, hlc in self.db.execute_sql(
            "SELECT origin, epoch, seq, base_version, state, hlc FROM change"
            " WHERE entity = 'decision' AND entity_key = ?",
            (canonical_json({"entity": entity, "key": key}),),
        ):
            known[f"{o}/{e}/{q}"] = _decision_known(base, json.loads(state), int(hlc), str(o))
        for version, item in self.key_log.get((entity, key), []):
            known[version] = item
        return known

    def _rank(self, version: str, hlc: int) -> tuple[int, int, str]:
        origin = _version_parts(version)[0]
        return (-self.levels.get(origin, 3), hlc, origin)

    def _resolve(self, known: dict[str, _Known], lock_after: int | None = None) -> _Resolution:
        """The row's state as a pure function of the versions known (any arrival order).

        Heads are the versions no other known version descends from (through its
        base, a decision's ``supersedes``, or a later change of the same writer).
        The highest-ranked head wins (office authority, then HLC, then node id);
        each other head's changes relative to its latest common ancestor with the
        winner are merged in when they touch fields the winner left alone; the
        same field changed to different values, or delete against edit, is a
        hard conflict and the winner's state stands. With ``lock_after`` (an
        approved period) a commune's versions later than the approval are left
        out (``late``): the approved value stays.
        """
        late = [
            v
            for v, k in known.items()
            if lock_after is not None and k.hlc > lock_after and self.levels.get(k.origin, 3) >= 3
        ]
        if late:
            known = {v: k for v, k in known.items() if v not in late}
        if not known:
            return _Resolution([], "", None, [], [], late)
        ancestors = _ancestry(known)
        below: set[str] = set().union(*ancestors.values()) if ancestors else set()
        heads = sorted(
            (v for v in known if v not in below),
            key=lambda v: self._rank(v, known[v].hlc),
            reverse=True,
        )
        winner = heads[0]
        first = known[winner].state
        result = None if first is None else dict(first)
        clashes: list[str] = []
        merged: list[str] = []
        for other in heads[1:]:
            common = ancestors[winner] & ancestors[other]
            base_v = max(
                (v for v in common if v in known),
                key=lambda v: (known[v].hlc, v),
                default=None,
            )
            base = (known[base_v].state or {}) if base_v is not None else {}
            mine = known[other].state
            if result is None or mine is None:
                if (result or {}) != (mine or {}):
                    clashes.append(other)
                continue
            w_diff = {k: v for k, v in result.items() if base.get(k, _MISSING) != v}
            o_diff = {k: v for k, v in mine.items() if base.get(k, _MISSING) != v}
            w_del = bool(w_diff.get("deleted"))
            o_del = bool(o_diff.get("deleted"))
            edits_w = {k for k in w_diff if k != "deleted"}
            edits_o = {k for k in o_diff if k != "deleted"}
            if (
                any(k in w_diff and w_diff[k] != v for k, v in o_diff.items())
                or (w_del and edits_o and not o_del)
                or (o_del and edits_w and not w_del)
            ):
                clashes.append(other)
            elif any(k not in w_diff for k in o_diff):
                result.update({k: v for k, v in o_diff.items() if k not in w_diff})
                merged.append(other)
        return _Resolution(heads, winner, result, clashes, merged, late)

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
        cur = self._current(entity, key, state)
        lock_after = (
            self._lock_after(state or (cur.state if cur else None)) if entity == "value" else None
        )
        base = c.base_version
        fast = lock_after is None and (
            cur is None
            or (
                (entity, key) not in self.conflicted
                and (cur.version == base or self._same_writer_later(cur.version, version))
            )
        )
        if fast:
            self._write(entity, key, state, version, c.hlc, c.user)
            self._log(c, cur, "sync", entity, key, state, decision)
            self.report.applied += 1
            return
        if cur is not None and cur.version == version:
            self._log(c, cur, "sync-seen", entity, key, state, decision)
            return
        known = self._known(entity, key)
        known[version] = (
            _decision_known(base, decision, c.hlc, c.origin)
            if decision is not None
            else _Known((base,) if base else (), state, c.hlc, c.origin)
        )
        res = self._resolve(known, lock_after)
        late = version in res.late
        self._log(c, cur, "sync-locked" if late else "sync", entity, key, state, decision)
        if late:
            self._conflict(
                entity, key, cur, state, version, "local", "open", winner_version=res.winner
            )
        elif version not in res.heads:
            return  # superseded by a version already here
        elif version in res.clashes or (res.winner == version and res.clashes):
            self._conflict(
                entity,
                key,
                cur,
                state,
                version,
                "remote" if res.winner == version else "local",
                "open",
                winner_version=res.winner,
            )
        elif version in res.merged or (res.winner == version and res.merged):
            self._conflict(
                entity, key, cur, state, version, "merged", "merged", winner_version=res.winner
            )
        self._settle(entity, key, cur, res, known, c.user)

    def _settle(
        self,
        entity: str,
        key: str,
        cur: _Row | None,
        res: _Resolution,
        known: dict[str, _Known],
        user: str,
    ) -> None:
        """Make the row what the resolution says (write, or remove a late-only value)."""
        if not res.winner:
            if cur is not None and cur.state is not None and entity == "value":
                self.rows[(entity, key)] = None
                self.value_rows.pop(key, None)
                k = json.loads(key)
                self.db.execute_sql(
                    "DELETE FROM data_value WHERE org_id = ? AND period = ? AND indicator = ?"
                    " AND disagg = ?",
                    (k["org_id"], k["period"], k["indicator"], k["disagg"]),
                )
                self.report.applied += 1
            return
        if cur is not None and res.state == cur.state and res.winner == cur.version:
            return
        self._write(entity, key, res.state, res.winner, known[res.winner].hlc, user)
        self.report.applied += 1

    def _relock(self, commune: str, period: str, threshold: int) -> None:
        """A period was approved, returned or accepted: recompute its values edited after."""
        periods = [period] if not period.endswith("Q4") else [period, period[:4]]
        for p in periods:
            keys = {
                str(r[0])
                for r in self.db.execute_sql(
                    "SELECT DISTINCT entity_key FROM change WHERE entity = 'value'"
                    " AND scope_unit = ? AND period = ? AND hlc > ?",
                    (commune, p, threshold),
                )
            } | self.keys_by_period.get((commune, p), set())
            for key in sorted(keys):
                cur = self._current("value", key)
                state = cur.state if cur is not None else {"commune_id": commune, "period": p}
                known = self._known("value", key)
                if not known:
                    continue
                lock_after = self._lock_after(state)
                res = self._resolve(known, lock_after)
                if cur is not None and cur.version in res.late:
                    self._conflict(
                        "value",
                        key,
                        None,
                        cur.state,
                        cur.version,
                        "local",
                        "open",
                        winner_version=res.winner,
                    )
                self._settle("value", key, cur, res, known, "sync")

    def _same_writer_later(self, current: str, incoming: str) -> bool:
        o1, e1, s1 = _version_parts(current)
        o2, e2, s2 = _version_parts(incoming)
        return o1 == o2 and e1 == e2 and s1 < s2

    def _conflict(
        self,
        entity: str,
        key: str,
        cur: _Row | None,
        state: dict[str, Any] | None,
        version: str,
        winner: str,
        status: str,
        *,
        winner_version: str | None = None,
    ) -> None:
        self.conflicted.add((entity, key))
        if status == "merged":
            self.report.merged += 1
        else:
            self.report.conflicts += 1
        if winner_version is None:
            winner_version = {"local": cur.version if cur else "", "remote": version}.get(
                winner, version
            )
        self.db.execute_sql(
            "INSERT INTO conflict (entity, entity_key, local_version, remote_version,"
            " local_state, remote_state, winner, status, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entity,
                key,
                None if cur is None else cur.version,
                version,
                None if cur is None or cur.state is None else canonical_json(cur.state),
                None if state is None else canonical_json(state),
                winner_version,
                status,
                self.at,
            ),
        )

    def _log(
        self,
        c: Change,
        cur: _Row | None,
        action: str,
        entity: str,
        key: str,
        state: dict[str, Any] | None,
        decision: dict[str, Any] | None,
    ) -> None:
        self.change_id += 1
        self.changes.append((self.change_id, *c.row()))
        old = None if cur is None or cur.state is None else canonical_json(cur.state)
        self.audits.append(
            (self.at, c.user, action, c.entity, c.entity_key, old, c.state, self.change_id)
        )
        item = (
            _decision_known(c.base_version, decision, c.hlc, c.origin)
            if decision is not None
            else _Known((c.base_version,) if c.base_version else (), state, c.hlc, c.origin)
        )
        self.key_log.setdefault((entity, key), []).append((c.version, item))
        if entity == "value" and state is not None:
            pair = (str(state.get("commune_id")), str(state.get("period")))
            self.keys_by_period.setdefault(pair, set()).add(key)

    def _decision(self, c: Change, doc: dict[str, Any]) -> None:
        entity, key, chosen = str(doc["entity"]), str(doc["key"]), doc.get("state")
        self._merge(c, entity, key, chosen, c.version, decision=doc)
        self.db.execute_sql(
            "UPDATE conflict SET status = 'resolved', resolved_by = ?, resolution_version = ?"
            " WHERE entity = ? AND entity_key = ? AND status = 'open'",
            (c.user, c.version, entity, key),
        )

    # --- writing rows ---

    def _write(
        self,
        entity: str,
        key: str,
        state: dict[str, Any] | None,
        version: str,
        hlc: int,
        user: str,
    ) -> None:
        self.rows[(entity, key)] = _Row(state, version, hlc)
        if state is None:
            return
        db = self.db
        if entity == "value":
            self._ensure_period(str(state["period"]))
            self.value_rows[key] = (
                state["org_id"],
                state["commune_id"],
                state["village_id"],
                state["period"],
                state["indicator"],
                state["disagg"],
                state["value"],
                state["comment"],
                version,
                hlc,
                user,
            )
        elif entity == "village":
            db.execute_sql(
                "INSERT INTO village (id, commune_id, name, sort_order, active, demo, version, hlc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
                " name = excluded.name, sort_order = excluded.sort_order,"
                " active = excluded.active, version = excluded.version, hlc = excluded.hlc",
                (
                    state["id"],
                    state["commune_id"],
                    state["name"],
                    state["sort_order"],
                    int(bool(state["active"])),
                    int(bool(state.get("demo", False))),
                    version,
                    hlc,
                ),
            )
            self.villages.add(str(state["id"]))
        elif entity == "site":
            db.execute_sql(
                "INSERT OR REPLACE INTO site (id, site_type, commune_id, village_id, name,"
                " operator, technologies, shared, lat, lon, status, start_date, end_date, notes,"
                " deleted, version, hlc)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    state["id"],
                    state["site_type"],
                    state["commune_id"],
                    state["village_id"],
                    state["name"],
                    state["operator"],
                    "|".join(state["technologies"]),
                    int(bool(state["shared"])),
                    state["lat"],
                    state["lon"],
                    state["status"],
                    state["start_date"],
                    state["end_date"],
                    state["notes"],
                    int(bool(state["deleted"])),
                    version,
                    hlc,
                ),
            )
        elif entity == "submission":
            self._ensure_period(str(state["period"]))
            db.execute_sql(
                "INSERT INTO submission (commune_id, period, state, reason, updated_by, version,"
                " hlc) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (commune_id, period) DO UPDATE"
                " SET state = excluded.state, reason = excluded.reason,"
                " updated_by = excluded.updated_by, version = excluded.version,"
                " hlc = excluded.hlc",
                (
                    state["commune_id"],
                    state["period"],
                    state["state"],
                    state["reason"],
                    user,
                    version,
                    hlc,
                ),
            )
            pair = (str(state["commune_id"]), str(state["period"]))
            was = self.locks.get(pair) in LOCKED
            before = self.lock_hlc.get(pair, hlc)
            self.locks[pair] = str(state["state"])
            self.lock_hlc[pair] = hlc
            now_locked = str(state["state"]) in LOCKED
            self.any_lock = self.any_lock or now_locked
            if was or now_locked:
                self._relock(pair[0], pair[1], min(before, hlc) if was else hlc)
        elif entity == "target":
            db.execute_sql(
                "INSERT INTO target (unit_id, year, indicator, value, version, hlc)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (unit_id, year, indicator) DO UPDATE"
                " SET value = excluded.value, version = excluded.version, hlc = excluded.hlc",
                (
                    state["unit_id"],
                    state["year"],
                    state["indicator"],
                    float(state["value"]),
                    version,
                    hlc,
                ),
            )

    def _ensure_period(self, code: str) -> None:
        if code in self.periods:
            return
        try:
            p = Period.parse(code)
        except (PeriodError, ValueError):
            return
        self.db.execute_sql(
            "INSERT OR IGNORE INTO period (code, kind, year, quarter, start_date, end_date)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (p.code, p.kind, p.year, p.quarter, p.start.isoformat(), p.end.isoformat()),
        )
        self.periods.add(code)


class _Missing:
    pass


_MISSING = _Missing()


class _Known(NamedTuple):
    """One version of a row: what it descends from, its state, HLC and author."""

    parents: tuple[str, ...]
    state: dict[str, Any] | None
    hlc: int
    origin: str


@dataclass(frozen=True)
class _Resolution:
    heads: list[str]
    winner: str
    state: dict[str, Any] | None
    clashes: list[str]
    merged: list[str]
    late: list[str]


def _decision_known(base: str | None, doc: dict[str, Any], hlc: int, origin: str) -> _Known:
    """A decision descends from its base and from both versions it decided between."""
    parents = tuple(str(p) for p in (base, *doc.get("supersedes", ())) if p)
    state = doc.get("state")
    return _Known(parents, None if state is None else dict(state), hlc, origin)


def _ancestry(known: dict[str, _Known]) -> dict[str, set[str]]:
    """Each known version's ancestors (bases, superseded, same writer's earlier changes)."""
    by_writer: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for v in known:
        o, e, q = _version_parts(v)
        by_writer.setdefault((o, e), []).append((q, v))
    out: dict[str, set[str]] = {}
    for v in known:
        seen: set[str] = set()
        stack = [v]
        while stack:
            x = stack.pop()
            parents = list(known[x].parents) if x in known else []
            o, e, q = _version_parts(x)
            parents += [w for n, w in by_writer.get((o, e), []) if n < q]
            for p in parents:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        out[v] = seen
    return out


def report_hlc(store: Store, max_hlc: dict[str, int]) -> list[str]:
    """Merge the received HLC times into the node's clock; flag origins > 24 h ahead."""
    from desktop_app.domain import hlc as hlc_clock

    flagged: list[str] = []
    if not max_hlc:
        return flagged
    row = store.db.execute_sql("SELECT hlc_wall, hlc_counter, node_id FROM node").fetchone()
    clock = hlc_clock.HybridClock(hlc_clock.Timestamp(int(row[0]), int(row[1]), str(row[2])))
    now_ms = int(store.clock() * 1000)
    for origin, packed in sorted(max_hlc.items()):
        result = clock.receive(hlc_clock.unpack(packed, origin), now_ms)
        if result.skewed:
            flagged.append(origin)
            office = store.db.execute_sql(
                "SELECT office_id FROM sync_node WHERE node_id = ?", (origin,)
            ).fetchone()
            store.db.execute_sql(
                "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, ?, ?, ?)",
                (
                    store.now_iso(),
                    "clock_skew",
                    origin,
                    f"{office[0] if office else origin}: clock ahead by "
                    f"{(packed >> 16) - now_ms} ms",
                ),
            )
    state = clock.state
    store.db.execute_sql(
        "UPDATE node SET hlc_wall = ?, hlc_counter = ?", (state.wall_ms, state.counter)
    )
    return flagged


def decide_conflict(
    store: Store,
    conflict_id: int,
    choice: str,
    *,
    user: str | None = None,
    state: dict[str, Any] | None = None,
    comment: str = "",
) -> str:
    """The reviewer's choice on a hard conflict, written as a NEW change (entity ``decision``).

    ``choice`` is ``"local"`` or ``"remote"`` (the two states kept in the conflict
    row), or ``"other"`` with ``state``: a third state the reviewer typed (the
    row's full state, same shape as the two kept ones). ``comment`` travels with
    the decision. Only the office above the commune (or the province) decides.
    The decision travels like any change; every receiver applies the chosen
    state and closes its own copy of the conflict. Returns the decision's version.
    """
    from desktop_app.store.changes import Entry
    from desktop_app.store.errors import InvalidValueError, OutOfScopeError

    row = store.db.execute_sql(
        "SELECT entity, entity_key, local_state, remote_state, local_version, remote_version,"
        " status FROM conflict WHERE id = ?",
        (conflict_id,),
    ).fetchone()
    if row is None or row[6] != "open":
        raise InvalidValueError(reason=f"no open conflict {conflict_id}")
    if choice not in ("local", "remote", "other") or (choice == "other" and state is None):
        raise InvalidValueError(reason=f"choose local, remote or another state, not {choice!r}")
    entity, key = str(row[0]), str(row[1])
    chosen_text = row[2] if choice == "local" else row[3]
    chosen = None if chosen_text is None else dict(json.loads(chosen_text))
    if state is not None:
        kept = dict(json.loads(row[3] or row[2] or "{}"))
        identity = ("id", "org_id", "commune_id", "village_id", "period", "indicator", "disagg")
        if set(state) != set(kept) or any(state[k] != kept[k] for k in identity if k in kept):
            raise InvalidValueError(reason="the decided state must describe the same row")
        chosen = dict(state)
    sample = chosen or dict(json.loads(row[3] or row[2] or "{}"))
    unit = str(sample.get("commune_id") or sample.get("unit_id") or "")
    office = store.node.office_id
    level_row = store.db.execute_sql("SELECT level FROM unit WHERE id = ?", (office,)).fetchone()
    parent = store.db.execute_sql("SELECT parent_id FROM unit WHERE id = ?", (unit,)).fetchone()
    if level_row is None or not (
        int(level_row[0]) == 1 or (parent is not None and parent[0] == office)
    ):
        raise OutOfScopeError(unit=unit)
    actor = store.local_actor()
    if user is not None:
        from dataclasses import replace

        actor = replace(actor, user=user)
    applier = ChangeApplier(store, lambda c, s, st: None, received_from=office, my_level=1)
    with store.write(actor) as ctx:
        applier._load()
        cur = applier._current(entity, key)
        doc: dict[str, Any] = {
            "entity": entity,
            "key": key,
            "state": chosen,
            "supersedes": [v for v in (row[4], row[5]) if v],
        }
        if comment:
            doc["comment"] = comment
        ref = ctx.log(
            Entry(
                "decision",
                {"entity": entity, "key": key},
                unit,
                None if chosen is None else chosen.get("period"),
                doc,
                None if cur is None else cur.state,
                None if cur is None else cur.version,
                "decide",
            )
        )
        applier._write(entity, key, chosen, ref.version, ref.hlc, actor.user)
        cur_db = store.db.cursor()
        cur_db.executemany(
            "INSERT INTO data_value (org_id, commune_id, village_id, period, indicator,"
            " disagg, value, comment, version, hlc, updated_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (org_id, period, indicator, disagg) DO UPDATE SET"
            " value = excluded.value, comment = excluded.comment,"
            " version = excluded.version, hlc = excluded.hlc,"
            " updated_by = excluded.updated_by",
            list(applier.value_rows.values()),
        )
        store.db.execute_sql(
            "UPDATE conflict SET status = 'resolved', resolved_by = ?, resolution_version = ?"
            " WHERE entity = ? AND entity_key = ? AND status = 'open'",
            (actor.user, ref.version, entity, key),
        )
    return ref.version
