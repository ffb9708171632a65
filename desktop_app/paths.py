"""Where the application finds its shipped resources and keeps its data."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside the frozen build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_data_dir() -> Path:
    """The per-user data folder (platformdirs), never the install folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir("CoverageDesk", appauthor=False))


def default_db_path() -> Path:
    """The office database used when a command is given no ``--db``."""
    return default_data_dir() / "coverage-desk.db"
