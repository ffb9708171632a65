"""The About box (Trợ giúp → Giới thiệu): version, where the data is, and the licences.

The version comes from the installed package's metadata (``desktop_app.__version__``;
the frozen build carries the dist-info). The licence texts ship in
``resources/licenses`` with an ``index.json`` (name, version, licence, files of every
shipped package, collected from their metadata by ``build/build.py``) and in
``resources/fonts`` (Liberation Serif, OFL 1.1); choosing a component shows its text.

The main window opens it with::

    AboutDialog(self, self.context.store.path).exec()
"""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app import __version__
from desktop_app.i18n import _
from desktop_app.paths import default_data_dir, is_portable, resources_dir
from desktop_app.ui.widgets.dialogs import button_box


@dataclass(frozen=True)
class Component:
    """A shipped component: its name, version, licence and licence files (under resources/)."""

    name: str
    version: str
    licence: str
    files: tuple[str, ...]

    def paths(self, root: Path | None = None) -> list[Path]:
        """The licence files, resolved under the resources folder."""
        base = resources_dir() if root is None else root
        return [base / name for name in self.files]


LICENCE_INDEX = "licenses/index.json"
"""Written by ``build/build.py`` from the installed packages: what the bundle ships."""


def components(root: Path | None = None) -> list[Component]:
    """Everything the application ships that is not ours, from the licence index.

    Qt, Python and the Liberation Serif fonts come first, then the Python packages
    in alphabetical order. A missing or damaged index gives an empty list.
    """
    base = resources_dir() if root is None else root
    try:
        entries = json.loads((base / LICENCE_INDEX).read_text(encoding="utf-8"))
        return [
            Component(
                str(e["name"]), str(e["version"]), str(e["licence"]), tuple(map(str, e["files"]))
            )
            for e in entries
        ]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def licence_text(component: Component, root: Path | None = None) -> str:
    """The licence texts of ``component``, one after the other (or a note if missing)."""
    parts: list[str] = []
    for path in component.paths(root):
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = _("(licence file missing: {path})").format(path=path)
        parts.append(f"{path.name}\n\n{text}")
    return ("\n\n" + "─" * 60 + "\n\n").join(parts)


def about_html(db_path: Path | None) -> str:
    """The head of the box: name, version, purpose, database and data folder."""
    database = str(db_path) if db_path is not None else _("no database open")
    folder = str(default_data_dir())
    if is_portable():
        folder += " " + _("(portable mode)")
    lines = [
        f"<h2>Coverage Desk {__version__}</h2>",
        "<p>"
        + _(
            "Records where telephone signal, Internet, postal service and grassroots "
            "radio reach the villages of the province, and carries the data to the "
            "provincial server."
        )
        + "</p>",
        "<p><b>" + _("Database:") + f"</b> {_html(database)}<br>",
        "<b>" + _("Data folder:") + f"</b> {_html(folder)}<br>",
        "<b>"
        + _("Built with:")
        + f"</b> Python {platform.python_version()}, Qt {qVersion()}, PySide6 {pyside_version}"
        + ("" if not getattr(sys, "frozen", False) else " (" + _("frozen build") + ")")
        + "</p>",
        "<p>"
        + _(
            "Coverage Desk uses the free software below. Qt is used under the LGPL "
            "version 3: its libraries are separate files in the program folder and "
            "may be replaced."
        )
        + "</p>",
    ]
    return "".join(lines)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class AboutDialog(QDialog):
    """Version, database path, and the licences of what the application ships."""

    def __init__(self, parent: QWidget | None, db_path: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("About Coverage Desk"))
        self.resize(720, 560)
        header = QLabel(about_html(db_path), self)
        header.setWordWrap(True)
        header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shipped = components()
        self.components = QListWidget(self)
        self.components.setMaximumWidth(300)
        for component in self.shipped:
            label = f"{component.name} {component.version}".strip() + f" — {component.licence}"
            item = QListWidgetItem(label, self.components)
            item.setToolTip(label)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        middle = QHBoxLayout()
        middle.addWidget(self.components)
        middle.addWidget(self.text, 1)
        buttons = button_box(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(QLabel(_("Licences:"), self))
        layout.addLayout(middle, 1)
        layout.addWidget(buttons)
        self.components.currentRowChanged.connect(self._show_licence)
        self.components.setCurrentRow(0)

    def _show_licence(self, row: int) -> None:
        if 0 <= row < len(self.shipped):
            self.text.setPlainText(licence_text(self.shipped[row]))
