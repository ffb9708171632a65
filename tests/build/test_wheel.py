"""A built wheel carries the resources and the compiled catalogue (setup.py's build hook)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.build.test_spec import ROOT


def test_the_wheel_ships_resources_and_a_compiled_catalogue(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("coverage_desk-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    prefix = "desktop_app/_resources/"
    assert f"{prefix}locale/vi/LC_MESSAGES/coverage_desk.mo" in names
    assert not any(name.endswith(".po") for name in names)
    shipped = {name[len(prefix) :] for name in names if name.startswith(prefix)}
    in_checkout = {
        str(path.relative_to(ROOT / "resources"))
        for path in (ROOT / "resources").rglob("*")
        if path.is_file() and path.suffix not in {".po", ".mo", ".pyc"}
    }
    assert in_checkout <= shipped
    # The installed layout finds its own resources and reads Vietnamese from the .mo.
    probe = (
        "from desktop_app import i18n, paths;"
        "print(paths.resources_dir());"
        "i18n.setup('vi');"
        "print(i18n._('A backup was made before the import: {name}'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out == [
        str(tmp_path / "site" / "desktop_app" / "_resources"),
        "Đã sao lưu trước khi nhập: {name}",
    ]
