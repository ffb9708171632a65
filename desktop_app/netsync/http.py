"""The HTTP side of the client: one office's calls to the server API, with its token."""

from __future__ import annotations

import http.client
import ipaddress
import json
import ssl
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from typing import Any, NoReturn

from desktop_app.i18n import _
from desktop_app.netsync.wire import API, PUSH_MEDIA_TYPE, auth_message
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.errors import SyncError
from desktop_app.sync.identity import b64, load_identity, sign
from desktop_app.sync.server_pin import server_pins, spki_sha256


class NetworkSyncError(SyncError):
    """The server refused, or could not be reached after retries."""

    def template(self) -> str:
        return _("Network sync with the province failed: {detail}")


class ServerDiskFullError(NetworkSyncError):
    """The server answered 507: its disk is full (nothing of the request was kept)."""

    def template(self) -> str:
        return _(
            "The provincial server's disk is full: it kept nothing of this sync. Your data "
            "stays on this computer and is sent at the next sync; tell the province so it "
            "can free space on its server."
        )


class _Transient(Exception):
    """A failure worth retrying (cut link, server busy)."""


@contextmanager
def _transient() -> Iterator[None]:
    """A transport failure (a cut link, a refused connection) becomes worth a retry."""
    try:
        yield
    except OSError as exc:
        raise _Transient(str(exc) or type(exc).__name__) from exc


_TLS: list[ssl.SSLContext] = []
_TLS_LOCK = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """One TLS context for every client (loading the CA store costs ~50 ms each time)."""
    with _TLS_LOCK:
        if not _TLS:
            _TLS.append(ssl.create_default_context())
        return _TLS[0]


def pinned_context() -> ssl.SSLContext:
    """The TLS context of a pinned server: no certificate authority, no host name check;
    the key itself is compared with the pin once connected (:class:`_PinnedHTTPS`)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


class PinMismatchError(NetworkSyncError):
    """The server's TLS key is not the one the province recorded (never retried)."""


class _PinnedHTTPS(http.client.HTTPSConnection):
    """An HTTPS connection that checks the server's key against the pin right after the
    handshake, before a byte of a request (a token, a nonce) is sent."""

    def __init__(self, host: str, port: int, *, timeout: float, pin: str) -> None:
        super().__init__(host, port, timeout=timeout, context=pinned_context())
        self.pin = pin

    def connect(self) -> None:
        super().connect()
        assert isinstance(self.sock, ssl.SSLSocket)
        der = self.sock.getpeercert(binary_form=True)
        shown = "" if der is None else spki_sha256(der)
        if shown != self.pin:
            self.close()
            raise PinMismatchError(
                detail=_(
                    "the server at {host} did not show the key the province recorded for it"
                    " (recorded {pinned}…, shown {shown}…): it may not be the province's server"
                ).format(host=self.host, pinned=self.pin[:16], shown=shown[:16] or "-")
            )


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def plain_http_elsewhere(base_url: str) -> bool:
    """Whether ``base_url`` is plain ``http://`` to another machine (not loopback)."""
    parts = urllib.parse.urlsplit(base_url)
    host = parts.hostname
    return parts.scheme == "http" and host is not None and not is_loopback(host)


