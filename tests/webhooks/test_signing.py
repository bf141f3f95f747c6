import base64
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from hotgigs.webhooks.signing import secret_generate, sign, signature_header


def test_secret_is_whsec_and_32_random_bytes():
    secret = secret_generate()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert secret_generate() != secret


def test_signature_verifies_with_the_standard_webhooks_package():
    secret = secret_generate()
    body = json.dumps({"type": "application.stage_changed", "timestamp": "2026-01-01T00:00:00+00:00", "data": {}})
    now = int(timezone.now().timestamp())

    header = sign(secret=secret, msg_id="msg_1", timestamp=now, body=body)

    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": header}
    assert Webhook(secret).verify(body, headers)["type"] == "application.stage_changed"


@pytest.mark.parametrize(
    ("field", "value"),
    [("body", '{"type":"forged"}'), ("webhook-id", "msg_2"), ("secret", None)],
)
def test_a_changed_message_does_not_verify(field, value):
    secret = secret_generate()
    body = '{"type":"x"}'
    now = int(timezone.now().timestamp())
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now)}
    headers["webhook-signature"] = sign(secret=secret, msg_id="msg_1", timestamp=now, body=body)
    if field == "body":
        body = value
    elif field == "webhook-id":
        headers["webhook-id"] = value
    else:
        secret = secret_generate()

    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)


def test_a_stale_timestamp_is_rejected_even_with_a_valid_signature():
    secret = secret_generate()
    body = '{"type":"x"}'
    stale = int((timezone.now() - timedelta(minutes=10)).timestamp())
    headers = {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stale),
        "webhook-signature": sign(secret=secret, msg_id="msg_1", timestamp=stale, body=body),
    }

    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, headers)


def test_during_a_rotation_both_the_old_and_the_new_secret_verify():
    old, new = secret_generate(), secret_generate()
    body = "{}"
    now = int(timezone.now().timestamp())

    header = signature_header(secrets=[new, old], msg_id="msg_1", timestamp=now, body=body)

    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": header}
    assert len(header.split(" ")) == 2
    assert Webhook(old).verify(body, headers) == {}
    assert Webhook(new).verify(body, headers) == {}
