"""Name a new village of the register, or rename one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from desktop_app.i18n import _
from desktop_app.ui.dialogs.base import FormDialog, FormInvalid


class VillageNameDialog(FormDialog[str]):
    """Asks for a village name; ``save`` receives it (spaces tidied)."""

    def __init__(
        self,
        commune_name: str,
        save: Callable[[str], object],
        current: str = "",
        parent: QWidget | None = None,
    ) -> None:
        title = _("Rename the village") if current else _("Add a village")
        super().__init__(title, save, parent)
        self.setMinimumWidth(420)
        self.body.addWidget(
            QLabel(_("Village (thôn, bản, tiểu khu) of {commune}:").format(commune=commune_name))
        )
        self.name_edit = QLineEdit(current)
        self.name_edit.setPlaceholderText(_("e.g. Bản Nà Sản"))
        self.body.addWidget(self.name_edit)

    def collect(self) -> str:
        """The name typed, with runs of spaces folded."""
        name = " ".join(self.name_edit.text().split())
        if not name:
            raise FormInvalid(_("Give the village a name."))
        return name
