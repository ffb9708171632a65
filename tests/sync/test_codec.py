"""The columnar segment codec: exact round trip, whatever the text, and the same bytes as before.

``_ref_encode``/``_ref_decode`` below are the codec as it was before it was made
faster, frozen: the bytes are signed and hashed (batch ids), so the encoder must
keep writing exactly what they write, and bodies they wrote must still decode.
"""

from __future__ import annotations

import gc
import json
import random
import unicodedata
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.store.apply import Change
from desktop_app.store.changes import canonical_json
from desktop_app.sync import codec
from desktop_app.sync.codec import (
    CodecError,
    decode_segment,
    encode_fields,
    encode_segment,
    segment_rows,
)

# --- the reference: the codec before it was made faster (frozen, do not edit) ---

_REF_VALUE_STATE = (
    '{{"comment":{com},"commune_id":{commune},"disagg":{dis},"indicator":{ind},'
    '"org_id":{org},"period":{per},"value":{val},"village_id":{vil}}}'
)
_REF_VALUE_KEY = '{{"disagg":{dis},"indicator":{ind},"org_id":{org},"period":{per}}}'


class _RefStrings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def __call__(self, text: str | None) -> int:
        if text is None:
            return -1
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found


_REF_QUOTE: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)


def _ref_dumps(s: str | None) -> str:
    if s is None:
        return "null"
    return str(_REF_QUOTE(s))


def _ref_value_fields(change: Change) -> dict[str, Any] | None:
    if change.entity != "value" or change.state is None:
        return None
    try:
        state = json.loads(change.state)
    except ValueError:
        return None
    if not isinstance(state, dict) or set(state) != {
        "comment",
        "commune_id",
        "disagg",
        "indicator",
        "org_id",
        "period",
        "value",
        "village_id",
    }:
        return None
    if any(not isinstance(state[k], str) for k in ("comment", "commune_id", "disagg")):
        return None
    if state["commune_id"] != change.scope_unit or state["period"] != change.period:
        return None
    if state["village_id"] is not None and state["village_id"] != state["org_id"]:
        return None
    if state["village_id"] is None and state["org_id"] != state["commune_id"]:
        return None
    fields = {k: state[k] for k in state}
    if _ref_rebuild_state(fields) != change.state or _ref_rebuild_key(fields) != change.entity_key:
        return None
    return fields


def _ref_rebuild_state(f: dict[str, Any]) -> str:
    return _REF_VALUE_STATE.format(
        com=_ref_dumps(f["comment"]),
        commune=_ref_dumps(f["commune_id"]),
        dis=_ref_dumps(f["disagg"]),
        ind=_ref_dumps(f["indicator"]),
        org=_ref_dumps(f["org_id"]),
        per=_ref_dumps(f["period"]),
        val=_ref_dumps(f["value"]),
        vil=_ref_dumps(f["village_id"]),
    )


def _ref_rebuild_key(f: dict[str, Any]) -> str:
    return _REF_VALUE_KEY.format(
        dis=_ref_dumps(f["disagg"]),
        ind=_ref_dumps(f["indicator"]),
        org=_ref_dumps(f["org_id"]),
        per=_ref_dumps(f["period"]),
    )


