"""The province's stick path at province scale: what a pull and a USB export cost when
the province's database holds every office's segments received on sticks.

The database: the Sơn La-sized province office (``bench.common.province_db``: 204
communes, 8 quarters, ~330,000 changes from 217 installations), with every change of
every installation but the province's own held as the signed segments a bundle import
keeps (``sync_segment``, zstd as the import stores them), SEGMENT changes each (a
commune's bundles of a quarter), and the server's tables on the same file
(:class:`desktop_app.server.sqlite_backend.SqliteBackend`, SQLite mode). The segments
are signed with the province's key in their authors' names: nothing measured here
verifies a signature.

Measured, each at two sizes of history (every stream's first half of segments, then
all of them), in CPU seconds of this process (``time.process_time``: load-independent
enough on a shared machine; no server thread runs), medians of ROUNDS (IDLE_ROUNDS
for the idle pull):

* ``idle pull``: ``SqliteBackend.pull`` for a district, nothing new since its last
  pull and no bundle imported since: the BASELINE;
* ``pull after a stick``: the same pull right after a bundle import added ONE segment
  of one commune (the row inserted as the import writes it, untimed); the clock runs
  from the call to its return, so it holds ``_publish_received`` putting that segment
  into the feed;
* ``export: its segments``: choosing and reading the segments of that export
  (``segments_to_send`` for the district), the part that reads held segments;
* ``export to the district``: the province's USB bundle for a district that holds
  everything but the ROUNDS new segments of its communes (``export_bundle`` whole:
  choosing the segments, packing, writing, fsync, reading back and verifying);
* ``raw read``: one sqlite3 ``SELECT header, body`` of every held segment
  (``sync_segment`` and ``server_feed``), the cost of reading the whole history once.

Printed: each figure in ms, its ratio to the idle pull of the same history, and the
ratio whole history / half history (≈ 1: the cost does not grow with the history).

``python -m bench.bench_province_stick`` (the prepared database is cached in
bench/.cache, built once in a few minutes).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import zstandard

from bench.common import CACHE, province_db

SEGMENT = 100
ROUNDS = 5
IDLE_ROUNDS = 25


def _office_of(scopes: list[str], parents: dict[str, str | None]) -> str:
    """The office of an installation: its one scope unit, else their common parent."""
    if len(set(scopes)) == 1:
        return scopes[0]
    return parents.get(scopes[0]) or scopes[0]


def prepared_db() -> Path:
    """The province database with every installation's changes held as segments in the
    table ``bench_held`` (the bench copies them into ``sync_segment``), built once."""
    from desktop_app.store.apply import Change
    from desktop_app.store.changes import CHANGE_COLUMNS
    from desktop_app.store.store import Store
    from desktop_app.sync.certificates import make_root, my_certificate
    from desktop_app.sync.identity import load_identity
    from desktop_app.sync.segments import make_segment

    path = CACHE / f"province-stick-seg{SEGMENT}.db"
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    shutil.copyfile(province_db(), partial)
    started = time.perf_counter()
    print(f"preparing the held segments once: {path}", flush=True)
    with Store.open(partial, user="bench") as store:
        db = store.db
        me = store.node.node_id
        make_root(store)  # the demo's province database is built without an identity
        cert, _key = my_certificate(store)
        key = load_identity(store).private_key
        parents = {str(u): p for u, p in db.execute_sql("SELECT id, parent_id FROM unit")}
        levels = {str(u): int(lv) for u, lv in db.execute_sql("SELECT id, level FROM unit")}
        scopes: dict[str, list[str]] = {}
        for origin, unit in db.execute_sql(
            "SELECT DISTINCT origin, scope_unit FROM change WHERE origin != ?", (me,)
        ):
            scopes.setdefault(str(origin), []).append(str(unit))
        cctx = zstandard.ZstdCompressor(level=3)
        with store.transaction():
            db.execute_sql(
                "CREATE TABLE bench_held (origin TEXT, epoch INTEGER, k INTEGER, n INTEGER,"
                " seq_from INTEGER, seq_to INTEGER, header TEXT, body BLOB)"
            )
            for origin, units in sorted(scopes.items()):
                office = _office_of(sorted(units), parents)
                db.execute_sql(
                    "INSERT INTO sync_node (node_id, office_id, level, public_key, serial,"
                    " certificate, first_seen) VALUES (?, ?, ?, ?, 0, ?, ?)",
                    (origin, office, levels.get(office, 3), b"", "{}", store.now_iso()),
                )
                for (epoch,) in db.execute_sql(
                    "SELECT DISTINCT epoch FROM change WHERE origin = ?", (origin,)
                ).fetchall():
                    rows = db.execute_sql(
                        f"SELECT {CHANGE_COLUMNS} FROM change WHERE origin = ? AND epoch = ?"
                        " ORDER BY seq",
                        (origin, epoch),
                    ).fetchall()
                    chunks = [rows[i : i + SEGMENT] for i in range(0, len(rows), SEGMENT)]
                    for k, chunk in enumerate(chunks):
                        changes = [Change(*r) for r in chunk]
                        header, body = make_segment(changes, key, cert)
                        db.execute_sql(
                            "INSERT INTO bench_held VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            (origin, epoch, k, len(chunks), changes[0].seq, changes[-1].seq,
                             header.decode("utf-8"), cctx.compress(body)),
                        )  # fmt: skip
    partial.rename(path)
    print(f"  prepared in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def _cpu(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    """CPU seconds of ``fn(*args, **kwargs)`` in this process, and its result."""
    started = time.process_time()
    result = fn(*args, **kwargs)
    return time.process_time() - started, result


def _insert_held(db: Any, where: str, args: tuple[Any, ...] = ()) -> None:
    db.execute_sql(
        "INSERT INTO sync_segment (origin, epoch, seq_from, seq_to, header, body, received_at)"
        f" SELECT origin, epoch, seq_from, seq_to, header, body, '2026-12-01' FROM bench_held"
        f" WHERE {where}",
        args,
    )


def run_history(source: Path, folder: Path, half: bool) -> dict[str, float]:
    """The four figures (CPU seconds) with every stream's first half held, or all of it."""
    from desktop_app.server.auth import Claims
    from desktop_app.server.sqlite_backend import SqliteBackend
    from desktop_app.sync.certificates import my_certificate
    from desktop_app.sync.exchange import export_bundle
    from desktop_app.sync.identity import load_identity
    from desktop_app.sync.sending import Tree, receivers_for, segments_to_send
    from desktop_app.sync.vectors import full_vector, vector_to_json

    path = folder / ("half.db" if half else "whole.db")
    shutil.copyfile(source, path)
    backend = SqliteBackend(path)
    store = backend.store
    db = store.db
    # the bench's district: the one with the most communes holding segments
    district, node = db.execute_sql(
        "SELECT d.office_id, d.node_id FROM sync_node d JOIN unit c ON c.parent_id = d.office_id"
        " JOIN sync_node n ON n.office_id = c.id WHERE d.level = 2"
        " GROUP BY d.node_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()
    # every stream's last segment is short (a quarter's remainder): left out of both
    # sizes, so that each new segment carries SEGMENT changes
    limit = "(k < n / 2)" if half else "(k < n - 1)"
    last = "(k = n / 2 - 1)" if half else "(k = n - 2)"
    # the ROUNDS new segments: the next one of a commune of the district each
    news = db.execute_sql(
        f"SELECT h.rowid FROM bench_held h JOIN sync_node s ON s.node_id = h.origin"
        f" JOIN unit u ON u.id = s.office_id WHERE u.parent_id = ? AND {last} AND n >= 4"
        f" ORDER BY h.origin LIMIT ?",
        (district, ROUNDS),
    ).fetchall()
    held = [int(r[0]) for r in news]
    assert len(held) == ROUNDS, "the district has too few communes with segments"
    with store.transaction():
        marks = ", ".join("?" * len(held))
        _insert_held(db, f"{limit} AND rowid NOT IN ({marks})", tuple(held))
    districts = frozenset(
        str(r[0]) for r in db.execute_sql("SELECT id FROM unit WHERE parent_id = ?", (district,))
    )
    claims = Claims(node, district, 2, 0, districts | {district}, time.time() + 3600)
    backend.pull(claims, 0, 1)  # publishes the province's own changes and the sticks' once
    head = backend.feed_head()
    out: dict[str, list[float]] = {"idle pull": [], "pull after a stick": []}
    for _ in range(IDLE_ROUNDS):
        out["idle pull"].append(_cpu(backend.pull, claims, head, 100)[0])
    for rowid in held:
        with store.transaction():
            _insert_held(db, "rowid = ?", (rowid,))
        out["pull after a stick"].append(_cpu(backend.pull, claims, head, 100)[0])
        head = backend.feed_head()
    # the district holds everything but the new segments (its last bundle said so)
    vector = full_vector(store)
    for origin, epoch, lo in db.execute_sql(
        f"SELECT origin, epoch, seq_from FROM bench_held WHERE rowid IN ({marks})", tuple(held)
    ):
        vector[(str(origin), int(epoch))] = int(lo) - 1
    with store.transaction():
        db.execute_sql(
            "INSERT INTO sync_peer (node_id, office_id, level, vector, bundle_id, received_at)"
            " VALUES (?, ?, 2, ?, 'bench', '2026-12-01')",
            (node, district, json.dumps(vector_to_json(vector))),
        )
    key = load_identity(store).private_key
    cert, _key = my_certificate(store)
    tree = Tree(store)
    receivers = receivers_for(tree, store.node.office_id, district)
    choosing = [_cpu(segments_to_send, store, key, cert, tree, receivers)[0] for _ in range(ROUNDS)]
    exports = []
    out_file = folder / "export.cdsync"
    for _ in range(ROUNDS):
        took, sent = _cpu(export_bundle, store, out_file, to=node)
        exports.append(took)
        out_file.unlink()
    backend.close()
    raw = sqlite3.connect(path)
    every = "SELECT header, body FROM sync_segment UNION ALL SELECT header, body FROM server_feed"
    reads = [_cpu(lambda: raw.execute(every).fetchall())[0] for _ in range(ROUNDS)]
    segments, fed = raw.execute(
        "SELECT (SELECT count(*) FROM sync_segment), (SELECT count(*) FROM server_feed)"
    ).fetchone()
    raw.close()
    path.unlink()
    print(
        f"  {'half' if half else 'whole'} history: {segments} held segments, {fed} feed rows;"
        f" the export to {district} sent {sent.segments} segments, {sent.changes} changes",
        flush=True,
    )
    figures = {name: statistics.median(samples) for name, samples in out.items()}
    figures["export: its segments"] = statistics.median(choosing)
    figures["export to the district"] = statistics.median(exports)
    figures["raw read"] = statistics.median(reads)
    return figures


def main() -> None:
    """Print the figures of both history sizes and their ratios."""
    print(__doc__.split("\n\n")[0].replace("\n", " "))
    source = prepared_db()
    with tempfile.TemporaryDirectory(prefix="cd-bench-stick-") as tmp:
        half = run_history(source, Path(tmp), True)
        whole = run_history(source, Path(tmp), False)
    print(f"{'CPU, median of ' + str(ROUNDS):<26}{'half':>10}{'whole':>10}"
          f"{'÷ idle (half)':>15}{'÷ idle (whole)':>16}{'whole ÷ half':>14}")  # fmt: skip
    for name in half:
        h, w = half[name], whole[name]
        print(
            f"{name:<26}{h * 1000:>8.1f}ms{w * 1000:>8.1f}ms"
            f"{h / half['idle pull']:>15.1f}{w / whole['idle pull']:>16.1f}{w / h:>14.2f}"
        )


if __name__ == "__main__":
    main()
