"""The application's version for the window title, without ``importlib.metadata``.

``desktop_app.__version__`` asks ``importlib.metadata``, whose imports (email, zipfile,
csv, …) cost about 45 ms (``python -X importtime``) of every start of the window, for
one line of the installed distribution's ``METADATA``. This reads that line directly
from the ``coverage_desk-*.dist-info`` folder on ``sys.path`` (a wheel install, an
editable install, the frozen build's bundled metadata) and, like the package, says
``0.0.0`` for a source tree that is not installed.
"""

from __future__ import annotations

import os
import sys

DIST_PREFIX = "coverage_desk-"
NOT_INSTALLED = "0.0.0"


def app_version() -> str:
    """The installed version of coverage-desk (``desktop_app.__version__``'s answer)."""
    import desktop_app

    known = vars(desktop_app).get("__version__")
    if isinstance(known, str):
        return known
    found = _from_dist_info() or NOT_INSTALLED
    vars(desktop_app)["__version__"] = found  # as the package caches its own answer
    return found


def _from_dist_info() -> str | None:
    for folder in sys.path:
        try:
            with os.scandir(folder or ".") as entries:
                names = [
                    e.name
                    for e in entries
                    if e.name.lower().startswith(DIST_PREFIX) and e.name.endswith(".dist-info")
                ]
        except OSError:
            continue  # a zip on the path, or a folder that is gone
        for name in sorted(names):
            try:
                with open(os.path.join(folder or ".", name, "METADATA"), encoding="utf-8") as fh:
                    for line in fh:
                        if line.startswith("Version:"):
                            return line.split(":", 1)[1].strip()
                        if not line.strip():
                            break  # the headers end at the first empty line
            except OSError:
                continue
    return None
