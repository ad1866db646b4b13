"""The settings object: environment parsing and start-up validation."""

from __future__ import annotations

import pytest

from snsreceiver.errors import ConfigurationError
from snsreceiver.settings import DEFAULT_DATABASE_URL, load_settings

TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-feedback"


def test_defaults_need_no_configuration() -> None:
    """With nothing set, the service runs on SQLite and refuses every topic."""
    settings = load_settings()

    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.topic_arns == ()
    assert settings.signature_versions == {"1", "2"}


def test_topic_arns_are_read_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    """SNSRECEIVER_TOPIC_ARNS is a comma-separated list, spaces ignored."""
    other = "arn:aws:sns:eu-west-1:123456789012:other"
    monkeypatch.setenv("SNSRECEIVER_TOPIC_ARNS", f" {TOPIC} ,{other},")

    assert load_settings().topic_arns == (TOPIC, other)


def test_signature_versions_can_require_version_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An operator can accept SignatureVersion 2 only."""
    monkeypatch.setenv("SNSRECEIVER_SIGNATURE_VERSIONS", "2")

    assert load_settings().signature_versions == {"2"}


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SNSRECEIVER_TOPIC_ARNS", "arn:aws:s3:::bucket", "SNSRECEIVER_TOPIC_ARNS"),
        (
            "SNSRECEIVER_TOPIC_ARNS",
            "arn:aws:sns:cn-north-1:123456789012:t",
            "partition of the region",
        ),
        ("SNSRECEIVER_MAX_API_BODY_BYTES", "10", "SNSRECEIVER_MAX_API_BODY_BYTES"),
        (
            "SNSRECEIVER_METRICS_COUNT_INTERVAL",
            "-1",
            "SNSRECEIVER_METRICS_COUNT_INTERVAL",
        ),
        ("SNSRECEIVER_SIGNATURE_VERSIONS", "3", "SNSRECEIVER_SIGNATURE_VERSIONS"),
        ("SNSRECEIVER_PORT", "70000", "SNSRECEIVER_PORT"),
        ("SNSRECEIVER_DATABASE_URL", "mysql://x/y", "SNSRECEIVER_DATABASE_URL"),
        ("SNSRECEIVER_SUBSCRIPTION_CONFIRMATION", "maybe", "SUBSCRIPTION_CONFIRMATION"),
        ("SNSRECEIVER_WEBHOOK_USERNAME", "sns", "SNSRECEIVER_WEBHOOK_PASSWORD"),
    ],
)
def test_bad_values_name_their_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    """Each invalid value is reported with the variable an operator must fix."""
    monkeypatch.setenv(variable, value)

    with pytest.raises(ConfigurationError) as caught:
        load_settings()

    assert expected in caught.value.message
    assert caught.value.code == "invalid_settings"
