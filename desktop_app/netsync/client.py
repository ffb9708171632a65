"""``coverage-desk sync``: an office syncs with the provincial server over HTTP.

1. Sign in: ask for a nonce, sign it with the office key, send it with the
   certificate; get a short-lived token, kept in the office database until it
   runs out (:mod:`desktop_app.netsync.session`). With a kept token the sign-in
   costs nothing: step 2 comes with the first feed page, so a sync with nothing
   to send and nothing new is one request (a token the server refuses is
   dropped and the office signs in again).
2. The state (with the token, or with the first ``GET /feed`` page): the
   server's vector for this office (and, for a district, its communes), the
   epoch check and the schema range. It is recorded as the province's
   acknowledgement, so the periods it covers show "acknowledged by the province".
3. Push what the server does not hold, in batches of a few hundred changes:
   own changes as fresh signed segments (one per batch), and every segment it
   holds of its own scope the server's vector does not cover, unchanged (a
   district's communes', an earlier epoch's own changes got back after a
   restore): the rule of :mod:`desktop_app.sync.sending`, the server being
   the province's replica. The batches are cut
   from the server's vector, so after a cut link the client asks for the state
   again and resends only the batch that did not get through (same id, same
   bytes: the server returns its stored answer if it did get it).
4. Pull feed pages oldest first; each page is verified and applied through the
   USB import's code and its cursor saved in the SAME transaction. The province
   office (PostgreSQL mode) and a district also keep the pulled segments as their
   authors signed them, so their USB bundles carry them on.

Progress: ``progress(fraction or None, message)``; cancel: anything with
``is_set()``, checked between batches and pages (what is done stays done).
"""

from __future__ import annotations

import base64
import json
import queue
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from desktop_app.i18n import _
from desktop_app.netsync.adapter import (
    apply_verified,
    record_acknowledgement,
    record_rejections,
    sql,
    verify_segments,
)
from desktop_app.netsync.http import Connection, NetworkSyncError, ServerClient, _Transient
from desktop_app.netsync.session import forget_session, load_session, save_session
from desktop_app.netsync.wire import Segment, encode_push
from desktop_app.netsync.wire import batch_id_for as _batch_id
from desktop_app.store.schema import SCHEMA_VERSION
from desktop_app.store.store import Store
from desktop_app.sync.certificates import (
    keep_revocation_list,
    my_certificate,
    refuse_if_revoked,
    revocation_list,
    revoked_with,
)
from desktop_app.sync.identity import load_identity
from desktop_app.sync.segments import OWN_ROWS, own_segment
from desktop_app.sync.sending import Tree, held_to_send
from desktop_app.sync.takeback import TakenBack, take_back_past_positions
from desktop_app.sync.vectors import Vector, my_level, peer_vector, vector_from_json

__all__ = [
    "CancelFlag",
    "NetworkSyncError",
    "ServerClient",
    "SyncResult",
    "plan_batches",
    "sync_office",
]

Progress = Callable[[float | None, str], None]
# batches signed ahead of the ones on the wire
SIGN_AHEAD = 8
# batches on the wire at once (the server takes a later one that arrives first in order)
IN_FLIGHT = 2
# seconds between two writes of the acknowledgement while batches stream
ACK_EVERY = 1.0
# meta key (per feed id): the feed cursor was moved only with the pulled segments kept
KEEPS_KEY = "netsync_keeps:{}"


class CancelFlag(Protocol):
    """What the window's task runner hands in."""

    def is_set(self) -> bool:
        """True once the user asked to stop."""


@dataclass
class SyncResult:
    """What one sync did."""

    pushed_batches: int = 0
    pushed_changes: int = 0
    accepted: int = 0
    rejected: int = 0
    pulled_pages: int = 0
    pulled_segments: int = 0
    applied: int = 0
    retries: int = 0
    cancelled: bool = False
    batch_ids: list[str] = field(default_factory=list)
    # changes applied here before the revocation list reached it, taken back with it
    taken_back: list[TakenBack] = field(default_factory=list)


@dataclass(frozen=True)
class OwnRange:
    """A run of own changes still to read and sign: one fresh segment."""

    epoch: int
    seq_from: int
    seq_to: int


