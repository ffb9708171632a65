"""Errors the store raises, each able to say what went wrong in the user's language."""

from __future__ import annotations

from desktop_app.i18n import _


class StoreError(Exception):
    """Base of every error the store reports to a user."""

    def __init__(self, **params: object) -> None:
        self.params = params
        super().__init__(self.user_message())

    def user_message(self) -> str:
        """The message in the current language, placeholders filled in."""
        return self.template().format(**self.params)

    def template(self) -> str:
        """The translated message template; each subclass names its own."""
        raise NotImplementedError


class DatabaseMissingError(StoreError):
    """The database file does not exist and was not to be created."""

    def template(self) -> str:
        return _("Database {path} does not exist.")


class DatabaseExistsError(StoreError):
    """A new database was asked for where one already exists."""

    def template(self) -> str:
        return _("Database {path} already exists.")


class NotOurDatabaseError(StoreError):
    """The file is not SQLite, or is SQLite made by another program."""

    def template(self) -> str:
        return _("Not a Coverage Desk database: {path}")


class DamagedDatabaseError(StoreError):
    """quick_check or integrity_check found a problem."""

    def template(self) -> str:
        return _("Database {path} is damaged: {detail}")


class NewerDatabaseError(StoreError):
    """The database was written by a newer app; it is refused, never opened."""

    def template(self) -> str:
        return _(
            "Database {path} was made by a newer version of Coverage Desk "
            "(schema {found}, this version reads up to {supported}). "
            "Install Coverage Desk {app_version} or newer."
        )


class DiskFullError(StoreError):
    """SQLite could not grow the file: the disk (or the page limit) is full."""

    def template(self) -> str:
        return _("Not enough disk space to save: {detail}")


class BackupDamagedError(StoreError):
    """A backup offered for restore failed its checks; nothing was restored."""

    def template(self) -> str:
        return _("The backup file is damaged and was not restored: {detail}")


class UnknownUnitError(StoreError):
    """A unit id that the reference data does not hold."""

    def template(self) -> str:
        return _("Unknown unit: {unit}")


class OutOfScopeError(StoreError):
    """This office may not write data of that unit."""

    def template(self) -> str:
        return _("You are not allowed to change data of {unit}.")


class LockedPeriodError(StoreError):
    """The (commune, period) is approved: edits are refused."""

    def template(self) -> str:
        return _("Period {period} of {unit} is approved and locked.")


class InvalidValueError(StoreError):
    """A value that cannot be stored: wrong type or an error-level rule broken."""

    def template(self) -> str:
        return _("The value was not saved: {reason}")
