"""Hybrid logical clock."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop_app.domain.hlc import (
    MAX_COUNTER,
    MAX_SKEW_MS,
    MAX_WALL_MS,
    HybridClock,
    ReceiveResult,
    Timestamp,
    pack,
    receive,
    tick,
    unpack,
)

DAY = 24 * 60 * 60 * 1000
T0 = 1_700_000_000_000  # Nov 2023, in ms

nodes = st.text(min_size=1, max_size=8)
timestamps = st.builds(
    Timestamp,
    st.integers(0, MAX_WALL_MS),
    st.integers(0, MAX_COUNTER),
    nodes,
)


# --- Timestamp -------------------------------------------------------------------------------


def test_constants() -> None:
    assert MAX_SKEW_MS == DAY
    assert MAX_COUNTER == 65535
    assert pack(Timestamp(MAX_WALL_MS, MAX_COUNTER, "n")) == 2**63 - 1


def test_ordering_is_wall_then_counter_then_node() -> None:
    ts = [
        Timestamp(2, 0, "a"),
        Timestamp(1, 5, "a"),
        Timestamp(1, 5, "b"),
        Timestamp(1, 6, "a"),
        Timestamp(1, 0, "z"),
    ]
    assert sorted(ts) == [
        Timestamp(1, 0, "z"),
        Timestamp(1, 5, "a"),
        Timestamp(1, 5, "b"),
        Timestamp(1, 6, "a"),
        Timestamp(2, 0, "a"),
    ]


def test_timestamp_is_frozen_and_hashable() -> None:
    t = Timestamp(1, 2, "n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.counter = 3  # type: ignore[misc]
    assert {t, Timestamp(1, 2, "n")} == {t}


@pytest.mark.parametrize(
    ("wall", "counter", "node", "error"),
    [
        (-1, 0, "n", ValueError),
        (MAX_WALL_MS + 1, 0, "n", ValueError),
        (0, -1, "n", ValueError),
        (0, MAX_COUNTER + 1, "n", ValueError),
        (0, 0, "", ValueError),
        (1.5, 0, "n", TypeError),
        (0, True, "n", TypeError),
        (0, 0, None, ValueError),
    ],
)
def test_timestamp_validation(wall: object, counter: object, node: object, error: type) -> None:
    with pytest.raises(error):
        Timestamp(wall, counter, node)  # type: ignore[arg-type]


# --- pack / unpack / string ------------------------------------------------------------------


def test_pack_layout() -> None:
    t = Timestamp(T0, 7, "n")
    assert pack(t) == T0 << 16 | 7
    assert t.pack() == pack(t)
    assert unpack(pack(t), "n") == t


@given(timestamps)
def test_pack_round_trip(t: Timestamp) -> None:
    assert unpack(pack(t), t.node) == t
    assert 0 <= pack(t) < 2**63


@given(timestamps, timestamps)
def test_pack_preserves_order(a: Timestamp, b: Timestamp) -> None:
    assert (pack(a) < pack(b)) == ((a.wall_ms, a.counter) < (b.wall_ms, b.counter))
    assert (pack(a) == pack(b)) == ((a.wall_ms, a.counter) == (b.wall_ms, b.counter))


@pytest.mark.parametrize("bad", [-1, 2**63, True, "12"])
def test_unpack_rejects_bad_values(bad: object) -> None:
    with pytest.raises(ValueError):
        unpack(bad, "n")  # type: ignore[arg-type]


def test_string_format() -> None:
    t = Timestamp(0x18F3A2B4C5D, 1, "office-7")
    assert t.to_string() == "018f3a2b4c5d-0001-office-7"
    assert str(t) == t.to_string()
    assert Timestamp.from_string("018f3a2b4c5d-0001-office-7") == t


@given(timestamps)
def test_string_round_trip_and_fixed_width_prefix(t: Timestamp) -> None:
    text = t.to_string()
    assert Timestamp.from_string(text) == t
    assert len(text) == 18 + len(t.node)


@given(timestamps, timestamps)
def test_string_preserves_order(a: Timestamp, b: Timestamp) -> None:
    assert (a.to_string() < b.to_string()) == (a < b)


@pytest.mark.parametrize(
    "text",
    ["", "18f3a2b4c5d-0001-n", "018f3a2b4c5d-001-n", "018f3a2b4c5d-0001-", "018F3A2B4C5D-0001-n"],
)
def test_from_string_rejects_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        Timestamp.from_string(text)


# --- tick ------------------------------------------------------------------------------------


def test_tick_follows_wall_clock() -> None:
    clock = HybridClock.for_node("a")
    assert clock.tick(T0) == Timestamp(T0, 0, "a")
    assert clock.tick(T0 + 5) == Timestamp(T0 + 5, 0, "a")


def test_tick_counts_within_a_millisecond() -> None:
    clock = HybridClock.for_node("a")
    assert [clock.tick(T0).counter for _ in range(3)] == [0, 1, 2]


def test_tick_never_goes_back_when_wall_clock_jumps_back_days() -> None:
    clock = HybridClock.for_node("a")
    first = clock.tick(T0)
    later = clock.tick(T0 - 3 * DAY)
    assert later == Timestamp(T0, 1, "a")
    assert later > first
    # back to normal once the wall clock passes the high-water mark
    assert clock.tick(T0 + 1) == Timestamp(T0 + 1, 0, "a")


def test_counter_overflow_bumps_wall_instead() -> None:
    state = Timestamp(T0, MAX_COUNTER - 1, "a")
    t1 = tick(state, T0)
    assert t1 == Timestamp(T0, MAX_COUNTER, "a")
    t2 = tick(t1, T0)
    assert t2 == Timestamp(T0 + 1, 0, "a")
    assert t2 > t1
    assert pack(t2) > pack(t1)


def test_tick_is_pure() -> None:
    state = Timestamp(T0, 3, "a")
    assert tick(state, T0) == tick(state, T0) == Timestamp(T0, 4, "a")
    assert state == Timestamp(T0, 3, "a")


@pytest.mark.parametrize(("now", "error"), [(-1, ValueError), (MAX_WALL_MS + 1, ValueError)])
def test_tick_rejects_bad_now(now: int, error: type) -> None:
    with pytest.raises(error):
        tick(Timestamp(0, 0, "a"), now)


def test_tick_rejects_non_int_now() -> None:
    with pytest.raises(TypeError):
        tick(Timestamp(0, 0, "a"), 1.5)  # type: ignore[arg-type]


# The wall clock of a commune PC: small steps forward, sometimes a jump back of up to 10 days
# (dead CMOS battery, wrong manual setting), sometimes standing still.
clock_steps = st.lists(
    st.one_of(
        st.integers(0, 5),
        st.integers(0, 60_000),
        st.integers(-10 * DAY, -1),
        st.integers(1, 10 * DAY),
    ),
    min_size=1,
    max_size=200,
)


@given(clock_steps)
def test_ticks_are_strictly_increasing_under_any_wall_clock(steps: list[int]) -> None:
    clock = HybridClock.for_node("a")
    now = T0
    previous = clock.state
    for step in steps:
        now = max(0, now + step)
        current = clock.tick(now)
        assert current > previous
        assert pack(current) > pack(previous)
        assert current.wall_ms >= now
        assert clock.state == current
        previous = current


@given(st.integers(1, 3 * MAX_COUNTER))
def test_long_burst_in_one_millisecond_stays_strictly_increasing(n: int) -> None:
    state = Timestamp(T0, 0, "a")
    seen = pack(state)
    for _ in range(min(n, 2000)):
        state = tick(state, T0)
        assert pack(state) > seen
        seen = pack(state)


# --- receive ---------------------------------------------------------------------------------


def test_receive_remote_ahead_moves_clock_past_it() -> None:
    clock = HybridClock(Timestamp(T0, 4, "a"))
    remote = Timestamp(T0 + 1000, 7, "b")
    result = clock.receive(remote, T0 + 10)
    assert result == ReceiveResult(Timestamp(T0 + 1000, 8, "a"), skewed=False)
    assert result.timestamp > remote
    assert clock.state == result.timestamp
    assert clock.tick(T0 + 20) == Timestamp(T0 + 1000, 9, "a")


def test_receive_remote_behind_keeps_local_wall() -> None:
    result = receive(Timestamp(T0, 4, "a"), Timestamp(T0 - 1000, 9, "b"), T0 - 5)
    assert result == ReceiveResult(Timestamp(T0, 5, "a"), skewed=False)


def test_receive_same_wall_takes_max_counter() -> None:
    result = receive(Timestamp(T0, 4, "a"), Timestamp(T0, 9, "b"), T0 - 5)
    assert result.timestamp == Timestamp(T0, 10, "a")
    result = receive(Timestamp(T0, 12, "a"), Timestamp(T0, 9, "b"), T0)
    assert result.timestamp == Timestamp(T0, 13, "a")


def test_receive_when_now_is_ahead_of_both_restarts_counter() -> None:
    result = receive(Timestamp(T0, 4, "a"), Timestamp(T0 + 1, 9, "b"), T0 + 50)
    assert result.timestamp == Timestamp(T0 + 50, 0, "a")


def test_receive_counter_overflow_bumps_wall() -> None:
    result = receive(Timestamp(T0, 1, "a"), Timestamp(T0 + 5, MAX_COUNTER, "b"), T0)
    assert result.timestamp == Timestamp(T0 + 6, 0, "a")
    assert result.timestamp > Timestamp(T0 + 5, MAX_COUNTER, "b")


def test_receive_within_24h_ahead_is_merged() -> None:
    remote = Timestamp(T0 + MAX_SKEW_MS, 3, "b")  # exactly 24 h ahead: still trusted
    result = receive(Timestamp(T0, 0, "a"), remote, T0)
    assert result == ReceiveResult(Timestamp(T0 + MAX_SKEW_MS, 4, "a"), skewed=False)


def test_receive_more_than_24h_ahead_is_flagged_and_does_not_drag() -> None:
    clock = HybridClock(Timestamp(T0, 0, "a"))
    remote = Timestamp(T0 + MAX_SKEW_MS + 1, 3, "b")
    result = clock.receive(remote, T0)
    assert result.skewed
    assert result.timestamp == Timestamp(T0, 1, "a")
    assert clock.state.wall_ms == T0
    # later local ticks are unaffected by the bad remote
    assert clock.tick(T0 + 10) == Timestamp(T0 + 10, 0, "a")


def test_skewed_remote_years_ahead() -> None:
    result = receive(Timestamp(T0, 0, "a"), Timestamp(T0 + 400 * DAY, 0, "b"), T0 + 7)
    assert result == ReceiveResult(Timestamp(T0 + 7, 0, "a"), skewed=True)


def test_skew_is_measured_against_now_even_if_local_clock_is_ahead() -> None:
    # Our own wall clock jumped back 3 days; our HLC already holds the correct time.
    state = Timestamp(T0, 5, "a")
    remote = Timestamp(T0 - 1000, 2, "b")
    result = receive(state, remote, T0 - 3 * DAY)
    assert result.skewed  # the caller decides whose clock is wrong
    assert result.timestamp == Timestamp(T0, 6, "a")  # merging moved nothing forward


def test_receive_is_pure_and_uses_local_node() -> None:
    state = Timestamp(T0, 0, "a")
    remote = Timestamp(T0 + 1, 0, "b")
    assert receive(state, remote, T0) == receive(state, remote, T0)
    assert receive(state, remote, T0).timestamp.node == "a"
    assert state == Timestamp(T0, 0, "a")


events = st.lists(
    st.tuples(
        st.integers(-2 * DAY, 60_000),  # wall clock step
        st.one_of(st.none(), st.integers(-3 * DAY, 3 * DAY), st.integers(0, 60)),  # remote offset
        st.integers(0, MAX_COUNTER),
    ),
    min_size=1,
    max_size=100,
)


@given(events)
def test_mixed_ticks_and_receives_stay_monotonic_and_causal(
    steps: list[tuple[int, int | None, int]],
) -> None:
    clock = HybridClock.for_node("a")
    now = T0
    previous = clock.state
    for step, offset, counter in steps:
        now = max(0, now + step)
        if offset is None:
            current = clock.tick(now)
        else:
            remote = Timestamp(max(0, now + offset), counter, "b")
            result = clock.receive(remote, now)
            current = result.timestamp
            assert result.skewed == (offset > MAX_SKEW_MS)
            if not result.skewed:
                assert current > remote  # causality: the reply orders after what it saw
        assert current > previous
        assert current.node == "a"
        previous = current


@given(timestamps, st.integers(0, MAX_WALL_MS - 1))
def test_receive_result_never_exceeds_now_plus_skew_unless_already_there(
    remote: Timestamp, now: int
) -> None:
    assume(remote.wall_ms < MAX_WALL_MS)
    state = Timestamp(now, 0, "a")
    result = receive(state, remote, now)
    assert result.timestamp.wall_ms <= max(state.wall_ms, now + MAX_SKEW_MS + 1)


# --- HybridClock -----------------------------------------------------------------------------


def test_clock_resumes_from_persisted_state() -> None:
    clock = HybridClock.for_node("office-1")
    clock.tick(T0)
    saved = clock.state.to_string()
    resumed = HybridClock(Timestamp.from_string(saved))
    assert resumed.node == "office-1"
    assert resumed.tick(T0 - DAY) == Timestamp(T0, 1, "office-1")


def test_clock_requires_a_timestamp() -> None:
    with pytest.raises(TypeError):
        HybridClock("a")  # type: ignore[arg-type]


def test_clock_repr() -> None:
    assert "office-1" in repr(HybridClock.for_node("office-1"))
