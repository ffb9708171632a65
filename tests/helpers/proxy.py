"""A fault-injecting TCP proxy for loopback tests: cuts a connection after N bytes.

``CuttingProxy(target_port, cut_after=N)`` listens on 127.0.0.1 and forwards
both ways. When the client→server bytes (all connections together) pass
``N``, the connection carrying them is cut there, in the middle of its
request (both sockets closed); everything after passes through untouched
(``cuts`` says how many were cut). ``arm(n)`` arms another cut ``n`` bytes
from now (e.g. from a progress callback, half-way through the next upload).
"""

from __future__ import annotations

import socket
import threading


class CuttingProxy:
    """Forward 127.0.0.1:port → 127.0.0.1:target, cutting one request after N bytes."""

    def __init__(self, target_port: int, cut_after: int | None = None) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.cuts = 0
        self.upstream_bytes = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)  # so the accept loop notices __exit__
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = False
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def arm(self, more_bytes: int) -> None:
        """Cut the connection carrying the client's next ``more_bytes``-th byte."""
        with self._lock:
            self.cut_after = self.upstream_bytes + more_bytes

    def __enter__(self) -> CuttingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        self._listener.close()
        self._thread.join(5)
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            state: dict[str, int | bool] = {"dead": False}
            threading.Thread(
                target=self._pipe, args=(client, upstream, state, True), daemon=True
            ).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, state, False), daemon=True
            ).start()

    def _pipe(
        self, src: socket.socket, dst: socket.socket, state: dict[str, int | bool], up: bool
    ) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if up:
                    with self._lock:
                        limit = self.cut_after
                        sent = self.upstream_bytes
                        if limit is not None and sent + len(data) > limit:
                            dst.sendall(data[: max(0, limit - sent)])
                            self.cut_after = None
                            self.cuts += 1
                            state["dead"] = True
                            break
                        self.upstream_bytes += len(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
