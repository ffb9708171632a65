"""The PyInstaller spec's settings, checked without building (and without PyInstaller).

The spec is executed with stand-ins for PyInstaller's Analysis/PYZ/EXE/COLLECT and
hook helpers that record what they are given.
"""

from __future__ import annotations

import ast
import re
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "build" / "coverage_desk.spec"


@dataclass
class Recorded:
    """What the spec handed to PyInstaller."""

    analyses: list[dict[str, Any]] = field(default_factory=list)
    exes: list[dict[str, Any]] = field(default_factory=list)
    collects: list[tuple[tuple[Any, ...], dict[str, Any]]] = field(default_factory=list)
    submodules: list[str] = field(default_factory=list)
    data_files: list[str] = field(default_factory=list)
    metadata: list[str] = field(default_factory=list)


# Files a real Analysis of the app collects (dest, src, kind), to see what the filters keep.
QT = "PySide6/Qt"
FAKE_BINARIES = [
    (f"{QT}/plugins/platforms/libqoffscreen.so", "/x/libqoffscreen.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqxcb.so", "/x/libqxcb.so", "BINARY"),
    (f"{QT}/plugins/platforms/libqwayland.so", "/x/libqwayland.so", "BINARY"),
    (f"{QT}/plugins/platforms/qwindows.dll", "/x/qwindows.dll", "BINARY"),
    (f"{QT}/plugins/platformthemes/libqgtk3.so", "/x/libqgtk3.so", "BINARY"),
    (f"{QT}/plugins/imageformats/libqico.so", "/x/libqico.so", "BINARY"),
    (f"{QT}/plugins/imageformats/libqpdf.so", "/x/libqpdf.so", "BINARY"),
    (f"{QT}/plugins/tls/libqopensslbackend.so", "/x/libqopensslbackend.so", "BINARY"),
    (f"{QT}/plugins/styles/qmodernwindowsstyle.dll", "/x/qmodernwindowsstyle.dll", "BINARY"),
    (f"{QT}/lib/libQt6Core.so.6", "/x/libQt6Core.so.6", "BINARY"),
    (f"{QT}/lib/libQt6Network.so.6", "/x/libQt6Network.so.6", "BINARY"),
    (f"{QT}/lib/libQt6Qml.so.6", "/x/libQt6Qml.so.6", "BINARY"),
    ("PySide6/QtWidgets.abi3.so", "/x/QtWidgets.abi3.so", "EXTENSION"),
    ("libgtk-3.so.0", "/usr/lib/libgtk-3.so.0", "BINARY"),
    # the Windows wheel's layout: no Qt/ folder
    ("PySide6/plugins/platforms/qwindows.dll", "C:/x/qwindows.dll", "BINARY"),
    ("PySide6/plugins/printsupport/windowsprintersupport.dll", "C:/x/wps.dll", "BINARY"),
    ("PySide6/plugins/tls/qschannelbackend.dll", "C:/x/qschannelbackend.dll", "BINARY"),
    ("PySide6/Qt6Network.dll", "C:/x/Qt6Network.dll", "BINARY"),
    ("pypdfium2_raw/libpdfium.so", "/x/libpdfium.so", "BINARY"),  # loaded by ctypes
]
FAKE_DATAS = [
    (f"{QT}/translations/qtbase_en.qm", "/x/qtbase_en.qm", "DATA"),
    (f"{QT}/translations/qtbase_de.qm", "/x/qtbase_de.qm", "DATA"),
    (f"{QT}/translations/qt_fr.qm", "/x/qt_fr.qm", "DATA"),
    ("PySide6/translations/qtbase_vi.qm", "C:/x/qtbase_vi.qm", "DATA"),
    ("reportlab/fonts/Vera.ttf", "/x/Vera.ttf", "DATA"),
    ("resources/locale/vi/LC_MESSAGES/coverage_desk.po", "/x/coverage_desk.po", "DATA"),
    ("resources/locale/vi/LC_MESSAGES/coverage_desk.mo", "/x/coverage_desk.mo", "DATA"),
]


