"""Signed, short-lived download links of resume files.

A link carries the resume id and the id of the user it was issued to, signed with the
project's secret key (``TimestampSigner``, salted for this purpose only) and valid for
``RESUME_LINK_SECONDS``. Following a link re-applies the access rules for that user, so
a link dies early when its user loses access to the candidate. The link itself is the
credential (a browser follows it without a bearer token), hence the short lifetime.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from candidates.errors import ResumeLinkExpired, ResumeLinkInvalid

SALT = "hotgigs.candidates.resume-link"


@dataclass(frozen=True)
class LinkClaims:
    """What a valid link names: the resume and the user it was issued to."""

    resume_id: int
    user_id: int


def link_sign(*, resume_id: int, user_id: int) -> str:
    """A token for ``resume_id`` issued to ``user_id``, valid for RESUME_LINK_SECONDS."""
    return signing.TimestampSigner(salt=SALT).sign_object({"r": resume_id, "u": user_id}, compress=False)


def link_verify(token: str) -> LinkClaims:
    """The claims of a link token; raises ResumeLinkExpired or ResumeLinkInvalid."""
    try:
        payload = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=settings.RESUME_LINK_SECONDS)
    except signing.SignatureExpired:
        raise ResumeLinkExpired(details={"link": "expired"}) from None
    except (signing.BadSignature, ValueError, TypeError):
        raise ResumeLinkInvalid(details={"link": "invalid"}) from None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int) or not isinstance(payload.get("u"), int):
        raise ResumeLinkInvalid(details={"link": "invalid"})
    return LinkClaims(resume_id=payload["r"], user_id=payload["u"])
