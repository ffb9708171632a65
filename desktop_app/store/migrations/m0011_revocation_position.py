"""Schema version 11: the position each revocation carries.

A revocation decides per segment by what the province held when it revoked, never
by when the list reached a receiver (ARCHITECTURE.md, "Certificates and
revocation"). ``held`` is the province's position for the revoked certificate's
installation at the moment of revoking, as JSON ``[[epoch, seq], ...]`` (per
epoch the highest seq it held without a gap). A change at or below it stands
everywhere; one after it is quarantined everywhere. NULL for a revocation made
or received before this version (a list signed without a position): position 0,
so every change of that certificate not applied yet is quarantined, as before.
"""

VERSION = 11
DESCRIPTION = "the province's position at each revocation"

STATEMENTS = [
    "ALTER TABLE revocation ADD COLUMN held TEXT",
]
