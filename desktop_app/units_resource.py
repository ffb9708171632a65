"""Read the shipped administrative-unit directory (``resources/units/units.json``).

The only I/O around ``desktop_app.domain.units``: nothing is read or cached at import
time; callers load the directory once and hand it to whoever needs it.
"""

from __future__ import annotations

import json
from pathlib import Path

from desktop_app.domain.units import UnitDirectory, UnitError
from desktop_app.paths import resources_dir


def default_units_path() -> Path:
    """Where the shipped unit directory lives."""
    return resources_dir() / "units" / "units.json"


def load_unit_directory(path: Path | None = None) -> UnitDirectory:
    """Read and check the unit directory at ``path`` (default: the shipped one).

    Raises ``UnitError`` naming the file if it cannot be read or is damaged.
    """
    path = default_units_path() if path is None else path
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise UnitError(f"Cannot read the unit directory {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError
        raise UnitError(f"The unit directory {path} is damaged: {exc}") from exc
    try:
        return UnitDirectory.from_resource(document)
    except UnitError as exc:
        raise UnitError(f"{path}: {exc}") from exc
