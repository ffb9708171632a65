"""The one way the window runs long work: off the GUI thread, with progress and cancel.

A task is a plain function ``fn(progress, cancel) -> result``. ``progress(fraction,
message)`` reports how far it got (``fraction`` in 0..1, or None when unknown) and
``cancel.is_set()`` tells it to stop at the next convenient point (cooperative:
it may also call ``cancel.raise_if_set()``, which raises :class:`Cancelled`).

:class:`TaskRunner` runs tasks on a ``QThreadPool`` and delivers progress, the
result or the error back on the GUI thread by queued signals; the worker never
touches a widget. :class:`SyncTaskRunner` runs them in the caller's thread, for
tests. :func:`run_with_progress` adds a progress dialog with a Cancel button.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop_app.i18n import _

Progress = Callable[[float | None, str], None]
ResultSlot = Callable[[Any], None]
ErrorSlot = Callable[[BaseException], None]


class Cancelled(Exception):
    """Raised inside a task that noticed it was asked to stop."""


class CancelFlag:
    """Set from the GUI thread, read by the worker."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        """Ask the task to stop."""
        self._event.set()

    def is_set(self) -> bool:
        """True once the user asked to stop."""
        return self._event.is_set()

    def raise_if_set(self) -> None:
        """Raise :class:`Cancelled` when the user asked to stop."""
        if self._event.is_set():
            raise Cancelled()


Task = Callable[[Progress, CancelFlag], Any]


class TaskHandle(QObject):
    """Signals of one running task, all delivered on the GUI thread."""

    progressed = Signal(object, str)  # fraction (float or None), message
    finished = Signal(object)  # result
    failed = Signal(object)  # exception (Cancelled when the user stopped it)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = CancelFlag()
        self.done = False

    @Slot(object)
    def _mark_done(self, _payload: object) -> None:
        self.done = True


class Runner(Protocol):
    """What pages need from a task runner."""

    def start(
        self,
        fn: Task,
        on_result: ResultSlot | None = None,
        on_error: ErrorSlot | None = None,
        on_progress: Progress | None = None,
    ) -> TaskHandle: ...


def _connect(
    handle: TaskHandle,
    on_result: ResultSlot | None,
    on_error: ErrorSlot | None,
    on_progress: Progress | None,
) -> None:
    if on_result is not None:
        handle.finished.connect(on_result)
    if on_error is not None:
        handle.failed.connect(on_error)
    if on_progress is not None:
        handle.progressed.connect(on_progress)
    # ``done`` last: slots run in the order they were connected (a worker's emit posts
    # one queued call per slot, in that order), so ``done`` is never seen True before
    # the caller's own slot has run (tests/ui/test_tasks.py)
    handle.finished.connect(handle._mark_done)
    handle.failed.connect(handle._mark_done)


class _Job(QRunnable):
    def __init__(self, fn: Task, handle: TaskHandle) -> None:
        super().__init__()
        self.fn = fn
        self.handle = handle
        self.setAutoDelete(True)

    def run(self) -> None:
        handle = self.handle

        def progress(fraction: float | None, message: str = "") -> None:
            # Signals emitted from the worker reach GUI-thread slots queued.
            handle.progressed.emit(fraction, message)

        try:
            result = self.fn(progress, handle.cancel)
        except BaseException as exc:
            handle.failed.emit(exc)
            return
        handle.finished.emit(result)


class TaskRunner(QObject):
    """Runs tasks on a thread pool; results come back by signal on the GUI thread."""

    def __init__(self, pool: QThreadPool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._alive: set[TaskHandle] = set()

    def start(
        self,
        fn: Task,
        on_result: ResultSlot | None = None,
        on_error: ErrorSlot | None = None,
        on_progress: Progress | None = None,
    ) -> TaskHandle:
        """Run ``fn`` on the pool and return its handle (connect more slots to it if needed)."""
        handle = TaskHandle()
        # The handle lives in the GUI thread, so its signals are queued to GUI slots.
        _connect(handle, on_result, on_error, on_progress)
        self._alive.add(handle)
        handle.finished.connect(lambda _r, h=handle: self._alive.discard(h))
        handle.failed.connect(lambda _e, h=handle: self._alive.discard(h))
        self.pool.start(_Job(fn, handle))
        return handle

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for every running task (tests and shutdown)."""
        return bool(self.pool.waitForDone(msecs))


class SyncTaskRunner(QObject):
    """Runs each task at once in the calling thread: deterministic tests (STYLE habit 4)."""

    def start(
        self,
        fn: Task,
        on_result: ResultSlot | None = None,
        on_error: ErrorSlot | None = None,
        on_progress: Progress | None = None,
    ) -> TaskHandle:
        """Run ``fn`` now; slots are called before this returns."""
        handle = TaskHandle()
        _connect(handle, on_result, on_error, on_progress)

        def progress(fraction: float | None, message: str = "") -> None:
            handle.progressed.emit(fraction, message)

        try:
            result = fn(progress, handle.cancel)
        except Exception as exc:
            handle.failed.emit(exc)
        else:
            handle.finished.emit(result)
        return handle

    def wait(self, msecs: int = 0) -> bool:
        """Nothing is ever left running."""
        return True


def run_with_progress(
    runner: Runner,
    parent: QWidget | None,
    title: str,
    fn: Task,
    on_result: ResultSlot | None = None,
    on_error: ErrorSlot | None = None,
) -> TaskHandle:
    """Run ``fn`` with a modal progress dialog that has a Cancel button."""
    dialog = QProgressDialog(title, _("Cancel"), 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(0)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setMinimumWidth(420)
    dialog.show()

    def close(_payload: object = None) -> None:
        dialog.hide()
        dialog.deleteLater()

    def progressed(fraction: float | None, message: str) -> None:
        if fraction is None:
            dialog.setRange(0, 0)
        else:
            dialog.setRange(0, 1000)
            dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            dialog.setLabelText(message)

    handle_box: list[TaskHandle] = []

    def cancel_clicked() -> None:
        if handle_box:
            handle_box[0].cancel.set()
        dialog.setLabelText(_("Stopping…"))

    dialog.canceled.connect(cancel_clicked)

    def done(result: object) -> None:
        close()
        if on_result is not None:
            on_result(result)

    def failed(exc: BaseException) -> None:
        close()
        if on_error is not None:
            on_error(exc)

    handle = runner.start(fn, done, failed, progressed)
    handle_box.append(handle)
    return handle


def attach_runner(context: object, runner: Runner) -> None:
    """Give the window's context its task runner."""
    context.runner = runner  # type: ignore[attr-defined]


def runner_of(context: object) -> Runner:
    """The context's task runner (a thread-pool runner when none was attached)."""
    runner = getattr(context, "runner", None)
    if runner is None:
        runner = TaskRunner()
        attach_runner(context, runner)
    return runner
