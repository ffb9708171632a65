"""Certificates signed by the province, revocations, and enrolment by file.

A certificate is canonical JSON ``{"body": {...}, "sig": base64}``; the body
names the serial, node id, office unit, role (province, district or commune by
the unit's level), the units the office may write (``scope``), its public key,
issue and expiry times, the province and the fingerprint of the province key
that signed it. The province's own installation key IS the root key: its own
certificate is self-signed, so one verification rule serves every office.

Enrolment by USB: ``request`` (office) → ``approve`` (province) → ``accept``
(office). :func:`enroll_demo` does the three in one process for demo offices.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.i18n import _
from desktop_app.store.errors import DiskFullError, UnknownUnitError
from desktop_app.store.store import Store
from desktop_app.sync.errors import (
    CertificateNodeError,
    EnrolmentError,
    ExpiredCertificateError,
    KeyReusedError,
    NotEnrolledError,
    OwnCertificateRevokedError,
    RevocationError,
    RevokedCertificateError,
    UnknownAddresseeError,
    UnknownCertificateError,
)
from desktop_app.sync.identity import (
    b64,
    canonical_bytes,
    ensure_keys,
    fingerprint,
    install_keys,
    load_identity,
    sign,
    unb64,
    verify,
)
from desktop_app.sync.server_pin import keep_pins, pin_documents

if TYPE_CHECKING:
    from desktop_app.sync.takeback import TakenBack

ROLES = {1: "province", 2: "district", 3: "commune"}
VALIDITY = timedelta(days=5 * 366)
REQUEST_KIND = "coverage-desk-enrolment-request"
CERT_KIND = "coverage-desk-certificate"


@dataclass(frozen=True)
class CertInfo:
    """A verified certificate's body, typed."""

    serial: int
    node_id: str
    office_id: str
    level: int
    scope: frozenset[str]
    public_key: bytes
    expires: str
    province: str
    document: dict[str, Any]


def day_text(iso: str | None) -> str:
    """An ISO time as the offices write dates (dd/mm/yyyy); empty when unknown."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso[:10]


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path``, fsync, then rename over it."""
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # a nearly full stick keeps no half-written file
        from desktop_app.store.backup import is_disk_full

        if is_disk_full(exc):
            raise DiskFullError(detail=str(path)) from exc
        raise
    try:  # make the rename itself durable (POSIX; Windows cannot open a folder)
        folder = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(folder)
    except OSError:
        pass
    finally:
        os.close(folder)


def unit_level_and_parent(store: Store, unit_id: str) -> tuple[int, str | None]:
    """The unit's level and parent id in this database."""
    row = store.db.execute_sql(
        "SELECT level, parent_id FROM unit WHERE id = ?", (unit_id,)
    ).fetchone()
    if row is None:
        raise UnknownUnitError(unit=unit_id)
    return int(row[0]), row[1]


def scope_for(store: Store, office_id: str) -> list[str]:
    """The units an office may write: itself and, for a district, its communes."""
    level, _ = unit_level_and_parent(store, office_id)
    units = [office_id]
    if level == 2:
        units += [
            str(r[0])
            for r in store.db.execute_sql(
                "SELECT id FROM unit WHERE parent_id = ? ORDER BY id", (office_id,)
            )
        ]
    return units


def is_within(store: Store, unit_id: str, ancestor: str) -> bool:
    """True when ``unit_id`` is ``ancestor`` or lies under it."""
    current: str | None = unit_id
    for _step in range(8):
        if current is None:
            return False
        if current == ancestor:
            return True
        row = store.db.execute_sql("SELECT parent_id FROM unit WHERE id = ?", (current,))
        found = row.fetchone()
        current = None if found is None else found[0]
    return False


