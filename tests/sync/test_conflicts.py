"""Conflicts on the natural key: merge, hard conflicts, approved periods, decisions."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from desktop_app.store.apply import decide_conflict
from desktop_app.store.office import create_office
from desktop_app.store.repositories.sites import Site
from desktop_app.store.repositories.values import ValueWrite
from desktop_app.sync.certificates import enroll_demo
from desktop_app.sync.status import review_queue
from tests.sync.conftest import Net, add_village, set_households, values_of

C1, D1, P = "pre2025:04108", "pre2025:125", "pre2025:14"


def second_pc(net: Net, unit_directory) -> str:  # type: ignore[no-untyped-def]
    """Another installation of the same commune office (the second official's PC)."""
    store = create_office(
        net.tmp / "c1-b.db",
        C1,
        directory=unit_directory,
        clock=net.clock,
        rng=random.Random(99),
        user="canbo2",
    )
    enroll_demo(store, net[P])
    net.offices["B"] = store
    return "B"


def site_row(store, site_id):  # type: ignore[no-untyped-def]
    return store.db.execute_sql(
        "SELECT name, notes, status, version FROM site WHERE id = ?", (site_id,)
    ).fetchone()


def test_merge_then_hard_conflict_then_decision_agree_everywhere(net: Net, unit_directory) -> None:
    b = second_pc(net, unit_directory)
    a = net[C1]
    site = a.sites.save(
        Site(
            "",
            "bts",
            C1,
            None,
            "Trạm Nà Sản",
            "viettel",
            ("4g",),
            False,
            21.2,
            104.0,
            "active",
            None,
            None,
            "",
        )
    )
    net.load(b, net.export(C1))
    assert net[b].sites.get(site.id) is not None
    # different fields of one row → merged
    net.clock.advance(60)
    a.sites.save(replace(a.sites.get(site.id), name="Trạm Nà Sản 2"))
    net.clock.advance(60)
    net[b].sites.save(replace(net[b].sites.get(site.id), notes="cột 30 m"))
    res_a = net.send(C1, D1)
    res_b = net.send(b, D1)
    assert res_b.report.merged == 1 and res_b.report.conflicts == 0, (res_a, res_b)
    assert site_row(net[D1], site.id)[:2] == ("Trạm Nà Sản 2", "cột 30 m")
    # the same field to different values → hard conflict, same provisional winner everywhere
    net.clock.advance(60)
    a.sites.save(replace(a.sites.get(site.id), status="out_of_order"))
    net.clock.advance(60)
    net[b].sites.save(replace(net[b].sites.get(site.id), status="planned"))
    net.send(b, D1)
    res = net.send(C1, D1)
    assert res.report.conflicts == 1
    assert site_row(net[D1], site.id)[2] == "planned"  # later HLC wins (same authority)
    net.send(D1, P)
    assert site_row(net[P], site.id) == site_row(net[D1], site.id)
    queue = review_queue(net[D1])
    assert len(queue) == 1
    # the district reviewer chooses; the choice is a new change that reaches the province
    conflict_id = queue[0][0]
    local_state = (
        net[D1]
        .db.execute_sql("SELECT local_state FROM conflict WHERE id = ?", (conflict_id,))
        .fetchone()[0]
    )
    choice = "local" if '"out_of_order"' in local_state else "remote"
    decide_conflict(net[D1], conflict_id, choice, user="truongphong")
    assert site_row(net[D1], site.id)[2] == "out_of_order"
    assert not review_queue(net[D1])
    net.send(D1, P)
    assert site_row(net[P], site.id)[:3] == site_row(net[D1], site.id)[:3]
    assert not review_queue(net[P])


def test_an_edit_to_an_approved_period_is_a_conflict_and_the_approved_value_stays(net: Net) -> None:
    c = net[C1]
    v = add_village(c, "Bản Khóa")
    set_households(c, v, 100)
    c.submissions.move(C1, "2019Q4", "submitted")
    net.send(C1, D1)
    net.clock.advance(60)
    net[D1].submissions.move(C1, "2019Q4", "approved")
    net.clock.advance(60)
    set_households(c, v, 999)  # late edit: the commune has not heard of the approval
    extra = add_village(c, "Bản Mới")
    set_households(c, extra, 7)  # a late new value too
    res = net.send(C1, D1)
    assert res.report.conflicts == 2
    assert values_of(net[D1], C1) == {(v, "2019", "so_ho", ""): "100"}
    assert len(review_queue(net[D1])) == 2
    # the province learns of the edit BEFORE the approval (the district relays the
    # commune's segment first), and still ends with the approved value
    net.send(D1, P)
    assert values_of(net[P], C1) == values_of(net[D1], C1)
    assert len(review_queue(net[P])) == 2


def test_an_approved_value_reviewed_by_the_district_is_not_late(net: Net) -> None:
    c = net[C1]
    v = add_village(c, "Bản Sửa")
    set_households(c, v, 100)
    c.submissions.move(C1, "2019Q4", "submitted")
    net.clock.advance(60)
    set_households(c, v, 101)  # corrected after submitting, before the review
    net.send(C1, D1)
    net.clock.advance(60)
    net[D1].submissions.move(C1, "2019Q4", "approved")  # the district saw 101
    net.send(D1, P)
    for unit in (D1, P):
        assert values_of(net[unit], C1)[(v, "2019", "so_ho", "")] == "101"
        assert not review_queue(net[unit])


def test_same_value_twice_is_no_conflict(net: Net, unit_directory, tmp_path: Path) -> None:
    b = second_pc(net, unit_directory)
    a = net[C1]
    v = add_village(a, "Bản Chung")
    net.load(b, net.export(C1))
    set_households(a, v, 55)
    set_households(net[b], v, 55)
    net.send(C1, D1)
    res = net.send(b, D1)
    assert res.report.conflicts == 0 and res.report.merged == 0


def test_delete_against_edit_is_a_hard_conflict(net: Net, unit_directory) -> None:
    b = second_pc(net, unit_directory)
    a = net[C1]
    site = a.sites.save(
        Site(
            "",
            "post_office",
            C1,
            None,
            "Bưu điện xã",
            "vnpost",
            (),
            False,
            None,
            None,
            "active",
            None,
            None,
            "",
        )
    )
    net.load(b, net.export(C1))
    net.clock.advance(10)
    a.sites.delete(site.id)
    net.clock.advance(10)
    net[b].sites.save(replace(net[b].sites.get(site.id), notes="mở cửa thứ Bảy"))
    net.send(C1, D1)
    res = net.send(b, D1)
    assert res.report.conflicts == 1
    assert len(review_queue(net[D1])) == 1


def test_the_reviewer_may_type_a_third_value_with_a_comment(net: Net) -> None:
    import json

    import pytest

    from desktop_app.store.errors import InvalidValueError

    c = net[C1]
    v = add_village(c, "Bản Duyệt")
    set_households(c, v, 100)
    c.submissions.move(C1, "2019Q4", "submitted")
    net.send(C1, D1)
    net.clock.advance(60)
    net[D1].submissions.move(C1, "2019Q4", "approved")
    net.clock.advance(60)
    set_households(c, v, 999)
    net.send(C1, D1)
    (conflict_id, *_rest) = review_queue(net[D1])[0]
    kept = json.loads(
        net[D1]
        .db.execute_sql("SELECT remote_state FROM conflict WHERE id = ?", (conflict_id,))
        .fetchone()[0]
    )
    with pytest.raises(InvalidValueError):
        decide_conflict(net[D1], conflict_id, "other", state={**kept, "org_id": "elsewhere"})
    version = decide_conflict(
        net[D1], conflict_id, "other", state={**kept, "value": "150"}, comment="đã xác minh"
    )
    assert values_of(net[D1], C1)[(v, "2019", "so_ho", "")] == "150"
    doc = json.loads(
        net[D1]
        .db.execute_sql(
            "SELECT state FROM change WHERE origin || '/' || epoch || '/' || seq = ?", (version,)
        )
        .fetchone()[0]
    )
    assert doc["comment"] == "đã xác minh"
    net.send(D1, P)
    assert values_of(net[P], C1)[(v, "2019", "so_ho", "")] == "150"
    assert not review_queue(net[P])  # the province saw it in causal order: no conflict
    net.send(D1, C1)  # the decision reaches the commune too
    assert values_of(c, C1)[(v, "2019", "so_ho", "")] == "150"


def test_a_reviewer_s_return_settles_a_late_edit_as_the_province_does(net: Net) -> None:
    """The commune corrected a value after its district approved the period: a late edit,
    an open conflict, the approved value stands. The district returns the period here: the
    edit stands now and the conflict is withdrawn, as at the province when the return
    reaches it (before: only the receivers relocked, so the district kept the approved
    value and the open conflict while the province showed the correction). Found by the
    revocation property test, where a take-back withdraws an approval so."""
    from tests.helpers.net import values_of

    c, d, p = net[C1], net[D1], net[P]
    v = add_village(c, "Bản Áng")
    set_households(c, v, 10)
    c.submissions.move(C1, "2019Q4", "submitted")
    net.send(C1, D1)
    d.submissions.move(C1, "2019Q4", "approved")
    net.clock.advance(60)
    set_households(c, v, 12)  # the commune has not heard of the approval
    net.send(C1, D1)
    assert values_of(d, C1) == {(v, "2019", "so_ho", ""): "10"}
    assert d.db.execute_sql("SELECT count(*) FROM conflict WHERE status = 'open'").fetchone() == (
        1,
    )

    d.submissions.move(C1, "2019Q4", "returned", reason="Kiểm tra lại số hộ")

    assert values_of(d, C1) == {(v, "2019", "so_ho", ""): "12"}
    assert d.db.execute_sql("SELECT count(*) FROM conflict WHERE status = 'open'").fetchone() == (
        0,
    )
    net.send(D1, P)
    net.send(C1, P)
    assert values_of(p, C1) == values_of(d, C1)
    assert p.db.execute_sql("SELECT count(*) FROM conflict WHERE status = 'open'").fetchone() == (
        0,
    )


def _open_rows(store) -> set[str]:  # type: ignore[no-untyped-def]
    return {str(r[0]) for r in store.db.execute_sql(
        "SELECT entity_key FROM conflict WHERE status = 'open'")}  # fmt: skip


def test_an_edit_on_one_of_two_agreeing_values_clashes_with_the_other_in_any_order(
    net: Net, unit_directory
) -> None:
    """Two PCs of a commune type the same 55; one later types 70 over its own 55. The
    province learns 55 (A), 55 (B), 70 (B), the district 55 (B), 70 (B), 55 (A): the same
    three versions, and A's 55 clashes with B's 70 at both. Before, the province took 70
    on the fast path (it descends from the row's version there, B's 55) and recorded no
    conflict, while the district opened one (seed 49 of the convergence property)."""
    b = second_pc(net, unit_directory)
    a = net[C1]
    v = add_village(a, "Bản Chung")
    net.load(b, net.export(C1))
    set_households(a, v, 55)
    net.send(C1, P)  # A's 55 straight to the province
    set_households(net[b], v, 55)
    net.clock.advance(60)
    set_households(net[b], v, 70)
    net.send(b, P)  # then B's 55 and 70
    net.send(b, D1)  # the district: B's first...
    net.send(C1, D1)  # ...then A's
    for unit in (P, D1):
        assert values_of(net[unit], C1)[(v, "2019", "so_ho", "")] == "70"
    assert len(_open_rows(net[P])) == 1
    assert _open_rows(net[P]) == _open_rows(net[D1])


def test_a_database_from_before_the_notes_gets_its_agreeing_heads_noted_by_migration(
    net: Net, unit_directory
) -> None:
    """The province holds A's 55 and B's 55 from before this version (no note): the
    migration to schema 13 notes the row, and B's 70 then opens the clash there too."""
    import sqlite3

    from desktop_app.store.store import Store

    b = second_pc(net, unit_directory)
    a = net[C1]
    v = add_village(a, "Bản Chung")
    net.load(b, net.export(C1))
    set_households(a, v, 55)
    net.send(C1, P)
    set_households(net[b], v, 55)
    net.send(b, P)
    province = net[P]
    path = province.path
    assert path is not None
    province.close()
    raw = sqlite3.connect(path, isolation_level=None)
    assert raw.execute("DELETE FROM conflict WHERE status = 'concurrent'").rowcount == 1
    raw.execute("PRAGMA user_version = 12")  # as written by the version before the notes
    raw.close()
    net.offices[P] = Store.open(path, clock=net.clock)
    net.clock.advance(60)
    set_households(net[b], v, 70)
    net.send(b, P)
    net.send(b, D1)
    net.send(C1, D1)
    assert len(_open_rows(net[P])) == 1
    assert _open_rows(net[P]) == _open_rows(net[D1])


@pytest.mark.parametrize("how", ["typed", "imported"])
def test_a_clerk_s_edit_that_settles_a_clash_closes_it_at_her_office_as_everywhere(
    net: Net, unit_directory, how: str
) -> None:
    """PC A types 10 then 11, PC B 20; the district decides 20 between 10 and 20, which
    clashes with A's 11 at A and at the district. A's clerk then types 12 over the
    decision: 12 descends from both, so the clash is over. The district withdrew it when
    12 arrived; before, A kept it open (a local write reconciled no conflict; seed 78 of
    the convergence property, mix 'reviews')."""
    b = second_pc(net, unit_directory)
    a = net[C1]
    v = add_village(a, "Bản Chung")
    net.load(b, net.export(C1))
    set_households(a, v, 10)
    net.clock.advance(60)
    set_households(net[b], v, 20)
    net.send(C1, D1)
    net.send(b, D1)
    queue = review_queue(net[D1])
    assert len(queue) == 1
    net.clock.advance(60)
    set_households(a, v, 11)  # before the decision reaches A
    decide_conflict(net[D1], queue[0][0], "remote" if queue[0][3].endswith("/1") else "local",
                    user="truongphong")  # fmt: skip
    net.send(D1, C1)
    net.send(C1, D1)
    assert len(_open_rows(a)) == 1 and _open_rows(a) == _open_rows(net[D1])
    net.clock.advance(60)
    if how == "typed":  # over the decision, after A's own 11
        set_households(a, v, 12)
    else:  # the same through a spreadsheet import (ValueRepository.set_many)
        a.values.set_many([ValueWrite(C1, v, "2019", "so_ho", 12)])
    net.send(C1, D1)
    assert values_of(a, C1)[(v, "2019", "so_ho", "")] == "12"
    assert values_of(net[D1], C1)[(v, "2019", "so_ho", "")] == "12"
    assert _open_rows(net[D1]) == set()
    assert _open_rows(a) == set()


def test_reference_rows_of_two_province_epochs_open_no_conflict_after_the_migration(
    net: Net, tmp_path: Path
) -> None:
    """Published reference rows (here a commune boundary) have no base version and never
    go through the merge rules: the province publishes, is restored from a backup (a new
    epoch), publishes again. Schema 13 noted every row of more than one epoch, these too,
    and the next publication then reconciled that row as a merged one: its epochs' states
    differ, so it opened a conflict on 'unit_boundary' at the province (the review queue,
    the status bar's count), which no receiver has and no decision can settle."""
    import sqlite3

    from desktop_app.store.backup import backup_to, restore
    from desktop_app.store.repositories.boundaries import BoundaryRepository
    from desktop_app.store.store import Store

    def shape(x: int) -> dict[str, object]:
        return {"type": "Polygon", "coordinates": [[[0, 0], [x, 0], [x, x], [0, 0]]]}

    province = net[P]
    assert BoundaryRepository(province).publish({C1: shape(1)}) == 1
    path = province.path
    assert path is not None
    saved = backup_to(path, tmp_path / "province-backup.db")
    province.close()
    restore(path, saved, backup_dir=tmp_path / "backups")  # a new epoch
    province = net.offices[P] = Store.open(path, clock=net.clock)
    assert BoundaryRepository(province).publish({C1: shape(2)}) == 1
    province.close()
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA user_version = 12")  # as written by the version before the notes
    raw.close()
    province = net.offices[P] = Store.open(path, clock=net.clock)
    net.clock.advance(60)
    assert BoundaryRepository(province).publish({C1: shape(3)}) == 1
    assert review_queue(province) == []
    # a database that ran schema 13 as first written holds the note: still no conflict
    assert province.db.execute_sql("SELECT count(*) FROM conflict").fetchone() == (0,)
    province.db.execute_sql(
        "INSERT INTO conflict (entity, entity_key, remote_version, winner, status, created_at)"
        " SELECT entity, entity_key, MAX(origin || '/' || epoch || '/' || seq),"
        " MAX(origin || '/' || epoch || '/' || seq), 'concurrent', '2026-12-04T00:00:00Z'"
        " FROM change WHERE entity = 'unit_boundary' GROUP BY entity, entity_key"
    )
    assert BoundaryRepository(province).publish({C1: shape(4)}) == 1
    assert review_queue(province) == []
