"""Writing to a write-protected stick: one clear error, nothing left, no traceback."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from desktop_app.reports.errors import OutputError
from desktop_app.reports.output import safe_output


def test_a_read_only_file_system_gives_the_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # injected fault: the file system refuses every write, even removing a missing file
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(self))

    monkeypatch.setattr(Path, "touch", refuse)
    monkeypatch.setattr(Path, "unlink", refuse)
    with pytest.raises(OutputError) as caught:
        with safe_output(tmp_path / "report.pdf") as tmp:
            tmp.write_text("never")
    monkeypatch.undo()
    assert "permission denied" in str(caught.value)
    assert list(tmp_path.iterdir()) == []
