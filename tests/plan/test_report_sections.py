"""The sections this issue adds to the district report, and their absence from a commune's."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop_app.reports import build_report, write_model
from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store
from tests.reports.conftest import pdf_text

DISTRICT, COMMUNE = "pre2025:125", "pre2025:04108"


def test_trend_by_area_and_map_in_the_district_report_only(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    shutil.copy(demo_db, db)
    with Store.open(db) as store:
        model = build_report(store, "district", DISTRICT, "2020Q4")
        assert model.trend is not None and model.areas is not None and model.map is not None
        labels = [f"Q{q}/{y}" for y in (2019, 2020) for q in (1, 2, 3, 4)]
        assert list(model.trend.labels) == labels
        q2 = aggregate(store, DISTRICT, "2020Q2", with_previous=False).current.derived
        assert model.trend.series[1][1][5] == q2["ty_le_thon_4g"]
        text = pdf_text(write_model(model, tmp_path / "d.pdf"))
        assert "Diễn biến các tỷ lệ chính qua các quý" in text
        assert all(label in text for label in labels)
        assert "Các chỉ tiêu chính theo địa bàn" in text

        commune = build_report(store, "commune", COMMUNE, "2020Q4")
        assert commune.trend is None and commune.areas is None and commune.map is None
        text = pdf_text(write_model(commune, tmp_path / "c.pdf"))
        assert "Diễn biến" not in text and "theo địa bàn" not in text and "Bản đồ" not in text
