"""A revocation takes back, at an office that applied them first, the revoked
installation's changes past the province's position: a commune's stick carried straight
to its district, then the list arriving (the defect: the district kept values, villages,
sites the province quarantined, and its quarantine list was empty)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from desktop_app import i18n
from desktop_app.domain.units import UnitDirectory
from desktop_app.store.office import create_office
from desktop_app.store.repositories.sites import Site
from desktop_app.store.store import Store
from desktop_app.sync.certificates import enroll_demo, my_certificate, revoke
from desktop_app.sync.errors import SyncError
from desktop_app.sync.exchange import export_bundle, import_bundle
from desktop_app.sync.takeback import TakenBack, taken_back_lines
from desktop_app.ui.pages.sync_texts import import_summary, marks_before_import, outcome_of
from tests.helpers.net import PROVINCE, Net, add_village, set_households, values_of

C, D = "pre2025:04108", "pre2025:125"
QUARTER = "2019Q4"  # its approval locks the annual values of 2019


def replica(store: Store, commune: str) -> dict[str, Any]:
    """What the province and the district must agree on about ``commune``."""
    db = store.db

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in db.execute_sql(sql, (commune,))]

    return {
        "values": values_of(store, commune),
        "villages": rows("SELECT id, name, version FROM village WHERE commune_id = ? ORDER BY id"),
        "sites": rows(
            "SELECT id, name, status, version FROM site WHERE commune_id = ? ORDER BY id"
        ),
        "submissions": rows(
            "SELECT period, state, version FROM submission WHERE commune_id = ? ORDER BY 1"
        ),
        "open conflicts": [  # of any row (these test offices hold one commune's)
            tuple(r)
            for r in db.execute_sql(
                "SELECT entity, entity_key FROM conflict WHERE status = 'open' ORDER BY 1, 2"
            )
        ],
    }


def quarantined(store: Store, origin: str) -> list[int]:
    return [
        int(r[0])
        for r in store.db.execute_sql(
            "SELECT seq FROM sync_quarantine WHERE origin = ? ORDER BY seq", (origin,)
        )
    ]


def serial_of(store: Store) -> int:
    return int(my_certificate(store)[0]["body"]["serial"])


def a_site(commune: str, village: str | None, name: str, status: str = "active") -> Site:
    return Site("", "bts", commune, village, name, "viettel", ("4g",), False, None, None,
                status, None, None, "")  # fmt: skip


def test_a_commune_stick_carried_to_its_district_is_taken_back_when_the_revocation_arrives(
    net: Net,
) -> None:
    c, d, p = net[C], net[D], net[PROVINCE]
    origin = c.node.node_id
    kept = add_village(c, "Bản Áng")
    set_households(c, kept, 10)
    site = c.sites.save(a_site(C, kept, "Trạm Áng"))
    net.send(C, PROVINCE)  # the province holds these: they stand everywhere
    set_households(c, kept, 20)  # past the position from here on
    c.villages.rename(kept, "Bản Áng Mới")
    new = add_village(c, "Bản Mới")
    set_households(c, new, 5)
    c.sites.save(a_site(C, new, "Trạm Mới"))
    c.sites.save(replace(site, status="out_of_order"))
    net.send(C, D)  # the stick carried straight to the district, applied there
    assert values_of(d, C)[(new, "2019", "so_ho", "")] == "5"
    revoke(p, serial_of(c), "Máy bị mất")
    before = d.db.execute_sql("SELECT count(*) FROM audit").fetchone()[0]
    marks = marks_before_import(d)

    result = net.send(PROVINCE, D)  # the list reaches the district

    past = list(range(4, 10))  # 3 changes held by the province; 6 after them
    assert quarantined(d, origin) == past
    assert [(t.office_id, t.changes, t.reason) for t in result.taken_back] == [(C, 6, "Máy bị mất")]
    assert taken_back_lines(result.taken_back) == [
        "6 changes from Xã Chiềng Sung (04108) were taken back: its certificate was revoked on "
        f"{result.taken_back[0].revoked_at[8:10]}/{result.taken_back[0].revoked_at[5:7]}/"
        f"{result.taken_back[0].revoked_at[:4]} (Máy bị mất) and the province had not "
        "received them before that."
    ]
    # the import's outcome on the Sync page says it, in that sentence
    assert (
        taken_back_lines(result.taken_back)[0]
        in import_summary(d, outcome_of(d, result, marks)).splitlines()
    )
    assert d.db.execute_sql(
        "SELECT count(*) FROM change WHERE origin = ? AND seq > 3", (origin,)
    ).fetchone() == (0,)
    actions = [
        str(r[0]) for r in d.db.execute_sql("SELECT action FROM audit WHERE id > ?", (before,))
    ]
    assert actions == ["take-back"] * 6  # each value, village and site, put back or removed
    # the audit rows of what was applied stay, with the state the change had written
    untied = "SELECT count(*) FROM audit WHERE change_id IS NULL AND new IS NOT NULL"
    assert d.db.execute_sql(untied + " AND action = 'sync'").fetchone() == (6,)
    # the value's history keeps the taken-back edit, its state in the untied audit row
    history = [(h["action"], h["old"], h["new"]) for h in d.values.history(kept, "2019", "so_ho")]
    assert history == [("sync", None, "10"), ("sync", "10", "20"), ("take-back", "20", "10")]
    assert d.db.execute_sql(
        "SELECT count(*) FROM sync_event WHERE kind = 'taken_back' AND node_id = ?", (origin,)
    ).fetchone() == (1,)
    want = replica(p, C)
    assert want["values"] == {(kept, "2019", "so_ho", ""): "10"}
    assert replica(d, C) == want
    # relayed onward, the province quarantines exactly what the district took back
    net.send(D, PROVINCE)
    assert quarantined(p, origin) == past
    assert replica(p, C) == want
    # and a second copy of the list takes nothing back (nothing is past any more)
    assert net.send(PROVINCE, D).taken_back == []
    assert replica(d, C) == want


def test_a_district_s_approval_on_top_of_a_taken_back_submission_stays_its_own(
    net: Net,
) -> None:
    """The district approved a period the commune submitted by that stick: the approval is
    the district's own change and stays (the province ranks it the same way: its base, the
    commune's submission, is unknown there too); the commune's values past the position go."""
    c, d, p = net[C], net[D], net[PROVINCE]
    v = add_village(c, "Bản Áng")
    set_households(c, v, 10)
    net.send(C, PROVINCE)
    set_households(c, v, 12)
    c.submissions.move(C, QUARTER, "submitted")
    net.send(C, D)
    d.submissions.move(C, QUARTER, "approved")
    revoke(p, serial_of(c), "Máy bị mất")
    result = net.send(PROVINCE, D)
    assert [t.changes for t in result.taken_back] == [2]
    assert d.submissions.get(C, QUARTER).state == "approved"
    net.send(D, PROVINCE)
    assert p.submissions.get(C, QUARTER).state == "approved"
    assert replica(d, C) == replica(p, C)
    assert values_of(d, C) == {(v, "2019", "so_ho", ""): "10"}


def test_a_take_back_in_an_approved_period_names_it_and_audits_it(net: Net) -> None:
    """The district approved C's 2019Q4 with C's value past the position in it (the annual
    2019 households, 12, locked by that approval): taking it back changes approved figures
    (12 back to 10). The outcome names the period and one ``take-back-locked`` audit row
    records it (before: only a plain ``take-back`` row of the value said anything)."""
    c, d, p = net[C], net[D], net[PROVINCE]
    v = add_village(c, "Bản Áng")
    set_households(c, v, 10)
    net.send(C, PROVINCE)
    set_households(c, v, 12)  # past the position
    c.submissions.move(C, QUARTER, "submitted")
    net.send(C, D)
    d.submissions.move(C, QUARTER, "approved")
    assert values_of(d, C) == {(v, "2019", "so_ho", ""): "12"}
    revoke(p, serial_of(c), "Máy bị mất")
    before = d.db.execute_sql("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
    marks = marks_before_import(d)

    result = net.send(PROVINCE, D)

    assert values_of(d, C) == {(v, "2019", "so_ho", ""): "10"}
    assert d.submissions.get(C, QUARTER).state == "approved"
    assert [t.locked for t in result.taken_back] == [(("Xã Chiềng Sung (04108)", QUARTER),)]
    line = taken_back_lines(result.taken_back)[0]
    assert line.endswith(
        " The figures of 1 approved period changed with it: Xã Chiềng Sung (04108), Q4 2019."
    )
    assert line in import_summary(d, outcome_of(d, result, marks)).splitlines()
    i18n.setup("vi")
    try:
        assert taken_back_lines(result.taken_back)[0].endswith(
            " Việc rút lại làm thay đổi số liệu của 1 kỳ đã được duyệt:"
            " Xã Chiềng Sung (04108), Quý 4/2019."
        )
    finally:
        i18n.setup("en")
    locked = [
        (str(r[0]), json.loads(r[1]), json.loads(r[2]), r[3])
        for r in d.db.execute_sql(
            "SELECT entity, entity_key, new, change_id FROM audit"
            " WHERE id > ? AND action = 'take-back-locked'",
            (before,),
        )
    ]
    assert locked == [
        ("submission", {"commune_id": C, "period": QUARTER}, {"state": "approved", "values": 1},
         None)
    ]  # fmt: skip


def test_a_conflict_with_a_taken_back_version_is_withdrawn(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """Two installations of one commune typed the same cell two ways; the district saw the
    clash. One installation is revoked past that version: the district's conflict goes,
    and the value is the other installation's, as at the province (which never saw it)."""
    c, d, p = net[C], net[D], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    v = add_village(c, "Bản Áng")
    net.send(C, PROVINCE)
    net.send(C, "second")
    set_households(second, v, 7)
    set_households(c, v, 9)  # the same cell, another value: a clash
    net.send(C, D)
    net.load(D, net.export("second", D))
    assert replica(d, C)["open conflicts"], "the district sees the clash"
    revoke(p, serial_of(c), "Máy bị mất")
    net.send("second", PROVINCE)
    result = net.send(PROVINCE, D)
    assert [t.changes for t in result.taken_back] == [1]
    assert values_of(d, C) == {(v, "2019", "so_ho", ""): "7"}
    assert d.db.execute_sql(
        "SELECT count(*) FROM conflict WHERE status = 'withdrawn'"
    ).fetchone() == (1,)
    assert replica(d, C) == replica(p, C)
    net.send(D, PROVINCE)
    assert replica(d, C) == replica(p, C)
    assert quarantined(d, c.node.node_id) == quarantined(p, c.node.node_id) == [2]


