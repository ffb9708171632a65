"""Schema version 13: rows that may hold agreeing heads are noted, as imports now note them.

An import notes a row left with two heads that agree (no conflict row) with a
``concurrent`` conflict row, so a later change of it is resolved against every
head and never takes the fast path past one (``RowMerger._note_heads``; seed 49
of the convergence property). A database written before that may hold such rows
unnoted. Which rows do cannot be told in SQL without walking each row's
versions, so every row that more than one installation epoch wrote, and that
has no conflict row yet, is noted: a row one epoch of one installation wrote
alone is a chain, one head. Noting a row that has one head costs only the slow
path for its next change (1,467 of the province bench database's rows). Only the rows
the merge rules decide are noted: published reference rows (catalogue, areas,
boundaries; no base version, applied as they come) noted here were reconciled at the
province's next publication as two clashing heads, an open conflict no receiver had.
"""

VERSION = 13
DESCRIPTION = "rows written by more than one installation epoch noted as concurrent"

_VERSION = "origin || '/' || epoch || '/' || seq"

STATEMENTS = [
    "INSERT INTO conflict (entity, entity_key, local_version, remote_version, local_state,"
    " remote_state, winner, status, created_at)"
    f" SELECT entity, entity_key, NULL, MAX({_VERSION}), NULL, NULL, MAX({_VERSION}),"
    " 'concurrent', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM change"
    " WHERE entity IN ('value', 'village', 'site', 'submission', 'target')"
    " AND (entity, entity_key) NOT IN"
    " (SELECT entity, entity_key FROM conflict)"
    " GROUP BY entity, entity_key HAVING COUNT(DISTINCT origin || '/' || epoch) > 1",
]
