"""Progress reports and cancellation for long sync work (export, import, demo build).

The shapes match the window's task runner (:mod:`desktop_app.ui.tasks`)
without importing Qt: ``progress(fraction, message)`` with ``fraction`` in
0..1 (or None when unknown), and ``cancel`` either a flag object with
``is_set()`` (the runner's ``CancelFlag``) or a plain callable returning True
once the user asked to stop. Both are optional everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from desktop_app.sync.errors import SyncCancelledError

Progress = Callable[[float | None, str], None]


class CancelFlagLike(Protocol):
    """Anything with ``is_set()`` (``threading.Event``, the task runner's ``CancelFlag``)."""

    def is_set(self) -> bool:
        """True once the user asked to stop."""
        ...


Cancel = CancelFlagLike | Callable[[], bool]


def is_cancelled(cancel: Cancel | None) -> bool:
    """Whether ``cancel`` (a flag object, a callable or None) says stop."""
    if cancel is None:
        return False
    is_set = getattr(cancel, "is_set", None)
    if callable(is_set):
        return bool(is_set())
    if callable(cancel):
        return bool(cancel())
    return False


def check_cancel(cancel: Cancel | None) -> None:
    """Raise :class:`SyncCancelledError` when the user asked to stop."""
    if is_cancelled(cancel):
        raise SyncCancelledError()


def report(progress: Progress | None, fraction: float | None, message: str) -> None:
    """Call ``progress`` when there is one."""
    if progress is not None:
        progress(fraction, message)
