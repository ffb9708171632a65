"""Subcommands of the network: ``serve`` (the provincial server) and ``sync`` (an office)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

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
    out(
        _("Serving {db} on http://{host}:{port} (Ctrl+C stops).").format(
            db=db if "://" not in db else db.split("@")[-1], host=args.host, port=args.port
        )
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, ws="none")
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

    with Store.open(db_path(args)) as store:
        result = sync_office(store, args.server, progress=progress)
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
    p.add_argument("--batch-changes", type=int, default=500, help=argparse.SUPPRESS)
    p.add_argument("--log-level", default="warning", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sync", help=_("sync this office with the province server"))
    add_db_argument(p)
    p.add_argument("--server", required=True, help=_("the server's address, e.g. http://…:8765"))
    p.set_defaults(func=cmd_sync)
