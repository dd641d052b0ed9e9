"""The opt-in as JSON: a code texted to a number (read here from the outbox), traded for a device token;
the code's tries and expiry; the rate limits per number, per client address and in all; bad bodies."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from sms import inbound
from sms.segments import GSM7, measure
from tests.conftest import FIXED_NOW
from webapp import api_link, link
from webapp.app import create_app
from webapp.store import opened, people
from webapp.store.migrations import apply

PHONE = "+33612345678"


class Clock:
    """The API's now, moved by the tests."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self):
        return self.now

    def move(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fixed = Clock()
    monkeypatch.setattr(api_link, "utcnow", fixed)
    return fixed


def optin(client, phone=PHONE, lang="en", address="192.0.2.10", **headers):
    return client.post("/api/v1/optin", json={"phone": phone, "lang": lang},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def confirm(client, code, phone=PHONE):
    return client.post("/api/v1/optin/confirm", json={"phone": phone, "code": code})


def texts_to(db, phone=PHONE) -> list[str]:
    return [row[0] for row in db.execute("SELECT body FROM messages WHERE phone = ? ORDER BY id", (phone,))]


def last_code(db, phone=PHONE) -> str:
    return re.search(r"\b[0-9]{6}\b", texts_to(db, phone)[-1]).group()


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Your code for carte Vitale reminders: {}. It works for 10 minutes. You did not ask for it?"
           " Ignore this text."),
    ("fr", "Votre code pour les rappels carte Vitale : {}. Valable 10 minutes. Vous ne l'avez pas demandé ?"
           " Ignorez ce SMS."),
])
def test_the_code_from_the_outbox_gives_a_token_whose_hash_only_is_kept(client, db, clock, lang, text):
    answer = optin(client, lang=lang)
    assert (answer.status_code, answer.json) == (202, {"expires_in": 600})
    [body] = texts_to(db)
    code = last_code(db)
    assert body == text.format(code)
    assert (measure(body).encoding, measure(body).segments) == (GSM7, 1)
    kept = db.execute("SELECT * FROM optin_codes").fetchall()
    assert len(kept) == 1 and code not in repr(kept)  # only its keyed hash
    linked = confirm(client, code)
    assert linked.status_code == 200 and set(linked.json) == {"token"}
    token = linked.json["token"]
    devices = db.execute("SELECT token_hash FROM devices").fetchall()
    assert devices == [(hashlib.sha256(token.encode()).hexdigest(),)]
    assert token not in repr(db.execute("SELECT * FROM devices").fetchall())
    assert db.execute("SELECT COUNT(*) FROM optin_codes").fetchone() == (0,)  # a code links one device
    person = people.person_by_phone(db, PHONE)
    assert link.device_for(db, token).person_id == person["id"] and person["lang"] == lang
    again = confirm(client, code)
    assert (again.status_code, again.json["code"]) == (410, "code_expired")


def test_a_wrong_code_counts_a_try_and_the_fifth_drops_the_code(client, db, clock):
    optin(client)
    code = last_code(db)
    answers = [confirm(client, other_code(code)) for _ in range(5)]
    assert [(a.status_code, a.json["code"], a.json["message"]) for a in answers] == [
        (400, "wrong_code", "This code is not the one we texted. 4 tries left."),
        (400, "wrong_code", "This code is not the one we texted. 3 tries left."),
        (400, "wrong_code", "This code is not the one we texted. 2 tries left."),
        (400, "wrong_code", "This code is not the one we texted. 1 tries left."),
        (410, "code_expired", "This code no longer works: ask for a new code."),
    ]
    late = confirm(client, code)  # the right one, too late
    assert (late.status_code, late.json["code"]) == (410, "code_expired")
    assert db.execute("SELECT COUNT(*) FROM devices").fetchone() == (0,)


@pytest.mark.parametrize(("after", "status"), [(timedelta(minutes=9, seconds=59), 200),
                                               (timedelta(minutes=10), 410), (timedelta(hours=2), 410)])
