"""A fake Twilio REST server on loopback: checks auth and parameters, records messages, fails on demand.

It answers `POST /2010-04-01/Accounts/{sid}/Messages.json` like Twilio (201, sid `SM…`, status
`queued`), and can POST correctly signed status callbacks back to the URL a message was created with.

    fake = FakeTwilio(account_sid, auth_token, latency=0.15).start()  # each answer takes 150 ms
    fake.fail_next(429, "timeout", 21610)      # the next three requests fail, in that order
    fake.fail_after(20, 429, 429)              # the 21st and 22nd requests from now answer 429
    fake.fail_for("+33612345678", 21211)       # every request to that number fails
    fake.send_status_callback(sid, "delivered")
    fake.stop()

Tests get the `fake_twilio` fixture below from tests/conftest.py (`pytest_plugins`); an app is pointed at
it with `dict(app_config, **fake_twilio.config())`.

Outcomes: an HTTP status (500, 503, 429…), a Twilio error code (21610, 21211, 21614, 20429…) answered
with Twilio's JSON error body, or "timeout" (the server holds the request for `hang_seconds`, then
drops the connection without answering: a client with a shorter timeout sees a read timeout, any
other client a dropped connection; both are what a real network failure looks like).

It serves each request in its own thread (as Twilio serves calls in parallel) and keeps what a test of
concurrent senders reads: `max_in_flight` (the most requests it was answering at once) and `history`
(every request in arrival order: its 'To', how many were in flight when it arrived, counting itself,
the status answered, and when).
"""
from __future__ import annotations

import base64
import json
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import requests

from tests.twilio_signing import signature, status_params

TIMEOUT = "timeout"
MESSAGING_SERVICE_SID = "MG" + "0" * 32
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-fA-F]{32})/Messages\.json$")

