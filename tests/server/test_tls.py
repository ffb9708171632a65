"""TLS an office can trust without a certificate authority (issue 14): the province
makes the server's key and a self-signed certificate and records its pin, signed by
the root key; enrolment hands the pin to the office; ``sync`` to ``https://`` accepts
that key only. Real certificates, uvicorn's own TLS, on a loopback port (https even
there: the loopback exception concerns plain http only)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.domain.units import UnitDirectory
from desktop_app.netsync.client import sync_office
from desktop_app.netsync.http import NetworkSyncError, PinMismatchError, ServerClient
from desktop_app.server.tls import make_self_signed
from desktop_app.store.office import create_office
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.server_pin import PIN_KIND, server_pins
from tests.server.conftest import (
    C1,
    PROVINCE,
    Province,
    ServerThread,
    count_changes,
    fill_period,
    make_province,
)


@pytest.fixture
def pinned(tmp_path: Path, unit_directory: UnitDirectory) -> Iterator[tuple[Province, Path]]:
    """A province that ran ``province tls`` for 127.0.0.1, and a commune enrolled after."""
    prov = make_province(tmp_path, unit_directory, units=())
    prov.offices[PROVINCE].close()
    tls = tmp_path / "tls"
    code = main(["--lang", "en", "province", "tls", "--db", str(prov.path),
                 "--host", "127.0.0.1", "--out", str(tls)])  # fmt: skip
    assert code == 0
    prov.offices[PROVINCE] = Store.open(prov.path)
    commune = create_office(tmp_path / "c1.db", C1, directory=unit_directory, user="u1")
    enroll_demo(commune, prov.offices[PROVINCE])  # the certificate file carries the pin
    prov.offices[C1] = commune
    prov.offices[PROVINCE].close()  # the server opens the file itself
    yield prov, tls
    for store in prov.offices.values():
        store.close()


def test_province_tls_writes_a_key_a_certificate_and_a_signed_pin(
    pinned: tuple[Province, Path],
) -> None:
    prov, tls = pinned
    assert (tls / "server.key").stat().st_mode & 0o077 == 0  # the owner's only
    doc = json.loads((tls / "server-pin.json").read_text("utf-8"))
    assert doc["kind"] == PIN_KIND and doc["body"]["host"] == "127.0.0.1"
    pins = server_pins(prov[C1])  # checked against the province key the office holds
    assert pins == {"127.0.0.1": doc["body"]["spki_sha256"]}


def test_sync_over_https_with_the_pinned_self_signed_certificate(
    pinned: tuple[Province, Path],
) -> None:
    from desktop_app.server.app import create_app

    prov, tls = pinned
    commune = prov[C1]
    changes = fill_period(commune, 5)
    certs = (tls / "server.crt", tls / "server.key")
    with ServerThread(create_app(prov.path), tls=certs) as srv:
        assert srv.url.startswith("https://127.0.0.1:")
        result = sync_office(commune, srv.url)
        assert (result.accepted, result.rejected) == (changes, 0)
        assert sync_office(commune, srv.url).pushed_batches == 0  # nothing left to send
        srv.wait_applied()
    with Store.open(prov.path) as province:
        assert count_changes(province, commune.node.node_id) == changes


def test_a_server_showing_another_key_is_refused_in_one_line(
    pinned: tuple[Province, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.server.app import create_app

    prov, _tls = pinned
    commune = prov[C1]
    fill_period(commune, 2)
    key, cert, _spki = make_self_signed("127.0.0.1", tmp_path / "impostor")
    with ServerThread(create_app(prov.path), tls=(cert, key)) as srv:
        with pytest.raises(PinMismatchError) as caught:
            sync_office(commune, srv.url, retries=3)
        assert commune.path is not None
        commune.close()
        code = main(["--lang", "en", "sync", "--db", str(commune.path), "--server", srv.url])
        prov.offices[C1] = Store.open(commune.path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("Network sync with the province failed: the server at 127.0.0.1")
    assert "did not show the key the province recorded for it" in message
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("  ")]
    assert code == 1 and err == [f"coverage-desk: {message}"]  # progress lines aside
    with Store.open(prov.path) as province:  # nothing was sent to it
        assert count_changes(province, prov[C1].node.node_id) == 0


def test_an_unpinned_self_signed_server_is_not_trusted(province: Province, tmp_path: Path) -> None:
    """An office enrolled before the pin was recorded falls back to the certificate
    authorities, which do not know a self-signed certificate."""
    from desktop_app.server.app import create_app

    key, cert, _spki = make_self_signed("127.0.0.1", tmp_path / "tls")
    province.offices[PROVINCE].close()
    with ServerThread(create_app(province.path), tls=(cert, key)) as srv:
        with pytest.raises(NetworkSyncError, match="CERTIFICATE_VERIFY_FAILED"):
            sync_office(province[C1], srv.url, retries=0)
    province.offices[PROVINCE] = Store.open(province.path)


@pytest.mark.parametrize("url", ["http://10.0.0.5:8765", "http://so-tttt.example.vn"])
def test_plain_http_to_another_machine_is_refused_unless_asked_for(url: str) -> None:
    with pytest.raises(NetworkSyncError) as caught:
        ServerClient(url)
    assert str(caught.value) == (
        f"Network sync with the province failed: {url} is plain http to another machine:"
        " use https:// (or, on a network you trust, --insecure-http)"
    )
    client = ServerClient(url, insecure_http=True)
    assert client.insecure_http
    client.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:2"])
def test_plain_http_on_loopback_is_allowed(url: str) -> None:
    client = ServerClient(url)
    assert not client.insecure_http
    client.close()


def test_the_sync_command_refuses_plain_http_in_one_line(
    province: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    path = province[C1].path
    assert path is not None
    province[C1].close()
    code = main(["--lang", "en", "sync", "--db", str(path), "--server", "http://10.0.0.5:8765"])
    province.offices[C1] = Store.open(path)
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("  ")]
    assert code == 1 and len(err) == 1
    assert "is plain http to another machine" in err[0]


def test_an_office_enrolled_before_takes_the_pin_file_and_syncs_over_https(
    province: Province, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop_app.server.app import create_app

    province.offices[PROVINCE].close()
    tls = tmp_path / "tls"
    argv = ["province", "tls", "--db", str(province.path), "--host", "127.0.0.1"]
    assert main(["--lang", "en", *argv, "--out", str(tls)]) == 0
    commune = province[C1]
    assert commune.path is not None
    commune.close()
    pin_file = tls / "server-pin.json"
    forged = json.loads(pin_file.read_text("utf-8"))
    forged["body"]["spki_sha256"] = "00" * 32  # not what the province signed
    (tmp_path / "forged.json").write_text(json.dumps(forged), "utf-8")
    capsys.readouterr()
    assert main(["--lang", "en", "enroll", "pin", "--db", str(commune.path),
                 str(tmp_path / "forged.json")]) == 1  # fmt: skip
    assert "is not a server pin signed by this office's province" in capsys.readouterr().err
    assert main(["--lang", "en", "enroll", "pin", "--db", str(commune.path), str(pin_file)]) == 0
    province.offices[C1] = commune = Store.open(commune.path)
    changes = fill_period(commune, 2)
    with ServerThread(
        create_app(province.path), tls=(tls / "server.crt", tls / "server.key")
    ) as srv:
        assert sync_office(commune, srv.url).accepted == changes
    province.offices[PROVINCE] = Store.open(province.path)


def test_the_serve_command_serves_https_and_the_pinned_office_syncs(
    pinned: tuple[Province, Path],
) -> None:
    """``coverage-desk serve --tls-cert F --tls-key F`` in its own process."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    from tests.server.conftest import free_port

    prov, tls = pinned
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.server", "--db", str(prov.path),
         "--port", str(port), "--tls-cert", str(tls / "server.crt"),
         "--tls-key", str(tls / "server.key")],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"https://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/v1/health", verify=False).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        with pytest.raises(httpx.TransportError):  # plain http on the https port: no answer
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=5).raise_for_status()
        changes = fill_period(prov[C1], 3)
        assert sync_office(prov[C1], url).accepted == changes
    finally:
        proc.terminate()
        output = proc.communicate(timeout=60)[0].decode("utf-8", "replace")
    assert f"on https://127.0.0.1:{port}" in output
