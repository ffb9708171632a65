"""Submissions: each (commune, period) goes draft → submitted → approved/returned → accepted."""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain.periods import Period
from desktop_app.store.changes import Actor, Entry
from desktop_app.store.errors import InvalidValueError, OutOfScopeError
from desktop_app.store.repositories.base import Repository

ENTITY = "submission"
STATES = ("draft", "submitted", "approved", "returned", "accepted")
# state -> states it may move to, and the office level allowed to move it there
_MOVES: dict[str, dict[str, int]] = {
    "draft": {"submitted": 3},
    "returned": {"submitted": 3},
    # the commune takes a submitted period back to edit it (asked first, logged like any move)
    "submitted": {"approved": 2, "returned": 2, "draft": 3},
    "approved": {"accepted": 1, "returned": 2},
    "accepted": {},
}


@dataclass(frozen=True)
class Submission:
    """The review state of one commune's period."""

    commune_id: str
    period: str
    state: str
    reason: str
    updated_by: str
    version: str
    #: the catalogue version the period was locked under (approved or accepted): the
    #: approver's catalogue in force, carried in the change so every replica reports
    #: the locked period alike; "" while open, or for a lock older than schema 10
    catalogue_version: str = ""


class SubmissionRepository(Repository):
    """Reads and moves submissions; who may move what is checked here."""

    def get(self, commune_id: str, period: str) -> Submission:
        """The submission, or a draft when nothing was ever submitted."""
        r = self.db.execute_sql(
            "SELECT commune_id, period, state, reason, updated_by, version,"
            " COALESCE(catalogue_version, '') FROM submission"
            " WHERE commune_id = ? AND period = ?",
            (commune_id, period),
        ).fetchone()
        if r is None:
            return Submission(commune_id, period, "draft", "", "", "")
        return Submission(*r)

    def for_period(self, period: str) -> dict[str, Submission]:
        """Every recorded submission of a period, by commune."""
        rows = self.db.execute_sql(
            "SELECT commune_id, period, state, reason, updated_by, version,"
            " COALESCE(catalogue_version, '') FROM submission"
            " WHERE period = ?",
            (period,),
        ).fetchall()
        return {r[0]: Submission(*r) for r in rows}

    def move(
        self,
        commune_id: str,
        period: str,
        state: str,
        *,
        reason: str = "",
        actor: Actor | None = None,
    ) -> Submission:
        """Move a submission to ``state`` (returning needs a reason)."""
        # imported here: the package of the sync engine costs ~16 ms, and the window's
        # start reads submissions (the entry page, the status bar) but moves none
        from desktop_app.store.apply.types import LOCKED

        actor = actor or self.store.local_actor()
        current = self.get(commune_id, period)
        allowed = _MOVES.get(current.state, {})
        if state not in allowed:
            raise InvalidValueError(reason=f"cannot go from {current.state} to {state}")
        if state == "returned" and not reason.strip():
            raise InvalidValueError(reason="a returned period needs a reason")
        self._check_actor(actor, commune_id, allowed[state])
        parsed = Period.parse(period)
        # an approval locks the period with the catalogue its approver holds now; the
        # province's acceptance keeps that lock's catalogue; any other state is open
        locked_under = ""
        if state == "approved":
            locked_under = self.store.reference.meta("catalogue_version") or ""
        elif state == "accepted":
            locked_under = current.catalogue_version
        new = Submission(commune_id, period, state, reason.strip(), actor.user, "", locked_under)
        with self.store.write(actor) as ctx:
            self.ensure_period(parsed)
            state_doc = {
                "commune_id": commune_id,
                "period": period,
                "state": state,
                "reason": new.reason,
            }
            if locked_under:
                state_doc["catalogue_version"] = locked_under
            old_doc = None
            if current.version:
                old_doc = {
                    "commune_id": commune_id,
                    "period": period,
                    "state": current.state,
                    "reason": current.reason,
                }
                if current.catalogue_version:
                    old_doc["catalogue_version"] = current.catalogue_version
            ref = ctx.log(
                Entry(
                    ENTITY,
                    {"commune_id": commune_id, "period": period},
                    commune_id,
                    period,
                    state_doc,
                    old_doc,
                    current.version or None,
                    state,
                )
            )
            was_hlc = 0
            if current.state in LOCKED or state in LOCKED:
                row = self.db.execute_sql(
                    "SELECT hlc FROM submission WHERE commune_id = ? AND period = ?",
                    (commune_id, period),
                ).fetchone()
                was_hlc = 0 if row is None else int(row[0])
            self.db.execute_sql(
                "INSERT INTO submission (commune_id, period, state, reason, updated_by, version,"
                " hlc, catalogue_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (commune_id, period) DO UPDATE"
                " SET state = excluded.state, reason = excluded.reason,"
                " updated_by = excluded.updated_by, version = excluded.version,"
                " hlc = excluded.hlc, catalogue_version = excluded.catalogue_version",
                (
                    commune_id,
                    period,
                    state,
                    new.reason,
                    actor.user,
                    ref.version,
                    ref.hlc,
                    locked_under or None,
                ),
            )
            if current.state in LOCKED or state in LOCKED:
                # the values edited after a lock settle here as at the move's receivers
                from desktop_app.store.apply.rules import relock_local_move

                relock_local_move(
                    self.store, commune_id, period, (current.state, was_hlc), state, ref.hlc
                )
        return self.get(commune_id, period)

    def _check_actor(self, actor: Actor, commune_id: str, level: int) -> None:
        name, _, parent = self.unit_row(commune_id)
        if level == 3:
            ok = actor.office_id == commune_id
            if not ok:  # a 2025 commune's office also submits the old communes it took over
                from desktop_app.store.reform import allowed_units

                ok = commune_id in allowed_units(self.store, actor.office_id)
        elif level == 2:
            ok = actor.office_id == parent
            if not ok and parent is not None and self.unit_row(parent)[1] == 1:
                # the 2025 structure has no district: the province reviews its communes
                ok = self._is_province_of(actor.office_id, commune_id)
        else:
            ok = self._is_province_of(actor.office_id, commune_id)
        if not ok:
            raise OutOfScopeError(unit=name)

    def _is_province_of(self, office_id: str, unit_id: str) -> bool:
        current: str | None = unit_id
        while current is not None:
            if current == office_id:
                return True
            row = self.db.execute_sql("SELECT parent_id FROM unit WHERE id = ?", (current,))
            found = row.fetchone()
            if found is None:
                return False
            if found[0] is None:  # the root: a province's office holds it in both structures
                return self.unit_row(office_id)[1] == 1 and (
                    office_id.partition(":")[2] == current.partition(":")[2]
                )
            current = found[0]
        return False
