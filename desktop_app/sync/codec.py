"""The columnar encoding of one segment's changes (the body that a segment signs).

A segment is the changes of one (origin, epoch) with consecutive seqs, so seqs
are implicit. The body is canonical JSON of columns with a segment-local string
dictionary, so the same changes always encode to the same bytes:

* ``strings``: every text used (entity names, units, periods, indicators,
  values, users, keys), first use first; the other columns hold indices.
* per change: ``entity``, ``user``, ``scope``, ``period`` (-1 for none),
  ``base`` (-1 for none), ``schema``, ``hlc`` (first absolute, then deltas),
  ``kind`` (1: a data value rebuilt from its fields; 0: key and state carried).
* kind-1 columns (one entry per data value): ``org``, ``village`` (1 for a
  village's value, 0 for the commune's own), ``ind``, ``dis``, ``val`` (-1 for cleared),
  ``com``: the key and state texts are rebuilt exactly (the encoder checks the
  rebuild and falls back to kind 0 if a state ever has another shape).
* kind-0 columns: ``key`` (index) and ``state`` (the canonical text, or null).

zstd over the bundle payload then squeezes the repetitive columns: ~5–10 bytes
per changed value on a realistic bulk (bench/bench_sync.py measures it).
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress, repeat
from operator import attrgetter, sub
from typing import Any

from desktop_app.store.apply import Change
from desktop_app.store.apply.applier import collector_paused

# The JSON text of a string exactly as ``canonical_json`` writes it (ensure_ascii=False).
_QUOTE: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)

# A data value's state as ``canonical_json`` writes it is
#   {"comment":C,"commune_id":M,"disagg":D,"indicator":I,"org_id":O,"period":P,
#    "value":V,"village_id":W}
# and its key is {"disagg":D,"indicator":I,"org_id":O,"period":P}, each field the
# JSON text of a string or null. These are the fields, in that order, and whether
# they may be null (so a value with a null indicator, say, is carried as kind 0).
_VALUE_FIELDS = (
    ("comment", False),
    ("commune_id", False),
    ("disagg", False),
    ("indicator", False),
    ("org_id", False),
    ("period", True),
    ("value", True),
    ("village_id", True),
)
# What each field's text starts with once a state text is split at ``,"`` (the
# last one also ends with the closing brace).
_STARTS = ('{"comment":', *(f'{name}":' for name, _ in _VALUE_FIELDS[1:]))


# The field texts found canonical so far, with their values (see ``_learn``): kept from
# segment to segment, since most texts recur (indicators, units, periods, small counts,
# empty comments); whether a text is canonical depends on the text alone. Emptied when
# it grows past _SEEN_LIMIT texts.
_SEEN: list[dict[str, str | None]] = [{} for _ in _VALUE_FIELDS]
_SEEN_LIMIT = 50_000


def _split_slowly(state: str) -> list[str] | None:
    """The eight fields of a value state text that ``,"`` does not split in eight, or None.

    A string written canonically holds no bare ``"`` (it is written ``\\"``), so
    ``,"`` only separates fields, except after a string ending with a comma
    (``"a,"``). For such a state, and for texts of another shape, the state is
    parsed and its fields rebuilt; they are returned only if they join back to
    the same text.
    """
    try:
        doc = json.loads(state)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict):
        return None
    fields: list[str] = []
    for start, (name, _nullable) in zip(_STARTS, _VALUE_FIELDS, strict=True):
        if name not in doc:
            return None
        value = doc[name]
        if value is None:
            fields.append(start + "null")
        elif isinstance(value, str):
            fields.append(start + _QUOTE(value))
        else:
            return None
    fields[7] += "}"
    return fields if ',"'.join(fields) == state else None


def _learn(fields: list[str], seen: list[dict[str, str | None]]) -> tuple[str | None, ...] | None:
    """The values of a split state's fields, or None if one is not canonical.

    ``seen[i]`` maps the text of field ``i`` to its value, for the texts already
    found canonical: their value's JSON text gives back the same text.
    """
    for i, text in enumerate(fields):
        known = seen[i]
        if text in known:
            continue
        start, (_name, nullable) = _STARTS[i], _VALUE_FIELDS[i]
        end = len(text) - 1 if i == 7 else len(text)
        if not text.startswith(start) or (i == 7 and not text.endswith("}")):
            return None
        body = text[len(start) : end]
        value: str | None
        if body == "null" and nullable:
            value = None
        elif (
            len(body) >= 2
            and body[0] == body[-1] == '"'
            and '"' not in (inner := body[1:-1])
            and "\\" not in inner
            and inner.isprintable()
        ):  # no quote, backslash or control character: written as it is (the common case)
            value = inner
        elif body.startswith('"'):
            try:
                value = json.loads(body)
            except ValueError:
                return None
            if not isinstance(value, str) or _QUOTE(value) != body:
                return None
        else:
            return None
        known[text] = value
    return tuple(known[text] for known, text in zip(seen, fields, strict=True))


def encode_segment(changes: Sequence[Change]) -> bytes:
    """The canonical body of consecutive changes of one (origin, epoch)."""
    return _encode(*(list(map(attrgetter(name), changes)) for name in _ENCODED))


def encode_fields(rows: Sequence[Sequence[Any]]) -> bytes:
    """:func:`encode_segment` of rows read as :data:`ENCODED_COLUMNS` (the fields a body
    carries; the origin, epoch and seqs are the segment header's)."""
    columns = list(zip(*rows, strict=True)) or [()] * len(_ENCODED)
    return _encode(*(list(column) for column in columns))


# The fields the body carries (``Change`` attributes and ``change`` columns).
_ENCODED = ("entity", "entity_key", "scope_unit", "period", "state", "base_version", "hlc",
            "schema_version", "user")  # fmt: skip
ENCODED_COLUMNS = ", ".join(_ENCODED)


def _encode(
    entities: list[str],
    keys: list[str],
    scopes: list[str],
    periods: list[str | None],
    all_states: list[str | None],
    bases: list[str | None],
    hlcs: list[int],
    schemas: list[int],
    users: list[str],
) -> bytes:
    # Per change, ten slots in the order the strings are first used: entity, user,
    # scope, period, base, then org, ind, dis, val, com (kind 1) or key and four
    # Nones (kind 0). The string dictionary and every index column come from it.
    slots: list[Any] = []
    kinds: list[int] = []
    villages: list[int] = []
    states: list[str | None] = []
    add_slots, add_kind, add_village, add_state = (
        slots.extend,
        kinds.append,
        villages.append,
        states.append,
    )
    # A change is kind 1 when its state text is exactly the canonical text of its
    # eight fields (what parsing and rebuilding it would check, without doing
    # either): split at ``,"``, each field's text is looked up in ``seen[i]``, the
    # texts already found canonical, with their value (``_learn`` checks and adds
    # new ones); its key must be the state's four key fields, and the state's
    # commune and period the change's scope and period.
    seen = _SEEN
    if sum(map(len, seen)) > _SEEN_LIMIT:
        for known in seen:
            known.clear()
    s0, s1, s2, s3, s4, s5, s6, s7 = seen
    for entity, key, scope, period, state, user, base in zip(
        entities, keys, scopes, periods, all_states, users, bases, strict=True
    ):
        if entity == "value" and state is not None:
            f = state.split(',"')
            if len(f) != 8:
                f = _split_slowly(state) or f
            if len(f) == 8:
                values: tuple[str | None, ...] | None
                try:  # the common case: every field text already seen
                    values = (
                        s0[f[0]], s1[f[1]], s2[f[2]], s3[f[3]],
                        s4[f[4]], s5[f[5]], s6[f[6]], s7[f[7]],
                    )  # fmt: skip
                except KeyError:
                    values = _learn(f, seen)
                if values is not None:
                    com, commune, dis, ind, org, state_period, val, village = values
                    if (
                        commune == scope
                        and state_period == period
                        and (org == commune if village is None else village == org)
                        # the key: the state's disagg, indicator, org_id and period fields
                        and key == f'{{"{f[2]},"{f[3]},"{f[4]},"{f[5]}}}'
                    ):
                        add_slots(
                            (entity, user, scope, period, base,
                             org, ind, dis, val, com)
                        )  # fmt: skip
                        add_kind(1)
                        add_village(0 if village is None else 1)
                        continue
        add_slots(
            (entity, user, scope, period, base,
             key, None, None, None, None)
        )  # fmt: skip
        add_kind(0)
        add_state(state)
    first_use = dict.fromkeys(slots)  # insertion order: first use first
    first_use.pop(None, None)
    strings = list(first_use)
    # Each string's index as JSON text (None: -1), so an index column is one join
    # of texts rather than a list of ints for json.dumps to write.
    index = dict(zip(strings, map(str, range(len(strings))), strict=True))
    index[None] = "-1"
    at = index.__getitem__

    def indices(slot: int, rows: list[int] | None = None) -> str:
        texts = slots[slot::10]
        return "[" + ",".join(map(at, texts if rows is None else compress(texts, rows))) + "]"

    columns = {  # name: JSON text, in the body's order
        "n": str(len(entities)),
        "strings": _dumps(strings),
        "entity": indices(0),
        "user": indices(1),
        "scope": indices(2),
        "period": indices(3),
        "base": indices(4),
        "schema": _dumps(schemas),
        "hlc": _dumps(list(map(sub, hlcs, [0, *hlcs[:-1]]))),
        "kind": _dumps(kinds),
        "org": indices(5, kinds),
        "village": _dumps(villages),
        "ind": indices(6, kinds),
        "dis": indices(7, kinds),
        "val": indices(8, kinds),
        "com": indices(9, kinds),
        "key": indices(5, [1 - k for k in kinds]) if states else "[]",
        "state": _dumps(states),
    }
    body = "{" + ",".join(f'"{name}":{text}' for name, text in columns.items()) + "}"
    return body.encode("utf-8")


def _dumps(obj: Any) -> str:
    """Compact JSON, as the body is written."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class CodecError(ValueError):
    """A body that does not decode (a bug or a forgery that passed the hash)."""


def _column(doc: dict[str, Any], name: str, length: int) -> list[Any]:
    col = doc[name]
    if type(col) is not list or len(col) != length:
        raise CodecError(f"column {name!r} is not a list of {length}")
    return col


def _indices(col: list[Any], size: int, *, nullable: bool = False) -> list[int]:
    """``col`` after checking it holds indices into ``size`` strings (or -1 if nullable).

    Only a nullable column's highest index is checked here: it is read from the
    strings with None appended, while other indices past the end raise IndexError
    where they are read.
    """
    if not set(map(type, col)) <= {int}:
        raise CodecError("a string index is not a whole number")
    if col and (min(col) < (-1 if nullable else 0) or (nullable and max(col) >= size)):
        raise CodecError("string index out of range")
    return col


def decode_segment(body: bytes, origin: str, epoch: int, seq_from: int) -> list[Change]:
    """The changes of a segment body (inverse of :func:`encode_segment`)."""
    try:
        with collector_paused():  # building 100,000 changes: no cycles
            return _decode(body, origin, epoch, seq_from)
    except CodecError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, RecursionError) as exc:
        raise CodecError(str(exc)) from exc


@dataclass
class _Columns:
    """A body's columns, checked (see :func:`_read`)."""

    strings: list[str]
    n: int
    entity: list[int]
    user: list[int]
    scope: list[int]
    period: list[int]
    base: list[int]
    schema: list[int]
    hlcs: list[int]
    kinds: list[int]
    org: list[int]
    village: list[Any]
    ind: list[int]
    dis: list[int]
    val: list[int]
    com: list[int]
    other_keys: list[int]
    other_states: list[str | None]


def _read(body: bytes) -> _Columns:
    """Parse a body and check its columns: lengths, kinds, types, index ranges.

    A non-nullable column's index past the end is left to raise IndexError
    where :func:`_decode` reads it (:func:`segment_rows` checks it here).
    """
    doc = json.loads(body)
    if type(doc) is not dict:
        raise CodecError("the body is not a JSON object")
    strings = doc["strings"]
    if type(strings) is not list or not all(type(t) is str for t in strings):
        raise CodecError("strings is not a list of texts")
    size = len(strings)
    n = doc["n"]
    if type(n) is not int or n < 0:
        raise CodecError("n is not a count")
    kinds = _column(doc, "kind", n)
    nv = kinds.count(1)
    if nv + kinds.count(0) != n:
        raise CodecError("a kind is neither 0 nor 1")
    other_states = _column(doc, "state", n - nv)
    if not all(s is None or type(s) is str for s in other_states):
        raise CodecError("a state is neither text nor null")
    return _Columns(
        strings=strings,
        n=n,
        entity=_indices(_column(doc, "entity", n), size),
        user=_indices(_column(doc, "user", n), size),
        scope=_indices(_column(doc, "scope", n), size),
        period=_indices(_column(doc, "period", n), size, nullable=True),
        base=_indices(_column(doc, "base", n), size, nullable=True),
        schema=list(map(int, _column(doc, "schema", n))),
        hlcs=list(accumulate(map(int, _column(doc, "hlc", n)))),
        kinds=kinds,
        org=_indices(_column(doc, "org", nv), size),
        village=_column(doc, "village", nv),
        ind=_indices(_column(doc, "ind", nv), size),
        dis=_indices(_column(doc, "dis", nv), size),
        val=_indices(_column(doc, "val", nv), size, nullable=True),
        com=_indices(_column(doc, "com", nv), size),
        other_keys=_indices(_column(doc, "key", n - nv), size),
        other_states=other_states,
    )


# (entity, scope unit, period, state text): a data value carried by its fields
# (kind 1) has None for its state text (its commune is its scope unit), or, when it
# is a village's value, the text of its commune and village alone (what judging the
# row's real owner needs, ``Authoriser.owner``).
SegmentRow = tuple[str, str, str | None, str | None]


def segment_rows(body: bytes) -> list[SegmentRow]:
    """What authorising a segment's changes needs, without rebuilding them.

    The body gets every check :func:`decode_segment` makes (any body this
    accepts decodes), at a fraction of its cost: keys and states are not
    rebuilt, and no :class:`Change` is made.
    """
    try:
        cols = _read(body)
        size = len(cols.strings)
        for col in (cols.entity, cols.user, cols.scope, cols.org, cols.ind, cols.dis, cols.com,
                    cols.other_keys):  # fmt: skip
            if col and max(col) >= size:
                raise CodecError("string index out of range")
        strings, with_none = cols.strings, [*cols.strings, None]
        # a village's value: its commune (the scope unit) and village (its org) as a state
        villages = iter(
            None
            if not vil
            else f'{{"commune_id":{_QUOTE(strings[sc])},"village_id":{_QUOTE(strings[o])}}}'
            for sc, o, vil in zip(
                compress(cols.scope, cols.kinds), cols.org, cols.village, strict=True
            )
        )
        others = iter(cols.other_states)
        return [
            (strings[e], strings[sc], with_none[pe], next(villages) if kind else next(others))
            for e, sc, pe, kind in zip(
                cols.entity, cols.scope, cols.period, cols.kinds, strict=True
            )
        ]
    except CodecError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, RecursionError) as exc:
        raise CodecError(str(exc)) from exc


