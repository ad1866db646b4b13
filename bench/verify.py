"""How close verifying a message with a cached certificate comes to the bare RSA check.

Prints verified messages per second through :class:`MessageVerifier` (certificate
already cached: parsing, the delivery headers SNS sends, policy checks and the
signature) next to raw RSA-2048
PKCS#1 v1.5 verifications per second with ``cryptography``, both on one core in
one thread, and their ratio. The two are measured in alternating rounds and the
best round of each is kept, so a busy neighbour on a shared machine skews both
alike. No network: the certificate is served once by an ``httpx.MockTransport``
and then comes from the cache.
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from base64 import b64decode
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from snsreceiver.settings import load_settings
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.message import parse_message
from snsreceiver.sns.signature import HASHES, PADDING, string_to_sign
from snsreceiver.sns.testkit import DEFAULT_TOPIC_ARN, TestSigner
from snsreceiver.sns.verifier import DeliveryHeaders, MessageVerifier

ROUNDS = 7
ROUND_SECONDS = 0.5
MESSAGES = 256
SES_BOUNCE = (
    '{"notificationType":"Bounce","bounce":{"bounceType":"Permanent",'
    '"bounceSubType":"General","bouncedRecipients":[{"emailAddress":'
    '"someone@example.com","action":"failed","status":"5.1.1"}],'
    '"timestamp":"2026-06-01T11:59:58.000Z","feedbackId":"0100017f-bench"},'
    '"mail":{"timestamp":"2026-06-01T11:59:57.000Z","source":"news@example.org",'
    '"messageId":"0100017f-mail","destination":["someone@example.com"]}}'
)


async def _round(run_batch: Callable[[], Awaitable[int]]) -> float:
    """Runs batches for ROUND_SECONDS; operations per second."""
    count = 0
    start = time.perf_counter()
    while (elapsed := time.perf_counter() - start) < ROUND_SECONDS:
        count += await run_batch()
    return count / elapsed


def bare_check(signer: TestSigner, body: bytes) -> tuple[RSAPublicKey, bytes, bytes]:
    """The key, signature and signed bytes of ``body``, decoded beforehand, so
    that a loop can time ``key.verify(signature, data, PADDING, SHA1)`` alone
    (SignatureVersion 1's padding and hash, which SNS defaults to)."""
    message = parse_message(body)
    return (
        signer.key.public_key(),
        b64decode(message.signature),
        string_to_sign(message),
    )


@asynccontextmanager
async def cached_verifier(
    signer: TestSigner,
) -> AsyncIterator[tuple[MessageVerifier, CertificateStore]]:
    """A verifier for the signer's topic whose certificate comes from a mock
    transport, so that the first message fetches it and the rest hit the cache.
    The clock stands still at the moment of the call."""
    now = datetime.now(UTC)
    settings = load_settings(topic_arns=[DEFAULT_TOPIC_ARN])

    def serve(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=signer.certificate_pem)

    async with httpx.AsyncClient(transport=httpx.MockTransport(serve)) as client:
        store = CertificateStore.from_settings(settings, client)
        yield MessageVerifier(settings, store, clock=lambda: now), store


async def _measure(signer: TestSigner, bodies: list[bytes]) -> tuple[float, float]:
    public_key, signature, data = bare_check(signer, bodies[0])
    sha1 = HASHES["1"]

    async def raw_batch() -> int:
        for _ in bodies:
            public_key.verify(signature, data, PADDING, sha1)
        return len(bodies)

    # The delivery headers the webhook hands over with each body, as SNS sends them.
    deliveries = [(body, sns_headers(body)) for body in bodies]

    async with cached_verifier(signer) as (verifier, store):

        async def verify_batch() -> int:
            for body, headers in deliveries:
                await verifier.verify(body, headers)
            return len(bodies)

        await verify_batch()
        raw_rates, verified_rates = [], []
        for _ in range(ROUNDS):
            raw_rates.append(await _round(raw_batch))
            verified_rates.append(await _round(verify_batch))
        assert store.fetches == 1

    return max(raw_rates), max(verified_rates)


def sns_headers(body: bytes) -> DeliveryHeaders:
    """The headers SNS sends with ``body``, in the form the webhook hands over."""
    message = parse_message(body)
    return DeliveryHeaders.from_asgi(
        [
            (b"x-amz-sns-message-type", message.type.encode()),
            (b"x-amz-sns-message-id", message.message_id.encode()),
            (b"x-amz-sns-topic-arn", message.topic_arn.encode()),
            (
                b"x-amz-sns-subscription-arn",
                f"{message.topic_arn}:0f6c2a4e-bench".encode(),
            ),
            (b"content-type", b"text/plain; charset=UTF-8"),
        ]
    )


def signed_bodies(signer: TestSigner) -> list[bytes]:
    """MESSAGES bounce notifications signed now, each with its own MessageId."""
    now = datetime.now(UTC)
    return [
        signer.envelope(message=SES_BOUNCE, subject="bounce", timestamp=now)
        for _ in range(MESSAGES)
    ]


def rates(signer: TestSigner, bodies: list[bytes]) -> tuple[float, float]:
    """Raw RSA checks and verified messages per second, the best round of each."""
    return asyncio.run(_measure(signer, bodies))


def main() -> None:
    signer = TestSigner()
    raw, verified = rates(signer, signed_bodies(signer))

    python = platform.python_version()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {python}")
    print(f"raw RSA-2048 PKCS#1 v1.5 SHA-1 verify:   {raw:>9,.0f} /s")
    print(f"verified SNS messages (cached cert):    {verified:>9,.0f} /s")
    print(f"ratio verified/raw:                      {verified / raw:>9.2f}")
    print(
        f"cost per message beyond RSA:            {1e6 / verified - 1e6 / raw:>9.1f} us"
    )
