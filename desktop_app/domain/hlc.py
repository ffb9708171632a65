"""Hybrid logical clock (DESIGN §4 "Change" and "Conflicts").

Every change carries an HLC time: a wall-clock part in milliseconds, a counter that orders
events inside one millisecond (or while the wall clock stands still or goes backwards), and
the node id that breaks the remaining ties, so every replica orders changes the same way.

The module is pure. The clock's whole state is the last :class:`Timestamp` it issued; the
store saves it (the node's "HLC high-water mark") and hands it back to :class:`HybridClock`
the next time. The caller passes the current time in, so tests need no real clock.

Rules beyond the textbook algorithm:

* The counter is 16 bits. When it would pass :data:`MAX_COUNTER`, the clock moves its wall
  part forward by one millisecond and restarts the counter, instead of overflowing.
* A remote time more than :data:`MAX_SKEW_MS` (24 h) ahead of the local wall clock does not
  drag the local clock forward; :func:`receive` reports ``skewed=True`` so the caller can flag
  that office's clock as wrong. (If the local clock is already past the remote wall time, the
  remote time is merged normally, since that moves nothing forward, but it is still reported as
  skewed.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "MAX_COUNTER",
    "MAX_SKEW_MS",
    "MAX_WALL_MS",
    "HybridClock",
    "ReceiveResult",
    "Timestamp",
    "pack",
    "receive",
    "tick",
    "unpack",
]

COUNTER_BITS = 16
MAX_COUNTER = (1 << COUNTER_BITS) - 1  # 65535
# pack() must fit a signed 64-bit integer (SQLite, PostgreSQL bigint): 47 + 16 bits.
MAX_WALL_MS = (1 << 47) - 1  # about the year 6429
MAX_SKEW_MS = 24 * 60 * 60 * 1000

_STRING = re.compile(r"([0-9a-f]{12})-([0-9a-f]{4})-(.+)", re.ASCII | re.DOTALL)


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    """One HLC time; ordered by ``(wall_ms, counter, node)``."""

    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if isinstance(self.wall_ms, bool) or not isinstance(self.wall_ms, int):
            raise TypeError(f"wall_ms must be an int, got {self.wall_ms!r}")
        if isinstance(self.counter, bool) or not isinstance(self.counter, int):
            raise TypeError(f"counter must be an int, got {self.counter!r}")
        if not 0 <= self.wall_ms <= MAX_WALL_MS:
            raise ValueError(f"wall_ms {self.wall_ms} outside 0..{MAX_WALL_MS}")
        if not 0 <= self.counter <= MAX_COUNTER:
            raise ValueError(f"counter {self.counter} outside 0..{MAX_COUNTER}")
        if not isinstance(self.node, str) or not self.node:
            raise ValueError(f"node must be a non-empty string, got {self.node!r}")

    def pack(self) -> int:
        """``wall_ms << 16 | counter``: an int ordered like ``(wall_ms, counter)``."""
        return pack(self)

    def to_string(self) -> str:
        """Sortable text ``"<12 hex wall>-<4 hex counter>-<node>"``, e.g.
        ``"018f3a2b4c5d-0001-office-7"``; string order equals timestamp order."""
        return f"{self.wall_ms:012x}-{self.counter:04x}-{self.node}"

    @classmethod
    def from_string(cls, text: str) -> Timestamp:
        """Parse the output of :meth:`to_string`; raises ``ValueError`` on anything else."""
        match = _STRING.fullmatch(text)
        if match is None:
            raise ValueError(f"not an HLC timestamp string: {text!r}")
        return cls(int(match.group(1), 16), int(match.group(2), 16), match.group(3))

    def __str__(self) -> str:
        return self.to_string()


def pack(timestamp: Timestamp) -> int:
    """Encode the wall and counter parts as one sortable int ``wall_ms << 16 | counter``.

    The node is not included; store it next to the packed value.
    """
    return timestamp.wall_ms << COUNTER_BITS | timestamp.counter


def unpack(packed: int, node: str) -> Timestamp:
    """Inverse of :func:`pack`; ``node`` supplies the part :func:`pack` leaves out."""
    if isinstance(packed, bool) or not isinstance(packed, int) or packed < 0:
        raise ValueError(f"not a packed HLC value: {packed!r}")
    return Timestamp(packed >> COUNTER_BITS, packed & MAX_COUNTER, node)


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """Outcome of :func:`receive`: the new local time, and whether the remote was too far
    ahead (its office's clock should be flagged)."""

    timestamp: Timestamp
    skewed: bool


def _check_now(now_ms: int) -> None:
    if isinstance(now_ms, bool) or not isinstance(now_ms, int):
        raise TypeError(f"now_ms must be an int, got {now_ms!r}")
    if not 0 <= now_ms <= MAX_WALL_MS:
        raise ValueError(f"now_ms {now_ms} outside 0..{MAX_WALL_MS}")


def _make(wall_ms: int, counter: int, node: str) -> Timestamp:
    if counter > MAX_COUNTER:  # wait for wall time instead of overflowing
        wall_ms, counter = wall_ms + 1, 0
    return Timestamp(wall_ms, counter, node)


def tick(state: Timestamp, now_ms: int) -> Timestamp:
    """Time for a local event or a send, given the last issued time ``state``.

    The result is strictly greater than ``state`` whatever ``now_ms`` does (it may jump
    back); it becomes the new state.
    """
    _check_now(now_ms)
    if now_ms > state.wall_ms:
        return Timestamp(now_ms, 0, state.node)
    return _make(state.wall_ms, state.counter + 1, state.node)


def receive(state: Timestamp, remote: Timestamp, now_ms: int) -> ReceiveResult:
    """Merge a received time ``remote`` into the local clock whose last time is ``state``.

    Standard HLC: the result is greater than ``state`` and, unless the remote wall time is
    more than :data:`MAX_SKEW_MS` ahead of ``now_ms``, greater than ``remote`` too. A remote
    that far ahead is not allowed to move the local wall time forward and is reported with
    ``skewed=True``. The result's node is the local node; it becomes the new state.
    """
    _check_now(now_ms)
    skewed = remote.wall_ms - now_ms > MAX_SKEW_MS
    local_wall = max(state.wall_ms, now_ms)
    if skewed and remote.wall_ms > local_wall:
        return ReceiveResult(tick(state, now_ms), skewed=True)

    wall = max(local_wall, remote.wall_ms)
    if wall == state.wall_ms == remote.wall_ms:
        counter = max(state.counter, remote.counter) + 1
    elif wall == state.wall_ms:
        counter = state.counter + 1
    elif wall == remote.wall_ms:
        counter = remote.counter + 1
    else:
        counter = 0
    return ReceiveResult(_make(wall, counter, state.node), skewed=skewed)


class HybridClock:
    """A node's clock: holds the last issued :class:`Timestamp` and advances it.

    ``HybridClock(saved_state)`` resumes from a persisted state; :meth:`for_node` starts a new
    one. After each :meth:`tick` or :meth:`receive`, :attr:`state` is what to persist.
    """

    __slots__ = ("_state",)

    def __init__(self, state: Timestamp) -> None:
        """Resume a clock whose last issued time is ``state`` (its node is the local node)."""
        if not isinstance(state, Timestamp):
            raise TypeError(f"state must be a Timestamp, got {type(state).__name__}")
        self._state = state

    @classmethod
    def for_node(cls, node: str) -> HybridClock:
        """A fresh clock for ``node`` that has issued nothing yet."""
        return cls(Timestamp(0, 0, node))

    @property
    def state(self) -> Timestamp:
        """The last time issued or merged: the value to persist."""
        return self._state

    @property
    def node(self) -> str:
        """The local node id."""
        return self._state.node

    def tick(self, now_ms: int) -> Timestamp:
        """Issue the time of a local event or send (see :func:`tick`)."""
        self._state = tick(self._state, now_ms)
        return self._state

    def receive(self, remote: Timestamp, now_ms: int) -> ReceiveResult:
        """Merge a received time (see :func:`receive`)."""
        result = receive(self._state, remote, now_ms)
        self._state = result.timestamp
        return result

    def __repr__(self) -> str:
        return f"HybridClock({self._state!r})"
