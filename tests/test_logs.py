"""The log formats operators read: text for people, one JSON object per line."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from snsreceiver.logs import DELIVERY_LOGGER, JsonFormatter, configure_logging


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.getLogger(DELIVERY_LOGGER).makeRecord(
        DELIVERY_LOGGER, logging.INFO, __file__, 1, message, args, None, extra=extra
    )
    made.created = datetime(2026, 6, 1, 12, 0, 0, 250000, tzinfo=UTC).timestamp()
    return made


def test_json_line_has_the_message_and_every_extra_field() -> None:
    line = JsonFormatter().format(
        record("sns message=%s outcome=%s", "m-1", "suppressed", outcome="suppressed")
    )

    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-06-01T12:00:00.250000+00:00",
        "level": "INFO",
        "logger": "snsreceiver.delivery",
        "message": "sns message=m-1 outcome=suppressed",
        "outcome": "suppressed",
    }


def test_json_line_writes_what_json_cannot_hold_as_text() -> None:
    when = datetime(2026, 6, 1, tzinfo=UTC)
    document = json.loads(JsonFormatter().format(record("seen", at=when)))
    assert document["at"] == "2026-06-01 00:00:00+00:00"


def test_json_line_carries_the_traceback() -> None:
    try:
        raise RuntimeError("the store went away")
    except RuntimeError:
        failed = record("failed")
        failed.exc_info = sys.exc_info()

    document = json.loads(JsonFormatter().format(failed))
    assert document["message"] == "failed"
    assert document["traceback"].startswith("Traceback (most recent call last):")
    assert document["traceback"].endswith("RuntimeError: the store went away")


@pytest.fixture
def restored_logger() -> Iterator[logging.Logger]:
    logger = logging.getLogger("snsreceiver")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield logger
    logger.handlers[:], logger.level, logger.propagate = saved


def test_configure_json_writes_json_to_standard_error(
    restored_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("WARNING", "json")
    configure_logging("INFO", "json")  # a second call replaces, never adds

    logging.getLogger(DELIVERY_LOGGER).info(
        "sns message=%s", "m-2", extra={"status": 200}
    )
    logging.getLogger("snsreceiver.store").debug("below the level")

    assert len(restored_logger.handlers) == 1
    assert restored_logger.propagate is False
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    document = json.loads(lines[0])
    assert document["message"] == "sns message=m-2"
    assert document["status"] == 200


def test_configure_text_writes_one_readable_line(
    restored_logger: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO", "text")
    logging.getLogger("snsreceiver.api").warning("refused %s", "m-3")

    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith(" WARNING snsreceiver.api: refused m-3")
