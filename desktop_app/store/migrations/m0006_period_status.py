"""Schema version 6: an index of the change log by (commune, period).

Each period's state (``sync.status.period_statuses``: what the commune's office wrote
for that period and how far up it is acknowledged) is read on the entry page after
every write and in the status bar; without this index each read scanned the whole
change log (328,000 rows, ~130 ms, on the province-sized bench database).
"""

VERSION = 6
DESCRIPTION = "index of the change log by commune and period (period states)"

STATEMENTS = [
    "CREATE INDEX change_scope_period ON change(scope_unit, period)",
]
