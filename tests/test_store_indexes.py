"""Every statement one SMS runs finds its rows through an index, so a webhook stays as fast with a million people
and ten million messages in the log as on an empty database (bench/webhook.py measures it)."""
from __future__ import annotations

import pytest

import webapp.store
from tests.twilio_signing import inbound_params, signed_post, status_params

PHONE = "+33612345678"
TOKEN = "indexes-token"
# What the person texted before the text under test: their history is in the log, as in a year of use.
HISTORY = ["HELP", "SENT ONLINE 01/02", "CLAIM 01/03", "STATUS"]
# Statements whose plan is not about finding rows.
NOT_LOOKUPS = ("BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE")
# Scans that stay small whatever the log's size: erased_replies holds one hour of erased numbers' reply times.
BOUNDED_SCANS = {"SCAN erased_replies"}


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL="https://sms.example.org")


@pytest.fixture
def statements(monkeypatch) -> list[str]:
    """The SQL (parameters bound) that the app's own connections run from now on."""
    seen: list[str] = []
    real_connect = webapp.store.connect

    def traced(path):
        db = real_connect(path)
        db.conn.set_trace_callback(seen.append)
        return db

    monkeypatch.setattr(webapp.store, "connect", traced)
    return seen


def scans(db, sql: str) -> list[str]:
    """The tables the statement reads whole (SQLite's `SCAN table`, not `SEARCH … USING INDEX`)."""
    plan = db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
    return [detail for *_ids, detail in plan
            if detail.startswith("SCAN") and "CONSTANT ROW" not in detail and detail not in BOUNDED_SCANS]


def post(client, app, path: str, params: dict):
    response = signed_post(client, app, path, params)
    assert response.status_code in (200, 204), response.data
    return response


@pytest.mark.parametrize("text", ["HELP", "STATUS", "CLAIM 05/03", "PAID 1", "CARD", "RIB", "LANG EN", "hello",
                                  "HELP", "STOP", "START", "STOP please", "merci",
                                  "DELETE"])  # its cascade finds the messages by person_id (m008)
def test_each_lookup_of_an_sms_uses_an_index(app, client, db, statements, text):
    for earlier in HISTORY:
        post(client, app, "/sms/inbound", inbound_params(PHONE, earlier))
    statements.clear()
    post(client, app, "/sms/inbound", inbound_params(PHONE, text))
    lookups = [sql for sql in statements if not sql.lstrip().upper().startswith(NOT_LOOKUPS)]
    assert any("FROM messages" in sql for sql in lookups)  # the statements were seen
    assert {sql: scans(db, sql) for sql in lookups} == {sql: [] for sql in lookups}


@pytest.mark.parametrize("params", [
    inbound_params(PHONE, "HELP", "SM" + "1" * 32),  # Twilio's retry of a text already answered
    status_params("SM" + "2" * 32, "delivered"),  # a status callback for a message we sent
])
def test_retries_and_status_callbacks_use_an_index(app, client, db, statements, params):
    post(client, app, "/sms/inbound", inbound_params(PHONE, "HELP", "SM" + "1" * 32))
    with webapp.store.immediate(db):
        webapp.store.messages.add_message(db, direction="outbound", phone=PHONE, body="Rappel", status="sent",
                                          now=webapp.store.utcnow(), twilio_sid="SM" + "2" * 32)
    statements.clear()
    post(client, app, "/sms/status" if "MessageStatus" in params else "/sms/inbound", params)
    lookups = [sql for sql in statements if not sql.lstrip().upper().startswith(NOT_LOOKUPS)]
    assert lookups
    assert {sql: scans(db, sql) for sql in lookups} == {sql: [] for sql in lookups}


def plan(db, sql: str) -> str:
    return " | ".join(detail for *_ids, detail in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())


def test_the_reply_budgets_and_the_global_ceiling_count_through_their_indexes(app, client, db, statements):
    # The per-number hour and day, and all numbers' hour (m009): a count of index entries, not of the log.
    for earlier in HISTORY + ["DELETE", "HELP"]:
        post(client, app, "/sms/inbound", inbound_params(PHONE, earlier))
    statements.clear()
    post(client, app, "/sms/inbound", inbound_params(PHONE, "RIB"))
    ceiling, = [sql for sql in statements if "FROM erased_replies WHERE replied_at" in sql]
    budgets, = [sql for sql in statements if "COUNT(*) FILTER" in sql]
    assert plan(db, ceiling).count("SEARCH") == 2, plan(db, ceiling)
    assert "USING COVERING INDEX messages_replies (created_at>?)" in plan(db, ceiling)
    assert "USING COVERING INDEX erased_replies_time (replied_at>?)" in plan(db, ceiling)
    assert plan(db, budgets) == "SEARCH messages USING INDEX messages_phone (phone=? AND created_at>?)"


def test_the_scan_check_sees_a_scan(db):
    # The check above could pass by never matching: a statement known to read the whole log must show.
    assert scans(db, "SELECT COUNT(*) FROM messages WHERE body = 'HELP'") == ["SCAN messages"]