def parse_certificate(doc: dict[str, Any]) -> CertInfo:
    """Read a certificate document without verifying it (for messages and inspect)."""
    try:
        body = doc["body"]
        return CertInfo(
            int(body["serial"]),
            str(body["node_id"]),
            str(body["office_id"]),
            int(body["level"]),
            frozenset(str(u) for u in body["scope"]),
            unb64(str(body["public_key"])),
            str(body["expires"]),
            str(body["province"]),
            doc,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UnknownCertificateError(office="?") from exc


def verify_certificate(
    doc: dict[str, Any],
    province_key: bytes,
    *,
    now: float,
    revoked: set[int] | frozenset[int] = frozenset(),
    check_expiry: bool = True,
) -> CertInfo:
    """Check a certificate against the province key, the revocation list and the time."""
    info = parse_certificate(doc)
    try:
        signature = unb64(str(doc.get("sig", "")))
    except ValueError:  # not base64 (binascii.Error): a tampered or garbled certificate
        raise UnknownCertificateError(office=info.office_id) from None
    if not verify(province_key, signature, canonical_bytes(doc["body"])):
        raise UnknownCertificateError(office=info.office_id)
    if info.serial in revoked:
        at, reason = (
            revoked.notes.get(info.serial, ("", "")) if isinstance(revoked, Revoked) else ("", "")
        )
        raise RevokedCertificateError(
            office=info.office_id, serial=info.serial, date=day_text(at), why=reason
        )
    if check_expiry and info.expires < _iso(now):
        raise ExpiredCertificateError(office=info.office_id, expires=info.expires[:10])
    return info


class Revoked(set[int]):
    """The revoked serials, with when and why the province revoked each (``notes``), so
    a refusal can say it in words, and the province's position at revoking (``held``:
    serial → {epoch: seq}; absent for a list signed without one). A plain ``set`` of
    serials works wherever this does (position 0: every change refused)."""

    def __init__(
        self,
        notes: dict[int, tuple[str, str]],
        held: dict[int, dict[int, int]] | None = None,
    ) -> None:
        super().__init__(notes)
        self.notes = notes
        self.held = held or {}


def stands_to(revoked: set[int] | frozenset[int], serial: int, epoch: int) -> int:
    """The last seq of ``epoch`` a revoked certificate's installation wrote that the
    province held when it revoked ``serial``: its changes up to there stand, later ones
    are quarantined, at every office and whatever path they took (0 without a position)."""
    if not isinstance(revoked, Revoked):
        return 0
    return revoked.held.get(serial, {}).get(epoch, 0)


def refuse_backlog_past_positions(store: Store, revoked: set[int] | frozenset[int]) -> int:
    """Give the revocation's refusal to changes waiting in the backlog (after a gap) whose
    author's certificate is revoked and which lie past the province's position: they
    arrived before the list did, and would otherwise be applied once the gap fills
    although the province quarantines them. How many; the caller holds the transaction
    and runs the apply next (the store's applier quarantines them with these words)."""
    if not revoked:
        return 0
    from desktop_app.store.apply import Signer

    nodes = {
        str(n): (int(serial), str(office))
        for n, serial, office in store.db.execute_sql(
            "SELECT node_id, serial, office_id FROM sync_node"
        )
        if int(serial) in revoked
    }
    if not nodes:
        return 0
    marks = ", ".join("?" * len(nodes))
    updates: list[tuple[str, str, int, int]] = []
    for origin, epoch, seq, text in store.db.execute_sql(
        f"SELECT origin, epoch, seq, signer FROM sync_backlog WHERE origin IN ({marks})",
        sorted(nodes),
    ).fetchall():
        signer, refused = Signer.from_json(str(text))
        serial, office = nodes[str(origin)]
        if refused is not None or int(seq) <= stands_to(revoked, serial, int(epoch)):
            continue
        at, why = revoked.notes.get(serial, ("", "")) if isinstance(revoked, Revoked) else ("", "")
        reason = RevokedCertificateError(
            office=office, serial=serial, date=day_text(at), why=why
        ).user_message()
        updates.append((signer.to_json(reason), str(origin), int(epoch), int(seq)))
    store.db.cursor().executemany(
        "UPDATE sync_backlog SET signer = ? WHERE origin = ? AND epoch = ? AND seq = ?",
        updates,
    )
    return len(updates)


def held_text(position: dict[int, int]) -> str:
    """A position as the ``revocation.held`` column and the signed list hold it."""
    return json.dumps(sorted([int(e), int(s)] for e, s in position.items()))


def read_held(text: object) -> dict[int, int] | None:
    """``revocation.held`` (or a list's ``held`` entry) read back; None when absent."""
    if text is None:
        return None
    try:
        pairs: Any = json.loads(text) if isinstance(text, str) else text
        return {int(e): int(s) for e, s in pairs}
    except (TypeError, ValueError):
        return None


def revoked_serials(store: Store) -> Revoked:
    """The serials this installation knows to be revoked (with date, reason, position)."""
    notes: dict[int, tuple[str, str]] = {}
    held: dict[int, dict[int, int]] = {}
    for s, at, reason, position in store.db.execute_sql(
        "SELECT serial, revoked_at, reason, held FROM revocation"
    ):
        notes[int(s)] = (str(at), str(reason or ""))
        read = read_held(position)
        if read is not None:
            held[int(s)] = read
    return Revoked(notes, held)


def revoked_with(store: Store, doc: object, province_key: bytes) -> Revoked:
    """What this installation knows to be revoked, with a signed list that just arrived
    (a bundle's, a feed page's) added: the segments travelling with a list are judged by
    it, not by whether it was installed before or after them. Nothing is written."""
    known = revoked_serials(store)
    rows = read_revocations(doc, province_key)
    if not rows:
        return known
    assert isinstance(doc, dict)  # read_revocations checked it
    notes, held = dict(known.notes), dict(known.held)
    reasons = doc["body"].get("reasons")
    why = reasons if isinstance(reasons, dict) else {}
    for serial, at in rows:
        if serial not in notes:
            notes[serial] = (at, str(why.get(str(serial), "")))
    for serial, position in revocation_positions(doc).items():
        held.setdefault(serial, position)
    return Revoked(notes, held)


def remember_node(store: Store, info: CertInfo) -> None:
    """Record (or refresh) a node's certificate; the caller may hold the transaction."""
    store.db.execute_sql(
        "INSERT INTO sync_node (node_id, office_id, level, public_key, serial, certificate,"
        " first_seen) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET"
        " office_id = excluded.office_id, level = excluded.level,"
        " public_key = excluded.public_key, serial = excluded.serial,"
        " certificate = excluded.certificate WHERE excluded.serial >= sync_node.serial",
        (
            info.node_id,
            info.office_id,
            info.level,
            info.public_key,
            info.serial,
            canonical_bytes(info.document).decode("utf-8"),
            store.now_iso(),
        ),
    )


def _issue(
    province: Store,
    node_id: str,
    office_id: str,
    public_key: bytes,
    scope: list[str],
    validity: timedelta = VALIDITY,
) -> dict[str, Any]:
    ident = load_identity(province)
    level, _ = unit_level_and_parent(province, office_id)
    serial = int(
        province.db.execute_sql(
            "SELECT COALESCE(MAX(serial), 0) + 1 FROM issued_certificate"
        ).fetchone()[0]
    )
    now = province.clock()
    province_id = office_id if level == 1 else str(_province_id(province))
    body = {
        "v": 1,
        "serial": serial,
        "node_id": node_id,
        "office_id": office_id,
        "level": level,
        "role": ROLES[level],
        "scope": sorted(scope),
        "public_key": b64(public_key),
        "issued": _iso(now),
        "expires": _iso(now + validity.total_seconds()),
        "province": province_id,
        "issuer": fingerprint(ident.public_key),
    }
    doc = {"body": body, "sig": b64(sign(ident.private_key, canonical_bytes(body)))}
    with province.transaction():
        province.db.execute_sql(
            "INSERT INTO issued_certificate (serial, node_id, office_id, certificate, issued_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (serial, node_id, office_id, canonical_bytes(doc).decode(), province.now_iso()),
        )
    return doc


def _province_id(store: Store) -> str:
    return str(store.reference.meta("province_id"))


def is_province(store: Store) -> bool:
    """True for the province office's database."""
    level, _ = unit_level_and_parent(store, store.node.office_id)
    return level == 1


def init_province(
    path: Path,
    province_id: str,
    *,
    keys: tuple[bytes, bytes] | None = None,
    validity: timedelta = VALIDITY,
    **kwargs: Any,
) -> Store:
    """Create the province office database and its root key (self-signed certificate).

    ``keys`` (private, public) replaces the freshly generated root key (the demo
    derives it from its seed); ``validity`` is the root certificate's lifetime.
    Other keyword arguments go to :func:`desktop_app.store.office.create_office`.
    """
    from desktop_app.store.office import create_office

    store = create_office(path, province_id, **kwargs)
    level, _ = unit_level_and_parent(store, province_id)
    if level != 1:
        store.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            Path(leftover).unlink(missing_ok=True)
        raise EnrolmentError(detail=f"{province_id} is not a province")
    if keys is not None:
        install_keys(store, *keys)
    make_root(store, validity=validity)
    return store


def make_root(store: Store, *, validity: timedelta = VALIDITY) -> CertInfo:
    """Make a province office's database the root: its key, the province key, and the
    self-signed certificate (``init_province``; the benches give one to a province-sized
    database built without an identity)."""
    province_id = store.node.office_id
    _, public = ensure_keys(store)
    with store.transaction():
        store.db.execute_sql("UPDATE node SET province_key = ?", (public,))
    node = store.node
    doc = _issue(store, node.node_id, province_id, public, [province_id], validity)
    return install_certificate(store, doc, public)


def check_province_key(store: Store, province_key: bytes) -> None:
    """Refuse a file signed with another province's key than the one this office holds."""
    known = load_identity(store).province_key
    if known is not None and known != province_key:
        raise EnrolmentError(detail="the certificate comes from another province")


def install_certificate(store: Store, doc: dict[str, Any], province_key: bytes) -> CertInfo:
    """Install this installation's certificate and the province key (after checks)."""
    info = verify_certificate(doc, province_key, now=store.clock())
    node = store.node
    if info.node_id != node.node_id:
        raise CertificateNodeError(node=info.node_id)
    if info.office_id != node.office_id:
        raise EnrolmentError(detail=f"the certificate is for {info.office_id}")
    ident = load_identity(store)
    if info.public_key != ident.public_key:
        raise EnrolmentError(detail="the certificate names another key")
    check_province_key(store, province_key)
    with store.transaction():
        store.db.execute_sql(
            "UPDATE node SET certificate = ?, province_key = ?",
            (canonical_bytes(doc).decode("utf-8"), province_key),
        )
        remember_node(store, info)
    return info


def make_request(store: Store) -> dict[str, Any]:
    """This office's enrolment request (keys generated when missing)."""
    private, public = ensure_keys(store)
    node = store.node
    body = {
        "node_id": node.node_id,
        "office_id": node.office_id,
        "public_key": b64(public),
        "scope": scope_for(store, node.office_id),
        "created": store.now_iso(),
    }
    return {"kind": REQUEST_KIND, "body": body, "sig": b64(sign(private, canonical_bytes(body)))}


def approve_request(
    province: Store,
    request: dict[str, Any],
    *,
    validity: timedelta = VALIDITY,
    force: bool = False,
) -> dict[str, Any]:
    """Check a request against the province's units and issue the certificate file.

    A key (or installation) that already holds another office's unrevoked certificate
    is refused unless ``confirm`` (the official said the installation really moves)."""
    if not is_province(province):
        raise EnrolmentError(detail="only the province office approves enrolments")
    try:
        if request.get("kind") != REQUEST_KIND:
            raise ValueError("not an enrolment request")
        body = request["body"]
        public = unb64(str(body["public_key"]))
        if not verify(public, unb64(str(request["sig"])), canonical_bytes(body)):
            raise ValueError("the request's signature is not valid")
        office_id = str(body["office_id"])
        node_id = str(body["node_id"])
        wanted = {str(u) for u in body["scope"]}
    except (KeyError, TypeError, ValueError) as exc:
        raise EnrolmentError(detail=str(exc)) from exc
    province_id = province.node.office_id
    try:
        level, _ = unit_level_and_parent(province, office_id)
    except UnknownUnitError as exc:
        raise EnrolmentError(detail=f"unknown office {office_id}") from exc
    if level == 1 or not is_within(province, office_id, province_id):
        raise EnrolmentError(detail=f"{office_id} is not an office of {province_id}")
    allowed = set(scope_for(province, office_id))
    if not wanted <= allowed:
        raise EnrolmentError(detail="the requested scope is wider than the office's units")
    holder = key_holder(province, public, office_id)
    if holder is not None and not force:
        raise KeyReusedError(serial=holder.serial, office=holder.office_id)
    cert = _issue(province, node_id, office_id, public, sorted(wanted), validity)
    return certificate_file(province, cert)


def certificate_file(province: Store, cert: dict[str, Any]) -> dict[str, Any]:
    """The certificate file the province hands an office: its certificate, the province's
    key and certificate, and the revocations."""
    ident = load_identity(province)
    return {
        "kind": CERT_KIND,
        "certificate": cert,
        "province_key": b64(ident.province_key or ident.public_key),
        "province_certificate": ident.certificate,
        "revocations": revocation_list(province),
        # the province server's TLS key, to pin (desktop_app.sync.server_pin)
        "server_pins": pin_documents(province),
    }


def reissue_for(
    province: Store, certificate: dict[str, Any], office_id: str, *, validity: timedelta = VALIDITY
) -> dict[str, Any]:
    """The certificate file moving an enrolled installation (same node, same key) to
    ``office_id`` (the 2025 reform: a pre-2025 commune office becomes its new commune's)."""
    body = certificate["body"]
    public = unb64(str(body["public_key"]))
    cert = _issue(
        province, str(body["node_id"]), office_id, public, scope_for(province, office_id),
        validity,
    )  # fmt: skip
    return certificate_file(province, cert)


def accept_certificate(store: Store, document: dict[str, Any]) -> CertInfo:
    """Install the certificate file the province sent back."""
    return accept_certificate_file(store, document).info


@dataclass(frozen=True)
class Accepted:
    """A certificate file installed: the certificate, and what the revocation list it
    carried took back here (:func:`desktop_app.sync.takeback.taken_back_lines` says it)."""

    info: CertInfo
    taken_back: list[TakenBack]


def accept_certificate_file(store: Store, document: dict[str, Any]) -> Accepted:
    """:func:`accept_certificate`, saying what the file's revocation list took back."""
    try:
        if document.get("kind") != CERT_KIND:
            raise ValueError("not a certificate file")
        province_key = unb64(str(document["province_key"]))
        cert = dict(document["certificate"])
    except (KeyError, TypeError, ValueError) as exc:
        raise EnrolmentError(detail=str(exc)) from exc
    info = install_certificate(store, cert, province_key)
    with store.transaction():
        prov = document.get("province_certificate")
        if isinstance(prov, dict):
            remember_node(store, verify_certificate(prov, province_key, now=store.clock()))
        keep_revocation_list(store, document.get("revocations"), province_key)
        from desktop_app.sync.takeback import take_back_past_positions  # it imports this

        # a certificate file to an office already at work
        taken_back = take_back_past_positions(store)
        keep_pins(store, document.get("server_pins"), province_key)
    return Accepted(info, taken_back)


def take_back_by_file(
    store: Store, document: dict[str, Any], province_key: bytes
) -> list[TakenBack]:
    """Install a certificate file's revocation list and take back what it takes back,
    before the office acts on the file: ``reform move`` moves the office's villages, and a
    village of a revoked installation moved first is this office's own change, which the
    take-back keeps (it then went to the province under the new commune, while the
    province had quarantined it). The certificate itself is installed afterwards
    (:func:`accept_certificate_file`, which then finds nothing more to take back).
    ``province_key``: the file's, which has verified its certificate."""
    check_province_key(store, province_key)
    from desktop_app.sync.takeback import take_back_past_positions  # it imports this

    with store.transaction():
        keep_revocation_list(store, document.get("revocations"), province_key)
        return take_back_past_positions(store)


def revoke(province: Store, serial: int, reason: str = "") -> None:
    """Revoke a certificate (the province only); published in its next bundles and syncs.

    The revocation records the province's position for the certificate's installation
    (:func:`held_position`), in the same transaction: what it held up to now stands."""
    with province.transaction():
        province.db.execute_sql(
            "UPDATE issued_certificate SET revoked_at = ? WHERE serial = ?",
            (province.now_iso(), serial),
        )
        row = province.db.execute_sql(
            "SELECT node_id FROM issued_certificate WHERE serial = ?", (serial,)
        ).fetchone()
        held = held_text(held_position(province, str(row[0]))) if row else held_text({})
        province.db.execute_sql(
            "INSERT OR IGNORE INTO revocation (serial, revoked_at, reason, held)"
            " VALUES (?, ?, ?, ?)",
            (serial, province.now_iso(), reason.strip(), held),
        )
        province.db.execute_sql(
            "INSERT INTO sync_event (at, kind, node_id, detail) VALUES (?, 'revoked', ?, ?)",
            (province.now_iso(), province.node.node_id, f"serial {serial}: {reason}".strip()),
        )


def held_position(province: Store, node_id: str) -> dict[int, int]:
    """Per epoch, the highest seq of ``node_id`` the province holds without a gap: what
    its tables applied (``peer_cursor``) or, on a server on this file, what its feed took
    (``server_cursor``, applied a moment later). The caller holds the transaction."""
    position: dict[int, int] = {}
    tables = ["peer_cursor"]
    if province.db.execute_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'server_cursor'"
    ).fetchone():
        tables.append("server_cursor")
    for table in tables:
        for epoch, seq in province.db.execute_sql(
            f"SELECT epoch, seq FROM {table} WHERE origin = ?", (node_id,)
        ):
            position[int(epoch)] = max(position.get(int(epoch), 0), int(seq))
    return position


