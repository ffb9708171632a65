"""What the applier of received changes takes and gives back (see :mod:`desktop_app.store.apply`).

A :class:`Change` is one row of the ``change`` table as it travels; a
:class:`Batch` is the changes of one verified segment with their
:class:`Signer`; an :class:`ApplyReport` says what an import did.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.store.changes import canonical_json

# Submission states that lock a (commune, period): a later commune edit is a conflict.
LOCKED = ("approved", "accepted")


@dataclass(frozen=True, slots=True)
class Change:
    """One change as stored in the ``change`` table (key and state as canonical text)."""

    origin: str
    epoch: int
    seq: int
    entity: str
    entity_key: str
    scope_unit: str
    period: str | None
    state: str | None
    base_version: str | None
    hlc: int
    schema_version: int
    user: str
    # the state already parsed, when the reader had it at hand (never compared)
    parsed: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def version(self) -> str:
        """``origin/epoch/seq``."""
        return f"{self.origin}/{self.epoch}/{self.seq}"

    def row(self) -> tuple[Any, ...]:
        """The values in ``change`` column order (without the local id)."""
        return (
            self.origin,
            self.epoch,
            self.seq,
            self.entity,
            self.entity_key,
            self.scope_unit,
            self.period,
            self.state,
            self.base_version,
            self.hlc,
            self.schema_version,
            self.user,
        )

    def to_json(self) -> str:
        """The change as one JSON text (for the backlog)."""
        return canonical_json(list(self.row()))

    @classmethod
    def from_json(cls, text: str) -> Change:
        """Inverse of :meth:`to_json`."""
        return cls(*json.loads(text))


@dataclass(frozen=True)
class Signer:
    """Who signed a change: the author's node, office and level (1 province … 3 commune)."""

    node_id: str
    office_id: str
    level: int

    def to_json(self, refused: str | None = None) -> str:
        """For the backlog (with the reason when its whole segment is refused)."""
        return canonical_json([self.node_id, self.office_id, self.level, refused])

    @classmethod
    def from_json(cls, text: str) -> tuple[Signer, str | None]:
        """Inverse of :meth:`to_json`: the signer and the refusal, if any."""
        node, office, level, refused = json.loads(text)
        return cls(str(node), str(office), int(level)), refused


@dataclass
class Batch:
    """Changes of one verified segment, with its signer; ``refused`` quarantines them
    all, or only those after seq ``stands_to`` (a revoked certificate's changes after
    the province's position at revoking)."""

    changes: list[Change]
    signer: Signer
    refused: str | None = None
    stands_to: int = 0

    def refusal(self, seq: int) -> str | None:
        """Why change ``seq`` of this batch is refused as a whole, or None."""
        return self.refused if seq > self.stands_to else None


@dataclass
class ApplyReport:
    """What an import did."""

    applied: int = 0
    skipped: int = 0
    backlog: int = 0
    quarantined: int = 0
    conflicts: int = 0
    merged: int = 0
    reasons: list[str] = field(default_factory=list)
    touched: set[tuple[str, int]] = field(default_factory=set)


# ``(change, signer, parsed state) -> reason it is refused, or None``
Authorise = Callable[[Change, Signer, dict[str, Any] | None], str | None]
