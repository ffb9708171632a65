"""Render the reports page with a previewed report at 1366×768, offscreen, in Vietnamese
and English, into /tmp/screens/reports-*.png.

    .venv/bin/python bench/screenshots_reports.py [out_dir]

Uses the demo district office (Huyện Mai Sơn, seed 1): the district summary for
2020Q4 at "fit width" and at 100 %, and the unit list of the commune detail. Look at
every PNG: clipped text, boxes instead of diacritics and cramped layouts show up here.
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import i18n
from desktop_app.store.store import Store
from desktop_app.ui.context import AppContext
from desktop_app.ui.tasks import SyncTaskRunner

DISTRICT = "pre2025:125"
SIZE = (1366, 768)
REPORT_DATE = date(2021, 2, 5)


def _settle(widget: QWidget) -> None:
    app = QApplication.instance()
    assert app is not None
    for _round in range(5):
        app.processEvents()


def _shots(out_dir: Path, store: Store, lang: str) -> None:
    from desktop_app.ui.pages.reports import ReportsPage

    users = [u for u in store.users.all() if u.role == "admin"]
    user = users[0] if users else store.users.add("admin", "Quản trị viên", "admin", "matkhau1")
    ctx = AppContext(store=store, user=user, language=lang, runner=SyncTaskRunner())
    page = ReportsPage(ctx)
    page.resize(*SIZE)
    page.show()
    page.select("district", DISTRICT, "2020Q4")
    page.language_box.setCurrentIndex(page.language_box.findData(lang))
    page.date_edit.setDate(QDate(REPORT_DATE.year, REPORT_DATE.month, REPORT_DATE.day))
    _settle(page)
    page.preview_button.click()
    _settle(page)
    page.viewer._show_pages()  # the resize timer has not fired offscreen yet
    _settle(page)
    for name, zoom in (("fit", "fit"), ("actual", "actual")):
        page.viewer.set_zoom(zoom)  # type: ignore[arg-type]
        _settle(page)
        out = out_dir / f"reports-{name}-{lang}.png"
        page.grab().save(str(out))
        print(out)
    page.viewer.scroll_area.verticalScrollBar().setValue(
        page.viewer.scroll_area.verticalScrollBar().maximum()
    )
    _settle(page)
    out = out_dir / f"reports-annex-{lang}.png"
    page.grab().save(str(out))
    print(out)
    page.kind_box.setCurrentIndex(page.kind_box.findData("commune"))
    page.period_picker.set_period(page.period_picker.period())
    _settle(page)
    out = out_dir / f"reports-stale-{lang}.png"
    page.grab().save(str(out))
    print(out)
    page._on_saved(Path("/home/can-bo/Tài liệu/Báo cáo quý/bao-cao-huyen-mai-son-2020Q4.xlsx"))
    _settle(page)
    out = out_dir / f"reports-saved-{lang}.png"
    page.grab().save(str(out))
    print(out)
    _export_shots(out_dir, page, lang)
    page.close()
    from desktop_app.ui.pages import reports_print

    printer = reports_print.make_printer()  # the dialog does not own it: keep it alive
    dialog = reports_print.make_print_dialog(printer, 7, None)
    dialog.adjustSize()
    dialog.show()
    _settle(dialog)
    out = out_dir / f"reports-print-dialog-{lang}.png"
    dialog.grab().save(str(out))
    print(out)
    dialog.close()


def _export_shots(out_dir: Path, page: QWidget, lang: str) -> None:
    """A commune chosen (the blank form's button enabled), drafts included, the form
    saved; then the save dialog's list of formats with the semicolon CSV."""
    from PySide6.QtWidgets import QFileDialog

    from desktop_app.ui.pages.reports import ReportsPage
    from desktop_app.ui.pages.reports_choices import report_filters

    assert isinstance(page, ReportsPage)
    page.select("commune", "pre2025:04108", "2021Q1")
    page.drafts_box.setChecked(True)
    page._say(
        i18n._("Blank form ({pages} pages) written to {path}").format(
            pages=14, path="/home/can-bo/Tài liệu/phieu-xa-chieng-sung-2021Q1.pdf"
        ),
        ok=True,
    )
    _settle(page)
    out = out_dir / f"reports-form-{lang}.png"
    page.grab().save(str(out))
    print(out)
    dialog = QFileDialog(page, i18n._("Save the report"))
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilters([name for name, _ext in report_filters()])
    dialog.selectNameFilter(report_filters()[-1][0])
    dialog.resize(900, 520)
    dialog.show()
    _settle(dialog)
    combo = dialog.findChild(QWidget, "fileTypeCombo")
    if combo is not None:
        from PySide6.QtWidgets import QComboBox

        assert isinstance(combo, QComboBox)
        combo.showPopup()
        _settle(dialog)
    out = out_dir / f"reports-save-dialog-{lang}.png"
    dialog.grab().save(str(out))
    print(out)
    popup = combo.view().window() if isinstance(combo, QWidget) and hasattr(combo, "view") else None
    if popup is not None:
        out = out_dir / f"reports-save-filters-{lang}.png"
        popup.grab().save(str(out))
        print(out)
    dialog.close()


def main(argv: list[str]) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else Path("/tmp/screens")
    out_dir.mkdir(parents=True, exist_ok=True)
    from desktop_app.ui.app import make_application

    app = make_application(argv[:1])
    with tempfile.TemporaryDirectory() as tmp:
        from desktop_app.demo import build_demo

        path = Path(tmp) / "demo.db"
        build_demo(path, DISTRICT, 1)
        store = Store.open(path, user="admin")
        try:
            for lang in ("vi", "en"):
                i18n.setup(lang)
                _shots(out_dir, store, lang)
        finally:
            store.close()
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