def run_spec(monkeypatch: pytest.MonkeyPatch, platform: str) -> Recorded:
    """Execute the spec as PyInstaller would on ``platform``; what it asked for."""
    rec = Recorded()

    class Analysis:
        def __init__(self, scripts: list[str], **kwargs: Any) -> None:
            rec.analyses.append({"scripts": scripts, **kwargs})
            self.binaries = list(FAKE_BINARIES)
            self.datas = list(FAKE_DATAS) + [
                (dest, src, "DATA") for src, dest in kwargs.get("datas", [])
            ]
            self.pure: list[Any] = []
            self.scripts = [("pyi_rth_inspect", "/x/pyi_rth_inspect.py", "PYSOURCE")] + [
                (Path(s).stem, s, "PYSOURCE") for s in scripts
            ]

    def EXE(*args: Any, **kwargs: Any) -> dict[str, Any]:
        rec.exes.append({"args": args, **kwargs})
        return rec.exes[-1]

    def COLLECT(*args: Any, **kwargs: Any) -> None:
        rec.collects.append((args, kwargs))

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda name: rec.submodules.append(name) or [f"{name}.x"]  # type: ignore[attr-defined]
    hooks.collect_data_files = lambda name: (
        rec.data_files.append(name)
        or [  # type: ignore[attr-defined]
            (f"/site/{name}/data", name)
        ]
    )
    hooks.copy_metadata = lambda name: (
        rec.metadata.append(name)
        or [  # type: ignore[attr-defined]
            (f"/site/{name}.dist-info", f"{name}.dist-info")
        ]
    )
    bindepend = types.ModuleType("PyInstaller.depend.bindepend")
    # every plugin and extension links Qt Core; nothing links GTK (the removed theme did)
    bindepend.get_imports = lambda path: {  # type: ignore[attr-defined]
        ("libQt6Core.so.6", "/x/libQt6Core.so.6")
    }
    versioninfo = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in (
        "FixedFileInfo",
        "StringFileInfo",
        "StringStruct",
        "StringTable",
        "VarFileInfo",
        "VarStruct",
        "VSVersionInfo",
    ):
        setattr(versioninfo, name, lambda *a, **k: (a, k))
    for module_name, module in {
        "PyInstaller": types.ModuleType("PyInstaller"),
        "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
        "PyInstaller.utils.hooks": hooks,
        "PyInstaller.utils.win32": types.ModuleType("PyInstaller.utils.win32"),
        "PyInstaller.utils.win32.versioninfo": versioninfo,
        "PyInstaller.depend": types.ModuleType("PyInstaller.depend"),
        "PyInstaller.depend.bindepend": bindepend,
    }.items():
        monkeypatch.setitem(sys.modules, module_name, module)
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace: dict[str, Any] = {
        "SPECPATH": str(SPEC.parent),
        "Analysis": Analysis,
        "PYZ": lambda pure: ("PYZ", pure),
        "EXE": EXE,
        "COLLECT": COLLECT,
        "__name__": "__main__",
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    rec.analyses[0]["result"] = namespace["a"]
    rec.analyses[0]["keep"] = namespace["_keep"]  # the filter, for a frozen layout in tests
    return rec


@pytest.fixture
def linux(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    return run_spec(monkeypatch, "linux")


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> Recorded:
    return run_spec(monkeypatch, "win32")


def test_one_analysis_of_the_whole_command_line(linux: Recorded) -> None:
    assert len(linux.analyses) == 1
    (script,) = linux.analyses[0]["scripts"]
    assert Path(script) == ROOT / "build" / "entry.py"
    assert "from desktop_app import cli" in Path(script).read_text(encoding="utf-8")
    assert "desktop_app" in linux.submodules  # commands are imported by name in cli.py


def test_resources_reportlab_data_and_version_metadata_are_collected(linux: Recorded) -> None:
    datas = linux.analyses[0]["datas"]
    assert (str(ROOT / "resources"), "resources") in datas
    assert "reportlab" in linux.data_files
    assert "coverage-desk" in linux.metadata


def test_unused_qt_modules_and_dev_tools_are_excluded(linux: Recorded) -> None:
    excludes = set(linux.analyses[0]["excludes"])
    for name in (
        "PySide6.QtWebEngineCore",
        "PySide6.QtWebEngineWidgets",
        "PySide6.Qt3DCore",
        "PySide6.QtQml",
        "PySide6.QtQuick",
        "PySide6.QtMultimedia",
        "PySide6.QtCharts",
        "PySide6.QtSql",
        "PySide6.QtNetwork",
        "PySide6.QtTest",
        "tkinter",
        "unittest",
        "pytest",
        "mypy",
        "ruff",
        "hypothesis",
        "tests",
    ):
        assert name in excludes, name


def test_no_qt_module_the_app_imports_is_excluded(linux: Recorded) -> None:
    excludes = set(linux.analyses[0]["excludes"])
    used: set[str] = set()
    for path in (ROOT / "desktop_app").rglob("*.py"):
        used |= set(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    assert used >= {"QtCore", "QtGui", "QtWidgets"}
    assert not {f"PySide6.{m}" for m in used} & excludes


def test_only_the_needed_qt_plugins_and_translations_are_kept(linux: Recorded) -> None:
    a = linux.analyses[0]["result"]
    kept = {Path(dest).name for dest, _src, _kind in a.binaries + a.datas}
    assert {"libqoffscreen.so", "libqxcb.so", "libqico.so", "qwindows.dll"} <= kept
    assert {"libQt6Core.so.6", "QtWidgets.abi3.so", "qmodernwindowsstyle.dll"} <= kept
    assert "qtbase_en.qm" in kept and "Vera.ttf" in kept and "libpdfium.so" in kept
    # the compiled catalogue, not its source: Babel (excluded) would be needed to read it
    assert "coverage_desk.mo" in kept and "coverage_desk.po" not in kept
    assert "babel" in linux.analyses[0]["excludes"]
    dropped = {
        "libqwayland.so",
        "libqgtk3.so",
        "libqpdf.so",
        "libqopensslbackend.so",
        "libQt6Network.so.6",
        "libQt6Qml.so.6",
        "qtbase_de.qm",
        "qt_fr.qm",
    }
    assert not dropped & kept
    assert "libgtk-3.so.0" not in kept  # only the GTK theme plugin needed it


def test_windows_layout_keeps_the_windows_plugins(windows: Recorded) -> None:
    a = windows.analyses[0]["result"]
    kept = {Path(dest).name for dest, _src, _kind in a.binaries + a.datas}
    assert {"qwindows.dll", "windowsprintersupport.dll", "qmodernwindowsstyle.dll"} <= kept
    assert not {"qschannelbackend.dll", "Qt6Network.dll", "qtbase_vi.qm"} & kept
    assert "libgtk-3.so.0" in kept  # no pruning by link-time analysis on Windows


def test_linux_one_console_executable_in_one_folder(linux: Recorded) -> None:
    (exe,) = linux.exes
    assert exe["name"] == "coverage-desk" and exe["console"] is True
    assert exe["exclude_binaries"] is True  # one folder, not one file
    assert exe["strip"] is True and exe["upx"] is False
    ((_args, collect),) = linux.collects
    assert collect["name"] == "coverage-desk"


def test_windows_console_and_windowed_executables_share_one_folder(windows: Recorded) -> None:
    cli, gui = windows.exes
    assert (cli["name"], cli["console"]) == ("coverage-desk", True)
    assert (gui["name"], gui["console"]) == ("CoverageDesk", False)
    assert cli["args"][0] is gui["args"][0]  # the same Python archive
    assert gui["args"][1][-1][1].endswith("entry_gui.py")
    assert gui["args"][1][:-1] == cli["args"][1][:-1]  # the same runtime hooks
    for exe in (cli, gui):
        assert exe["icon"] == str(ROOT / "resources" / "icons" / "app.ico")
        assert exe["strip"] is False and exe["version"] is not None
    assert (ROOT / "resources" / "icons" / "app.ico").is_file()
    ((args, collect),) = windows.collects
    assert args[0] is cli and args[1] is gui and collect["name"] == "coverage-desk"


def test_the_gui_entry_needs_nothing_the_cli_entry_does_not() -> None:
    """entry_gui.py reuses entry.py's analysis: it may import only the stdlib and the CLI."""
    tree = ast.parse((ROOT / "build" / "entry_gui.py").read_text(encoding="utf-8"))
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "multiprocessing", "os", "sys", "desktop_app.cli"}


def readme_setup_packages() -> list[str]:
    """The packages of the README's root `apt-get install` line (the set-up block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^apt-get install -y ([^\n]+)$", readme, flags=re.MULTILINE)
    assert len(lines) == 1, "the README has one root apt-get install line"
    return lines[0].split()


def test_the_smoke_test_allows_only_readme_packages() -> None:
    """The frozen bundle takes from the system only what the README's line installs."""
    smoke = (ROOT / "build" / "smoke_test.sh").read_text(encoding="utf-8")
    listed = re.search(r"README_PACKAGES=\(([^)]*)\)", smoke)
    assert listed is not None
    assert set(listed.group(1).split()) <= set(readme_setup_packages())


def _build_script() -> types.ModuleType:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cd_build_script", ROOT / "build" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_licence_index_covers_every_runtime_package() -> None:
    """A new dependency needs its licence shipped: run `build/build.py --licenses-only`."""
    import json

    build = _build_script()
    index = json.loads((ROOT / "resources/licenses/index.json").read_text(encoding="utf-8"))
    listed = {build._normalise(entry["name"]) for entry in index}
    needed = {build._normalise(d.metadata["Name"]) for d in build.runtime_distributions()}
    assert {"pyside6-essentials", "reportlab", "peewee", "cryptography"} <= needed
    missing = needed - listed
    assert not missing, f"run build/build.py --licenses-only; no licence for {sorted(missing)}"
    assert {"qt", "python", "liberation serif"} <= listed
    for entry in index:
        for name in entry["files"]:
            assert (ROOT / "resources" / name).is_file(), name
