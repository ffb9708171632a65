"""A provincial server on PostgreSQL whose disk is full answers 507 ``disk_full`` as in
SQLite mode: nothing of the push is kept, the office's sync stops at once with one
translated sentence (no retries) and its changes stay pending, taken whole, once, by
a later push with room.

The full disk is a real one: the test database's tables live in a tablespace on a
tmpfs of 2 MiB that the fixture mounts (``ALTER DATABASE ... SET default_tablespace``,
so only the server's own ``cd_*`` tables sit there; the catalogues and the WAL stay on
the cluster's disk), filled to the last page by a file beside the tablespace. Nothing
in PostgreSQL or the server is faked: the table files cannot grow, and PostgreSQL
raises SQLSTATE 53100 itself. (``temp_file_limit`` covers only temporary files, and a
file-size rlimit would have to be set on the cluster's processes, for every file they
write, the WAL's included, not for one database's tables.) Mounting needs root and a
PostgreSQL running on this machine; without them the test is skipped saying so (it
fails under ``CI=true``, where ``.ci/run`` runs as root and starts the cluster here).

The other class-53 states (out of memory, too many connections, a configuration
limit) are answered 503 ``busy``: the second test.
"""

from __future__ import annotations

import errno
import logging
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from desktop_app.netsync.client import sync_office
from desktop_app.netsync.http import ServerClient
from desktop_app.server.app import create_app
from tests.server.conftest import (
    C1,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    pg_url,
    refused_for_a_full_disk,
)

pytestmark = pytest.mark.postgres

DISK = "2m"  # the tmpfs: room for the empty cd_* tables and a small first push


