"""Errors of report generation, worded for the user (they are store errors, so the CLI
and the window show them the same way)."""

from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError


class WrongUnitLevelError(StoreError):
    """The unit is not of the level the report is for."""

    def template(self) -> str:
        return _("{unit} is not a {kind}: choose a unit of that level for this report.")


class BadPeriodError(StoreError):
    """The period code cannot be read."""

    def template(self) -> str:
        return _("Invalid period {period}: write a year such as 2020 or a quarter such as 2020Q4.")


class UnknownFormatError(StoreError):
    """The output file's extension names no format we write."""

    def template(self) -> str:
        return _("Cannot write {path}: the file name must end in {formats}.")


class OutputError(StoreError):
    """The output file cannot be written (missing or read-only folder, full disk)."""

    def template(self) -> str:
        return _("Cannot write {path}: {detail}")
