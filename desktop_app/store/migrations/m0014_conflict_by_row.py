"""Schema version 14: conflict rows found by the row they name.

A local write of a row that has a conflict row reconciles that row's conflicts,
as every receiver of the write does (:func:`desktop_app.store.apply.rules.reconcile_local_writes`):
each write asks whether its rows have one, which without this index read the
whole table once per write. Imports still read the table once into memory
(:class:`~desktop_app.store.apply.conflicts.ConflictBook`).
"""

VERSION = 14
DESCRIPTION = "conflict rows indexed by the row they name"

STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS conflict_row ON conflict(entity, entity_key)",
]
