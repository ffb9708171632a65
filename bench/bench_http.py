"""The sync client's HTTP layer (netsync/http.py) against urllib3 and httpx.

The same calls a sync makes (challenge, token, state, pushes of 20 kB bundles,
a feed page), many times over one kept-alive connection, against a uvicorn
server in another process whose app answers every call at once with a small
JSON body, so that the figure is the client's own cost. Printed: client CPU
per call and wall time per call, as ratios to ours measured in the same run.

    PYTHONPATH=. .venv/bin/python -m bench.bench_http
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx
import urllib3

from bench.bench_server import _free_port
from desktop_app.netsync.http import Connection, tls_context
from desktop_app.netsync.wire import API, PUSH_MEDIA_TYPE

ROUNDS = 300
PUSHES = 4
BODY = os.urandom(20_000)  # a compressed, signed bundle does not compress further
TOKEN = {"Authorization": "Bearer " + "t" * 43}

APP = textwrap.dedent(
    """
    import json
    BODY = json.dumps({"ok": True, "nonce": "n" * 43, "token": "t" * 43,
                       "epoch": 1, "seq": 7, "changes": [], "next": 0}).encode()

    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": BODY})
    """
)


def _server(tmp: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    with open(os.path.join(tmp, "app.py"), "w", encoding="utf-8") as fh:
        fh.write(APP)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            tmp,
            "app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--http",
            "httptools",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/").status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("the bench server did not start")


Call = Callable[[str, str, dict[str, Any]], Any]
Client = Callable[[str], tuple[Call, Callable[[], None]]]


def _one_sync(call: Call) -> int:
    """The calls of one sync; returns how many were made."""
    call("POST", f"{API}/auth/challenge", {})
    call("POST", f"{API}/auth/token", {"json": {"certificate": "c" * 600, "nonce": "n" * 43}})
    call("GET", f"{API}/state", {"params": {"epoch": 1, "seq": 7}})
    for i in range(PUSHES):
        call("POST", f"{API}/batches/0190-{i}", {"content": BODY})
    call("GET", f"{API}/feed", {"params": {"after": 0, "limit": 500}})
    return 4 + PUSHES


def ours(url: str) -> tuple[Call, Callable[[], None]]:
    conn = Connection(url, timeout=30, context=tls_context())

    def call(method: str, path: str, kw: dict[str, Any]) -> Any:
        headers = dict(TOKEN)
        if "content" in kw:
            headers["Content-Type"] = PUSH_MEDIA_TYPE
        reply = conn.request(
            method, path, params=kw.get("params"), json_body=kw.get("json"),
            content=kw.get("content"), headers=headers,
        )  # fmt: skip
        assert reply.status_code == 200
        return reply.json()

    return call, conn.close


def with_urllib3(url: str) -> tuple[Call, Callable[[], None]]:
    pool = urllib3.HTTPConnectionPool(
        url.split("//")[1].split(":")[0], int(url.rsplit(":", 1)[1]), maxsize=1, timeout=30
    )

    def call(method: str, path: str, kw: dict[str, Any]) -> Any:
        headers = dict(TOKEN)
        if "content" in kw:
            headers["Content-Type"] = PUSH_MEDIA_TYPE
        if "params" in kw:
            path += "?" + urllib.parse.urlencode(kw["params"])
        reply = pool.request(
            method, path, body=kw.get("content"), json=kw.get("json"), headers=headers,
            retries=False,
        )  # fmt: skip
        assert reply.status == 200
        return reply.json()

    return call, pool.close


def with_httpx(url: str) -> tuple[Call, Callable[[], None]]:
    client = httpx.Client(base_url=url, timeout=30)

    def call(method: str, path: str, kw: dict[str, Any]) -> Any:
        headers = dict(TOKEN)
        if "content" in kw:
            headers["Content-Type"] = PUSH_MEDIA_TYPE
        reply = client.request(
            method, path, params=kw.get("params"), json=kw.get("json"),
            content=kw.get("content"), headers=headers,
        )  # fmt: skip
        assert reply.status_code == 200
        return reply.json()

    return call, client.close


def _measure(make: Client, url: str) -> tuple[float, float]:
    """(client CPU µs per call, wall µs per call), best of three runs."""
    cpu_runs, wall_runs = [], []
    for _ in range(3):
        call, close = make(url)
        _one_sync(call)  # connect and warm up
        calls = 0
        cpu0, wall0 = time.process_time(), time.perf_counter()
        for _ in range(ROUNDS):
            calls += _one_sync(call)
        cpu_runs.append((time.process_time() - cpu0) / calls * 1e6)
        wall_runs.append((time.perf_counter() - wall0) / calls * 1e6)
        close()
    return min(cpu_runs), min(wall_runs)


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="cd-bench-http-") as tmp:
        proc, url = _server(tmp)
        try:
            results = {}
            # interleaved twice, so a busy moment of the machine does not favour one
            for _ in range(2):
                for name, make in (("ours (http.client)", ours), ("urllib3", with_urllib3),
                                   ("httpx", with_httpx)):  # fmt: skip
                    cpu, wall = _measure(make, url)
                    best = results.get(name, (cpu, wall))
                    results[name] = (min(best[0], cpu), min(best[1], wall))
        finally:
            proc.terminate()
            proc.wait(10)
    base_cpu, base_wall = results["ours (http.client)"]
    print(f"sync calls over one kept-alive connection ({ROUNDS} syncs of {4 + PUSHES} calls,"
          f" {len(BODY) // 1000} kB pushes), uvicorn answering at once:")  # fmt: skip
    for name, (cpu, wall) in results.items():
        print(
            f"  {name:20s} client CPU {cpu / base_cpu:5.2f} x ours, wall {wall / base_wall:5.2f} x"
            f" ours   ({cpu:.0f} µs CPU, {wall:.0f} µs wall a call)"
        )


if __name__ == "__main__":
    main()
