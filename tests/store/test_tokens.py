"""API tokens: shown once, stored as hashes, revoked at once."""

from __future__ import annotations

import hashlib
from http import HTTPStatus

import pytest
from sqlalchemy import select

from snsreceiver.errors import InvalidRequest
from snsreceiver.store import Store
from snsreceiver.store.schema import api_tokens


class TestTokens:
    async def test_created_token_authenticates(self, fresh_store: Store) -> None:
        """A new token authenticates with its name and scope."""
        token = await fresh_store.create_token("deploy", "write")

        info = await fresh_store.authenticate(token)

        assert info is not None
        assert (info.name, info.scope, info.revoked) == ("deploy", "write", False)

    async def test_only_the_hash_is_stored(self, fresh_store: Store) -> None:
        """The database holds the SHA-256 of the token, never the token."""
        token = await fresh_store.create_token("reader", "read")

        async with fresh_store.engine.connect() as connection:
            row = (await connection.execute(select(api_tokens))).one()

        assert token not in [str(value) for value in row]
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()

    async def test_unknown_token_fails(self, fresh_store: Store) -> None:
        """A token that was never made does not authenticate."""
        await fresh_store.create_token("deploy", "write")

        assert await fresh_store.authenticate("snsr_made-up") is None

    async def test_revoked_token_fails_at_once(self, fresh_store: Store) -> None:
        """After revocation the very next check fails."""
        token = await fresh_store.create_token("deploy", "write")
        assert await fresh_store.authenticate(token) is not None

        await fresh_store.revoke_token("deploy")

        assert await fresh_store.authenticate(token) is None
        (info,) = await fresh_store.list_tokens()
        assert info.revoked is True

    async def test_revoking_twice_is_harmless(self, fresh_store: Store) -> None:
        """Revoking an already revoked token keeps its first revocation time."""
        await fresh_store.create_token("deploy", "write")
        await fresh_store.revoke_token("deploy")
        (first,) = await fresh_store.list_tokens()

        await fresh_store.revoke_token("deploy")

        (second,) = await fresh_store.list_tokens()
        assert second.revoked_at == first.revoked_at

    async def test_unknown_name_cannot_be_revoked(self, fresh_store: Store) -> None:
        """Revoking a name that does not exist is a 404 token_not_found."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.revoke_token("ghost")

        assert (caught.value.code, caught.value.status) == (
            "token_not_found",
            HTTPStatus.NOT_FOUND,
        )

    async def test_names_are_unique(self, fresh_store: Store) -> None:
        """A second token with a taken name is a 409 token_exists."""
        await fresh_store.create_token("deploy", "write")

        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.create_token("deploy", "read")

        assert (caught.value.code, caught.value.status) == (
            "token_exists",
            HTTPStatus.CONFLICT,
        )

    async def test_scope_must_be_read_or_write(self, fresh_store: Store) -> None:
        """A scope other than read or write is refused."""
        with pytest.raises(InvalidRequest) as caught:
            await fresh_store.create_token("deploy", "admin")

        assert caught.value.code == "invalid_scope"

    async def test_list_is_by_name_and_records_use(self, fresh_store: Store) -> None:
        """Tokens are listed by name, and a used token shows when it was used."""
        used = await fresh_store.create_token("b-used", "read")
        await fresh_store.create_token("a-idle", "write")
        await fresh_store.authenticate(used)

        tokens = await fresh_store.list_tokens()

        assert [t.name for t in tokens] == ["a-idle", "b-used"]
        assert tokens[0].last_used_at is None
        assert tokens[1].last_used_at is not None

    async def test_tokens_differ(self, fresh_store: Store) -> None:
        """Every token is new random text with the snsr_ prefix."""
        first = await fresh_store.create_token("one", "read")
        second = await fresh_store.create_token("two", "read")

        assert first != second
        assert first.startswith("snsr_")
        assert len(first) > 40
