"""The merge and conflict rules: a row's state as a pure function of its known versions.

No database here. The applier gathers every version of one row it knows
(:class:`Known`: parents, state, HLC, author) and :func:`resolve` says which
heads there are, which wins, the merged state, and which heads clash, so the
result does not depend on the order the versions arrived in (DESIGN §4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple


class _Missing:
    pass


_MISSING = _Missing()


class Known(NamedTuple):
    """One version of a row: what it descends from, its state, HLC and author."""

    parents: tuple[str, ...]
    state: dict[str, Any] | None
    hlc: int
    origin: str


@dataclass(frozen=True)
class Resolution:
    """The outcome for one row: heads (best first), winner, state, clashes, merges, late ones."""

    heads: list[str]
    winner: str
    state: dict[str, Any] | None
    clashes: list[str]
    merged: list[str]
    late: list[str]


def version_parts(version: str) -> tuple[str, int, int]:
    """``origin/epoch/seq`` → (origin, epoch, seq)."""
    origin, epoch, seq = version.rsplit("/", 2)
    return origin, int(epoch), int(seq)


def same_writer_later(current: str, incoming: str) -> bool:
    """Whether ``incoming`` is a later change of the same (origin, epoch) as ``current``."""
    o1, e1, s1 = version_parts(current)
    o2, e2, s2 = version_parts(incoming)
    return o1 == o2 and e1 == e2 and s1 < s2


def change_known(base: str | None, state: dict[str, Any] | None, hlc: int, origin: str) -> Known:
    """An ordinary change descends from its base version (if any)."""
    return Known((base,) if base else (), state, hlc, origin)


def decision_known(base: str | None, doc: dict[str, Any], hlc: int, origin: str) -> Known:
    """A decision descends from its base and from both versions it decided between."""
    parents = tuple(str(p) for p in (base, *doc.get("supersedes", ())) if p)
    state = doc.get("state")
    return Known(parents, None if state is None else dict(state), hlc, origin)


def ancestry(known: dict[str, Known]) -> dict[str, set[str]]:
    """Each known version's ancestors (bases, superseded, same writer's earlier changes)."""
    by_writer: dict[tuple[str, int], list[tuple[int, str]]] = {}
    for v in known:
        o, e, q = version_parts(v)
        by_writer.setdefault((o, e), []).append((q, v))
    out: dict[str, set[str]] = {}
    for v in known:
        seen: set[str] = set()
        stack = [v]
        while stack:
            x = stack.pop()
            parents = list(known[x].parents) if x in known else []
            o, e, q = version_parts(x)
            parents += [w for n, w in by_writer.get((o, e), []) if n < q]
            for p in parents:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
        out[v] = seen
    return out


def resolve(
    known: dict[str, Known],
    level_of: Callable[[str], int],
    lock_after: int | None = None,
) -> Resolution:
    """The row's state as a pure function of the versions known (any arrival order).

    Heads are the versions no other known version descends from (through its
    base, a decision's ``supersedes``, or a later change of the same writer).
    The highest-ranked head wins (office authority from ``level_of(origin)``,
    1 province … 3 commune, then HLC, then node id); each other head's changes
    relative to its latest common ancestor with the winner are merged in when
    they touch fields the winner left alone; the same field changed to
    different values, or delete against edit, is a hard conflict and the
    winner's state stands. With ``lock_after`` (an approved period) a
    commune's versions later than the approval are left out (``late``): the
    approved value stays (unless a reviewer's version supersedes it).
    """
    late = [
        v
        for v, k in known.items()
        if lock_after is not None and k.hlc > lock_after and level_of(k.origin) >= 3
    ]
    if late:
        # a late version a reviewer's version descends from (a decision that chose or
        # overruled it) is superseded, not late: the same whichever arrived first
        every = ancestry(known)
        kept = [v for v in known if v not in late]
        decided: set[str] = set().union(*(every[v] for v in kept)) if kept else set()
        late = [v for v in late if v not in decided]
    if late:
        known = {v: k for v, k in known.items() if v not in late}
    if not known:
        return Resolution([], "", None, [], [], late)
    ancestors = ancestry(known)
    below: set[str] = set().union(*ancestors.values()) if ancestors else set()

    def rank(v: str) -> tuple[int, int, str]:
        origin = version_parts(v)[0]
        return (-level_of(origin), known[v].hlc, origin)

    heads = sorted((v for v in known if v not in below), key=rank, reverse=True)
    winner = heads[0]
    first = known[winner].state
    result = None if first is None else dict(first)
    clashes: list[str] = []
    merged: list[str] = []
    for other in heads[1:]:
        common = ancestors[winner] & ancestors[other]
        base_v = max(
            (v for v in common if v in known),
            key=lambda v: (known[v].hlc, v),
            default=None,
        )
        base = (known[base_v].state or {}) if base_v is not None else {}
        mine = known[other].state
        if result is None or mine is None:
            if (result or {}) != (mine or {}):
                clashes.append(other)
            continue
        w_diff = {k: v for k, v in result.items() if base.get(k, _MISSING) != v}
        o_diff = {k: v for k, v in mine.items() if base.get(k, _MISSING) != v}
        w_del = bool(w_diff.get("deleted"))
        o_del = bool(o_diff.get("deleted"))
        edits_w = {k for k in w_diff if k != "deleted"}
        edits_o = {k for k in o_diff if k != "deleted"}
        if (
            any(k in w_diff and w_diff[k] != v for k, v in o_diff.items())
            or (w_del and edits_o and not o_del)
            or (o_del and edits_w and not w_del)
        ):
            clashes.append(other)
        elif any(k not in w_diff for k in o_diff):
            result.update({k: v for k, v in o_diff.items() if k not in w_diff})
            merged.append(other)
    return Resolution(heads, winner, result, clashes, merged, late)
