"""The Twilio backend: the real `twilio` client, its errors classified as transient or permanent."""
from __future__ import annotations

import re
import threading
from collections.abc import Mapping

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from sms.delivery import Delivery, SendError

TWILIO_HOST = re.compile(r"^https://[A-Za-z0-9.-]*\.twilio\.com(?=/|$)")
# Twilio codes that mean "try again later" although the HTTP status is a 4xx.
TRANSIENT_CODES = frozenset({20429})

# One client per thread: TwilioHttpClient keeps each answer on the instance (`_test_only_last_response`)
# and returns it from there, so two threads sharing one can each get the other's answer (a wrong SID,
# or a success read as a failure and sent again). A pass sends from several threads at once.
_threads = threading.local()


class RebasedHttpClient(TwilioHttpClient):
    """Sends what the client addresses to `https://*.twilio.com` to another base URL (a fake, a proxy)."""

    def __init__(self, api_base: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.api_base = api_base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        """Rewrite the Twilio host, then make the request as usual."""
        return super().request(method, TWILIO_HOST.sub(self.api_base, url), *args, **kwargs)


def client_for(config: Mapping) -> Client:
    """The Twilio client for these settings, built once per thread and reused (connection pool)."""
    key = (config["TWILIO_ACCOUNT_SID"], config["TWILIO_AUTH_TOKEN"], config.get("TWILIO_API_BASE"),
           config.get("TWILIO_TIMEOUT_SECONDS"))
    clients = _threads.__dict__.setdefault("clients", {})
    client = clients.get(key)
    if client is None:
        timeout = config.get("TWILIO_TIMEOUT_SECONDS") or None
        http_client = (RebasedHttpClient(key[2], timeout=timeout) if key[2]
                       else TwilioHttpClient(timeout=timeout))
        client = clients[key] = Client(key[0], key[1], http_client=http_client)
    return client


def sender(config: Mapping) -> dict[str, str]:
    """Who sends: the Messaging Service when there is one, else the From number."""
    if config.get("TWILIO_MESSAGING_SERVICE_SID"):
        return {"messaging_service_sid": config["TWILIO_MESSAGING_SERVICE_SID"]}
    if config.get("TWILIO_FROM"):
        return {"from_": config["TWILIO_FROM"]}
    raise SendError("neither TWILIO_MESSAGING_SERVICE_SID nor TWILIO_FROM is set", transient=False)


def classify(error: TwilioRestException) -> SendError:
    """5xx, 429 and 20429 may pass if tried again; other answers (21211, 21610, 21614…) will not."""
    transient = error.status >= 500 or error.status == 429 or error.code in TRANSIENT_CODES
    return SendError(f"Twilio answered {error.status}: {error.msg}", code=error.code or error.status,
                     transient=transient)


def deliver(config: Mapping, to: str, body: str) -> Delivery:
    """Create the message at Twilio, with status callbacks to `PUBLIC_BASE_URL/sms/status`."""
    if not (config.get("TWILIO_ACCOUNT_SID") and config.get("TWILIO_AUTH_TOKEN")):
        raise SendError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set", transient=False)
    callback = config["PUBLIC_BASE_URL"].rstrip("/") + "/sms/status"
    try:
        message = client_for(config).messages.create(
            to=to, body=body, status_callback=callback, **sender(config))
    except TwilioRestException as error:
        raise classify(error) from error
    except requests.Timeout as error:
        raise SendError(f"Twilio timed out: {type(error).__name__}", transient=True) from error
    except requests.ConnectionError as error:  # refused, reset, dropped: the network, not the message
        raise SendError(f"could not reach Twilio: {type(error).__name__}", transient=True) from error
    except TwilioException as error:
        raise SendError(f"Twilio client error: {error}", transient=False) from error
    return Delivery(sid=message.sid, status=message.status or "queued")
