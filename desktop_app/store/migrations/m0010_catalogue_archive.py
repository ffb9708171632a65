"""Schema version 10: every catalogue version an office has held, and the one a lock used.

A locked (approved) period must be reported with the catalogue in force when it was
locked, whatever the province publishes later (issue #12). So:

- ``catalogue_archive`` (local) keeps a snapshot of the catalogue rows of every
  version this database has held: written on install, when the province publishes,
  and when reference data arrives by bundle or network (``store.catalogue_archive``).
- ``submission.catalogue_version`` is the version the approver held when it locked
  the period; it travels in the approval's change, so every replica reports the
  locked period with the same catalogue. NULL for locks made before this version.
- ``indicator.retired`` (published reference data): non-empty once the province no
  longer collects the indicator. Its row stays (data typed against it must stay
  readable); the catalogue in force leaves it out, a locked period's keeps it.

Existing databases are backfilled with their current catalogue, the best knowledge
they have of what was in force when their earlier periods were locked: a lock with
no recorded version is reported with the oldest archived version, which for them is
that backfilled snapshot.

(Written as m0010 on branch s5-labels; the lead renumbers at merge.)
"""

VERSION = 10
DESCRIPTION = "catalogue versions archived; the catalogue version of each lock"

_INDICATOR = (
    "code position section level type disaggregation frequency unit_vi unit_en name_vi"
    " name_en rules note retired"
).split()
_DIMENSION = "dimension code position name_vi name_en aggregation".split()
_DERIVED = "code position level unit name_vi name_en formula note".split()


def _array(table: str, columns: list[str]) -> str:
    pairs = ", ".join(f"'{c}', {c}" for c in columns)
    return f"(SELECT json_group_array(json_object({pairs})) FROM {table})"


STATEMENTS = [
    "ALTER TABLE indicator ADD COLUMN retired TEXT DEFAULT ''",
    "ALTER TABLE submission ADD COLUMN catalogue_version TEXT",
    """CREATE TABLE catalogue_archive (
        version TEXT PRIMARY KEY,
        indicators TEXT NOT NULL,
        dimensions TEXT NOT NULL,
        derived TEXT NOT NULL,
        archived_at TEXT NOT NULL,
        source TEXT NOT NULL)""",
    "INSERT INTO catalogue_archive (version, indicators, dimensions, derived, archived_at,"
    f" source) SELECT value, {_array('indicator', _INDICATOR)},"
    f" {_array('dimension_member', _DIMENSION)}, {_array('derived_indicator', _DERIVED)},"
    " strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'migration' FROM meta"
    " WHERE key = 'catalogue_version'",
]
