"""PostgreSQL's failures as the server answers them (PostgreSQL mode).

At request time nothing of PostgreSQL's own text reaches an office: a full disk
is :class:`DiskFullError` (507), and every failure that passes with time is a
:class:`ServerBusyError` (503 ``busy`` with Retry-After; the office sends the
request again): PostgreSQL short of memory, connections or locks (SQLSTATE
class 53 but 53100), and the connection itself, refused when it is opened (too
many clients, the database starting up or shutting down, PostgreSQL not running
or not reachable: libpq reports these without a SQLSTATE) or lost during the
request (PostgreSQL restarted, the backend terminated). A push whose commit was
lost with its connection was taken whole or not at all; its resend (same batch
id, same bytes) gets the stored answer.

At start, the same failures are one line in the user's language
(:class:`ServerStartError`), never psycopg's traceback.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg
import psycopg.errors
from psycopg.conninfo import conninfo_to_dict

from desktop_app.i18n import _
from desktop_app.server.backend import ServerBusyError
from desktop_app.store.errors import DiskFullError

#: seconds to wait for PostgreSQL to answer a new connection (unless the URL says)
CONNECT_TIMEOUT = 5

#: SQLSTATEs of a connection that is gone: class 08, and the server shutting down,
#: crashed or starting (57P01-57P03)
_GONE = ("08", "57P01", "57P02", "57P03")


class DatabaseUnavailableError(ServerBusyError):
    """PostgreSQL refused a new connection, could not be reached, or lost the connection
    during a request (answered 503 ``busy``; see the module's docstring)."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"PostgreSQL at {where}: {reason}")
        self.where, self.reason = where, reason


class ServerStartError(Exception):
    """The server cannot start on this PostgreSQL database; the text is one line in the
    user's language."""


def where(url: str) -> str:
    """``host:port/database`` of a PostgreSQL URL (never its password)."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "?"
    host = str(parts.get("host") or "localhost")
    port = str(parts.get("port") or "5432")
    return f"{host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"


def reason(exc: BaseException) -> str:
    """PostgreSQL's (or libpq's) own reason, on one line: for a refused connection the
    part after its address (``too many clients already``, ``Connection refused``)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = text.rsplit(" failed: ", 1)[-1]
    text = re.sub(r"^(FATAL|ERROR):\s*", "", text)
    return re.sub(r"\s+", " ", text).strip()


def connect(url: str) -> psycopg.Connection[Any]:
    """A new autocommit connection; a refused or unreachable one is
    :class:`DatabaseUnavailableError`."""
    try:
        if "connect_timeout" in conninfo_to_dict(url):
            return psycopg.connect(url, autocommit=True)
        return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:  # or a bad URL
        raise DatabaseUnavailableError(where(url), reason(exc)) from exc


def _gone(exc: psycopg.OperationalError, conn: object) -> bool:
    """True when ``exc`` means the connection is lost (not a statement's failure)."""
    state = exc.sqlstate or ""
    return state.startswith(_GONE) or bool(getattr(conn, "broken", False))


_S = TypeVar("_S")
_P = ParamSpec("_P")
_R = TypeVar("_R")


def short_of_resources(
    method: Callable[Concatenate[_S, _P], _R],
) -> Callable[Concatenate[_S, _P], _R]:
    """A backend method whose PostgreSQL failures are answered as the module says.

    53100 ``disk_full`` (a table, an index or a temporary file could not grow) becomes
    :class:`DiskFullError`, answered 507 as in SQLite mode: the statement's transaction
    was rolled back whole, and waiting will not free the disk, so the office stops at
    once. The other class-53 states (53200 out of memory, 53300 too many connections,
    53400 a configuration limit such as max_locks_per_transaction, 53000) become
    :class:`ServerBusyError`, a lost connection :class:`DatabaseUnavailableError` (the
    thread opens a new one for its next request); both are answered 503 with
    Retry-After. A refused new connection is one already (:func:`connect`).
    """

    @functools.wraps(method)
    def guarded(self: _S, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except psycopg.errors.DiskFull as exc:
            raise DiskFullError(detail=reason(exc)) from exc
        except psycopg.OperationalError as exc:
            if (exc.sqlstate or "").startswith("53"):
                raise ServerBusyError(reason(exc)) from exc
            conn = getattr(getattr(self, "_local", None), "conn", None)
            if _gone(exc, conn):
                url = str(getattr(self, "url", ""))
                raise DatabaseUnavailableError(where(url), reason(exc)) from exc
            raise

    return guarded


@contextmanager
def starting(url: str) -> Iterator[None]:
    """At server start: PostgreSQL's failures as one :class:`ServerStartError` line."""
    try:
        yield
    except DatabaseUnavailableError as exc:
        raise ServerStartError(
            _("PostgreSQL at {where} cannot be reached or refused the connection: {reason}")
            .format(where=exc.where, reason=exc.reason)
        ) from exc  # fmt: skip
    except psycopg.errors.DiskFull as exc:
        raise ServerStartError(
            _(
                "the disk of PostgreSQL at {where} is full ({reason}): free space there"
                " and start the server again"
            ).format(where=where(url), reason=reason(exc))
        ) from exc
    except psycopg.Error as exc:
        raise ServerStartError(
            _("PostgreSQL at {where} refused to set up the server's tables: {reason}").format(
                where=where(url), reason=reason(exc)
            )
        ) from exc