def _ref_encode(changes: list[Change]) -> bytes:
    s = _RefStrings()
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "entity",
            "user",
            "scope",
            "period",
            "base",
            "schema",
            "hlc",
            "kind",
            "org",
            "village",
            "ind",
            "dis",
            "val",
            "com",
            "key",
            "state",
        )
    }
    last_hlc = 0
    for c in changes:
        cols["entity"].append(s(c.entity))
        cols["user"].append(s(c.user))
        cols["scope"].append(s(c.scope_unit))
        cols["period"].append(s(c.period))
        cols["base"].append(s(c.base_version))
        cols["schema"].append(c.schema_version)
        cols["hlc"].append(c.hlc - last_hlc)
        last_hlc = c.hlc
        fields = _ref_value_fields(c)
        if fields is not None:
            cols["kind"].append(1)
            cols["org"].append(s(fields["org_id"]))
            cols["village"].append(0 if fields["village_id"] is None else 1)
            cols["ind"].append(s(fields["indicator"]))
            cols["dis"].append(s(fields["disagg"]))
            cols["val"].append(s(fields["value"]))
            cols["com"].append(s(fields["comment"]))
        else:
            cols["kind"].append(0)
            cols["key"].append(s(c.entity_key))
            cols["state"].append(c.state)
    body = {"n": len(changes), "strings": s.items, **cols}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _ref_decode(body: bytes, origin: str, epoch: int, seq_from: int) -> list[Change]:
    try:
        doc = json.loads(body)
        strings: list[str] = doc["strings"]
        quoted = [_ref_dumps(t) for t in strings]
        n = int(doc["n"])
        entity, user, scope, period = doc["entity"], doc["user"], doc["scope"], doc["period"]
        base, schema, hlcs, kinds = doc["base"], doc["schema"], doc["hlc"], doc["kind"]
        org, village, ind, dis = doc["org"], doc["village"], doc["ind"], doc["dis"]
        val, com, key, state = doc["val"], doc["com"], doc["key"], doc["state"]
        out: list[Change] = []
        hlc = 0
        vi = gi = 0
        for i in range(n):
            hlc += int(hlcs[i])
            pi = period[i]
            per = strings[pi] if pi >= 0 else None
            sc = strings[scope[i]]
            parsed: dict[str, Any] | None = None
            if kinds[i] == 1:
                o = org[vi]
                v = val[vi]
                parsed = {
                    "comment": strings[com[vi]],
                    "commune_id": sc,
                    "disagg": strings[dis[vi]],
                    "indicator": strings[ind[vi]],
                    "org_id": strings[o],
                    "period": per,
                    "value": None if v < 0 else strings[v],
                    "village_id": strings[o] if village[vi] else None,
                }
                fields_q = {
                    "com": quoted[com[vi]],
                    "commune": quoted[scope[i]],
                    "dis": quoted[dis[vi]],
                    "ind": quoted[ind[vi]],
                    "org": quoted[o],
                    "per": quoted[pi] if pi >= 0 else "null",
                    "val": "null" if v < 0 else quoted[v],
                    "vil": quoted[o] if village[vi] else "null",
                }
                st: str | None = _REF_VALUE_STATE.format(**fields_q)
                k = _REF_VALUE_KEY.format(
                    dis=fields_q["dis"],
                    ind=fields_q["ind"],
                    org=fields_q["org"],
                    per=fields_q["per"],
                )
                vi += 1
            else:
                k = strings[key[gi]]
                st = state[gi]
                gi += 1
            out.append(
                Change(
                    origin,
                    epoch,
                    seq_from + i,
                    strings[entity[i]],
                    k,
                    sc,
                    per,
                    st,
                    strings[base[i]] if base[i] >= 0 else None,
                    hlc,
                    int(schema[i]),
                    strings[user[i]],
                    parsed,
                )
            )
        return out
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise CodecError(str(exc)) from exc


# --- the reference ends here ---

