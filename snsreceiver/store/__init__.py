"""The store: signups, suppressions, history and SNS messages, SQLite or PostgreSQL."""

from snsreceiver.store.engine import create_engine, current_revision_is_head, upgrade
from snsreceiver.store.models import (
    AddressStatus,
    CheckResult,
    HistoryEntry,
    ImportCounts,
    IncomingMessage,
    IngestResult,
    Page,
    Policy,
    RejectedRow,
    SignupImportRow,
    SignupInfo,
    StoredMessage,
    SubscriptionInfo,
    SuppressionRow,
    TokenInfo,
)
from snsreceiver.store.repository import Store

__all__ = [
    "AddressStatus",
    "CheckResult",
    "HistoryEntry",
    "ImportCounts",
    "IncomingMessage",
    "IngestResult",
    "Page",
    "Policy",
    "RejectedRow",
    "SignupImportRow",
    "SignupInfo",
    "Store",
    "StoredMessage",
    "SubscriptionInfo",
    "SuppressionRow",
    "TokenInfo",
    "create_engine",
    "current_revision_is_head",
    "upgrade",
]
