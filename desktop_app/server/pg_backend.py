"""PostgreSQL backend: the authoritative feed for a province that outgrew one machine.

The SQLite store code does not run on PostgreSQL, so this backend does not
hold the province's data tables. It holds the FEED and what guards it:

* ``cd_feed``: every accepted segment as its author signed it (header with
  signature and certificate, body), numbered by ``fseq``;
* ``cd_cursor``: per (origin, epoch) the highest seq accepted without a gap
  (the server's applied vector, the acknowledgement that goes down);
* ``cd_batch``: each batch id with the SHA-256 of its bytes and its answer;
* ``cd_rejection``: changes refused, with reasons; ``cd_node``: certificates
  seen; ``cd_count``: what ``/v1/health`` counts, for all processes together;
  ``cd_unit``, ``cd_revocation``, ``cd_config``: the province's unit
  tree, revocations, key and the server secret, copied from the province
  office database once (``serve --province-db``); later revocations come with
  each sync of the province office (``POST /v1/revocations``, signed).

Every segment is verified (:func:`desktop_app.netsync.adapter.verify_segments`,
the USB path's checks) and every change authorised against its signer's
certificate (:class:`desktop_app.sync.scope.Authoriser`). A push runs in one
transaction that first takes ``pg_advisory_xact_lock`` and bumps the
single-row counter ``cd_counter``, so concurrent writers in several processes
are serialised: fseqs are gap-free, in commit order, never doubled. Under that
lock the push reads the revocations again (a list is installed under it too): a
list that came after the push was verified judges it (verified again), so the
answer refuses what every puller will quarantine. The
province office database is kept in step by pulling from this server
(``coverage-desk sync``), which applies the feed through the store's writer.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any, cast

import psycopg

from desktop_app.i18n import _
from desktop_app.netsync.adapter import VerifiedSegment, verify_segments
from desktop_app.server import backend
from desktop_app.server.auth import Claims
from desktop_app.server.backend import (
    Backend,
    BatchConflictError,
    GapError,
    Page,
    rejection_page,
    take_batch,
    villages_taken,
    visible_offices,
)
from desktop_app.server.pg_errors import ServerStartError, connect, short_of_resources, starting
from desktop_app.server.timings import PhaseTimes
from desktop_app.store.store import Store
from desktop_app.sync.certificates import Revoked, read_held
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.vectors import Vector

FEED_LOCK = 0x43444650  # "CDFP"
SCHEMA_LOCK = 0x43445343

SCHEMA = """
CREATE TABLE IF NOT EXISTS cd_config (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cd_unit (id TEXT PRIMARY KEY, parent_id TEXT);
CREATE TABLE IF NOT EXISTS cd_revocation (serial BIGINT PRIMARY KEY);
ALTER TABLE cd_revocation ADD COLUMN IF NOT EXISTS revoked_at TEXT NOT NULL DEFAULT '';
ALTER TABLE cd_revocation ADD COLUMN IF NOT EXISTS reason TEXT NOT NULL DEFAULT '';
ALTER TABLE cd_revocation ADD COLUMN IF NOT EXISTS held TEXT;
CREATE TABLE IF NOT EXISTS cd_node (node_id TEXT PRIMARY KEY, office_id TEXT NOT NULL,
  level INT NOT NULL, serial BIGINT NOT NULL, certificate TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cd_counter (id INT PRIMARY KEY CHECK (id = 1), last BIGINT NOT NULL);
INSERT INTO cd_counter (id, last) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS cd_cursor (origin TEXT NOT NULL, epoch BIGINT NOT NULL,
  seq BIGINT NOT NULL, PRIMARY KEY (origin, epoch));
CREATE TABLE IF NOT EXISTS cd_feed (fseq BIGINT PRIMARY KEY, origin TEXT NOT NULL,
  epoch BIGINT NOT NULL, seq_from BIGINT NOT NULL, seq_to BIGINT NOT NULL, n INT NOT NULL,
  office_id TEXT NOT NULL, level INT NOT NULL, header TEXT NOT NULL, body BYTEA NOT NULL,
  batch_id TEXT, received_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS cd_feed_office ON cd_feed (office_id, fseq);
CREATE TABLE IF NOT EXISTS cd_batch (batch_id TEXT NOT NULL, node_id TEXT NOT NULL,
  sha256 TEXT NOT NULL, answer TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (node_id, batch_id));
CREATE TABLE IF NOT EXISTS cd_nonce (nonce TEXT PRIMARY KEY, expires DOUBLE PRECISION NOT NULL);
CREATE SEQUENCE IF NOT EXISTS cd_village_n;
CREATE TABLE IF NOT EXISTS cd_village (id TEXT PRIMARY KEY, commune_id TEXT NOT NULL,
  n BIGINT NOT NULL DEFAULT nextval('cd_village_n'));
CREATE INDEX IF NOT EXISTS cd_village_by_n ON cd_village (n);
CREATE TABLE IF NOT EXISTS cd_count (name TEXT PRIMARY KEY, n BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS cd_rejection (origin TEXT NOT NULL, epoch BIGINT NOT NULL,
  seq BIGINT NOT NULL, reason TEXT NOT NULL, office_id TEXT NOT NULL, id BIGSERIAL,
  PRIMARY KEY (origin, epoch, seq));
"""


class ServerSetupError(ServerStartError):
    """The PostgreSQL database has no province yet (run serve once with --province-db)."""


class _ClockOnly:
    """``segment_batch`` reads only ``store.clock()``; the PostgreSQL server has no store."""

    def __init__(self) -> None:
        self.clock = time.time


#: A revocation with its date, reason and position (the province's at revoking, NULL
#: for a list signed without one); a row already held keeps a reason and position it has.
_INSERT_REVOCATION = (
    "INSERT INTO cd_revocation (serial, revoked_at, reason, held) VALUES (%s, %s, %s, %s)"
    " ON CONFLICT (serial) DO UPDATE SET"
    " revoked_at = CASE WHEN cd_revocation.revoked_at = '' THEN excluded.revoked_at"
    " ELSE cd_revocation.revoked_at END,"
    " reason = CASE WHEN cd_revocation.reason = '' THEN excluded.reason"
    " ELSE cd_revocation.reason END,"
    " held = COALESCE(cd_revocation.held, excluded.held)"
)


def bootstrap(url: str, province_db: Path) -> None:
    """Copy the province's key, certificate, units and revocations into PostgreSQL."""
    from desktop_app.sync.certificates import is_province, my_certificate, revocation_list
    from desktop_app.sync.errors import EnrolmentError

    with Store.open(Path(province_db)) as store:
        if not is_province(store):
            raise EnrolmentError(detail=f"{province_db} is not the province office's database")
        cert, key = my_certificate(store)
        node = store.node
        units = [(str(i), p) for i, p in store.db.execute_sql("SELECT id, parent_id FROM unit")]
        revoked = [
            (int(s), str(at or ""), str(why or ""), held)
            for s, at, why, held in store.db.execute_sql(
                "SELECT serial, revoked_at, reason, held FROM revocation"
            )
        ]
        villages = [
            (str(i), str(c)) for i, c in store.db.execute_sql("SELECT id, commune_id FROM village")
        ]
        rev_doc = revocation_list(store)
    config = {
        "province_key": key.hex(),
        "province_node": node.node_id,
        "province_office": node.office_id,
        "province_certificate": json.dumps(cert),
        "revocations": json.dumps(rev_doc),
    }
    with starting(url), connect(url) as conn:
        _create_schema(conn)
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO cd_config (key, value) VALUES (%s, %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                list(config.items()),
            )
            cur.executemany(
                "INSERT INTO cd_unit (id, parent_id) VALUES (%s, %s)"
                " ON CONFLICT (id) DO UPDATE SET parent_id = excluded.parent_id",
                units,
            )
            cur.executemany(_INSERT_REVOCATION, revoked)
            # the province's record of each village's commune: judges a row's real owner
            cur.executemany(
                "INSERT INTO cd_village (id, commune_id) VALUES (%s, %s) ON CONFLICT (id)"
                " DO UPDATE SET commune_id = excluded.commune_id, n = nextval('cd_village_n')"
                " WHERE cd_village.commune_id <> excluded.commune_id",
                villages,
            )


def _create_schema(conn: psycopg.Connection[Any]) -> None:
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        conn.execute(SCHEMA)
        # batch ids keyed by the id alone (older versions): one office could squat another's
        keys = conn.execute(
            "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
            " AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'cd_batch'::regclass"
            " AND i.indisprimary"
        ).fetchone()
        if keys is not None and int(keys[0]) == 1:
            conn.execute("ALTER TABLE cd_batch DROP CONSTRAINT cd_batch_pkey")
            conn.execute("ALTER TABLE cd_batch ADD PRIMARY KEY (node_id, batch_id)")
        for key, value in (("secret", os.urandom(32).hex()), ("feed_id", str(uuid.uuid4()))):
            conn.execute(
                "INSERT INTO cd_config (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (key, value),
            )


def _read_revoked(conn: psycopg.Connection[Any]) -> Revoked:
    """The revoked serials with their date, reason and position (``cd_revocation``)."""
    rows = conn.execute("SELECT serial, revoked_at, reason, held FROM cd_revocation").fetchall()
    held = {int(s): p for s, _a, _w, h in rows if (p := read_held(h)) is not None}
    return Revoked({int(s): (str(at), str(why)) for s, at, why, _h in rows}, held)


class _RevokedMeanwhile(Exception):
    """The revocations changed between a push's verification and its take."""

    def __init__(self, revoked: Revoked) -> None:
        super().__init__("the revocation list changed")
        self.revoked = revoked


class PostgresBackend(Backend):
    """The feed in PostgreSQL; stateless: any number of processes on one database."""

    mode = "postgresql"

    def __init__(self, url: str) -> None:
        self.url = url
        self.timings = PhaseTimes()
        self._local = threading.local()
        self._all: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        try:
            with starting(url):
                conn = self._conn()
                _create_schema(conn)
                rows = conn.execute("SELECT key, value FROM cd_config")
                config = {str(k): str(v) for k, v in rows}
                units = conn.execute("SELECT id, parent_id FROM cd_unit").fetchall()
            if "province_key" not in config:
                raise ServerSetupError(
                    _("no province in this database yet: run serve once with --province-db")
                )
        except BaseException:
            self.close()  # the server does not start: its connection goes with it
            raise
        self.secret = bytes.fromhex(config["secret"])
        self.feed_id = config["feed_id"]
        self.province_key = bytes.fromhex(config["province_key"])
        self.province_node = config["province_node"]
        self.province_office = config["province_office"]
        self._parents: dict[str, str | None] = {
            str(i): (None if p is None else str(p)) for i, p in units
        }
        # village → commune: the province's, then every village a push added (all processes)
        self._authorise = Authoriser.over(self._parents, {})
        self._village_top = 0

    def _conn(self) -> psycopg.Connection[Any]:
        conn: psycopg.Connection[Any] | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:  # a lost one too: its request was answered 503
            if conn is not None:  # closed for good before a new one is tried
                conn.close()
                self._local.conn = None
                with self._lock:
                    self._all.remove(conn)
            conn = connect(self.url)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    # --- reads ---

    @short_of_resources
    def revoked(self) -> Revoked:
        """The revoked serials with their date and reason, so that a refusal says why
        as the SQLite backend's does (the client shows it to the office)."""
        return _read_revoked(self._conn())

    def parents(self) -> dict[str, str | None]:
        return self._parents

    @short_of_resources
    def feed_head(self) -> int:
        return int(self._conn().execute("SELECT last FROM cd_counter").fetchone()[0])  # type: ignore[index]

    @short_of_resources
    def vector_for(self, claims: Claims) -> Vector:
        conn = self._conn()
        if claims.level == 1:
            rows = conn.execute("SELECT origin, epoch, seq FROM cd_cursor").fetchall()
        else:
            rows = conn.execute(
                "SELECT c.origin, c.epoch, c.seq FROM cd_cursor c JOIN cd_node n"
                " ON n.node_id = c.origin WHERE n.office_id = ANY(%s)",
                (sorted(claims.scope),),
            ).fetchall()
        return {(str(o), int(e)): int(s) for o, e, s in rows}

    # --- push ---

    @short_of_resources
    def push(
        self, claims: Claims, batch_id: str, sha256: str, segments: list[tuple[bytes, bytes]]
    ) -> dict[str, Any]:
        def verify(revoked: Revoked) -> list[VerifiedSegment]:
            with self.timings.timed("push.verify"):
                return verify_segments(
                    cast(Store, _ClockOnly()), segments, self.province_key, revoked,
                    rows_only=True,
                )  # fmt: skip

        revoked = self.revoked()
        verified = verify(revoked)
        deadline = time.monotonic() + backend.HOLD_WAIT
        while True:
            try:
                with self.timings.timed("push.take"):
                    return self._take(claims, batch_id, sha256, verified, deadline, revoked)
            except GapError:  # a push in flight may fill the gap: try again shortly
                time.sleep(backend.HOLD_RETRY)
            except _RevokedMeanwhile as exc:  # verified again (outside the lock) by the list
                revoked = exc.revoked
                verified = verify(revoked)

    def _take(
        self,
        claims: Claims,
        batch_id: str,
        sha256: str,
        verified: list[VerifiedSegment],
        deadline: float,
        revoked: Revoked,
    ) -> dict[str, Any]:
        conn = self._conn()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (FEED_LOCK,))
            row = conn.execute(
                "SELECT sha256, answer FROM cd_batch WHERE node_id = %s AND batch_id = %s",
                (claims.node_id, batch_id),
            ).fetchone()
            if row is not None:
                if row[0] == sha256:
                    stored: dict[str, Any] = json.loads(row[1])
                    return stored
                raise BatchConflictError(batch_id)
            # a list installed (by any process, under this lock) since the push was verified
            # judges it: else its changes past the position would be answered accepted, and
            # quarantined by every puller without the office ever hearing of it
            now = _read_revoked(conn)
            if set(now) != set(revoked) or now.held != revoked.held:
                raise _RevokedMeanwhile(now)  # rolls the transaction back
            head = int(conn.execute("SELECT last FROM cd_counter FOR UPDATE").fetchone()[0])  # type: ignore[index]
            self._learn_villages(conn)

            def cursor_of(stream: tuple[str, int]) -> int:
                found = conn.execute(
                    "SELECT seq FROM cd_cursor WHERE origin = %s AND epoch = %s", stream
                ).fetchone()
                return 0 if found is None else int(found[0])

            taken = take_batch(batch_id, verified, cursor_of, self._authorise)
            ans, cursors = taken.answer, taken.cursors
            if ans.held and time.monotonic() < deadline:
                raise GapError(batch_id)  # rolls the transaction back
            villages = villages_taken(taken)
            with conn.cursor() as cur:  # a commune's new village is its own; the province moves
                cur.executemany(
                    "INSERT INTO cd_village (id, commune_id) VALUES (%s, %s)"
                    " ON CONFLICT (id) DO NOTHING",
                    [(v, c) for v, c, level in villages if level != 1],
                )
                cur.executemany(
                    "INSERT INTO cd_village (id, commune_id) VALUES (%s, %s) ON CONFLICT (id)"
                    " DO UPDATE SET commune_id = excluded.commune_id, n = nextval('cd_village_n')"
                    " WHERE cd_village.commune_id <> excluded.commune_id",
                    [(v, c) for v, c, level in villages if level == 1],
                )
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO cd_node (node_id, office_id, level, serial, certificate)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (node_id) DO UPDATE SET"
                    " office_id = excluded.office_id, level = excluded.level,"
                    " serial = excluded.serial, certificate = excluded.certificate"
                    " WHERE excluded.serial >= cd_node.serial",
                    [
                        (i.node_id, i.office_id, i.level, i.serial, json.dumps(i.document))
                        for i in taken.nodes
                    ],
                )
            feed_rows = [
                row.columns(head + i, row.segment.body, batch_id)
                for i, row in enumerate(taken.feed, 1)
            ]
            head += len(feed_rows)
            rejections = taken.rejections
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO cd_feed (fseq, origin, epoch, seq_from, seq_to, n, office_id,"
                    " level, header, body, batch_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    feed_rows,
                )
                cur.executemany(
                    "INSERT INTO cd_rejection (origin, epoch, seq, reason, office_id)"
                    " VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                    rejections,
                )
                cur.executemany(
                    "INSERT INTO cd_cursor (origin, epoch, seq) VALUES (%s, %s, %s)"
                    " ON CONFLICT (origin, epoch) DO UPDATE SET"
                    " seq = GREATEST(cd_cursor.seq, excluded.seq)",
                    [(o, e, s) for (o, e), s in cursors.items()],
                )
            conn.execute("UPDATE cd_counter SET last = %s WHERE id = 1", (head,))
            ans.feed_head = head
            ans.vector = self.vector_for(claims) | cursors
            answer = ans.to_json()
            if not ans.held:  # a held batch is not answered for good: its resend is taken anew
                conn.execute(
                    "INSERT INTO cd_batch (batch_id, node_id, sha256, answer)"
                    " VALUES (%s, %s, %s, %s)",
                    (batch_id, claims.node_id, sha256, json.dumps(answer)),
                )
        return answer

    def _learn_villages(self, conn: psycopg.Connection[Any]) -> None:
        """Bring the authoriser's villages up to what cd_village holds (under the feed lock,
        so every village committed before is seen, whichever process took it)."""
        rows = conn.execute(
            "SELECT id, commune_id, n FROM cd_village WHERE n > %s ORDER BY n",
            (self._village_top,),
        ).fetchall()
        for village, commune, n in rows:
            self._authorise.villages[str(village)] = str(commune)
            self._village_top = max(self._village_top, int(n))

    @short_of_resources
    def add_count(self, name: str, n: int = 1) -> None:
        self._conn().execute(
            "INSERT INTO cd_count (name, n) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET n = cd_count.n + excluded.n",
            (name, n),
        )

    @short_of_resources
    def count(self, name: str) -> int:
        row = self._conn().execute("SELECT n FROM cd_count WHERE name = %s", (name,)).fetchone()
        return 0 if row is None else int(row[0])

    @short_of_resources
    def use_nonce(self, nonce: str, expires: float, now: float) -> bool:
        conn = self._conn()
        with conn.transaction():
            conn.execute("DELETE FROM cd_nonce WHERE expires < %s", (now,))
            cur = conn.execute(
                "INSERT INTO cd_nonce (nonce, expires) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                (nonce, expires),
            )
            return bool(cur.rowcount == 1)

    @short_of_resources
    def install_revocations(self, doc: dict[str, Any]) -> int | None:
        from desktop_app.sync.certificates import (
            held_text,
            read_revocations,
            revocation_positions,
        )

        rows = read_revocations(doc, self.province_key)
        if rows is None:
            return None
        conn = self._conn()
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (FEED_LOCK,))
            known = {int(r[0]) for r in conn.execute("SELECT serial FROM cd_revocation")}
            reasons = doc["body"].get("reasons")
            why = reasons if isinstance(reasons, dict) else {}
            positions = revocation_positions(doc)
            listed = [
                (
                    serial,
                    at,
                    str(why.get(str(serial), "")),
                    held_text(positions[serial]) if serial in positions else None,
                )
                for serial, at in rows
            ]
            new = [row for row in listed if row[0] not in known]
            with conn.cursor() as cur:
                cur.executemany(_INSERT_REVOCATION, listed)
            if new or not known:  # revocations are never taken back: keep the longest list
                conn.execute(
                    "INSERT INTO cd_config (key, value) VALUES ('revocations', %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (json.dumps(doc),),
                )
        return len(new)

    def _revocation_list(self) -> dict[str, Any] | None:
        row = (
            self._conn().execute("SELECT value FROM cd_config WHERE key = 'revocations'").fetchone()
        )
        doc: dict[str, Any] | None = None if row is None else json.loads(row[0])
        return doc

    # --- pull ---

    @short_of_resources
    def pull(self, claims: Claims, after: int, limit: int, rejections_after: int = 0) -> Page:
        conn = self._conn()
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            head = int(conn.execute("SELECT last FROM cd_counter").fetchone()[0])  # type: ignore[index]
            offices = sorted(visible_offices(claims, self._parents, self.province_office))
            where = "fseq > %s AND fseq <= %s AND origin <> %s"
            params: list[Any] = [after, head, claims.node_id]
            if offices:
                where += " AND office_id = ANY(%s)"
                params.append(offices)
            rows = conn.execute(
                f"SELECT fseq, header, body FROM cd_feed WHERE {where} ORDER BY fseq LIMIT %s",
                (*params, limit),
            ).fetchall()
            if claims.level == 1:
                rej = conn.execute(
                    "SELECT id, origin, epoch, seq, reason FROM cd_rejection WHERE id > %s"
                    " ORDER BY id LIMIT %s",
                    (rejections_after, limit + 1),
                ).fetchall()
            else:
                rej = conn.execute(
                    "SELECT id, origin, epoch, seq, reason FROM cd_rejection"
                    " WHERE id > %s AND office_id = ANY(%s) ORDER BY id LIMIT %s",
                    (rejections_after, sorted(claims.scope), limit + 1),
                ).fetchall()
            vector = self.vector_for(claims)
        entries = [(int(f), str(h), bytes(b)) for f, h, b in rows]
        more = len(entries) == limit
        rejections, rej_next, rej_more = rejection_page(rej, rejections_after, limit)
        return Page(
            entries,
            entries[-1][0] if more else max(head, after),
            more,
            vector,
            rejections,
            self._revocation_list(),
            rej_next,
            rej_more,
        )

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