ORIGIN, EPOCH, SEQ = "node-a", 7, 5
COMMUNE = "pre2025:04108"
FIELDS = ("comment", "commune_id", "disagg", "indicator", "org_id", "period", "value", "village_id")
VI = "Bản Mường Ẳng, Huyện Điện Biên Đông"
# texts that trouble a JSON writer or a parser of the state text
ODD = [
    "",
    "a,",  # ends with a comma: `,"` right before the closing quote
    ",",
    '",',
    ',"',
    '","value":"1"',
    '"disagg":"x",',
    "\\",
    '\\"',
    '"',
    "null",
    "}",
    "{",
    VI,
    unicodedata.normalize("NFD", VI),
    "\x00",
    "\x1f",
    "\x7f",
    "\n\t\r",
    "\u2028\u2029",
    "\u00a0",
    "😀🇻🇳",
    "ﬁ",
]
odd_text = st.one_of(st.sampled_from(ODD), st.text(st.characters(codec="utf-8"), max_size=12))
# what may happen to a value change to make it something the encoder must carry as is
MUTATIONS = [
    "reordered",  # state keys not sorted
    "spaced",  # json.dumps with its default separators
    "ascii",  # non-ASCII escaped
    "escaped",  # the comment's first character escaped (\\uXXXX): the same value
    "extra",  # one key more
    "missing",  # one key less
    "null",  # a field null
    "number",  # a field not a string
    "scope",  # commune_id is not the change's scope
    "period",  # period is not the change's period
    "village",  # village_id is not org_id
    "org",  # a commune value whose org_id is not the commune
    "key",  # key of another value
    "key-spaced",  # key not canonical
    "no-state",  # a cleared row: state None
    "entity",  # another entity with a value's state
    "garbage",  # any text
    "truncated",
    "list",
]


@st.composite
def value_change(draw: st.DrawFn) -> Change:
    commune = draw(st.one_of(st.just(COMMUNE), odd_text))
    village = draw(st.one_of(st.none(), st.just("01a21737-5612-7ee2"), odd_text))
    period = draw(st.one_of(st.sampled_from(["2019Q1", "2020"]), st.none(), odd_text))
    state: dict[str, Any] = {
        "comment": draw(odd_text),
        "commune_id": commune,
        "disagg": draw(st.one_of(st.sampled_from(["", "viettel", "viettel.4g"]), odd_text)),
        "indicator": draw(st.one_of(st.sampled_from(["so_ho", "phu_5g"]), odd_text)),
        "org_id": village if village is not None else commune,
        "period": period,
        "value": draw(st.one_of(st.none(), st.sampled_from(["0", "67", "true", "a|b"]), odd_text)),
        "village_id": village,
    }
    key: dict[str, Any] = {k: state[k] for k in ("disagg", "indicator", "org_id", "period")}
    entity, scope = "value", commune
    mutation = draw(st.one_of(st.none(), st.none(), st.sampled_from(MUTATIONS)))
    field = draw(st.sampled_from(FIELDS))
    other = draw(odd_text)
    if mutation == "extra":
        state["unit"] = other
    elif mutation == "missing":
        del state[field]
    elif mutation == "null":
        state[field] = None
    elif mutation == "number":
        state[field] = draw(st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False)))
    elif mutation == "scope":
        scope = other
    elif mutation == "period":
        period = other
    elif mutation == "village":
        state["village_id"] = other
    elif mutation == "org":
        state["org_id"] = other
    elif mutation == "key":
        key["disagg"] = other
    elif mutation == "entity":
        entity = draw(st.sampled_from(["site", "village", "Value"]))
    text: str | None = canonical_json(state)
    if mutation == "reordered":
        text = json.dumps(dict(reversed(state.items())), separators=(",", ":"), ensure_ascii=False)
    elif mutation == "spaced":
        text = json.dumps(state, sort_keys=True, ensure_ascii=False)
    elif mutation == "ascii":
        text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    elif mutation == "escaped":
        comment = state["comment"]
        if not comment or comment[0] < " ":  # canonical JSON already escapes these
            comment = state["comment"] = "x" + comment
        first = comment[0]
        escaped = f"\\u{ord(first):04x}" if ord(first) < 0x10000 else json.dumps(first)[1:-1]
        canonical = canonical_json(state)
        head = '{"comment":' + canonical_json(comment)
        assert canonical.startswith(head)
        text = '{"comment":"' + escaped + canonical_json(comment[1:])[1:] + canonical[len(head) :]
        assert json.loads(text) == state and text != canonical
    elif mutation == "no-state":
        text = None
    elif mutation == "garbage":
        text = other
    elif mutation == "truncated":
        text = canonical_json(state)[: draw(st.integers(0, len(canonical_json(state)) - 1))]
    elif mutation == "list":
        text = canonical_json(list(state.values()))
    key_text = canonical_json(key)
    if mutation == "key-spaced":
        key_text = json.dumps(key, sort_keys=True, ensure_ascii=False)
    return Change(
        ORIGIN,
        EPOCH,
        0,
        entity,
        key_text,
        scope,
        period,
        text,
        draw(st.one_of(st.none(), st.just("node-b/1/2"), odd_text)),
        0,
        draw(st.sampled_from([3, 3, 0, 4])),
        draw(st.one_of(st.sampled_from(["canbo", 'Lò Văn "A"']), odd_text)),
    )


