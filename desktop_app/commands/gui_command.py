"""``coverage-desk gui [--db PATH] [--lang vi|en]``: open the window (the only Qt command)."""

from __future__ import annotations

import argparse

from desktop_app.commands.common import add_db_argument, db_path
from desktop_app.i18n import _


def cmd_gui(args: argparse.Namespace) -> int:
    from desktop_app.startup import mark, pause_garbage_collection, resume_garbage_collection

    mark("command line read")
    pause_garbage_collection()  # until the main window's first paint resumes it
    try:
        # Qt is imported here, never when another command runs.
        from desktop_app.ui.app import run_gui

        mark("window modules imported")

        return run_gui(db_path(args), getattr(args, "lang", None))
    finally:
        resume_garbage_collection()  # whatever happened (no main window, an error)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``gui`` subcommand."""
    parser = sub.add_parser("gui", help=_("open the Coverage Desk window"))
    add_db_argument(parser)
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=argparse.SUPPRESS, help=_("language of the window")
    )
    parser.set_defaults(func=cmd_gui)
