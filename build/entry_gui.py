"""Entry point of the windowed Windows executable ``CoverageDesk.exe``: always the window.

A windowed executable has no console, so ``sys.stdout``/``sys.stderr`` are None;
they are pointed at the null device so a stray print cannot crash the window.
``CoverageDesk.exe --db PATH`` works like ``coverage-desk gui --db PATH``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))
    from desktop_app.cli import main

    sys.exit(main(["gui", *sys.argv[1:]]))
