"""Parses the SES feedback document that SNS carries in its ``Message`` field.

SES writes two dialects: identity notifications name their type in
``notificationType`` (Bounce, Complaint, Delivery) and configuration-set event
publishing names it in ``eventType`` (those three plus DeliveryDelay, Send, Reject,
Open, Click, Rendering Failure, Subscription). Both become one
:class:`FeedbackDocument` holding one :class:`FeedbackRecord` per recipient.
The field reference is the SES developer guide, "Contents of notifications" and
"Contents of event data that Amazon SES publishes to Amazon SNS".

Where the recipients come from:

- Bounce: ``bounce.bouncedRecipients``, with each recipient's own ``status``,
  ``action`` and ``diagnosticCode``. Complaint: ``complaint.complainedRecipients``.
  Never ``mail.destination``, which lists every recipient of the mail, including
  those who neither bounced nor complained.
- Delivery: ``delivery.recipients``. DeliveryDelay:
  ``deliveryDelay.delayedRecipients``.
- Send, Reject, Open, Click, Rendering Failure and Subscription name no
  recipient of their own, so they yield one record per ``mail.destination``
  address. The policy never changes suppression state for them.
- A type this module does not know yields a document of kind UNKNOWN with no
  records: its meaning for any address is unknown, so nothing is attributed to
  one, and the caller records and acknowledges the message.

A ``Message`` that is not SES feedback is not an error: SES's validation notice
on a new topic (plain text), its "subscription succeeded" notice, any other text,
and JSON without either type key give a document whose ``kind`` is None and whose
``non_feedback`` says why. The webhook acknowledges such messages with 200 and
records them, since a retry by SNS could never turn them into feedback.

SES feedback that names its type but breaks the field reference (a bounce without
a list of bounced recipients, an address that is not a string) raises
:class:`~snsreceiver.errors.FeedbackInvalid`. Unknown fields are ignored.

Timestamps become timezone-aware datetimes: the event's own timestamp
(``bounce.timestamp``, ``complaint.timestamp``, ``open.timestamp`` ...) when SES
gives one, else ``mail.timestamp``, the time SES accepted the mail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any, Literal, TypedDict, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
)

from snsreceiver.errors import FeedbackInvalid
from snsreceiver.ses.records import (
    Dialect,
    FeedbackKind,
    FeedbackRecord,
    normalise_email,
)

NonFeedback = Literal[
    "ses_topic_validation",
    "ses_subscription_notice",
    "not_json",
    "not_ses_feedback",
]

SES_VALIDATION_NOTICE = (
    "Successfully validated SNS topic for Amazon SES event publishing."
)
SES_SUBSCRIPTION_NOTICE_TYPE = "AmazonSnsSubscriptionSucceeded"

# source type -> (kind, the key of the object that describes the event)
_EVENT_SECTIONS: dict[str, tuple[FeedbackKind, str]] = {
    "Bounce": (FeedbackKind.BOUNCE, "bounce"),
    "Complaint": (FeedbackKind.COMPLAINT, "complaint"),
    "Delivery": (FeedbackKind.DELIVERY, "delivery"),
    "DeliveryDelay": (FeedbackKind.DELIVERY_DELAY, "deliveryDelay"),
    "Send": (FeedbackKind.SEND, "send"),
    "Reject": (FeedbackKind.REJECT, "reject"),
    "Open": (FeedbackKind.OPEN, "open"),
    "Click": (FeedbackKind.CLICK, "click"),
    "Rendering Failure": (FeedbackKind.RENDERING_FAILURE, "failure"),
    "Subscription": (FeedbackKind.SUBSCRIPTION, "subscription"),
}


@dataclass(frozen=True, slots=True)
class FeedbackDocument:
    """One SNS ``Message`` read as SES feedback.

    ``kind`` is None when the message is not SES feedback at all; ``non_feedback``
    then says why. ``source_type`` is SES's own spelling of the type
    (``"Rendering Failure"``), kept for the record.
    """

    kind: FeedbackKind | None
    dialect: Dialect | None = None
    source_type: str | None = None
    mail_message_id: str | None = None
    records: tuple[FeedbackRecord, ...] = ()
    non_feedback: NonFeedback | None = None

    @property
    def is_feedback(self) -> bool:
        return self.kind is not None


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Mail(_Model):
    message_id: StrictStr = Field(alias="messageId")
    timestamp: AwareDatetime
    destination: list[StrictStr] = Field(default_factory=list)


class _Recipient(_Model):
    email_address: StrictStr = Field(alias="emailAddress")
    action: StrictStr | None = None
    status: StrictStr | None = None
    diagnostic_code: StrictStr | None = Field(default=None, alias="diagnosticCode")


class _Event(_Model):
    timestamp: AwareDatetime | None = None


class _Bounce(_Event):
    bounce_type: StrictStr = Field(alias="bounceType")
    bounce_subtype: StrictStr | None = Field(default=None, alias="bounceSubType")
    recipients: list[_Recipient] = Field(alias="bouncedRecipients", min_length=1)
    feedback_id: StrictStr | None = Field(default=None, alias="feedbackId")


class _Complaint(_Event):
    recipients: list[_Recipient] = Field(alias="complainedRecipients", min_length=1)
    feedback_id: StrictStr | None = Field(default=None, alias="feedbackId")
    complaint_subtype: StrictStr | None = Field(default=None, alias="complaintSubType")
    feedback_type: StrictStr | None = Field(default=None, alias="complaintFeedbackType")


class _Delivery(_Event):
    recipients: list[StrictStr] = Field(min_length=1)


class _DeliveryDelay(_Event):
    recipients: list[_Recipient] = Field(alias="delayedRecipients", min_length=1)


_ModelT = TypeVar("_ModelT", bound=_Model)


class _Common(TypedDict):
    """The fields every record of one document shares."""

    kind: FeedbackKind
    dialect: Dialect
    source_type: str
    mail_message_id: str


def parse_feedback(message: str) -> FeedbackDocument:
    """Reads an SNS ``Message`` string as SES feedback.

    Returns a document with ``kind`` None for messages that are not SES feedback,
    and raises FeedbackInvalid for SES feedback that breaks the field reference.
    """
    if message.strip() == SES_VALIDATION_NOTICE:
        return FeedbackDocument(kind=None, non_feedback="ses_topic_validation")

    try:
        document = json.loads(message)
    except ValueError:
        return FeedbackDocument(kind=None, non_feedback="not_json")

    if not isinstance(document, dict):
        return FeedbackDocument(kind=None, non_feedback="not_ses_feedback")

    dialect, source_type = _read_type(document)
    if dialect is None or source_type is None:
        return FeedbackDocument(kind=None, non_feedback="not_ses_feedback")

    if source_type == SES_SUBSCRIPTION_NOTICE_TYPE:
        return FeedbackDocument(kind=None, non_feedback="ses_subscription_notice")

    return _parse_known(document, dialect, source_type)


def parse_address(value: str) -> str:
    """The normalised address in an SES recipient field.

    SES copies some recipient fields from the sent mail, where an address may
    carry a display name (``"Jane Doe" <jane@example.com>``); only the address
    itself is kept.
    """
    address = value
    if "<" in value:
        address = parseaddr(value)[1]

    address = normalise_email(address)
    local, _, domain = address.rpartition("@")
    if not local or not domain:
        # The value is not repeated: whatever it holds may be personal data, and
        # this sentence reaches the log and the HTTP answer.
        raise FeedbackInvalid(
            f"An SES recipient of {len(value)} characters is not an email address "
            "(expected local@domain)."
        )
    return address


def _read_type(document: dict[str, Any]) -> tuple[Dialect | None, str | None]:
    """Which dialect the document speaks and the type it names."""
    notification_type = document.get("notificationType")
    event_type = document.get("eventType")

    if notification_type is not None and event_type is not None:
        raise FeedbackInvalid(
            "SES feedback names both a notificationType and an eventType."
        )

    dialect: Dialect = "notification" if notification_type is not None else "event"
    source_type = notification_type if notification_type is not None else event_type
    if source_type is None:
        return None, None

    if not isinstance(source_type, str) or not source_type:
        raise FeedbackInvalid(
            f"SES feedback type {source_type!r} is not a non-empty string."
        )
    return dialect, source_type


def _parse_known(
    document: dict[str, Any], dialect: Dialect, source_type: str
) -> FeedbackDocument:
    """Turns a document with a type key into records, one per recipient."""
    kind, section_key = _EVENT_SECTIONS.get(source_type, (FeedbackKind.UNKNOWN, ""))
    if kind is FeedbackKind.UNKNOWN:
        return FeedbackDocument(
            kind=kind,
            dialect=dialect,
            source_type=source_type,
            mail_message_id=_loose_message_id(document),
        )

    mail = _validate(_Mail, document.get("mail"), "mail", source_type)
    base = _Common(
        kind=kind,
        dialect=dialect,
        source_type=source_type,
        mail_message_id=mail.message_id,
    )
    section = document.get(section_key)

    records: list[FeedbackRecord]
    if kind is FeedbackKind.BOUNCE:
        records = _bounce_records(section, mail, source_type, base)
    elif kind is FeedbackKind.COMPLAINT:
        records = _complaint_records(section, mail, source_type, base)
    elif kind is FeedbackKind.DELIVERY:
        delivery = _validate(_Delivery, section, section_key, source_type)
        occurred_at = _utc(delivery.timestamp or mail.timestamp)
        records = [
            FeedbackRecord(
                email=parse_address(address), occurred_at=occurred_at, **base
            )
            for address in delivery.recipients
        ]
    elif kind is FeedbackKind.DELIVERY_DELAY:
        delay = _validate(_DeliveryDelay, section, section_key, source_type)
        occurred_at = _utc(delay.timestamp or mail.timestamp)
        records = [
            FeedbackRecord(
                email=parse_address(recipient.email_address),
                occurred_at=occurred_at,
                status=recipient.status,
                action=recipient.action,
                diagnostic_code=recipient.diagnostic_code,
                **base,
            )
            for recipient in delay.recipients
        ]
    else:
        records = _destination_records(section, section_key, mail, source_type, base)

    return FeedbackDocument(
        kind=kind,
        dialect=dialect,
        source_type=source_type,
        mail_message_id=mail.message_id,
        records=_unique(records),
    )


def _bounce_records(
    section: Any, mail: _Mail, source_type: str, base: _Common
) -> list[FeedbackRecord]:
    bounce = _validate(_Bounce, section, "bounce", source_type)
    occurred_at = _utc(bounce.timestamp or mail.timestamp)

    return [
        FeedbackRecord(
            email=parse_address(recipient.email_address),
            occurred_at=occurred_at,
            feedback_id=bounce.feedback_id,
            bounce_type=bounce.bounce_type,
            bounce_subtype=bounce.bounce_subtype,
            status=recipient.status,
            action=recipient.action,
            diagnostic_code=recipient.diagnostic_code,
            **base,
        )
        for recipient in bounce.recipients
    ]


def _complaint_records(
    section: Any, mail: _Mail, source_type: str, base: _Common
) -> list[FeedbackRecord]:
    complaint = _validate(_Complaint, section, "complaint", source_type)
    occurred_at = _utc(complaint.timestamp or mail.timestamp)

    return [
        FeedbackRecord(
            email=parse_address(recipient.email_address),
            occurred_at=occurred_at,
            feedback_id=complaint.feedback_id,
            complaint_subtype=complaint.complaint_subtype,
            complaint_feedback_type=complaint.feedback_type,
            **base,
        )
        for recipient in complaint.recipients
    ]


def _destination_records(
    section: Any,
    section_key: str,
    mail: _Mail,
    source_type: str,
    base: _Common,
) -> list[FeedbackRecord]:
    """Records for event types that name no recipient of their own."""
    occurred_at = _utc(mail.timestamp)
    if section is not None:
        event = _validate(_Event, section, section_key, source_type)
        occurred_at = _utc(event.timestamp or mail.timestamp)

    return [
        FeedbackRecord(email=parse_address(address), occurred_at=occurred_at, **base)
        for address in mail.destination
    ]


def _validate(
    model: type[_ModelT], value: Any, where: str, source_type: str
) -> _ModelT:
    """Validates one part of the document, naming the first bad field if any."""
    if not isinstance(value, dict):
        raise FeedbackInvalid(
            f"SES {source_type} feedback has no {where!r} object.",
        )

    try:
        return model.model_validate(value)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join([where, *(str(part) for part in error["loc"])])
        raise FeedbackInvalid(
            f"SES {source_type} feedback field {field} is invalid: {error['msg']}."
        ) from exc


def _loose_message_id(document: dict[str, Any]) -> str | None:
    """The mail's message id of an unknown type, if it is where SES puts it."""
    mail = document.get("mail")
    if not isinstance(mail, dict):
        return None

    message_id = mail.get("messageId")
    return message_id if isinstance(message_id, str) else None


def _unique(records: list[FeedbackRecord]) -> tuple[FeedbackRecord, ...]:
    """Drops repeats of one address, so one event counts once per recipient."""
    seen: set[str] = set()
    unique: list[FeedbackRecord] = []
    for record in records:
        if record.email not in seen:
            seen.add(record.email)
            unique.append(record)
    return tuple(unique)


def _utc(moment: datetime) -> datetime:
    """The same instant in UTC, so records compare and print alike."""
    return moment.astimezone(UTC)
