"""The server's TLS key and self-signed certificate (``coverage-desk province tls``).

No certificate authority is needed: the offices pin the key's hash, signed by the
province's root key (:mod:`desktop_app.sync.server_pin`). uvicorn serves the files
(``coverage-desk serve --tls-cert F --tls-key F``).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from pathlib import Path

from desktop_app.sync.server_pin import spki_sha256

KEY_FILE = "server.key"
CERT_FILE = "server.crt"
PIN_FILE = "server-pin.json"
VALID_DAYS = 10 * 366


def make_self_signed(host: str, out: Path) -> tuple[Path, Path, str]:
    """A new P-256 key and a certificate for ``host`` (a name or an address) in ``out``:
    (key file, certificate file, pinned key hash). The key file is readable by its owner
    only; existing files are not overwritten."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    out.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = out / KEY_FILE, out / CERT_FILE
    for path in (key_path, cert_path):
        if path.exists():
            raise FileExistsError(str(path))
    key = ec.generate_private_key(ec.SECP256R1())
    try:
        alt: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(host))
    except ValueError:
        alt = x509.DNSName(host)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName([alt]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key_bytes)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, spki_sha256(cert.public_bytes(serialization.Encoding.DER))


def certificate_spki(path: Path) -> str:
    """The pinned key hash of an existing PEM certificate (the first one in the file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return spki_sha256(cert.public_bytes(serialization.Encoding.DER))
