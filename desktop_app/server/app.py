"""The provincial server: FastAPI app factory and its routes (DESIGN §4 "Network", §5).

``create_app("province.db")`` serves the province office database (SQLite);
``create_app("postgresql://...")`` serves a feed kept in PostgreSQL. Routes,
all under ``/v1`` and described in ``/openapi.json``:

* ``POST /auth/challenge``, ``POST /auth/token``: sign-in by office certificate;
* ``GET /state``: the server's vector for the office, epoch check, schema range;
* ``POST /batches/{batch_id}``: push a batch of signed segments (idempotent);
* ``GET /feed``: pull pages of the feed, oldest first, with acknowledgements.
"""

from __future__ import annotations

import base64
import logging
import os
import socket
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import peewee
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from desktop_app import __version__
from desktop_app.netsync.wire import API, PUSH_MEDIA_TYPE, WireError, body_sha256, decode_push
from desktop_app.server.auth import AuthError, Claims, TokenAuthority, verify_office
from desktop_app.server.backend import (
    BATCH_CHANGES,
    MAX_PAGE_LIMIT,
    PAGE_LIMIT,
    Backend,
    BatchConflictError,
    Page,
    ServerBusyError,
    epoch_check,
    iso,
    vector_json,
)
from desktop_app.server.limits import (
    BODY_TIME,
    DEFAULT_MAX_BODY,
    DROPPED,
    MIN_RATE,
    STALL,
    BodyLimitMiddleware,
    RateLimiter,
)
from desktop_app.server.models import (
    BatchAnswer,
    Challenge,
    ErrorBody,
    FeedEntry,
    FeedPage,
    Health,
    Installed,
    Province,
    Rejection,
    RevocationList,
    State,
    Token,
    TokenRequest,
)
from desktop_app.store.errors import DiskFullError
from desktop_app.store.schema import SCHEMA_VERSION

