"""Signing webhook requests the way Twilio does, with twilio's own RequestValidator."""
from __future__ import annotations

import secrets
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

# The account the test webhooks come from; an app that sets TWILIO_ACCOUNT_SID must set this one.
ACCOUNT_SID = "AC" + secrets.token_hex(16)


def new_sid() -> str:
    """A fresh MessageSid as Twilio makes them: SM and 32 lowercase hex digits."""
    return "SM" + secrets.token_hex(16)


def signature(token: str, url: str, params: dict) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


def inbound_params(sender: str, body: str, sid: str | None = None, **extra: str) -> dict:
    """The form Twilio posts for an incoming SMS."""
    sid = sid or new_sid()
    return {"MessageSid": sid, "SmsSid": sid, "SmsMessageSid": sid, "AccountSid": ACCOUNT_SID,
            "From": sender, "To": "+33700000000", "Body": body, "NumMedia": "0", "NumSegments": "1",
            "SmsStatus": "received", "ApiVersion": "2010-04-01", **extra}


def status_params(sid: str, status: str, *, account_sid: str = ACCOUNT_SID, **extra: str) -> dict:
    """The form Twilio posts in a status callback for our message `sid`."""
    return {"MessageSid": sid, "SmsSid": sid, "MessageStatus": status, "SmsStatus": status,
            "AccountSid": account_sid, "ApiVersion": "2010-04-01", **extra}


def signed_post(client, app, path: str, params: dict, *, token: str | None = None, url: str | None = None):
    """POST `params` to `path` through Flask's test client, signed for PUBLIC_BASE_URL + path."""
    url = url or app.config["PUBLIC_BASE_URL"].rstrip("/") + path
    headers = {"X-Twilio-Signature": signature(token or app.config["TWILIO_AUTH_TOKEN"], url, params)}
    return client.post(path, data=params, headers=headers)


def twiml_messages(xml: bytes | str) -> list[str]:
    """The texts of the <Message> elements of a TwiML answer (empty: no reply)."""
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return [message.text or "" for message in root.iter("Message")]
