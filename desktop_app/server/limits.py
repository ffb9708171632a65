"""Request limits: body size (413), body read under a deadline (408) and a simple
per-office rate limit (429)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

DEFAULT_MAX_BODY = 16 * 1024 * 1024
# A body must come in at this pace: no pause longer than STALL seconds between two
# pieces, and all of it within BODY_TIME seconds plus one second per MIN_RATE bytes
# (a 3G link in a commune sends a 500-change batch, some 100 KB, in about a second)
STALL = 15.0
BODY_TIME = 30.0
MIN_RATE = 16 * 1024


def error_json(code: str, message: str) -> bytes:
    """The JSON of an error answer (same shape as :class:`desktop_app.server.models.ErrorBody`)."""
    return json.dumps({"error": code, "message": message}).encode("utf-8")


class BodyTooLarge(HTTPException):
    """Raised inside the app when the streamed body passes the limit (413)."""

    def __init__(self, max_body: int) -> None:
        super().__init__(413, _detail("too_large", _too_large(max_body)), _CLOSE)


class BodyTooSlow(HTTPException):
    """Raised inside the app when the body does not come in time (408)."""

    def __init__(self) -> None:
        super().__init__(408, _detail("too_slow", TOO_SLOW), _CLOSE)


# the name of the count of dropped bodies (kept by the backend, in the database)
DROPPED = "dropped_uploads"
TOO_SLOW = "the request body did not come in time; send it again"
_CLOSE = {"Connection": "close"}


def _detail(code: str, message: str) -> dict[str, str]:
    return {"error": code, "message": message}


def _too_large(max_body: int) -> str:
    return f"the request body is larger than {max_body} bytes; send less"


class BodyLimitMiddleware:
    """Refuse request bodies over ``max_body`` bytes with 413 and a JSON error, and drop
    a body that stalls or comes too slowly with 408, counted by ``count_drop`` (called
    in a worker thread: the backend keeps the count in the database, so every server
    process on it reports the same number).

    A declared Content-Length over the limit is refused before reading; a
    chunked body is counted as it streams. A body up to 4× the limit is read
    and thrown away first, so the client sees the 413 answer rather than a
    reset connection. Each piece of a body must come within ``stall`` seconds
    of the last, and the whole of it within ``body_time`` seconds plus one per
    ``min_rate`` bytes declared; a slow client holds one connection that long
    at most, and nothing else (the wait is the event loop's, not a thread's).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_body: int = DEFAULT_MAX_BODY,
        *,
        stall: float = STALL,
        body_time: float = BODY_TIME,
        min_rate: float = MIN_RATE,
        count_drop: Callable[[], None] | None = None,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.stall, self.body_time, self.min_rate = stall, body_time, min_rate
        self.count_drop = count_drop

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = None
        if declared is not None and declared > self.max_body:
            if declared <= 4 * self.max_body:
                with contextlib.suppress(TimeoutError):  # a slow one is simply cut
                    await asyncio.wait_for(self._drain(receive), self.body_time)
            await self._refuse(send)
            return
        seen = 0
        started = False
        finished = False  # the whole body came (what follows is the wait for a disconnect)
        deadline = time.monotonic() + self.body_time + (declared or self.max_body) / self.min_rate

        async def counted_receive() -> Message:
            nonlocal seen, finished
            if finished:
                return await receive()
            left = deadline - time.monotonic()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, min(self.stall, left)))
            except TimeoutError:
                await self._count_drop()
                raise BodyTooSlow() from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
                finished = not message.get("more_body", False)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(send)
        except BodyTooSlow:
            if not started:
                await self._answer(send, 408, "too_slow", TOO_SLOW)

    async def _count_drop(self) -> None:
        """Count a dropped body before answering (so a health check right after the
        answer sees it); a count that cannot be written is logged, the answer still goes."""
        if self.count_drop is None:
            return
        try:
            await run_in_threadpool(self.count_drop)
        except Exception:
            log.exception("a dropped upload could not be counted")

    @staticmethod
    async def _drain(receive: Receive) -> None:
        while True:
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                return

    async def _refuse(self, send: Send) -> None:
        await self._answer(send, 413, "too_large", _too_large(self.max_body))

    @staticmethod
    async def _answer(send: Send, status: int, code: str, message: str) -> None:
        body = error_json(code, message)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class RateLimiter:
    """A token bucket per key (an office's node id, or a client address before sign-in).

    Per server process: several processes behind a balancer each allow the rate.
    """

    def __init__(
        self, rate: float = 50.0, burst: int = 200, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds to wait."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
