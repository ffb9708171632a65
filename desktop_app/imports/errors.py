"""Errors of the importers, worded for the user (store errors, so the CLI and the
window show them the same way). Each one means: nothing was changed."""

from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError


class ImportFileError(StoreError):
    """The file cannot be read as what the importer reads."""

    def template(self) -> str:
        return _("Cannot import {path}: {detail}. Nothing was changed.")


class WrongWorkbookError(StoreError):
    """A readable workbook that is not a template this database can take."""

    def template(self) -> str:
        return _("Cannot import {path}: {detail}. Nothing was changed.")


class CellsRefusedError(StoreError):
    """Some cells were refused and ``--partial`` was not asked for."""

    def template(self) -> str:
        return _(
            "Nothing was imported: {count} cell(s) refused (listed above). Correct them, "
            "or import with --partial to apply the other cells."
        )


class NotAllowedError(StoreError):
    """This office may not make this import."""

    def template(self) -> str:
        return _("Cannot import: {detail}. Nothing was changed.")
