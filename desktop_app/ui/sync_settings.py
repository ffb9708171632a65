"""The office's network-sync settings, as the status bar and the background sync read them.

Kept apart from :mod:`desktop_app.ui.pages.sync_network` (which imports the bundle and
sync machinery) so the main window can read them at start-up without importing the
sync page's modules: ``python -X importtime`` counted about 16 ms for those on the
window's first paint, and the HTTP client (``ssl``, ``http.client``) about 8 ms more,
for a setting that is empty in most offices.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from desktop_app.i18n import _
from desktop_app.store.store import Store

SERVER_SETTING = "sync_server_url"
# "1": this office may sync over plain http to another machine (``sync --insecure-http``)
INSECURE_SETTING = "sync_insecure_http"
T = TypeVar("T")


def server_url(settings: dict[str, str]) -> str:
    """The province server's address from the office settings ("" when none is set)."""
    return settings.get(SERVER_SETTING, "").strip().rstrip("/")


def insecure_allowed(settings: dict[str, str]) -> bool:
    """Whether the office settings allow plain http to another machine."""
    return settings.get(INSECURE_SETTING, "") == "1"


def insecure_warning(url: str, settings: dict[str, str]) -> str:
    """The warning to show when ``url`` is plain http to another machine that the office
    settings allow ("" otherwise: https, loopback, or refused at sync anyway)."""
    if not url or not insecure_allowed(settings):
        return ""
    from desktop_app.netsync.http import plain_http_elsewhere

    if not plain_http_elsewhere(url):
        return ""
    return _(
        "Warning: {url} is plain http to another machine; nothing sent or received is"
        " encrypted (allowed in the office settings)."
    ).format(url=url)


def in_worker(store: Store, fn: Callable[[], T]) -> T:
    """Run ``fn``; on a pool thread, close that thread's own connection afterwards.

    Peewee gives each thread its own SQLite connection; a pool thread's would
    otherwise stay open after the task.
    """
    try:
        return fn()
    finally:
        if threading.current_thread() is not threading.main_thread():
            store.db.close()
