"""The province server's TLS key, pinned by the offices without a certificate authority.

``coverage-desk province tls`` makes the server's key and a self-signed
certificate (or takes an existing certificate, e.g. the one a reverse proxy
shows) and records a PIN: the SHA-256 of the certificate's public key
(SubjectPublicKeyInfo, so a renewed certificate on the same key keeps its pin)
for a host name, signed by the province's root key::

    {"kind": "coverage-desk-server-pin",
     "body": {"province": ..., "host": ..., "spki_sha256": hex, "recorded": iso},
     "sig": base64}

The province keeps its pins in its ``meta`` table (``server_pins``, local, never
synced); enrolment hands them to each office with its certificate
(:func:`desktop_app.sync.certificates.approve_request`), which keeps them the
same way after checking the signature. ``sync`` to an ``https://`` address of a
pinned host then accepts only that key (:mod:`desktop_app.netsync.http`).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from desktop_app.store.store import Store
from desktop_app.sync.identity import b64, canonical_bytes, load_identity, sign, unb64, verify

PIN_KIND = "coverage-desk-server-pin"
META_KEY = "server_pins"


def spki_sha256(cert_der: bytes) -> str:
    """Hex SHA-256 of a DER certificate's SubjectPublicKeyInfo."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key = x509.load_der_x509_certificate(cert_der).public_key()
    spki = key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(spki).hexdigest()


def _root_key(store: Store) -> bytes:
    """The province's root public key as this installation knows it (its own at the province)."""
    ident = load_identity(store)
    return ident.province_key or ident.public_key


def pin_documents(store: Store) -> list[dict[str, Any]]:
    """The signed pins this installation keeps, as stored (unchecked)."""
    row = store.db.execute_sql("SELECT value FROM meta WHERE key = ?", (META_KEY,)).fetchone()
    if row is None or not row[0]:
        return []
    try:
        docs = json.loads(row[0])
    except ValueError:
        return []
    return [d for d in docs if isinstance(d, dict)] if isinstance(docs, list) else []


def read_pin(doc: object, province_key: bytes) -> tuple[str, str] | None:
    """(host, spki sha256) of a pin signed by ``province_key``, or None."""
    try:
        assert isinstance(doc, dict) and doc.get("kind") == PIN_KIND
        body = doc["body"]
        if not verify(province_key, unb64(str(doc["sig"])), canonical_bytes(body)):
            return None
        host, spki = str(body["host"]).lower(), str(body["spki_sha256"]).lower()
        bytes.fromhex(spki)
    except (AssertionError, KeyError, TypeError, ValueError):
        return None
    return host, spki


def server_pins(store: Store) -> dict[str, str]:
    """host → pinned key hash, for the pins signed by this installation's province."""
    key = _root_key(store)
    pins: dict[str, str] = {}
    for doc in pin_documents(store):
        read = read_pin(doc, key)
        if read is not None:
            pins[read[0]] = read[1]
    return pins


def keep_pins(store: Store, docs: object, province_key: bytes) -> int:
    """Keep the pins of ``docs`` signed by ``province_key`` (one per host, the newest
    given replacing the one kept); how many were taken. The caller holds a transaction."""
    if not isinstance(docs, list):
        return 0
    kept: dict[str, Any] = {}
    taken = 0
    for doc in [*pin_documents(store), None, *docs]:
        if doc is None:  # the stored ones above, the new ones below
            taken = 0
            continue
        read = read_pin(doc, province_key)
        if read is not None:
            kept[read[0]] = doc
            taken += 1
    store.db.execute_sql(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        (META_KEY, json.dumps([kept[h] for h in sorted(kept)], sort_keys=True)),
    )
    return taken


def record_pin(province: Store, host: str, spki: str) -> dict[str, Any]:
    """Sign and keep a pin for ``host`` at the province; the signed document."""
    from desktop_app.sync.certificates import is_province
    from desktop_app.sync.errors import EnrolmentError

    if not is_province(province):
        raise EnrolmentError(detail="only the province office records the server's key")
    ident = load_identity(province)
    body = {
        "province": ident.office_id,
        "host": host.lower(),
        "spki_sha256": spki.lower(),
        "recorded": province.now_iso(),
    }
    doc = {
        "kind": PIN_KIND,
        "body": body,
        "sig": b64(sign(ident.private_key, canonical_bytes(body))),
    }
    with province.transaction():
        keep_pins(province, [doc], ident.public_key)
    return doc
