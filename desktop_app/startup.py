"""Start-up costs the desktop does not need to pay.

peewee imports every database driver it can find when it is first imported;
with psycopg installed (for the provincial server) that alone costs about
0.4 s of every start of the window and of each command. Only the server ever
talks to PostgreSQL, so the other commands mark the drivers as absent first.
"""

from __future__ import annotations

import sys

_DRIVERS = ("psycopg", "psycopg2")


def skip_unused_database_drivers() -> None:
    """Make ``import psycopg`` fail fast in this process (call before peewee is imported).

    Does nothing for a driver that is already imported.
    """
    for name in _DRIVERS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
