"""Start the window: QApplication, fonts, icon, language, first run, login, main window."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QApplication

from desktop_app import i18n
from desktop_app.i18n import _
from desktop_app.paths import resources_dir
from desktop_app.startup import mark
from desktop_app.ui.error_text import user_text
from desktop_app.ui.tasks import CancelFlag, Progress, Task, TaskRunner

if TYPE_CHECKING:
    from desktop_app.store.repositories.users import User
    from desktop_app.store.store import Store
    from desktop_app.ui.login import LoginDialog
    from desktop_app.ui.main_window import MainWindow

# Families with full Vietnamese, best first: Windows, then what fontconfig offers on Linux.
FONT_FAMILIES = ("Segoe UI", "Tahoma", "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial")
FONT_POINT_SIZE = 10


def icon_path() -> Path:
    """The application icon (PNG; an SVG source sits beside it)."""
    return resources_dir() / "icons" / "coverage-desk.png"


def choose_font_family(available: Sequence[str]) -> str | None:
    """The first family of :data:`FONT_FAMILIES` the machine has, or None."""
    have = {f.casefold() for f in available}
    return next((f for f in FONT_FAMILIES if f.casefold() in have), None)


def make_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with our name, icon, font and Qt's own translations.

    Also guards the reference counts of ``None``, ``True`` and ``False`` against the
    binding's leaks (see :mod:`desktop_app.ui.none_refcount`): every window of ours is
    made after this."""
    from desktop_app.ui.none_refcount import keep_singletons_alive

    keep_singletons_alive()
    existing = QApplication.instance()
    app = (
        existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    )
    app.setApplicationName("Coverage Desk")
    app.setOrganizationName("CoverageDesk")
    app.setApplicationDisplayName("Coverage Desk")
    if icon_path().exists():
        app.setWindowIcon(QIcon(str(icon_path())))
    family = choose_font_family(QFontDatabase.families())
    if family is not None:
        app.setFont(QFont(family, FONT_POINT_SIZE))
    install_qt_translations(app, i18n.current_language())
    return app


# The translators of Qt's own texts that install_qt_translations put on the application,
# removed by its next call. Kept here rather than found again with app.findChildren: that
# wraps every child of the application in Python, its style among them, and PySide then
# builds the QStyle class and its 12 enums (570 members, about 5 ms) for nothing.
_qt_translators: list[QTranslator] = []


def install_qt_translations(app: QApplication, lang: str) -> None:
    """Qt's own texts in ``lang``: our table for Vietnamese (Qt ships none), else Qt's
    catalogue when the wheel has one. File dialogs are always Qt's own (never the
    system's, which speaks the language Windows was installed in), so every label in
    them is translated. The translators of an earlier call are removed."""
    from PySide6.QtCore import Qt

    from desktop_app.ui import qt_vi

    app.setAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs, True)
    QLocale.setDefault(
        QLocale(QLocale.Language.Vietnamese if lang == "vi" else QLocale.Language.English)
    )
    while _qt_translators:
        old = _qt_translators.pop()
        app.removeTranslator(old)
        old.deleteLater()
    if lang == "vi":
        _qt_translators.append(qt_vi.install(app))
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{lang}", folder):
        app.installTranslator(translator)
        _qt_translators.append(translator)
    else:
        translator.deleteLater()


#: what :func:`open_store_task` reports (as its progress, message) once the store's
#: modules are imported: opening and checking the file is left (the full quick_check
#: after an unclean shutdown: half a second and more, mostly outside the interpreter)
STORE_IMPORTED = "store imported"


def open_store_task(path: Path) -> Task:
    """Open (check, migrate) the store off the GUI thread, the window's way.

    The full quick_check runs here only when damage is likely, otherwise the main
    window runs it in the background once shown (:mod:`desktop_app.store.health`).
    The worker closes its own connection before handing the store over: peewee keeps
    one connection per thread, and the GUI thread opens its own on first use.
    """

    def task(progress: Progress, cancel: CancelFlag) -> object:
        from desktop_app.store.store import Store

        progress(None, STORE_IMPORTED)  # the rest is SQLite's, outside the interpreter
        store = Store.open(path, window=True)
        store.db.close()
        mark("database opened and checked")
        return store

    return task


