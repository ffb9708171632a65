"""A small province for tests: the province, two districts, three communes, enrolled,
with helpers to move bundles between them.

A pytest plugin (``pytest_plugins`` of ``tests/conftest.py``): its ``net`` fixture is the
one every test asking for ``net`` gets, wherever it lives (tests/sync, tests/ui,
tests/reports); a test module that needs another province defines its own."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, init_province
from desktop_app.sync.exchange import ImportResult, export_bundle, import_bundle
from tests.helpers.clock import FakeClock

PROVINCE = "pre2025:14"
DISTRICTS = {"pre2025:125": ["pre2025:04108", "pre2025:04105"], "pre2025:118": ["pre2025:03682"]}
PARENT = {c: d for d, cs in DISTRICTS.items() for c in cs}


@dataclass
class Net:
    """Offices by unit id, with helpers to move bundles between them."""

    tmp: Path
    clock: FakeClock
    offices: dict[str, Store] = field(default_factory=dict)
    counter: int = 0

    def __getitem__(self, unit: str) -> Store:
        return self.offices[unit]

    def export(self, unit: str, to: str | None = None) -> Path:
        """Export a bundle from ``unit`` (addressed to ``to``'s installation when given)."""
        self.counter += 1
        out = self.tmp / "usb" / f"{self.counter:03d}-{unit.split(':')[-1]}.cdsync"
        out.parent.mkdir(exist_ok=True)
        node = None if to is None else self.offices[to].node.node_id
        export_bundle(self.offices[unit], out, to=node, level=3)
        return out

    def load(self, unit: str, path: Path) -> ImportResult:
        """Import a bundle at ``unit`` (no automatic backup: faster tests)."""
        return import_bundle(self.offices[unit], path, backup=False)

    def send(self, src: str, dst: str) -> ImportResult:
        """Export from src and import at dst."""
        return self.load(dst, self.export(src, dst))


def make_net(tmp: Path, clock: FakeClock, directory: UnitDirectory) -> Net:
    """Create and enrol every office."""
    net = Net(tmp, clock)
    rng = random.Random(5)
    net.offices[PROVINCE] = init_province(
        tmp / "province.db", PROVINCE, directory=directory, clock=clock, rng=rng, user="so"
    )
    from desktop_app.store.office import create_office

    for district, communes in DISTRICTS.items():
        for unit in [district, *communes]:
            store = create_office(
                tmp / f"{unit.split(':')[1]}.db",
                unit,
                directory=directory,
                clock=clock,
                rng=rng,
                user=f"user{unit.split(':')[1]}",
            )
            enroll_demo(store, net.offices[PROVINCE])
            net.offices[unit] = store
    return net


@pytest.fixture
def net(tmp_path: Path, clock: FakeClock, unit_directory: UnitDirectory) -> Iterator[Net]:
    """The enrolled offices of a small province."""
    n = make_net(tmp_path, clock, unit_directory)
    yield n
    for store in n.offices.values():
        store.close()


def add_village(store: Store, name: str) -> str:
    """A village in the store's own commune; returns its id."""
    return store.villages.add(store.node.office_id, name).id


def set_households(store: Store, village: str, value: int, period: str = "2019") -> None:
    """Type the number of households of a village."""
    store.values.set_value(
        ValueWrite(store.node.office_id, village, period, "so_ho", value), check_rules=False
    )


def values_of(store: Store, commune: str) -> dict[tuple[str, str, str, str], str | None]:
    """Every value of a commune: (org, period, indicator, cell) → value."""
    return {
        (str(o), str(p), str(i), str(d)): v
        for o, p, i, d, v in store.db.execute_sql(
            "SELECT org_id, period, indicator, disagg, value FROM data_value WHERE commune_id = ?",
            (commune,),
        )
    }
