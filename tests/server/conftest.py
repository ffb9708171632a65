"""Fixtures of the server tests: a real uvicorn server on a free loopback port,
a small enrolled province, and a throwaway PostgreSQL when one is available.

PostgreSQL: ``COVERAGE_DESK_TEST_PG`` (a ``postgresql://`` URL, e.g. printed by
``build/start_test_postgres.sh``). Without it the PostgreSQL tests skip, except
under ``CI=true``, where they FAIL: CI must run them.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.office import create_office
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, init_province

PROVINCE = "pre2025:14"
DISTRICT = "pre2025:125"
C1 = "pre2025:04108"
C2 = "pre2025:04105"
OFFICES = (DISTRICT, C1, C2)


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving an app in a thread of the test process (127.0.0.1 only)."""

    def __init__(self, app: Any, *, tls: tuple[Path, Path] | None = None) -> None:
        self.port = free_port()
        files = {} if tls is None else {"ssl_certfile": str(tls[0]), "ssl_keyfile": str(tls[1])}
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", ws="none", lifespan="on",
            **files,
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"{'http' if tls is None else 'https'}://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)

    def wait_applied(self, timeout: float = 30.0) -> None:
        """Wait until the server has applied everything it took (``pending_apply`` 0)."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            pending = httpx.get(self.url + "/v1/health", verify=False).json()["pending_apply"]
            if pending == 0:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the server still has {pending} changes to apply")
            time.sleep(0.05)


@dataclass
class Province:
    """The province database and enrolled offices (real clock: certificates are checked)."""

    tmp: Path
    offices: dict[str, Store] = field(default_factory=dict)

    def __getitem__(self, unit: str) -> Store:
        return self.offices[unit]

    @property
    def path(self) -> Path:
        return self.tmp / "province.db"


def make_province(
    tmp: Path, directory: UnitDirectory, units: tuple[str, ...] = OFFICES
) -> Province:
    """A province database and enrolled offices for ``units``."""
    prov = Province(tmp)
    prov.offices[PROVINCE] = init_province(prov.path, PROVINCE, directory=directory, user="so")
    for unit in units:
        store = create_office(
            tmp / f"{unit.split(':')[1]}.db", unit, directory=directory, user=f"u{unit[-3:]}"
        )
        enroll_demo(store, prov.offices[PROVINCE])
        prov.offices[unit] = store
    return prov


@pytest.fixture
def province(tmp_path: Path, unit_directory: UnitDirectory) -> Iterator[Province]:
    """An enrolled province: the province office, a district and two of its communes."""
    prov = make_province(tmp_path, unit_directory)
    yield prov
    for store in prov.offices.values():
        store.close()


@pytest.fixture
def sqlite_server(province: Province) -> Iterator[ServerThread]:
    """The server on the province database (SQLite mode)."""
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()  # the server opens the file itself
    with ServerThread(create_app(province.path, max_body=2 * 1024 * 1024)) as server:
        yield server
    province.offices[PROVINCE] = Store.open(province.path)


def add_village(store: Store, name: str) -> str:
    """A village in the store's own commune; returns its id."""
    return store.villages.add(store.node.office_id, name).id


VILLAGE_VALUES = (
    ("so_ho", 100),
    ("dan_so", 400),
    ("so_ho_ngheo", 10),
    ("ho_dttm", 30),
    ("ho_chi_2g", 5),
    ("ho_khong_dtdd", 1),
    ("nguoi_tt_dttm", 90),
)


def fill_period(store: Store, villages: int, period: str = "2024", per_village: int = 1) -> int:
    """Villages and ``per_village`` values each for a period; returns the number of changes."""
    writes = []
    start = int(store.db.execute_sql("SELECT count(*) FROM village").fetchone()[0])
    for i in range(start, start + villages):
        vid = add_village(store, f"Bản {i + 1}")
        for code, value in VILLAGE_VALUES[:per_village]:
            writes.append(ValueWrite(store.node.office_id, vid, period, code, value + i))
    store.values.set_many(writes)
    return villages * (1 + per_village)


def forge_value(store: Store, commune: str, value: str) -> None:
    """Log a value of another ``commune`` in the store's change log, past the
    repositories' own scope check (what a tampered client could send)."""
    from desktop_app.store.changes import Entry

    state = {
        "comment": "",
        "commune_id": commune,
        "disagg": "",
        "indicator": "so_ho",
        "org_id": commune,
        "period": "2024",
        "value": value,
        "village_id": None,
    }
    key = {k: state[k] for k in ("disagg", "indicator", "org_id", "period")}
    with store.write() as ctx:
        ctx.log(Entry("value", key, commune, "2024", state, None, None, "create"))


def count_changes(store: Store, origin: str) -> int:
    """Change-log rows of one origin (duplicates would show here)."""
    row = store.db.execute_sql("SELECT count(*) FROM change WHERE origin = ?", (origin,))
    return int(row.fetchone()[0])


def refused_for_a_full_disk(office: Store, url: str) -> str:
    """The sentence an office's sync gets, in Vietnamese, from a server whose disk is
    full (``ServerDiskFullError``; the process's language is put back afterwards)."""
    from desktop_app import i18n
    from desktop_app.netsync.client import sync_office
    from desktop_app.netsync.http import ServerDiskFullError

    before = i18n.current_language()
    i18n.setup("vi")
    try:
        with pytest.raises(ServerDiskFullError) as refused:
            sync_office(office, url, backup=False)
        return str(refused.value)
    finally:
        i18n.setup(before)


def pg_url() -> str | None:
    """The throwaway PostgreSQL URL, or skip (fail under CI=true)."""
    url = os.environ.get("COVERAGE_DESK_TEST_PG")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but COVERAGE_DESK_TEST_PG is not set: the PostgreSQL tests must run")
    pytest.skip("no PostgreSQL (set COVERAGE_DESK_TEST_PG; build/start_test_postgres.sh)")
    return None


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh database in the throwaway cluster; dropped afterwards."""
    import psycopg

    base = pg_url()
    assert base is not None
    name = "cd_test_" + uuid.uuid4().hex[:12]
    try:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL at COVERAGE_DESK_TEST_PG is not reachable: {exc}")
    url = base.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
