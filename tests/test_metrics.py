"""GET /metrics as Prometheus scrapes it: known traffic shows as exactly those increments; only the token or loopback.

Webhooks are signed as Twilio signs them, reminders go through the real `twilio` client to the fake Twilio
server, and a scrape is read before and after: what changed is compared with what the traffic should count.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from scheduler.service import dispatch_job
from sms.segments import measure
from tests.reminder_setup import DUE, plan_card_reminders
from tests.twilio_signing import inbound_params, new_sid, signature, signed_post, status_params, twiml_messages

ROOT = Path(__file__).resolve().parent.parent
# What a scrape's deltas are compared on: counters and the histograms' counts (sums and buckets follow them).
COMPARED = ("_total", "_count")


def series(name: str, **labels: str) -> tuple:
    return name, tuple(sorted(labels.items()))


def parse(text: str) -> dict[tuple, float]:
    return {series(sample.name, **sample.labels): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return parse(response.get_data(as_text=True))


def deltas(before: dict, after: dict) -> dict[tuple, float]:
    """What changed, on counters and histogram counts; replies summed over their `segments`."""
    changed: Counter = Counter()
    for key, value in after.items():
        name = key[0]
        if name.startswith("cvc_") and name.endswith(COMPARED) and value != before.get(key, 0):
            changed[series(name) if name == "cvc_sms_replies_total" else key] += value - before.get(key, 0)
    return dict(changed)


def total(scraped: dict, name: str) -> float:
    """A metric summed over all its labels."""
    return sum(value for (sample, _labels), value in scraped.items() if sample == name)


@pytest.fixture
def twilio_app(app, fake_twilio):
    """The app sending through the real twilio client to the fake server, and signing webhooks with its token."""
    app.config.update(fake_twilio.config(PUBLIC_BASE_URL="https://sms.example.org", TWILIO_TIMEOUT_SECONDS=5.0))
    return app


def text(client, app, account_sid: str, sender: str, body: str, *, sid: str | None = None,
         signed: bool = True) -> list[str]:
    params = inbound_params(sender, body, sid, AccountSid=account_sid)
    if not signed:
        response = client.post("/sms/inbound", data=params, headers={"X-Twilio-Signature": "forged"})
        assert response.status_code == 403
        return []
    response = signed_post(client, app, "/sms/inbound", params)
    assert response.status_code == 200, response.data
    return twiml_messages(response.data)


INBOUND_200 = series("cvc_webhook_request_duration_seconds_count", endpoint="/sms/inbound", status="200")
REPLIES = series("cvc_sms_replies_total")


def inbound(command: str) -> tuple:
    return series("cvc_inbound_sms_total", command=command)


def silence(reason: str) -> tuple:
    return series("cvc_sms_silences_total", reason=reason)


SID = new_sid()
WEBHOOKS = [
    ("a HELP answered", [("+33612345671", "HELP", SID)], {inbound("help"): 1, REPLIES: 1, INBOUND_200: 1}),
    ("Twilio's retry of the same SID: counted, and the same answer again",
     [("+33612345671", "HELP", SID), ("+33612345671", "HELP", SID)],
     {inbound("help"): 2, REPLIES: 2, INBOUND_200: 2}),
    ("thanks: no paid reply", [("+33612345672", "merci", None)],
     {inbound("thanks"): 1, silence("nothing_to_say"): 1, INBOUND_200: 1}),
    ("a number from a country not answered", [("+447400123456", "HELP", None)],
     {inbound("help"): 1, silence("country"): 1, INBOUND_200: 1}),
    ("a short code", [("36665", "STATUS", None)], {inbound("status"): 1, silence("not_a_person"): 1, INBOUND_200: 1}),
    ("STOP twice: confirmed once", [("+33612345673", "STOP", None), ("+33612345673", "STOP", None)],
     {inbound("stop"): 2, REPLIES: 1, silence("stop_confirmed"): 1, INBOUND_200: 2}),
    ("a forged signature: refused before anything is read", [("+33612345674", "HELP", "forged")],
     {series("cvc_webhook_request_duration_seconds_count", endpoint="/sms/inbound", status="403"): 1}),
]


@pytest.mark.parametrize(("texts", "expected"), [case[1:] for case in WEBHOOKS], ids=[case[0] for case in WEBHOOKS])
def test_inbound_sms_counted_by_command_reply_and_silence(twilio_app, client, fake_twilio, texts, expected):
    before = scrape(client)
    for sender, body, sid in texts:
        forged = sid == "forged"
        text(client, twilio_app, fake_twilio.account_sid, sender, body, sid=None if forged else sid, signed=not forged)
    assert deltas(before, scrape(client)) == expected


def test_a_reply_is_counted_by_its_segments(twilio_app, client, fake_twilio):
    before = scrape(client)
    (reply,) = text(client, twilio_app, fake_twilio.account_sid, "+33612345675", "AIDE")
    after = scrape(client)
    label = series("cvc_sms_replies_total", segments=str(measure(reply).segments))
    assert after[label] - before.get(label, 0) == 1


def test_a_dispatch_pass_counts_reminders_by_outcome_and_send_errors_by_code_and_class(
        twilio_app, client, db, fake_twilio):
    phones = list(plan_card_reminders(db, [f"+3361000{n:04d}" for n in range(5)]))
    fake_twilio.fail_for(phones[3], 21211)  # not a valid number: permanent
    fake_twilio.fail_for(phones[4], 503)  # Twilio unavailable: tried again later
    before = scrape(client)
    dispatch_job(twilio_app, DUE)
    delivered = fake_twilio.messages[0]["sid"]
    params = status_params(delivered, "delivered", account_sid=fake_twilio.account_sid)
    assert signed_post(client, twilio_app, "/sms/status", params).status_code == 204
    assert deltas(before, scrape(client)) == {
        series("cvc_reminders_total", outcome="sent"): 3,
        series("cvc_reminders_total", outcome="failed"): 1,
        series("cvc_reminders_total", outcome="retry"): 1,
        series("cvc_sms_sends_total", backend="twilio"): 3,
        series("cvc_sms_send_errors_total", backend="twilio", code="21211", **{"class": "permanent"}): 1,
        series("cvc_sms_send_errors_total", backend="twilio", code="20503", **{"class": "transient"}): 1,
        series("cvc_dispatch_pass_duration_seconds_count", result="ok"): 1,
        series("cvc_webhook_request_duration_seconds_count", endpoint="/sms/status", status="204"): 1,
    }
    assert scrape(client)[series("cvc_scheduler_last_pass_age_seconds")] >= 0


def test_a_failed_pass_is_counted_as_failed(app, client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("the pass broke")

    monkeypatch.setattr("scheduler.service.run_pass", broken)
    before = scrape(client)
    dispatch_job(app)
    assert deltas(before, scrape(client)) == {series("cvc_dispatch_pass_duration_seconds_count", result="failed"): 1}


# -- who may read them ----------------------------------------------------------------------------------

TOKEN = "scrape-token-8a1f"
ACCESS = [
    # (METRICS_TOKEN, client address, request headers, status)
    (TOKEN, "203.0.113.9", {}, 401),
    (TOKEN, "203.0.113.9", {"Authorization": "Bearer wrong-token"}, 401),
    (TOKEN, "203.0.113.9", {"Authorization": TOKEN}, 401),  # not a bearer header
    (TOKEN, "203.0.113.9", {"Authorization": f"Bearer {TOKEN}"}, 200),
    (TOKEN, "127.0.0.1", {}, 200),
    (TOKEN, "::1", {}, 200),
    (TOKEN, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9"}, 401),  # a proxy on this machine: not loopback
    (TOKEN, "127.0.0.1", {"X-Forwarded-For": "203.0.113.9", "Authorization": f"Bearer {TOKEN}"}, 200),
    (None, "203.0.113.9", {}, 403),
    (None, "203.0.113.9", {"Authorization": "Bearer anything"}, 403),
    (None, "127.0.0.1", {}, 200),
    (None, "127.0.0.1", {"Forwarded": "for=203.0.113.9"}, 403),
    (None, "127.0.0.1", {"X-Real-IP": "203.0.113.9"}, 403),
    (None, "10.1.2.3", {}, 403),
]


@pytest.mark.parametrize(("token", "address", "headers", "status"), ACCESS)
def test_only_the_token_or_loopback_reads_the_metrics(app, client, token, address, headers, status):
    app.config["METRICS_TOKEN"] = token
    response = client.get("/metrics", headers=headers, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == status
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    if status == 200:
        assert "# TYPE cvc_inbound_sms_total counter" in response.get_data(as_text=True)
    else:
        assert "cvc_" not in response.get_data(as_text=True)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_over_real_http_from_loopback(live_server):
    response = requests.get(live_server.url + "/metrics", timeout=10)
    assert response.status_code == 200 and "cvc_webhook_request_duration_seconds" in response.text


# -- gunicorn: two workers and the scheduler process, summed ----------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def per_process(directory: Path, tmp_path: Path) -> dict[int, dict]:
    """Each process's own counts, read from its own file alone."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        alone = tmp_path / f"alone-{path.stem}"
        alone.mkdir(parents=True)
        shutil.copy(path, alone / path.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))
        counts[int(path.stem.rpartition("_")[2])] = {
            series(sample.name, **sample.labels): sample.value
            for family in registry.collect() for sample in family.samples}
    return counts


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read()
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("gunicorn did not start")


