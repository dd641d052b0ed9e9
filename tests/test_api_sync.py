"""POST /api/v1/sync over HTTP: each refusal has its status and JSON body; a sync answers with the whole state."""
from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

import webapp.store
from sms import inbound
from webapp import link
from webapp.store import iso, links, utcnow

PHONE = "+33612345678"
URL = "/api/v1/sync"


def now_text(minutes: int = 0) -> str:
    return iso(utcnow() + timedelta(minutes=minutes))


def tomorrow() -> str:
    # A day after today in France (the settings' TIMEZONE), whatever the hour in UTC.
    from zoneinfo import ZoneInfo
    return (datetime.now(ZoneInfo("Europe/Paris")).date() + timedelta(days=1)).isoformat()


@pytest.fixture
def person_id(app, db) -> int:
    with app.app_context():
        inbound.handle(db, app.config, inbound.Inbound(PHONE, "CLAIM 20/02/2026", "SM1"))
    return webapp.store.people.person_by_phone(db, PHONE)["id"]


@pytest.fixture
def token(db, person_id) -> str:
    return link.link_device(db, person_id, utcnow())


def post(client, token: str | None, body, content_type: str = "application/json"):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, headers=headers, content_type=content_type)


def route(minutes: int = -1, id_: str = "r1", at: str | None = None) -> dict:
    return {"id": id_, "at": at or now_text(minutes), "field": "route", "value": {"route": "post"}}


REFUSALS = [
    # (what is wrong, body, content type, status, code, field)
    ("not JSON", "{", "application/json", 400, "bad_json", None),
    ("not said to be JSON", json.dumps({"changes": []}), "text/plain", 415, "not_json", None),
    ("no changes", {}, "application/json", 400, "missing_field", None),
    ("an unknown field", {"changes": [], "extra": 1}, "application/json", 400, "unknown_field", None),
    ("changes not a list", {"changes": "all"}, "application/json", 400, "wrong_type", "changes"),
    ("101 changes", {"changes": [route(id_=f"c{n}") for n in range(101)]}, "application/json", 400,
     "too_many_changes", "changes"),
    ("over 64 KB", json.dumps({"changes": [], "pad": "x" * 70_000}), "application/json", 413, "too_large", None),
    ("a date in the future", {"changes": [{"id": "a", "at": "2026-03-01T10:00:00Z", "field": "application",
                                           "value": {"method": "post", "sent_on": tomorrow()}}]},
     "application/json", 400, "date_in_future", "changes.0.value.sent_on"),
    ("a date before 2000", {"changes": [{"id": "a", "at": "2026-03-01T10:00:00Z", "field": "card",
                                         "value": {"received_on": "1999-12-31"}}]},
     "application/json", 400, "invalid_value", "changes.0.value.received_on"),
    ("an instant without its offset", {"changes": [route(at="2026-03-01T10:00:00")]}, "application/json", 400,
     "invalid_value", "changes.0.at"),
    ("an instant that does not exist", {"changes": [route(at="2026-02-30T10:00:00Z")]}, "application/json", 400,
     "invalid_value", "changes.0.at"),
]


@pytest.mark.parametrize(("_what", "body", "content_type", "status", "code", "field"), REFUSALS,
                         ids=[row[0] for row in REFUSALS])
def test_refusals(client, db, person_id, token, _what, body, content_type, status, code, field):
    answer = post(client, token, body, content_type)
    assert (answer.status_code, answer.mimetype) == (status, "application/json")
    assert (answer.json["code"], answer.json.get("field")) == (code, field)
    assert answer.json["message"]
    assert webapp.store.people.person_by_id(db, person_id)["route"] is None  # nothing applied


MESSAGES = [
    ("date_in_future", "This date is in the future."),
    ("invalid_value", "Give the time as 2026-03-02T12:00:00Z."),
]


