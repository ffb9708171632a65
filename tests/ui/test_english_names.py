"""In the English window, indicator and area names are English on every page that shows them
(the plan grid, the overview's trend chart, the area classifications), Vietnamese in Vietnamese."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop_app.i18n import setup as setup_i18n
from desktop_app.store.store import Store
from desktop_app.ui.pages.areas import AreasPage
from desktop_app.ui.pages.dashboard import DashboardPage
from desktop_app.ui.pages.plan import PlanPage
from tests.ui.shell_helpers import context_for


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_plan_overview_and_areas_name_things_in_the_window_language(
    qtbot, demo_db: Path, tmp_path: Path, lang: str
):
    path = tmp_path / "office.db"
    shutil.copy(demo_db, path)
    setup_i18n(lang)
    store = Store.open(path)
    try:
        context = context_for(store, "reviewer", "kiemtra")
        context.language = lang
        derived = store.catalogue.derived

        plan = PlanPage(context)
        qtbot.addWidget(plan)
        model = plan.model
        heads = [
            str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole))
            for c in range(model.columnCount())
        ]
        names = [derived[i.code] for i in model.indicators]
        assert heads
        for head, indicator in zip(heads, names, strict=True):
            assert head.startswith(indicator.name_en if lang == "en" else indicator.name_vi)

        overview = DashboardPage(context)
        qtbot.addWidget(overview)
        qtbot.waitUntil(lambda: overview.data is not None, timeout=20000)
        shown = [name for name, _values in overview.chart.series]
        assert shown
        for name in shown:
            assert any(name == (d.name_en if lang == "en" else d.name_vi) for d in derived.values())

        areas = AreasPage(context)
        qtbot.addWidget(areas)
        first = str(areas.model.headerData(0, Qt.Orientation.Horizontal))
        assert (first == "Border commune") if lang == "en" else first.startswith("Xã")
    finally:
        setup_i18n("en")
        store.close()