other_change = st.builds(
    lambda entity, key, scope, period, state, base, schema, user: Change(
        ORIGIN,
        EPOCH,
        0,
        entity,
        canonical_json({"id": key}),
        scope,
        period,
        state,
        base,
        0,
        schema,
        user,
    ),
    st.sampled_from(["site", "village", "user", "submission"]),
    odd_text,
    st.one_of(st.just(COMMUNE), odd_text),
    st.one_of(st.none(), st.just("2019Q1")),
    st.one_of(
        st.none(),
        odd_text,
        st.dictionaries(
            st.sampled_from(["id", "name", "active", "lat"]),
            st.one_of(odd_text, st.booleans(), st.floats(allow_nan=False), st.none()),
        ).map(canonical_json),
    ),
    st.one_of(st.none(), st.just("node-b/1/2")),
    st.integers(0, 5),
    odd_text,
)


@st.composite
def change_lists(draw: st.DrawFn) -> list[Change]:
    items = draw(st.lists(st.one_of(value_change(), other_change), min_size=0, max_size=25))
    hlcs = draw(st.lists(st.integers(0, 2**62), min_size=len(items), max_size=len(items)))
    if draw(st.booleans()):
        hlcs.sort()  # usually the clocks rise; not always (deltas may be negative)
    return [
        replace(c, seq=SEQ + i, hlc=h) for i, (c, h) in enumerate(zip(items, hlcs, strict=True))
    ]


def _fields(changes: list[Change]) -> list[tuple[Any, ...]]:
    """Every field of each change, ``parsed`` included (equality leaves it out)."""
    return [(*c.row(), c.parsed) for c in changes]


def _reference_body(changes: list[Change]) -> bytes | None:
    """What the reference writes, or None where it fails (a field that is not text)."""
    try:
        return _ref_encode(changes)
    except TypeError:
        return None


def _null_indicator(c: Change) -> bool:
    """A value state with a null indicator: the reference wrote index -1 and read it back wrong."""
    try:
        state = json.loads(c.state or "")
    except ValueError:
        return False
    return c.entity == "value" and isinstance(state, dict) and state.get("indicator", 1) is None


