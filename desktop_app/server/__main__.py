"""``python -m desktop_app.server --db ... [--port ...]``: the same as ``coverage-desk serve``."""

from __future__ import annotations

import argparse
import sys

from desktop_app.commands.common import CommandError
from desktop_app.commands.server_commands import register
from desktop_app.store.errors import StoreError


def main(argv: list[str] | None = None) -> int:
    """Run ``serve`` with the given arguments; one clear line on failure."""
    from desktop_app.i18n import setup

    setup("en")
    parser = argparse.ArgumentParser(prog="python -m desktop_app.server")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", *(sys.argv[1:] if argv is None else argv)])
    try:
        result: int = args.func(args)
    except (StoreError, CommandError) as exc:
        print(f"coverage-desk serve: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
