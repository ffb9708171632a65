"""Create a new office database: reference data for its province and its installation row."""

from __future__ import annotations

import random
import time
from pathlib import Path

from desktop_app.domain.units import UnitDirectory, UnitError
from desktop_app.paths import resources_dir
from desktop_app.store.errors import DatabaseExistsError, StoreError, UnknownUnitError
from desktop_app.store.store import Clock, Store


class OfficeKindError(StoreError):
    """Offices are provinces, districts or communes; anything else is refused."""

    def template(self) -> str:
        from desktop_app.i18n import _

        return _("The office must be a district or a commune: {unit}")


def create_office(
    path: Path,
    office_id: str,
    *,
    directory: UnitDirectory | None = None,
    catalogue_dir: Path | None = None,
    clock: Clock = time.time,
    rng: random.Random | None = None,
    node_id: str | None = None,
    epoch: int | None = None,
    user: str = "system",
) -> Store:
    """Make the database at ``path`` for ``office_id`` and return it open.

    Refuses an existing file, an unknown unit and a unit that is no office.
    Nothing is left on disk when it fails.
    """
    from desktop_app.units_resource import load_unit_directory

    path = Path(path)
    if path.exists():
        raise DatabaseExistsError(path=str(path))
    directory = directory or load_unit_directory()
    try:
        unit = directory.find(office_id)
    except UnitError:
        unit = None
    if unit is None:
        raise UnknownUnitError(unit=office_id)
    if unit.level not in (1, 2, 3):
        raise OfficeKindError(unit=unit.name)
    store = Store.open(path, create=True, clock=clock, user=user, rng=rng)
    try:
        store.reference.install_office(
            directory,
            catalogue_dir or resources_dir() / "catalog",
            office_id,
            node_id=node_id,
            epoch=epoch,
        )
    except BaseException:
        store.close()
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    return store
