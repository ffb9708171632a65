"""Seeded random exchanges over a small province (the convergence property and its bench).

:func:`run_seed` drives ``ops`` random operations over the province, two
districts and three communes of :func:`tests.sync.conftest.make_net`: value,
village and site edits, submissions, approvals and returns, conflict
decisions, exports (addressed or not) and imports in any direction (a commune
straight to the province, the province straight to a commune), bundles lost
or imported twice, a backup taken and later restored, late edits of approved
periods. Then a full exchange along the tree, and :func:`replica_state` of
every office that should hold a commune is compared.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from desktop_app.domain.units import UnitDirectory
from desktop_app.store.apply import decide_conflict
from desktop_app.store.backup import backup_to, restore
from desktop_app.store.errors import StoreError
from desktop_app.store.repositories.sites import Site
from desktop_app.store.store import Store
from desktop_app.sync.errors import SyncError
from tests.helpers.clock import FakeClock
from tests.sync.conftest import DISTRICTS, PARENT, PROVINCE, Net, make_net, set_households

COMMUNES = list(PARENT)
PERIOD, QUARTER = "2019", "2019Q4"  # annual values lock with the fourth quarter


@dataclass
class Run:
    """One seeded run: the offices, the sticks in circulation, what was done."""

    net: Net
    rng: random.Random
    pool: list[tuple[Path, str | None]] = field(default_factory=list)
    backups: dict[str, Path] = field(default_factory=dict)
    done: dict[str, int] = field(default_factory=dict)
    mix: str = "default"

    def count(self, what: str) -> None:
        self.done[what] = self.done.get(what, 0) + 1


def _villages(store: Store, commune: str) -> list[str]:
    return [v.id for v in store.villages.for_commune(commune, include_inactive=True)]


def _edit_value(run: Run, c: str) -> bool:
    vs = _villages(run.net[c], c)
    if not vs:
        return False
    set_households(run.net[c], run.rng.choice(vs), run.rng.randrange(0, 60))
    return True


def _edit_village(run: Run, c: str) -> None:
    store = run.net[c]
    vs = _villages(store, c)
    if not vs or run.rng.random() < 0.3:
        store.villages.add(c, f"Bản {run.rng.randrange(1000)}")
    else:
        store.villages.rename(run.rng.choice(vs), f"Bản đổi {run.rng.randrange(1000)}")


def _edit_site(run: Run, c: str) -> None:
    store = run.net[c]
    sites = [s for s in store.sites.find(c) if not s.deleted]
    status = run.rng.choice(("active", "planned", "out_of_order"))
    if not sites or run.rng.random() < 0.3:
        name = f"Trạm {run.rng.randrange(100)}"
        site = Site("", "bts", c, None, name, "viettel", ("4g",), False, None, None, status,
                    None, None, "")  # fmt: skip
        store.sites.save(site)
    else:
        site = run.rng.choice(sites)
        store.sites.save(replace(site, status=status, notes=f"ghi chú {run.rng.randrange(9)}"))


def _submit(run: Run, c: str) -> None:
    run.net[c].submissions.move(c, QUARTER, "submitted")


def _review(run: Run, d: str) -> None:
    c = run.rng.choice(DISTRICTS[d])
    target = run.rng.choice(("approved", "returned"))
    run.net[d].submissions.move(c, QUARTER, target, reason="xem lại")


def _submit_when_open(run: Run, c: str) -> bool:
    if run.net[c].submissions.get(c, QUARTER).state not in ("draft", "returned"):
        return False
    run.net[c].submissions.move(c, QUARTER, "submitted")
    return True


def _review_submitted(run: Run, d: str) -> bool:
    """Approve or return a period the district holds as submitted (or return an approved one)."""
    store = run.net[d]
    states = {c: store.submissions.get(c, QUARTER).state for c in DISTRICTS[d]}
    submitted = [c for c, st in states.items() if st == "submitted"]
    approved = [c for c, st in states.items() if st == "approved"]
    if submitted:
        c, target = run.rng.choice(submitted), run.rng.choice(("approved", "approved", "returned"))
    elif approved and run.rng.random() < 0.2:
        c, target = run.rng.choice(approved), "returned"
    else:
        return False
    store.submissions.move(c, QUARTER, target, reason="xem lại")
    return True


def _decide(run: Run, d: str) -> bool:
    rows = (
        run.net[d]
        .db.execute_sql("SELECT id FROM conflict WHERE status = 'open' ORDER BY id")
        .fetchall()
    )
    if not rows:
        return False
    conflict = int(run.rng.choice(rows)[0])
    decide_conflict(run.net[d], conflict, run.rng.choice(("local", "remote")), user="tp")
    return True


def _export(run: Run, unit: str) -> None:
    offices = [u for u in run.net.offices if u != unit]
    to = run.rng.choice(offices) if run.rng.random() < 0.5 else None
    run.pool.append((run.net.export(unit, to), to))


def _import(run: Run, unit: str) -> bool:
    fits = [(p, to) for p, to in run.pool if to in (None, unit)]
    if not fits:
        return False
    path, _to = run.rng.choice(fits)
    try:
        run.net.load(unit, path)
    except SyncError as exc:  # its own bundle: refused with words
        assert exc.user_message()
    return True


def _backup(run: Run, unit: str) -> None:
    store = run.net[unit]
    assert store.path is not None
    out = run.net.tmp / "backups" / f"{unit.split(':')[1]}-{run.net.counter}.db"
    out.parent.mkdir(exist_ok=True)
    backup_to(store.path, out)
    run.backups[unit] = out
    run.net.counter += 1


def _restore(run: Run, unit: str) -> bool:
    if unit not in run.backups:
        return False
    store = run.net[unit]
    path = store.path
    assert path is not None
    store.close()
    restore(path, run.backups.pop(unit), backup_dir=run.net.tmp / "auto-backups")
    run.net.offices[unit] = Store.open(path, clock=run.net.clock, user="restored")
    return True


COMMUNE_OPS = {
    "value": (_edit_value, 30),
    "village": (_edit_village, 5),
    "site": (_edit_site, 6),
    "submit": (_submit, 6),
}
DISTRICT_OPS = {"review": (_review, 8), "decide": (_decide, 5)}
ANY_OPS = {"export": (_export, 22), "import": (_import, 26), "backup": (_backup, 1)}
RARE_OPS = {"restore": (_restore, 1)}


# more reviews that succeed, more decisions (``mix="reviews"``)
REVIEW_OPS = {
    "submit": (_submit_when_open, 6),
    "review": (_review_submitted, 10),
    "decide": (_decide, 10),
}


def _step(run: Run) -> None:
    table = {**COMMUNE_OPS, **DISTRICT_OPS, **ANY_OPS, **RARE_OPS}
    if run.mix == "reviews":
        table.update(REVIEW_OPS)
    names = list(table)
    name = run.rng.choices(names, weights=[table[n][1] for n in names])[0]
    if name in COMMUNE_OPS:  # (the review mix uses the same names)
        unit = run.rng.choice(COMMUNES)
    elif name in DISTRICT_OPS:
        unit = run.rng.choice(list(DISTRICTS))
    elif name == "restore":
        unit = run.rng.choice(COMMUNES + list(DISTRICTS))
    else:
        unit = run.rng.choice(list(run.net.offices))
    run.net.clock.advance(run.rng.choice((0, 1, 7, 60)))
    try:
        did = table[name][0](run, unit)
    except StoreError as exc:  # a move the state machine refuses, said in words
        assert exc.user_message()
        run.count("refused")
        return
    run.count(name if did is not False else "nothing to do")


def full_exchange(net: Net, rounds: int = 3) -> None:
    """Every office sends its latest along the tree, up then down, a few times over."""
    for _ in range(rounds):
        for c in COMMUNES:
            net.send(c, PARENT[c])
        for d in DISTRICTS:
            net.send(d, PROVINCE)
        for d in DISTRICTS:
            net.send(PROVINCE, d)
        for c in COMMUNES:
            net.send(PARENT[c], c)


def _rows(store: Store, sql: str, commune: str) -> list[tuple[Any, ...]]:
    return sorted(tuple(r) for r in store.db.execute_sql(sql, (commune,)))


def replica_state(store: Store, commune: str) -> dict[str, Any]:
    """What every replica of ``commune`` must agree on."""
    return {
        "values": _rows(
            store,
            "SELECT org_id, period, indicator, disagg, value, version FROM data_value"
            " WHERE commune_id = ?",
            commune,
        ),
        "villages": _rows(
            store,
            "SELECT id, name, sort_order, active, version FROM village WHERE commune_id = ?",
            commune,
        ),
        "sites": _rows(
            store,
            "SELECT id, name, status, notes, deleted, version FROM site WHERE commune_id = ?",
            commune,
        ),
        "submissions": _rows(
            store,
            "SELECT period, state, reason, version FROM submission WHERE commune_id = ?",
            commune,
        ),
        "decisions": _rows(
            store,
            "SELECT origin, epoch, seq, state FROM change WHERE entity = 'decision'"
            " AND scope_unit = ?",
            commune,
        ),
    }


def conflicts_of(store: Store, commune: str) -> dict[str, set[tuple[str, ...]]]:
    """The conflicts about a commune's rows: the rows still open, and each decision."""
    villages = set(_villages(store, commune))
    sites = {str(r[0]) for r in store.db.execute_sql(
        "SELECT id FROM site WHERE commune_id = ?", (commune,))}  # fmt: skip
    out: dict[str, set[tuple[str, ...]]] = {"open": set(), "decided": set()}
    for entity, key, status, resolution in store.db.execute_sql(
        "SELECT entity, entity_key, status, resolution_version FROM conflict"
        # 'concurrent' notes a row's agreeing heads, shown nowhere (RowMerger._note_heads)
        " WHERE status NOT IN ('merged', 'withdrawn', 'concurrent')"
    ):
        doc = json.loads(key)
        mine = doc.get("commune_id") == commune or doc.get("org_id") in villages
        mine = mine or doc.get("id") in (villages if entity == "village" else sites)
        if mine and status == "open":
            out["open"].add((entity, key))
        elif mine:
            out["decided"].add((entity, key, str(resolution)))
    return out


