"""The published API description, and schemathesis against it: no 500s."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.netsync.client import ServerClient
from tests.server.conftest import C1, Province, ServerThread

EXAMPLES = 40


def test_the_openapi_description_names_the_endpoints_and_models(
    province: Province, sqlite_server: ServerThread
) -> None:
    doc = httpx.get(f"{sqlite_server.url}/openapi.json").json()
    paths = set(doc["paths"])
    assert {
        "/v1/auth/challenge",
        "/v1/auth/token",
        "/v1/state",
        "/v1/batches/{batch_id}",
        "/v1/feed",
    } <= paths
    schemas = doc["components"]["schemas"]
    assert {"State", "BatchAnswer", "FeedPage", "ErrorBody", "TokenRequest"} <= set(schemas)
    push = doc["paths"]["/v1/batches/{batch_id}"]["post"]
    assert "application/octet-stream" in push["requestBody"]["content"]
    assert set(push["responses"]) == {
        "200", "400", "401", "408", "409", "413", "415", "422", "429", "503", "507"
    }  # fmt: skip
    for path in doc["paths"].values():
        for operation in path.values():
            for status, answer in operation["responses"].items():
                assert answer["description"], status
                if status not in ("200", "422"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}, status


def test_schemathesis_finds_no_server_errors(
    province: Province, sqlite_server: ServerThread
) -> None:
    import schemathesis
    from schemathesis.checks import (
        not_a_server_error,
        response_schema_conformance,
        status_code_conformance,
    )

    client = ServerClient(sqlite_server.url)
    try:
        client.sign_in(province[C1])
        token = client.token
    finally:
        client.close()
    raw = httpx.get(f"{sqlite_server.url}/openapi.json").json()
    schema = schemathesis.openapi.from_dict(raw)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 6
    statuses: list[int] = []
    for operation in operations:
        strategy = operation.as_strategy() | operation.as_strategy(
            schemathesis.GenerationMode.NEGATIVE
        )

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, signed=st.booleans())
        def run(case: schemathesis.Case, signed: bool) -> None:
            headers = {"Authorization": f"Bearer {token}"} if signed else {}
            # every status answered is described, with the body it is described with
            response = case.call_and_validate(
                base_url=sqlite_server.url,
                headers=headers,
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
            )
            statuses.append(response.status_code)

        run()
    assert len(statuses) >= 10 * len(operations)
    assert {200, 400, 401, 422} <= set(statuses), sorted(set(statuses))
