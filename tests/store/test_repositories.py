"""Villages, sites, submissions, targets and users through their repositories."""

from __future__ import annotations

import pytest

from desktop_app.store.changes import Actor
from desktop_app.store.errors import InvalidValueError, LockedPeriodError, OutOfScopeError
from desktop_app.store.repositories.sites import Site
from desktop_app.store.repositories.values import ValueWrite
from tests.conftest import COMMUNE


def test_village_register(commune_store):
    a = commune_store.villages.add(COMMUNE, "  Bản   Nà Sản ")
    b = commune_store.villages.add(COMMUNE, "Bản Áng")
    c = commune_store.villages.add(COMMUNE, "Bản Co Muồng")
    assert a.name == "Bản Nà Sản" and [v.sort_order for v in (a, b, c)] == [1, 2, 3]
    with pytest.raises(InvalidValueError):
        commune_store.villages.add(COMMUNE, "bản nà sản")
    with pytest.raises(InvalidValueError):
        commune_store.villages.add(COMMUNE, "   ")
    commune_store.villages.rename(b.id, "Bản Ánh Sáng")
    commune_store.villages.reorder(COMMUNE, [c.id, a.id, b.id])
    assert [v.name for v in commune_store.villages.for_commune(COMMUNE)] == [
        "Bản Co Muồng",
        "Bản Nà Sản",
        "Bản Ánh Sáng",
    ]
    assert [v.name for v in commune_store.villages.sorted_by_name(COMMUNE)] == [
        "Bản Ánh Sáng",
        "Bản Co Muồng",
        "Bản Nà Sản",
    ]
    commune_store.villages.set_active(c.id, False)
    assert len(commune_store.villages.for_commune(COMMUNE)) == 2
    assert len(commune_store.villages.for_commune(COMMUNE, include_inactive=True)) == 3
    actions = [
        r[0]
        for r in commune_store.db.execute_sql(
            "SELECT action FROM audit WHERE entity = 'village' AND entity_key LIKE ? ORDER BY id",
            (f"%{c.id}%",),
        )
    ]
    assert actions == ["create", "reorder", "deactivate"]


def test_site_register_and_counts(commune_store):
    village = commune_store.villages.add(COMMUNE, "Bản Hua Tát")
    site = commune_store.sites.save(
        Site(
            "",
            "bts",
            COMMUNE,
            village.id,
            "Trạm Hua Tát",
            "viettel",
            ("4g", "2g"),
            False,
            21.12,
            104.05,
            "active",
            "2018-05-01",
            None,
            "",
        )
    )
    commune_store.sites.save(
        Site(
            "",
            "bts",
            COMMUNE,
            None,
            "Trạm UBND",
            "vnpt",
            ("4g",),
            True,
            None,
            None,
            "planned",
            None,
            None,
            "",
        )
    )
    assert commune_store.sites.register_counts(COMMUNE) == {("bts", "viettel"): 1}
    with pytest.raises(InvalidValueError):
        commune_store.sites.save(
            Site(
                "",
                "bts",
                COMMUNE,
                None,
                "x",
                "viettel",
                (),
                False,
                95.0,
                0.0,
                "active",
                None,
                None,
                "",
            )
        )
    with pytest.raises(InvalidValueError):
        commune_store.sites.save(
            Site(
                "", "tower", COMMUNE, None, "x", "", (), False, None, None, "active", None, None, ""
            )
        )
    commune_store.sites.delete(site.id)
    assert commune_store.sites.count() == 1
    assert commune_store.sites.get(site.id).deleted


def test_submission_workflow_and_lock(commune_store, district_store):
    village = commune_store.villages.add(COMMUNE, "Bản Nà Sản")
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q1", "phu_4g", True))
    sub = commune_store.submissions.move(COMMUNE, "2019Q1", "submitted")
    assert sub.state == "submitted"
    # the commune cannot approve itself
    with pytest.raises(OutOfScopeError):
        commune_store.submissions.move(COMMUNE, "2019Q1", "approved")
    # the district reviews: returning needs a reason
    district = Actor("district-node", 5, "pre2025:125", "truongphong")
    with pytest.raises(InvalidValueError):
        commune_store.submissions.move(COMMUNE, "2019Q1", "returned", actor=district)
    commune_store.submissions.move(
        COMMUNE, "2019Q1", "returned", reason="Thiếu số liệu bản Nà Sản", actor=district
    )
    commune_store.submissions.move(COMMUNE, "2019Q1", "submitted")
    commune_store.submissions.move(COMMUNE, "2019Q1", "approved", actor=district)
    with pytest.raises(LockedPeriodError):
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019Q1", "phu_4g", False))
    # another district may not approve
    other = Actor("other", 1, "pre2025:116", "x")
    commune_store.submissions.move(COMMUNE, "2019Q2", "submitted")
    with pytest.raises(OutOfScopeError):
        commune_store.submissions.move(COMMUNE, "2019Q2", "approved", actor=other)
    # annual values lock with the fourth quarter
    commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 50))
    commune_store.submissions.move(COMMUNE, "2019Q4", "submitted")
    commune_store.submissions.move(COMMUNE, "2019Q4", "approved", actor=district)
    with pytest.raises(LockedPeriodError):
        commune_store.values.set_value(ValueWrite(COMMUNE, village.id, "2019", "so_ho", 51))


def test_targets_are_the_provinces(district_store):
    with pytest.raises(OutOfScopeError):
        district_store.targets.set("pre2025:125", 2019, "ty_le_thon_4g", 80)
    province = Actor("prov", 1, "pre2025:14", "so.tttt")
    district_store.targets.set("pre2025:125", 2019, "ty_le_thon_4g", 80, actor=province)
    with pytest.raises(InvalidValueError):
        district_store.targets.set("pre2025:125", 2019, "no_such", 1, actor=province)
    assert district_store.targets.get("pre2025:125", 2019) == {"ty_le_thon_4g": 80.0}


def test_users_authenticate_and_deactivate(district_store):
    district_store.users.add("Hoa", "Lò Thị Hoa", "clerk", "matkhau1")
    assert district_store.users.authenticate("hoa", "matkhau1").full_name == "Lò Thị Hoa"
    assert district_store.users.authenticate("hoa", "wrong") is None
    with pytest.raises(InvalidValueError):
        district_store.users.add("hoa", "x", "clerk", "matkhau1")
    with pytest.raises(InvalidValueError):
        district_store.users.add("lan", "x", "clerk", "123")
    district_store.users.set_password("hoa", "moimoi1")
    assert district_store.users.authenticate("hoa", "moimoi1") is not None
    district_store.users.set_active("hoa", False)
    assert district_store.users.authenticate("hoa", "moimoi1") is None
    stored = district_store.db.execute_sql("SELECT password_hash FROM app_user").fetchone()[0]
    assert stored.startswith("scrypt$") and "moimoi1" not in stored
