"""Render the shell and data entry screens at 1366×768, offscreen, in Vietnamese and English,
into /tmp/screens/*.png (first run, login, main window with the village grid and the
commune form, a commune office with a warning, the history dialog).

    .venv/bin/python -m bench.screenshots [out_dir]

Uses the demo district office (Huyện Mai Sơn) and a demo commune office (Xã Chiềng
Sung), built once under /tmp. Look at every PNG: clipped text, boxes instead of
diacritics and cramped layouts show up here first.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QWidget

from desktop_app import i18n
from desktop_app.store.store import Store

CACHE = Path("/tmp/coverage-desk-screens")
DISTRICT = "pre2025:125"
COMMUNE = "pre2025:04108"
SIZE = (1366, 768)


def demo(office_id: str) -> Path:
    """The demo database of ``office_id``, built once."""
    from desktop_app.demo import build_demo

    path = CACHE / f"demo-{office_id.replace(':', '-')}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        build_demo(path, office_id)
    return path


def save(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = None) -> None:
    if size is not None:
        widget.resize(*size)
    widget.show()
    for _ in range(3):
        QApplication.processEvents()
    target = out / f"{name}.png"
    widget.grab().save(str(target))
    hint = widget.minimumSizeHint()
    print(f"{target}  ({widget.width()}×{widget.height()}, minimum {hint.width()}×{hint.height()})")


def shoot(out: Path, lang: str) -> None:
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.first_run import FirstRunDialog
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.pages.entry_controller import EntryController
    from desktop_app.ui.pages.entry_history import CellHistoryDialog
    from desktop_app.ui.tasks import SyncTaskRunner, attach_runner
    from desktop_app.units_resource import load_unit_directory

    i18n.setup(lang)
    make_application()
    directory = load_unit_directory()
    first = FirstRunDialog(out / "none.db", SyncTaskRunner(), lambda: directory)
    save(first, out, f"{lang}-first-run")
    first.real_button.click()
    first.unit_search.query.setText("chieng sung")
    first.username.setText("hung")
    first.full_name.setText("Lò Văn Hùng")
    first.problem.setText(first.problem_with_form() or "")
    save(first, out, f"{lang}-first-run-office")
    first.close()

    waiting = LoginDialog(None)
    save(waiting, out, f"{lang}-login-opening")
    waiting.close()
    district = Store.open(demo(DISTRICT))
    login = LoginDialog(district, district.reference.unit(DISTRICT).name, "canbo")
    save(login, out, f"{lang}-login")
    login.close()
    user = district.users.authenticate("lanhdao", "lanhdao123")
    assert user is not None
    context = AppContext(district, user, lang)
    attach_runner(context, SyncTaskRunner())
    window = MainWindow(context)
    save(window, out, f"{lang}-district-villages", SIZE)
    page = window.page("entry")
    assert page is not None
    page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    save(window, out, f"{lang}-district-commune-form", SIZE)
    window.close()

    commune = Store.open(demo(COMMUNE))
    clerk = commune.users.authenticate("canbo", "canbo123")
    assert clerk is not None
    commune.user = clerk.username
    context = AppContext(commune, clerk, lang)
    attach_runner(context, SyncTaskRunner())
    window = MainWindow(context)
    page = window.page("entry")
    ctrl = page.controller  # type: ignore[union-attr]
    assert isinstance(ctrl, EntryController)
    from desktop_app.domain.periods import Period

    page.period.set_period(Period(2021, 1))  # type: ignore[union-attr]
    ctrl.copy_last_period()
    model = ctrl.village_model
    column = next(
        c for c, cell in enumerate(model.cells[0]) if cell and cell.indicator.code == "dan_so"
    )
    so_ho = model.index(0, column - 1).data()
    ctrl.write_text(model.cells[0][column], str(int(so_ho.replace(".", "").replace(",", "")) * 20))
    page.village_table.setCurrentIndex(model.index(3, column))  # type: ignore[union-attr]
    save(window, out, f"{lang}-commune-warning", SIZE)
    ctrl.write_text(model.cells[1][column], "1")
    save(window, out, f"{lang}-commune-refused", SIZE)
    cell = model.cells[0][column]
    assert cell is not None and ctrl.snapshot is not None
    history = commune.values.history(cell.org_id, "2021", "dan_so")
    dialog = CellHistoryDialog(
        commune.catalogue,
        cell,
        model.row_titles[0],
        history,
        "Số liệu của trưởng bản",
        True,
        window,
    )
    save(dialog, out, f"{lang}-history")
    dialog.close()
    window.close()
    commune.close()
    district.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    for lang in ("vi", "en"):
        shoot(out, lang)


if __name__ == "__main__":
    main()