def test_a_code_works_for_ten_minutes(client, db, clock, after, status):
    optin(client)
    clock.move(seconds=after.total_seconds())
    assert confirm(client, last_code(db)).status_code == status


def test_a_new_code_replaces_the_old_one(client, db, clock):
    optin(client)
    first = last_code(db)
    clock.move(minutes=1)
    optin(client)
    second = last_code(db)
    if first != second:  # one chance in a million that they match
        assert confirm(client, first).json["code"] == "wrong_code"
    assert confirm(client, second).status_code == 200


def test_a_number_gets_three_codes_an_hour_then_429_and_no_text(client, db, clock):
    answers = [optin(client, address=f"192.0.2.{n}") for n in range(4)]  # from different clients, too
    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert answers[3].json == {"code": "rate_limited", "message": "Too many codes asked for. Try again in 3601"
                                                                  " seconds."}
    assert answers[3].headers["Retry-After"] == "3601"
    assert len(texts_to(db)) == 3
    clock.move(minutes=30)
    refused = optin(client)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1801"  # the first leaves the hour
    clock.move(minutes=30, seconds=1)
    assert optin(client).status_code == 202
    assert len(texts_to(db)) == 4


def test_one_client_address_gets_five_codes_an_hour_to_any_numbers(client, db, clock):
    numbers = [f"+3361234560{n}" for n in range(7)]
    answers = [optin(client, phone) for phone in numbers[:6]]
    assert [a.status_code for a in answers] == [202] * 5 + [429]
    assert texts_to(db, numbers[5]) == []
    assert optin(client, numbers[5], address="198.51.100.7").status_code == 202  # another client
    clock.move(hours=1, seconds=1)
    assert optin(client, numbers[6]).status_code == 202


@pytest.mark.parametrize(("addresses", "limited"), [
    (["2001:db8:1:2::1", "2001:db8:1:2:ffff::9"], True),  # one /64: one subscriber
    (["2001:db8:1:2::1", "2001:db8:1:3::1"], False),
    (["::ffff:192.0.2.1", "192.0.2.1"], True),  # an IPv4 client, seen through IPv6 or not
    (["192.0.2.1", "192.0.2.2"], False),
])
def test_a_client_is_its_address_or_its_ipv6_64(app_config, addresses, limited):
    app = create_app(app_config | {"OPTIN_MAX_CODES_PER_CLIENT": 1})
    with opened(app.config["DATABASE"]) as db:
        apply(db)
    client = app.test_client()
    assert optin(client, "+33612345601", address=addresses[0]).status_code == 202
    assert optin(client, "+33612345602", address=addresses[1]).status_code == (429 if limited else 202)


