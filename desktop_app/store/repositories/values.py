"""Data values: the survey cells, keyed by (village or commune, period, indicator, cell)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from desktop_app.domain import values as typed
from desktop_app.domain.catalogue import Indicator
from desktop_app.domain.periods import Period, periods_for_frequency
from desktop_app.store.changes import (
    INSERT_AUDIT_SQL,
    INSERT_CHANGE_SQL,
    Actor,
    ChangeRef,
    Entry,
    canonical_json,
    version_of,
)
from desktop_app.store.errors import InvalidValueError
from desktop_app.store.repositories.base import Repository
from desktop_app.store.schema import SCHEMA_VERSION

ENTITY = "value"

# Writes one cell's row; the parameters are the columns in this order.
UPSERT_VALUE_SQL = (
    "INSERT INTO data_value (org_id, commune_id, village_id, period, indicator,"
    " disagg, value, comment, version, hlc, updated_by)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (org_id, period, indicator, disagg) DO UPDATE SET"
    " value = excluded.value, comment = excluded.comment,"
    " version = excluded.version, hlc = excluded.hlc,"
    " updated_by = excluded.updated_by"
)


def value_params(state: dict[str, Any], version: str, hlc: int, user: str) -> tuple[Any, ...]:
    """The parameters of ``UPSERT_VALUE_SQL`` for a value's state."""
    return (
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


@dataclass(frozen=True)
class ValueWrite:
    """One cell to write in bulk: where, which indicator and cell, and the typed value."""

    commune_id: str
    village_id: str | None
    period: str
    indicator: str
    value: typed.Value | None
    disagg: str = ""
    comment: str = ""


@dataclass(frozen=True)
class StoredValue:
    """A cell as stored: canonical text (None when cleared), comment and version."""

    org_id: str
    period: str
    indicator: str
    disagg: str
    value: str | None
    comment: str
    version: str
    updated_by: str


class ValueRepository(Repository):
    """Reads and writes data values; the only writer of the ``data_value`` table."""

    # --- helpers ---

    def _indicator(self, code: str) -> Indicator:
        from desktop_app.domain.catalogue import CatalogueError

        try:
            return self.store.catalogue.indicator(code)
        except (KeyError, CatalogueError) as exc:  # the catalogue raises CatalogueError
            raise InvalidValueError(reason=f"unknown indicator {code!r}") from exc

    def _resolve(
        self, write: ValueWrite, cache: dict[object, object] | None = None
    ) -> tuple[Indicator, Period, str]:
        """Check shape (level, cell, period, village) and return indicator, period, org.

        ``cache`` lets a bulk write look each period and village up once.
        """
        cache = {} if cache is None else cache
        indicator = self._indicator(write.indicator)
        period_key = (indicator.frequency, write.period)
        period = cache.get(period_key)
        if not isinstance(period, Period):
            try:
                period = periods_for_frequency(indicator.frequency, Period.parse(write.period))
            except ValueError as exc:
                raise InvalidValueError(reason=str(exc)) from exc
            cache[period_key] = period
        if write.disagg not in self.store.catalogue.disaggregation_keys(indicator.code):
            raise InvalidValueError(reason=f"{indicator.code}: no cell {write.disagg!r}")
        if indicator.level == "village":
            if write.village_id is None:
                raise InvalidValueError(reason=f"{indicator.code} is entered per village")
            village_key = ("village", write.village_id)
            if village_key not in cache:
                cache[village_key] = self.db.execute_sql(
                    "SELECT commune_id FROM village WHERE id = ?", (write.village_id,)
                ).fetchone()
            row = cache[village_key]
            if not isinstance(row, tuple) or row[0] != write.commune_id:
                raise InvalidValueError(reason=f"village {write.village_id} is not in the commune")
            return indicator, period, write.village_id
        if write.village_id is not None:
            raise InvalidValueError(reason=f"{indicator.code} is entered per commune")
        return indicator, period, write.commune_id

    def _state(
        self, write: ValueWrite, period: Period, org_id: str, text: str | None
    ) -> dict[str, Any]:
        return {
            "org_id": org_id,
            "commune_id": write.commune_id,
            "village_id": write.village_id,
            "period": period.code,
            "indicator": write.indicator,
            "disagg": write.disagg,
            "value": text,
            "comment": write.comment,
        }

    # --- reads ---

    def get(self, org_id: str, period: str, indicator: str, disagg: str = "") -> StoredValue | None:
        """The stored cell, or None if it was never written."""
        row = self.db.execute_sql(
            "SELECT org_id, period, indicator, disagg, value, comment, version, updated_by"
            " FROM data_value WHERE org_id = ? AND period = ? AND indicator = ? AND disagg = ?",
            (org_id, period, indicator, disagg),
        ).fetchone()
        return None if row is None else StoredValue(*row)

    def typed_values(self, org_id: str, period: Period) -> dict[tuple[str, str], typed.Value]:
        """Every typed value of a village or commune for a period, annual values included.

        For a quarter, the indicators collected yearly are read from the year.
        """
        codes = [period.code] if period.kind == "annual" else [period.code, str(period.year)]
        marks = ",".join("?" for _ in codes)
        result: dict[tuple[str, str], typed.Value] = {}
        catalogue = self.store.catalogue
        for indicator, disagg, text in self.db.execute_sql(
            f"SELECT indicator, disagg, value FROM data_value WHERE org_id = ?"
            f" AND period IN ({marks}) AND value IS NOT NULL",
            (org_id, *codes),
        ):
            ind = catalogue.indicators.get(indicator)
            if ind is not None:
                result[(indicator, disagg)] = typed.decode(ind, text)
        return result

    def commune_values(self, commune_id: str, period: str) -> list[StoredValue]:
        """All cells of a commune and its villages for one period code (the grid)."""
        rows = self.db.execute_sql(
            "SELECT org_id, period, indicator, disagg, value, comment, version, updated_by"
            " FROM data_value WHERE commune_id = ? AND period = ?",
            (commune_id, period),
        ).fetchall()
        return [StoredValue(*row) for row in rows]

    def count(self) -> int:
        """How many non-empty values the database holds."""
        return int(
            self.db.execute_sql(
                "SELECT count(*) FROM data_value WHERE value IS NOT NULL"
            ).fetchone()[0]
        )

    def history(
        self, org_id: str, period: str, indicator: str, disagg: str = ""
    ) -> list[dict[str, Any]]:
        """Who changed a cell and when, oldest first: at, user, old value, new value."""
        import json

        key = canonical_json(
            {"disagg": disagg, "indicator": indicator, "org_id": org_id, "period": period}
        )
        out: list[dict[str, Any]] = []
        # a synced change's audit rows through the change log (audit_change), the rest (a
        # change taken back keeps its state in ``new``) by key (m0012_audit_by_change)
        for _, at, user, action, old, new in self.db.execute_sql(
            "SELECT a.id, a.at, a.user, a.action, a.old, COALESCE(a.new, c.state)"
            " FROM change c JOIN audit a ON a.change_id = c.id"
            " WHERE c.entity = ? AND c.entity_key = ?"
            " UNION ALL SELECT id, at, user, action, old, new FROM audit"
            " WHERE entity = ? AND entity_key = ? AND change_id IS NULL ORDER BY 1",
            (ENTITY, key, ENTITY, key),
        ):
            old_state = json.loads(old) if old else {}
            new_state = json.loads(new) if new else {}
            out.append(
                {
                    "at": at,
                    "user": user,
                    "action": action,
                    "old": old_state.get("value"),
                    "new": new_state.get("value"),
                    "comment": new_state.get("comment", ""),
                }
            )
        return out

    # --- writes ---

    def set_value(
        self,
        write: ValueWrite,
        *,
        actor: Actor | None = None,
        check_rules: bool = True,
    ) -> ChangeRef | None:
        """Validate and save one cell; return the change, or None when nothing changed.

        Raises :class:`InvalidValueError` (wrong type, or an error-level rule broken:
        nothing is written), :class:`OutOfScopeError` or :class:`LockedPeriodError`.
        """
        actor = actor or self.store.local_actor()
        indicator, period, org_id = self._resolve(write)
        self.check_data_scope(actor, write.commune_id)
        self.check_not_locked(write.commune_id, period)
        text = None
        if write.value is not None:
            try:
                text = typed.encode(indicator, write.value)
            except (ValueError, TypeError) as exc:
                raise InvalidValueError(reason=str(exc)) from exc
        if check_rules and write.value is not None:
            self._check_rules(indicator, write, period, org_id)
        with self.store.write(actor) as ctx:
            self.ensure_period(period)
            old = self.get(org_id, period.code, indicator.code, write.disagg)
            if old is not None and old.value == text and old.comment == write.comment:
                return None
            if old is None and text is None and not write.comment:
                return None
            state = self._state(write, period, org_id, text)
            key = {k: state[k] for k in ("org_id", "period", "indicator", "disagg")}
            old_state = None
            if old is not None:
                old_state = dict(state, value=old.value, comment=old.comment)
            ref = ctx.log(
                Entry(
                    ENTITY,
                    key,
                    write.commune_id,
                    period.code,
                    state,
                    old_state,
                    old.version if old is not None else None,
                    "update" if old is not None else "create",
                )
            )
            self.db.execute_sql(
                UPSERT_VALUE_SQL, value_params(state, ref.version, ref.hlc, actor.user)
            )
            return ref

    def _check_rules(
        self, indicator: Indicator, write: ValueWrite, period: Period, org_id: str
    ) -> None:
        from desktop_app.store.validation import violations_for_write

        errors = [
            v
            for v in violations_for_write(self.store, indicator, write, period, org_id)
            if v.severity == "error"
        ]
        if errors:
            from desktop_app.i18n import current_language

            lang = current_language()
            reason = " ".join(v.message_vi if lang == "vi" else v.message_en for v in errors)
            raise InvalidValueError(reason=reason)

    def set_many(
        self, writes: Iterable[ValueWrite], *, actor: Actor | None = None, on_behalf: bool = False
    ) -> int:
        """Write many cells in one transaction with ``executemany`` (demo data, imports).

        Types, shape, scope and locks are checked for every cell; rules are not (the
        caller checks them, e.g. with ``coverage-desk check``). Each cell still gets
        its change (naming the version it overwrites) and audit entry; a cell that
        already holds the value is left alone. Returns how many cells were written.
        ``on_behalf``: the province imports a commune's data (audit action
        ``import-on-behalf``; see :meth:`Repository.check_data_scope`).
        """
        actor = actor or self.store.local_actor()
        rows: list[tuple[Any, ...]] = []
        changes: list[tuple[Any, ...]] = []
        audits: list[tuple[Any, ...]] = []
        resolved: list[tuple[ValueWrite, Indicator, Period, str, str | None]] = []
        scope_checked: set[tuple[str, str]] = set()
        cache: dict[object, object] = {}
        for write in writes:
            indicator, period, org_id = self._resolve(write, cache)
            if (write.commune_id, period.code) not in scope_checked:
                self.check_data_scope(actor, write.commune_id, on_behalf=on_behalf)
                self.check_not_locked(write.commune_id, period)
                scope_checked.add((write.commune_id, period.code))
            try:
                text = None if write.value is None else typed.encode(indicator, write.value)
            except (ValueError, TypeError) as exc:
                raise InvalidValueError(reason=f"{indicator.code}: {exc}") from exc
            resolved.append((write, indicator, period, org_id, text))
        if not resolved:
            return 0
        on_behalf = on_behalf and actor.office_id != resolved[0][0].commune_id
        action = "import-on-behalf" if on_behalf else "import"
        with self.store.write(actor) as ctx:
            for period in {p for _, _, p, _, _ in resolved}:
                self.ensure_period(period)
            seq = int(
                self.db.execute_sql(
                    "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
                    (actor.origin, actor.epoch),
                ).fetchone()[0]
            )
            change_id = int(
                self.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM change").fetchone()[0]
            )
            # What each written cell holds now: an overwrite names the version it replaces.
            existing: dict[tuple[str, str, str, str], tuple[str | None, str, str]] = {}
            for commune_id, period_code in scope_checked:
                for org, ind, dis, value, comment, ver in self.db.execute_sql(
                    "SELECT org_id, indicator, disagg, value, comment, version FROM data_value"
                    " WHERE commune_id = ? AND period = ?",
                    (commune_id, period_code),
                ):
                    existing[(org, period_code, ind, dis)] = (value, comment, ver)
            written = 0
            for write, indicator, period, org_id, text in resolved:
                cell = (org_id, period.code, indicator.code, write.disagg)
                old = existing.get(cell)
                if old is not None and old[0] == text and old[1] == write.comment:
                    continue  # nothing changes: no change to log, as for one typed value
                seq += 1
                change_id += 1
                written += 1
                version = version_of(actor.origin, actor.epoch, seq)
                existing[cell] = (text, write.comment, version)
                state = self._state(write, period, org_id, text)
                key_text = canonical_json(
                    {k: state[k] for k in ("org_id", "period", "indicator", "disagg")}
                )
                state_text = canonical_json(state)
                old_text = (
                    None
                    if old is None
                    else canonical_json(dict(state, value=old[0], comment=old[1]))
                )
                rows.append(value_params(state, version, ctx.hlc, actor.user))
                changes.append(
                    (
                        change_id,
                        actor.origin,
                        actor.epoch,
                        seq,
                        ENTITY,
                        key_text,
                        write.commune_id,
                        period.code,
                        state_text,
                        None if old is None else old[2],
                        ctx.hlc,
                        SCHEMA_VERSION,
                        actor.user,
                    )
                )
                audits.append(
                    (ctx.at, actor.user, action, ENTITY, key_text, old_text, None, change_id)
                )
            cursor = self.db.cursor()
            cursor.executemany(INSERT_CHANGE_SQL, changes)
            cursor.executemany(INSERT_AUDIT_SQL, audits)
            cursor.executemany(UPSERT_VALUE_SQL, rows)
            ctx.touched.update((ENTITY, str(c[5])) for c in changes)  # reconciled at commit
        return written
