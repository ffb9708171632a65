"""Render the window a clerk, a reviewer and an administrator use, at 1366×768, offscreen,
in Vietnamese (and English), into a folder of PNGs: the entry page with the period's state,
a returned period, the checks before sending, the commune form in sections, the sync
page, the status bar, the accounts dialogs, the file dialog, the help.

    .venv/bin/python -m bench.screenshots_guide [out_dir] [vi|en|both]

The user guide (``build/build_guide.py``) embeds the Vietnamese ones. Demo offices
(built once under /tmp/coverage-desk-screens) are copied first: nothing here changes them.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from bench.screenshots import COMMUNE, DISTRICT, SIZE, demo
from desktop_app import i18n
from desktop_app.store.store import Store

# (file name, what it shows): the guide names its pictures by these files.
SHOTS = (
    "entry",
    "entry-returned",
    "submit-check",
    "commune-form",
    "sync",
    "review",
    "login-locked",
    "change-password",
    "users-unlock",
    "file-dialog",
    "comment",
    "village",
    "district-entry",
    "shortcuts",
    "guide",
)


def grab(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = None) -> Path:
    """Show ``widget`` (at ``size``), let it paint, and save it as ``out/name.png``."""
    if size is not None:
        widget.resize(*size)
    widget.show()
    for _ in range(5):
        QApplication.processEvents()
    target = out / f"{name}.png"
    widget.grab().save(str(target))
    print(target)
    return target


def _copy(office: str, folder: Path) -> Path:
    target = folder / f"{office.replace(':', '-')}.db"
    shutil.copyfile(demo(office), target)
    return target


def shoot(out: Path, lang: str) -> None:
    from desktop_app.domain.periods import Period
    from desktop_app.store.changes import Actor
    from desktop_app.store.repositories.users import MAX_FAILURES
    from desktop_app.ui.app import make_application
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.dialogs.user_form import ChangePasswordDialog
    from desktop_app.ui.dialogs.village_form import VillageNameDialog
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.pages.entry_controller import EntryController
    from desktop_app.ui.pages.entry_history import CellHistoryDialog
    from desktop_app.ui.pages.entry_submit import SubmitCheckDialog, submission_problems
    from desktop_app.ui.tasks import SyncTaskRunner, attach_runner

    i18n.setup(lang)
    app = make_application()
    from desktop_app.ui.app import install_qt_translations

    install_qt_translations(app, lang)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="cd-guide-"))
    commune = Store.open(_copy(COMMUNE, work))
    clerk = commune.users.authenticate("canbo", "canbo123")
    assert clerk is not None
    commune.user = clerk.username
    context = AppContext(commune, clerk, lang)
    attach_runner(context, SyncTaskRunner())
    window = MainWindow(context)
    window.resize(*SIZE)
    page = window.page("entry")
    ctrl = page.controller  # type: ignore[union-attr]
    assert isinstance(ctrl, EntryController)
    view = ctrl.view
    view.period.set_period(Period(2021, 1))
    ctrl.copy_last_period()
    model = ctrl.village_model
    column = next(
        c for c, cell in enumerate(model.cells[0]) if cell and cell.indicator.code == "dan_so"
    )
    so_ho = model.index(0, column - 1).data()
    ctrl.write_text(model.cells[0][column], str(int(so_ho.replace(".", "").replace(",", "")) * 20))
    grab(window, out, f"{lang}-entry", SIZE)

    assert ctrl.snapshot is not None
    problems = submission_problems(commune, ctrl.snapshot)
    dialog = SubmitCheckDialog(i18n._("Send the report"), problems, window)
    grab(dialog, out, f"{lang}-submit-check")
    dialog.close()

    district_actor = Actor("demo-district", 2, DISTRICT, "lanhdao")
    commune.submissions.move(COMMUNE, "2020Q4", "submitted", actor=commune.local_actor())
    commune.submissions.move(
        COMMUNE,
        "2020Q4",
        "returned",
        reason="Dân số Bản Mông Lử gấp 20 lần số hộ: kiểm tra lại sổ hộ khẩu.",
        actor=district_actor,
    )
    view.period.set_period(Period(2020, 4))
    grab(window, out, f"{lang}-entry-returned", SIZE)

    view.tabs.setCurrentIndex(1)
    view.fold("postal")
    grab(window, out, f"{lang}-commune-form", SIZE)
    view.fold("postal", False)
    view.tabs.setCurrentIndex(0)

    cell = model.cells[0][column]
    assert cell is not None
    history = commune.values.history(cell.org_id, "2020", "dan_so")
    comment = CellHistoryDialog(
        commune.catalogue, cell, model.row_titles[0], history, "Theo sổ hộ khẩu", True, window
    )
    grab(comment, out, f"{lang}-comment")
    comment.close()

    village = VillageNameDialog(commune.reference.unit(COMMUNE).name, lambda _n: None)
    village.name_edit.setText("Bản Mòng")
    grab(village, out, f"{lang}-village")
    village.close()

    window.show_page("sync")
    grab(window, out, f"{lang}-sync", SIZE)
    window.show_page("review")
    grab(window, out, f"{lang}-review", SIZE)

    change = ChangePasswordDialog(clerk.username, lambda _v: True, window)
    change.old_edit.setText("canbo123")
    grab(change, out, f"{lang}-change-password")
    change.close()

    for n in range(MAX_FAILURES):
        commune.users.login("lanhdao", f"sai{n}")
    login = LoginDialog(commune, hint="lanhdao")
    login.password.setText("lanhdao123")
    login._on_login_clicked()
    grab(login, out, f"{lang}-login-locked")
    login.close()

    admin = commune.users.authenticate("admin", "admin123")
    assert admin is not None
    admin_window = MainWindow(AppContext(commune, admin, lang))
    admin_page = admin_window.show_page("admin")
    users = getattr(admin_page, "users_tab", None)
    tabs = getattr(admin_page, "tabs", None)
    if users is not None and tabs is not None:
        tabs.setCurrentWidget(users)
        users.select("lanhdao")
    grab(admin_window, out, f"{lang}-users-unlock", SIZE)
    admin_window.close()

    files = QFileDialog(window, i18n._("Choose the bundle to import"), str(work))
    files.setNameFilter(
        i18n._("Coverage Desk bundles (*{suffix});;All files (*)").format(suffix=".cdsync")
    )
    grab(files, out, f"{lang}-file-dialog", (900, 560))
    files.close()

    shortcuts = getattr(window, "shortcuts_dialog", None)
    if callable(shortcuts):
        dialog = shortcuts()
        grab(dialog, out, f"{lang}-shortcuts")
        dialog.close()
    guide = getattr(window, "guide_viewer", None)
    if callable(guide):
        viewer = guide()
        if viewer is not None:
            QTimer.singleShot(0, lambda: None)
            grab(viewer, out, f"{lang}-guide", SIZE)
            viewer.close()
    window.close()
    commune.close()

    district = Store.open(_copy(DISTRICT, work))
    reviewer = district.users.authenticate("lanhdao", "lanhdao123")
    assert reviewer is not None
    dcontext = AppContext(district, reviewer, lang)
    attach_runner(dcontext, SyncTaskRunner())
    dwindow = MainWindow(dcontext)
    grab(dwindow, out, f"{lang}-district-entry", SIZE)
    dwindow.close()
    district.close()
    shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/screens-guide")
    which = sys.argv[2] if len(sys.argv) > 2 else "both"
    for lang in ("vi", "en") if which == "both" else (which,):
        shoot(out, lang)


if __name__ == "__main__":
    main()
