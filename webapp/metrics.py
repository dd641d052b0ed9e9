"""The service's Prometheus metrics, the helpers that record them, and their text for a scrape.

One process (`make run`): prometheus_client's default registry. Several (gunicorn workers and
`python -m scheduler`): every process sets PROMETHEUS_MULTIPROC_DIR to the same directory before
prometheus_client is first imported (it picks the mode then), each writes its own files there, and a
scrape sums them (MultiProcessCollector). Every metric has a label, so none opens a file at import.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Twilio waits 15 s for a webhook's answer; our answer takes milliseconds unless the database waits.
WEBHOOK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0)
# A pass is well under a second when little is due; 10,000 reminders through Twilio take minutes.
PASS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)

INBOUND_SMS = Counter("cvc_inbound_sms", "Inbound SMS handed to the service (Twilio's retries included), "
                      "by the command read in them.", ["command"])
REPLIES = Counter("cvc_sms_replies", "Inbound SMS answered with a reply, by the reply's number of SMS segments "
                  "(each one billed).", ["segments"])
SILENCES = Counter("cvc_sms_silences", "Inbound SMS left without a reply, by reason.", ["reason"])
REMINDERS = Counter("cvc_reminders", "Reminders a dispatch pass handled, by outcome.", ["outcome"])
SENDS = Counter("cvc_sms_sends", "Messages an SMS backend accepted, by backend.", ["backend"])
SEND_ERRORS = Counter("cvc_sms_send_errors", "Messages an SMS backend refused or failed to take, by error code "
                      "(Twilio's, 'none' when there is none) and class (transient: tried again; permanent).",
                      ["backend", "code", "class"])
WEBHOOK_SECONDS = Histogram("cvc_webhook_request_duration_seconds", "Time to answer a Twilio webhook, by endpoint "
                            "and HTTP status.", ["endpoint", "status"], buckets=WEBHOOK_BUCKETS)
PASS_SECONDS = Histogram("cvc_dispatch_pass_duration_seconds", "Time a dispatch pass took, by result (ok, or "
                         "failed: an error stopped it).", ["result"], buckets=PASS_BUCKETS)


def inbound_sms(command: str) -> None:
    """Count an inbound SMS, by the command read in it."""
    INBOUND_SMS.labels(command=command).inc()


def replied(segments: int) -> None:
    """Count a reply to an inbound SMS, by its number of segments."""
    REPLIES.labels(segments=str(segments)).inc()


def silenced(reason: str) -> None:
    """Count an inbound SMS left without a reply, by reason."""
    SILENCES.labels(reason=reason).inc()


def sent(backend: str, error_code: int | None = None, transient: bool | None = None) -> None:
    """Count a send: accepted (`transient` None) or an error of this code and class."""
    if transient is None:
        SENDS.labels(backend=backend).inc()
    else:
        SEND_ERRORS.labels(backend=backend, code=str(error_code) if error_code else "none",
                           **{"class": "transient" if transient else "permanent"}).inc()


def pass_ended(seconds: float, outcomes: Mapping[str, int] | None) -> None:
    """Record a dispatch pass: its duration and how many reminders ended it with each outcome (None: it failed)."""
    PASS_SECONDS.labels(result="failed" if outcomes is None else "ok").observe(seconds)
    for outcome, count in (outcomes or {}).items():
        if count:
            REMINDERS.labels(outcome=outcome).inc(count)


def webhook_answered(endpoint: str, status: int, seconds: float) -> None:
    """Record how long a webhook took to answer."""
    WEBHOOK_SECONDS.labels(endpoint=endpoint, status=str(status)).observe(seconds)


def multiprocess_dir() -> str | None:
    """The directory the processes share their metrics through, or None (one process)."""
    return os.environ.get(MULTIPROC_ENV) or None


def exposition(extra: Iterable = ()) -> tuple[bytes, str]:
    """The text of a scrape and its content type: every process's metrics, then the `extra` collectors'."""
    directory = multiprocess_dir()
    if directory:
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=directory)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    computed = CollectorRegistry()  # values read at scrape time (the last pass's age), in this process
    for collector in extra:
        computed.register(collector)
    return text + generate_latest(computed), CONTENT_TYPE_LATEST
