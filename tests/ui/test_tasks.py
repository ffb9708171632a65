"""The task runner: work off the GUI thread, results and progress back on it, cancel."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from desktop_app.ui.tasks import (
    CancelFlag,
    Cancelled,
    Progress,
    SyncTaskRunner,
    TaskRunner,
    run_with_progress,
)


def counting(progress: Progress, cancel: CancelFlag) -> str:
    for step in range(4):
        cancel.raise_if_set()
        progress(step / 4, f"step {step}")
    return threading.current_thread().name


def test_the_thread_pool_runner_delivers_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner(QThreadPool())
    results: list[tuple[object, bool]] = []
    steps: list[tuple[float | None, str, bool]] = []
    gui = threading.current_thread()

    def on_progress(fraction: float | None, message: str) -> None:
        steps.append((fraction, message, threading.current_thread() is gui))

    handle = runner.start(
        counting,
        lambda result: results.append((result, threading.current_thread() is gui)),
        on_progress=on_progress,
    )
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    worker_name, on_gui_thread = results[0]
    assert worker_name != gui.name  # the work ran elsewhere
    assert on_gui_thread
    assert [s[1] for s in steps] == ["step 0", "step 1", "step 2", "step 3"]
    assert all(s[2] for s in steps)
    runner.wait()


def test_errors_come_back_as_exceptions(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner(QThreadPool())
    errors: list[BaseException] = []

    def boom(progress: Progress, cancel: CancelFlag) -> None:
        raise ValueError("disk on fire")

    handle = runner.start(boom, on_error=errors.append)
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "disk on fire"


def test_cancel_is_cooperative(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = TaskRunner(QThreadPool())
    started = threading.Event()
    errors: list[BaseException] = []

    def waits(progress: Progress, cancel: CancelFlag) -> None:
        started.set()
        while True:
            cancel.raise_if_set()
            threading.Event().wait(0.01)

    handle = runner.start(waits, on_error=errors.append)
    assert started.wait(5)
    handle.cancel.set()
    qtbot.waitUntil(lambda: handle.done, timeout=5000)
    assert isinstance(errors[0], Cancelled)


def test_the_synchronous_runner_finishes_before_it_returns() -> None:
    runner = SyncTaskRunner()
    results: list[object] = []
    handle = runner.start(counting, results.append)
    assert handle.done and results == [threading.current_thread().name]


@pytest.mark.parametrize("fails", [False, True])
def test_the_progress_dialog_closes_when_the_task_ends(qtbot, fails: bool) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QProgressDialog, QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    outcome: list[object] = []

    def task(progress: Progress, cancel: CancelFlag) -> int:
        progress(0.5, "half way")
        if fails:
            raise RuntimeError("no")
        return 42

    run_with_progress(SyncTaskRunner(), parent, "Working", task, outcome.append, outcome.append)
    QApplication.processEvents()
    assert outcome[0] == 42 if not fails else isinstance(outcome[0], RuntimeError)
    visible = [d for d in parent.findChildren(QProgressDialog) if d.isVisible()]
    assert visible == []


def test_done_turns_true_only_after_the_caller_s_slot_ran(qtbot) -> None:  # type: ignore[no-untyped-def]
    """``done`` is what tests (and any poller) wait on, then read what the slots got: it
    must never be True while the caller's slot is still to run. A worker's emit posts
    one queued call per slot in connection order, so ``done`` is connected last (before,
    a poll between the two calls saw ``done`` with ``errors`` still empty: the bare
    machine's ``test_cancel_is_cooperative`` failed with IndexError). Emitted here on
    the GUI thread, the slots run at once, in that same order."""
    from desktop_app.ui.tasks import TaskHandle, _connect

    handle = TaskHandle()
    seen: list[bool] = []
    _connect(handle, lambda _r: seen.append(handle.done), lambda _e: seen.append(handle.done), None)
    handle.failed.emit(Cancelled())
    assert seen == [False] and handle.done
    handle = TaskHandle()
    seen.clear()
    _connect(handle, lambda _r: seen.append(handle.done), None, None)
    handle.finished.emit(1)
    assert seen == [False] and handle.done