@dataclass(frozen=True)
class IssuedRow:
    """One certificate the province issued, as its window and ``enroll revoke`` show it."""

    serial: int
    node_id: str
    office_id: str
    office_name: str
    fingerprint: str
    issued: str
    expires: str
    revoked_at: str | None
    reason: str
    own: bool  # the province's own (root) certificate


def list_certificates(province: Store) -> list[IssuedRow]:
    """Every certificate the province issued, newest office first by serial."""
    rows = province.db.execute_sql(
        "SELECT c.serial, c.node_id, c.office_id, COALESCE(u.name, c.office_id), c.certificate,"
        " COALESCE(r.revoked_at, c.revoked_at), COALESCE(r.reason, '')"
        " FROM issued_certificate c LEFT JOIN unit u ON u.id = c.office_id"
        " LEFT JOIN revocation r ON r.serial = c.serial ORDER BY c.serial"
    ).fetchall()
    me = province.node.node_id
    out = []
    for serial, node_id, office_id, name, doc, revoked_at, reason in rows:
        info = parse_certificate(json.loads(doc))
        out.append(
            IssuedRow(
                int(serial),
                str(node_id),
                str(office_id),
                str(name),
                fingerprint(info.public_key),
                str(info.document["body"].get("issued", "")),
                info.expires,
                None if revoked_at is None else str(revoked_at),
                str(reason),
                str(node_id) == me and int(info.level) == 1,
            )
        )
    return out


