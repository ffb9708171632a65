"""The window's report page: the "include data not yet approved" checkbox (real widgets)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from desktop_app.store.store import Store
from desktop_app.ui.pages.reports import ReportsPage
from desktop_app.ui.tasks import SyncTaskRunner
from tests.ui.pages_fixtures import make_context


def test_the_checkbox_counts_drafts_and_marks_every_page(
    qtbot: QtBot, demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    shutil.copy(demo_db, path)
    store = Store.open(path)
    try:
        ctx = make_context(store, "clerk")
        ctx.runner = SyncTaskRunner()
        page = ReportsPage(ctx)
        qtbot.addWidget(page)
        page.show()
        page.select("district", "pre2025:125", "2020Q4")
        assert not page.drafts_box.isChecked()
        page.preview_button.click()
        assert page.preview is not None
        assert page.preview.model.draft_mark == ""
        official = page.preview.model.aggregate.excluded
        assert official  # the demo has communes not approved yet

        page.drafts_box.setChecked(True)
        page.preview_button.click()
        assert page.preview is not None and page.preview.choice.include_drafts
        assert page.preview.model.aggregate.excluded == ()
        reader = PdfReader(page.preview.pdf)
        assert all("SỐ LIỆU CHƯA DUYỆT" in p.extract_text() for p in reader.pages)
    finally:
        store.close()
