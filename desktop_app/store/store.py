"""The store: one open database, the installation it belongs to, and its repositories.

Repositories are the only writers of syncable data. They all write through
:meth:`Store.write`, which opens one IMMEDIATE transaction, ticks the persisted
hybrid logical clock, and lets the repository write its row and log the change
and audit entry (see :mod:`desktop_app.store.changes`).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from peewee import OperationalError, SqliteDatabase

from desktop_app.domain.catalogue import Catalogue
from desktop_app.domain.ids import uuid7
from desktop_app.store.changes import Actor, ChangeRef, Entry, canonical_json, record
from desktop_app.store.db import open_database
from desktop_app.store.errors import DiskFullError

if TYPE_CHECKING:
    from desktop_app.store.repositories.publishing import PublishingRepository
    from desktop_app.store.repositories.reference import ReferenceRepository
    from desktop_app.store.repositories.sites import SiteRepository
    from desktop_app.store.repositories.submissions import SubmissionRepository
    from desktop_app.store.repositories.targets import TargetRepository
    from desktop_app.store.repositories.users import UserRepository
    from desktop_app.store.repositories.values import ValueRepository
    from desktop_app.store.repositories.villages import VillageRepository

Clock = Callable[[], float]


@dataclass(frozen=True)
class NodeInfo:
    """This installation: node id, current epoch and the office it serves."""

    node_id: str
    epoch: int
    office_id: str


class WriteContext:
    """Handed to a repository inside :meth:`Store.write`: log changes with it."""

    def __init__(self, store: Store, actor: Actor, hlc: int, at: str) -> None:
        self.store = store
        self.db = store.db
        self.actor = actor
        self.hlc = hlc
        self.at = at
        # the rows logged in this transaction, (entity, key text): their conflicts are
        # reconciled before it commits (:meth:`Store.write`)
        self.touched: set[tuple[str, str]] = set()

    def log(self, entry: Entry) -> ChangeRef:
        """Write the change-log and audit entries for one row written in this transaction."""
        self.touched.add((entry.entity, canonical_json(entry.key)))
        return record(self.db, self.actor, entry, self.hlc, self.at)


class Store:
    """An open office database with its clock, identity and repositories."""

    def __init__(
        self,
        db: SqliteDatabase,
        path: Path | None = None,
        *,
        clock: Clock = time.time,
        user: str = "system",
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.path = path
        self.clock = clock
        self.user = user
        self._rng = rng
        # set by ``open(..., window=True)``: the full check still to run in the
        # background, and the in-use marker to remove on a clean close
        self.background_check_due = False
        self._marked = False
        # a report of a locked period reads the catalogue of its lock (this thread only)
        self._reported_with = threading.local()

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        create: bool = False,
        clock: Clock = time.time,
        user: str = "system",
        rng: random.Random | None = None,
        window: bool = False,
    ) -> Store:
        """Open (or create) the database at ``path`` and wrap it.

        ``window=True`` is the window's way (see :mod:`desktop_app.store.health`): the
        full quick_check runs at open only when damage is likely, otherwise the caller
        runs it in the background (``background_check_due``); an in-use marker is
        written and removed by :meth:`close`.
        """
        path = Path(path)
        if not window:
            return cls(
                open_database(path, create=create, now=clock), path, clock=clock, user=user, rng=rng
            )
        from desktop_app.store import health

        due = health.full_check_due(path, now=clock()) if path.exists() else None
        db = open_database(path, create=create, now=clock, full_check=due is not None)
        if due is not None:
            health.record_check(path, now=clock(), result=["ok"])  # it passed, or raised
        health.mark_open(path)
        store = cls(db, path, clock=clock, user=user, rng=rng)
        store.background_check_due = due is None and path.exists()
        store._marked = True
        return store

    def close(self) -> None:
        """Close the connection (checkpointing the WAL); a clean close for the window."""
        if not self.db.is_closed():
            self.db.close()
        if self._marked and self.path is not None:
            from desktop_app.store import health

            health.mark_closed(self.path)
            self._marked = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- identity, time, ids ---

    @property
    def node(self) -> NodeInfo:
        """This installation's identity (read fresh: a restore changes the epoch)."""
        row = self.db.execute_sql("SELECT node_id, epoch, office_id FROM node").fetchone()
        if row is None:
            raise LookupError("this database has no installation record yet")
        return NodeInfo(str(row[0]), int(row[1]), str(row[2]))

    def local_actor(self) -> Actor:
        """The actor for edits made at this installation by the current user."""
        node = self.node
        return Actor(node.node_id, node.epoch, node.office_id, self.user)

    def now_iso(self) -> str:
        """The wall-clock time as ISO 8601 UTC (for audit rows, never for ordering)."""
        return datetime.fromtimestamp(self.clock(), UTC).isoformat(timespec="milliseconds")

    def new_id(self) -> str:
        """A fresh UUIDv7; deterministic when the store was given a seeded ``rng``."""
        now_ms = int(self.clock() * 1000)
        if self._rng is not None:
            return uuid7(now_ms, self._rng)
        return uuid7(now_ms, random.SystemRandom())

    def _tick_hlc(self) -> int:
        # imported by the first write: the window's start writes none (its two
        # dataclasses cost about 2 ms of the task opening the database)
        from desktop_app.domain import hlc as hlc_clock

        row = self.db.execute_sql("SELECT hlc_wall, hlc_counter, node_id FROM node").fetchone()
        state = hlc_clock.Timestamp(int(row[0]), int(row[1]), str(row[2]))
        stamp = hlc_clock.HybridClock(state).tick(int(self.clock() * 1000))
        self.db.execute_sql(
            "UPDATE node SET hlc_wall = ?, hlc_counter = ?", (stamp.wall_ms, stamp.counter)
        )
        return hlc_clock.pack(stamp)

    # --- transactions ---

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One IMMEDIATE transaction (joined, when one is already open on this thread).

        SQLite rolls back by itself on some errors (a full disk); the rollback here
        copes with that, and a full disk becomes :class:`DiskFullError`.
        """
        conn = self.db.connection()
        if conn.in_transaction:
            yield
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except (OperationalError, sqlite3.OperationalError) as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if "full" in str(exc):
                raise DiskFullError(detail=str(exc)) from exc
            raise

    @contextmanager
    def write(self, actor: Actor | None = None) -> Iterator[WriteContext]:
        """A write transaction for a repository: everything in it commits or nothing does."""
        with self.transaction():
            hlc = self._tick_hlc()
            ctx = WriteContext(self, actor or self.local_actor(), hlc, self.now_iso())
            yield ctx
            if ctx.touched:
                from desktop_app.store.apply.rules import reconcile_local_writes

                reconcile_local_writes(self, ctx.touched)

    # --- reference data and repositories ---

    @property
    def catalogue(self) -> Catalogue:
        """The indicator catalogue in force in this database (on this thread, inside
        :meth:`reporting_with`, the catalogue a locked period is reported with)."""
        chosen: Catalogue | None = getattr(self._reported_with, "catalogue", None)
        return chosen if chosen is not None else self.catalogue_in_force

    @cached_property
    def catalogue_in_force(self) -> Catalogue:
        """The indicator catalogue in force in this database's reference tables."""
        from desktop_app.store.repositories.reference import load_catalogue_from_db

        return load_catalogue_from_db(self.db)

    def archived_catalogue(self, version: str) -> Catalogue | None:
        """The catalogue of ``version`` as this database archived it (m0010), or None.

        Read once per version and kept: an archived version never changes (its first
        snapshot is the one kept), so every report of a locked period shares one
        catalogue object, as the catalogue in force is shared.
        """
        from desktop_app.store.repositories.reference import load_archived_catalogue

        cache: dict[str, Catalogue] = self.__dict__.setdefault("_archived_catalogues", {})
        found = cache.get(version)
        if found is None:
            found = load_archived_catalogue(self.db, version)
            if found is not None:  # a version not held yet may arrive later
                cache[version] = found
        return found

    def reload_catalogue(self) -> None:
        """Forget the cached catalogue (after the province published a new one)."""
        self.__dict__.pop("catalogue_in_force", None)

    @contextmanager
    def reporting_with(self, catalogue: Catalogue) -> Iterator[None]:
        """Within the block, on this thread only, :attr:`catalogue` is ``catalogue``.

        A report of a locked period reads everything (aggregation, labels, exports)
        through ``store.catalogue``; this lets it use the catalogue archived when the
        period was locked without handing a catalogue through every function, and
        without touching what other threads (the window) see.
        """
        before = getattr(self._reported_with, "catalogue", None)
        self._reported_with.catalogue = catalogue
        try:
            yield
        finally:
            self._reported_with.catalogue = before

    @cached_property
    def reference(self) -> ReferenceRepository:
        from desktop_app.store.repositories.reference import ReferenceRepository

        return ReferenceRepository(self)

    @cached_property
    def publishing(self) -> PublishingRepository:
        from desktop_app.store.repositories.publishing import PublishingRepository

        return PublishingRepository(self)

    @cached_property
    def values(self) -> ValueRepository:
        from desktop_app.store.repositories.values import ValueRepository

        return ValueRepository(self)

    @cached_property
    def villages(self) -> VillageRepository:
        from desktop_app.store.repositories.villages import VillageRepository

        return VillageRepository(self)

    @cached_property
    def sites(self) -> SiteRepository:
        from desktop_app.store.repositories.sites import SiteRepository

        return SiteRepository(self)

    @cached_property
    def submissions(self) -> SubmissionRepository:
        from desktop_app.store.repositories.submissions import SubmissionRepository

        return SubmissionRepository(self)

    @cached_property
    def targets(self) -> TargetRepository:
        from desktop_app.store.repositories.targets import TargetRepository

        return TargetRepository(self)

    @cached_property
    def users(self) -> UserRepository:
        from desktop_app.store.repositories.users import UserRepository

        return UserRepository(self)
