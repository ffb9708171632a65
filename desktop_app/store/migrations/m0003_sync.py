"""Schema version 3: sync bookkeeping for signed bundles (DESIGN §4).

Plain SQL, never derived from the models. Every table here is local to the
installation (none of them is itself synced):

* ``sync_node``: every office installation whose certificate this one has seen
  (node → office, level, public key, certificate): the authority of a change's
  author in a conflict, and the identities a relay forwards.
* ``sync_segment``: received signed segments (origin, epoch, seq range, hash,
  signature, certificate and the compressed body) kept so that a district can
  forward its communes' changes to the province unchanged.
* ``sync_backlog``: changes that arrived after a gap, waiting for it to fill.
* ``sync_quarantine``: received changes refused for scope (or unknown
  references), reported back to the sender in the next bundle.
* ``sync_rejection``: what upstream reported back as refused, about our changes.
* ``sync_peer``: the last applied vector each peer sent (its acknowledgement),
  and the province's vector it relayed.
* ``sync_bundle``: bundles exported and imported (ids, direction, addressee).
* ``sync_event``: warnings a clerk must see (clock skew, a gap, a quarantine).
* ``issued_certificate`` (province) and ``revocation`` (everyone).
"""

VERSION = 3
DESCRIPTION = "sync: segments, backlog, quarantine, peers, certificates"

STATEMENTS = [
    """CREATE TABLE sync_node (
        node_id TEXT PRIMARY KEY,
        office_id TEXT NOT NULL,
        level INTEGER NOT NULL,
        public_key BLOB NOT NULL,
        serial INTEGER NOT NULL,
        certificate TEXT NOT NULL,
        first_seen TEXT NOT NULL)""",
    """CREATE TABLE sync_segment (
        origin TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq_from INTEGER NOT NULL,
        seq_to INTEGER NOT NULL,
        header TEXT NOT NULL,
        body BLOB NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (origin, epoch, seq_from, seq_to))""",
    """CREATE TABLE sync_backlog (
        origin TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        change TEXT NOT NULL,
        signer TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (origin, epoch, seq))""",
    """CREATE TABLE sync_quarantine (
        id INTEGER PRIMARY KEY,
        origin TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        entity TEXT NOT NULL,
        entity_key TEXT NOT NULL,
        scope_unit TEXT NOT NULL,
        period TEXT,
        reason TEXT NOT NULL,
        signer TEXT NOT NULL,
        received_from TEXT NOT NULL,
        received_at TEXT NOT NULL,
        reported INTEGER NOT NULL DEFAULT 0,
        UNIQUE (origin, epoch, seq))""",
    """CREATE TABLE sync_rejection (
        origin TEXT NOT NULL,
        epoch INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        reason TEXT NOT NULL,
        reported_by TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (origin, epoch, seq))""",
    """CREATE TABLE sync_peer (
        node_id TEXT PRIMARY KEY,
        office_id TEXT NOT NULL,
        level INTEGER NOT NULL,
        vector TEXT NOT NULL,
        bundle_id TEXT NOT NULL,
        received_at TEXT NOT NULL)""",
    """CREATE TABLE sync_bundle (
        bundle_id TEXT NOT NULL,
        direction TEXT NOT NULL,
        peer TEXT,
        at TEXT NOT NULL,
        summary TEXT NOT NULL,
        PRIMARY KEY (bundle_id, direction))""",
    """CREATE TABLE sync_event (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        node_id TEXT NOT NULL,
        detail TEXT NOT NULL,
        seen INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE issued_certificate (
        serial INTEGER PRIMARY KEY,
        node_id TEXT NOT NULL,
        office_id TEXT NOT NULL,
        certificate TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        revoked_at TEXT)""",
    """CREATE TABLE revocation (
        serial INTEGER PRIMARY KEY,
        revoked_at TEXT NOT NULL)""",
]
