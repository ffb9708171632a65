"""Build the one-folder bundle ``dist/coverage-desk/`` with PyInstaller (``make dist``).

Usage (from the checkout, with the project's virtualenv)::

    .venv/bin/python build/build.py              # Linux
    .venv\\Scripts\\python build\\build.py        # Windows

It refreshes ``resources/licenses`` from the installed packages, compiles the
catalogues (``resources/locale/*/LC_MESSAGES/*.mo``, Babel via ``build/update_po.py``:
the bundle ships these, not the ``.po``), runs PyInstaller
on ``build/coverage_desk.spec`` (work files in ``build/work``), and prints the
build time, the folder's size and its number of files. ``--licenses-only``
just refreshes the licence texts.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "build" / "coverage_desk.spec"
WORK = ROOT / "build" / "work"
DIST = ROOT / "dist"
BUNDLE = DIST / "coverage-desk"
LICENSES = ROOT / "resources" / "licenses"

# Texts that wheels do not carry: Qt/PySide6 are LGPLv3 (which adds to the GPLv3),
# and the frozen build ships the Python interpreter itself (PSF licence). Kept in
# the repository; refreshed from the build machine when it has them (Debian does).
SYSTEM_TEXTS = {
    "Qt-LGPL-3.0.txt": Path("/usr/share/common-licenses/LGPL-3"),
    "Qt-GPL-3.0.txt": Path("/usr/share/common-licenses/GPL-3"),
}
QT_TEXTS = ["licenses/Qt-LGPL-3.0.txt", "licenses/Qt-GPL-3.0.txt"]
# Short licence names where the metadata's are long or missing (SPDX where possible).
LICENCE_OVERRIDES = {
    "pyside6-essentials": "LGPL-3.0-only",
    "pyside6-addons": "LGPL-3.0-only",
    "shiboken6": "LGPL-3.0-only",
    "reportlab": "BSD",
    "peewee": "MIT",
    "pypdfium2": "Apache-2.0 OR BSD-3-Clause; PDFium: BSD-3-Clause and others",
}
INDEX = "index.json"
# Installed only as an extra of what the app imports, yet loaded at run time (and so
# collected by PyInstaller's hooks): psycopg uses psycopg-binary's C implementation.
RUNTIME_EXTRAS = {"psycopg": ["psycopg-binary"]}


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imported_top_level_names(package: Path = ROOT / "desktop_app") -> set[str]:
    """Top-level modules the application's source imports, outside the standard library."""
    names: set[str] = set()
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"desktop_app", "__future__"}


def _requirements(dist: metadata.Distribution) -> list[str]:
    """The names of what ``dist`` needs at run time here (no extras; markers evaluated)."""
    try:
        from packaging.requirements import Requirement
    except ImportError:  # no packaging: keep requirements without an extra marker
        Requirement = None  # type: ignore[assignment,misc]
    names = []
    for text in dist.requires or []:
        if Requirement is None:
            if "extra ==" not in text:
                names.append(re.split(r"[\s;<>=!~\[(]", text, maxsplit=1)[0])
            continue
        req = Requirement(text)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            names.append(req.name)
    return names


def runtime_distributions() -> list[metadata.Distribution]:
    """Every installed distribution the application runs on: what its source imports,
    what ``pyproject.toml`` declares, and all they require, transitively."""
    import tomllib

    by_package = metadata.packages_distributions()
    wanted = [d for name in imported_top_level_names() for d in by_package.get(name, [])]
    with (ROOT / "pyproject.toml").open("rb") as fh:
        declared = tomllib.load(fh)["project"]["dependencies"]
    wanted += [re.split(r"[\s;<>=!~\[(]", text, maxsplit=1)[0] for text in declared]
    found: dict[str, metadata.Distribution] = {}
    while wanted:
        name = _normalise(wanted.pop())
        if name in found or name == "coverage-desk":
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        found[name] = dist
        wanted += _requirements(dist) + RUNTIME_EXTRAS.get(name, [])
    return sorted(found.values(), key=lambda d: _normalise(d.metadata["Name"]))


