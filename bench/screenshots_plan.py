"""Render the demo province as ``make run`` leaves it, at 1366×768, offscreen, in
Vietnamese: its dashboard and map (filled by the district's bundle the demo hands over),
and its reports page offering the plan follow-up and coverage-hole reports.

    .venv/bin/python -m bench.screenshots_plan [out_dir]

Builds ``coverage-desk demo`` (the district and its demo province) once under
/tmp/coverage-desk-screens-plan.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app import i18n
from desktop_app.store.store import Store

CACHE = Path("/tmp/coverage-desk-screens-plan")


def demo() -> Path:
    """The demo province beside the demo district, built once."""
    from desktop_app.demo import build_demo
    from desktop_app.demo.enrolment import province_path_for

    office = CACHE / "demo-office.db"
    province = province_path_for(office)
    if not province.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build_demo(office, "pre2025:125", 1, province_path=province)
    return province


def shoot(out: Path, lang: str) -> None:
    from bench.screenshots_reform import save
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.tasks import SyncTaskRunner, attach_runner

    i18n.setup(lang)
    make_application()
    with Store.open(demo()) as province:
        user = province.users.authenticate("lanhdao", "lanhdao123")
        assert user is not None
        context = AppContext(province, user, lang)
        attach_runner(context, SyncTaskRunner())
        window = MainWindow(context)
        for key in ("dashboard", "map", "reports"):
            window.show_page(key)
            if key == "reports":
                page = window.page("reports")
                page.select("holes", "pre2025:14", "2020Q4")  # type: ignore[attr-defined]
                page.preview_button.click()  # type: ignore[attr-defined]
            save(window, out, f"{lang}-province-{key}")
        window.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    shoot(out, "vi")


if __name__ == "__main__":
    main()
