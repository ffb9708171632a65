"""The reasons a receiver stores for a refused change are read back by
:func:`desktop_app.sync.status.held_apart` through the templates that write them
(:data:`desktop_app.sync.scope.REASONS`), not by a second copy of their English wording:
every branch of :meth:`Authoriser.reason` gives a text that reads back as its own
template, the scope refusals group as out of scope, and the reasons written by a
revocation or for an unreadable segment do not."""

from __future__ import annotations

import ast
import inspect
import json
import textwrap
from typing import Any

import pytest

from desktop_app import i18n
from desktop_app.store.apply import Signer
from desktop_app.sync import scope
from desktop_app.sync.certificates import my_certificate
from desktop_app.sync.errors import RevokedCertificateError
from desktop_app.sync.identity import load_identity
from desktop_app.sync.scope import (
    REASONS,
    SCOPE_REASONS,
    Authoriser,
    is_scope_reason,
    reason_key,
)
from desktop_app.sync.segments import segment_batch, sign_segment
from desktop_app.sync.status import HELD_OTHER, HELD_OUT_OF_SCOPE, HELD_REVOKED, held_apart
from tests.helpers.net import PROVINCE, Net, add_village, set_households
from tests.helpers.quarantine import DISTRICT, FORGER, REVOKED, take_back_and_refuse

OTHER_DISTRICT = "pre2025:118"
COMMUNE = Signer("node-c", REVOKED, 3)
DISTRICT_SIGNER = Signer("node-d", DISTRICT, 2)
OTHER_DISTRICT_SIGNER = Signer("node-o", OTHER_DISTRICT, 2)
PROVINCE_SIGNER = Signer("node-p", PROVINCE, 1)


def _village(commune: str) -> dict[str, Any]:
    return {"id": "v-1", "commune_id": commune, "name": "Bản", "sort_order": 1}


#: (template the refusal should come from, entity, unit, period, state, signer): one
#: change for each way Authoriser.reason refuses
CASES: list[tuple[str, str, str, str | None, dict[str, Any], Signer]] = [
    ("unknown_entity", "budget", REVOKED, None, {}, COMMUNE),
    ("unknown_unit", "value", "pre2025:99999", "2019", {}, COMMUNE),
    ("reference", "indicator", PROVINCE, None, {"code": "x"}, COMMUNE),
    ("reference", "unit", PROVINCE, None, {"id": REVOKED}, DISTRICT_SIGNER),
    ("meta", "meta", PROVINCE, None, {"key": "office_name", "value": "x"}, PROVINCE_SIGNER),
    ("meta", "meta", PROVINCE, None, {"value": "no key"}, PROVINCE_SIGNER),
    ("data", "value", FORGER, "2019", {"commune_id": FORGER, "indicator": "x"}, COMMUNE),
    ("data", "village", FORGER, None, _village(FORGER), COMMUNE),
    ("data", "site", REVOKED, None, {"commune_id": REVOKED}, DISTRICT_SIGNER),
    # a value of one of its own villages (known here) claimed for another commune
    ("move_row", "value", REVOKED, "2019", {"commune_id": FORGER, "village_id": "known"}, COMMUNE),
    ("submission", "submission", REVOKED, "2019", {"state": "approved"}, COMMUNE),
    ("submission", "submission", FORGER, "2019", {"state": "submitted"}, COMMUNE),
    ("submission", "submission", REVOKED, "2019", {"state": "approved"}, OTHER_DISTRICT_SIGNER),
    ("submission", "submission", REVOKED, "2019", {}, DISTRICT_SIGNER),
    ("decision", "decision", REVOKED, None, {"entity": "value"}, COMMUNE),
    ("decision", "decision", REVOKED, None, {"entity": "value"}, OTHER_DISTRICT_SIGNER),
    ("target", "target", REVOKED, None, {"year": 2021}, DISTRICT_SIGNER),
]


def _cases(net: Net) -> list[tuple[str, str, str, str | None, dict[str, Any], Signer]]:
    """:data:`CASES` with "known" the id of a village of REVOKED that the district holds."""
    known = add_village(net[REVOKED], "Bản Có")
    net.send(REVOKED, DISTRICT)
    return [
        (k, e, u, p, {**s, "village_id": known} if s.get("village_id") else s, who)
        for k, e, u, p, s, who in CASES
    ]