Work = OwnRange | list[Segment]


def plan_work(store: Store, server: Vector, batch_changes: int) -> list[Work]:
    """What the server lacks, cut into batches from its vector (same vector → same batches).

    Each item is a run of own changes (read and signed later, by :class:`_Signer`),
    or relayed segments as received. Only the seqs are read here.
    """
    me = store.node.node_id
    work: list[Work] = []
    own_done: set[int] = set()
    epochs = [
        int(r[0])
        for r in sql(store).execute_sql(
            "SELECT DISTINCT epoch FROM change WHERE origin = ? ORDER BY epoch", (me,)
        )
    ]
    for epoch in epochs:
        after = server.get((me, epoch), 0)
        lo, hi, count = (
            sql(store)
            .execute_sql(
                "SELECT MIN(seq), MAX(seq), COUNT(*) FROM change"
                " WHERE origin = ? AND epoch = ? AND seq > ?",
                (me, epoch, after),
            )
            .fetchone()
        )
        if not count:
            continue
        if int(hi) - int(lo) + 1 != int(count):
            continue  # a hole in an earlier epoch (after a restore): its held segments serve it
        own_done.add(epoch)
        for first in range(int(lo), int(hi) + 1, batch_changes):
            work.append(OwnRange(epoch, first, min(first + batch_changes - 1, int(hi))))
    # every held segment of this office's scope the server lacks (sending.py's rule, with
    # the server as the province's replica: it reports its vector for that scope; what
    # offices above signed it holds from them)
    tree = Tree(store)
    office = store.node.office_id
    nodes = sql(store).execute_sql("SELECT node_id, office_id FROM sync_node")
    authors = {str(n): str(o) for n, o in nodes}

    def floor(origin: str, epoch: int) -> int | None:
        author = authors.get(origin, office if origin == me else "")
        if author != office and office not in tree.ancestors(author):
            return None
        return server.get((origin, epoch), 0)

    skip = {(me, e) for e in own_done}
    held = sorted(held_to_send(store, floor, skip), key=lambda x: (-x[0], x[1], x[2]))
    current: list[Segment] = []
    size = 0
    for _lv, _o, _e, (header, body) in held:
        n = int(_header(header).get("n", 1))
        if current and size + n > batch_changes:
            work.append(current)
            current, size = [], 0
        current.append((header, body))
        size += n
    if current:
        work.append(current)
    return work