def _licence_name(dist: metadata.Distribution) -> str:
    """A short licence name: override, SPDX expression, short License field, classifier."""
    meta = dist.metadata
    name = _normalise(meta["Name"])
    if name in LICENCE_OVERRIDES:
        return LICENCE_OVERRIDES[name]
    expression = (meta.get_all("License-Expression") or [""])[0]
    if expression:
        return str(expression)
    field = str((meta.get_all("License") or [""])[0]).strip()
    if field and "\n" not in field and len(field) <= 40:
        return field
    classifiers = [c for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return classifiers[0].split(" :: ")[-1] if classifiers else "see the licence text"


def _licence_files(dist: metadata.Distribution) -> list[tuple[Path, str]]:
    """(file, flattened name) of the licence texts in a distribution's metadata folder."""
    found: list[tuple[Path, str]] = []
    for entry in dist.files or []:
        parts = entry.parts
        if not parts or not parts[0].endswith(".dist-info"):
            continue
        inside = "/".join(parts[1:])
        if inside.startswith("licenses/") or entry.name.lower().startswith(
            ("licen", "copying", "notice")
        ):
            flat = inside.removeprefix("licenses/").replace("/", "_")
            found.append((Path(str(dist.locate_file(entry))), flat))
    return sorted(found)


def collect_licenses(target: Path = LICENSES) -> list[dict[str, object]]:
    """Write the licence texts of everything shipped into ``target`` and its ``index.json``.

    The index lists, for the About box, each component's name, version, licence and
    files (relative to ``resources/``). Returns the index.
    """
    target.mkdir(parents=True, exist_ok=True)
    index_path = target / INDEX
    old = json.loads(index_path.read_text(encoding="utf-8")) if index_path.exists() else []
    for name, source in SYSTEM_TEXTS.items():
        if source.is_file():
            shutil.copyfile(source, target / name)
    python_licence = (
        Path(sys.base_prefix)
        / "lib"
        / f"python{sys.version_info[0]}.{sys.version_info[1]}"
        / "LICENSE.txt"
    )
    if not python_licence.is_file():
        python_licence = Path(sys.base_prefix) / "LICENSE.txt"  # Windows layout
    if python_licence.is_file():
        shutil.copyfile(python_licence, target / "Python-LICENSE.txt")
    qt_version = ""
    index: list[dict[str, object]] = []
    for dist in runtime_distributions():
        name = str(dist.metadata["Name"])
        files = []
        for source, flat in _licence_files(dist):
            dest = target / f"{_normalise(name)}-{flat}"
            if dest.suffix.lower() not in (".txt", ".md"):
                dest = dest.with_name(dest.name + ".txt")
            shutil.copyfile(source, dest)
            files.append(f"licenses/{dest.name}")
        if _normalise(name) in ("pyside6-essentials", "pyside6-addons", "shiboken6"):
            files = QT_TEXTS + files
            qt_version = dist.version
        index.append(
            {"name": name, "version": dist.version, "licence": _licence_name(dist), "files": files}
        )
    index = [
        {"name": "Qt", "version": qt_version, "licence": "LGPL-3.0-only", "files": QT_TEXTS},
        {
            "name": "Python",
            "version": platform.python_version(),
            "licence": "PSF-2.0",
            "files": ["licenses/Python-LICENSE.txt"],
        },
        {
            "name": "Liberation Serif",
            "version": "",
            "licence": "OFL-1.1",
            "files": ["fonts/LICENSE-LiberationSerif.txt"],
        },
        *index,
    ]
    kept = {f for entry in index for f in entry["files"]}  # type: ignore[attr-defined]
    for entry in old:  # texts of distributions no longer shipped
        for stale in entry.get("files", []):
            if stale not in kept and stale.startswith("licenses/") and stale not in QT_TEXTS:
                (target.parent / stale).unlink(missing_ok=True)
    index_path.write_text(json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return index


def folder_size(folder: Path) -> tuple[int, int, int]:
    """(bytes, regular files, symbolic links) under ``folder`` (links not counted in bytes)."""
    total = count = links = 0
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                links += 1
            else:
                total += path.stat().st_size
                count += 1
    return total, count, links


def compile_catalogues() -> list[Path]:
    """The ``.mo`` of every shipped ``.po``, written beside it (what the bundle ships)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cd_update_po", ROOT / "build" / "update_po.py")
    assert spec is not None and spec.loader is not None
    update_po = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(update_po)
    return [update_po.compile_mo(po) for po in sorted((ROOT / "resources/locale").rglob("*.po"))]


def run_pyinstaller() -> None:
    """PyInstaller on the spec, from a clean work folder."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--workpath",
        str(WORK),
        "--distpath",
        str(DIST),
        str(SPEC),
    ]
    subprocess.run(command, cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    """Build the bundle; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--licenses-only", action="store_true", help="only refresh the licences")
    args = parser.parse_args(argv)
    collect_licenses()
    if args.licenses_only:
        return 0
    started = time.monotonic()
    for mo in compile_catalogues():
        print(f"compiled {mo.relative_to(ROOT)}")
    run_pyinstaller()
    seconds = time.monotonic() - started
    size, files, links = folder_size(BUNDLE)
    exe = BUNDLE / ("coverage-desk.exe" if sys.platform == "win32" else "coverage-desk")
    print(f"built {exe}")
    print(
        f"build time {seconds:.0f} s; {size / 2**20:.1f} MiB in {files} files"
        f" (+{links} symbolic links)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
