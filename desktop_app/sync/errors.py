"""Errors of sync: each one line a clerk can read, in the current language.

Every bundle check has its own error, raised in the order the checks run
(DESIGN §4): format, signature and certificates, addressee, length and hash,
decompression, schema. They are :class:`StoreError` subclasses so the command
line prints them as one line.
"""

from __future__ import annotations

from desktop_app.i18n import _
from desktop_app.store.errors import StoreError


class SyncError(StoreError):
    """Base of the sync errors."""

    def template(self) -> str:
        return _("Sync failed: {detail}")


class NotABundleError(SyncError):
    """Wrong magic: not a Coverage Desk bundle at all."""

    def template(self) -> str:
        return _("{path} is not a Coverage Desk sync bundle.")


class BundleVersionError(SyncError):
    """A bundle format this version cannot read."""

    def template(self) -> str:
        return _("The bundle uses format version {found}; this version reads format {supported}.")


class TruncatedBundleError(SyncError):
    """The file ends before its declared length."""

    def template(self) -> str:
        return _("The bundle file is incomplete (cut short while copying?): {detail}")


class BadSignatureError(SyncError):
    """The bundle (or a segment) signature does not verify: tampered or damaged."""

    def template(self) -> str:
        return _("The bundle signature is not valid: the file was changed or damaged.")


class UnknownCertificateError(SyncError):
    """A certificate not signed by this installation's province."""

    def template(self) -> str:
        return _("The sender's certificate was not issued by your province ({office}).")


class ExpiredCertificateError(SyncError):
    """The sender's certificate has expired."""

    def template(self) -> str:
        return _("The sender's certificate ({office}) expired on {expires}.")


class RevokedCertificateError(SyncError):
    """The sender's certificate was revoked by the province."""

    def template(self) -> str:
        if self.params.get("why"):
            return _(
                "The certificate of {office} (serial {serial}) was revoked by the province "
                "on {date}: {why}. Its new bundles and syncs are refused; what the province "
                "had received from it when revoking stands, anything later is refused."
            )
        if self.params.get("date"):
            return _(
                "The certificate of {office} (serial {serial}) was revoked by the province "
                "on {date}. Its new bundles and syncs are refused; what the province had "
                "received from it when revoking stands, anything later is refused."
            )
        return _(
            "The sender's certificate ({office}, serial {serial}) was revoked by the province."
        )


class OwnCertificateRevokedError(SyncError):
    """This installation's own certificate was revoked: nobody accepts its bundles."""

    def template(self) -> str:
        return _(
            "The province revoked this office's certificate (serial {serial}) on {date}"
            "{because}. Other offices refuse its new bundles and syncs; ask the province "
            "to enrol this computer again."
        )


class RevocationError(SyncError):
    """A revocation the province cannot make (unknown, already revoked, its own)."""

    def template(self) -> str:
        return _("Cannot revoke: {detail}")


class UnknownAddresseeError(SyncError):
    """``--to`` names no office or installation this office knows."""

    def template(self) -> str:
        return _("{to} is neither an office nor an installation known here; check --to.")


class KeyReusedError(SyncError):
    """An enrolment request whose key already holds another office's certificate."""

    def template(self) -> str:
        return _(
            "Enrolment refused: this computer's key already holds certificate {serial} for "
            "{office}. One key serves one office; approve with --force only if that is "
            "intended."
        )


class NotEnrolledError(SyncError):
    """This installation has no certificate yet: it can neither sign nor verify."""

    def template(self) -> str:
        return _("This office is not enrolled with the province yet: {detail}")


class WrongAddresseeError(SyncError):
    """The bundle is addressed to another installation."""

    def template(self) -> str:
        return _("This bundle is addressed to another office ({to}), not to this one.")


class PayloadHashError(SyncError):
    """The payload length or SHA-256 differs from the manifest."""

    def template(self) -> str:
        return _("The bundle contents do not match their checksum: {detail}")


class CompressionBombError(SyncError):
    """The payload decompresses to more than it declared."""

    def template(self) -> str:
        return _("The bundle contents are larger than declared ({size} bytes); refused.")


class BundleTooLargeError(SyncError):
    """The file, or the contents it declares, exceed what any bundle may hold."""

    def template(self) -> str:
        return _(
            "This bundle is too large to import ({size} MB; at most {limit} MB): refused"
            " before reading it."
        )


class NotEnoughMemoryError(SyncError):
    """The computer has too little free memory to import this bundle."""

    def template(self) -> str:
        return _(
            "Not enough free memory to import this bundle (about {need} MB needed):"
            " close other programs and try again. Nothing was changed."
        )


class NewerSchemaError(SyncError):
    """The bundle was written by a newer version of the app."""

    def template(self) -> str:
        return _(
            "The bundle was made by a newer version (schema {found}). "
            "Install Coverage Desk {app_version} or newer to read it."
        )


class EnrolmentError(SyncError):
    """An enrolment request or certificate that cannot be used."""

    def template(self) -> str:
        return _("Enrolment refused: {detail}")


class CertificateNodeError(SyncError):
    """A certificate issued for another installation."""

    def template(self) -> str:
        return _("This certificate was issued to another installation ({node}), not this one.")


class OwnBundleError(SyncError):
    """The bundle was made by this very installation."""

    def template(self) -> str:
        return _("This bundle was made by this office; import it at the other office.")


class SyncCancelledError(SyncError):
    """The user stopped an export or an import; nothing was written."""

    def template(self) -> str:
        return _("Stopped before anything was written.")
