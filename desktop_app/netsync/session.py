"""The office's sign-in kept between syncs, so a sync with nothing new costs one request.

The server's token (15 minutes, MAC'd by the server) is kept in the office
database's ``meta`` table with its expiry, under the server's address: never
in a plain file. A sync uses it while it has more than ``MARGIN`` seconds
left; a token the server refuses (expired by its clock, the office revoked,
the server's secret changed) is forgotten and the office signs in again
(:meth:`desktop_app.netsync.client._Sync.renew`). The server still checks
every request against its revocation list, so a kept token ends at once with
the office's certificate.
"""

from __future__ import annotations

import json
import time

from desktop_app.netsync.adapter import sql
from desktop_app.netsync.http import ServerClient
from desktop_app.store.store import Store
from desktop_app.sync.certificates import my_certificate

# seconds of validity a kept token must still have to be used (clock drift, a slow sync)
MARGIN = 60.0


def _key(client: ServerClient) -> str:
    return f"netsync_session:{client.base_url}"


def _serial(store: Store) -> int:
    cert, _key = my_certificate(store)
    return int(cert["body"]["serial"])


def load_session(store: Store, client: ServerClient, now: float | None = None) -> str | None:
    """Hand ``client`` the kept token for its server if it has time left and was given to
    the office's present certificate; the id of the feed it was kept for (None: no
    token to use, sign in).

    The office's pin for the server is set first: the token is only ever sent to
    the server the province recorded."""
    row = sql(store).execute_sql("SELECT value FROM meta WHERE key = ?", (_key(client),))
    found = row.fetchone()
    if found is None:
        return None
    try:
        doc = json.loads(found[0])
        token, expires, feed_id = str(doc["token"]), float(doc["expires"]), str(doc["feed"])
        serial = int(doc["serial"])
    except (ValueError, KeyError, TypeError):
        return None
    if expires - MARGIN <= (time.time() if now is None else now):
        return None
    if serial != _serial(store):  # enrolled again since: the token names the old certificate
        return None
    client.use_pins(store)
    client.token, client.token_expires = token, expires
    return feed_id


def save_session(store: Store, client: ServerClient, feed_id: str) -> None:
    """Keep ``client``'s token, its expiry and the server's feed id for the next sync."""
    if client.token is None or client.token_expires is None:
        return
    doc = json.dumps(
        {
            "token": client.token,
            "expires": client.token_expires,
            "feed": feed_id,
            "serial": _serial(store),
        }
    )
    with store.transaction():
        sql(store).execute_sql(
            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_key(client), doc)
        )


def forget_session(store: Store, client: ServerClient) -> None:
    """Drop the kept token (the server refused it)."""
    with store.transaction():
        sql(store).execute_sql("DELETE FROM meta WHERE key = ?", (_key(client),))
