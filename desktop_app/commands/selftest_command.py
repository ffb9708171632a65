"""``coverage-desk self-test``: check this installation end to end (see desktop_app.selftest)."""

from __future__ import annotations

import argparse

from desktop_app.i18n import _


def cmd_self_test(args: argparse.Namespace) -> int:
    """Run the self-test; exit code 0 only when every check that ran passed."""
    from desktop_app.selftest import run_self_test

    return run_self_test(
        window=not args.no_window, strict=args.strict, timeout=args.timeout, verbose=args.verbose
    )


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``self-test`` subcommand."""
    from desktop_app.selftest import add_arguments

    parser = sub.add_parser(
        "self-test",
        help=_("check this installation: database, window, PDF and sync bundle"),
    )
    add_arguments(parser)
    parser.set_defaults(func=cmd_self_test)
