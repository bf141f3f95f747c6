"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A secret is ``whsec_`` followed by the base64 of random bytes. The signature of a message
is ``v1,<base64 of HMAC-SHA256(key = the decoded secret, "{id}.{timestamp}.{body}")>``;
with several secrets (during a rotation) the header carries one signature per secret,
separated by spaces, and a receiver accepts the message if any of them verifies.
"""

import base64
import hashlib
import hmac
import secrets as _secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret
SECRET_BYTES = 32


def secret_generate() -> str:
    """A fresh signing secret, ``whsec_<base64 of 32 random bytes>``."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(*, secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """The ``v1,<base64>`` signature of one message under one secret."""
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(*, secrets: list[str], msg_id: str, timestamp: int, body: str) -> str:
    """The ``webhook-signature`` header value: the signature under each secret, space-separated."""
    return " ".join(sign(secret=secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets)