def test_a_take_back_that_fails_leaves_the_district_as_it_was_list_included(net: Net) -> None:
    """The take-back is in the import's one transaction with the list's installation: a
    failure at its very last write (the audit rows; a trigger on this connection stands
    for the disk) rolls back the rows put back, the quarantine and the list itself."""
    c, d, p = net[C], net[D], net[PROVINCE]
    v = add_village(c, "Bản Áng")
    set_households(c, v, 10)
    net.send(C, PROVINCE)
    set_households(c, v, 20)
    net.send(C, D)
    revoke(p, serial_of(c), "Máy bị mất")
    stick = net.export(PROVINCE, D)

    def snapshot() -> list[list[tuple[Any, ...]]]:
        return [
            [tuple(r) for r in d.db.execute_sql(sql)]
            for sql in (
                "SELECT * FROM data_value ORDER BY id",
                "SELECT * FROM change ORDER BY id",
                "SELECT * FROM audit ORDER BY id",
                "SELECT * FROM sync_quarantine",
                "SELECT * FROM revocation",
                "SELECT * FROM meta ORDER BY key",
                "SELECT * FROM conflict",
            )
        ]

    was = snapshot()
    d.db.execute_sql(
        "CREATE TEMP TRIGGER fail_take_back BEFORE INSERT ON audit"
        " WHEN NEW.action = 'take-back' BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
    )
    with pytest.raises(SyncError, match="could not be applied"):
        net.load(D, stick)
    assert snapshot() == was
    assert values_of(d, C) == {(v, "2019", "so_ho", ""): "20"}
    d.db.execute_sql("DROP TRIGGER fail_take_back")
    assert [t.changes for t in net.load(D, stick).taken_back] == [1]
    assert values_of(d, C) == values_of(p, C) == {(v, "2019", "so_ho", ""): "10"}


