"""Help: the user guide (HTML shipped under ``resources/guide``, built by
``build/build_guide.py`` from ``docs/guide`` and the screenshot script), the list of
shortcuts, and the language preference kept between runs.

The guide is read with Qt's own browser widget, so it opens the same from a checkout
and from the frozen build (``resources/`` travels with the bundle), with no web
browser and no network.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QUrl
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.i18n import _, current_language
from desktop_app.paths import resources_dir
from desktop_app.ui.shortcuts import shortcuts

LANGUAGE_KEY = "language"


def guide_dir() -> Path:
    """Where the built guide lives (``index.html`` and one page per chapter)."""
    return resources_dir() / "guide" / "vi"


def chapters(folder: Path | None = None) -> list[tuple[str, Path]]:
    """(title, page) of each chapter, from the guide's ``chapters.txt`` (built with it)."""
    folder = folder or guide_dir()
    listing = folder / "chapters.txt"
    if not listing.exists():
        return []
    out = []
    for line in listing.read_text(encoding="utf-8").splitlines():
        name, _sep, title = line.partition("\t")
        if name:
            out.append((title or name, folder / name))
    return out


class GuideDialog(QDialog):
    """The user guide: the chapters on the left, the chosen one on the right."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("User guide"))
        self.resize(1100, 700)
        self.folder = folder or guide_dir()
        self.list = QListWidget(self)
        self.list.setMaximumWidth(260)
        self.browser = QTextBrowser(self)
        self.browser.setOpenExternalLinks(False)
        row = QHBoxLayout()
        row.addWidget(self.list)
        row.addWidget(self.browser, 1)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(buttons)
        self.pages = chapters(self.folder)
        for title, _page in self.pages:
            QListWidgetItem(title, self.list)
        self.list.currentRowChanged.connect(self._show)
        if self.pages:
            self.list.setCurrentRow(0)
        else:
            self.browser.setPlainText(
                _("The user guide is missing from this installation ({path}).").format(
                    path=self.folder
                )
            )

    def _show(self, row: int) -> None:
        if 0 <= row < len(self.pages):
            self.browser.setSource(QUrl.fromLocalFile(str(self.pages[row][1])))

    def show_chapter(self, role: str) -> None:
        """Open the chapter of ``role`` (clerk, reviewer, admin, province)."""
        for row, (_title, page) in enumerate(self.pages):
            if role in page.stem:
                self.list.setCurrentRow(row)


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut, grouped by where it works."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Keyboard shortcuts"))
        self.resize(640, 520)
        rows = shortcuts()
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels([_("Where"), _("Keys"), _("What it does")])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, texts in enumerate(rows):
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(self)
        close = buttons.addButton(_("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)


def settings() -> QSettings:
    """This user's preferences (the registry on Windows, a file elsewhere)."""
    return QSettings("CoverageDesk", "Coverage Desk")


def saved_language() -> str | None:
    """The language chosen in the menu last time, if any."""
    value = settings().value(LANGUAGE_KEY)
    return str(value) if value in ("vi", "en") else None


def save_language(lang: str) -> None:
    """Remember ``lang`` for the next start."""
    settings().setValue(LANGUAGE_KEY, lang)
    settings().sync()


def other_language() -> str:
    """The language the switch offers."""
    return "en" if current_language() == "vi" else "vi"
