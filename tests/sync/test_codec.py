"""The columnar segment codec: exact round trip, whatever the text."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop_app.store.apply import Change
from desktop_app.store.changes import canonical_json
from desktop_app.sync.codec import decode_segment, encode_segment

text = st.text(st.characters(codec="utf-8"), max_size=12)
value_state = st.fixed_dictionaries(
    {
        "comment": text,
        "disagg": st.sampled_from(["", "viettel", "viettel.4g"]),
        "indicator": st.sampled_from(["so_ho", "song_di_dong", "nha_mang"]),
        "value": st.one_of(st.none(), text),
        "village": st.booleans(),
    }
)
other_state = st.one_of(
    st.none(),
    st.dictionaries(
        st.sampled_from(["id", "name", "active", "lat"]),
        st.one_of(text, st.booleans(), st.floats(allow_nan=False), st.none()),
    ),
)


def _value(seq: int, s: dict, hlc: int) -> Change:
    org = "0190-village" if s["village"] else "pre2025:04108"
    state = {
        "comment": s["comment"],
        "commune_id": "pre2025:04108",
        "disagg": s["disagg"],
        "indicator": s["indicator"],
        "org_id": org,
        "period": "2019Q1",
        "value": s["value"],
        "village_id": org if s["village"] else None,
    }
    key = {k: state[k] for k in ("disagg", "indicator", "org_id", "period")}
    return Change(
        "node-a",
        7,
        seq,
        "value",
        canonical_json(key),
        "pre2025:04108",
        "2019Q1",
        canonical_json(state),
        None,
        hlc,
        3,
        "canbo",
    )


@settings(max_examples=60, deadline=None)
@given(
    items=st.lists(
        st.one_of(value_state.map(lambda s: ("v", s)), other_state.map(lambda s: ("o", s))),
        min_size=1,
        max_size=20,
    ),
    hlcs=st.lists(st.integers(0, 2**62), min_size=20, max_size=20),
)
def test_encode_then_decode_gives_the_same_changes(items, hlcs) -> None:  # type: ignore[no-untyped-def]
    changes = []
    for i, (kind, s) in enumerate(items):
        seq = 5 + i
        if kind == "v":
            changes.append(_value(seq, s, hlcs[i]))
        else:
            changes.append(
                Change(
                    "node-a",
                    7,
                    seq,
                    "site",
                    canonical_json({"id": f"s{i}"}),
                    "pre2025:04108",
                    None,
                    None if s is None else canonical_json(s),
                    "node-b/1/2" if i % 2 else None,
                    hlcs[i],
                    3,
                    'Lò Văn "A"',
                )
            )
    body = encode_segment(changes)
    assert encode_segment(changes) == body  # deterministic
    back = decode_segment(body, "node-a", 7, 5)
    assert back == changes
    for c in back:
        if c.parsed is not None:
            assert c.parsed == json.loads(c.state or "null")
