"""The map: boundaries imported at the province reach the district; the page draws the
district's sites, labels and boundaries, zooms, pans and tells the clicked site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt  # noqa: TID251 (a page test)
from PySide6.QtTest import QTest  # noqa: TID251
from PySide6.QtWidgets import QGraphicsPathItem  # noqa: TID251

from desktop_app import cli
from desktop_app.store.repositories.boundaries import BoundaryRepository
from desktop_app.store.store import Store
from desktop_app.ui.pages.map import MapPage
from tests.plan.conftest import copy_pair
from tests.plan.test_areas import _carry
from tests.ui.shell_helpers import context_for

DISTRICT = "pre2025:125"


def _square(lat: float, lon: float, d: float = 0.03) -> dict[str, object]:
    ring = [[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d]]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _geojson(store: Store, path: Path, extra: list[dict[str, object]]) -> list[str]:
    communes = store.reference.communes_under(DISTRICT)[:2]
    features: list[dict[str, object]] = []
    for i, c in enumerate(communes):
        sites = [s for s in store.sites.find(c.id) if s.lat is not None]
        lat = sum(s.lat or 0 for s in sites) / len(sites)
        lon = sum(s.lon or 0 for s in sites) / len(sites)
        props = {"ma_xa": c.code} if i == 0 else {"ten_xa": c.name.upper()}  # by code, by name
        features.append({"type": "Feature", "properties": props, "geometry": _square(lat, lon)})
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features + extra}), encoding="utf-8"
    )
    return [c.id for c in communes]


def test_boundaries_travel_down_and_the_map_shows_the_district(
    qtbot,  # type: ignore[no-untyped-def]
    demo_pair: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    office, province = copy_pair(demo_pair, tmp_path)
    geo = tmp_path / "xa.geojson"
    bad = {"type": "Feature", "properties": {"ten_xa": "Xã Không Có"}, "geometry": _square(21, 104)}
    with Store.open(office) as store:
        ids = _geojson(store, geo, [bad])
    assert cli.main(["areas", "import-boundaries", "--db", str(province), str(geo)]) == 1
    err = capsys.readouterr().err
    assert "Đối tượng thứ 3: không có xã nào của tỉnh là Xã Không Có" in err
    assert cli.main(["areas", "import-boundaries", "--db", str(province), str(geo),
                     "--partial"]) == 0  # fmt: skip
    assert "đã công bố 2 trong 3 đối tượng" in capsys.readouterr().out
    _carry(province, office, tmp_path / "down")

    store = Store.open(office)
    try:
        assert sorted(BoundaryRepository(store).all()) == sorted(ids)
        page = MapPage(context_for(store, username="map.viewer"))
        qtbot.addWidget(page)
        page.resize(1366, 768)
        page.show()
        qtbot.waitExposed(page)
        view = page.view
        with_coords = [s for s in store.sites.find() if s.lat is not None]
        assert len(view.markers) == len(with_coords) > 0
        paths = [i for i in view.scene().items() if isinstance(i, QGraphicsPathItem)]
        assert len(paths) == 2
        north = max(with_coords, key=lambda s: s.lat or 0)
        south = min(with_coords, key=lambda s: s.lat or 0)
        assert view.markers[north.id].pos().y() < view.markers[south.id].pos().y()
        assert set(page.view.labels) >= set(ids)

        # a click on a marker shows its site
        target = with_coords[0]
        page.view.centerOn(view.markers[target.id])
        at = view.mapFromScene(view.markers[target.id].pos())
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(at.x(), at.y()))
        card = page.card.text()
        clicked = next(s for s in with_coords if (s.name or "") and s.name in card)
        assert clicked.commune_id in {c for c in page.communes}

        before = view.transform().m11()
        view.zoom(1.25)
        assert view.transform().m11() == pytest.approx(before * 1.25)
        index = page.type_box.findData("bts")
        page.type_box.setCurrentIndex(index)
        assert {page.by_id[s].site_type for s in view.markers} == {"bts"}
    finally:
        store.close()


def test_the_district_report_ends_with_the_map_annex(demo_db: Path, tmp_path: Path) -> None:
    import shutil

    from tests.reports.conftest import pdf_text

    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    out = tmp_path / "d.pdf"
    args = ["--db", str(db), "--unit", DISTRICT, "--period", "2020Q4", "--out", str(out)]
    assert cli.main(["report", "district", *args]) == 0
    last = pdf_text(out).split("\f")[-2]  # the text of the last page
    assert "PHỤ LỤC" in last and "Bản đồ các điểm hạ tầng trên địa bàn huyện Mai Sơn" in last
    assert "tam giác: trạm BTS" in last
    with Store.open(db) as store:
        named = {
            store.reference.unit(s.commune_id).short_name
            for s in store.sites.find()
            if s.lat is not None
        }
    flat = " ".join(last.split())
    assert sum(name in flat for name in named) >= len(named) - 3  # labels may overlap a little
