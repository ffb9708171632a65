"""Errors in the user's language, one sentence each, never a raw English OS string.

The services below the window word their errors themselves (``StoreError`` and its
kin), but some details they carry come from the operating system ("[Errno 111]
Connection refused") or are short English notes ("the certificate comes from another
province"). :func:`user_text` turns every exception into a sentence: an OS error by
its errno, a known detail by the table below; a detail not known stays as it is.
"""

from __future__ import annotations

import errno
import re
import socket
from collections.abc import Callable

from desktop_app.i18n import _


def _os_reasons() -> dict[int, str]:
    return {
        errno.ECONNREFUSED: _(
            "the server refused the connection: it is not running, or the address or port is wrong"
        ),
        errno.ETIMEDOUT: _("the server did not answer in time"),
        errno.ECONNRESET: _("the connection was cut off"),
        errno.ECONNABORTED: _("the connection was cut off"),
        errno.EPIPE: _("the connection was cut off"),
        errno.ENETUNREACH: _("there is no network: check the cable or the Wi-Fi"),
        errno.EHOSTUNREACH: _("the server cannot be reached: check the network connection"),
        errno.ENETDOWN: _("there is no network: check the cable or the Wi-Fi"),
        errno.ENOENT: _("the file or folder does not exist"),
        errno.EACCES: _("access is refused: the file is read-only or open in another program"),
        errno.EPERM: _("access is refused: the file is read-only or open in another program"),
        errno.ENOSPC: _("the disk or USB stick is full"),
        errno.EROFS: _("the disk is read-only (a write-protected USB stick?)"),
        errno.EIO: _("the disk could not be read or written (a damaged USB stick?)"),
        errno.EEXIST: _("a file of that name already exists"),
        errno.EISDIR: _("that is a folder, not a file"),
        errno.ENOTDIR: _("a part of the path is not a folder"),
        errno.ENAMETOOLONG: _("the file name is too long"),
        errno.EBUSY: _("the file is in use by another program"),
    }


# Windows socket error numbers for the same cases.
_WINSOCK = {
    10061: errno.ECONNREFUSED,
    10060: errno.ETIMEDOUT,
    10054: errno.ECONNRESET,
    10053: errno.ECONNABORTED,
    10051: errno.ENETUNREACH,
    10065: errno.EHOSTUNREACH,
}
_NETWORK = {
    errno.ECONNREFUSED,
    errno.ETIMEDOUT,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ENETDOWN,
}
_NAME_NOT_FOUND = (-2, -3, -5, 11001, 11002, 11004)  # getaddrinfo: no such host


def os_reason(number: int | None, text: str = "") -> str:
    """What went wrong, in words, for an errno (or the OS's text when it has none)."""
    if number in _NAME_NOT_FOUND:
        return _("the server's name cannot be found: check the address and the network")
    if number is not None:
        number = _WINSOCK.get(number, number)
        found = _os_reasons().get(number)
        if found is not None:
            return found
        return _("the system reported error {code}").format(code=number)
    lowered = text.lower()
    if "timed out" in lowered:
        return _("the server did not answer in time")
    if "refused" in lowered:
        return _os_reasons()[errno.ECONNREFUSED]
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return os_reason(-2)
    return text


_ERRNO = re.compile(r"\[Errno (-?\d+)\]\s*(.*)")


def _details() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]]:
    """English details the services put in their messages, and their sentences."""
    fixed = {
        "the certificate comes from another province": _(
            "the certificate comes from another province"
        ),
        "the certificate names another key": _(
            "the certificate was made for another computer's key"
        ),
        "only the province office approves enrolments": _(
            "only the province office approves enrolments"
        ),
        "the requested scope is wider than the office's units": _(
            "the request covers more units than the office serves"
        ),
        "the file read back differs from what was written": _(
            "the file read back differs from what was written (a faulty USB stick?)"
        ),
        "bad framing": _("its contents are damaged"),
        "contents cannot be read": _("its contents cannot be read"),
        "header": _("its beginning is missing"),
        "manifest": _("its table of contents is missing"),
        "SHA-256 differs": _("its contents were changed or damaged"),
        "the password needs at least 6 characters": _("the password needs at least 6 characters"),
        "a returned period needs a reason": _("a returned period needs a reason"),
        "a village needs a name": _("a village needs a name"),
        "the village is not in the site's commune": _("the village is not in the site's commune"),
    }

    def constant(text: str) -> Callable[[re.Match[str]], str]:
        return lambda _match: text

    out: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (re.compile(re.escape(k) + "$"), constant(v)) for k, v in fixed.items()
    ]
    out.append(
        (
            re.compile(r"«(.+)» is already in the register$"),
            lambda m: _("«{name}» is already in the register").format(name=m.group(1)),
        )
    )
    out.append(
        (
            re.compile(r"user (\S+) already exists$"),
            lambda m: _("the account {user} already exists").format(user=m.group(1)),
        )
    )
    return out


def detail_text(detail: str) -> str:
    """A detail carried by an error, in the user's language when it is a known one."""
    match = _ERRNO.search(detail)
    if match:
        return os_reason(int(match.group(1)), match.group(2))
    for pattern, sentence in _details():
        found = pattern.match(detail)
        if found:
            return sentence(found)
    reason = os_reason(None, detail)
    return reason


def user_text(exc: BaseException) -> str:
    """Any exception as one sentence in the user's language."""
    from desktop_app.store.errors import StoreError

    if isinstance(exc, StoreError):
        params = {
            k: detail_text(v) if isinstance(v, str) and k in ("detail", "reason") else v
            for k, v in exc.params.items()
        }
        return exc.template().format(**params)
    if isinstance(exc, socket.gaierror):
        return _("The connection failed: {reason}").format(reason=os_reason(-2))
    if isinstance(exc, OSError):
        reason = os_reason(exc.errno, exc.strerror or str(exc))
        number = _WINSOCK.get(exc.errno or 0, exc.errno)
        if isinstance(exc, TimeoutError | ConnectionError) or number in _NETWORK:
            return _("The connection failed: {reason}").format(reason=reason)
        if exc.filename:
            return _("{file}: {reason}").format(file=exc.filename, reason=reason)
        return _("The file could not be read or written: {reason}").format(reason=reason)
    return _("Something went wrong: {error}").format(error=detail_text(str(exc)))