def test_x_forwarded_for_is_not_trusted_by_default(client, db, clock):
    answers = [optin(client, f"+3361234561{n}", **{"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(6)]
    assert [a.status_code for a in answers] == [202] * 5 + [429]


@pytest.fixture
def low_ceiling(app_config):
    app_config["OPTIN_MAX_CODES_PER_HOUR"] = 2
    return app_config


def test_the_codes_of_all_numbers_together_have_a_ceiling_an_hour(low_ceiling, client, db, clock):
    answers = [optin(client, f"+3361234562{n}", address=f"192.0.2.{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (2,)
    clock.move(hours=1, seconds=1)
    assert optin(client, "+33612345629", address="192.0.2.9").status_code == 202


def test_the_counts_keep_neither_the_number_nor_the_address(client, db, clock):
    optin(client, address="192.0.2.77")
    [row] = db.execute("SELECT phone_key, client_key FROM optin_texts").fetchall()
    assert "612345678" not in repr(row) and "192.0.2.77" not in repr(row)


@pytest.mark.parametrize("phone", ["0612", "36179", "+33 6 12 34 56", "abc", "01 23 45 67 89", "+999 1234567",
                                   "+44 20 7946 0000", " "])
def test_not_a_mobile_number_is_400_invalid_phone_and_nothing_is_texted_or_counted(client, db, clock, phone):
    answer = optin(client, phone)
    assert (answer.status_code, answer.json["code"], answer.json.get("field")) == (400, "invalid_phone", "phone")
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM optin_texts").fetchone() == (0,)


@pytest.mark.parametrize(("typed", "texted"), [
    ("06 12 34 56 78", "+33612345678"),
    ("+33 6 12 34 56 78", "+33612345678"),
    ("+262 692 12 34 56", "+262692123456"),  # Réunion
    ("0692 12 34 56", "+262692123456"),
    ("+44 7911 123456", "+447911123456"),  # a foreign mobile
])
def test_french_overseas_and_foreign_mobiles_get_the_code(client, db, clock, typed, texted):
    assert optin(client, typed).status_code == 202
    assert len(texts_to(db, texted)) == 1
    assert confirm(client, last_code(db, texted), phone=typed).status_code == 200


def test_the_device_is_linked_to_the_person_sms_knows(app, client, db, clock):
    with app.app_context():
        inbound.respond(db, app.config, inbound.Inbound(PHONE, "SENT POST", "SM0001"), now=FIXED_NOW)
    texted = people.person_by_phone(db, PHONE)
    optin(client, lang="en")
    token = confirm(client, last_code(db)).json["token"]
    assert link.device_for(db, token).person_id == texted["id"]
    assert db.execute("SELECT COUNT(*) FROM people").fetchone() == (1,)
    assert people.application(db, texted["id"])["method"] == "post"


def test_a_number_that_sent_stop_gets_no_code_and_the_same_answer(app, client, db, clock):
    with app.app_context():
        inbound.respond(db, app.config, inbound.Inbound(PHONE, "STOP", "SM0002"), now=FIXED_NOW)
    before = len(texts_to(db))
    answer = optin(client)
    assert (answer.status_code, answer.json) == (202, {"expires_in": 600})
    assert len(texts_to(db)) == before


@pytest.mark.parametrize(("path", "body", "content_type", "status", "code"), [
    ("/api/v1/optin", "phone=1", "application/x-www-form-urlencoded", 415, "not_json"),
    ("/api/v1/optin", "{", "application/json", 400, "bad_json"),
    ("/api/v1/optin", '{"phone": "+33612345678"}', "application/json", 400, "missing_field"),
    ("/api/v1/optin", '{"phone": "+33612345678", "lang": "en", "x": 1}', "application/json", 400, "unknown_field"),
    ("/api/v1/optin", '{"phone": 33612345678, "lang": "en"}', "application/json", 400, "wrong_type"),
    ("/api/v1/optin", '{"phone": "+33612345678", "lang": "de"}', "application/json", 400, "invalid_value"),
    ("/api/v1/optin", '{"phone": "", "lang": "en"}', "application/json", 400, "invalid_value"),
    ("/api/v1/optin", "[]", "application/json", 400, "wrong_type"),
    ("/api/v1/optin", '{"phone": "' + "1" * 70_000 + '", "lang": "en"}', "application/json", 413, "too_large"),
    ("/api/v1/optin/confirm", '{"phone": "+33612345678"}', "application/json", 400, "missing_field"),
    ("/api/v1/optin/confirm", '{"phone": "+33612345678", "code": "12345"}', "application/json", 400,
     "invalid_value"),
    ("/api/v1/optin/confirm", '{"phone": "+33612345678", "code": 123456}', "application/json", 400, "wrong_type"),
    ("/api/v1/optin/confirm", '{"phone": "0612", "code": "123456"}', "application/json", 400, "invalid_phone"),
    ("/api/v1/optin/confirm", '{"phone": "+33612345678", "code": "123456"}', "application/json", 410,
     "code_expired"),
])
def test_bad_bodies_get_a_clear_4xx(client, db, path, body, content_type, status, code):
    answer = client.post(path, data=body, content_type=content_type)
    assert (answer.status_code, answer.json["code"]) == (status, code)
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)


def test_get_is_not_allowed(client):
    assert client.get("/api/v1/optin").status_code == 405
