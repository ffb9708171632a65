"""Schema version 2: office settings for reports, and the history of epochs.

Reports need the office's agency names, report number, signer and recipients
(Decree 30 layout); restores need to know every epoch this installation ever
used so that a new one is never a repeat.
"""

VERSION = 2
DESCRIPTION = "office settings and epoch history"

STATEMENTS = [
    """CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL)""",
    """CREATE TABLE epoch_history (
        epoch INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        reason TEXT NOT NULL)""",
    # Every existing installation gets its current epoch recorded.
    """INSERT INTO epoch_history (epoch, started_at, reason)
        SELECT epoch, created_at, 'created' FROM node""",
]