def _reference_kind(c: Change) -> int:
    """1 where the reference rebuilt the value from its fields, but for a null indicator."""
    try:
        fields = _ref_value_fields(c)
    except TypeError:  # the reference failed on a field that is not text
        return 0
    return 0 if fields is None or fields["indicator"] is None else 1


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(changes=change_lists())
def test_same_bytes_as_the_reference_and_exact_round_trip(changes: list[Change]) -> None:
    body = encode_segment(changes)
    assert encode_segment(changes) == body  # deterministic
    assert encode_fields([c.row()[3:] for c in changes]) == body  # straight from table rows
    _read_alike(body)
    back = decode_segment(body, ORIGIN, EPOCH, SEQ)
    assert back == changes
    assert [c.row() for c in back] == [c.row() for c in changes]
    assert [hash(c) for c in back] == [hash(c) for c in changes]
    assert all(type(c) is Change for c in back)
    doc = json.loads(body)
    assert doc["kind"] == [_reference_kind(c) for c in changes]
    for c, kind in zip(back, doc["kind"], strict=True):
        # kind 1 carries its state parsed, exactly as json.loads reads the text
        assert c.parsed == (json.loads(c.state or "") if kind else None)
    reference = _reference_body(changes)
    if reference is None:
        return  # the reference raised TypeError: now such a state is carried as is
    reference_back = _ref_decode(reference, ORIGIN, EPOCH, SEQ)
    if reference_back != changes:  # the reference's one wrong round trip
        assert any(_null_indicator(c) for c in changes)
        return
    assert body == reference
    assert _fields(back) == _fields(reference_back)
    assert _fields(decode_segment(reference, ORIGIN, EPOCH, SEQ)) == _fields(reference_back)


def _bulk(n: int) -> list[Change]:
    """Value changes as ``ValueRepository.set_many`` writes them."""
    rng = random.Random(3)
    out = []
    for i in range(n):
        village = rng.choice([None, "01a21737-5612-7ee2-9f0f-6b4a060b12d3", "0190-village"])
        org = village or COMMUNE
        period = rng.choice(["2019Q1", "2019Q2", "2020"])
        state = {
            "org_id": org,
            "commune_id": COMMUNE,
            "village_id": village,
            "period": period,
            "indicator": rng.choice(["so_ho", "phu_5g", "bts_tram"]),
            "disagg": rng.choice(["", "viettel.4g"]),
            "value": rng.choice([None, "0", str(i), "a|b", "true"]),
            "comment": rng.choice(["", "đã kiểm tra,", VI]),
        }
        key = {k: state[k] for k in ("org_id", "period", "indicator", "disagg")}
        out.append(
            Change(
                ORIGIN,
                EPOCH,
                SEQ + i,
                "value",
                canonical_json(key),
                COMMUNE,
                period,
                canonical_json(state),
                None,
                10**12 + 1000 * i,
                3,
                "canbo",
            )
        )
    return out


def test_a_bulk_of_values_is_all_kind_1_and_as_before() -> None:
    changes = _bulk(2000)
    body = encode_segment(changes)
    assert body == _ref_encode(changes)
    assert json.loads(body)["kind"] == [1] * len(changes)
    back = decode_segment(body, ORIGIN, EPOCH, SEQ)
    assert _fields(back) == _fields(_ref_decode(body, ORIGIN, EPOCH, SEQ))
    assert back == changes


def test_changes_are_built_as_their_constructor_builds_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    changes = _bulk(50)
    changes[7] = replace(changes[7], entity="site", state=None, base_version="node-b/1/2")
    body = encode_segment(changes)
    assert codec._CHANGE_SLOTS is not None  # the fast way is in use
    fast = decode_segment(body, ORIGIN, EPOCH, SEQ)
    monkeypatch.setattr(codec, "_CHANGE_SLOTS", None)
    slow = decode_segment(body, ORIGIN, EPOCH, SEQ)
    assert _fields(fast) == _fields(slow) == _fields(_ref_decode(body, ORIGIN, EPOCH, SEQ))
    assert fast == changes
    assert [hash(c) for c in fast] == [hash(c) for c in changes]
    with pytest.raises(AttributeError):
        fast[0].seq = 1  # type: ignore[misc]


def test_decoding_leaves_the_garbage_collector_as_it_found_it() -> None:
    body = encode_segment(_bulk(5))
    assert gc.isenabled()
    decode_segment(body, ORIGIN, EPOCH, SEQ)
    assert gc.isenabled()
    with pytest.raises(CodecError):
        decode_segment(body[:-1], ORIGIN, EPOCH, SEQ)
    assert gc.isenabled()
    gc.disable()
    try:
        decode_segment(body, ORIGIN, EPOCH, SEQ)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_empty_segment() -> None:
    body = encode_segment([])
    assert body == _ref_encode([])
    assert decode_segment(body, ORIGIN, EPOCH, SEQ) == []


