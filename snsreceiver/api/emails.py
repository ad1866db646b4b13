"""The email address type of the operator API and the command line.

Addresses arrive in paths, bodies and CSV files; each is checked for a plausible
shape and put into the one normalised form the store uses (see
:func:`snsreceiver.ses.records.normalise_email`), so ``Jane@Example.COM`` and
``jane@example.com`` name the same address everywhere.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator

from snsreceiver.ses.records import normalise_email

MAX_EMAIL_LENGTH = 320
WHITESPACE = re.compile(r"\s")


def parse_email(value: str) -> str:
    """Normalises ``value``, or raises ValueError saying why it is no address.

    The check is deliberately loose (something before the last ``@``, a dotted
    domain after it, no spaces), the same the store applies to writes: SES
    accepts addresses a strict RFC 5322 parser would refuse, and an operator must
    be able to look up any address SES reported.
    """
    email = normalise_email(value)

    if not email:
        raise ValueError("an email address is required")
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"an email address has at most {MAX_EMAIL_LENGTH} characters")
    local, at, domain = email.rpartition("@")
    if not at or not local or "." not in domain or WHITESPACE.search(email):
        raise ValueError(
            f"{value!r} is not an email address (expected local@domain.tld)"
        )
    return email


EmailAddress = Annotated[str, AfterValidator(parse_email)]
EmailPath = Annotated[
    EmailAddress,
    Path(description="The address; case and surrounding <> do not matter."),
]
