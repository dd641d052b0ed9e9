"""Logs an operator reads: one line per event, text or JSON lines (LOG_FORMAT), no phone number in clear, from
the formatters to the real processes (`python -m scheduler`, gunicorn behind a signed Twilio webhook)."""
from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from sms.phones import mask
from tests.conftest import DEFAULT_DELAYS
from tests.test_reminder_service import SCHEDULER_LOGGING_EVERY_PASS, wait_for
from tests.test_security import free_port, serve
from tests.twilio_signing import ACCOUNT_SID, inbound_params, new_sid, signature, twiml_messages
from webapp import journey, logs
from webapp.store import utcnow

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+33612345678"
MASKED = mask(PHONE)
# How a number may be written where it reaches a log line: E.164, national, grouped, as Twilio's errors quote it.
SPELLINGS = [PHONE, "0612345678", "06 12 34 56 78", "06.12.34.56.78", "+33 6 12 34 56 78", "33612345678",
             "(+33)612345678", "tel:+33612345678"]
TEXT_LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (DEBUG|INFO|WARNING|ERROR|CRITICAL) ([\w.]+): ")
JSON_FIELDS = {"time", "level", "logger", "message"}


def in_clear(line: str) -> bool:
    """Whether PHONE's subscriber digits are in `line`, whatever the separators between them."""
    return "612345678" in re.sub(r"\D", "", line)


def record(message: str, *args, name: str = "sms.gateway", level: int = logging.INFO, exc_info=None):
    return logging.getLogger(name).makeRecord(name, level, __file__, 1, message, args, exc_info)


def parsed_time(stamp: str) -> datetime:
    assert stamp.endswith("Z")
    return datetime.fromisoformat(stamp)


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_json_line_has_the_fields_and_the_number_masked(spelling):
    before = datetime.now(UTC)
    line = logs.JsonFormatter().format(record("send to %s failed (code %s): %s", spelling, 21211,
                                              f"The 'To' number {spelling} is not a valid phone number."))
    entry = json.loads(line)
    assert set(entry) == JSON_FIELDS and "\n" not in line
    assert (entry["level"], entry["logger"]) == ("INFO", "sms.gateway")
    assert before - timedelta(seconds=1) <= parsed_time(entry["time"]) <= datetime.now(UTC)
    assert entry["message"].startswith("send to ") and "(code 21211)" in entry["message"]
    assert not in_clear(line), line


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_text_line_is_time_level_logger_message_with_the_number_masked(spelling):
    line = logs.TextFormatter().format(record("inbound %s from %s: %s", "SM" + "0" * 32, spelling, "HELP",
                                              name="sms.inbound"))
    found = TEXT_LINE.match(line)
    assert found and found.group(2, 3) == ("INFO", "sms.inbound"), line
    assert parsed_time(found[1]) <= datetime.now(UTC)
    assert line.endswith(": HELP") and "\n" not in line and not in_clear(line), line


def failure() -> tuple:
    try:
        raise ValueError(f"Twilio said: the 'To' number {PHONE} is not a valid phone number")
    except ValueError:
        return sys.exc_info()


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_an_exception_and_its_traceback_are_masked(log_format):
    line = logs.FORMATTERS[log_format]().format(record("reminder %s: unexpected error", 7, level=logging.ERROR,
                                                       name="scheduler.dispatch", exc_info=failure()))
    text = json.loads(line)["exception"] if log_format == "json" else line
    assert "Traceback (most recent call last)" in text and f"ValueError: Twilio said: the 'To' number {MASKED}" in text
    assert not in_clear(line), line


# What only looks like a number is kept as it is: an operator greps for it.
@pytest.mark.parametrize("kept", [
    "pass at 2026-12-01T10:00:00Z: expired 0, sent 3, failed 0",
    "retry again at 2026-12-01 10:05:00.123456",
    "inbound SM0123456789abcdef0123456789abcdef from -: HELP",  # a MessageSid with a long run of digits
    "AC12345678901234567890123456789012 is not our account",
    "192.168.100.200 - - [01/Dec/2026:10:00:00 +0000] \"POST /sms/inbound HTTP/1.1\" 200 123",
    "object at 0x7f12345678ab",
    "sent message 1234567 to +33*******78 via outbox",
])
def test_dates_addresses_and_identifiers_are_not_taken_for_numbers(kept):
    assert json.loads(logs.JsonFormatter().format(record("%s", kept)))["message"] == kept
    assert logs.TextFormatter().format(record("%s", kept)).endswith(f": {kept}")