# What building the main window and its first page imports, in an order where each
# module brings little that the ones before did not (the largest step, the expression
# language's dataclasses, costs about 11 ms of CPU; all of them about 75 ms).
# tests/ui/test_start_imports.py checks that building the window after them imports
# no other module of ours.
MAIN_WINDOW_MODULES = (
    "desktop_app.domain.expressions",
    "desktop_app.store.validation",
    "desktop_app.ui.pages.entry_data",
    "desktop_app.ui.pages.entry_view",
    "desktop_app.ui.pages.entry_controller",
    "desktop_app.ui.main_window",
    "desktop_app.ui.pages.entry",
    "desktop_app.ui.spreadsheet",
    "desktop_app.ui.background_sync",
    "desktop_app.store.repositories.submissions",
    "desktop_app.ui.sync_settings",
)


def prepare_main_window(modules: Sequence[str] = MAIN_WINDOW_MODULES) -> None:
    """Import the main window's modules while the clerk types her password: one module
    a turn of the event loop, starting with the next turn (:func:`prepare_when_listed`
    starts it once the database's task has imported the store).

    A step at a time, the clerk's keys come in between. If she presses "Log in" before
    the steps are done, building the window imports the rest itself, while scrypt runs
    on the worker.
    """
    import importlib

    from PySide6.QtCore import QTimer

    remaining = list(modules)

    def step() -> None:
        if remaining:
            importlib.import_module(remaining.pop(0))
            QTimer.singleShot(0, step)

    QTimer.singleShot(0, step)


def prepare_when_listed(
    login: LoginDialog, modules: Sequence[str] = MAIN_WINDOW_MODULES
) -> Callable[[], None]:
    """:func:`prepare_main_window` once ``login`` is painted and the task opening the
    database has imported the store: call the function returned when the task says so
    (its :data:`STORE_IMPORTED` progress); listing the users counts too.

    Most of that task, after a clean close, is importing the store's modules (peewee,
    the schema, the repositories): the main window's imports, started at the login's
    paint, shared the interpreter with it and kept the users from being listed for as
    long (about 40 ms on bench_gui's province database), so the clerk, who cannot press
    "Log in" before, waited for imports she did not need yet. After those imports the
    task is SQLite's (the cheap checks, or the full quick_check after an unclean
    shutdown), and the steps run beside it, as before.
    """
    awaiting = {"painted", "imported"}
    if login.store is not None:
        awaiting.discard("imported")

    def done(what: str) -> None:
        if what in awaiting:
            awaiting.discard(what)
            if not awaiting:
                prepare_main_window(modules)

    login.painted.connect(lambda: done("painted"))
    login.ready.connect(lambda: done("imported"))
    return lambda: done("imported")


def run_gui(db_path: Path, lang: str | None = None) -> int:
    """Run the window until it is closed; the exit code of the application.

    The login dialog shows at once; the database is opened and checked on the task
    runner meanwhile (the full ``quick_check`` there only after an unclean shutdown or
    when the last one is old, else in the background once the main window is shown:
    :mod:`desktop_app.store.health`), so a big province database does not keep the
    first window from appearing.
    """
    if lang is None:
        from desktop_app.ui.help import saved_language

        lang = saved_language()
    if lang is not None and i18n.normalize_language(lang) != i18n.current_language():
        i18n.setup(lang)  # cli.main set up the language it was given already (3-4 ms)
    app = make_application()
    mark("application made")
    runner = TaskRunner()
    hint = ""
    if not Path(db_path).exists():
        from desktop_app.startup import resume_garbage_collection
        from desktop_app.ui.first_run import FirstRunDialog

        resume_garbage_collection()  # a first run builds a database: no longer a quick start
        from desktop_app.units_resource import load_unit_directory

        first = FirstRunDialog(Path(db_path), runner, load_unit_directory)
        if not first.exec():
            return 0
        hint = first.login_hint
    while True:
        restore_from = _run_session(app, runner, Path(db_path), hint)
        if restore_from is None:
            return 0
        hint = _restore(Path(db_path), Path(restore_from))


