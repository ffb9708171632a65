"""Identity of an installation: its Ed25519 key pair, node id, epoch and certificate.

The private key lives in the ``node`` row (raw 32 bytes); so do the public key,
the certificate issued by the province (canonical JSON) and the province's
public key. A restored database keeps its key but gets a new epoch
(``store/backup.py``), so its new changes never collide with lost ones.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from desktop_app.store.store import Store


def canonical_bytes(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8): what is signed and hashed."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Decode :func:`b64` (raises ``ValueError`` on garbage)."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def fingerprint(public_key: bytes) -> str:
    """A short stable name of a public key (first 16 hex of its SHA-256)."""
    return hashlib.sha256(public_key).hexdigest()[:16]


def new_key_pair() -> tuple[bytes, bytes]:
    """A fresh Ed25519 (private, public) pair as raw 32-byte strings."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return private, public


def key_pair_from_seed(seed: bytes) -> tuple[bytes, bytes]:
    """The Ed25519 (private, public) pair whose private key IS the 32 bytes ``seed``.

    For demo and test installations only (deterministic keys from a seed);
    real installations use :func:`new_key_pair`.
    """
    if len(seed) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    return seed, key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(private_key: bytes, message: bytes) -> bytes:
    """Ed25519 signature of ``message``."""
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    """True when ``signature`` is ``public_key``'s signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Identity:
    """What this installation signs with and trusts."""

    node_id: str
    epoch: int
    office_id: str
    private_key: bytes
    public_key: bytes
    certificate: dict[str, Any] | None
    province_key: bytes | None


def ensure_keys(store: Store) -> tuple[bytes, bytes]:
    """This installation's key pair, generated (and saved) on first use."""
    row = store.db.execute_sql("SELECT private_key, public_key FROM node").fetchone()
    if row is None:
        raise LookupError("this database has no installation record yet")
    if row[0] is not None and row[1] is not None:
        return bytes(row[0]), bytes(row[1])
    private, public = new_key_pair()
    with store.transaction():
        store.db.execute_sql("UPDATE node SET private_key = ?, public_key = ?", (private, public))
    return private, public


def install_keys(store: Store, private: bytes, public: bytes) -> None:
    """Give an installation that has no key yet this key pair (demo set-up)."""
    row = store.db.execute_sql("SELECT private_key FROM node").fetchone()
    if row is None or row[0] is not None:
        raise LookupError("this installation already has its key")
    with store.transaction():
        store.db.execute_sql("UPDATE node SET private_key = ?, public_key = ?", (private, public))


def load_identity(store: Store) -> Identity:
    """The installation's identity (keys generated when missing)."""
    private, public = ensure_keys(store)
    row = store.db.execute_sql(
        "SELECT node_id, epoch, office_id, certificate, province_key FROM node"
    ).fetchone()
    cert = json.loads(row[3]) if row[3] else None
    return Identity(
        str(row[0]),
        int(row[1]),
        str(row[2]),
        private,
        public,
        cert,
        None if row[4] is None else bytes(row[4]),
    )
