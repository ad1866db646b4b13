"""The OpenAPI page at /docs describes every endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from snsreceiver.api.app import create_app
from snsreceiver.settings import Settings

HTTP_METHODS = {"get", "put", "post", "delete", "patch"}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = create_app(Settings()).openapi()
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_every_operator_endpoint_is_documented() -> None:
    """The walk sees the whole operator API, so a new route cannot slip past."""
    seen = {(method, path) for method, path, _ in operations()}

    assert {
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
        ("GET", "/v1/suppressions"),
        ("POST", "/v1/suppressions/check"),
        ("GET", "/v1/suppressions/{email}"),
        ("PUT", "/v1/suppressions/{email}"),
        ("DELETE", "/v1/suppressions/{email}"),
        ("GET", "/v1/signups/{email}"),
        ("PUT", "/v1/signups/{email}"),
    } <= seen


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    operations(),
    ids=[f"{method} {path}" for method, path, _ in operations()],
)
def test_endpoint_has_summary_and_description(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    """Each endpoint has a short summary and a description of a sentence or more."""
    assert operation.get("summary", "").strip(), f"{method} {path} has no summary"
    assert len(operation.get("description", "")) >= 40, (
        f"{method} {path} has no description"
    )


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [op for op in operations() if op[1].startswith("/v1/")],
    ids=[f"{m} {p}" for m, p, _ in operations() if p.startswith("/v1/")],
)
def test_versioned_endpoints_declare_the_bearer_token(
    method: str, path: str, operation: dict[str, Any]
) -> None:
    """/docs shows that every /v1 endpoint needs a token."""
    assert operation.get("security") == [{"token": []}]
