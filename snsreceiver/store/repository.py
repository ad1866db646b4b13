"""The store: one object the webhook, the operator API and the CLI all use.

:class:`Store` gathers the parts defined by concern in their own modules: ingest
(:mod:`~snsreceiver.store.ingest`), reads (:mod:`~snsreceiver.store.queries`),
operator writes (:mod:`~snsreceiver.store.operator`), tokens
(:mod:`~snsreceiver.store.tokens`) and recorded messages
(:mod:`~snsreceiver.store.recorded`). Every method is one transaction and raises
:class:`~snsreceiver.errors.StoreUnavailable` when the database cannot be used.
"""

from __future__ import annotations

from sqlalchemy import text

from snsreceiver.store.ingest import IngestStore
from snsreceiver.store.operator import OperatorStore
from snsreceiver.store.recorded import RecordedMessageStore
from snsreceiver.store.tokens import TokenStore


class Store(IngestStore, OperatorStore, TokenStore, RecordedMessageStore):
    """Signups, suppressions, their history, SNS messages and API tokens."""

    async def ping(self) -> None:
        """Returns when the database answers; raises StoreUnavailable otherwise."""
        async with self._read() as connection:
            await connection.execute(text("SELECT 1"))