# Twilio error codes the fake knows: (HTTP status, message), as Twilio's API answers them; {to} is the
# 'To' number as sent (Twilio quotes it in 21211).
TWILIO_ERRORS: dict[int, tuple[int, str]] = {
    20003: (401, "Authenticate"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
    20503: (503, "Service Unavailable"),
    21211: (400, "The 'To' number {to} is not a valid phone number."),
    21602: (400, "Message body is required."),
    21603: (400, "A 'From' or 'MessagingServiceSid' parameter is required to send a message."),
    21604: (400, "A 'To' phone number is required."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    21614: (400, "'To' number is not a valid mobile number"),
}
# A bare HTTP status as an outcome is answered with the matching Twilio code.
STATUS_CODES = {429: 20429, 500: 20500, 503: 20503, 401: 20003}


def new_account_sid() -> str:
    """A well-formed, random account SID."""
    return "AC" + secrets.token_hex(16)


class FakeTwilio:
    """Twilio's Messages API on 127.0.0.1, port chosen by the OS."""

    def __init__(self, account_sid: str | None = None, auth_token: str = "fake-auth-token",
                 hang_seconds: float = 2.0, latency: float = 0.0) -> None:
        self.account_sid = account_sid or new_account_sid()
        self.auth_token = auth_token
        self.hang_seconds = hang_seconds
        self.latency = latency  # seconds each request waits before it is answered (Twilio's own time)
        self._lock = threading.Lock()
        self._messages: list[dict] = []
        self._outcomes: deque = deque()
        self._per_destination: dict[str, object] = {}
        self._stopping = threading.Event()
        self.requests = 0  # every POST to Messages.json, failed or not
        self.in_flight = self.max_in_flight = 0
        self._history: list[dict] = []
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeTwilio:
        """Serve in a background thread."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (hanging requests are let go)."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests read and arrange -------------------------------------------------------------
    def config(self, *, messaging_service: bool = True, **extra) -> dict:
        """App settings that send through the real twilio client to this fake (with a messaging
        service unless `messaging_service` is False), plus `extra`."""
        settings = {"SMS_BACKEND": "twilio", "TWILIO_ACCOUNT_SID": self.account_sid,
                    "TWILIO_AUTH_TOKEN": self.auth_token, "TWILIO_API_BASE": self.url}
        if messaging_service:
            settings["TWILIO_MESSAGING_SERVICE_SID"] = MESSAGING_SERVICE_SID
        return dict(settings, **extra)

    @property
    def messages(self) -> list[dict]:
        """The messages accepted so far: the parameters received, plus `sid` and `status`."""
        with self._lock:
            return [dict(message) for message in self._messages]

    def fail_next(self, *outcomes: int | str) -> None:
        """The next requests fail with these outcomes, one per request, in order."""
        with self._lock:
            self._outcomes.extend(_checked(outcome) for outcome in outcomes)

    def fail_after(self, count: int, *outcomes: int | str) -> None:
        """After `count` more requests answered as usual, the next ones fail with these outcomes."""
        with self._lock:
            self._outcomes.extend([None] * count + [_checked(outcome) for outcome in outcomes])

    @property
    def history(self) -> list[dict]:
        """Every request so far, in arrival order: {"To", "in_flight" (at its arrival, itself included),
        "status" (answered; None while unanswered or for a timeout), "at" and "answered_at" (monotonic)}."""
        with self._lock:
            return [dict(entry) for entry in self._history]

    def fail_for(self, to: str, outcome: int | str | None) -> None:
        """Every request to `to` fails with `outcome` (None clears it)."""
        with self._lock:
            if outcome is None:
                self._per_destination.pop(to, None)
            else:
                self._per_destination[to] = _checked(outcome)

    def message(self, sid: str) -> dict:
        """The accepted message with this SID."""
        for message in self.messages:
            if message["sid"] == sid:
                return message
        raise KeyError(sid)

    def send_status_callback(self, sid: str, status: str, error_code: int | str | None = None,
                             url: str | None = None) -> requests.Response:
        """POST a signed status callback for message `sid`, as Twilio does, and return the answer."""
        message = self.message(sid)
        url = url or message.get("StatusCallback")
        if not url:
            raise ValueError(f"message {sid} was created without a StatusCallback")
        params = status_params(sid, status, account_sid=self.account_sid, To=message["To"],
                               From=message.get("From") or "+33700000000")
        if message.get("MessagingServiceSid"):
            params["MessagingServiceSid"] = message["MessagingServiceSid"]
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        with self._lock:
            for stored in self._messages:
                if stored["sid"] == sid:
                    stored["status"] = status
        headers = {"X-Twilio-Signature": signature(self.auth_token, url, params)}
        return requests.post(url, data=params, headers=headers, timeout=10)

    # -- serving ---------------------------------------------------------------------------------
    def _next_outcome(self, to: str | None) -> object | None:
        with self._lock:
            self.requests += 1
            outcome = self._outcomes.popleft() if self._outcomes else None
            return self._per_destination.get(to or "") if outcome is None else outcome

    def _arrive(self, to: str | None) -> dict:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            entry = {"To": to, "in_flight": self.in_flight, "status": None, "at": time.monotonic(),
                     "answered_at": None}
            self._history.append(entry)
            return entry

    def _leave(self, entry: dict, status: int | None) -> None:
        # Before the answer is written: once the client has it, it may send its next request, which
        # must not find this one still counted.
        with self._lock:
            self.in_flight -= 1
            entry.update(status=status, answered_at=time.monotonic())

    def _accept(self, params: dict[str, str]) -> dict:
        now = datetime.now(UTC)
        message = dict(params, sid="SM" + secrets.token_hex(16), status="queued")
        with self._lock:
            self._messages.append(message)
        return {
            "sid": message["sid"], "account_sid": self.account_sid, "to": params["To"],
            "from": params.get("From"), "messaging_service_sid": params.get("MessagingServiceSid"),
            "body": params["Body"], "status": "queued", "num_segments": "1", "num_media": "0",
            "direction": "outbound-api", "api_version": "2010-04-01", "price": None,
            "price_unit": "EUR", "error_code": None, "error_message": None,
            "date_created": format_datetime(now), "date_updated": format_datetime(now),
            "date_sent": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message['sid']}.json",
            "subresource_uris": {},
        }

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            # The answer's headers and body leave in two writes: with Nagle's algorithm the body
            # would wait for the client's delayed ACK (up to 40 ms on Linux), a stall Twilio has not.
            disable_nagle_algorithm = True
            protocol_version = "HTTP/1.1"  # keep-alive, as Twilio's API: a client reuses its connections

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                match = MESSAGES_PATH.match(self.path.split("?")[0])
                if not match:
                    return self._error(404, 20404, "The requested resource was not found")
                if not self._authorised(match["sid"]):
                    return self._error(401, 20003, "Authenticate")
                length = int(self.headers.get("Content-Length") or 0)
                form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
                params = {key: values[-1] for key, values in form.items()}
                self._entry = fake._arrive(params.get("To"))
                outcome = fake._next_outcome(params.get("To"))
                if outcome == TIMEOUT:
                    fake._stopping.wait(fake.hang_seconds)
                    fake._leave(self._entry, None)
                    self._entry = None
                    self.close_connection = True
                    return  # no answer at all: the client sees a timeout or a dropped connection
                if fake.latency:
                    fake._stopping.wait(fake.latency)
                to = params.get("To", "")
                if outcome is not None:
                    return self._twilio_error(int(outcome), to)
                for name, code in (("To", 21604), ("Body", 21602)):
                    if not params.get(name):
                        return self._twilio_error(code, to)
                if not (params.get("From") or params.get("MessagingServiceSid")):
                    return self._twilio_error(21603, to)
                self._json(201, fake._accept(params))

            def _authorised(self, path_sid: str) -> bool:
                expected = base64.b64encode(f"{fake.account_sid}:{fake.auth_token}".encode()).decode()
                return path_sid == fake.account_sid and self.headers.get("Authorization") == f"Basic {expected}"

            def _twilio_error(self, outcome: int, to: str) -> None:
                code = STATUS_CODES.get(outcome, outcome)
                status, message = TWILIO_ERRORS.get(code, (outcome if outcome < 600 else 400, "Error"))
                self._error(status, code, message.format(to=to))

            def _error(self, status: int, code: int, message: str) -> None:
                self._json(status, {"code": code, "message": message, "status": status,
                                    "more_info": f"https://www.twilio.com/docs/errors/{code}"})

            def _json(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                entry, self._entry = getattr(self, "_entry", None), None
                if entry is not None:
                    fake._leave(entry, status)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # many senders connecting at once are queued, not refused


def _checked(outcome: int | str) -> int | str:
    if outcome == TIMEOUT or (isinstance(outcome, int) and (400 <= outcome < 600 or outcome >= 10000)):
        return outcome
    raise ValueError(f"unknown outcome {outcome!r}: an HTTP status, a Twilio error code or 'timeout'")


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    """A started FakeTwilio; point TWILIO_API_BASE at `.url`, use `.account_sid` and `.auth_token`."""
    fake = FakeTwilio(new_account_sid(), "fake-auth-token-" + secrets.token_hex(4)).start()
    yield fake
    fake.stop()
