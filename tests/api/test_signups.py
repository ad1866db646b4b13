"""``/v1/signups``: reading and writing signups beside the suppressions."""

from __future__ import annotations

from tests.api.conftest import Operator
from tests.store.helpers import T0


async def test_unknown_signup_is_404(operator: Operator) -> None:
    """An address that never signed up has no signup to show."""
    response = await operator.client.get(
        "/v1/signups/nobody@example.com", headers=operator.reader
    )

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "signup_not_found",
        "message": "nobody@example.com has no signup.",
    }


async def test_put_adds_with_201_then_updates_with_200(operator: Operator) -> None:
    """The first PUT creates the signup, the next one changes it."""
    added = await operator.client.put(
        "/v1/signups/Jane@Example.com",
        json={"source": "launch-page"},
        headers=operator.writer,
    )
    updated = await operator.client.put(
        "/v1/signups/jane@example.com",
        json={"status": "unsubscribed", "source": "import"},
        headers=operator.writer,
    )
    read = await operator.client.get(
        "/v1/signups/jane@example.com", headers=operator.reader
    )

    assert added.status_code == 201
    assert added.json()["status"] == "subscribed"
    assert added.json()["source"] == "launch-page"
    assert updated.status_code == 200
    assert read.json()["email"] == "jane@example.com"
    assert read.json()["status"] == "unsubscribed"
    assert read.json()["source"] == "import"
    assert read.json()["suppressed"] is False


async def test_signup_of_a_suppressed_address_shows_the_suppression(
    operator: Operator,
) -> None:
    """The signup is accepted, and its answer says the address is suppressed."""
    await operator.bounce("jane@example.com", T0)

    response = await operator.client.put(
        "/v1/signups/jane@example.com", json={}, headers=operator.writer
    )

    assert response.status_code == 201
    document = response.json()
    assert document["status"] == "subscribed"
    assert document["suppressed"] is True
    assert document["reason"] == "bounce"
    assert document["since"] == "2026-11-01T09:30:00Z"


async def test_status_document_carries_the_signup(operator: Operator) -> None:
    """The address's status shows its signup too."""
    await operator.client.put(
        "/v1/signups/jane@example.com",
        json={"source": "launch-page"},
        headers=operator.writer,
    )

    response = await operator.client.get(
        "/v1/suppressions/jane@example.com", headers=operator.reader
    )

    assert response.json()["signup"]["source"] == "launch-page"


async def test_unknown_status_is_422(operator: Operator) -> None:
    """Only subscribed and unsubscribed are signup statuses."""
    response = await operator.client.put(
        "/v1/signups/jane@example.com",
        json={"status": "maybe"},
        headers=operator.writer,
    )

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"
    assert "body status" in response.json()["error"]["message"]
