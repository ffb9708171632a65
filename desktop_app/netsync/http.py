"""The HTTP side of the client: one office's calls to the server API, with its token."""

from __future__ import annotations

import ssl
import threading
import time
from typing import Any

import httpx

from desktop_app.i18n import _
from desktop_app.netsync.wire import API, PUSH_MEDIA_TYPE, auth_message
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.errors import SyncError
from desktop_app.sync.identity import b64, load_identity, sign


class NetworkSyncError(SyncError):
    """The server refused, or could not be reached after retries."""

    def template(self) -> str:
        return _("Network sync with the province failed: {detail}")


class _Transient(Exception):
    """A failure worth retrying (cut link, server busy)."""


_TLS: list[ssl.SSLContext] = []
_TLS_LOCK = threading.Lock()


def tls_context() -> ssl.SSLContext:
    """One TLS context for every client (loading the CA store costs ~50 ms each time)."""
    with _TLS_LOCK:
        if not _TLS:
            _TLS.append(ssl.create_default_context())
        return _TLS[0]


class ServerClient:
    """Thin HTTP client of the server API (one office, one token)."""

    def __init__(self, base_url: str, *, timeout: float = 60.0, **kwargs: Any) -> None:
        kwargs.setdefault("verify", tls_context())
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, **kwargs)
        self.token: str | None = None

    def close(self) -> None:
        """Close the connections."""
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = self.http.request(method, API + path, headers=headers, **kwargs)
        except httpx.TransportError as exc:
            raise _Transient(str(exc) or type(exc).__name__) from exc
        if response.status_code == 429 or response.status_code >= 500:
            wait = float(response.headers.get("Retry-After", "1"))
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
        self.token = None
        nonce = self._call("POST", "/auth/challenge")["nonce"]
        answer: dict[str, Any] = self._call(
            "POST",
            "/auth/token",
            json={
                "certificate": cert,
                "nonce": nonce,
                "signature": b64(sign(ident.private_key, auth_message(nonce))),
                "epoch": epoch,
                "seq": seq,
            },
        )
        self.token = str(answer["token"])
        return answer

    def state(self, epoch: int, seq: int) -> dict[str, Any]:
        """``GET /state``."""
        result: dict[str, Any] = self._call("GET", "/state", params={"epoch": epoch, "seq": seq})
        return result

    def push(self, batch_id: str, body: bytes) -> dict[str, Any]:
        """``POST /batches/{id}``."""
        result: dict[str, Any] = self._call(
            "POST",
            f"/batches/{batch_id}",
            content=body,
            headers={"Content-Type": PUSH_MEDIA_TYPE},
        )
        return result

    def feed(self, after: int, limit: int) -> dict[str, Any]:
        """``GET /feed``."""
        result: dict[str, Any] = self._call("GET", "/feed", params={"after": after, "limit": limit})
        return result
