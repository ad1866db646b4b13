"""The one settings object, read from ``SNSRECEIVER_*`` environment variables.

Settings are built by the app factory or the CLI, never at import time, and are
validated as a whole: :func:`load_settings` turns pydantic's report into a
:class:`~snsreceiver.errors.ConfigurationError` that names each bad variable.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from snsreceiver.errors import ConfigurationError
from snsreceiver.sns.message import topic_region

ENV_PREFIX = "SNSRECEIVER_"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./snsreceiver.db"

SignatureVersion = Literal["1", "2"]


def _split_commas(value: Any) -> Any:
    """Reads a comma-separated environment value as a list; lists pass through."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """Everything an operator can configure, with its environment variable."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        frozen=True,
        validate_default=True,
    )

    # SNS message authentication
    topic_arns: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description=(
            "Comma-separated SNS topic ARNs whose messages are accepted. "
            "Empty means every message is refused."
        ),
    )
    signature_versions: Annotated[frozenset[SignatureVersion], NoDecode] = Field(
        default=frozenset({"1", "2"}),
        description='Accepted SignatureVersion values: "1" (SHA1), "2" (SHA256).',
    )
    max_message_age: float = Field(
        default=3900.0,
        gt=0,
        description=(
            "Seconds a message's Timestamp may lie in the past. SNS stops retrying "
            "HTTP deliveries after an hour."
        ),
    )
    max_clock_skew: float = Field(
        default=300.0,
        ge=0,
        description="Seconds a message's Timestamp may lie in the future.",
    )
    cert_dir: Path | None = Field(
        default=None,
        description=(
            "Directory of pinned signing certificates, named like the last segment "
            "of their SigningCertURL, consulted before any fetch."
        ),
    )
    cert_cache_size: int = Field(
        default=64, ge=1, description="Most signing certificates kept in memory."
    )
    cert_cache_ttl: float = Field(
        default=86400.0,
        gt=0,
        description="Seconds a fetched certificate is kept (never past its expiry).",
    )
    cert_failure_ttl: float = Field(
        default=5.0,
        ge=0,
        description="Seconds a failed certificate fetch is remembered before retrying.",
    )
    cert_fetch_timeout: float = Field(
        default=3.0,
        gt=0,
        description="Seconds to connect to and read from the certificate host.",
    )
    cert_verify_chain: bool = Field(
        default=False,
        description=(
            "Also check the signing certificate's chain up to Mozilla's roots "
            "(certifi); needs Amazon's intermediates in SNSRECEIVER_CERT_DIR."
        ),
    )

    # The webhook
    max_body_bytes: int = Field(
        default=300_000,
        ge=1024,
        description="Largest SNS request body accepted, in bytes.",
    )
    delivery_timeout: float = Field(
        default=10.0,
        gt=0,
        le=14,
        description=(
            "Seconds to handle one SNS delivery before answering 503 so SNS "
            "retries; SNS itself gives up waiting after 15."
        ),
    )
    subscription_confirmation: Literal["auto", "manual"] = Field(
        default="auto",
        description=(
            "auto: confirm SNS subscriptions for allowed topics at once; manual: "
            "record them for an operator to confirm with `snsreceiver "
            "subscriptions confirm`."
        ),
    )
    webhook_username: str | None = Field(
        default=None,
        description="If set, the webhook requires HTTP Basic auth with this user.",
    )
    webhook_password: SecretStr | None = Field(
        default=None, description="Password for the webhook's HTTP Basic auth."
    )
    replay_clock: bool = Field(
        default=False,
        description=(
            "Judge a message at the moment in its X-Snsreceiver-Replay-At header, so "
            "recorded fixtures can be replayed; never enable where SNS posts."
        ),
    )

    # Suppression policy
    soft_bounce_threshold: int = Field(
        default=3,
        ge=1,
        description="Soft bounces (on distinct days) within the window that suppress.",
    )
    soft_bounce_window_days: int = Field(
        default=14, ge=1, description="Days over which soft bounces are counted."
    )

    # Store
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        description=(
            "SQLAlchemy URL of the store: sqlite+aiosqlite:///path or "
            "postgresql+asyncpg://user@host/db."
        ),
    )
    migrate_on_start: bool = Field(
        default=True, description="Apply database migrations when the server starts."
    )

    # Server and logging
    host: str = Field(default="127.0.0.1", description="Address the server binds to.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port to listen on.")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Lowest level of log line written."
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="text for people, json for log collectors."
    )
    max_api_body_bytes: int = Field(
        default=2_000_000,
        ge=1024,
        description=(
            "Largest operator API (/v1) request body accepted, in bytes; a check "
            "of 5,000 addresses of the longest kind needs about 1.7 MB."
        ),
    )
    metrics_count_interval: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Seconds /metrics reuses its count of suppressions by reason, a scan "
            "of the table; 0 counts at every scrape."
        ),
    )

    @field_validator("topic_arns", mode="before")
    @classmethod
    def _parse_topic_arns(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("topic_arns")
    @classmethod
    def _check_topic_arns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for arn in value:
            # The same rule messages are held to, so that a listed topic can match.
            if topic_region(arn) is None:
                raise ValueError(
                    f"{arn!r} is not an SNS topic ARN (expected "
                    "arn:<partition>:sns:<region>:<account>:<topic>, with the "
                    "partition of the region)"
                )
        return value

    @field_validator("signature_versions", mode="before")
    @classmethod
    def _parse_signature_versions(cls, value: Any) -> Any:
        return _split_commas(value)

    @field_validator("signature_versions")
    @classmethod
    def _check_signature_versions(
        cls, value: frozenset[SignatureVersion]
    ) -> frozenset[SignatureVersion]:
        if not value:
            raise ValueError('at least one of "1" or "2" must be accepted')
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                f"{value.split('://')[0]!r} is not a supported database; use "
                "sqlite+aiosqlite:///file.db or postgresql+asyncpg://user@host/db"
            )
        return value

    @model_validator(mode="after")
    def _check_webhook_credentials(self) -> Settings:
        if (self.webhook_username is None) != (self.webhook_password is None):
            raise ValueError(
                "SNSRECEIVER_WEBHOOK_USERNAME and SNSRECEIVER_WEBHOOK_PASSWORD "
                "must be set together"
            )
        return self

    @property
    def webhook_requires_auth(self) -> bool:
        return self.webhook_username is not None


def load_settings(**overrides: Any) -> Settings:
    """Builds the settings from the environment and ``overrides``.

    Raises ConfigurationError naming every invalid variable, so a bad start-up
    ends in one readable line instead of a pydantic traceback.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"]) or "settings"
            variable = ENV_PREFIX + field.split(".")[0].upper()
            problems.append(f"{variable}: {error['msg']}")
        raise ConfigurationError(
            "invalid settings: " + "; ".join(problems), code="invalid_settings"
        ) from exc