def test_a_null_indicator_is_carried_as_is() -> None:
    """The reference wrote it as kind 1 with index -1 and read back the last string."""
    state = {
        "comment": "",
        "commune_id": COMMUNE,
        "disagg": "",
        "indicator": None,
        "org_id": COMMUNE,
        "period": "2019Q1",
        "value": "1",
        "village_id": None,
    }
    key = {k: state[k] for k in ("disagg", "indicator", "org_id", "period")}
    c = Change(
        ORIGIN,
        EPOCH,
        SEQ,
        "value",
        canonical_json(key),
        COMMUNE,
        "2019Q1",
        canonical_json(state),
        None,
        1,
        3,
        "canbo",
    )
    assert _ref_decode(_ref_encode([c]), ORIGIN, EPOCH, SEQ) != [c]
    body = encode_segment([c])
    assert json.loads(body)["kind"] == [0]
    assert decode_segment(body, ORIGIN, EPOCH, SEQ) == [c]


# --- malformed bodies: always CodecError ---


def _mixed_doc() -> dict[str, Any]:
    changes = [*_bulk(3)]
    changes.insert(
        1,
        Change(
            ORIGIN,
            EPOCH,
            0,
            "site",
            '{"id":"s1"}',
            COMMUNE,
            None,
            '{"name":"x"}',
            "node-b/1/2",
            5,
            3,
            "canbo",
        ),
    )
    changes = [replace(c, seq=SEQ + i) for i, c in enumerate(changes)]
    doc: dict[str, Any] = json.loads(encode_segment(changes))
    assert doc["kind"] == [1, 0, 1, 1]
    assert decode_segment(json.dumps(doc).encode(), ORIGIN, EPOCH, SEQ) == changes
    return doc


def _set(path: str, value: Any) -> Any:
    def edit(doc: dict[str, Any]) -> None:
        name, _, at = path.partition(".")
        if at:
            doc[name][int(at)] = value
        else:
            doc[name] = value

    return edit


def _append(name: str, value: Any = 0) -> Any:
    return lambda doc: doc[name].append(value)


def _drop(name: str) -> Any:
    return lambda doc: doc.pop(name)


def _too_far(path: str) -> Any:
    return lambda doc: _set(path, len(doc["strings"]))(doc)


EDITS = {
    "no strings": _drop("strings"),
    "no n": _drop("n"),
    **{f"no {name}": _drop(name) for name in ("entity", "hlc", "kind", "org", "val", "state")},
    "strings not a list": _set("strings", "abc"),
    "strings a dict": _set("strings", {"a": 1}),
    "a string a number": _set("strings.0", 5),
    "a string null": _set("strings.0", None),
    "n text": _set("n", "4"),
    "n negative": _set("n", -1),
    "n too big": _set("n", 5),
    "n too small": _set("n", 3),
    "entity not a list": _set("entity", {"a": 1}),
    "entity a number": _set("entity", 3),
    "entity longer": _append("entity"),
    "hlc shorter": lambda doc: doc["hlc"].pop(),
    "kind longer": _append("kind", 1),
    "org longer": _append("org"),
    "village shorter": lambda doc: doc["village"].pop(),
    "key longer": _append("key"),
    "state longer": _append("state", None),
    "entity index too far": _too_far("entity.0"),
    "user index too far": _too_far("user.1"),
    "scope index too far": _too_far("scope.0"),
    "period index too far": _too_far("period.0"),
    "base index too far": _too_far("base.1"),
    "org index too far": _too_far("org.0"),
    "ind index too far": _too_far("ind.2"),
    "dis index too far": _too_far("dis.0"),
    "val index too far": _too_far("val.0"),
    "com index too far": _too_far("com.0"),
    "key index too far": _too_far("key.0"),
    "entity index -1": _set("entity.0", -1),
    "user index -1": _set("user.0", -1),
    "scope index -1": _set("scope.0", -1),
    "org index -1": _set("org.0", -1),
    "ind index -1": _set("ind.0", -1),
    "dis index -1": _set("dis.0", -1),
    "com index -1": _set("com.0", -1),
    "key index -1": _set("key.0", -1),
    "period index -2": _set("period.0", -2),
    "base index -2": _set("base.0", -2),
    "val index -2": _set("val.0", -2),
    "index text": _set("entity.0", "0"),
    "index fraction": _set("scope.0", 0.5),
    "index null": _set("org.0", None),
    "index a list": _set("dis.0", [0]),
    "hlc text": _set("hlc.0", "x"),
    "hlc null": _set("hlc.1", None),
    "schema a list": _set("schema.0", [3]),
    "kind 2": _set("kind.0", 2),
    "kind text": _set("kind.0", "1"),
    "state a number": _set("state.0", 5),
    "state a dict": _set("state.0", {"a": 1}),
    "village not a list": _set("village", 1),
}


