"""The columnar encoding of one segment's changes (the body that a segment signs).

A segment is the changes of one (origin, epoch) with consecutive seqs, so seqs
are implicit. The body is canonical JSON of columns with a segment-local string
dictionary, so the same changes always encode to the same bytes:

* ``strings``: every text used (entity names, units, periods, indicators,
  values, users, keys), first use first; the other columns hold indices.
* per change: ``entity``, ``user``, ``scope``, ``period`` (-1 for none),
  ``base`` (-1 for none), ``schema``, ``hlc`` (first absolute, then deltas),
  ``kind`` (1: a data value rebuilt from its fields; 0: key and state carried).
* kind-1 columns (one entry per data value): ``org``, ``village`` (-1 when the
  value is the commune's own), ``ind``, ``dis``, ``val`` (-1 for cleared),
  ``com``: the key and state texts are rebuilt exactly (the encoder checks the
  rebuild and falls back to kind 0 if a state ever has another shape).
* kind-0 columns: ``key`` (index) and ``state`` (the canonical text, or null).

zstd over the bundle payload then squeezes the repetitive columns: ~5–10 bytes
per changed value on a realistic bulk (bench/bench_sync.py measures it).
"""

from __future__ import annotations

import json
from typing import Any

from desktop_app.store.apply import Change

_VALUE_STATE = (
    '{{"comment":{com},"commune_id":{commune},"disagg":{dis},"indicator":{ind},'
    '"org_id":{org},"period":{per},"value":{val},"village_id":{vil}}}'
)
_VALUE_KEY = '{{"disagg":{dis},"indicator":{ind},"org_id":{org},"period":{per}}}'


class _Strings:
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


_QUOTE: Any = (
    getattr(json.encoder, "c_encode_basestring", None) or json.encoder.py_encode_basestring
)


def _dumps(s: str | None) -> str:
    """JSON text of a string (as ``canonical_json`` writes it) or ``null``."""
    if s is None:
        return "null"
    return str(_QUOTE(s))


def _value_fields(change: Change) -> dict[str, Any] | None:
    """The value's fields when its key and state rebuild exactly, else None."""
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
    if _rebuild_state(fields) != change.state or _rebuild_key(fields) != change.entity_key:
        return None
    return fields


def _rebuild_state(f: dict[str, Any]) -> str:
    return _VALUE_STATE.format(
        com=_dumps(f["comment"]),
        commune=_dumps(f["commune_id"]),
        dis=_dumps(f["disagg"]),
        ind=_dumps(f["indicator"]),
        org=_dumps(f["org_id"]),
        per=_dumps(f["period"]),
        val=_dumps(f["value"]),
        vil=_dumps(f["village_id"]),
    )


def _rebuild_key(f: dict[str, Any]) -> str:
    return _VALUE_KEY.format(
        dis=_dumps(f["disagg"]),
        ind=_dumps(f["indicator"]),
        org=_dumps(f["org_id"]),
        per=_dumps(f["period"]),
    )


def encode_segment(changes: list[Change]) -> bytes:
    """The canonical body of consecutive changes of one (origin, epoch)."""
    s = _Strings()
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
        fields = _value_fields(c)
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


class CodecError(ValueError):
    """A body that does not decode (a bug or a forgery that passed the hash)."""


def decode_segment(body: bytes, origin: str, epoch: int, seq_from: int) -> list[Change]:
    """The changes of a segment body (inverse of :func:`encode_segment`)."""
    try:
        doc = json.loads(body)
        strings: list[str] = doc["strings"]
        quoted = [_dumps(t) for t in strings]
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
                st: str | None = _VALUE_STATE.format(**fields_q)
                k = _VALUE_KEY.format(
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