def _run_session(app: QApplication, runner: TaskRunner, db_path: Path, hint: str) -> str | None:
    """Log in and run the main window; the backup to restore when one was asked for.

    The store's modules (peewee, the schema, the repositories, the catalogue) are
    imported by the task that opens the database, on the runner's thread, while this
    one builds and paints the login window (the window, not the store, is what the
    clerk sees first)."""
    from desktop_app.ui.login import LoginDialog

    login = LoginDialog(None, hint=hint, runner=runner)
    mark("login window built")
    opened: list[Store] = []

    def ready(store: object) -> None:
        from desktop_app.store.store import Store  # imported by the task already

        assert isinstance(store, Store)
        opened.append(store)
        login.set_store(store)
        mark("users listed")

    def failed(exc: BaseException) -> None:
        text = user_text(exc)
        login.set_failure(text)

    store_imported = prepare_when_listed(login)  # while the password is typed

    def progressed(_fraction: float | None, message: str) -> None:
        if message == STORE_IMPORTED:
            store_imported()

    runner.start(open_store_task(db_path), ready, failed, progressed)
    early = _EarlyWindow(login, lambda: opened[0], runner)
    accepted = login.exec()
    runner.wait()
    if not opened:
        early.discard()
        return None
    store = opened[0]
    try:
        while True:
            if not accepted or login.user is None:
                early.discard()
                return None
            outcome = _run_window(app, runner, store, login.user, early.take(login.user))
            if outcome is not None and outcome.startswith(_LANGUAGE):
                lang = outcome[len(_LANGUAGE) :]
                i18n.setup(lang)
                install_qt_translations(app, lang)
                continue  # the same user again, in the new language
            if outcome != _LOGOUT:
                return outcome
            # log out / switch user: the same open database, a fresh login
            login = LoginDialog(store, runner=runner)
            early = _EarlyWindow(login, lambda: store, runner)
            accepted = login.exec()
    finally:
        store.close()


_LOGOUT = "\0logout"
_LANGUAGE = "\0language:"


class _EarlyWindow:
    """The main window built while the login checks the password (never shown before the
    check passed; thrown away when it refused, or built for someone else)."""

    def __init__(self, login: LoginDialog, store: Callable[[], Store], runner: TaskRunner) -> None:
        self.window: MainWindow | None = None
        self._store, self._runner = store, runner
        login.checking.connect(self._build)
        login.refused.connect(self.discard)

    def _build(self, user: object) -> None:
        self.discard()
        self.window = _main_window(self._store(), user, self._runner)  # type: ignore[arg-type]
        mark("main window built")

    def discard(self) -> None:
        """Throw the early window away."""
        if self.window is not None:
            self.window.deleteLater()
            self.window = None

    def take(self, user: User) -> MainWindow | None:
        """The early window when it was built for ``user`` (else None, and it is gone)."""
        window, self.window = self.window, None
        if window is not None and window.context.user != user:
            window.deleteLater()
            return None
        return window


def _main_window(store: Store, user: User, runner: TaskRunner) -> MainWindow:
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.main_window import MainWindow

    return MainWindow(AppContext(store, user, i18n.current_language(), runner=runner))


def _run_window(
    app: QApplication,
    runner: TaskRunner,
    store: Store,
    user: User,
    window: MainWindow | None = None,
) -> str | None:
    """Run the main window for ``user`` (``window`` when it was built already): a backup
    to restore, :data:`_LOGOUT`, or None."""
    store.user = user.username
    if window is None or window.context.language != i18n.current_language():
        if window is not None:
            window.deleteLater()
        window = _main_window(store, user, runner)
    outcome: list[str] = []

    def on_restore(path: str) -> None:
        outcome.append(path)
        window.close()

    window.restore_requested.connect(on_restore)
    window.logout_requested.connect(lambda: outcome.append(_LOGOUT))
    window.language_requested.connect(lambda lang: outcome.append(_LANGUAGE + lang))
    window.resize(1366, 768)
    window.showMaximized()
    mark("main window shown")
    app.exec()
    runner.wait()
    window.deleteLater()
    return outcome[0] if outcome else None


def _restore(db_path: Path, backup_file: Path) -> str:
    """Restore with the store closed; tell the user how it went. Returns the login hint."""
    from desktop_app.store.backup import restore
    from desktop_app.store.errors import StoreError
    from desktop_app.ui.dialogs import confirm

    try:
        epoch = restore(db_path, backup_file)
    except StoreError as exc:
        confirm.inform(None, _("Restore"), user_text(exc), error=True)
        return ""
    confirm.inform(
        None,
        _("Restore"),
        _("The backup {backup} was restored (new epoch {epoch}). Please log in again.").format(
            backup=backup_file.name, epoch=epoch
        ),
    )
    return ""
