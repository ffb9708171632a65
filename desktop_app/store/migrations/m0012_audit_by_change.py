"""Schema version 12: audit rows found through their change, not by a second key index.

Every audit row of a synced change (local or received) names its change
(``change_id``), and the change log is already indexed by row
(``change_entity``). Indexing those audit rows by (entity, entity_key) as well
stored each row's key text a third time and cost a fifth of the index writes of
an import: 100,220 received value changes took 0.56 s to insert into ``audit``
with that index and 0.24 s with the two below (raw executemany, one
transaction; the change log and the values 1.46 s beside them).

- ``audit_entity`` now holds only the rows without a change: local events that
  are not synced (logins, backups, user admin) and the rows of changes that a
  take-back removed from the log (they keep the state in ``new``).
- ``audit_change`` finds a change's audit rows; received changes arrive in id
  order, so it grows at its end. A row's history reads the change log by key and
  joins here (:meth:`ValueRepository.history`).
"""

VERSION = 12
DESCRIPTION = "audit rows of synced changes found through their change"

STATEMENTS = [
    "DROP INDEX IF EXISTS audit_entity",
    "CREATE INDEX audit_entity ON audit(entity, entity_key) WHERE change_id IS NULL",
    "CREATE INDEX audit_change ON audit(change_id)",
]