def certificates_to_revoke(province: Store, office_or_serial: str) -> list[IssuedRow]:
    """The certificates ``enroll revoke OFFICE_OR_SERIAL`` names: one serial, or every
    unrevoked certificate of an office (all its installations); refused with one line
    when there is none, when it is the province's own, or when it is already revoked."""
    if not is_province(province):
        raise RevocationError(detail=_("only the province office revokes certificates"))
    wanted = office_or_serial.strip()
    rows = list_certificates(province)
    if wanted.isdigit():
        chosen = [r for r in rows if r.serial == int(wanted)]
        if not chosen:
            raise RevocationError(
                detail=_("no certificate with serial {serial}").format(serial=wanted)
            )
    else:
        chosen = [r for r in rows if r.office_id == wanted]
        if not chosen:
            raise RevocationError(
                detail=_("no certificate was issued to office {office}").format(office=wanted)
            )
        live = [r for r in chosen if r.revoked_at is None]
        chosen = live or chosen[-1:]
    if any(r.own for r in chosen):
        raise RevocationError(
            detail=_("certificate {serial} is the province's own root certificate").format(
                serial=chosen[0].serial
            )
        )
    done = [r for r in chosen if r.revoked_at is not None]
    if done:
        raise RevocationError(
            detail=_("certificate {serial} of {office} was already revoked on {date}").format(
                serial=done[0].serial, office=done[0].office_id, date=day_text(done[0].revoked_at)
            )
        )
    return chosen


