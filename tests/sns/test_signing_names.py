"""The per-region table of SNS signing certificate names."""

from __future__ import annotations

import json
from importlib.resources import files

import pytest

from snsreceiver.sns.signing_names import signing_name


@pytest.mark.parametrize(
    ("region", "name"),
    [
        ("us-east-1", "sns.amazonaws.com"),
        ("eu-west-1", "sns.amazonaws.com"),
        ("af-south-1", "sns-signing.af-south-1.amazonaws.com"),
        ("me-central-1", "sns-signing.me-central-1.amazonaws.com"),
        ("cn-north-1", "sns-cn-north-1.amazonaws.com.cn"),
        ("us-gov-east-1", "sns-us-gov-west-1.amazonaws.com"),
    ],
)
def test_region_maps_to_its_signing_name(region: str, name: str) -> None:
    """Classic regions use sns.amazonaws.com; others their own listed name."""
    assert signing_name(region) == name


def test_table_is_data_with_a_default_and_only_region_keys() -> None:
    """The table ships as JSON: a default name and region -> name pairs."""
    text = files("snsreceiver.sns").joinpath("signing_names.json").read_text()
    table = json.loads(text)

    assert table["default"] == "sns.amazonaws.com"
    assert all(region.count("-") >= 2 for region in table["regions"])
    assert all(name.startswith("sns") for name in table["regions"].values())