def _decode(body: bytes, origin: str, epoch: int, seq_from: int) -> list[Change]:
    cols = _read(body)
    strings = cols.strings
    quoted: list[str] = list(map(_QUOTE, strings))
    # index -1 (none) picks the appended None / null
    strings_or_none: list[str | None] = [*strings, None]
    quoted_or_null = [*quoted, "null"]
    n, kinds, nv = cols.n, cols.kinds, len(cols.org)
    entity, user, scope, period, base = cols.entity, cols.user, cols.scope, cols.period, cols.base
    schema, hlcs = cols.schema, cols.hlcs
    org, village, ind, dis, val, com = (
        cols.org,
        cols.village,
        cols.ind,
        cols.dis,
        cols.val,
        cols.com,
    )
    other_keys, other_states = cols.other_keys, cols.other_states

    keys: list[str] = []
    states: list[str | None] = []
    parsed: list[dict[str, Any] | None] = []
    add_key, add_state, add_parsed = keys.append, states.append, parsed.append
    for sc, pe, o, vil, i, d, v, cm in zip(
        compress(scope, kinds),
        compress(period, kinds),
        org,
        village,
        ind,
        dis,
        val,
        com,
        strict=True,
    ):
        # f-strings: the fastest way to join texts
        quoted_org = quoted[o]
        inner = (
            f'"disagg":{quoted[d]},"indicator":{quoted[i]},'
            f'"org_id":{quoted_org},"period":{quoted_or_null[pe]}'
        )
        add_key(f"{{{inner}}}")
        add_state(
            f'{{"comment":{quoted[cm]},"commune_id":{quoted[sc]},{inner},'
            f'"value":{quoted_or_null[v]},"village_id":{quoted_org if vil else "null"}}}'
        )
        org_id = strings[o]
        add_parsed(
            {
                "comment": strings[cm],
                "commune_id": strings[sc],
                "disagg": strings[d],
                "indicator": strings[i],
                "org_id": org_id,
                "period": strings_or_none[pe],
                "value": strings_or_none[v],
                "village_id": org_id if vil else None,
            }
        )
    if nv < n:  # interleave the kind-0 changes' keys and states
        value_keys, value_states, value_parsed = iter(keys), iter(states), iter(parsed)
        other_key_texts = iter([strings[k] for k in other_keys])
        other_state_texts = iter(other_states)
        keys = [next(value_keys) if k else next(other_key_texts) for k in kinds]
        states = [next(value_states) if k else next(other_state_texts) for k in kinds]
        parsed = [next(value_parsed) if k else None for k in kinds]
    return _changes(
        n,
        repeat(origin, n),
        repeat(epoch, n),
        range(seq_from, seq_from + n),
        map(strings.__getitem__, entity),
        keys,
        map(strings.__getitem__, scope),
        map(strings_or_none.__getitem__, period),
        states,
        map(strings_or_none.__getitem__, base),
        hlcs,
        schema,
        map(strings.__getitem__, user),
        parsed,
    )


# ``Change`` is a frozen dataclass with slots, and its generated ``__init__`` (one
# ``object.__setattr__`` call a field) takes most of a decode's time. Setting the
# slots with their descriptors, one C-level ``map`` per field, makes the same
# objects three times faster. Only while ``Change`` stays a plain slotted dataclass
# (no ``__post_init__``, a slot per field); else its constructor is used.
_CHANGE_FIELDS = tuple(f.name for f in dataclasses.fields(Change))
_CHANGE_SLOTS: tuple[Any, ...] | None = (
    tuple(Change.__dict__[name].__set__ for name in _CHANGE_FIELDS)
    if set(getattr(Change, "__slots__", ())) == set(_CHANGE_FIELDS)
    and not hasattr(Change, "__post_init__")
    else None
)


def _changes(n: int, *columns: Iterable[Any]) -> list[Change]:
    """``n`` changes from their fields' columns, in ``Change`` field order."""
    if _CHANGE_SLOTS is None:
        return list(map(Change, *columns))
    out = list(map(object.__new__, repeat(Change, n)))
    for set_slot, column in zip(_CHANGE_SLOTS, columns, strict=True):
        deque(map(set_slot, out, column), maxlen=0)  # runs the map to its end, in C
    return out