class _Signer:
    """Reads, signs and encodes planned work (in a helper thread: its own read connection)."""

    def __init__(self, store: Store, *, own_connection: bool = True) -> None:
        cert, _key = my_certificate(store)
        self.cert = cert
        self.private_key = load_identity(store).private_key
        self.origin = store.node.node_id
        self.path = store.path if own_connection else None
        self.store = store
        self._conn: sqlite3.Connection | None = None

    def rows(self, item: OwnRange) -> list[Any]:
        """The changes of a run, from this thread's own connection (or the store's)."""
        args = (self.origin, item.epoch, item.seq_from, item.seq_to)
        if self.path is None:
            return list(sql(self.store).execute_sql(OWN_ROWS, args).fetchall())
        if self._conn is None:
            self._conn = sqlite3.connect(
                f"{self.path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False
            )
        return self._conn.execute(OWN_ROWS, args).fetchall()

    def close(self) -> None:
        """Close the read connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __call__(self, item: Work) -> tuple[list[Segment], bytes]:
        if isinstance(item, OwnRange):
            rows = self.rows(item)
            segments = [
                own_segment(
                    rows, self.origin, item.epoch, item.seq_from, item.seq_to,
                    self.private_key, self.cert,
                )
            ]  # fmt: skip
        else:
            segments = list(item)
        return segments, encode_push(segments)


def plan_batches(store: Store, server: Vector, batch_changes: int) -> list[list[Segment]]:
    """The batches of segments to push (see :func:`plan_work`)."""
    sign_work = _Signer(store, own_connection=False)
    try:
        return [sign_work(item)[0] for item in plan_work(store, server, batch_changes)]
    finally:
        sign_work.close()


def _header(data: bytes) -> dict[str, Any]:
    doc = json.loads(data)
    return doc if isinstance(doc, dict) else {}


def _rows(items: object) -> list[tuple[str, int, int, str]]:
    out: list[tuple[str, int, int, str]] = []
    for r in items if isinstance(items, list) else []:
        out.append((str(r["origin"]), int(r["epoch"]), int(r["seq"]), str(r["reason"])))
    return out


class _Sync:
    def __init__(
        self,
        store: Store,
        client: ServerClient,
        progress: Progress,
        cancel: CancelFlag | None,
        retries: int,
        backup: bool,
    ) -> None:
        self.store, self.client, self.progress = store, client, progress
        self.cancel, self.retries, self.backup = cancel, retries, backup
        self.result = SyncResult()
        self.level = my_level(store)
        self.state: dict[str, Any] = {}
        # the newest acknowledgement and rejections not yet written (see push_one)
        self._unwritten: Vector | None = None
        self._rejections: list[tuple[str, int, int, str]] = []
        self._written_at = time.monotonic()

    def cancelled(self) -> bool:
        if self.cancel is not None and self.cancel.is_set():
            self.result.cancelled = True
        return self.result.cancelled

    def retry(self, fn: Callable[[], Any]) -> Any:
        for attempt in range(self.retries + 1):
            try:
                return fn()
            except _Transient as exc:
                if attempt == self.retries:
                    raise NetworkSyncError(detail=str(exc)) from exc
                self.result.retries += 1
                time.sleep(min(0.05 * 2**attempt, 2.0))
                self.progress(None, _("Connection lost; trying again…"))
            except NetworkSyncError as exc:
                if "401" not in str(exc) or attempt == self.retries:
                    raise
                self.renew()  # token expired or refused: sign in again
        raise AssertionError("unreachable")

    def renew(self) -> None:
        """Drop the token the server refused, sign in again and keep the new one."""
        forget_session(self.store, self.client)
        self.client.sign_in(self.store)
        if "feed_id" in self.state:
            save_session(self.store, self.client, str(self.state["feed_id"]))

    def start(self, page_size: int) -> dict[str, Any] | None:
        """Sign in, or with a kept token ask at once for the first feed page with the
        state; that page (None: none asked yet)."""
        feed_id = load_session(self.store, self.client)
        if feed_id is None:
            self.sign_in()
            save_session(self.store, self.client, str(self.state["feed_id"]))
            return None
        self.state = {"feed_id": feed_id}  # until the page's own state comes
        after, rej_after = self.cursors()
        page: dict[str, Any] = self.retry(
            partial(self.client.feed, after, page_size, rej_after, self.position())
        )
        self.use_state(page["state"])
        if str(page["state"]["feed_id"]) != feed_id:  # another feed: these cursors are not its
            save_session(self.store, self.client, str(self.state["feed_id"]))
            return None
        return page

    def cursors(self) -> tuple[int, int]:
        """The feed cursor and the rejection cursor this office has committed.

        A province office whose cursor was moved by an older version, which applied what
        it pulled without keeping it (no :data:`KEEPS_KEY`), reads the feed again from
        the start, once: the change cursors skip everything it applied, and it keeps
        every segment, so its bundles carry down what was pushed before too."""
        feed_id = self.state["feed_id"]
        found = []
        for name in (f"netsync_cursor:{feed_id}", f"netsync_rejections:{feed_id}"):
            row = sql(self.store).execute_sql("SELECT value FROM meta WHERE key = ?", (name,))
            value = row.fetchone()
            found.append(int(value[0]) if value else 0)
        if self.level == 1 and not self.keeps_pulled():
            found[0] = 0
        return found[0], found[1]

    def keeps_pulled(self) -> bool:
        """True once this office's feed cursor counts only pages whose segments it kept."""
        row = sql(self.store).execute_sql(
            "SELECT 1 FROM meta WHERE key = ?", (KEEPS_KEY.format(self.state["feed_id"]),)
        )
        return row.fetchone() is not None

    def position(self) -> tuple[int, int]:
        """This office's epoch and newest own seq in it (for the server's epoch check)."""
        node = self.store.node
        row = sql(self.store).execute_sql(
            "SELECT COALESCE(MAX(seq), 0) FROM change WHERE origin = ? AND epoch = ?",
            (node.node_id, node.epoch),
        )
        return node.epoch, int(row.fetchone()[0])

    def sign_in(self) -> None:
        epoch, seq = self.position()
        answer = self.retry(lambda: self.client.sign_in(self.store, epoch, seq))
        if isinstance(answer.get("state"), dict):
            self.use_state(answer["state"])
        else:
            self.fetch_state()

    def fetch_state(self) -> dict[str, Any]:
        epoch, seq = self.position()
        state: dict[str, Any] = self.retry(lambda: self.client.state(epoch, seq))
        return self.use_state(state)

    def use_state(self, state: dict[str, Any]) -> dict[str, Any]:
        if not state.get("epoch_ok", True):
            raise NetworkSyncError(detail=str(state.get("epoch_problem")))
        if not int(state["schema_min"]) <= SCHEMA_VERSION <= int(state["schema_max"]):
            raise NetworkSyncError(
                detail=_("the server accepts schema {lo}–{hi}; this app writes {mine}").format(
                    lo=state["schema_min"], hi=state["schema_max"], mine=SCHEMA_VERSION
                )
            )
        self.state = state
        vector = vector_from_json(state["vector"])
        known = peer_vector(self.store, str(state["province"]["node_id"]))
        if any(known.get(k, 0) < s for k, s in vector.items()):
            with self.store.transaction():
                self.acknowledge(vector)
        return state

    def acknowledge(self, vector: Vector) -> None:
        """Record the province's vector (caller holds the transaction)."""
        if self.level == 1 or not vector:
            return
        prov = self.state["province"]
        tag = f"net:{self.state['feed_id']}"
        record_acknowledgement(
            self.store, str(prov["node_id"]), str(prov["office_id"]), vector, tag
        )

    def push_all(self) -> None:
        """Push the planned batches; after a cut link, re-plan from the server's vector.

        A helper thread reads, signs and compresses the next batches while the
        current one is on the wire and being taken at the server.
        """
        batch_changes = int(self.state.get("batch_changes", 500))
        failures = 0
        try:
            while True:
                plan = plan_work(self.store, vector_from_json(self.state["vector"]), batch_changes)
                if not plan:
                    return
                try:
                    self._push_plan(plan)
                    return
                except _Transient as exc:
                    failures += 1
                    if failures > self.retries:
                        raise NetworkSyncError(detail=str(exc)) from exc
                self.write_acknowledgement()
                self.result.retries += 1
                self.progress(None, _("Connection lost; resuming from the last confirmed batch"))
                time.sleep(0.05)
                self.fetch_state()
        finally:
            self.write_acknowledgement()

    def _push_plan(self, plan: list[Work]) -> None:
        """Send the plan's batches in order, signed ahead by a producer thread."""
        if len(plan) == 1:  # one batch (an office's period): no thread to start
            if not self.cancelled():
                self.progress(0.0, _("Sending batch {n} of {total}").format(n=1, total=1))
                self.push_one(*_Signer(self.store, own_connection=False)(plan[0]))
            return
        ready: queue.Queue[tuple[list[Segment], bytes] | BaseException | None] = queue.Queue(
            maxsize=SIGN_AHEAD
        )
        stop = threading.Event()
        signer = _Signer(self.store)

        def offer(made: tuple[list[Segment], bytes] | BaseException) -> None:
            while not stop.is_set():
                try:
                    ready.put(made, timeout=0.1)
                    return
                except queue.Full:
                    continue

        def produce() -> None:
            try:
                for item in plan:
                    if stop.is_set():
                        return
                    offer(signer(item))
            except BaseException as exc:  # handed to the sending thread
                offer(exc)
            finally:
                signer.close()

        producer = threading.Thread(target=produce, name="sync-signer", daemon=True)
        producer.start()
        # IN_FLIGHT pushes on the wire at once, one per connection, sent and answered
        # in turn by this thread: the server works on one while the next travels
        conns = self.client.connections(IN_FLIGHT)
        in_flight: deque[tuple[str, bytes, Connection]] = deque()
        try:
            for i in range(len(plan)):
                if self.cancelled():
                    break
                self.progress(
                    i / len(plan),
                    _("Sending batch {n} of {total}").format(n=i + 1, total=len(plan)),
                )
                made = ready.get()
                if isinstance(made, BaseException) or made is None:
                    raise made or RuntimeError("the signer stopped")
                batch_id = _batch_id(made[0])
                self.result.batch_ids.append(batch_id)
                if len(in_flight) == len(conns):
                    self.answered(self._push_with_auth(*in_flight.popleft()))
                conn = conns[i % len(conns)]
                self.client.push_send(conn, batch_id, made[1])
                in_flight.append((batch_id, made[1], conn))
            while in_flight:  # what is on the wire is taken: its answer is recorded
                self.answered(self._push_with_auth(*in_flight.popleft()))
        except BaseException:
            for conn in conns:  # answers left unread: start afresh
                conn.close()
            raise
        finally:
            stop.set()
            producer.join()

    def push_one(self, segments: list[Segment], body: bytes) -> None:
        """Send one batch and record its answer."""
        batch_id = _batch_id(segments)
        self.result.batch_ids.append(batch_id)
        self.answered(self._push_with_auth(batch_id, body))

    def answered(self, answer: dict[str, Any]) -> None:
        """Record a batch's answer (in the order the batches were planned)."""
        self.result.pushed_batches += 1
        self.result.pushed_changes += int(answer["changes"])
        self.result.accepted += int(answer["accepted"])
        rejections = _rows(answer["rejections"])
        self.result.rejected += len(rejections)
        self.state["vector"] = answer["vector"]
        self._unwritten = vector_from_json(answer["vector"])
        self._rejections += rejections
        if self._rejections or time.monotonic() - self._written_at >= ACK_EVERY:
            self.write_acknowledgement()

    def write_acknowledgement(self) -> None:
        """Store the newest acknowledgement and any rejections (at most once a second
        while batches stream: each write is a commit of the office database)."""
        if self._unwritten is None and not self._rejections:
            return
        with self.store.transaction():
            if self._unwritten is not None:
                self.acknowledge(self._unwritten)
            record_rejections(
                self.store, self._rejections, str(self.state["province"]["office_id"])
            )
        self._unwritten, self._rejections = None, []
        self._written_at = time.monotonic()

    def _push_with_auth(
        self, batch_id: str, body: bytes, sent_on: Connection | None = None
    ) -> dict[str, Any]:
        """A batch's answer: pushed now, or read from ``sent_on`` where it was sent. A
        token that ran out is renewed and the batch sent again."""
        try:
            if sent_on is not None:
                return self.client.push_receive(sent_on)
            return self.client.push(batch_id, body)
        except NetworkSyncError as exc:
            if "401" not in str(exc):
                raise
            self.renew()
            return self.client.push(batch_id, body)

    def changes_nothing(self, page: dict[str, Any], after: int, rej_after: int) -> bool:
        """True for a last page with nothing this office has not recorded already: no
        entries, no rejections, both cursors where they are, a vector it already holds
        as the province's acknowledgement, and the revocation list it keeps."""
        if page["entries"] or page["rejections"] or page["more"]:
            return False
        if page.get("rejections_more", False):
            return False
        if int(page["next_after"]) != after:
            return False
        if int(page.get("rejections_next", rej_after)) != rej_after:
            return False
        if self.level != 1:  # the province office records no acknowledgement (acknowledge)
            known = peer_vector(self.store, str(self.state["province"]["node_id"]))
            if any(known.get(k, 0) < s for k, s in vector_from_json(page["vector"]).items()):
                return False
        listed = page.get("revocations")
        body = listed.get("body") if isinstance(listed, dict) else None
        if listed and not (isinstance(body, dict) and body.get("revoked") == []):
            # a list that revokes anyone is kept as given (keep_revocation_list): the same
            held = (
                sql(self.store)
                .execute_sql("SELECT value FROM meta WHERE key = 'sync_revocations'")
                .fetchone()
            )
            if held is None or json.loads(held[0]) != listed:
                return False
        return True

    def pull_all(self, page_size: int, first: dict[str, Any] | None = None) -> None:
        """Pull and apply feed pages from the committed cursors; ``first``: the first page,
        already asked for (:meth:`start`)."""
        store = self.store
        key = f"netsync_cursor:{self.state['feed_id']}"
        rej_key = f"netsync_rejections:{self.state['feed_id']}"  # each rejection comes once
        after, rej_after = self.cursors()
        head = max(int(self.state.get("feed_head", 0)), 1)
        _cert, province_key = my_certificate(store)
        backed_up = not self.backup or store.path is None
        while not self.cancelled():
            page: dict[str, Any] = (
                first
                if first is not None
                else self.retry(partial(self.client.feed, after, page_size, rej_after))
            )
            first = None
            segs = [
                (str(e["header"]).encode("utf-8"), base64.b64decode(e["body"]))
                for e in page["entries"]
            ]
            if segs and not backed_up:
                from desktop_app.store.backup import auto_backup

                assert store.path is not None
                auto_backup(store.path, reason="before-import")
                backed_up = True
            if not segs and self.changes_nothing(page, after, rej_after):
                self.result.pulled_pages += 1
                return  # a sync with nothing new writes nothing (no commit, no fsync)
            # judged with the page's own list: a segment and the list that came with it
            # give the same answer at every page size (certificates.stands_to)
            revoked = revoked_with(store, page.get("revocations"), province_key)
            verified = verify_segments(store, segs, province_key, revoked)
            prov_office = str(self.state["province"]["office_id"])
            with store.transaction():
                if verified:
                    applied = apply_verified(
                        store,
                        verified,
                        received_from=prov_office,
                        my_level=self.level,
                        # the province office's and a district's bundles carry on what
                        # they pulled (a district PC on a stick gets what communes pushed)
                        keep_for_relay=self.level in (1, 2),
                        revoked=revoked,
                    ).report.applied
                else:
                    applied = 0
                after = int(page["next_after"])
                rej_after = int(page.get("rejections_next", rej_after))
                sql(store).cursor().executemany(
                    "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                    [
                        (key, str(after)),
                        (rej_key, str(rej_after)),
                        (KEEPS_KEY.format(self.state["feed_id"]), "1"),
                    ],
                )
                self.acknowledge(vector_from_json(page["vector"]))
                record_rejections(store, _rows(page["rejections"]), prov_office)
                if page.get("revocations"):
                    keep_revocation_list(store, page["revocations"], province_key)
                    # pulled (or carried by stick) before the list reached this office
                    self.result.taken_back += take_back_past_positions(store)
            self.result.pulled_pages += 1
            self.result.pulled_segments += len(segs)
            self.result.applied += applied
            self.progress(min(after / head, 1.0), _("Receiving from the province"))
            if not page["more"] and not page.get("rejections_more", False):
                return


def sync_office(
    store: Store,
    server_url: str,
    *,
    progress: Progress | None = None,
    cancel: CancelFlag | None = None,
    retries: int = 8,
    page_size: int = 100,
    backup: bool = True,
    client: ServerClient | None = None,
    insecure_http: bool = False,
) -> SyncResult:
    """Sign in, push what the province lacks, pull what is new; see the module docstring.

    ``insecure_http``: allow plain ``http://`` to another machine (the office's setting)."""
    my_certificate(store)  # refuse early when not enrolled
    refuse_if_revoked(store)  # or revoked, when the list already came down (in words)
    own_client = client is None
    http = client or ServerClient(server_url, insecure_http=insecure_http)
    say = progress or (lambda _fraction, _message: None)
    job = _Sync(store, http, say, cancel, retries, backup)
    try:
        say(0.0, _("Signing in to the province server"))
        first = job.start(page_size)
        if job.level == 1:  # the province office: the server refuses what it revoked
            job.retry(lambda: http.revocations(revocation_list(store)))
        job.push_all()
        if not job.cancelled():
            # each page carries the province's vector: the last ack
            job.pull_all(page_size, first)
        say(1.0, _("Sync finished"))
    finally:
        if own_client:
            http.close()
    return job.result
