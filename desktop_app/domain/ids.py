"""UUIDv7 identifiers (RFC 9562 §5.7) for rows created offline: villages, sites, changes.

Layout, most significant bit first: 48-bit Unix time in milliseconds, 4-bit version ``0111``,
12 random bits, 2-bit variant ``10``, 62 random bits (74 random bits in all). Ids made in
different milliseconds sort by time as strings, as ints and as :class:`uuid.UUID`; ids made in
the same millisecond are in random order.

:func:`uuid7` takes the time and the randomness as arguments, so the demo database built from
a seeded :class:`random.Random` and a fixed clock is identical on every run. :func:`new_uuid7`
is the everyday version on the real clock and :mod:`secrets`.
"""

from __future__ import annotations

import random
import re
import secrets
import time
import uuid
from collections.abc import Callable

__all__ = [
    "RANDOM_BITS",
    "RandomSource",
    "is_uuid7",
    "new_uuid7",
    "uuid7",
    "uuid7_time_ms",
]

RANDOM_BITS = 74
MAX_TIME_MS = (1 << 48) - 1

# A function returning an int of the given number of random bits (like ``secrets.randbits``
# or ``random.Random.getrandbits``), or a ``random.Random`` instance.
RandomSource = Callable[[int], int] | random.Random

_UUID7 = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", re.ASCII
)


def uuid7(now_ms: int, rand: RandomSource) -> str:
    """Return a UUIDv7 for Unix time ``now_ms`` (milliseconds) as a canonical lower-case string.

    ``rand`` supplies the 74 random bits: a ``random.Random`` (its ``getrandbits`` is used)
    or a callable taking a bit count and returning that many random bits. The same time and
    the same random state always give the same id.
    """
    if isinstance(now_ms, bool) or not isinstance(now_ms, int):
        raise TypeError(f"now_ms must be an int, got {now_ms!r}")
    if not 0 <= now_ms <= MAX_TIME_MS:
        raise ValueError(f"now_ms {now_ms} does not fit the 48-bit UUIDv7 timestamp")
    draw = rand.getrandbits if isinstance(rand, random.Random) else rand
    bits = draw(RANDOM_BITS)
    if isinstance(bits, bool) or not isinstance(bits, int) or not 0 <= bits < 1 << RANDOM_BITS:
        raise ValueError(f"random source returned {bits!r}, not {RANDOM_BITS} random bits")
    rand_a = bits >> 62  # 12 bits
    rand_b = bits & ((1 << 62) - 1)  # 62 bits
    value = now_ms << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return str(uuid.UUID(int=value))


def new_uuid7() -> str:
    """Return a UUIDv7 for the current time with cryptographically random bits."""
    return uuid7(time.time_ns() // 1_000_000, secrets.randbits)


def is_uuid7(value: str) -> bool:
    """True if ``value`` is a canonical lower-case UUIDv7 string (version 7, variant 10)."""
    return isinstance(value, str) and _UUID7.fullmatch(value) is not None


def uuid7_time_ms(value: str) -> int:
    """The Unix time in milliseconds stored in a UUIDv7 string; ``ValueError`` if not one."""
    if not is_uuid7(value):
        raise ValueError(f"not a canonical UUIDv7: {value!r}")
    return uuid.UUID(value).int >> 80
