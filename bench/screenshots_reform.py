"""Render the 2025 structure at 1366×768, offscreen, in Vietnamese and English: the demo
province reviewing its 2025 communes directly (with its to-do of communes to map), its
report page, and the 2025 commune office.

    .venv/bin/python -m bench.screenshots_reform [out_dir]

Builds ``coverage-desk demo --structure 2025`` once under /tmp/coverage-desk-screens (or
$COVERAGE_DESK_SCREENS_CACHE).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import i18n
from desktop_app.store.store import Store

CACHE = Path(os.environ.get("COVERAGE_DESK_SCREENS_CACHE", "/tmp/coverage-desk-screens"))
SIZE = (1366, 768)


def demo() -> tuple[Path, Path]:
    """The 2025 demo office and its province, built once."""
    from desktop_app.demo.structure2025 import build_demo_2025

    office = CACHE / "demo-2025.db"
    province = CACHE / "demo-2025-province.db"
    if not office.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build_demo_2025(office, 1, province_path=province)
    return office, province


def save(widget: QWidget, out: Path, name: str) -> None:
    widget.resize(*SIZE)
    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    target = out / f"{name}.png"
    widget.grab().save(str(target))
    print(target)


def shoot(out: Path, lang: str) -> None:
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.pages.review import ReviewPage
    from desktop_app.ui.tasks import SyncTaskRunner, attach_runner

    i18n.setup(lang)
    make_application()
    office_path, province_path = demo()
    with Store.open(province_path) as province:
        user = province.users.authenticate("lanhdao", "lanhdao123")
        assert user is not None
        context = AppContext(province, user, lang)
        attach_runner(context, SyncTaskRunner())
        window = MainWindow(context)
        rows = [w[0] for w in window.pages]
        window.nav.setCurrentRow(rows.index("review"))
        page = window.page("review")
        assert isinstance(page, ReviewPage)
        page.year_box.setValue(2026)
        page.select("2025:04108", "2026Q3")
        save(window, out, f"{lang}-province-review-2025")
        if "reports" in rows:
            from desktop_app.domain.periods import Period
            from desktop_app.ui.pages.reports import ReportsPage

            window.nav.setCurrentRow(rows.index("reports"))
            save(window, out, f"{lang}-province-reports")
            reports = window.page("reports")
            assert isinstance(reports, ReportsPage)
            # the quarter before the reform, read from the old communes (as yet unapproved)
            reports.period_picker.set_period(Period(2025, 2))
            reports.drafts_box.setChecked(True)
            reports.preview_button.click()
            save(window, out, f"{lang}-province-report-2025Q2")
            reports.period_picker.set_period(Period(2026, 2))
            reports.drafts_box.setChecked(False)
            reports.preview_button.click()
            save(window, out, f"{lang}-province-report-2026Q2")
        window.close()
    with Store.open(office_path) as office:
        user = office.users.authenticate("canbo", "canbo123")
        assert user is not None
        context = AppContext(office, user, lang)
        attach_runner(context, SyncTaskRunner())
        window = MainWindow(context)
        save(window, out, f"{lang}-commune-2025-entry")
        rows = [w[0] for w in window.pages]
        window.nav.setCurrentRow(rows.index("review"))
        page = window.page("review")
        assert isinstance(page, ReviewPage)
        page.year_box.setValue(2026)
        save(window, out, f"{lang}-commune-2025-review")
        window.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    for lang in ("vi", "en"):
        shoot(out, lang)


if __name__ == "__main__":
    main()
