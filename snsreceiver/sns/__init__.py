"""Authentication of Amazon SNS messages: parsing, URL allow-lists, certificates,
signatures, and the verifier that runs them in order."""

from snsreceiver.sns.certificates import CertificateStore, SigningCertificate
from snsreceiver.sns.message import SnsMessage, parse_message
from snsreceiver.sns.urls import check_certificate_url, check_subscribe_url
from snsreceiver.sns.verifier import MessageVerifier

__all__ = [
    "CertificateStore",
    "MessageVerifier",
    "SigningCertificate",
    "SnsMessage",
    "check_certificate_url",
    "check_subscribe_url",
    "parse_message",
]
