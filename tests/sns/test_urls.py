"""The SigningCertURL and SubscribeURL allow-lists."""

from __future__ import annotations

import json

import pytest

from snsreceiver.errors import CertificateUrlRefused
from snsreceiver.sns.certificates import CertificateStore
from snsreceiver.sns.testkit import TestSigner
from snsreceiver.sns.urls import check_certificate_url, check_subscribe_url, sns_host
from snsreceiver.sns.verifier import MessageVerifier
from tests.sns.support import NOW, TOPIC, CertServer

NAME = "SimpleNotificationService-0123456789abcdef0123456789abcdef.pem"
GOOD = f"https://sns.us-east-1.amazonaws.com/{NAME}"

HOSTILE_CERTIFICATE_URLS = [
    pytest.param(f"http://sns.us-east-1.amazonaws.com/{NAME}", id="plain-http"),
    pytest.param(f"HTTPS://sns.us-east-1.amazonaws.com/{NAME}", id="upper-scheme"),
    pytest.param(f"ftp://sns.us-east-1.amazonaws.com/{NAME}", id="ftp"),
    pytest.param(f"//sns.us-east-1.amazonaws.com/{NAME}", id="scheme-relative"),
    pytest.param(f"https:/sns.us-east-1.amazonaws.com/{NAME}", id="one-slash"),
    pytest.param("file:///etc/ssl/certs/ca.pem", id="file"),
    pytest.param(f"https://evil.example/{NAME}", id="other-host"),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com.evil.example/{NAME}", id="suffix"
    ),
    pytest.param(f"https://sns.us-east-1.amazonaws.com./{NAME}", id="trailing-dot"),
    pytest.param(f"https://snsus-east-1.amazonaws.com/{NAME}", id="missing-dot"),
    pytest.param(f"https://sns.us-east-1.amazonaws.co/{NAME}", id="other-tld"),
    pytest.param(f"https://sns.us-east-1.amazonaws.cοm/{NAME}", id="greek-omicron"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com\u200b/{NAME}", id="zero-width"),
    pytest.param(f"https://xn--sns-9na.us-east-1.amazonaws.com/{NAME}", id="punycode"),
    pytest.param(f"https://SNS.US-EAST-1.AMAZONAWS.COM/{NAME}", id="upper-host"),
    pytest.param(f"https://sns.eu-west-1.amazonaws.com/{NAME}", id="other-region"),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com.cn/{NAME}", id="other-partition"
    ),
    pytest.param(f"https://sqs.us-east-1.amazonaws.com/{NAME}", id="other-service"),
    pytest.param(f"https://sns.amazonaws.com/{NAME}", id="no-region"),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com@evil.example/{NAME}", id="userinfo-host"
    ),
    pytest.param(
        f"https://evil.example@sns.us-east-1.amazonaws.com/{NAME}", id="userinfo"
    ),
    pytest.param(
        f"https://user:pw@sns.us-east-1.amazonaws.com/{NAME}", id="userinfo-password"
    ),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com\\@evil.example/{NAME}", id="backslash"
    ),
    pytest.param(f"https://sns.us-east-1.amazonaws.com:443/{NAME}", id="port-443"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com:8443/{NAME}", id="port"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com:/{NAME}", id="empty-port"),
    pytest.param(f"https://52.94.236.248/{NAME}", id="ipv4"),
    pytest.param(f"https://[::ffff:34.0.0.1]/{NAME}", id="ipv6"),
    pytest.param(f"https://0x345eec10/{NAME}", id="hex-ip"),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com%2eevil.example/{NAME}", id="encoded-dot"
    ),
    pytest.param(
        f"https://sns%2Eus-east-1.amazonaws.com/{NAME}", id="encoded-host-dot"
    ),
    pytest.param(
        "https://sns.us-east-1.amazonaws.com/%53impleNotificationService-"
        "0123456789abcdef0123456789abcdef.pem",
        id="encoded-path",
    ),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/x/../{NAME}", id="dot-dot"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/./{NAME}", id="dot-segment"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com//{NAME}", id="double-slash"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/certs/{NAME}", id="sub-path"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}.evil", id="suffix-path"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}?a=1", id="query"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}?", id="empty-query"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}#x", id="fragment"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}#", id="empty-fragment"),
    pytest.param(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
        id="short-hex",
    ),
    pytest.param(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
        "0123456789ABCDEF0123456789ABCDEF.pem",
        id="upper-hex",
    ),
    pytest.param(
        "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-"
        "0123456789abcdef0123456789abcdeg.pem",
        id="not-hex",
    ),
    pytest.param("https://sns.us-east-1.amazonaws.com/", id="no-file"),
    pytest.param("https://sns.us-east-1.amazonaws.com", id="no-path"),
    pytest.param(f"https://s3.amazonaws.com/sns-certs/{NAME}", id="s3-path-style"),
    pytest.param(
        f"https://sns.us-east-1.amazonaws.com.s3.amazonaws.com/{NAME}",
        id="s3-bucket-named-like-sns",
    ),
    pytest.param(
        f"https://evil.s3.us-east-1.amazonaws.com/{NAME}", id="s3-virtual-host"
    ),
    pytest.param(f" {GOOD}", id="leading-space"),
    pytest.param(f"{GOOD}\n", id="trailing-newline"),
    pytest.param(f"https://sns.us-east-1.amazonaws.com/{NAME}\t", id="tab"),
    pytest.param("", id="empty"),
]