def _second_installation(net: Net, directory: UnitDirectory) -> Store:
    """Another enrolled installation of commune C (a second PC of the same office)."""
    second = create_office(
        net.tmp / "second.db", C, directory=directory, clock=net.clock, user="xa2"
    )
    enroll_demo(second, net[PROVINCE])
    net.offices["second"] = second
    return second


def test_a_revoked_district_s_decision_taken_back_at_its_commune_reopens_the_conflict(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """The district decided a clash between two installations of C and its stick reached
    C; the province revoked the district before receiving that decision. When the list
    reaches C, the decision is taken back: the conflict it resolved is open again and the
    value is the provisional winner, as at the province."""
    from desktop_app.store.apply import decide_conflict

    c, d, p = net[C], net[D], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    v = add_village(c, "Bản Áng")
    net.send(C, "second")
    set_households(second, v, 7)
    set_households(c, v, 9)
    for office in (C, "second"):
        net.send(office, D)
        net.send(office, PROVINCE)
    net.send("second", C)
    (conflict,) = d.db.execute_sql("SELECT id FROM conflict WHERE status = 'open'").fetchone()
    revoke(p, serial_of(d), "Máy bị mất")  # the province holds nothing of the decision
    decide_conflict(d, int(conflict), "remote", user="truongphong")
    decided = values_of(d, C)
    net.send(D, C)  # the district's stick, before the list reached the district
    assert values_of(c, C) == decided
    result = net.send(PROVINCE, C)
    assert replica(c, C) == replica(p, C)
    assert replica(c, C)["open conflicts"], "open again, for a reviewer who may decide"
    assert [(t.office_id, t.changes) for t in result.taken_back] == [(D, 1)]


def test_a_revoked_district_s_approval_taken_back_unlocks_the_period_at_its_commune(
    net: Net,
) -> None:
    """The revoked district approved C's period after the province's position: at C the
    approval goes, the period is submitted again, as at the province."""
    c, d, p = net[C], net[D], net[PROVINCE]
    v = add_village(c, "Bản Áng")
    set_households(c, v, 10)
    c.submissions.move(C, QUARTER, "submitted")
    net.send(C, D)
    net.send(C, PROVINCE)
    net.send(D, PROVINCE)
    revoke(p, serial_of(d), "Máy bị mất")
    d.submissions.move(C, QUARTER, "approved")
    net.send(D, C)
    assert c.submissions.get(C, QUARTER).state == "approved"
    result = net.send(PROVINCE, C)
    assert c.submissions.get(C, QUARTER).state == "submitted"
    assert replica(c, C) == replica(p, C)
    assert [(t.office_id, t.changes) for t in result.taken_back] == [(D, 1)]
    set_households(c, v, 11)  # not locked any more: the commune may correct it
    assert values_of(c, C) == {(v, "2019", "so_ho", ""): "11"}


def backlog(store: Store, origin: str) -> list[int]:
    return [
        int(r[0])
        for r in store.db.execute_sql(
            "SELECT seq FROM sync_backlog WHERE origin = ? ORDER BY seq", (origin,)
        )
    ]


def test_another_installation_s_value_in_a_taken_back_village_waits_as_at_the_province(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """C's village past the position, and the other installation of C typed values in it
    (and one in a village that stands, after them): at the province they wait in the
    backlog for a village that never comes, the stream behind them. The district that
    applied them all first holds them back alike when the list arrives: the village, the
    values and that stream's cursor as at the province, the changes in its backlog
    (before: the district kept the village and the values, its backlog []; the
    province's [2, 3, 4])."""
    c, d, p = net[C], net[D], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    kept = add_village(c, "Bản Áng")
    net.send(C, PROVINCE)
    v = add_village(c, "Bản Mới")  # past the position
    net.send(C, "second")
    set_households(second, kept, 3)  # seq 1: stands everywhere
    set_households(second, v, 7)  # seq 2, 3: name the village taken back
    set_households(second, v, 8)
    set_households(second, kept, 4)  # seq 4: behind them in the stream
    net.send(C, D)
    net.load(D, net.export("second", D))
    assert values_of(d, C) == {(kept, "2019", "so_ho", ""): "4", (v, "2019", "so_ho", ""): "8"}
    revoke(p, serial_of(c), "Máy bị mất")
    net.load(PROVINCE, net.export("second", PROVINCE))
    origin = second.node.node_id
    assert backlog(p, origin) == [2, 3, 4]

    marks = marks_before_import(d)
    result = net.send(PROVINCE, D)

    assert [t.changes for t in result.taken_back] == [1]
    assert backlog(d, origin) == backlog(p, origin) == [2, 3, 4]
    # the outcome's sentence says that 3 changes of the other installation went back to
    # the backlog (before, only the event and TakeBackReport.held said it)
    assert [t.held for t in result.taken_back] == [3]
    day = result.taken_back[0].revoked_at
    day = f"{day[8:10]}/{day[5:7]}/{day[:4]}"
    lines = taken_back_lines(result.taken_back)
    assert lines == [
        f"1 change from Xã Chiềng Sung (04108) was taken back: its certificate was revoked on"
        f" {day} (Máy bị mất) and the province had not received it before that. 3 changes of"
        " other installations name a village taken back: they are back in the waiting list,"
        " and wait for that village as at the province."
    ]
    assert lines[0] in import_summary(d, outcome_of(d, result, marks)).splitlines()
    i18n.setup("vi")
    try:
        assert taken_back_lines(result.taken_back)[0].endswith(
            " 3 thay đổi của bản cài đặt khác ghi vào thôn, bản đã bị rút lại: các thay đổi"
            " này được đưa trở lại hàng chờ và chờ thôn, bản đó như tại tỉnh."
        )
    finally:
        i18n.setup("en")
    assert replica(d, C) == replica(p, C)
    assert values_of(d, C) == {(kept, "2019", "so_ho", ""): "3"}
    assert d.db.execute_sql("SELECT 1 FROM village WHERE id = ?", (v,)).fetchone() is None
    events = [
        str(r[0])
        for r in d.db.execute_sql(
            "SELECT detail FROM sync_event WHERE kind = 'taken_back' AND node_id = ?", (origin,)
        )
    ]
    assert any(e.endswith("3 changes from seq 2 back in the backlog: they name a village"
                          " taken back") for e in events), events  # fmt: skip
    # what comes after waits there too, and the next imports go on as at the province
    set_households(second, kept, 5)
    for office in (D, PROVINCE):
        net.load(office, net.export("second", office))
    net.send(D, PROVINCE)
    net.send(PROVINCE, D)
    assert backlog(d, origin) == backlog(p, origin) == [2, 3, 4, 5]
    assert replica(d, C) == replica(p, C)


def test_a_certificate_file_whose_list_takes_back_says_so_like_a_bundle_import(
    tmp_path: Path, unit_directory: UnitDirectory, capsys: pytest.CaptureFixture[str]
) -> None:
    """``enroll accept`` of a certificate file carrying the list (the district renews its
    certificate after C's stick reached it, and C was revoked meanwhile) takes back C's
    changes past the position and says so in the bundle import's one sentence (before:
    taken back without a word)."""
    import json

    from desktop_app.sync.certificates import approve_request, make_request, write_atomic
    from tests.server.conftest import fill_period, make_province
    from tests.sync.test_cli import run

    offices = make_province(tmp_path, unit_directory, units=(D, C))
    try:
        c, d, p = offices[C], offices[D], offices[PROVINCE]
        changes = fill_period(c, 3)
        stick = tmp_path / "c.cdsync"
        export_bundle(c, stick, to=d.node.node_id)
        assert import_bundle(d, stick, backup=False).report.applied == changes
        revoke(p, serial_of(c), "Máy bị mất")  # the province holds none of them
        cert = tmp_path / "renewed.json"
        write_atomic(cert, json.dumps(approve_request(p, make_request(d))).encode())
        (at,) = p.db.execute_sql("SELECT revoked_at FROM revocation").fetchone()
        capsys.readouterr()
        assert run("enroll", "accept", "--db", str(tmp_path / "125.db"), str(cert)) == 0
        shown = capsys.readouterr().out.splitlines()
        assert shown[0].startswith("Enrolled: certificate ")
        assert shown[1:] == taken_back_lines(
            [TakenBack(C, serial_of(c), changes, at, "Máy bị mất", "Xã Chiềng Sung (04108)")]
        )
        assert shown[1].startswith(
            f"{changes} changes from Xã Chiềng Sung (04108) were taken back: "
        )
        assert values_of(d, C) == {}
        assert quarantined(d, c.node.node_id) == list(range(1, changes + 1))
    finally:
        for store in offices.offices.values():
            store.close()


def test_a_taken_back_village_that_a_late_value_of_this_office_names_stays_for_the_reopening(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """C created a village past the position and its stick reached the second installation
    of C, which typed its own value there; the district's approval reached that office
    after, so its value is late (the row holds no value of the village). When the list
    arrives the village is taken back, but this office's own value still names it: the
    row stays (before: removed, and when the district returned the period the value
    standing again failed on the foreign key data_value.village_id, so that office could
    import nothing more)."""
    c, d, p = net[C], net[D], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    net.send(C, PROVINCE)
    net.send(PROVINCE, "second")
    second.submissions.move(C, QUARTER, "submitted")
    net.send("second", D)
    d.submissions.move(C, QUARTER, "approved")
    v = add_village(c, "Bản Mới")  # past the position
    net.send(C, "second")
    net.clock.advance(60)
    set_households(second, v, 7)  # its office has not heard of the approval
    net.send(D, "second")
    assert values_of(second, C) == {}, "late: the approved period holds no value there"
    revoke(p, serial_of(c), "Máy bị mất")

    result = net.send(PROVINCE, "second")

    assert [(t.office_id, t.changes) for t in result.taken_back] == [(C, 1)]
    assert second.db.execute_sql("SELECT name FROM village WHERE id = ?", (v,)).fetchone() == (
        "Bản Mới",
    )
    events = [
        str(r[0])
        for r in second.db.execute_sql("SELECT detail FROM sync_event WHERE kind = 'taken_back'")
    ]
    assert f"village {v} kept: a change that stands names it" in events
    d.submissions.move(C, QUARTER, "returned", reason="Kiểm tra lại số hộ")
    net.send(D, "second")  # the return reaches it: its own value stands again
    assert values_of(second, C) == {(v, "2019", "so_ho", ""): "7"}
    assert second.submissions.get(C, QUARTER).state == "returned"
    set_households(second, v, 9)  # and it goes on: corrects it, imports again
    assert net.send(PROVINCE, "second").taken_back == []
    assert values_of(second, C) == {(v, "2019", "so_ho", ""): "9"}


def test_a_stream_with_a_change_quarantined_here_is_held_back_as_at_the_province(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """As above, with a forged change of the other installation among those behind its
    values in the taken-back village (seq 3: a village of another commune, refused as out
    of its scope at the district and the province alike). At the district it is in the
    quarantine, not in the log; at the province it waits in the backlog behind seq 2 like
    the rest. Before, the gap in the district's log (1, 2, 4) left the stream where it
    was: the district kept the village and both values, the province neither."""
    from desktop_app.store.changes import Entry

    c, d, p = net[C], net[D], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    kept = add_village(c, "Bản Áng")
    net.send(C, PROVINCE)
    v = add_village(c, "Bản Mới")  # past the position
    net.send(C, "second")
    set_households(second, kept, 3)  # seq 1: stands everywhere
    set_households(second, v, 7)  # seq 2: names the village taken back
    forged = {"id": "forged-1", "commune_id": "pre2025:04105", "name": "Bản Giả",
              "sort_order": 9, "active": True, "demo": False}  # fmt: skip
    with second.write() as ctx:  # seq 3: out of its scope
        ctx.log(Entry("village", {"id": "forged-1"}, "pre2025:04105", None, forged, None,
                      None, "create"))  # fmt: skip
    set_households(second, kept, 4)  # seq 4: behind them in the stream
    net.send(C, D)
    net.load(D, net.export("second", D))
    origin = second.node.node_id
    assert quarantined(d, origin) == [3]
    assert values_of(d, C) == {(kept, "2019", "so_ho", ""): "4", (v, "2019", "so_ho", ""): "7"}
    revoke(p, serial_of(c), "Máy bị mất")
    net.load(PROVINCE, net.export("second", PROVINCE))
    assert backlog(p, origin) == [2, 3, 4]

    result = net.send(PROVINCE, D)

    assert [(t.changes, t.held) for t in result.taken_back] == [(1, 2)]
    assert backlog(d, origin) == [2, 4]  # seq 3 is in its quarantine, passed over
    assert replica(d, C) == replica(p, C)
    assert values_of(d, C) == {(kept, "2019", "so_ho", ""): "3"}
    assert d.db.execute_sql("SELECT 1 FROM village WHERE id = ?", (v,)).fetchone() is None
    # what comes after waits there too (the stream sent again: seq 3 waits as well), and
    # the next imports go on as at the province
    set_households(second, kept, 5)
    for office in (D, PROVINCE):
        net.load(office, net.export("second", office))
    net.send(D, PROVINCE)
    net.send(PROVINCE, D)
    assert backlog(d, origin) == backlog(p, origin) == [2, 3, 4, 5]
    assert replica(d, C) == replica(p, C)
    assert quarantined(d, origin) == [3]


def test_a_held_stream_replays_past_a_change_quarantined_here(
    net: Net, unit_directory: UnitDirectory
) -> None:
    """C's village past the position stays at the second installation of C after the
    list (its own value names it), so the third installation's changes held back for
    naming it replay there at once: seq 1 in that village, seq 2 a forged village of
    another commune that this office quarantined, seq 3 in a village that stands. The
    replay goes on past seq 2 (quarantined: passed over, as when it first came), and the
    office ends as it was before the list for that stream."""
    from desktop_app.store.changes import Entry

    c, p = net[C], net[PROVINCE]
    second = _second_installation(net, unit_directory)
    third = create_office(net.tmp / "third.db", C, directory=unit_directory, clock=net.clock,
                          user="xa3")  # fmt: skip
    enroll_demo(third, p)
    net.offices["third"] = third
    kept = add_village(c, "Bản Áng")
    net.send(C, PROVINCE)
    v = add_village(c, "Bản Mới")  # past the position
    net.send(C, "second")
    net.send(C, "third")
    set_households(second, v, 7)  # its own value: the village stays there
    set_households(third, v, 8, "2020")  # seq 1
    forged = {"id": "forged-1", "commune_id": "pre2025:04105", "name": "Bản Giả",
              "sort_order": 9, "active": True, "demo": False}  # fmt: skip
    with third.write() as ctx:  # seq 2: out of its scope
        ctx.log(Entry("village", {"id": "forged-1"}, "pre2025:04105", None, forged, None,
                      None, "create"))  # fmt: skip
    set_households(third, kept, 4)  # seq 3
    net.send("third", "second")
    origin = third.node.node_id
    assert quarantined(second, origin) == [2]
    before = values_of(second, C)
    assert before == {
        (v, "2019", "so_ho", ""): "7",
        (v, "2020", "so_ho", ""): "8",
        (kept, "2019", "so_ho", ""): "4",
    }
    revoke(p, serial_of(c), "Máy bị mất")

    result = net.send(PROVINCE, "second")
    # seq 1 and 3 back in the backlog, the quarantined seq 2 counted as passed
    assert [(t.office_id, t.changes, t.held) for t in result.taken_back] == [(C, 1, 2)]
    net.send(PROVINCE, "second")  # the next import replays the backlog

    assert backlog(second, origin) == []
    assert values_of(second, C) == before
    assert quarantined(second, origin) == [2]
