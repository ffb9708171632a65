"""Schema version 9: why a certificate was revoked.

The province writes a reason with each revocation (``enroll revoke --reason``, the
certificates page); it travels inside the signed revocation list, so a district or
a commune that refuses a revoked office's bundle can say why, and the revoked
office itself reads it at its next import. Lists signed before this version carry
no reason: the column stays empty.

(Written as m0004 on branch s4-19; the lead renumbers at merge.)
"""

VERSION = 9
DESCRIPTION = "the reason of each revocation"

STATEMENTS = [
    "ALTER TABLE revocation ADD COLUMN reason TEXT NOT NULL DEFAULT ''",
]
