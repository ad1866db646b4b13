"""Bearer tokens on the operator API: 401 without a valid one, 403 for scope."""

from __future__ import annotations

import pytest

from tests.api.conftest import Operator

READ_ENDPOINTS = [
    ("GET", "/v1/suppressions/jane@example.com", None),
    ("GET", "/v1/suppressions", None),
    ("POST", "/v1/suppressions/check", {"emails": ["jane@example.com"]}),
    ("GET", "/v1/signups/jane@example.com", None),
]
WRITE_ENDPOINTS = [
    ("PUT", "/v1/suppressions/jane@example.com", {"note": "asked us to stop"}),
    ("DELETE", "/v1/suppressions/jane@example.com", {"note": "mailbox fixed"}),
    ("PUT", "/v1/signups/jane@example.com", {"status": "subscribed"}),
]
EVERY_ENDPOINT = READ_ENDPOINTS + WRITE_ENDPOINTS


@pytest.mark.parametrize(("method", "path", "body"), EVERY_ENDPOINT)
async def test_no_token_is_401_with_a_bearer_challenge(
    operator: Operator, method: str, path: str, body: object
) -> None:
    """Every /v1 endpoint refuses a request without a token."""
    response = await operator.client.request(method, path, json=body)

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("method", "path", "body"), EVERY_ENDPOINT)
async def test_unknown_token_is_401(
    operator: Operator, method: str, path: str, body: object
) -> None:
    """A token the store never made is refused like a missing one."""
    response = await operator.client.request(
        method, path, json=body, headers={"Authorization": "Bearer snsr_made_up"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


async def test_other_schemes_are_401(operator: Operator) -> None:
    """Basic credentials, or a token without the Bearer scheme, are no token."""
    for header in (f"Basic {operator.read_token}", operator.read_token, "Bearer "):
        response = await operator.client.get(
            "/v1/suppressions", headers={"Authorization": header}
        )

        assert response.status_code == 401, header


@pytest.mark.parametrize(("method", "path", "body"), WRITE_ENDPOINTS)
async def test_read_token_on_write_endpoint_is_403(
    operator: Operator, method: str, path: str, body: object
) -> None:
    """A read token may not change anything."""
    response = await operator.client.request(
        method, path, json=body, headers=operator.reader
    )

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "The token 'reader' has the read scope; this endpoint needs write.",
    }


@pytest.mark.parametrize(("method", "path", "body"), READ_ENDPOINTS)
async def test_write_token_may_read(
    operator: Operator, method: str, path: str, body: object
) -> None:
    """A write token also passes every read endpoint's check."""
    response = await operator.client.request(
        method, path, json=body, headers=operator.writer
    )

    assert response.status_code not in (401, 403)


async def test_revoked_token_stops_working_at_once(operator: Operator) -> None:
    """The request right after a revocation is refused."""
    before = await operator.client.get("/v1/suppressions", headers=operator.reader)
    await operator.store.revoke_token("reader")
    after = await operator.client.get("/v1/suppressions", headers=operator.reader)

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["error"]["message"] == (
        "The API token is unknown or has been revoked."
    )


async def test_authentication_comes_before_validation(operator: Operator) -> None:
    """Without a token, even a malformed request learns only that it needs one."""
    response = await operator.client.get("/v1/suppressions/not-an-address")

    assert response.status_code == 401


async def test_health_endpoints_need_no_token(operator: Operator) -> None:
    """/healthz, /readyz and /metrics answer without a token."""
    for path in ("/healthz", "/readyz", "/metrics"):
        response = await operator.client.get(path)

        assert response.status_code == 200, path