def _cannot(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but the full-disk PostgreSQL test cannot run: {reason}")
    pytest.skip(reason)


@dataclass
class SmallDisk:
    """A database whose tables live on a small tmpfs (``mount``), and how to fill it."""

    url: str
    mount: Path

    @property
    def ballast(self) -> Path:
        return self.mount / "ballast"

    def fill(self) -> None:
        """Write a file beside the tablespace until the tmpfs has no page left."""
        fd = os.open(self.ballast, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        finally:
            os.close(fd)
        assert os.statvfs(self.mount).f_bavail == 0

    def free(self) -> None:
        """Room again."""
        self.ballast.unlink()


@pytest.fixture
def small_disk() -> Iterator[SmallDisk]:
    """A fresh database in the throwaway cluster with its default tablespace on a 2 MiB
    tmpfs; dropped and unmounted afterwards."""
    base = pg_url()
    assert base is not None
    if os.geteuid() != 0:
        _cannot("mounting the small tmpfs for the tablespace needs root")
    with psycopg.connect(base, autocommit=True) as conn:
        row = conn.execute("SELECT current_setting('data_directory')").fetchone()
    data = Path(str(row[0])) if row else Path()
    if not data.is_dir():
        _cannot(f"the PostgreSQL at COVERAGE_DESK_TEST_PG is not on this machine ({data})")
    owner = data.stat().st_uid
    # under /tmp, not tmp_path: pytest's base directory is 0700, closed to the cluster's user
    mount = Path(tempfile.mkdtemp(prefix="coverage-desk-pg-full."))
    mount.chmod(0o755)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK},mode=0700", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        mount.rmdir()
        _cannot(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    name = "cd_full_" + uuid.uuid4().hex[:12]
    try:
        os.chown(mount, owner, -1)
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE {name} LOCATION '{mount}'")
            conn.execute(f"CREATE DATABASE {name}")
            conn.execute(f"ALTER DATABASE {name} SET default_tablespace = {name}")
        yield SmallDisk(base.rsplit("/", 1)[0] + "/" + name, mount)
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"DROP TABLESPACE IF EXISTS {name}")
        subprocess.run(["umount", str(mount)], check=True)
        mount.rmdir()


def _feed(url: str, origin: str) -> tuple[int, int, int]:
    """(changes of ``origin`` in the feed, distinct ones among them, batches answered)."""
    with psycopg.connect(url) as conn:
        n, distinct = conn.execute(
            "SELECT COALESCE(SUM(n), 0), COUNT(DISTINCT (epoch, seq_from)) FROM cd_feed"
            " WHERE origin = %s",
            (origin,),
        ).fetchone() or (0, 0)
        batches = conn.execute("SELECT COUNT(*) FROM cd_batch").fetchone()
    return int(n), int(distinct), int(batches[0]) if batches else 0


def test_a_full_disk_on_postgres_keeps_nothing_and_says_so(
    province: Province,
    small_disk: SmallDisk,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    commune = province[C1]
    node = commune.node.node_id
    answers: list[tuple[int, Any]] = []
    answer = ServerClient._answer

    def seen(self: ServerClient, response: Any) -> Any:  # what the office received
        if response.status_code >= 500:
            try:
                answers.append((response.status_code, response.json()))
            except ValueError:  # a bare 500 "Internal Server Error"
                answers.append((response.status_code, {"error": response.text}))
        return answer(self, response)

    monkeypatch.setattr(ServerClient, "_answer", seen)
    app = create_app(small_disk.url, province_db=province.path)
    with ServerThread(app) as server:
        first = fill_period(commune, 1)
        assert sync_office(commune, server.url, backup=False).accepted == first
        held = _feed(small_disk.url, node)
        assert held == (first, 1, 1)
        changes = fill_period(commune, 400, per_village=2)  # three segments of 500, 500, 200
        small_disk.fill()
        caplog.set_level(logging.ERROR, logger="desktop_app.server.app")
        text = refused_for_a_full_disk(commune, server.url)
        assert text.startswith("Ổ đĩa của máy chủ tỉnh đã đầy"), text
        assert "\n" not in text
        # the push itself met the full disk (sign-in found room in its table's page)...
        pushes = [r.getMessage() for r in caplog.records if "/v1/batches/" in r.getMessage()]
        assert pushes and all("could not extend file" in m for m in pushes), pushes
        # ...each batch once (no retries), answered with the JSON body of SQLite mode
        assert len(set(pushes)) == len(pushes) == len(answers)
        assert {(s, b["error"]) for s, b in answers} == {(507, "disk_full")}
        assert _feed(small_disk.url, node) == held  # nothing of the push kept
        with psycopg.connect(small_disk.url) as conn:
            cursor = conn.execute("SELECT seq FROM cd_cursor WHERE origin = %s", (node,))
            assert cursor.fetchall() == [(first,)]
        small_disk.free()  # room again: the same changes, whole, once
        again = sync_office(commune, server.url, backup=False)
        assert again.accepted == changes
        assert _feed(small_disk.url, node) == (first + changes, 4, 1 + again.pushed_batches)
        prov = province[PROVINCE]
        sync_office(prov, server.url, backup=False)
        assert count_changes(prov, node) == first + changes


def test_postgres_short_of_memory_answers_busy_and_keeps_nothing(
    province: Province, pg_database: str
) -> None:
    """The other class-53 states pass with the load that caused them: 503 ``busy`` with
    Retry-After, nothing of the push kept, the same batch taken whole when sent again.
    PostgreSQL itself raises SQLSTATE 53200 (out_of_memory) from a trigger on the feed
    table, through the real driver and server (a real shortage cannot be made on demand)."""
    import httpx

    from desktop_app.netsync.client import plan_batches
    from desktop_app.netsync.wire import PUSH_MEDIA_TYPE, encode_push

    commune = province[C1]
    changes = fill_period(commune, 5)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute(
            "CREATE FUNCTION cd_test_short() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'out of memory' USING ERRCODE = '53200'; END $$"
        )
    app = create_app(pg_database, province_db=province.path)
    (batch,) = plan_batches(commune, {}, 500)
    body = encode_push(batch)
    with ServerThread(app) as server:
        client = ServerClient(server.url)
        try:
            client.sign_in(commune)
            headers = {"Authorization": f"Bearer {client.token}", "Content-Type": PUSH_MEDIA_TYPE}
        finally:
            client.close()
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute(
                "CREATE TRIGGER cd_test_short BEFORE INSERT ON cd_feed"
                " FOR EACH ROW EXECUTE FUNCTION cd_test_short()"
            )
        url = f"{server.url}/v1/batches/b1"
        refused = httpx.post(url, content=body, headers=headers)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "busy"
        assert refused.headers["retry-after"] == "5"
        assert _feed(pg_database, commune.node.node_id) == (0, 0, 0)
        with psycopg.connect(pg_database, autocommit=True) as conn:
            conn.execute("DROP TRIGGER cd_test_short ON cd_feed")
        taken = httpx.post(url, content=body, headers=headers)
        assert taken.status_code == 200, taken.text
        assert taken.json()["accepted"] == changes
        assert _feed(pg_database, commune.node.node_id) == (changes, 1, 1)


def test_serve_on_a_full_postgres_disk_says_so_in_one_line(
    province: Province, small_disk: SmallDisk, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server's first start on a database whose disk is full: one line in the user's
    language, exit status 1, not psycopg's traceback."""
    from desktop_app import i18n
    from desktop_app.cli import main

    small_disk.fill()
    before = i18n.current_language()
    try:
        argv = ["serve", "--db", small_disk.url, "--province-db", str(province.path)]
        assert main(["--lang", "vi", *argv]) == 1
    finally:
        i18n.setup(before)
    err = capsys.readouterr().err.strip().splitlines()
    where = small_disk.url.split("@", 1)[1]
    assert len(err) == 1, err
    assert err[0].startswith(
        f"coverage-desk: Không khởi động được máy chủ: ổ đĩa của PostgreSQL tại {where} đã đầy"
    ), err[0]
    assert "could not extend file" in err[0]
