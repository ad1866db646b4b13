"""Which name an SNS signing certificate carries, region by region.

Most regions sign with a certificate for ``sns.amazonaws.com``; regions opened
later, China and GovCloud use their own names. The table is data
(``signing_names.json`` beside this module) so that a new region is a one-line
change with no code to review.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any


@cache
def _table() -> tuple[str, dict[str, str]]:
    text = files(__package__ or "snsreceiver.sns").joinpath("signing_names.json")
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return str(data["default"]), {str(k): str(v) for k, v in data["regions"].items()}


def signing_name(region: str) -> str:
    """The DNS name the signing certificate of ``region`` must be issued to."""
    default, regions = _table()
    return regions.get(region, default)