@pytest.mark.parametrize(("environ", "dotenv", "expected"), [
    ({}, "", "text"),
    ({"LOG_FORMAT": "json"}, "", "json"),
    ({}, "LOG_FORMAT=json\n", "json"),
    ({"LOG_FORMAT": "text"}, "LOG_FORMAT=json\n", "text"),  # the environment wins, as for every setting
    ({"LOG_FORMAT": "JSON"}, "", "text"),  # refused by the app at start, in a text line
])
def test_the_format_is_read_like_every_setting(tmp_path, environ, dotenv, expected):
    (tmp_path / ".env").write_text(dotenv)
    assert logs.configured_format(environ, tmp_path / ".env") == expected


# A process that sets up logging as `make run` and `python -m scheduler` do, then logs from loggers of all kinds.
ANY_LOGGER = """
import logging
from webapp import logs
logs.setup()
logging.getLogger("some.library").info("retrying %s", "+33 6 12 34 56 78")
logging.getLogger("some.library").info("unformatted 0612345678")
logging.getLogger("werkzeug").info('%s - - "%s" %s', "127.0.0.1", "GET /dev/phone?phone=%2B33612345678 HTTP/1.1", 200)
logging.getLogger("werkzeug").info("\\x1b[33mPress CTRL+C to quit\\x1b[0m")
logging.getLogger("apscheduler.executors.default").info("Running job %s", "dispatch_job")
logging.getLogger("apscheduler.scheduler").warning("Run time of job %s was missed", "dispatch_job")
logging.getLogger("webapp.sync").debug("below INFO: %s", "not shown")
"""


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_every_logger_writes_one_masked_line_per_event_and_apscheduler_only_warnings(log_format):
    done = subprocess.run([sys.executable, "-c", ANY_LOGGER], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, LOG_FORMAT=log_format))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    entries = [json.loads(line) for line in lines] if log_format == "json" else [
        {"level": found[2], "logger": found[3], "message": line[found.end():]}
        for line in lines if (found := TEXT_LINE.match(line))]
    assert len(entries) == len(lines) == 5, done.stderr
    assert [(entry["logger"], entry["level"]) for entry in entries] == [
        ("some.library", "INFO"), ("some.library", "INFO"), ("werkzeug", "INFO"), ("werkzeug", "INFO"),
        ("apscheduler.scheduler", "WARNING")]
    assert entries[0]["message"] == f"retrying {MASKED}" and f'"GET /dev/phone?phone={MASKED}' in entries[2]["message"]
    assert entries[3]["message"] == "Press CTRL+C to quit"  # Werkzeug's colours dropped
    assert not any(in_clear(line) for line in lines), lines


def plan_due_now(db, phone: str) -> None:
    """`phone`'s card reminder is due now (applied by post 25 days ago)."""
    clock = journey.Clock(utcnow(), DEFAULT_DELAYS)
    person = journey.person_for(db, phone, "fr", clock)
    journey.record_application(db, person["id"], "post", clock.today - timedelta(days=25), clock)


PASS_ENDED = re.compile(r"^pass at \S+: ")


