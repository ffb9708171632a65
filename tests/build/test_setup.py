"""The README's set-up lines, make's system check and CI name the same packages."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.build.test_spec import ROOT, readme_setup_packages

CHECK = ROOT / "build" / "check_system.sh"


def test_the_sudo_line_is_the_root_line_with_sudo() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    root_block = re.search(r"```sh\n(apt-get update\napt-get install[^`]*)```", readme)
    sudo_block = re.search(r"```sh\n(sudo apt-get update\nsudo apt-get install[^`]*)```", readme)
    assert root_block is not None and sudo_block is not None
    with_sudo = "".join(f"sudo {line}\n" for line in root_block.group(1).splitlines())
    assert sudo_block.group(1) == with_sudo


def test_make_checks_exactly_the_readme_packages() -> None:
    listed = subprocess.run(
        ["sh", str(CHECK), "list"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed == readme_setup_packages()


def test_ci_installs_every_readme_package() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    block = re.search(r"SYSTEM_PACKAGES=\(\n(.*?)\n\)", ci, flags=re.DOTALL)
    assert block is not None
    words = {word for line in block.group(1).splitlines() for word in line.split("#")[0].split()}
    assert set(readme_setup_packages()) <= words


def _fake_root(tmp_path: Path, have_libs: list[str]) -> dict[str, str]:
    """A PATH whose ldconfig knows only ``have_libs``; python3, make, pdftotext present."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    cache = "".join(f"\t{name} (libc6,x86-64) => /usr/lib/{name}\n" for name in have_libs)
    (bin_dir / "ldconfig").write_text(f"#!/bin/sh\nprintf '%s' '{cache}'\n")
    for tool in ("make", "pdftotext", "python3"):
        real = shutil.which(tool)
        if real is None:
            pytest.skip(f"{tool} not installed")
        (bin_dir / tool).symlink_to(real)
    (bin_dir / "ldconfig").chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}


def test_a_missing_library_is_named_with_its_apt_get_line(tmp_path: Path) -> None:
    # Every library but libxcb-shape.so.0: the one Qt's own message does not name.
    script = CHECK.read_text(encoding="utf-8")
    sonames = re.findall(r"\|lib:([^|]+)\|", script)
    env = _fake_root(tmp_path, [s for s in sonames if s != "libxcb-shape.so.0"])
    result = subprocess.run(
        ["sh", str(CHECK), "run"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert result.stdout.splitlines() == [
        "missing system package libxcb-shape0 (libxcb-shape.so.0, for Qt on X11): "
        f"{sudo}apt-get install libxcb-shape0",
        f"install them all with: {sudo}apt-get update && {sudo}apt-get install -y libxcb-shape0",
    ]
    # `make test` does not need Qt's X11 libraries: the same machine passes its check.
    offscreen = subprocess.run(
        ["sh", str(CHECK), "test"], capture_output=True, text=True, env=env, check=False
    )
    assert (offscreen.returncode, offscreen.stdout) == (0, "")


def test_the_makefile_checks_before_it_builds_the_venv() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    stamp_rule = makefile[makefile.index("$(STAMP): pyproject.toml") :]
    recipe = stamp_rule.split("\n\n")[0].splitlines()[1:]
    assert recipe[0].strip() == "@sh build/check_system.sh $(SYSTEM_NEEDS)"
    assert "-m venv" in recipe[1]
    assert "run: SYSTEM_NEEDS := run" in makefile


def test_the_screenshot_of_make_run_keeps_its_colours(tmp_path: Path) -> None:
    """build/xwd_to_png.py: an Xvfb depth-24 dump (4 bytes a pixel, LSBFirst) to PNG."""
    import importlib.util
    import struct

    from PIL import Image

    spec = importlib.util.spec_from_file_location("cd_xwd", ROOT / "build" / "xwd_to_png.py")
    assert spec is not None and spec.loader is not None
    xwd = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(xwd)

    width, height, name = 3, 2, b"root\0"
    fields = [0] * 25
    fields[0] = 100 + len(name)  # header size
    fields[3], fields[4], fields[5] = 24, width, height  # depth, size
    fields[7], fields[11], fields[12] = 0, 24, 4 * width  # LSBFirst, Xvfb's "24", stride
    fields[19] = 1  # one colour map entry to skip
    pixels = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (10, 20, 30), (0, 0, 0), (255, 255, 255)]
    body = b"".join(bytes((b, g, r, 0)) for r, g, b in pixels)
    source = tmp_path / "screen.xwd"
    source.write_bytes(struct.pack(">25I", *fields) + name + bytes(12) + body)
    assert xwd.xwd_to_png(source, tmp_path / "screen.png") == (width, height)
    with Image.open(tmp_path / "screen.png") as image:
        rgb = image.convert("RGB")
        assert [rgb.getpixel((x, y)) for y in range(height) for x in range(width)] == pixels
