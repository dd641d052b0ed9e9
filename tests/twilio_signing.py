"""Signing webhook requests the way Twilio does, with twilio's own RequestValidator."""
from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

_sids = itertools.count(1)


def new_sid() -> str:
    """A fresh, well-formed MessageSid."""
    return f"SM{next(_sids):032x}"


def signature(token: str, url: str, params: dict) -> str:
    """The X-Twilio-Signature Twilio would send for this URL and form."""
    return RequestValidator(token).compute_signature(url, params)


def inbound_params(sender: str, body: str, sid: str | None = None, **extra: str) -> dict:
    """The form Twilio posts for an incoming SMS."""
    sid = sid or new_sid()
    return {"MessageSid": sid, "SmsSid": sid, "AccountSid": "AC" + "0" * 32,
            "From": sender, "To": "+33700000000", "Body": body, "NumMedia": "0", **extra}


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
