"""The allow-lists for the two URLs an SNS message asks us to use.

``SigningCertURL`` decides which key checks the signature, and it is not itself
signed, so anyone can put any URL there: only an SNS host of the topic's own region
may serve the certificate. ``SubscribeURL`` is signed, but following it makes a
request on the message's word, so it gets the same treatment. Both are parsed and
compared piece by piece, never pattern-matched as a whole string, and anything
unusual (userinfo, a port, percent-encoding, backslashes, IP literals) is refused.

See https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal
from urllib.parse import SplitResult, parse_qsl, urlsplit

from snsreceiver.errors import CertificateUrlRefused

REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+")
CERTIFICATE_PATH = re.compile(r"/SimpleNotificationService-[0-9a-f]{32}\.pem")

# The codes a refused URL carries: which of the two URLs was refused.
UrlRefusal = Literal["certificate_url_refused", "subscribe_url_refused"]

# Printable ASCII without space, backslash or percent: nothing a parser could
# decode into a different host or path than the one we compared.
_PLAIN_URL = re.compile(r"[!-$&-\[\]-~]+")


def sns_host(region: str) -> str:
    """The SNS endpoint host of ``region``; China regions use ``.amazonaws.com.cn``."""
    if not REGION.fullmatch(region):
        raise CertificateUrlRefused(
            f"{region!r} is not an AWS region name.", code="certificate_url_refused"
        )
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"sns.{region}.{suffix}"


@lru_cache(maxsize=256)
def check_certificate_url(url: str, region: str) -> str:
    """Checks a SigningCertURL and returns its file name.

    Raises CertificateUrlRefused unless the URL is exactly
    ``https://sns.<region>.<suffix>/SimpleNotificationService-<32 hex>.pem``.
    A pure function, so accepted URLs are remembered (refusals never are).
    """
    parts = _split(url, "SigningCertURL", "certificate_url_refused")
    _check_origin(parts, url, region, "SigningCertURL", "certificate_url_refused")

    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise _refused(
            "SigningCertURL", url, "has a query or fragment", "certificate_url_refused"
        )
    if not CERTIFICATE_PATH.fullmatch(parts.path):
        raise _refused(
            "SigningCertURL",
            url,
            "does not name /SimpleNotificationService-<32 hex digits>.pem",
            "certificate_url_refused",
        )
    return parts.path.removeprefix("/")


def check_subscribe_url(url: str, topic_arn: str, *, token: str | None = None) -> None:
    """Checks a SubscribeURL before anything follows it.

    It must be ``https://sns.<region>.<suffix>/?Action=ConfirmSubscription&...``
    for the very topic that sent the message, with a Token; when ``token`` (the
    message's own Token field, signed like the URL) is given, the URL's Token
    must be that one.
    """
    code: UrlRefusal = "subscribe_url_refused"
    region = topic_arn.split(":")[3] if topic_arn.count(":") == 5 else ""
    parts = _split(url, "SubscribeURL", code)
    _check_origin(parts, url, region, "SubscribeURL", code)

    if parts.path != "/" or parts.fragment or "#" in url:
        raise _refused("SubscribeURL", url, "must have path / and no fragment", code)

    try:
        pairs = parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise _refused("SubscribeURL", url, "has a malformed query", code) from None
    query = dict(pairs)
    if len(query) != len(pairs):
        raise _refused("SubscribeURL", url, "repeats a query parameter", code)
    if query.get("Action") != "ConfirmSubscription":
        raise _refused("SubscribeURL", url, "is not a ConfirmSubscription call", code)
    if query.get("TopicArn") != topic_arn:
        raise _refused("SubscribeURL", url, f"is not for topic {topic_arn}", code)
    if not query.get("Token"):
        raise _refused("SubscribeURL", url, "has no Token", code)
    if token is not None and query["Token"] != token:
        raise _refused(
            "SubscribeURL", url, "carries another Token than the message", code
        )


def _split(url: str, field: str, code: UrlRefusal) -> SplitResult:
    if len(url) > 2048 or not _PLAIN_URL.fullmatch(url):
        raise _refused(field, url, "contains characters outside plain ASCII", code)
    try:
        return urlsplit(url)
    except ValueError:
        raise _refused(field, url, "is not a URL", code) from None


def _check_origin(
    parts: SplitResult, url: str, region: str, field: str, code: UrlRefusal
) -> None:
    if not url.startswith("https://"):
        raise _refused(field, url, "is not an https URL", code)
    if not REGION.fullmatch(region):
        raise _refused(field, url, "cannot be checked without a topic region", code)

    expected = sns_host(region)
    if parts.netloc != expected:
        raise _refused(
            field, url, f"is not served by {expected} (no userinfo or port)", code
        )


def _refused(
    field: str, url: str, reason: str, code: UrlRefusal
) -> CertificateUrlRefused:
    shown = url if len(url) <= 200 else url[:200] + "..."
    return CertificateUrlRefused(f"{field} {shown!r} {reason}.", code=code)
