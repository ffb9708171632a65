"""End to end: three communes, two districts, a province; shuffled, duplicated and lost bundles."""

from __future__ import annotations

import random

from desktop_app.sync.status import ACKNOWLEDGED, period_sync_state
from tests.sync.conftest import (
    DISTRICTS,
    PARENT,
    PROVINCE,
    Net,
    add_village,
    set_households,
    values_of,
)


def _counts(net: Net) -> dict[str, int]:
    return {
        u: s.db.execute_sql("SELECT count(*) FROM change").fetchone()[0]
        for u, s in net.offices.items()
    }


def test_everything_converges_and_is_acknowledged(net: Net) -> None:
    rng = random.Random(3)
    communes = list(PARENT)
    villages = {c: [add_village(net[c], f"Bản {i}") for i in range(3)] for c in communes}
    # three rounds of edits, each exported; district imports shuffled with dups, one lost
    inbox: dict[str, list] = {d: [] for d in DISTRICTS}
    for round_ in range(3):
        for c in communes:
            for v in villages[c]:
                set_households(net[c], v, 100 + round_ * 10 + rng.randrange(5))
            inbox[PARENT[c]].append(net.export(c))
    lost = inbox["pre2025:125"].pop(1)  # never arrives
    assert lost.exists()
    for d, bundles in inbox.items():
        bundles = bundles + bundles[:2]
        rng.shuffle(bundles)
        for b in bundles:
            net.load(d, b)
    for d in DISTRICTS:
        assert not net[d].db.execute_sql("SELECT count(*) FROM sync_backlog").fetchone()[0]
        # the district keeps one (widest) segment per commune stream to forward
        kept = (
            net[d]
            .db.execute_sql(
                "SELECT origin, epoch, count(*) FROM sync_segment GROUP BY origin, epoch"
            )
            .fetchall()
        )
        assert kept and all(n == 1 for _o, _e, n in kept)
        for c in DISTRICTS[d]:
            assert values_of(net[d], c) == values_of(net[c], c)
    # districts → province (twice, in reverse order too), province → districts → communes
    for d in DISTRICTS:
        net.send(d, PROVINCE)
    for d in reversed(list(DISTRICTS)):
        again = net.send(d, PROVINCE)
        assert again.report.applied == 0
    for c in communes:
        assert values_of(net[PROVINCE], c) == values_of(net[c], c)
    for d in DISTRICTS:
        net.send(PROVINCE, d)
        # the province holds them all now: nothing left to forward to it (the district
        # still holds its communes' segments, for a commune that restores a backup)
        res = net.send(d, PROVINCE)
        assert res.report.applied == 0 and res.report.skipped == 0
        assert net[d].db.execute_sql("SELECT count(*) FROM sync_segment").fetchone()[0]
    for c in communes:
        net.send(PARENT[c], c)
        assert period_sync_state(net[c], c, "2019").state == ACKNOWLEDGED
    # nothing applied twice: every change exists once per database
    for s in net.offices.values():
        dup = s.db.execute_sql(
            "SELECT count(*) FROM (SELECT origin, epoch, seq FROM change"
            " GROUP BY origin, epoch, seq HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dup == 0
    before = _counts(net)
    # everything acknowledged: a commune's next bundle carries nothing old
    for c in communes:
        b = net.export(c)
        res = net.load(PARENT[c], b)
        assert res.report.applied == 0 and res.report.skipped == 0
    assert _counts(net) == before
