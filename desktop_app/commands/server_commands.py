"""Subcommands of the network: ``serve`` (the provincial server), ``sync`` (an office)
and ``province tls`` (the server's TLS key, pinned by the offices)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from desktop_app.commands.common import CommandError, add_db_argument, db_path, out
from desktop_app.i18n import _


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the provincial server until interrupted."""
    import uvicorn

    from desktop_app.server.app import create_app

    db = str(args.db)
    if not db.startswith(("postgresql://", "postgres://")):
        if not Path(db).exists():
            raise CommandError(
                _("{path} does not exist: create it with coverage-desk province init").format(
                    path=db
                )
            )
    elif args.province_db is not None and not Path(args.province_db).exists():
        raise CommandError(_("{path} does not exist").format(path=args.province_db))
    if (args.tls_cert is None) != (args.tls_key is None):
        raise CommandError(_("--tls-cert and --tls-key go together"))
    for path in (args.tls_cert, args.tls_key):
        if path is not None and not path.exists():
            raise CommandError(_("{path} does not exist").format(path=path))
    try:
        app = create_app(
            db,
            province_db=args.province_db,
            max_body=args.max_body,
            batch_changes=args.batch_changes,
        )
    except Exception as exc:  # a refused database or an unreachable PostgreSQL: one line
        from desktop_app.store.errors import StoreError

        if isinstance(exc, StoreError):
            raise
        raise CommandError(_("The server cannot start: {detail}").format(detail=exc)) from exc
    scheme = "http" if args.tls_cert is None else "https"
    out(
        _("Serving {db} on {scheme}://{host}:{port} (Ctrl+C stops).").format(
            db=db if "://" not in db else db.split("@")[-1],
            scheme=scheme,
            host=args.host,
            port=args.port,
        )
    )
    tls: dict[str, Any] = {}
    if args.tls_cert is not None:
        tls = {"ssl_certfile": str(args.tls_cert), "ssl_keyfile": str(args.tls_key)}
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        ws="none",
        proxy_headers=args.behind_proxy,
        forwarded_allow_ips="127.0.0.1" if args.behind_proxy else None,
        **tls,
    )
    return 0


