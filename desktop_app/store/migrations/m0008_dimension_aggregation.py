"""Schema version 8: how a dimension's members add up (``dimension_member.aggregation``).

``sum`` (the default) for members that partition the whole; ``total`` for the member
that is the whole and ``part`` for sub-counts of it. Reports add up only what makes
the whole (issue: loudspeaker clusters counted 227 + 6 + 11). Nullable so that a row
published by an office on an older schema (no such column in its change) still
applies; readers take NULL as ``sum``. The installed catalogue's ``speaker`` and
``channel`` dimensions are a total with sub-counts.
"""

VERSION = 8
DESCRIPTION = "dimension member aggregation (sum, total, part)"

STATEMENTS = [
    "ALTER TABLE dimension_member ADD COLUMN aggregation TEXT DEFAULT 'sum'",
    """UPDATE dimension_member SET aggregation = CASE WHEN code = 'tong' THEN 'total'
        ELSE 'part' END WHERE dimension IN ('speaker', 'channel')""",
]
