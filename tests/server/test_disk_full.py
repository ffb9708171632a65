"""A provincial server whose disk is full (SQLite mode) answers 507 ``disk_full`` with a
JSON body and keeps nothing of the push; the office's sync stops with one translated
sentence and its changes stay pending, sent whole once there is room again. The full
disk is SQLite's own SQLITE_FULL, reached through ``max_page_count`` on the writer's
connection (the only fault injected), through real HTTP on a loopback port."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.server.app import create_app
from desktop_app.server.sqlite_backend import SqliteBackend
from desktop_app.store.store import Store
from tests.server.conftest import (
    C1,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    refused_for_a_full_disk,
)


def test_a_full_disk_keeps_nothing_and_says_so(province: Province) -> None:
    commune = province[C1]
    changes = fill_period(commune, 400, per_village=2)
    province.offices[PROVINCE].close()
    with Store.open(province.path) as prov:
        prov.db.execute_sql("VACUUM")  # no free page left for the push to fill
    backend = SqliteBackend(province.path)
    pages = int(backend.store.db.execute_sql("PRAGMA page_count").fetchone()[0])
    # every connection opened from now on, the writer's among them, may not grow the file
    backend.store.db._pragmas = [*backend.store.db._pragmas, ("max_page_count", pages)]
    try:
        with ServerThread(create_app(province.path, backend=backend)) as server:
            text = refused_for_a_full_disk(commune, server.url)
            assert text.startswith("Ổ đĩa của máy chủ tỉnh đã đầy"), text
            assert "\n" not in text
            with Store.open(province.path) as prov:
                assert count_changes(prov, commune.node.node_id) == 0
                assert prov.db.execute_sql("SELECT COUNT(*) FROM server_feed").fetchone()[0] == 0
    finally:
        backend.close()
    # room again (a server started without the limit): the same changes go whole, once
    with ServerThread(create_app(province.path)) as server:
        result = sync_office(commune, server.url, backup=False)
        assert result.accepted == changes
        server.wait_applied()
    with Store.open(province.path) as prov:
        assert count_changes(prov, commune.node.node_id) == changes
    province.offices[PROVINCE] = Store.open(province.path)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (mounted; root only), to hold a province database and be filled."""
    if os.geteuid() != 0:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but mounting the small tmpfs needs root")
        pytest.skip("mounting the small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_serve_on_a_full_disk_says_so_in_one_line(
    full_disk: Path, unit_directory: UnitDirectory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reading a WAL database makes its -shm file: on a full disk SQLite says "disk I/O
    error", which is no damage (the defect: "Database … is damaged: disk I/O error").
    The server's start says the disk is full, in one line, exit status 1, the file as it
    was; with room again it serves."""
    from desktop_app import i18n
    from desktop_app.cli import main
    from desktop_app.sync.certificates import init_province

    path = full_disk / "province.db"
    init_province(path, PROVINCE, directory=unit_directory, user="so").close()
    before_bytes = path.read_bytes()
    fd = os.open(full_disk / "ballast", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):  # to the last page
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)
    assert os.statvfs(full_disk).f_bavail == 0
    language = i18n.current_language()
    try:
        assert main(["--lang", "vi", "serve", "--db", str(path)]) == 1
    finally:
        i18n.setup(language)
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"coverage-desk: Không đủ dung lượng ổ đĩa để lưu: {path}"]
    assert path.read_bytes() == before_bytes
    (full_disk / "ballast").unlink()
    SqliteBackend(path).close()  # room again: it starts
