"""``bundle inspect``: what a bundle holds, in words, without keys and without importing."""

from __future__ import annotations

from pathlib import Path

from desktop_app.i18n import _
from desktop_app.sync import bundle as fmt
from desktop_app.sync.certificates import parse_certificate


def inspect_bundle(path: Path) -> list[str]:
    """A human-readable summary of a bundle, without importing (and without keys)."""
    raw = fmt.split(Path(path).read_bytes(), str(path))
    m = raw.manifest
    sender = parse_certificate(m["chain"][0]) if m.get("chain") else None
    lines = [
        _("Bundle {id}").format(id=m.get("bundle_id")),
        _("From: {office} (installation {node}, epoch {epoch})").format(
            office=(m.get("from") or {}).get("office"),
            node=(m.get("from") or {}).get("node"),
            epoch=(m.get("from") or {}).get("epoch"),
        ),
        _("To: {to}").format(to=m.get("to") or _("any office of the province")),
        _("Made: {at}; schema {schema}; needs Coverage Desk {app} or newer").format(
            at=m.get("created"), schema=m.get("schema"), app=m.get("min_app")
        ),
    ]
    if sender is not None:
        lines.append(
            _("Certificate: serial {serial}, {role} {office}, expires {expires}").format(
                serial=sender.serial,
                role={1: _("province"), 2: _("district"), 3: _("commune")}.get(sender.level, "?"),
                office=sender.office_id,
                expires=sender.expires[:10],
            )
        )
    payload = m.get("payload") or {}
    lines.append(
        _("Contents: {length} bytes compressed, {size} bytes uncompressed").format(
            length=payload.get("length"), size=payload.get("size")
        )
    )
    for origin, epoch, first, last in m.get("ranges") or []:
        lines.append(
            "  "
            + _("changes {first}–{last} of {origin} (epoch {epoch})").format(
                first=first, last=last, origin=origin, epoch=epoch
            )
        )
    lines.append(_("Acknowledges {n} change streams.").format(n=len(m.get("vector") or [])))
    return lines
