"""Schema version 5: the operator's own code of a site (``SL_MSN_0012``).

Operators' and the post's lists name each site by their code; importing the list a
second time must find the sites it brought the first time by that code, not by a
name the clerk may have corrected. Empty for sites typed in the register.
"""

VERSION = 5
DESCRIPTION = "operator site codes"

STATEMENTS = [
    "ALTER TABLE site ADD COLUMN site_code TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX site_operator_code ON site(operator, site_code)",
]
