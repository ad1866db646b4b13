"""Times PyPI's ``sns-message-validator`` on the messages that bench.peers wrote.

Usage: python pypi_validator.py DIR, with a Python that has the package
installed (``bench.peers`` makes such a virtual environment). It runs apart from
snsreceiver and imports nothing of it.

The package fetches the certificate with ``requests.get`` on every message and
has no cache; here that call answers from DIR/certificate.pem, which stands in
for the cache a user would add, so that only its own work is timed. Its API
takes a decoded message, so the JSON parsing is timed too, as it is in
snsreceiver's benchmark. Prints one line of JSON.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sns_message_validator import sns_message_validator as validator_module

ROUNDS = 7
ROUND_SECONDS = 0.5


class _CachedResponse:
    content: bytes = b""


def _per_second(batch: Callable[[], int]) -> float:
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < ROUND_SECONDS:
        count += batch()
    return count / elapsed


def main(directory: Path) -> None:
    texts = json.loads((directory / "messages.json").read_text())
    bodies = [text.encode() for text in texts]
    _CachedResponse.content = (directory / "certificate.pem").read_bytes()

    def cached_get(url: str, **_: Any) -> type[_CachedResponse]:
        return _CachedResponse

    validator_module.requests.get = cached_get
    validator = validator_module.SNSMessageValidator()

    def validate_all() -> int:
        for body in bodies:
            validator.validate_message(json.loads(body))
        return len(bodies)

    validate_all()
    validated = max(_per_second(validate_all) for _ in range(ROUNDS))
    result = {
        "runtime": f"Python {platform.python_version()}",
        "validated": validated,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
