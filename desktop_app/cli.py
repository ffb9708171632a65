"""The command line (``coverage-desk``, also ``python -m desktop_app``).

Each area registers its subcommands from its own module in
``desktop_app/commands``; handlers import what they need when they run, so
``--help`` is instant and no command but ``gui`` ever loads Qt. A start that
names its command imports only the module that registers it (``COMMANDS``):
building all twelve costs 20-30 ms of every start of the window. Every command
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

# The top-level commands each module's register(sub) adds (tests/test_cli.py keeps
# this equal to what they really add), so that one command's parser can be built
# without importing the others.
COMMANDS: dict[str, tuple[str, ...]] = {
    "gui_command": ("gui",),
    "store_commands": ("init", "demo", "check", "backup", "restore"),
    "report_commands": ("report", "export"),
    "plan_commands": ("plan",),
    "areas_commands": ("areas",),
    "holes_commands": ("holes",),
    "sync_commands": ("province", "enroll", "bundle"),
    "import_commands": ("template", "import"),
    "status_command": ("status",),
    "reform": ("reform",),
    "server_commands": ("serve", "sync"),
    "selftest_command": ("self-test",),
}


def command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` runs when that can be told without the parser.

    The first argument after the top-level ``--lang`` option; ``"gui"`` when there is
    none (``coverage-desk`` alone opens the window). None when anything else comes
    first (a help request, an abbreviated option, an unknown command): the parser
    with every command then answers, as it always did.
    """
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang":
            i += 2
        elif arg.startswith("--lang="):
            i += 1
        elif arg.startswith("-"):
            return None
        else:
            known = any(arg in names for names in COMMANDS.values())
            return arg if known else None
    return "gui"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with every subcommand, or only the module of ``command``'s.

    With a ``command`` only the module that registers it is imported (with its
    other commands); its parser (``--help``, arguments, errors) is the same as in
    the parser with every command.
    """
    parser = argparse.ArgumentParser(
        prog="coverage-desk",
        description=_("Coverage Desk: telephone, Internet, postal and radio coverage survey."),
    )
    parser.add_argument(
        "--lang", choices=("vi", "en"), default=None, help=_("language of messages (default: vi)")
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        if command is not None and command not in COMMANDS.get(name, (command,)):
            continue
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
    command = command_in(argv)
    if "serve" not in argv:
        from desktop_app.startup import mark, skip_unused_database_drivers

        mark("command line started")
        skip_unused_database_drivers()
    lang = _language(argv)
    setup(lang if lang in ("vi", "en") else "vi")
    parser = build_parser(command)
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
