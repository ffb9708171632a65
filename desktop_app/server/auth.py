"""Authentication by the office certificate: challenge, signed nonce, short-lived token.

1. ``POST /v1/auth/challenge`` gives a nonce: a timestamp and random bytes,
   MAC'd with the server secret so any server process can check it later
   without storing it (processes are stateless; the secret lives in the
   database).
2. ``POST /v1/auth/token`` with the office's certificate and its Ed25519
   signature of the nonce: the certificate is verified against the province
   key and the revocation list (:func:`desktop_app.sync.certificates.verify_certificate`,
   the USB path's own check), the signature against the certificate's key.
3. The answer is a bearer token (15 minutes) naming the node, office, level,
   serial and scope, MAC'd with the same secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from dataclasses import dataclass

from desktop_app.netsync.wire import auth_message
from desktop_app.sync.certificates import CertInfo, verify_certificate
from desktop_app.sync.errors import SyncError
from desktop_app.sync.identity import unb64, verify

TOKEN_TTL = 15 * 60
NONCE_TTL = 120


class AuthError(Exception):
    """Authentication refused; the message says why (answered as 401)."""


@dataclass(frozen=True)
class Claims:
    """Who the bearer of a token is."""

    node_id: str
    office_id: str
    level: int
    serial: int
    scope: frozenset[str]
    expires: float


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenAuthority:
    """Issues and checks nonces and tokens with one secret."""

    def __init__(self, secret: bytes) -> None:
        self.secret = secret

    def _mac(self, kind: bytes, data: bytes) -> bytes:
        return hmac.new(self.secret, kind + data, hashlib.sha256).digest()

    def challenge(self, now: float) -> tuple[str, float]:
        """A fresh nonce and when it expires."""
        raw = struct.pack(">d", now) + os.urandom(16)
        return _b64u(raw + self._mac(b"nonce", raw)[:16]), now + NONCE_TTL

    def check_nonce(self, nonce: str, now: float) -> float:
        """When the nonce expires; :class:`AuthError` unless it is ours and fresh."""
        try:
            data = _unb64u(nonce)
        except ValueError as exc:
            raise AuthError("the challenge is not valid") from exc
        if len(data) != 40:
            raise AuthError("the challenge is not valid")
        raw, mac = data[:24], data[24:]
        if not hmac.compare_digest(mac, self._mac(b"nonce", raw)[:16]):
            raise AuthError("the challenge is not valid")
        (issued,) = struct.unpack(">d", raw[:8])
        if not issued - 5 <= now <= issued + NONCE_TTL:
            raise AuthError("the challenge has expired; ask for a new one")
        return float(issued + NONCE_TTL)

    def issue(self, info: CertInfo, now: float) -> tuple[str, float]:
        """A token for a verified certificate."""
        expires = now + TOKEN_TTL
        claims = {
            "n": info.node_id,
            "o": info.office_id,
            "l": info.level,
            "s": info.serial,
            "u": sorted(info.scope),
            "e": expires,
        }
        body = json.dumps(claims, separators=(",", ":")).encode("utf-8")
        return _b64u(body) + "." + _b64u(self._mac(b"token", body)), expires

    def read(self, token: str, now: float) -> Claims:
        """The claims of a valid, unexpired token, or :class:`AuthError`."""
        try:
            body_text, mac_text = token.split(".", 1)
            body, mac = _unb64u(body_text), _unb64u(mac_text)
        except ValueError as exc:
            raise AuthError("the token is not valid") from exc
        if not hmac.compare_digest(mac, self._mac(b"token", body)):
            raise AuthError("the token is not valid")
        try:
            doc = json.loads(body)
            claims = Claims(
                str(doc["n"]),
                str(doc["o"]),
                int(doc["l"]),
                int(doc["s"]),
                frozenset(str(u) for u in doc["u"]),
                float(doc["e"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AuthError("the token is not valid") from exc
        if claims.expires < now:
            raise AuthError("the token has expired; sign in again")
        return claims


def verify_office(
    certificate: dict[str, object],
    nonce: str,
    signature: str,
    *,
    province_key: bytes,
    revoked: set[int],
    now: float,
) -> CertInfo:
    """The office's verified certificate, or :class:`AuthError` with the reason."""
    try:
        info = verify_certificate(dict(certificate), province_key, now=now, revoked=revoked)
    except SyncError as exc:
        raise AuthError(exc.user_message()) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise AuthError("the certificate cannot be read") from exc
    if info.level == 1 and not info.scope:
        raise AuthError("the certificate names no units")
    try:
        sig = unb64(signature)
    except ValueError as exc:
        raise AuthError("the signature cannot be read") from exc
    if not verify(info.public_key, sig, auth_message(nonce)):
        raise AuthError("the signature does not match the certificate's key")
    return info
