"""Logging set-up, done once by the server or the CLI.

Two audiences, two loggers: ``snsreceiver.delivery`` writes one INFO line per SNS
delivery (message id, topic, type, outcome, duration) for whoever watches traffic;
every other ``snsreceiver.*`` logger is operational (start-up, failures).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Literal

DELIVERY_LOGGER = "snsreceiver.delivery"

# Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with ``extra=`` fields as top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        document: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                document[key] = value
        if record.exc_info:
            document["traceback"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str)


def configure_logging(
    level: str = "INFO", log_format: Literal["text", "json"] = "text"
) -> None:
    """Routes the ``snsreceiver`` loggers to standard error in the chosen format."""
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )

    root = logging.getLogger("snsreceiver")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