def revoke_certificates(
    province: Store, office_or_serial: str, reason: str = ""
) -> list[IssuedRow]:
    """Revoke what ``office_or_serial`` names (see :func:`certificates_to_revoke`)."""
    chosen = certificates_to_revoke(province, office_or_serial)
    for row in chosen:
        revoke(province, row.serial, reason)
    return chosen


def own_revocation(store: Store) -> OwnCertificateRevokedError | None:
    """The words telling this office its own certificate was revoked, or None."""
    ident = load_identity(store)
    if ident.certificate is None:
        return None
    serial = int(ident.certificate["body"]["serial"])
    row = store.db.execute_sql(
        "SELECT revoked_at, reason FROM revocation WHERE serial = ?", (serial,)
    ).fetchone()
    if row is None:
        return None
    reason = f": {row[1]}" if row[1] else ""
    return OwnCertificateRevokedError(serial=serial, date=day_text(str(row[0])), because=reason)


def refuse_if_revoked(store: Store) -> None:
    """Raise :class:`OwnCertificateRevokedError` when this office's certificate was revoked."""
    error = own_revocation(store)
    if error is not None:
        raise error


def resolve_addressee(store: Store, to: str | None) -> tuple[str | None, str | None]:
    """(installation id, office id) of the ``--to`` of an export: an office id naming its
    one known installation, or an installation id; refused with one line otherwise, since
    a bundle addressed to nobody known could never be imported."""
    if to is None:
        return None, None
    known: dict[str, str] = {
        str(n): str(o) for n, o in store.db.execute_sql("SELECT node_id, office_id FROM sync_node")
    }
    if is_province(store):  # the province also knows every installation it enrolled
        for n, o in store.db.execute_sql(
            "SELECT node_id, office_id FROM issued_certificate"
            " WHERE serial NOT IN (SELECT serial FROM revocation)"
        ):
            known.setdefault(str(n), str(o))
    known.pop(store.node.node_id, None)
    if to in known:
        return to, known[to]
    nodes = sorted(n for n, o in known.items() if o == to)
    if len(nodes) == 1:
        return nodes[0], to
    if _is_installation_id(to):  # exact, copied from that office: it can import it
        return to, None
    unit = store.db.execute_sql("SELECT 1 FROM unit WHERE id = ?", (to,)).fetchone()
    if unit is not None and to != store.node.office_id:
        # an office whose installation is not known yet (or several are): the bundle is
        # addressed to the office, and any installation of it may import it
        return to, to
    raise UnknownAddresseeError(to=to)