@pytest.mark.slow
def test_gunicorn_workers_and_the_scheduler_process_are_summed(app, tmp_path):
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999999.db").write_bytes(b"\0" * 16)  # a dead process's file: cleaned at start
    port, token = free_port(), "gunicorn-token"
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir), DATABASE=app.config["DATABASE"],
               SECRET_KEY="test-secret", SMS_BACKEND="outbox", TWILIO_AUTH_TOKEN=token, PUBLIC_BASE_URL=base,
               SCHEDULER_PASS_SECONDS="1")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "-w", "2",
                               "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    scheduler = None
    try:
        wait_for_port(port, server)
        assert not (metrics_dir / "counter_999999999.db").exists()
        scheduler = subprocess.Popen([sys.executable, "-m", "scheduler"], cwd=ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

        def post(n: int) -> None:
            params = inbound_params(f"+336{n:08d}", "HELP")
            url = f"{base}/sms/inbound"
            response = requests.post(url, data=params, headers={"X-Twilio-Signature": signature(token, url, params)},
                                     timeout=30)
            assert response.status_code == 200, response.text

        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Until both workers answered some (which one takes a connection is the kernel's choice).
            while sent < 400:
                list(pool.map(post, range(sent, sent + 20)))
                sent += 20
                workers = {pid for pid, counts in per_process(metrics_dir, tmp_path / f"read-{sent}").items()
                           if counts.get(series("cvc_inbound_sms_total", command="help"))}
                if len(workers) >= 2:
                    break
        assert len(workers) == 2, workers

        deadline = time.monotonic() + 60
        while True:  # the scheduler's first pass, counted in its own process's files
            scraped = parse(requests.get(f"{base}/metrics", timeout=10).text)
            if scraped.get(series("cvc_dispatch_pass_duration_seconds_count", result="ok"), 0) >= 1:
                break
            assert time.monotonic() < deadline, "no pass of the scheduler in the scrape"
            time.sleep(0.2)
        assert scraped[series("cvc_inbound_sms_total", command="help")] == sent
        assert total(scraped, "cvc_sms_replies_total") == sent
        assert scraped[series("cvc_webhook_request_duration_seconds_count", endpoint="/sms/inbound",
                              status="200")] == sent
    finally:
        for process in (scheduler, server):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.communicate(timeout=60)
