"""Every keyboard shortcut of the window, in one list: the Phím tắt dialog shows it and
the user guide's build prints it (so neither can forget one the other knows)."""

from __future__ import annotations

from desktop_app.i18n import _


def shortcuts() -> list[tuple[str, str, str]]:
    """(where, keys, what it does), in the current language."""
    window, entry = _("Everywhere"), _("Data entry")
    comment, reports = _("Comment dialog"), _("Reports")
    return [
        (window, "Ctrl+L", _("Log out / switch user")),
        (window, "Ctrl+Q", _("Quit")),
        (window, "F1", _("User guide")),
        (entry, _("Enter"), _("Save the cell and go down to the next row")),
        (entry, "Tab / Shift+Tab", _("Save the cell and go right / left")),
        (entry, "Esc", _("Leave the cell without saving what was typed")),
        (entry, "Ctrl+Z", _("Undo")),
        (entry, "Ctrl+Y, Ctrl+Shift+Z", _("Redo")),
        (entry, "Ctrl+V", _("Paste a block of cells (from Excel too)")),
        (entry, "Delete", _("Clear the selected cells")),
        (entry, "F4", _("History and comment of the cell")),
        (comment, "Ctrl+Enter", _("Save the comment")),
        (comment, "Tab", _("Go from the comment box to the buttons")),
        (reports, "F5", _("Preview the report")),
        (reports, "Ctrl+P", _("Print")),
    ]