def check_address(base_url: str, *, insecure_http: bool = False) -> None:
    """Refuse plain ``http://`` to another machine unless ``insecure_http``: tokens and
    data would cross the network in clear text."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkSyncError(detail=_("not a server address: {url}").format(url=base_url))
    if parts.scheme == "http" and not insecure_http and not is_loopback(parts.hostname):
        raise NetworkSyncError(
            detail=_(
                "{url} is plain http to another machine: use https:// (or, on a network"
                " you trust, --insecure-http)"
            ).format(url=base_url)
        )


@dataclass
class Reply:
    """One HTTP answer."""

    status_code: int
    headers: Message  # case-insensitive
    content: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", "replace")


class Connection:
    """One kept-alive HTTP/1.1 connection to the server (the standard library's client).

    A sync is a short sequence of calls on one connection, so this needs none of
    a general client's machinery (pools, cookies, redirects), and sending a
    request apart from reading its answer (:meth:`send`, :meth:`receive`) keeps
    several pushes on the wire from one thread, which neither urllib3's pool nor
    httpx's client offers. Measured (``bench/bench_http.py``: a sync's calls, 20 kB
    pushes, over one kept-alive connection to uvicorn answering at once; Debian 12,
    Python 3.11): ours 79 µs of client CPU and 133 µs wall a call; urllib3 2.8
    1.99x and 1.75x that, httpx 0.28 4.19x and 3.29x. Kept on that figure.
    """

    def __init__(
        self, base_url: str, *, timeout: float, context: ssl.SSLContext, pin: str | None = None
    ) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise NetworkSyncError(detail=_("not a server address: {url}").format(url=base_url))
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.https else 80)
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.context = context
        self.pin = pin  # hex SHA-256 of the server key the province recorded, if any
        self._conn: http.client.HTTPConnection | None = None

    def _connect(self) -> http.client.HTTPConnection:
        if self._conn is None:
            if self.https and self.pin is not None:
                self._conn = _PinnedHTTPS(self.host, self.port, timeout=self.timeout, pin=self.pin)
            elif self.https:
                self._conn = http.client.HTTPSConnection(
                    self.host, self.port, timeout=self.timeout, context=self.context
                )
            else:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        return self._conn

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, **kwargs: Any) -> Reply:
        """Send one request (see :meth:`send`) and read the whole answer; transport
        failures raise ``OSError``."""
        self.send(method, path, **kwargs)
        return self.receive()

    def send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Send a request without waiting for its answer (:meth:`receive` reads it)."""
        target = self.prefix + path
        if params:
            target += "?" + urllib.parse.urlencode(params)
        sent = dict(headers or {})
        body = content
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            sent["Content-Type"] = "application/json"
        conn = self._connect()
        try:
            conn.request(method, target, body=body, headers=sent)
        except (OSError, http.client.HTTPException) as exc:
            self._failed(exc)

    def receive(self) -> Reply:
        """The answer to the request sent last."""
        conn = self._connect()
        try:
            answer = conn.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException) as exc:
            self._failed(exc)
        if answer.will_close:
            self.close()
        return Reply(answer.status, answer.headers, data)

    def _failed(self, exc: Exception) -> NoReturn:
        self.close()  # a cut link: the next call starts afresh
        if isinstance(exc, OSError):
            raise exc
        raise ConnectionError(str(exc) or type(exc).__name__) from exc

    def get(self, path: str, **kwargs: Any) -> Reply:
        """``GET``."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Reply:
        """``POST``."""
        return self.request("POST", path, **kwargs)


class ServerClient:
    """Thin HTTP client of the server API (one office, one token).

    Plain ``http://`` is refused for any address but loopback unless
    ``insecure_http``; an ``https://`` host the office holds a pin for
    (:mod:`desktop_app.sync.server_pin`, read at :meth:`sign_in`) must show
    that key, any other one the certificate authorities' trust.
    """

    def __init__(
        self, base_url: str, *, timeout: float = 60.0, insecure_http: bool = False
    ) -> None:
        check_address(base_url, insecure_http=insecure_http)
        self.base_url, self.timeout = base_url.rstrip("/"), timeout
        self.insecure_http = insecure_http and urllib.parse.urlsplit(base_url).scheme == "http"
        self.pin: str | None = None
        self.http = self._connection()
        self._more: list[Connection] = []
        self.token: str | None = None
        self.token_expires: float | None = None  # by the server's clock (its expires_at)

    def _connection(self) -> Connection:
        return Connection(self.base_url, timeout=self.timeout, context=tls_context(), pin=self.pin)

    def use_pins(self, store: Store) -> None:
        """Pin the server's key if the office holds a pin for its host (before connecting)."""
        host = (urllib.parse.urlsplit(self.base_url).hostname or "").lower()
        pin = server_pins(store).get(host)
        if pin == self.pin:
            return
        self.pin = pin
        for conn in (self.http, *self._more):
            conn.close()
            conn.pin = pin

    def connections(self, n: int) -> list[Connection]:
        """``n`` connections to keep as many pushes on the wire (the first is ``http``)."""
        while len(self._more) < n - 1:
            self._more.append(self._connection())
        return [self.http, *self._more[: n - 1]]

    def close(self) -> None:
        """Close the connections."""
        for conn in (self.http, *self._more):
            conn.close()

    def _headers(self, headers: dict[str, str] | None = None) -> dict[str, str]:
        sent = dict(headers or {})
        if self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        return sent

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = self._headers(kwargs.pop("headers", None))
        with _transient():
            response = self.http.request(method, API + path, headers=headers, **kwargs)
        return self._answer(response)

    def _answer(self, response: Reply) -> Any:
        if response.status_code == 507:  # waiting will not free the server's disk
            raise ServerDiskFullError()
        if response.status_code == 429 or response.status_code >= 500:
            wait = float(response.headers.get("retry-after", "1"))
            time.sleep(min(wait, 5.0))
            raise _Transient(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            try:
                message = str(response.json().get("message", response.text))
            except ValueError:
                message = response.text
            raise NetworkSyncError(detail=f"{response.status_code}: {message}")
        return response.json()

    def sign_in(
        self, store: Store, epoch: int | None = None, seq: int | None = None
    ) -> dict[str, Any]:
        """Challenge, sign, token (with the office's state when ``epoch`` is given)."""
        cert, _key = my_certificate(store)
        ident = load_identity(store)
        self.use_pins(store)
        self.token, self.token_expires = None, None
        nonce = self._call("POST", "/auth/challenge")["nonce"]
        answer: dict[str, Any] = self._call(
            "POST",
            "/auth/token",
            json_body={
                "certificate": cert,
                "nonce": nonce,
                "signature": b64(sign(ident.private_key, auth_message(nonce))),
                "epoch": epoch,
                "seq": seq,
            },
        )
        self.token = str(answer["token"])
        self.token_expires = datetime.fromisoformat(str(answer["expires_at"])).timestamp()
        return answer

    def state(self, epoch: int, seq: int) -> dict[str, Any]:
        """``GET /state``."""
        result: dict[str, Any] = self._call("GET", "/state", params={"epoch": epoch, "seq": seq})
        return result

    def push(self, batch_id: str, body: bytes) -> dict[str, Any]:
        """``POST /batches/{id}``."""
        self.push_send(self.http, batch_id, body)
        return self.push_receive(self.http)

    def push_send(self, conn: Connection, batch_id: str, body: bytes) -> None:
        """Send a push on ``conn`` without waiting for its answer."""
        with _transient():
            conn.send(
                "POST",
                f"{API}/batches/{batch_id}",
                content=body,
                headers=self._headers({"Content-Type": PUSH_MEDIA_TYPE}),
            )

    def push_receive(self, conn: Connection) -> dict[str, Any]:
        """The answer to the push sent last on ``conn``."""
        with _transient():
            reply = conn.receive()
        result: dict[str, Any] = self._answer(reply)
        return result

    def revocations(self, doc: dict[str, Any]) -> dict[str, Any]:
        """``POST /revocations`` (the province office only)."""
        result: dict[str, Any] = self._call("POST", "/revocations", json_body=doc)
        return result

    def feed(
        self,
        after: int,
        limit: int,
        rejections_after: int = 0,
        position: tuple[int, int] | None = None,
    ) -> dict[str, Any]:
        """``GET /feed``; with ``position`` (the office's epoch and newest seq) the page
        also holds the office's state."""
        params = {"after": after, "limit": limit, "rejections_after": rejections_after}
        if position is not None:
            params["epoch"], params["seq"] = position
        result: dict[str, Any] = self._call("GET", "/feed", params=params)
        return result
