"""API tokens: made once, kept only as SHA-256 hashes, revoked at once.

A token is 256 random bits, so a plain SHA-256 is enough to make the stored hash
useless to a thief; no slow password hash is needed, and lookup by hash is one
indexed query per request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from http import HTTPStatus
from typing import Any, Final

from sqlalchemy import bindparam, select

from snsreceiver.errors import InvalidRequest
from snsreceiver.store.base import StoreBase, insert_ignoring_conflicts
from snsreceiver.store.direct import DirectQuery
from snsreceiver.store.engine import unavailable_on_driver_error
from snsreceiver.store.models import TOKEN_SCOPES, TokenInfo
from snsreceiver.store.schema import api_tokens

TOKEN_PREFIX: Final = "snsr_"  # noqa: S105  # a marker for secret scanners, not a secret
LAST_USED_RESOLUTION: Final = timedelta(minutes=1)
"""last_used_at is refreshed at most this often, sparing a write per request."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore(StoreBase):
    """Creating, listing, revoking and checking API tokens."""

    async def create_token(self, name: str, scope: str) -> str:
        """Makes a token and returns it; this is the only time it is seen.

        Raises InvalidRequest ``invalid_token_name``, ``invalid_scope``, or
        ``token_exists`` (409) when the name is taken, revoked tokens included.
        """
        name = name.strip()
        if not name or len(name) > 100:
            raise InvalidRequest(
                "a token name must have 1 to 100 characters", code="invalid_token_name"
            )
        if scope not in TOKEN_SCOPES:
            raise InvalidRequest(
                f"scope {scope!r} is not one of {sorted(TOKEN_SCOPES)}",
                code="invalid_scope",
            )

        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        async with self._write() as connection:
            inserted = await connection.execute(
                insert_ignoring_conflicts(connection, api_tokens)
                .values(
                    name=name,
                    scope=scope,
                    token_hash=hash_token(token),
                    created_at=self._now(),
                )
                .returning(api_tokens.c.name)
            )
            if inserted.first() is None:
                raise InvalidRequest(
                    f"a token named {name!r} already exists",
                    code="token_exists",
                    status=HTTPStatus.CONFLICT,
                )
        return token

    async def list_tokens(self) -> list[TokenInfo]:
        """Every token, revoked ones included, by name."""
        async with self._read() as connection:
            rows = await connection.execute(
                select(api_tokens).order_by(api_tokens.c.name)
            )
            return [_token_info(row) for row in rows]

    async def revoke_token(self, name: str) -> None:
        """Revokes the token ``name`` at once; revoking it again changes nothing.

        Raises InvalidRequest ``token_not_found`` (404) for an unknown name.
        """
        async with self._write() as connection:
            found = await connection.scalar(
                select(api_tokens.c.name).where(api_tokens.c.name == name)
            )
            if found is None:
                raise InvalidRequest(
                    f"no token is named {name!r}",
                    code="token_not_found",
                    status=HTTPStatus.NOT_FOUND,
                )
            await connection.execute(
                api_tokens.update()
                .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=self._now())
            )

    async def authenticate(self, token: str) -> TokenInfo | None:
        """The token's details if it is valid and not revoked, else None.

        This runs before every operator API request, so the lookup is one
        statement on the driver (see :mod:`snsreceiver.store.direct`).
        """
        digest = hash_token(token)
        with unavailable_on_driver_error():
            rows = await TOKEN_QUERY.fetch(self._reader, digest)
        moment = TOKEN_QUERY.moment(self._reader)
        if not rows:
            return None
        name, scope, token_hash, created_at, revoked_at, last_used_at = rows[0]
        if revoked_at is not None or not hmac.compare_digest(token_hash, digest):
            return None

        info = TokenInfo(
            name=name,
            scope=scope,
            created_at=moment(created_at),
            revoked_at=None,
            last_used_at=None if last_used_at is None else moment(last_used_at),
        )
        now = self._now()
        if info.last_used_at is None or now - info.last_used_at >= LAST_USED_RESOLUTION:
            async with self._write() as connection:
                await connection.execute(
                    api_tokens.update()
                    .where(api_tokens.c.name == name)
                    .values(last_used_at=now)
                )
        return info


# The token whose hash is the one value.
TOKEN_QUERY = DirectQuery(
    lambda _: select(
        api_tokens.c.name,
        api_tokens.c.scope,
        api_tokens.c.token_hash,
        api_tokens.c.created_at,
        api_tokens.c.revoked_at,
        api_tokens.c.last_used_at,
    ).where(api_tokens.c.token_hash == bindparam("digest"))
)


def _token_info(row: Any) -> TokenInfo:
    return TokenInfo(
        name=row.name,
        scope=row.scope,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )
