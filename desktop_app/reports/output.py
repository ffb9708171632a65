"""Writing an output file safely: a temporary file beside it, renamed when complete.

A missing or read-only folder and a full disk become :class:`OutputError` with a clear
message, and no half-written file is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.reports.errors import OutputError


def _detail(exc: OSError) -> str:
    from desktop_app.i18n import _

    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return _("the disk is full")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _("permission denied")
    if exc.errno == errno.ENOENT:
        return _("the folder does not exist")
    if exc.errno == errno.EISDIR:
        return _("it is a folder")
    return exc.strerror or str(exc)


@contextmanager
def safe_output(out: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``out``."""
    out = Path(out)
    if out.is_dir():
        raise OutputError(path=str(out), detail=_detail(OSError(errno.EISDIR, "")))
    if not out.parent.is_dir():
        raise OutputError(path=str(out), detail=_detail(OSError(errno.ENOENT, "")))
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        try:
            tmp.touch()
        except OSError as exc:
            raise OutputError(path=str(out), detail=_detail(exc)) from exc
        try:
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, out)
        except OSError as exc:
            raise OutputError(path=str(out), detail=_detail(exc)) from exc
    finally:
        # On a read-only stick even removing a file that is not there fails (EROFS):
        # nothing was left behind, and the clear OutputError above must not be hidden.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
