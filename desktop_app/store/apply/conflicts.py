"""The ``conflict`` rows of one import, kept in memory and written once at its end.

:class:`ConflictBook` reads the table once (:meth:`ConflictBook.load`): which
rows ever conflicted, and the open conflicts of each with their remote
version. The rules then ask and change it in memory; new conflict rows get
their ids here (one above the highest, as SQLite would give them) and are
inserted with one ``executemany`` by :meth:`ConflictBook.flush`; a status
change of a row already in the table is one ``UPDATE`` by id.

Why: the table has no index on the row it names, so asking it per conflicted
row (is one open? which ones does a decision close?) made an import that
records many conflicts quadratic: 13,000 conflicts, 21 s of a 37 s apply on the
province-sized bench database.
"""

from __future__ import annotations

from typing import Any

from peewee import SqliteDatabase

# the columns of a conflict row, in the order :attr:`ConflictBook.new` holds them
CONFLICT_COLUMNS = (
    "id, entity, entity_key, local_version, remote_version, local_state, remote_state,"
    " winner, status, created_at, resolved_by, resolution_version"
)
_INSERT = f"INSERT INTO conflict ({CONFLICT_COLUMNS}) VALUES ({', '.join(['?'] * 12)})"
# positions in a buffered row
_STATUS, _RESOLVED_BY, _RESOLUTION = 8, 10, 11

RowKey = tuple[str, str]


class ConflictBook:
    """The conflicts of one database during one import (inside its transaction)."""

    def __init__(self) -> None:
        self.conflicted: set[RowKey] = set()  # rows with any conflict row, of any status
        self.open: dict[RowKey, dict[int, str]] = {}  # row -> {id: remote version}
        self.new: dict[int, list[Any]] = {}  # rows inserted by this import, by id
        self.last_id = 0
        self._updates: dict[int, tuple[str, str | None, str, int]] = {}

    def load(self, db: SqliteDatabase) -> None:
        """Read what the table holds (the caller's transaction keeps it still)."""
        self.conflicted = set()
        self.open = {}
        self.new = {}
        self._updates = {}
        self.last_id = 0
        for i, e, k, remote, status in db.execute_sql(
            "SELECT id, entity, entity_key, remote_version, status FROM conflict"
        ):
            row = (str(e), str(k))
            self.conflicted.add(row)
            self.last_id = max(self.last_id, int(i))
            if status == "open":
                self.open.setdefault(row, {})[int(i)] = str(remote)

    def is_open(self, entity: str, key: str) -> bool:
        """Whether the row has an open conflict."""
        return bool(self.open.get((entity, key)))

    def add(
        self,
        entity: str,
        key: str,
        local_version: str | None,
        remote_version: str,
        local_state: str | None,
        remote_state: str | None,
        winner: str,
        status: str,
        at: str,
        *,
        resolved_by: str | None = None,
        resolution_version: str | None = None,
    ) -> int:
        """A new conflict row (written at :meth:`flush`); returns its id."""
        self.last_id += 1
        i = self.last_id
        self.new[i] = [
            i,
            entity,
            key,
            local_version,
            remote_version,
            local_state,
            remote_state,
            winner,
            status,
            at,
            resolved_by,
            resolution_version,
        ]
        self.conflicted.add((entity, key))
        if status == "open":
            self.open.setdefault((entity, key), {})[i] = remote_version
        return i

    def withdraw(self, entity: str, key: str, version: str) -> None:
        """Every open conflict of the row becomes ``withdrawn`` (resolution ``version``)."""
        for i in self.open.pop((entity, key), {}):
            self._set(i, "withdrawn", None, version)

    def close(self, entity: str, key: str, remotes: set[str], user: str, version: str) -> int:
        """The row's open conflicts whose remote version is in ``remotes`` become
        ``resolved`` by ``user`` with ``version``; returns how many."""
        open_ = self.open.get((entity, key), {})
        ids = [i for i, remote in open_.items() if remote in remotes]
        for i in ids:
            del open_[i]
            self._set(i, "resolved", user, version)
        if not open_:
            self.open.pop((entity, key), None)
        return len(ids)

    def _set(self, i: int, status: str, resolved_by: str | None, version: str) -> None:
        row = self.new.get(i)
        if row is None:  # a row already in the table: updated at the flush
            self._updates[i] = (status, resolved_by, version, i)
            return
        row[_STATUS] = status
        if resolved_by is not None:
            row[_RESOLVED_BY] = resolved_by
        row[_RESOLUTION] = version

    def flush(self, db: SqliteDatabase) -> None:
        """Write the new rows and the status changes of the old ones."""
        cur = db.cursor()
        if self._updates:
            cur.executemany(
                "UPDATE conflict SET status = ?, resolved_by = COALESCE(?, resolved_by),"
                " resolution_version = ? WHERE id = ?",
                list(self._updates.values()),
            )
        if self.new:
            cur.executemany(_INSERT, list(self.new.values()))
        self.new = {}
        self._updates = {}
