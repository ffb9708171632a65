"""``coverage-desk demo --structure 2025``: a commune office of the new structure whose
history began in the old one, under a demo province that approves communes directly."""

from __future__ import annotations

from pathlib import Path

from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store


def test_the_history_is_remapped_and_continues_in_the_new_structure(
    demo: tuple[Path, Path],
) -> None:
    office_path, province_path = demo
    for path in (office_path, province_path):
        with Store.open(path) as s:
            assert s.db.execute_sql("SELECT count(*) FROM sync_quarantine").fetchone()[0] == 0
            old = aggregate(s, "2025:04108", "2024Q4")
            parts = [aggregate(s, c, "2024Q4") for c in ("pre2025:04108", "pre2025:04114")]
            assert old.current.villages == sum(p.current.villages for p in parts) > 20
            assert old.current.indicators["so_ho"].total == sum(
                p.current.indicators["so_ho"].total or 0 for p in parts
            )
            # one series across the reform: 2025Q3's previous quarter is the old history
            new = aggregate(s, "2025:04108", "2025Q3")
            before = aggregate(s, "2025:04108", "2025Q2", with_previous=False)
            assert new.current.villages == old.current.villages
            assert new.previous is not None
            villages = {k for k, v in before.current.indicators.items() if v.level == "village"}
            assert {k: new.previous.indicators[k] for k in villages} == {
                k: before.current.indicators[k] for k in villages
            }
            assert new.current.indicators["tb_bang_rong"].total is not None
    with Store.open(office_path) as s:
        assert s.node.office_id == "2025:04108"
    with Store.open(province_path) as s:
        states = dict(
            ((str(c), str(p)), str(st))
            for c, p, st in s.db.execute_sql(
                "SELECT commune_id, period, state FROM submission WHERE commune_id LIKE '2025:%'"
            )
        )
    for commune in ("2025:04108", "2025:04105"):
        assert states[(commune, "2026Q2")] == "accepted"
        assert states[(commune, "2026Q3")] == "submitted"  # waiting for the province