def holders(commune: str) -> list[str]:
    return [commune, PARENT[commune], PROVINCE]


def check_converged(net: Net) -> None:
    """Every office that should hold a commune holds the same data of it."""
    for c in COMMUNES:
        states = {u: replica_state(net[u], c) for u in holders(c)}
        first = states[c]
        for u, st in states.items():
            for part, rows in st.items():
                assert rows == first[part], (
                    f"{part} of {c} differ at {u}: {sorted(set(rows) ^ set(first[part]))[:6]}"
                )
        seen = {u: conflicts_of(net[u], c) for u in holders(c)}
        for u, st in seen.items():
            assert st == seen[c], f"conflicts of {c} differ at {u}: {st} != {seen[c]}"
    for u, s in net.offices.items():
        dup = s.db.execute_sql(
            "SELECT count(*) FROM (SELECT origin, epoch, seq FROM change"
            " GROUP BY origin, epoch, seq HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dup == 0, f"changes applied twice at {u}"
        assert not s.db.execute_sql("SELECT 1 FROM sync_backlog").fetchall(), f"backlog at {u}"


def run_seed(
    tmp: Path, directory: UnitDirectory, seed: int, ops: int, mix: str = "default"
) -> dict[str, int]:
    """Drive ``ops`` random operations from ``seed``, exchange fully, check; what was done."""
    folder = tmp / f"seed-{seed}"
    folder.mkdir(parents=True)
    net = make_net(folder, FakeClock(), directory)
    try:
        run = Run(net, random.Random(seed), mix=mix)
        for c in COMMUNES:
            for i in range(2):
                net[c].villages.add(c, f"Bản {i}")
        for _ in range(ops):
            _step(run)
        full_exchange(net)
        check_converged(net)
        return run.done
    finally:
        for store in net.offices.values():
            store.close()
        shutil.rmtree(folder, ignore_errors=True)