def cmd_province_tls(args: argparse.Namespace) -> int:
    """Make (or take) the server's TLS certificate and record its key's pin."""
    from desktop_app.server.tls import (
        CERT_FILE,
        KEY_FILE,
        PIN_FILE,
        certificate_spki,
        make_self_signed,
    )
    from desktop_app.store.store import Store
    from desktop_app.sync.certificates import is_province
    from desktop_app.sync.server_pin import record_pin

    with Store.open(db_path(args)) as store:
        if not is_province(store):
            raise CommandError(_("{path} is not the province office's database").format(
                path=db_path(args)))  # fmt: skip
        if args.cert is not None:
            try:
                spki = certificate_spki(args.cert)
            except (OSError, ValueError) as exc:
                raise CommandError(
                    _("{path} is not a PEM certificate: {detail}").format(
                        path=args.cert, detail=exc
                    )
                ) from exc
            made = _("Recorded the key of {cert}").format(cert=args.cert)
        else:
            try:
                key, cert, spki = make_self_signed(args.host, args.out)
            except FileExistsError as exc:
                raise CommandError(
                    _("{path} exists already: choose another --out folder").format(path=exc)
                ) from exc
            made = _("Wrote {key} and {cert}").format(key=key, cert=cert)
        doc = record_pin(store, args.host, spki)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / PIN_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True), "utf-8")
    out(
        _(
            "{made}; the pin {pin} for {host} is recorded and goes to every office enrolled"
            " from now on (serve with --tls-cert {cert} --tls-key {key})."
        ).format(
            made=made,
            pin=spki[:16] + "…",
            host=args.host,
            cert=args.cert or args.out / CERT_FILE,
            key=args.out / KEY_FILE if args.cert is None else "…",
        )
    )
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    """Sync an office database with the server, printing progress."""
    from desktop_app.netsync.client import sync_office
    from desktop_app.store.store import Store

    last = [""]

    def progress(_fraction: float | None, message: str) -> None:
        if message != last[0]:
            last[0] = message
            print("  " + message, file=sys.stderr, flush=True)

    from desktop_app.netsync.http import ServerClient

    client = ServerClient(args.server, insecure_http=args.insecure_http)
    if client.insecure_http:
        print("  " + _("Warning: plain http, nothing is encrypted"), file=sys.stderr, flush=True)
    try:
        with Store.open(db_path(args)) as store:
            result = sync_office(store, args.server, progress=progress, client=client)
    finally:
        client.close()
    out(
        _(
            "Synced with {server}: {batches} batches sent ({accepted} new changes taken, "
            "{rejected} refused), {segments} received ({applied} applied)."
        ).format(
            server=args.server,
            batches=result.pushed_batches,
            accepted=result.accepted,
            rejected=result.rejected,
            segments=result.pulled_segments,
            applied=result.applied,
        )
    )
    from desktop_app.sync.takeback import taken_back_lines

    for line in taken_back_lines(result.taken_back):
        out(line)
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``serve`` and ``sync`` to the parser."""
    p = sub.add_parser("serve", help=_("run the provincial server"))
    p.add_argument(
        "--db",
        required=True,
        help=_("the province database file, or a postgresql:// URL"),
    )
    p.add_argument("--host", default="127.0.0.1", help=_("address to listen on"))
    p.add_argument("--port", type=int, default=8765, help=_("port to listen on"))
    p.add_argument(
        "--province-db",
        type=Path,
        default=None,
        help=_("PostgreSQL only: the province database to take the key and units from"),
    )
    p.add_argument(
        "--max-body", type=int, default=16 * 1024 * 1024, help=_("largest request in bytes")
    )
    p.add_argument(
        "--tls-cert", type=Path, default=None, help=_("TLS certificate (PEM) to serve https")
    )
    p.add_argument("--tls-key", type=Path, default=None, help=_("its private key (PEM)"))
    p.add_argument(
        "--behind-proxy",
        action="store_true",
        help=_("behind a reverse proxy on this machine: take the client address it forwards"),
    )
    p.add_argument("--batch-changes", type=int, default=500, help=argparse.SUPPRESS)
    p.add_argument("--log-level", default="warning", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sync", help=_("sync this office with the province server"))
    add_db_argument(p)
    p.add_argument("--server", required=True, help=_("the server's address, e.g. https://…:8765"))
    p.add_argument(
        "--insecure-http",
        action="store_true",
        help=_("allow plain http to another machine (nothing is encrypted)"),
    )
    p.set_defaults(func=cmd_sync)


def cmd_enroll_pin(args: argparse.Namespace) -> int:
    """Keep a server pin file (``province tls``'s server-pin.json) at an enrolled office."""
    from desktop_app.store.store import Store
    from desktop_app.sync.certificates import my_certificate, read_json_file
    from desktop_app.sync.server_pin import keep_pins, read_pin

    doc = read_json_file(args.pin)
    with Store.open(db_path(args)) as store:
        _cert, province_key = my_certificate(store)
        read = read_pin(doc, province_key)
        if read is None:
            raise CommandError(
                _("{path} is not a server pin signed by this office's province").format(
                    path=args.pin
                )
            )
        with store.transaction():
            keep_pins(store, [doc], province_key)
    out(_("Kept the pin of {host}: sync to https://{host} accepts only that key.").format(
        host=read[0]))  # fmt: skip
    return 0


def register_enroll(esub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``enroll pin`` to the enrolment subcommands."""
    q = esub.add_parser("pin", help=_("keep the province server's key pin (server-pin.json)"))
    add_db_argument(q)
    q.add_argument("pin", type=Path, help=_("the server-pin.json the province wrote"))
    q.set_defaults(func=cmd_enroll_pin)


def register_province(psub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``province tls`` to the province subcommands."""
    q = psub.add_parser("tls", help=_("make the server's TLS key and record it for the offices"))
    add_db_argument(q)
    q.add_argument(
        "--host", required=True, help=_("the server's name or address, as offices type it")
    )
    q.add_argument("--out", type=Path, required=True, help=_("folder for the key and certificate"))
    q.add_argument(
        "--cert",
        type=Path,
        default=None,
        help=_("record the key of this existing certificate instead (e.g. a reverse proxy's)"),
    )
    q.set_defaults(func=cmd_province_tls)
