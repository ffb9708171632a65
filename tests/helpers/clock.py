"""A clock the test moves by hand (the only fake for time)."""

from __future__ import annotations


class FakeClock:
    """Seconds since the epoch; starts at 2019-04-10 and moves only when told."""

    def __init__(self, start: float = 1554861600.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move forward (or, with a negative number, back: a PC clock set wrong)."""
        self.now += seconds
