"""Targets, area lists, the hole programme and boundaries reach a district by network sync."""

from __future__ import annotations

from desktop_app.domain.areas import Decision
from desktop_app.domain.holes import Hole
from desktop_app.netsync.client import sync_office
from desktop_app.store.repositories.areas import AreaRepository, Member
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.repositories.holes import HoleRepository
from desktop_app.store.repositories.targets import TargetWrite
from desktop_app.store.store import Store
from tests.server.conftest import C1, DISTRICT, Province, ServerThread, province, sqlite_server

__all__ = ["province", "sqlite_server"]

SQUARE = {"type": "Polygon", "coordinates": [[[104, 21], [104.1, 21], [104.1, 21.1], [104, 21]]]}


def test_the_province_reference_of_this_issue_comes_down_over_the_network(
    province: Province, sqlite_server: ServerThread
) -> None:
    district, commune = province[DISTRICT], province[C1]
    village = commune.villages.add(C1, "Bản Nà Sản").id
    sync_office(commune, sqlite_server.url)  # the province now holds the village
    sqlite_server.wait_applied()
    hole = Hole("h1", C1, village, "mobile", "2023Q1", status="planned", target_year=2025)
    decision = Decision("861/QĐ-TTg", "Xã khu vực III", "04/6/2021", 2021, 2025)
    with Store.open(province.path) as prov:  # the province's window, while the server runs
        prov.targets.set_many(
            [
                TargetWrite(DISTRICT, 2024, "ty_le_thon_4g", 90.0),
                TargetWrite(C1, 2024, "so_thon_lom_song", 1.0),
            ]
        )
        AreaRepository(prov).publish([decision], [Member(decision.id, "region3", C1)])
        HoleRepository(prov).save_many([hole])
        BoundaryRepository(prov).publish({C1: SQUARE})
    sync_office(district, sqlite_server.url)
    assert district.targets.for_year(2024) == {
        (DISTRICT, "ty_le_thon_4g"): 90.0,
        (C1, "so_thon_lom_song"): 1.0,
    }
    assert AreaRepository(district).in_force(2024) == ([decision], {C1: {"region3"}})
    assert HoleRepository(district).all() == [hole]
    assert list(BoundaryRepository(district).all()) == [C1]