def _read_alike(body: bytes) -> bool:
    """segment_rows accepts exactly the bodies decode_segment decodes, with the same rows."""
    try:
        changes: list[Change] | None = decode_segment(body, ORIGIN, EPOCH, SEQ)
    except CodecError:
        changes = None
    try:
        rows = segment_rows(body)
    except CodecError:
        rows = None
    assert (changes is None) == (rows is None), (changes, rows)
    if changes is not None:
        kinds = json.loads(body)["kind"]
        assert [r[:3] for r in rows] == [(c.entity, c.scope_unit, c.period) for c in changes]
        for row, c, kind in zip(rows, changes, kinds, strict=True):
            if not kind:
                assert row[3] == c.state
                continue
            village = json.loads(c.state or "{}")["village_id"]
            # a village's value carries its commune and village (what the owner check needs)
            expected = None if village is None else {"commune_id": c.scope_unit,
                                                      "village_id": village}  # fmt: skip
            assert (None if row[3] is None else json.loads(row[3])) == expected
    return changes is not None


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_a_malformed_body_raises_codec_error(edit: Any) -> None:
    doc = _mixed_doc()
    edit(doc)
    body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
    with pytest.raises(CodecError):
        decode_segment(body, ORIGIN, EPOCH, SEQ)
    with pytest.raises(CodecError):
        segment_rows(body)


GOOD = encode_segment(_bulk(3))


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        GOOD[:-1],
        GOOD[: len(GOOD) // 2],
        b"[]",
        b"null",
        b"5",
        b'"x"',
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"n":1}',
        GOOD.replace(b'"n":3', b'"n":3.0'),
    ],
)
def test_a_body_that_is_not_a_segment_raises_codec_error(body: bytes) -> None:
    with pytest.raises(CodecError):
        decode_segment(body, ORIGIN, EPOCH, SEQ)
    with pytest.raises(CodecError):
        segment_rows(body)


@settings(max_examples=300, deadline=None)
@given(
    at=st.integers(0, len(GOOD) - 1),
    byte=st.integers(0, 255),
    cut=st.booleans(),
)
def test_a_damaged_body_decodes_or_raises_codec_error(at: int, byte: int, cut: bool) -> None:
    body = GOOD[:at] if cut else GOOD[:at] + bytes([byte]) + GOOD[at + 1 :]
    _read_alike(body)


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(json.loads(GOOD))),
    value=st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(-3, 40), st.floats(), st.text(max_size=3)),
        lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=2), inner),
        max_leaves=8,
    ),
)
def test_any_column_value_decodes_or_raises_codec_error(name: str, value: Any) -> None:
    doc = json.loads(GOOD)
    doc[name] = value
    _read_alike(json.dumps(doc).encode())