class TestCertificateUrl:
    def test_regional_sns_url_is_allowed(self) -> None:
        """The documented URL shape passes and yields the file name."""
        assert check_certificate_url(GOOD, "us-east-1") == NAME

    def test_china_region_uses_the_cn_suffix(self) -> None:
        """China regions are served from amazonaws.com.cn."""
        url = f"https://sns.cn-north-1.amazonaws.com.cn/{NAME}"

        assert check_certificate_url(url, "cn-north-1") == NAME
        with pytest.raises(CertificateUrlRefused):
            check_certificate_url(
                f"https://sns.cn-north-1.amazonaws.com/{NAME}", "cn-north-1"
            )

    @pytest.mark.parametrize("url", HOSTILE_CERTIFICATE_URLS)
    def test_hostile_url_is_refused(self, url: str) -> None:
        """Each look-alike or trick URL is refused with a stable code."""
        with pytest.raises(CertificateUrlRefused) as caught:
            check_certificate_url(url, "us-east-1")

        assert caught.value.code == "certificate_url_refused"

    @pytest.mark.parametrize("url", HOSTILE_CERTIFICATE_URLS)
    async def test_store_never_requests_a_hostile_url(
        self, url: str, store: CertificateStore, cert_server: CertServer
    ) -> None:
        """The certificate store refuses the URL without any request."""
        with pytest.raises(CertificateUrlRefused):
            await store.get(url, region="us-east-1", at=NOW)

        assert cert_server.requests == []

    @pytest.mark.parametrize("url", HOSTILE_CERTIFICATE_URLS)
    async def test_verifier_never_requests_a_hostile_url(
        self,
        url: str,
        test_signer: TestSigner,
        verifier: MessageVerifier,
        cert_server: CertServer,
    ) -> None:
        """A signed message with a hostile SigningCertURL causes zero requests."""
        document = json.loads(test_signer.envelope(timestamp=NOW))
        document["SigningCertURL"] = url

        with pytest.raises(CertificateUrlRefused):
            await verifier.verify(json.dumps(document), at=NOW)

        assert cert_server.requests == []

    @pytest.mark.parametrize("region", ["", "US-EAST-1", "us-east-1.evil", "useast1"])
    def test_bad_region_is_refused(self, region: str) -> None:
        """A region that is not an AWS region name never yields a host."""
        with pytest.raises(CertificateUrlRefused):
            sns_host(region)

    def test_sentence_names_the_field_and_url(self) -> None:
        """The refusal says which field and which URL."""
        with pytest.raises(CertificateUrlRefused) as caught:
            check_certificate_url(f"https://evil.example/{NAME}", "us-east-1")

        assert "SigningCertURL" in caught.value.message
        assert "evil.example" in caught.value.message


SUBSCRIBE = (
    f"https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={TOPIC}"
    "&Token=2336412f37fb"
)

HOSTILE_SUBSCRIBE_URLS = [
    pytest.param(SUBSCRIBE.replace("https://", "http://"), id="http"),
    pytest.param(SUBSCRIBE.replace(".com/", ".com.evil.example/"), id="other-host"),
    pytest.param(SUBSCRIBE.replace("sns.", "x@sns."), id="userinfo"),
    pytest.param(SUBSCRIBE.replace(".com/", ".com:8443/"), id="port"),
    pytest.param(SUBSCRIBE.replace("us-east-1.", "eu-west-1."), id="other-region"),
    pytest.param(SUBSCRIBE.replace(".com/?", ".com/confirm?"), id="other-path"),
    pytest.param(SUBSCRIBE + "#top", id="fragment"),
    pytest.param(SUBSCRIBE.replace("ConfirmSubscription", "Unsubscribe"), id="action"),
    pytest.param(SUBSCRIBE.replace(":ses-feedback", ":other"), id="other-topic"),
    pytest.param(SUBSCRIBE + "&Action=Unsubscribe", id="repeated-action"),
    pytest.param(SUBSCRIBE.replace("&Token=2336412f37fb", ""), id="no-token"),
    pytest.param(SUBSCRIBE.replace("=2336412f37fb", "="), id="empty-token"),
    pytest.param(
        SUBSCRIBE.replace("ConfirmSubscription", "Confirm%53ubscription"), id="encoded"
    ),
    pytest.param(SUBSCRIBE + "&&", id="malformed-query"),
]


class TestSubscribeUrl:
    def test_confirmation_url_of_the_topic_is_allowed(self) -> None:
        """A ConfirmSubscription call for the message's own topic passes."""
        check_subscribe_url(SUBSCRIBE, TOPIC)

    @pytest.mark.parametrize("url", HOSTILE_SUBSCRIBE_URLS)
    def test_hostile_subscribe_url_is_refused(self, url: str) -> None:
        """Anything but a ConfirmSubscription call on the topic's host is refused."""
        with pytest.raises(CertificateUrlRefused) as caught:
            check_subscribe_url(url, TOPIC)

        assert caught.value.code == "subscribe_url_refused"

    def test_token_must_be_the_messages_own(self) -> None:
        """The URL's Token must equal the message's signed Token field."""
        check_subscribe_url(SUBSCRIBE, TOPIC, token="2336412f37fb")

        with pytest.raises(CertificateUrlRefused) as caught:
            check_subscribe_url(SUBSCRIBE, TOPIC, token="another-token")

        assert caught.value.code == "subscribe_url_refused"
        assert "another Token" in caught.value.message

    def test_topic_arn_without_region_is_refused(self) -> None:
        """Without a region in the TopicArn no host can be allowed."""
        with pytest.raises(CertificateUrlRefused):
            check_subscribe_url(SUBSCRIBE, "not-an-arn")
