"""Every page of the main window and the window's own dialogs, at 1366×768, offscreen,
in Vietnamese and English, into /tmp/screens/all-*.png (or the folder given).

    .venv/bin/python -m bench.screenshots_all [out_dir]

Walks ``pages_for`` for an administrator of the demo district office (Huyện Mai Sơn),
of the demo commune office (Xã Chiềng Sung) and of the 2025 demo province, each page
inside the real ``MainWindow`` (navigation, menus and status bar included), every tab
of the administration page, and the dialogs of the menus: about, user guide, keyboard
shortcuts, change my password, the village name dialog, Qt's file and print dialogs as
the window shows them (translated label by label). The other screenshot scripts show the
pages' own dialogs and states; this one makes sure no page is left out.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QFileDialog, QTabWidget, QWidget

from bench.screenshots import COMMUNE, DISTRICT, SIZE, demo
from desktop_app import i18n
from desktop_app.store.store import Store


def save(widget: QWidget, out: Path, name: str, size: tuple[int, int] | None = SIZE) -> None:
    if size is not None:
        widget.resize(*size)
    widget.show()
    for _ in range(4):
        QApplication.processEvents()
    target = out / f"all-{name}.png"
    widget.grab().save(str(target))
    print(target)


def _province(folder: Path) -> Path:
    """The 2025 demo province, built fresh (a cached one may predate a migration)."""
    from desktop_app.demo.structure2025 import build_demo_2025

    office, province = folder / "demo-2025.db", folder / "demo-2025-province.db"
    build_demo_2025(office, 1, province_path=province)
    return province


def shoot_office(out: Path, lang: str, label: str, source: Path, tmp: Path) -> None:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow
    from desktop_app.ui.tasks import SyncTaskRunner, attach_runner

    path = tmp / f"{label}-{lang}.db"
    shutil.copy(source, path)
    store = Store.open(path)
    try:
        admins = [u for u in store.users.all() if u.role == "admin"]
        user = admins[0] if admins else store.users.add("admin", "Quản trị viên", "admin", "x1")
        store.user = user.username
        context = AppContext(store, user, lang)
        attach_runner(context, SyncTaskRunner())
        window = MainWindow(context)
        for key, _title, _factory, _role in window.pages:
            page = window.show_page(key)
            save(window, out, f"{label}-{key}-{lang}")
            tabs = page.findChild(QTabWidget) if page is not None else None
            if tabs is not None and key in ("admin", "sync", "reports", "entry"):
                for index in range(1, tabs.count()):
                    tabs.setCurrentIndex(index)
                    save(window, out, f"{label}-{key}-tab{index}-{lang}")
                tabs.setCurrentIndex(0)
        if label == "district":
            shoot_dialogs(out, lang, window)
        window.close()
    finally:
        store.close()


def shoot_dialogs(out: Path, lang: str, window: QWidget) -> None:
    from desktop_app.ui.about import AboutDialog
    from desktop_app.ui.dialogs.user_form import ChangePasswordDialog
    from desktop_app.ui.dialogs.village_form import VillageNameDialog
    from desktop_app.ui.help import GuideDialog, ShortcutsDialog

    about = AboutDialog(window, None)
    save(about, out, f"dialog-about-{lang}", None)
    about.close()
    guide = GuideDialog(window)
    save(guide, out, f"dialog-guide-{lang}", None)
    guide.close()
    keys = ShortcutsDialog(window)
    save(keys, out, f"dialog-shortcuts-{lang}", None)
    keys.close()
    password = ChangePasswordDialog("admin", lambda _v: True, window)
    save(password, out, f"dialog-password-{lang}", None)
    password.close()
    village = VillageNameDialog("Xã Chiềng Sung", lambda _v: None, "", window)
    save(village, out, f"dialog-village-{lang}", None)
    village.close()
    files = QFileDialog(window, i18n._("Restore from another file…"))
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setDirectory(str(Path.home()))
    save(files, out, f"dialog-file-{lang}", (900, 560))
    files.close()
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QAbstractButton

    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printing = QPrintDialog(printer, window)
    printing.show()
    QApplication.processEvents()
    for button in printing.findChildren(QAbstractButton):
        if ">>" in button.text():
            button.click()  # the options part: copies, range, page setup
    save(printing, out, f"dialog-print-{lang}", None)
    printing.close()


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("/tmp/screens")
    out.mkdir(parents=True, exist_ok=True)
    from desktop_app.ui.app import install_qt_translations, make_application

    offices = [("district", demo(DISTRICT)), ("commune", demo(COMMUNE))]
    with tempfile.TemporaryDirectory(prefix="cd-shots-") as folder:
        offices.append(("province2025", _province(Path(folder))))
        for lang in ("vi", "en"):
            i18n.setup(lang)
            app = make_application()
            install_qt_translations(app, lang)
            for label, source in offices:
                shoot_office(out, lang, label, source, Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
