"""The command line (``coverage-desk``, also ``python -m desktop_app``).

Each area registers its subcommands from its own module in
``desktop_app/commands``; handlers import what they need when they run, so
``--help`` is instant and no command but ``gui`` ever loads Qt. Every command
exits 0 on success and non-zero with one clear line on stderr on failure.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from desktop_app.i18n import _

# Modules in desktop_app/commands with a register(sub) function, in help order.
COMMAND_MODULES = (
    "gui_command",
    "store_commands",
    "report_commands",
    "plan_commands",
    "areas_commands",
    "holes_commands",
    "sync_commands",
    "import_commands",
    "status_command",
    "reform",
    "server_commands",
    "selftest_command",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="coverage-desk",
        description=_("Coverage Desk: telephone, Internet, postal and radio coverage survey."),
    )
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=None, help=_("language of messages (default: vi)")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"desktop_app.commands.{name}").register(sub)
    return parser


def _language(argv: Sequence[str]) -> str:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return os.environ.get("COVERAGE_DESK_LANG", "vi")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    from desktop_app.i18n import setup

    argv = list(sys.argv[1:] if argv is None else argv)
    if "serve" not in argv:
        from desktop_app.startup import skip_unused_database_drivers

        skip_unused_database_drivers()
    lang = _language(argv)
    setup(lang if lang in ("vi", "en") else "vi")
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        # ``coverage-desk`` alone opens the window, like ``coverage-desk gui``.
        from desktop_app.commands.gui_command import cmd_gui

        func = cmd_gui
        args.db = None
    from desktop_app.commands.common import CommandError
    from desktop_app.store.errors import StoreError

    try:
        return func(args)
    except StoreError as exc:
        print(f"coverage-desk: {exc.user_message()}", file=sys.stderr)
        return 1
    except CommandError as exc:
        print(f"coverage-desk: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