@pytest.mark.slow
def test_the_scheduler_process_writes_json_lines_and_no_line_per_apscheduler_job(app_config, db, tmp_path):
    plan_due_now(db, PHONE)
    db.conn.commit()
    log = tmp_path / "scheduler.log"
    env = dict(os.environ, DATABASE=app_config["DATABASE"], SECRET_KEY="test", SMS_BACKEND="outbox",
               QUIET_HOURS="00:00-00:00", TWILIO_ACCOUNT_SID="", ENVIRONMENT="production", LOG_FORMAT="json",
               SCHEDULER_PASS_SECONDS="1")

    def passes() -> list[dict]:
        entries = [json.loads(line) for line in log.read_text().splitlines()]
        return [entry for entry in entries if PASS_ENDED.match(entry["message"])]

    with log.open("w") as sink:  # the scheduler's `pass at` lines at every pass (DEBUG when idle): two to wait for
        proc = subprocess.Popen([sys.executable, "-c", SCHEDULER_LOGGING_EVERY_PASS], cwd=ROOT, env=env,
                                stdout=sink, stderr=subprocess.STDOUT)
    try:
        # SCHEDULER_PASS_SECONDS=1, once scheduler/service.py reads it; a minute apart otherwise.
        assert wait_for(lambda: len(passes()) >= 2, 90), log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    lines = log.read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert proc.returncode == 0 and all(JSON_FIELDS <= set(entry) for entry in entries), lines
    messages = [entry["message"] for entry in entries]
    assert not [m for m in messages if "Running job" in m or "executed successfully" in m], messages
    assert any(m.startswith("reminder scheduler started") for m in messages), messages
    sent = [m for m in messages if re.fullmatch(rf"sent message \d+ to {re.escape(MASKED)} via outbox", m)]
    assert len(sent) == 1, messages  # the reminder: one line, the number masked
    assert [e["level"] for e in passes() if "sent 1" in e["message"]] == ["INFO"], messages  # the busy pass
    assert not any(in_clear(line) for line in lines), lines


GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--workers", "1",
            "--access-logfile", "-"]


def texted(base: str, token: str, body: str) -> tuple[str, list[str]]:
    """POST a signed inbound SMS from PHONE as Twilio would; its MessageSid and the replies."""
    sid = new_sid()
    params = inbound_params(PHONE, body, sid)
    url = f"{base}/sms/inbound"
    answer = requests.post(url, data=params, headers={"X-Twilio-Signature": signature(token, url, params)},
                           timeout=10)
    assert answer.status_code == 200, answer.text
    return sid, twiml_messages(answer.content)


@pytest.mark.slow
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_gunicorn_writes_the_app_and_its_own_lines_in_the_format_with_the_number_masked(app, log_format):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    token = "test-auth-token"
    env = dict(os.environ, DATABASE=app.config["DATABASE"], SECRET_KEY="test", SMS_BACKEND="outbox",
               TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=token, ENVIRONMENT="production",
               PUBLIC_BASE_URL=base, QUIET_HOURS="00:00-00:00", PYTHONUNBUFFERED="1", LOG_FORMAT=log_format)
    process = serve([*GUNICORN, "--bind", f"127.0.0.1:{port}", "wsgi:app"], env, port)
    try:
        sid, replies = texted(base, token, "HELP")
        assert len(replies) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=30)[0]
    lines = output.splitlines()
    if log_format == "json":
        entries = [json.loads(line) for line in lines]  # every line, gunicorn's own and the access log's too
        assert all(JSON_FIELDS <= set(entry) for entry in entries), lines
    else:  # every line is `time LEVEL logger: message` but the access log's, Apache's combined format
        access = [line for line in lines if line.startswith("127.0.0.1 - - [")]
        entries = [{"level": found[2], "logger": found[3], "message": line[found.end():]}
                   for line in lines if (found := TEXT_LINE.match(line))]
        entries += [{"level": "INFO", "logger": "gunicorn.access", "message": line} for line in access]
        assert len(entries) == len(lines), lines
    by_logger = {}
    for entry in entries:
        by_logger.setdefault(entry["logger"], []).append(entry)
    assert any(e["message"].startswith("Booting worker") for e in by_logger["gunicorn.error"]), lines
    # The SMS, and the reply to it: one INFO line each from the app, the number masked.
    about_it = [(e["level"], e["message"]) for e in entries if sid in e["message"] and e["logger"] != "gunicorn.access"]
    assert about_it == [("INFO", f"inbound {sid} from {MASKED}: help"), ("INFO", f"reply to {MASKED} (inbound {sid})")]
    assert any('"POST /sms/inbound HTTP/1.1" 200' in e["message"] for e in by_logger["gunicorn.access"]), lines
    assert not any(in_clear(line) for line in lines), lines