def test_every_refusal_reads_back_as_the_template_that_wrote_it(net: Net) -> None:
    cases = _cases(net)
    auth = Authoriser(net[DISTRICT])
    reasons: dict[str, str] = {}
    for key, entity, unit, period, state, signer in cases:
        why = auth.reason(entity, unit, period, dict(state), signer)
        assert why is not None, (key, entity, signer)
        assert reason_key(why) == key, why
        assert is_scope_reason(why) == (key in SCOPE_REASONS), why
        reasons.setdefault(key, why)
    assert set(reasons) == set(REASONS)  # a case for every template
    # the stored texts, as every version wrote them
    assert reasons["data"] == f"{REVOKED} may not write data of {FORGER}"
    assert reasons["meta"] == "the province may not set office_name"
    assert reasons["submission"] == f"{REVOKED} may not move {REVOKED} 2019 to approved"
    assert reasons["target"] == f"only the province sets targets ({DISTRICT})"
    assert reasons["move_row"] == f"{REVOKED} may not move a row into {FORGER}"
    # and the changes in scope are let through
    assert auth.reason("value", REVOKED, "2019", {"commune_id": REVOKED}, COMMUNE) is None
    assert auth.reason("target", REVOKED, None, {}, PROVINCE_SIGNER) is None


def test_authoriser_reason_writes_only_through_the_templates() -> None:
    """A refusal written in place (a new f-string) would be stored, travel, and group as
    "other" here: every ``return`` of Authoriser.reason is None or ``_why(key, …)``."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(scope.Authoriser.reason)))
    returns = [n.value for n in ast.walk(tree) if isinstance(n, ast.Return)]
    assert len(returns) > len(set(REASONS))
    for value in returns:
        if isinstance(value, ast.Constant):
            assert value.value is None
            continue
        assert isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
        assert value.func.id == "_why" and isinstance(value.args[0], ast.Constant)
        assert value.args[0].value in REASONS


def _unreadable_reasons(net: Net) -> list[str]:
    """Why the district refuses a commune's segment it cannot read: a body that does not
    decode, a header whose range and count disagree."""
    commune, district = net[REVOKED], net[DISTRICT]
    ident = load_identity(commune)
    cert, _key = my_certificate(commune)
    _cert, province_key = my_certificate(district)
    out = []
    for body, n, last in ((b"not a segment", 1, 1), (b"x", 1, 5)):
        header, signed = sign_segment(
            body, ident.node_id, ident.epoch, 1, last, n, ident.private_key, cert
        )
        batch, _info, why = segment_batch(district, json.loads(header), signed, province_key, set())
        assert batch is None and why is not None
        out.append(why)
    return out


def test_revocations_and_unreadable_segments_are_not_scope_refusals(net: Net) -> None:
    i18n.setup("vi")
    unreadable = _unreadable_reasons(net)
    assert unreadable[1] == "segment header cannot be read"
    take_back_and_refuse(net)
    # after the list: the revoked commune's next bundle is refused at the district, and a
    # segment it signed is quarantined with this same sentence (segments._check)
    later = add_village(net[REVOKED], "Bản Sau")
    set_households(net[REVOKED], later, 3)
    refusals = []
    for lang in ("vi", "en"):
        i18n.setup(lang)
        with pytest.raises(RevokedCertificateError) as caught:
            net.send(REVOKED, DISTRICT)
        refusals.append(caught.value.user_message())
    assert refusals[1].startswith(f"The certificate of {REVOKED} (serial ")
    district = net[DISTRICT]
    stored = [
        (str(signer), str(reason))
        for signer, reason in district.db.execute_sql(
            "SELECT DISTINCT signer, reason FROM sync_quarantine"
        )
    ]
    revoked = [reason for signer, reason in stored if signer == REVOKED]
    assert revoked  # the take-back's
    for text in [*revoked, *refusals, *unreadable]:
        assert reason_key(text) is None and not is_scope_reason(text), text
    assert [r for s, r in stored if s == FORGER] == [f"{FORGER} may not write data of {REVOKED}"]
    assert {(h.office_id, h.kind) for h in held_apart(district)} == {
        (REVOKED, HELD_REVOKED),
        (FORGER, HELD_OUT_OF_SCOPE),
    }


def test_the_quarantine_groups_each_stored_reason_by_its_template(net: Net) -> None:
    """One quarantined change per branch of Authoriser.reason, as the applier stores it:
    the scope refusals group as out of scope, the others as "other" with their text."""
    district = net[DISTRICT]
    auth = Authoriser(district)
    rows = []
    cases = _cases(net)
    for i, (_key, entity, unit, period, state, signer) in enumerate(cases, start=1):
        why = auth.reason(entity, unit, period, dict(state), signer)
        rows.append((f"node-{i}", i, entity, unit, period, why, f"office-{i}", "2019-04-10"))
    with district.transaction():
        district.db.cursor().executemany(
            "INSERT INTO sync_quarantine (origin, epoch, seq, entity, entity_key, scope_unit,"
            " period, reason, signer, received_from, received_at)"
            " VALUES (?, 1, ?, ?, '{}', ?, ?, ?, ?, 'x', ?)",
            rows,
        )
    kinds = {h.office_id: (h.kind, h.detail) for h in held_apart(district)}
    for i, (key, *_rest) in enumerate(cases, start=1):
        why = rows[i - 1][5]
        expected = (HELD_OUT_OF_SCOPE, "") if key in SCOPE_REASONS else (HELD_OTHER, why)
        assert kinds[f"office-{i}"] == expected, (key, why)
