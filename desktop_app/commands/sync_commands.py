"""Subcommands of sync: province init, enrolment by file, bundle export/import/inspect."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.commands.common import add_db_argument, db_path, out
from desktop_app.i18n import _

if TYPE_CHECKING:
    from desktop_app.store.store import Store


def _open(args: argparse.Namespace) -> Store:
    from desktop_app.store.store import Store as _Store

    return _Store.open(db_path(args))


def cmd_province_init(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import init_province
    from desktop_app.sync.identity import fingerprint, load_identity

    path = db_path(args)
    with init_province(path, args.province) as store:
        key = fingerprint(load_identity(store).public_key)
    out(_("Created the province database {path}; root key {key}.").format(path=path, key=key))
    return 0


def cmd_publish_catalogue(args: argparse.Namespace) -> int:
    with _open(args) as store:
        written = store.publishing.publish_catalogue(Path(args.folder))
        version = store.catalogue.version
    out(
        _(
            "Published catalogue {version}: {count} changed rows; they go down in the next bundles."
        ).format(version=version, count=written)
    )
    return 0


def cmd_publish_units(args: argparse.Namespace) -> int:
    from desktop_app.units_resource import load_unit_directory

    directory = load_unit_directory(Path(args.units) if args.units else None)
    with _open(args) as store:
        written = store.publishing.publish_units(directory)
    out(
        _(
            "Published units {version}: {count} changed rows; they go down in the next bundles."
        ).format(version=directory.version, count=written)
    )
    return 0


def cmd_enroll_request(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import make_request, write_atomic

    with _open(args) as store:
        request = make_request(store)
    write_atomic(Path(args.out), json.dumps(request, ensure_ascii=False, indent=1).encode())
    out(_("Enrolment request written to {path}; take it to the province.").format(path=args.out))
    return 0


def cmd_enroll_approve(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import approve_request, read_json_file, write_atomic

    request = read_json_file(Path(args.request))
    with _open(args) as store:
        cert = approve_request(store, request, force=args.force)
    write_atomic(Path(args.out), json.dumps(cert, ensure_ascii=False, indent=1).encode())
    out(
        _("Certificate {serial} for {office} written to {path}.").format(
            serial=cert["certificate"]["body"]["serial"],
            office=cert["certificate"]["body"]["office_id"],
            path=args.out,
        )
    )
    return 0


def cmd_enroll_accept(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import accept_certificate_file, read_json_file
    from desktop_app.sync.takeback import taken_back_lines

    document = read_json_file(Path(args.certificate))
    with _open(args) as store:
        accepted = accept_certificate_file(store, document)
    info = accepted.info
    out(
        _("Enrolled: certificate {serial}, valid until {expires}.").format(
            serial=info.serial, expires=info.expires[:10]
        )
    )
    for line in taken_back_lines(accepted.taken_back):  # said as a bundle import says it
        out(line)
    return 0


def cmd_enroll_revoke(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import revoke_certificates

    with _open(args) as store:
        done = revoke_certificates(store, args.target, args.reason or "")
    for row in done:
        out(
            _(
                "Revoked certificate {serial} of {office} ({name}); the revocation goes down "
                "with the next bundles and syncs."
            ).format(serial=row.serial, office=row.office_id, name=row.office_name)
        )
    return 0


def cmd_enroll_list(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import day_text, list_certificates

    with _open(args) as store:
        rows = list_certificates(store)
    for r in rows:
        state = (
            _("revoked {date}").format(date=day_text(r.revoked_at))
            + (f": {r.reason}" if r.reason else "")
            if r.revoked_at
            else _("valid")
        )
        out(
            f"{r.serial}\t{r.office_id}\t{r.office_name}\t{r.fingerprint}\t{day_text(r.expires)}\t{state}"
        )
    return 0


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from desktop_app.sync.exchange import export_bundle
    from desktop_app.sync.naming import bundle_file_name, free_path

    with _open(args) as store:
        target = Path(args.out)
        if target.is_dir():  # a folder (the USB stick): a name of the office and the time
            target = free_path(target, bundle_file_name(store))
        result = export_bundle(store, target, to=args.to)
    out(
        _("Bundle written to {path}: {changes} changes, {size} bytes.").format(
            path=result.path, changes=result.changes, size=result.size
        )
    )
    return 0


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from desktop_app.sync.certificates import own_revocation
    from desktop_app.sync.exchange import import_bundle
    from desktop_app.sync.status import office_label
    from desktop_app.sync.takeback import taken_back_lines

    with _open(args) as store:
        result = import_bundle(store, Path(args.file))
        revoked = own_revocation(store)  # told in words, once the list came down
        sender = office_label(store, result.sender)  # "Tỉnh Sơn La (14)", not "pre2025:14"
    if result.already:
        out(_("This bundle was already imported; nothing to do."))
        return 0
    r = result.report
    out(
        _(
            "Imported from {sender}: {applied} applied, {skipped} already here, "
            "{backlog} waiting for a missing bundle, {quarantined} refused, "
            "{conflicts} conflicts to review."
        ).format(
            sender=sender,
            applied=r.applied,
            skipped=r.skipped,
            backlog=r.backlog,
            quarantined=r.quarantined,
            conflicts=r.conflicts,
        )
    )
    for reason in result.refused_segments + r.reasons[:5]:
        out("  " + reason)
    for line in taken_back_lines(result.taken_back):
        out(line)
    if result.skewed:
        out(
            _("Warning: the clock of {n} office(s) is more than a day ahead.").format(
                n=len(result.skewed)
            )
        )
    if revoked is not None:
        out(revoked.user_message())
    return 0


def cmd_bundle_inspect(args: argparse.Namespace) -> int:
    from desktop_app.sync.exchange import inspect_bundle

    for line in inspect_bundle(Path(args.file)):
        out(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the sync subcommands to the parser."""
    p = sub.add_parser("province", help=_("the province office database and its root key"))
    psub = p.add_subparsers(dest="province_command", metavar="ACTION", required=True)
    q = psub.add_parser("init", help=_("create the province database and its root key"))
    add_db_argument(q)
    q.add_argument("--province", required=True, help=_("unit id of the province, e.g. pre2025:14"))
    q.set_defaults(func=cmd_province_init)
    q = psub.add_parser("publish-catalogue", help=_("publish a newer indicator catalogue"))
    add_db_argument(q)
    q.add_argument(
        "folder",
        type=Path,
        help=_("folder with indicators.csv, dimensions.csv, derived.csv and VERSION"),
    )
    q.set_defaults(func=cmd_publish_catalogue)
    q = psub.add_parser("publish-units", help=_("publish a newer list of administrative units"))
    add_db_argument(q)
    q.add_argument(
        "units",
        nargs="?",
        default=None,
        help=_("units.json (default: the one shipped with this version)"),
    )
    q.set_defaults(func=cmd_publish_units)
    from desktop_app.commands.server_commands import register_province

    register_province(psub)  # province tls

    p = sub.add_parser("enroll", help=_("enrol an office with the province by file"))
    esub = p.add_subparsers(dest="enroll_command", metavar="ACTION", required=True)
    q = esub.add_parser("request", help=_("write this office's enrolment request"))
    add_db_argument(q)
    q.add_argument("--out", type=Path, required=True, help=_("request file to write"))
    q.set_defaults(func=cmd_enroll_request)
    q = esub.add_parser("approve", help=_("approve a request at the province"))
    add_db_argument(q)
    q.add_argument("request", type=Path, help=_("the office's request file"))
    q.add_argument("--out", type=Path, required=True, help=_("certificate file to write"))
    q.add_argument(
        "--force",
        action="store_true",
        help=_("approve even when the key already holds another office's certificate"),
    )
    q.set_defaults(func=cmd_enroll_approve)
    q = esub.add_parser("revoke", help=_("revoke an office's certificate (the province)"))
    add_db_argument(q)
    q.add_argument(
        "target",
        metavar="OFFICE_OR_SERIAL",
        help=_("office id (every certificate it holds) or certificate serial"),
    )
    q.add_argument("--reason", default=None, help=_("why, told to the offices that refuse it"))
    q.set_defaults(func=cmd_enroll_revoke)
    q = esub.add_parser("list", help=_("list the certificates the province issued"))
    add_db_argument(q)
    q.set_defaults(func=cmd_enroll_list)
    q = esub.add_parser("accept", help=_("install the certificate from the province"))
    add_db_argument(q)
    q.add_argument("certificate", type=Path, help=_("the certificate file"))
    q.set_defaults(func=cmd_enroll_accept)
    from desktop_app.commands.server_commands import register_enroll

    register_enroll(esub)  # enroll pin

    p = sub.add_parser("bundle", help=_("sync bundles on a USB stick"))
    bsub = p.add_subparsers(dest="bundle_command", metavar="ACTION", required=True)
    q = bsub.add_parser("export", help=_("write a bundle of the changes to send"))
    add_db_argument(q)
    q.add_argument(
        "--out", type=Path, required=True, help=_("bundle file to write, or a folder for it")
    )
    q.add_argument(
        "--to", default=None, help=_("office id or installation id of the receiving office")
    )
    q.set_defaults(func=cmd_bundle_export)
    q = bsub.add_parser("import", help=_("check and apply a received bundle"))
    add_db_argument(q)
    q.add_argument("file", type=Path, help=_("the bundle file"))
    q.set_defaults(func=cmd_bundle_import)
    q = bsub.add_parser("inspect", help=_("show what a bundle holds, without importing"))
    q.add_argument("file", type=Path, help=_("the bundle file"))
    q.set_defaults(func=cmd_bundle_inspect)
