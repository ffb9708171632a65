"""The dashboard page over the demo district: the chart's series, the tiles, a B/W legend."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop_app.domain.periods import Period
from desktop_app.store.aggregation import aggregate
from desktop_app.store.store import Store
from desktop_app.ui.pages.dashboard import DashboardPage
from desktop_app.ui.widgets.trend_chart import MARKERS, STYLES
from tests.ui.shell_helpers import context_for

DISTRICT = "pre2025:125"


@pytest.fixture
def store(demo_db: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    opened = Store.open(path)
    yield opened
    opened.close()


def test_the_dashboard_shows_the_trend_and_the_tiles(qtbot, store: Store) -> None:  # type: ignore[no-untyped-def]
    page = DashboardPage(context_for(store, "reviewer", "lanhdao.test"))
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    data = page.data
    assert data is not None
    assert [p.code for p in data.periods] == [
        f"{y}Q{q}" for y in (2019, 2020) for q in (1, 2, 3, 4)
    ]
    assert page.chart.labels[0] == "Q1 2019" and len(page.chart.series) == 4
    # each point is the aggregation of that quarter
    for q in (0, 5, 7):
        agg = aggregate(store, DISTRICT, data.periods[q], with_previous=False)
        assert page.chart.series[1][1][q] == agg.current.derived["ty_le_thon_4g"]
    # readable in black and white: four series, four line styles, four markers
    assert len(set(STYLES)) == len(set(MARKERS)) == len(page.chart.series)
    image = page.chart.grab().toImage()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}  # fmt: skip
    assert all(c[1:3] == c[3:5] == c[5:7] for c in colours), "only greys"

    latest = aggregate(store, DISTRICT, Period(2020, 4), with_previous=False)
    approved = sum(1 for c in latest.completeness if c.state == "approved")
    assert f"approved: {approved}" in page.completeness.text()
    n = len(store.reference.communes_under(DISTRICT))
    assert f"Q4 2020, {n} communes" in page.completeness.text()
    holes = store.db.execute_sql(
        "SELECT count(*) FROM coverage_hole WHERE lack = 'mobile' AND closed_period IS NULL"
    ).fetchone()[0]
    assert f"{holes} still open" in page.holes.text()
    units = [DISTRICT, *(c.id for c in store.reference.communes_under(DISTRICT))]
    targets = sum(len(store.targets.get(u, 2020)) for u in units)
    assert targets > 0 and f"2020: {targets} targets" in page.plan.text()
