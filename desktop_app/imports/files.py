"""The checks every import makes on its file before reading a byte of content.

A file that is missing, unreadable, too big, or not what its importer reads is
refused with one sentence, before the database is touched.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from desktop_app.i18n import _
from desktop_app.imports.errors import ImportFileError

# A commune's workbook is tens of kilobytes and a 3,000-village province's about
# 2 MB; anything far above is a wrong file, and reading it would only stall the window.
MAX_FILE_BYTES = 20 * 1024 * 1024
# What an XLSX may unpack to (zip bombs: a few kilobytes that inflate to gigabytes).
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _size_text(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_readable(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The file's first bytes; :class:`ImportFileError` when it cannot or should not be read."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(path=str(path), detail=_("the file does not exist"))
    if path.is_dir():
        raise ImportFileError(path=str(path), detail=_("it is a folder"))
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFileError(
            path=str(path),
            detail=_("the file is {size}, more than the {limit} an import reads").format(
                size=_size_text(size), limit=_size_text(max_bytes)
            ),
        )
    if size == 0:
        raise ImportFileError(path=str(path), detail=_("the file is empty"))
    try:
        with open(path, "rb") as fh:
            return fh.read(8)
    except PermissionError:
        raise ImportFileError(path=str(path), detail=_("permission denied")) from None
    except OSError as exc:
        raise ImportFileError(path=str(path), detail=exc.strerror or str(exc)) from None


def check_xlsx(path: Path) -> None:
    """Refuse anything but a readable Excel 2007+ workbook of a sane size."""
    head = check_readable(path)
    if head.startswith(_OLE_MAGIC):
        raise ImportFileError(
            path=str(path),
            detail=_(
                "it is an old Excel 97-2003 file (.xls): open it in Excel and save it as .xlsx"
            ),
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        names, unpacked = set(), 0
    if "xl/workbook.xml" not in names:
        raise ImportFileError(path=str(path), detail=_("it is not an Excel workbook (.xlsx)"))
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError(
            path=str(path),
            detail=_("the workbook unpacks to {size}, more than an import reads").format(
                size=_size_text(unpacked)
            ),
        )


def check_writable(out: Path) -> None:
    """Refuse to replace a file marked read-only (Windows' "Read-only" box, chmod a-w).

    Checked by the mode bits, not by trying: an administrator account could write
    anyway, and the clerk who ticked "Read-only" meant the file to stay as it is.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        if not out.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
            from desktop_app.reports.errors import OutputError

            raise OutputError(path=str(out), detail=_("the file is read-only"))
        if not os.access(out, os.W_OK):  # pragma: no cover - root passes os.access
            from desktop_app.reports.errors import OutputError

            raise OutputError(path=str(out), detail=_("permission denied"))
