"""Entry point of the frozen ``coverage-desk`` executable: the whole command line.

GUI, command line and server share one executable on Linux; on Windows this is
the console executable (``coverage-desk.exe``) and :mod:`entry_gui` the windowed one.
"""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from desktop_app import cli

    sys.exit(cli.main())
