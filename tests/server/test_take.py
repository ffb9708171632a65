"""What the server's push path reads of a segment (rows, not decoded changes) gives
the same answers as the full decode the USB path and the apply use."""

from __future__ import annotations

import json
from typing import Any

from desktop_app.netsync.client import plan_batches
from desktop_app.store.apply import Signer
from desktop_app.store.changes import Entry
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.codec import decode_segment, segment_rows
from desktop_app.sync.identity import b64, canonical_bytes, load_identity, sign
from desktop_app.sync.scope import Authoriser
from desktop_app.sync.segments import segment_batch, segment_rows_checked, signed_part
from tests.server.conftest import C1, C2, DISTRICT, PROVINCE, Province, fill_period, forge_value


def _forge(store: Any) -> None:
    """Changes a tampered commune could write: other communes' data, moves, reference."""
    village = {"id": "v-x", "commune_id": C2, "name": "Bản Giả", "sort_order": 1,
               "active": True, "demo": False}  # fmt: skip
    forge_value(store, C2, "9")
    with store.write() as ctx:
        ctx.log(Entry("village", {"id": "v-x"}, C2, None, village, None, None, "create"))
        ctx.log(
            Entry("submission", {"commune_id": C1, "period": "2024"}, C1, "2024",
                  {"commune_id": C1, "period": "2024", "state": "approved"}, None, None,
                  "create")
        )  # fmt: skip
        ctx.log(
            Entry("meta", {"key": "catalogue_version"}, C1, None,
                  {"key": "catalogue_version", "value": "9"}, None, None, "create")
        )  # fmt: skip


def test_authorising_rows_answers_as_authorising_decoded_changes(province: Province) -> None:
    commune = province[C1]
    fill_period(commune, 4, per_village=3)
    _forge(commune)
    (segments,) = plan_batches(commune, {}, 500)
    ((_header, body),) = segments
    auth = Authoriser(province[PROVINCE])
    rows = segment_rows(body)
    changes = decode_segment(body, "o", 1, 1)
    signers = [
        Signer("n1", C1, 3),
        Signer("n2", C2, 3),
        Signer("n3", DISTRICT, 2),
        Signer("n4", PROVINCE, 1),
    ]
    for signer in signers:
        expected = [auth(c, signer) for c in changes]
        assert auth.rows(rows, signer) == expected
    mine = auth.rows(rows, signers[0])
    assert sum(r is not None for r in mine) == 4  # the four forged changes, and only they


def test_a_header_whose_range_and_count_disagree_is_refused_both_ways(
    province: Province,
) -> None:
    commune = province[C1]
    fill_period(commune, 3)
    ((header, body),) = plan_batches(commune, {}, 500)[0]
    doc = json.loads(header)
    doc["to"] = doc["to"] + 100  # claims more than it carries: would move a cursor too far
    del doc["sig"]
    doc["sig"] = b64(sign(load_identity(commune).private_key, signed_part(doc)))
    forged = canonical_bytes(doc)
    _cert, key = my_certificate(province[PROVINCE])
    store = province[PROVINCE]
    batch, _info, why = segment_batch(store, json.loads(forged), body, key, set())
    assert batch is None and why == "segment header cannot be read"
    rows, _info, why = segment_rows_checked(store, json.loads(forged), body, key, set())
    assert rows is None and why == "segment header cannot be read"