def test_the_messages_say_what_to_do(client, token):
    future = post(client, token, {"changes": [{"id": "a", "at": now_text(-1), "field": "claim", "key": "k",
                                               "value": {"posted_on": tomorrow(), "paid_on": None}}]})
    bad_at = post(client, token, {"changes": [route(at="soon")]})
    assert [(a.json["code"], a.json["message"]) for a in (future, bad_at)] == MESSAGES


def test_tokens_refused(client, db, person_id, token):
    other = link.link_device(db, person_id, utcnow())
    links.revoke_device(db, link.device_for(db, other).id, utcnow())
    answers = {name: post(client, value, {"changes": []}) for name, value in
               [("none", None), ("unknown", "x" * 43), ("revoked", other)]}
    assert {name: (a.status_code, a.json) for name, a in answers.items()} == {
        "none": (401, {"code": "token_missing", "message": "Send the device token: Authorization: Bearer <token>."}),
        "unknown": (401, {"code": "token_missing", "message": "This token is not known."}),
        "revoked": (401, {"code": "token_revoked", "message": "This phone is no longer linked."}),
    }


def test_a_sync_answers_with_the_whole_state_sms_facts_included(client, db, token):
    changes = [
        {"id": "app", "at": "2026-02-01T09:00:00.000Z", "field": "application",
         "value": {"method": "online", "sent_on": "2026-02-01"}},
        {"id": "tick", "at": "2026-02-01T09:01:00+01:00", "field": "tick", "key": "photo", "value": {"done": True}},
        {"id": "claim", "at": "2026-02-25T09:00:00Z", "field": "claim", "key": "web-1",
         "value": {"posted_on": "2026-02-24", "paid_on": None}},
    ]
    answer = post(client, token, {"changes": changes})
    assert answer.status_code == 200
    assert answer.json == {"applied": ["app", "tick", "claim"], "state": {
        "lang": "en",  # the keyword of the first text (CLAIM) is English
        "application": {"method": "online", "sent_on": "2026-02-01", "received_on": None},
        "claims": [{"key": "sms-1", "number": 1, "posted_on": "2026-02-20", "paid_on": None},
                   {"key": "web-1", "number": 2, "posted_on": "2026-02-24", "paid_on": None}],
        "ticks": {"photo": True},
        "route": None,
        "reminders": True,
    }}
    again = post(client, token, {"changes": changes})  # sent again: acknowledged, the same state
    assert (again.json["applied"], again.json["state"]) == (["app", "tick", "claim"], answer.json["state"])
    device = links.device_by_token(db, link.token_hash(token))
    assert device["last_sync_at"] is not None


def test_a_busy_database_is_a_503_to_try_again(client, app, monkeypatch, token):
    monkeypatch.setattr(webapp.store, "BUSY_TIMEOUT_MS", 50)
    holder = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock for longer than the busy timeout
    try:
        answer = post(client, token, {"changes": [route()]})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (answer.status_code, answer.json["code"], answer.headers["Retry-After"]) == (503, "busy", "5")


def test_an_erased_person_between_token_and_sync_is_told_the_link_is_gone(client, db, person_id, token,
                                                                          monkeypatch):
    from webapp import api

    found = api.device

    def device_then_erased():
        device = found()
        db.execute("DELETE FROM people WHERE id = ?", (person_id,))  # DELETE by SMS, in between
        db.conn.commit()
        return device

    monkeypatch.setattr(api, "device", device_then_erased)
    answer = post(client, token, {"changes": [route()]})
    assert (answer.status_code, answer.json["code"]) == (401, "token_revoked")


def test_a_change_made_at_a_future_time_is_taken_as_now(client, db, person_id, token):
    answer = post(client, token, {"changes": [route(minutes=60 * 24 * 365)]})
    assert answer.json["state"]["route"] == "post"
    stored = db.execute("SELECT changed_at FROM field_times WHERE person_id = ? AND field = 'route'",
                        (person_id,)).fetchone()[0]
    assert stored <= iso(datetime.now(UTC))