def _is_installation_id(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False


def key_holder(province: Store, public_key: bytes, office_id: str) -> IssuedRow | None:
    """An unrevoked certificate of another office for the same key, if any. Only each
    installation's latest certificate counts: one the province moved to a new office
    (:func:`reissue_for`, the 2025 reform) no longer holds the old one."""
    fp = fingerprint(public_key)
    latest: dict[str, IssuedRow] = {}
    for row in list_certificates(province):  # by serial: the last one of a node wins
        if row.revoked_at is None:
            latest[row.node_id] = row
    for row in latest.values():
        if row.fingerprint == fp and row.office_id != office_id:
            return row
    return None


def revocation_list(province: Store) -> dict[str, Any]:
    """The province's signed revocation list, with each revocation's position (``held``:
    serial → [[epoch, seq], ...], beside ``revoked`` so an older reader still reads it)."""
    ident = load_identity(province)
    rows = list(
        province.db.execute_sql(
            "SELECT serial, revoked_at, reason, held FROM revocation ORDER BY serial"
        )
    )
    body: dict[str, Any] = {
        "province": province.node.office_id,
        "revoked": [[int(s), str(a)] for s, a, _r, _h in rows],
    }
    reasons = {str(int(s)): str(r) for s, _a, r, _h in rows if r}
    if reasons:  # beside the list, so an older version still reads "revoked"
        body["reasons"] = reasons
    held = {
        str(int(s)): sorted([e, q] for e, q in position.items())
        for s, _a, _r, h in rows
        if (position := read_held(h)) is not None
    }
    if held:
        body["held"] = held
    return {"body": body, "sig": b64(sign(ident.private_key, canonical_bytes(body)))}


def read_revocations(doc: object, province_key: bytes) -> list[tuple[int, str]] | None:
    """The (serial, revoked at) of a revocation list signed by the province, or None."""
    if not isinstance(doc, dict) or "body" not in doc:
        return None
    try:
        if not verify(province_key, unb64(str(doc["sig"])), canonical_bytes(doc["body"])):
            return None
        return [(int(s), str(a)) for s, a in doc["body"]["revoked"]]
    except (KeyError, TypeError, ValueError):
        return None


def revocation_positions(doc: dict[str, Any]) -> dict[int, dict[int, int]]:
    """The positions of a list :func:`read_revocations` accepted (serial → {epoch: seq});
    a list signed before positions existed has none (those serials: position 0)."""
    held = doc["body"].get("held")
    if not isinstance(held, dict):
        return {}
    out: dict[int, dict[int, int]] = {}
    for serial, pairs in held.items():
        position = read_held(pairs)
        if str(serial).isdigit() and position is not None:
            out[int(serial)] = position
    return out


def apply_revocations(store: Store, doc: object, province_key: bytes) -> int:
    """Install a signed revocation list (ignored when not signed by the province)."""
    rows = read_revocations(doc, province_key)
    if rows is None:
        return 0
    assert isinstance(doc, dict)  # read_revocations checked it
    listed = store_revocations(store, rows, revocation_positions(doc))
    reasons = doc["body"].get("reasons")
    if isinstance(reasons, dict):
        store.db.cursor().executemany(
            "UPDATE revocation SET reason = ? WHERE serial = ? AND reason = ''",
            [(str(r), int(s)) for s, r in reasons.items() if str(s).isdigit()],
        )
    return listed


def keep_revocation_list(store: Store, doc: object, province_key: bytes) -> int:
    """Install a signed revocation list and keep the longest one seen, which this office's
    bundles carry down (whether it came by bundle or by network sync); an old, replayed
    list never replaces a newer one. The caller holds the transaction."""
    listed = apply_revocations(store, doc, province_key)
    if listed:
        held = store.db.execute_sql(
            "SELECT value FROM meta WHERE key = 'sync_revocations'"
        ).fetchone()
        held_count = len(json.loads(held[0])["body"]["revoked"]) if held else -1
        if listed > held_count:
            store.db.execute_sql(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('sync_revocations', ?)",
                (json.dumps(doc),),
            )
    return listed


def store_revocations(
    store: Store,
    rows: list[tuple[int, str]],
    positions: dict[int, dict[int, int]] | None = None,
) -> int:
    """Install revocations already read from a signed list; how many were listed. A
    revocation's position is set once (the province signs it once, at revoking)."""
    positions = positions or {}
    store.db.cursor().executemany(
        "INSERT OR IGNORE INTO revocation (serial, revoked_at, held) VALUES (?, ?, ?)",
        [(s, a, None if s not in positions else held_text(positions[s])) for s, a in rows],
    )
    store.db.cursor().executemany(
        "UPDATE revocation SET held = ? WHERE serial = ? AND held IS NULL",
        [(held_text(p), s) for s, p in positions.items()],
    )
    return len(rows)


def my_certificate(store: Store) -> tuple[dict[str, Any], bytes]:
    """This installation's certificate and its province key; refuses when not enrolled."""
    ident = load_identity(store)
    if ident.certificate is None or ident.province_key is None:
        raise NotEnrolledError(detail=store.node.office_id)
    return ident.certificate, ident.province_key


def enroll_demo(office: Store, province: Store, *, validity: timedelta = VALIDITY) -> CertInfo:
    """Enrol an office with a (demo) province in one process: request, approve, accept.

    The demo generator calls it after building the office and a province
    database with :func:`init_province`.
    """
    request = make_request(office)
    return accept_certificate(office, approve_request(province, request, validity=validity))


def certify_installation(
    province: Store,
    node_id: str,
    office_id: str,
    public_key: bytes,
    *,
    validity: timedelta = VALIDITY,
) -> CertInfo:
    """The province certifies another installation of ``office_id`` directly (demo set-up).

    Same certificate as an approved request would give (the office's full
    scope), for installations simulated in one process: the demo's communes.
    """
    doc = _issue(province, node_id, office_id, public_key, scope_for(province, office_id), validity)
    return parse_certificate(doc)


def read_json_file(path: Path) -> dict[str, Any]:
    """A small JSON file (request, certificate) or a clear enrolment error."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise EnrolmentError(detail=f"{path}: {exc}") from exc
    if not isinstance(data, dict):
        raise EnrolmentError(detail=f"{path}: not an enrolment file")
    return data


def now() -> float:
    """The wall clock (for callers without a store)."""
    return time.time()
