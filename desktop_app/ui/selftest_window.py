"""The window half of ``coverage-desk self-test`` (the only part that needs Qt).

Shows the real main window on the self-test's office database, logged in as a
temporary administrator, when the window code can be built; otherwise a plain
``QMainWindow`` with the application title (the reason is reported). Then the
About box. Each must receive a paint event and grab to a non-empty image.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QEvent, QEventLoop, QObject, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QFontInfo, QFontMetrics, QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from desktop_app import __version__
from desktop_app.i18n import _


@dataclass(frozen=True)
class WindowReport:
    """What the window check saw."""

    real_main_window: bool
    title: str
    width: int
    height: int
    platform: str
    font: str
    fallback_reason: str = ""


class PaintWatcher(QObject):
    """Counts the paint events a widget receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.painted = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Count, never consume."""
        if event.type() == QEvent.Type.Paint:
            self.painted += 1
        return False


def application() -> QApplication:
    """The running QApplication, or the application's own one (fonts, icon, name)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    try:
        from desktop_app.ui.app import make_application
    except ImportError:
        return QApplication(["coverage-desk"])
    return make_application(["coverage-desk"])


def wait_for_paint(app: QApplication, widget: QWidget, timeout: float) -> None:
    """Show ``widget`` and process events until it has painted; raise after ``timeout`` s."""
    watcher = PaintWatcher(widget)
    widget.show()
    deadline = time.monotonic() + timeout
    while watcher.painted == 0 and time.monotonic() < deadline:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.01)
    if watcher.painted == 0:
        raise RuntimeError(
            _("«{title}» did not paint within {seconds:.0f} s").format(
                title=widget.windowTitle(), seconds=timeout
            )
        )
    image = widget.grab().toImage()
    if image.isNull() or image.width() == 0 or image.height() == 0:
        raise RuntimeError(_("«{title}» grabbed an empty image").format(title=widget.windowTitle()))


VIETNAMESE_PROBE = "ĂÂĐÊÔƠƯăâđêôơư ệ ở ữ ỳ"


def check_ui_font(app: QApplication) -> str:
    """The family the window draws with; raises when it lacks Vietnamese letters.

    PySide6 wheels ship no fonts: on a machine without any (fonts-dejavu-core on
    Debian), every glyph is a box (DESIGN §12).
    """
    font = app.font()
    metrics = QFontMetrics(font)
    absent = [ch for ch in VIETNAMESE_PROBE if not ch.isspace() and not metrics.inFontUcs4(ord(ch))]
    family = QFontInfo(font).family()
    if absent:
        raise RuntimeError(
            _(
                "the window font {family} has no {letters}: install a font with Vietnamese "
                "letters (Debian: fonts-dejavu-core)"
            ).format(family=family, letters="".join(absent))
        )
    return family


def _main_window(db_path: Path) -> tuple[QMainWindow, object]:
    """The real main window on ``db_path``, with a temporary administrator logged in."""
    from desktop_app.store.store import Store
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow

    store = Store.open(db_path, user="selftest")
    try:
        user = store.users.add("selftest", "Kiểm Tra Tự Động", "admin", "selftest-2025")
        store.user = user.username
        context = AppContext(store, user, "vi")
        try:
            from desktop_app.ui.tasks import SyncTaskRunner, attach_runner

            attach_runner(context, SyncTaskRunner())
        except ImportError:
            pass
        return MainWindow(context), store
    except BaseException:
        store.close()
        raise


def _stand_in() -> QMainWindow:
    window = QMainWindow()
    window.setWindowTitle(f"Coverage Desk {__version__}")
    label = QLabel(_("Coverage Desk self-test: Vietnamese text «Huyện Mai Sơn»"), window)
    window.setCentralWidget(label)
    return window


# Harmless notices of the offscreen platform plugin, not worth a line in the output.
_QUIET = ("This plugin does not support",)


def _message_handler(kind: QtMsgType, _context: object, message: str) -> None:
    if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg) or message.startswith(_QUIET):
        return
    print(message, file=sys.stderr)


def show_windows(db_path: Path | None, *, timeout: float = 20.0) -> WindowReport:
    """Show the main window (or a stand-in) and the About box; both must paint."""
    previous = qInstallMessageHandler(_message_handler)
    try:
        return _show_windows(db_path, timeout)
    finally:
        qInstallMessageHandler(previous)


def _show_windows(db_path: Path | None, timeout: float) -> WindowReport:
    app = application()
    font = check_ui_font(app)
    store: object = None
    reason = ""
    window: QMainWindow
    if db_path is None:
        window, reason = _stand_in(), _("no database from the database check")
    else:
        try:
            window, store = _main_window(db_path)
        except Exception as exc:
            window, reason = _stand_in(), f"{type(exc).__name__}: {exc}"
    real = not reason
    try:
        window.resize(1000, 700)
        wait_for_paint(app, window, timeout)
        from desktop_app.ui.about import AboutDialog

        about = AboutDialog(window, db_path)
        try:
            wait_for_paint(app, about, timeout)
        finally:
            about.close()
            about.deleteLater()
        size = window.size()
        return WindowReport(
            real,
            window.windowTitle(),
            size.width(),
            size.height(),
            QGuiApplication.platformName(),
            font,
            _("main window not used: {reason}").format(reason=reason) if reason else "",
        )
    finally:
        window.close()
        window.deleteLater()
        app.processEvents()
        close = getattr(store, "close", None)
        if close is not None:
            close()
