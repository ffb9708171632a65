"""Where the application finds its shipped resources and keeps its data.

Data lives in the platform's per-user data folder (platformdirs), never in the
install folder, except in portable mode: when a file named ``portable.txt``
stands beside the executable (or ``COVERAGE_DESK_PORTABLE=1``), data lives in a
``data`` folder beside it, for PCs whose user folders are wiped.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PORTABLE_MARKER = "portable.txt"


def resources_dir() -> Path:
    """The ``resources/`` folder: inside the frozen build, inside an installed wheel
    (``desktop_app/_resources``, written by setup.py), else beside the package in a checkout."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    packaged = Path(__file__).resolve().parent / "_resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def install_dir() -> Path:
    """The folder of the executable (frozen) or of the source checkout."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable() -> bool:
    """True when data is kept beside the executable."""
    if os.environ.get("COVERAGE_DESK_PORTABLE") == "1":
        return True
    return (install_dir() / PORTABLE_MARKER).exists()


def default_data_dir() -> Path:
    """The per-user data folder, or ``<install>/data`` in portable mode."""
    if is_portable():
        return install_dir() / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir("CoverageDesk", appauthor=False))


def default_db_path() -> Path:
    """The office database used when a command is given no ``--db``."""
    return default_data_dir() / "coverage-desk.db"