# Every error the server answers, each with an ErrorBody (422, FastAPI's validation
# error, is described by FastAPI itself on every route with parameters or a body).
STATUS_TEXT = {
    400: "the body cannot be read (bad_batch, bad_signature, disconnected)",
    401: "not signed in, the token ran out, or the certificate is refused or revoked",
    403: "only the province office may do this",
    408: "the request body did not come in time (too_slow); the connection is closed",
    409: "batch id already used by this office with other bytes (batch_conflict)",
    413: "request body too large (too_large)",
    415: "a batch must be sent as application/octet-stream (bad_media_type)",
    429: "too many requests from this office or address (rate_limited); see Retry-After",
    503: "the server is busy (busy): its writer did not take the batch in time, its"
    " database is locked by the province's own window for longer than the server waits,"
    " or PostgreSQL is short of memory, connections or locks, refused or lost the"
    " server's connection (too many clients, restarting, not reachable); send the"
    " request again after Retry-After",
    507: "the server's disk is full (disk_full): nothing of the request was kept; the"
    " province must free space before the office syncs again",
}
BUSY_MESSAGE = "the server's database is busy; try again after Retry-After"
DISK_FULL_MESSAGE = "the server's disk is full; nothing of the request was kept"


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of a route: these statuses, plus 408 and 413 that any
    request may get from the body limits."""
    return {
        code: {"model": ErrorBody, "description": STATUS_TEXT[code]}
        for code in sorted({408, 413, *codes})
    }


ERRORS = errors(401, 429)
MIN_SCHEMA = 1
log = logging.getLogger(__name__)


def open_backend(db: str | Path, *, province_db: Path | None = None) -> Backend:
    """The backend for a PostgreSQL URL or a province database path."""
    text = str(db)
    if text.startswith(("postgresql://", "postgres://")):
        from desktop_app.server.pg_backend import PostgresBackend, bootstrap

        if province_db is not None:
            bootstrap(text, Path(province_db))
        return PostgresBackend(text)
    from desktop_app.server.sqlite_backend import SqliteBackend

    return SqliteBackend(Path(db))


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> NoReturn:
    raise HTTPException(status, detail={"error": code, "message": message}, headers=headers)


def _rate_limit(limiter: RateLimiter, key: str) -> None:
    wait = limiter.allow(key)
    if wait > 0:
        _error(
            429,
            "rate_limited",
            "too many requests; wait and try again",
            {"Retry-After": str(max(1, int(wait + 0.999)))},
        )


_bearer = HTTPBearer(auto_error=False, description="token from POST /v1/auth/token")


async def signed_in(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims:
    """The calling office, from its bearer token (401 without one; 429 over its rate)."""
    if credentials is None:
        _error(401, "unauthorized", "sign in first", {"WWW-Authenticate": "Bearer"})
    authority: TokenAuthority = request.app.state.authority
    try:
        claims = authority.read(credentials.credentials, time.time())
    except AuthError as exc:
        _error(401, "unauthorized", str(exc), {"WWW-Authenticate": "Bearer"})
    # a revocation ends the office's tokens at once, in every server process
    store: Backend = request.app.state.backend
    if claims.serial in await run_in_threadpool(store.revoked):
        _error(
            401, "unauthorized", "this office's certificate was revoked",
            {"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    _rate_limit(request.app.state.limiter, claims.node_id)
    return claims


Office = Annotated[Claims, Depends(signed_in)]


def create_app(
    db: str | Path,
    *,
    province_db: Path | None = None,
    max_body: int = DEFAULT_MAX_BODY,
    rate: float = 50.0,
    burst: int = 200,
    batch_changes: int = BATCH_CHANGES,
    backend: Backend | None = None,
    stall: float = STALL,
    body_time: float = BODY_TIME,
    min_rate: float = MIN_RATE,
) -> FastAPI:
    """The FastAPI application serving ``db`` (a province database or a PostgreSQL URL).

    ``stall``, ``body_time``, ``min_rate``: how slowly a request body may come
    (:class:`desktop_app.server.limits.BodyLimitMiddleware`).
    """
    store = backend or open_backend(db, province_db=province_db)
    process, started_at = f"{socket.gethostname()}:{os.getpid()}", time.time()
    authority = TokenAuthority(store.secret)
    limiter = RateLimiter(rate, burst)
    # before sign-in only the address is known, and many offices may share one (NAT)
    sign_in_limiter = RateLimiter(rate * 10, burst * 10)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()
        store.timings.write_if_asked()

    app = FastAPI(
        title="Coverage Desk provincial server",
        version=__version__,
        description="Network sync of the offices' coverage survey data (DESIGN §4, §5).",
        lifespan=lifespan,
    )
    app.state.backend = store
    app.state.authority = authority
    app.state.limiter = limiter

    @app.exception_handler(DiskFullError)
    @app.exception_handler(sqlite3.OperationalError)
    @app.exception_handler(peewee.OperationalError)
    async def database_trouble(request: Request, exc: Exception) -> JSONResponse:
        # a full disk (SQLite's SQLITE_FULL or page limit; PostgreSQL's 53100 disk_full,
        # raised as DiskFullError by its backend): the transaction was rolled back whole
        if isinstance(exc, DiskFullError) or "full" in str(exc):
            log.error("%s %s: %s", request.method, request.url.path, exc)
            return JSONResponse({"error": "disk_full", "message": DISK_FULL_MESSAGE},
                                status_code=507)  # fmt: skip
        # SQLite mode: the province's window writes the same file (a bundle import); a
        # request that had to write waited busy_timeout for it, and is asked to come back
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise exc
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"error": "busy", "message": BUSY_MESSAGE}, status_code=503,
            headers={"Retry-After": "5"},
        )  # fmt: skip

    @app.exception_handler(ServerBusyError)
    async def short_of_resources(request: Request, exc: ServerBusyError) -> JSONResponse:
        # PostgreSQL mode: out of memory, connections or locks for a moment (SQLSTATE
        # class 53 but disk_full), a connection refused, unreachable or lost
        # (pg_errors.short_of_resources); a push waiting too long for the writer is
        # answered in its route
        log.warning("%s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            {"error": "busy", "message": BUSY_MESSAGE}, status_code=503,
            headers={"Retry-After": "5"},
        )  # fmt: skip

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: Any = exc.detail
        if not isinstance(detail, dict):
            detail = {"error": "error", "message": str(detail)}
        return JSONResponse(detail, status_code=exc.status_code, headers=exc.headers)

    def limit(key: str) -> None:
        _rate_limit(sign_in_limiter, key)

    # Signature checks run on the event loop; every database read or write (revocations,
    # the state, nonces, pushes, feed pages) in a thread: a database that is slow to
    # answer (PostgreSQL over a congested link, a busy disk) must never hold the loop,
    # and with it every other office's requests and /v1/health.

    @app.get(f"{API}/health", response_model=Health, responses=errors(), tags=["server"])
    async def health() -> Health:
        """Liveness; no sign-in needed. The counts are read from the database (the same
        from every server process on it); the status and clock are this process's."""

        def counts() -> tuple[int, int]:
            return store.pending_apply(), store.count(DROPPED)

        status, pending, dropped = "ok", 0, None
        try:
            pending, dropped = await run_in_threadpool(counts)
        except Exception:  # what the database's trouble is goes to the log, not to anyone
            log.exception("health: the database cannot be read")
            status = "database_error"
        return Health(
            status=status,
            mode=store.mode,
            server_time=iso(),
            process=process,
            process_started_at=iso(started_at),
            pending_apply=pending,
            apply_problem=store.apply_problem(),
            dropped_uploads=dropped,
        )

    @app.post(
        f"{API}/auth/challenge", response_model=Challenge, responses=errors(429), tags=["auth"]
    )
    async def challenge(request: Request) -> Challenge:
        """A nonce for the office to sign with its certificate's key."""
        limit("ip:" + (request.client.host if request.client else "?"))
        nonce, expires = authority.challenge(time.time())
        return Challenge(nonce=nonce, expires_at=iso(expires))

    @app.post(
        f"{API}/auth/token",
        response_model=Token,
        responses=errors(400, 401, 429, 503, 507),
        tags=["auth"],
    )
    async def token(body: TokenRequest, request: Request) -> Token:
        """A short-lived bearer token for a certificate of this province and a signed nonce.

        With ``epoch`` (and ``seq``) the answer also holds the office's state,
        saving the client a round trip.
        """
        limit("ip:" + (request.client.host if request.client else "?"))
        now = time.time()
        try:
            nonce_expires = authority.check_nonce(body.nonce, now)
            # the revocation list is a database read: off the event loop, like every read
            revoked = await run_in_threadpool(store.revoked)
            info = verify_office(
                body.certificate,
                body.nonce,
                body.signature,
                province_key=store.province_key,
                revoked=revoked,
                now=now,
            )
        except AuthError as exc:
            _error(401, "unauthorized", str(exc), {"WWW-Authenticate": "Bearer"})
        # single use: a signed challenge sent again is refused until it expires
        if not await run_in_threadpool(store.use_nonce, body.nonce, nonce_expires, now):
            _error(
                401, "unauthorized", "this challenge was used already; ask for a new one",
                {"WWW-Authenticate": "Bearer"},
            )  # fmt: skip
        text, expires = authority.issue(info, now)
        limiter.allow(info.node_id)  # the sign-in counts against the office's rate too
        office_state = None
        if body.epoch is not None:
            office_state = await run_in_threadpool(
                build_state, authority.read(text, now), body.epoch, body.seq
            )
        return Token(
            token=text,
            expires_at=iso(expires),
            node_id=info.node_id,
            office_id=info.office_id,
            level=info.level,
            state=office_state,
        )

    def build_state(office: Claims, epoch: int | None, seq: int | None) -> State:
        vector = store.vector_for(office)
        ok, problem = epoch_check(vector, office.node_id, epoch, seq)
        return State(
            office_id=office.office_id,
            node_id=office.node_id,
            mode=store.mode,
            feed_id=store.feed_id,
            feed_head=store.feed_head(),
            vector=[(o, e, s) for o, e, s in vector_json(vector)],
            epoch_ok=ok,
            epoch_problem=problem,
            schema_min=MIN_SCHEMA,
            schema_max=SCHEMA_VERSION,
            server_time=iso(),
            province=Province(node_id=store.province_node, office_id=store.province_office),
            batch_changes=batch_changes,
            max_body=max_body,
        )

    @app.get(f"{API}/state", response_model=State, responses=ERRORS, tags=["sync"])
    def state(
        office: Office,
        epoch: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        seq: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    ) -> State:
        """The server's applied vector for this office, the epoch check and the schema range.

        A plain function: FastAPI runs it in its thread pool, so the database reads
        never hold the event loop (and with it every other office's requests)."""
        return build_state(office, epoch, seq)

    @app.post(
        f"{API}/batches/{{batch_id}}",
        response_model=BatchAnswer,
        responses=errors(400, 401, 409, 415, 429, 503, 507),
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {PUSH_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        },
        tags=["sync"],
    )
    async def push(
        office: Office,
        request: Request,
        batch_id: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{1,64}$")],
    ) -> Any:
        """Push a batch: zstd of the framed signed segments (the bundles' encoding).

        The same id with the same bytes returns the stored answer; with other
        bytes it is refused (409). Each change is checked against its signer's
        certificate; refused changes come back in ``rejections`` with reasons.
        """
        media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != PUSH_MEDIA_TYPE:
            _error(
                415,
                "bad_media_type",
                f"a batch is sent as {PUSH_MEDIA_TYPE}, not {media or 'nothing'}",
            )
        try:
            data = await request.body()
        except ClientDisconnect:  # a cut link: nothing taken, the client resends
            return JSONResponse(
                {"error": "disconnected", "message": "the request was cut"}, status_code=400
            )

        def take() -> dict[str, Any]:
            # off the event loop: expanding, reading and verifying cost CPU in proportion to
            # the body, so one office's heavy push never holds the others' requests
            try:
                with store.timings.timed("push.expand"):
                    segments = decode_push(data, max_segments=batch_changes)
            except WireError as exc:
                _error(400, "bad_batch", f"the batch cannot be read: {exc}")
            return store.push(office, batch_id, body_sha256(data), segments)

        try:
            return await run_in_threadpool(take)
        except BatchConflictError:
            _error(409, "batch_conflict", f"batch {batch_id} was sent before with other contents")
        except ServerBusyError:
            _error(503, "busy", "the server is busy; send the batch again later",
                   {"Retry-After": "5"})  # fmt: skip

    @app.post(
        f"{API}/revocations",
        response_model=Installed,
        responses=errors(400, 401, 403, 429, 503, 507),
        tags=["auth"],
    )
    def revocations(office: Office, doc: RevocationList) -> Installed:
        """The province office hands the server its signed revocation list: certificates
        revoked since are refused at sign-in and their segments at push (PostgreSQL
        keeps its own copy; on SQLite the list is the province database's)."""
        if office.level != 1:
            _error(403, "forbidden", "only the province office publishes revocations")
        installed = store.install_revocations(doc.model_dump())
        if installed is None:
            _error(400, "bad_signature", "the list is not signed with the province's key")
        return Installed(installed=installed)

    @app.get(
        f"{API}/feed", response_model=FeedPage, responses=errors(401, 429, 503, 507), tags=["sync"]
    )
    def feed(
        office: Office,
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE_LIMIT)] = PAGE_LIMIT,
        rejections_after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        epoch: Annotated[int | None, Query(ge=0, le=2**62)] = None,
        seq: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    ) -> FeedPage:
        """A page of the feed after ``after``, oldest first, with up to ``limit`` of the
        scope's rejections after ``rejections_after``; commit it, then ask for the next
        (until neither ``more`` nor ``rejections_more``).

        With ``epoch`` (and ``seq``) the page also holds the office's state (as
        ``GET /state``), read before the page: an office with a token still valid
        learns in this one request what to push and that nothing is new."""
        office_state = None if epoch is None else build_state(office, epoch, seq)
        with store.timings.timed("feed.read"):
            page = store.pull(office, after, limit, rejections_after)
        with store.timings.timed("feed.encode"):
            return _feed_page(office_state, page)

    def _feed_page(office_state: State | None, page: Page) -> FeedPage:
        return FeedPage(
            state=office_state,
            entries=[
                FeedEntry(fseq=f, header=h, body=base64.b64encode(b).decode("ascii"))
                for f, h, b in page.entries
            ],
            next_after=page.next_after,
            more=page.more,
            vector=[(o, e, s) for o, e, s in vector_json(page.vector)],
            rejections=[
                Rejection(origin=o, epoch=e, seq=s, reason=r) for o, e, s, r in page.rejections
            ],
            rejections_next=page.rejections_next,
            rejections_more=page.rejections_more,
            revocations=page.revocations,
        )

    app.add_middleware(
        BodyLimitMiddleware,
        max_body=max_body,
        stall=stall,
        body_time=body_time,
        min_rate=min_rate,
        count_drop=lambda: store.add_count(DROPPED),
    )
    return app
