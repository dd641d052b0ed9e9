"""POST /sms/inbound and /sms/status through HTTP: signatures, decoding, every command, the defences.

Requests are signed with twilio's own RequestValidator, as Twilio signs them. Replies are compared with
their wording written out in tests/sms_wording.py, not with the code's own rendering of them.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sms_wording import status_wording, wording
from tests.twilio_signing import (
    ACCOUNT_SID,
    inbound_params,
    new_sid,
    signature,
    signed_post,
    status_params,
    twiml_messages,
)
from webapp.store import messages as message_store
from webapp.store import people

PHONE = "+33612345678"
TOKEN = "test-auth-token"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                PUBLIC_BASE_URL="https://sms.example.org")


def text(client, app, body, sender=PHONE, sid=None, **extra):
    """Text the service; return the HTTP response and the reply texts."""
    response = signed_post(client, app, "/sms/inbound", inbound_params(sender, body, sid, **extra))
    assert response.status_code == 200, response.data
    assert response.mimetype in ("application/xml", "text/xml")
    return twiml_messages(response.data)


def stored(db):
    return db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]


# -- refused requests: 4xx and nothing stored --------------------------------------------------
def _unsigned(params):
    return {}


def _wrong_token(params):
    return {"X-Twilio-Signature": signature("not-the-token", "https://sms.example.org/sms/inbound", params)}


def _wrong_url(params):
    return {"X-Twilio-Signature": signature(TOKEN, "https://evil.example.org/sms/inbound", params)}


def _garbage(params):
    return {"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}


def _not_ascii(params):
    return {"X-Twilio-Signature": "signé".encode().decode("latin-1")}


@pytest.mark.parametrize(("case", "headers_for", "status"), [
    ("missing signature", _unsigned, 403),
    ("wrong signature (other token)", _wrong_token, 403),
    ("wrong URL", _wrong_url, 403),
    ("garbage signature", _garbage, 403),
    ("signature not in ASCII", _not_ascii, 403),
])
def test_refused_requests_store_nothing(client, app, db, case, headers_for, status):
    params = inbound_params(PHONE, "HELP")
    response = client.post("/sms/inbound", data=params, headers=headers_for(params))
    assert response.status_code == status, case
    assert stored(db) == 0
    assert people.person_by_phone(db, PHONE) is None


def test_a_tampered_body_is_refused(client, app, db):
    params = inbound_params(PHONE, "HELP")
    headers = {"X-Twilio-Signature": signature(TOKEN, "https://sms.example.org/sms/inbound", params)}
    response = client.post("/sms/inbound", data=dict(params, Body="DELETE"), headers=headers)
    assert response.status_code == 403
    assert stored(db) == 0


def test_without_an_auth_token_everything_is_refused(app, db):
    app.config["TWILIO_AUTH_TOKEN"] = None
    client = app.test_client()
    params = inbound_params(PHONE, "HELP")
    for token in ("", TOKEN):
        headers = {"X-Twilio-Signature": signature(token, "https://sms.example.org/sms/inbound", params)}
        assert client.post("/sms/inbound", data=params, headers=headers).status_code == 403
        assert client.post("/sms/status", data=params, headers=headers).status_code == 403
    assert stored(db) == 0


def test_no_params_is_a_bad_request(client, app, db):
    assert signed_post(client, app, "/sms/inbound", {}).status_code == 400
    assert signed_post(client, app, "/sms/status", {}).status_code == 400
    assert stored(db) == 0


def test_a_huge_body_is_refused_cleanly(client, app, db):
    response = signed_post(client, app, "/sms/inbound", inbound_params(PHONE, "A" * 200_000))
    assert response.status_code == 413
    assert stored(db) == 0


def test_get_is_not_allowed(client):
    assert client.get("/sms/inbound").status_code in (403, 405)


# -- SIDs: the signature does not say where one parameter ends and the next begins -------------
def swallow(params: dict, name: str) -> dict:
    """`params` with the parameter signed after `name` moved into its value: the same signed string."""
    names = sorted(params)
    following = names[names.index(name) + 1]
    moved = {key: value for key, value in params.items() if key != following}
    moved[name] = params[name] + following + params[following]
    return moved


def test_a_captured_request_replayed_with_moved_boundaries_is_refused(client, app, db):
    genuine = inbound_params(PHONE, "CLAIM")
    url = "https://sms.example.org/sms/inbound"
    headers = {"X-Twilio-Signature": signature(TOKEN, url, genuine)}
    assert client.post("/sms/inbound", data=genuine, headers=headers).status_code == 200
    before = stored(db)
    # MessageSid takes in NumMedia and SmsMessageSid takes in SmsSid: a new SID, the same signature
    replayed = swallow(swallow(genuine, "MessageSid"), "SmsMessageSid")
    assert replayed["MessageSid"] != genuine["MessageSid"] and "SmsSid" not in replayed
    assert signature(TOKEN, url, replayed) == headers["X-Twilio-Signature"]
    assert client.post("/sms/inbound", data=replayed, headers=headers).status_code == 400
    assert stored(db) == before
    assert len(people.claims(db, people.person_by_phone(db, PHONE)["id"])) == 1


HEX = "0123456789abcdef" * 2
# (case, the change to a genuine form: None removes a field); every one is signed with the right token.
MALFORMED_SIDS = [
    ("moved boundary replay", {"MessageSid": "SM" + HEX + "NumMedia0", "SmsSid": None}),
    ("SID wrong prefix", {"MessageSid": "SX" + HEX, "SmsSid": "SX" + HEX}),
    ("account SID as message SID", {"MessageSid": "AC" + HEX, "SmsSid": "AC" + HEX}),
    ("SID prefix in lowercase", {"MessageSid": "sm" + HEX, "SmsSid": "sm" + HEX}),
    ("SID too short", {"MessageSid": "SM" + HEX[:-1], "SmsSid": "SM" + HEX[:-1]}),
    ("SID too long", {"MessageSid": "SM" + HEX + "0", "SmsSid": "SM" + HEX + "0"}),
    ("uppercase hex", {"MessageSid": "SM" + HEX.upper(), "SmsSid": "SM" + HEX.upper()}),
    ("not hex", {"MessageSid": "SM" + "g" * 32, "SmsSid": "SM" + "g" * 32}),
    ("SID with a trailing newline", {"MessageSid": "SM" + HEX + "\n", "SmsSid": "SM" + HEX + "\n"}),
    ("SID with a space", {"MessageSid": " SM" + HEX, "SmsSid": " SM" + HEX}),
    ("SID in other digits", {"MessageSid": "SM" + "٠" * 32, "SmsSid": "SM" + "٠" * 32}),
    ("MessageSid and SmsSid differ", {"SmsSid": "SM" + HEX}),
    ("only SmsSid, malformed", {"MessageSid": None, "SmsSid": "SM" + HEX + "NumMedia0"}),
    ("no SID at all", {"MessageSid": None, "SmsSid": None}),
    ("no AccountSid", {"AccountSid": None}),
    ("empty AccountSid", {"AccountSid": ""}),
    ("AccountSid too short", {"AccountSid": ACCOUNT_SID[:-1]}),
    ("AccountSid uppercase hex", {"AccountSid": "AC" + ACCOUNT_SID[2:].upper()}),
    ("AccountSid wrong prefix", {"AccountSid": "AX" + ACCOUNT_SID[2:]}),
    ("AccountSid swallows the next field", {"AccountSid": ACCOUNT_SID + "ApiVersion2010-04-01", "ApiVersion": None}),
    ("account mismatch", {"AccountSid": "AC" + HEX}),
]


def changed(params: dict, change: dict) -> dict:
    params = {**params, **change}
    return {key: value for key, value in params.items() if value is not None}


@pytest.mark.parametrize("path", ["/sms/inbound", "/sms/status"])
@pytest.mark.parametrize(("case", "change"), MALFORMED_SIDS, ids=[c[0] for c in MALFORMED_SIDS])
def test_a_malformed_or_foreign_sid_is_a_bad_request_and_stores_nothing(client, app, db, path, case, change):
    sid = "SM" + "f" * 32
    genuine = inbound_params(PHONE, "CLAIM", sid) if path == "/sms/inbound" else status_params(sid, "failed",
                                                                                            ErrorCode="21610")
    if path == "/sms/status":  # a message of ours that the callback would change
        from sms import gateway
        from webapp.store import immediate

        result = gateway.send(db, app.config, PHONE, "Your card should have come.")
        with immediate(db):
            db.execute("UPDATE messages SET twilio_sid = ? WHERE id = ?", ("SM" + HEX, result.message_id))
    before = db.execute("SELECT * FROM messages").fetchall()
    assert signed_post(client, app, path, changed(genuine, change)).status_code == 400, case
    assert db.execute("SELECT * FROM messages").fetchall() == before
    assert people.person_by_phone(db, PHONE) is None


@pytest.mark.parametrize(("case", "change"), [
    ("message SID", {}),
    ("MMS SID", {"MessageSid": "MM" + HEX, "SmsSid": "MM" + HEX, "SmsMessageSid": "MM" + HEX}),
    ("only MessageSid", {"SmsSid": None, "SmsMessageSid": None}),
    ("only SmsSid", {"MessageSid": None}),
])
def test_well_formed_sids_are_accepted(client, app, case, change):
    response = signed_post(client, app, "/sms/inbound", changed(inbound_params(PHONE, "HELP"), change))
    assert response.status_code == 200, case
    assert twiml_messages(response.data)


@pytest.mark.parametrize(("account", "status"), [
    ("AC" + HEX, 200), ("AC" + HEX[1:], 400), ("AC" + HEX.upper(), 400), ("ac" + HEX, 400), ("", 400), (None, 400),
])
def test_without_an_account_sid_set_any_well_formed_account_is_accepted(app, client, account, status):
    app.config["TWILIO_ACCOUNT_SID"] = None
    params = changed(inbound_params(PHONE, "HELP"), {"AccountSid": account})
    assert signed_post(client, app, "/sms/inbound", params).status_code == status


# -- the URL signed is the one Twilio called, its query string exactly as sent --------------------
@pytest.mark.parametrize(("case", "query"), [
    ("no query", ""),
    ("plain query", "?source=twilio"),
    ("query with trailing ?", "?next=?"),
    ("query of question marks", "?q=??"),
    ("percent-encoded query", "?a=%3F&b=%20x"),
    ("unencoded characters", "?a=b c&d=é"),
])
def test_the_signature_covers_the_query_string_exactly_as_twilio_sent_it(client, app, db, case, query):
    params = inbound_params(PHONE, "HELP")
    response = signed_post(client, app, "/sms/inbound" + query, params)
    assert response.status_code == 200, case
    assert stored(db) == 2


@pytest.mark.parametrize(("case", "signed_query", "sent_query"), [
    ("trailing ? cut when signing", "?next=", "?next=?"),
    ("trailing ? added when signing", "?next=?", "?next="),
    ("query decoded when signing", "?a=?", "?a=%3F"),
    ("query dropped when signing", "", "?source=twilio"),
])
def test_a_signature_for_another_query_string_is_refused(client, app, db, case, signed_query, sent_query):
    params = inbound_params(PHONE, "HELP")
    url = "https://sms.example.org/sms/inbound" + signed_query
    response = client.post("/sms/inbound" + sent_query, data=params,
                           headers={"X-Twilio-Signature": signature(TOKEN, url, params)})
    assert response.status_code == 403, case
    assert stored(db) == 0


# -- commands, in English and in French -------------------------------------------------------
@pytest.fixture
def today(app):
    from scheduler.rules import Delays
    from webapp.journey import Clock
    from webapp.store import utcnow

    return Clock(utcnow(), Delays.from_config(app.config)).today


# (case, texts sent first, the text, the reply's language, the reply's name, its parameters)
COMMAND_CASES = [
    ("HELP", [], "HELP", "en", "help", {}),
    ("AIDE", [], "aide", "fr", "help", {}),
    ("?", [], "?", "fr", "help", {}),
    ("RIB en", ["HELP"], "rib", "en", "rib", {}),
    ("RIB fr", [], "RIB", "fr", "rib", {}),
    ("CARD", ["SENT ONLINE"], "CARD", "en", "card", {}),
    ("CARTE", ["ENVOI INTERNET"], "Carte", "fr", "card", {}),
    ("PAID none", [], "PAID", "en", "paid_none", {}),
    ("PAYE none", [], "PAYE", "fr", "paid_none", {}),
    ("PAID", ["CLAIM"], "PAID", "en", "paid", {"number": 1}),
    ("PAYE n", ["FEUILLE", "FEUILLE"], "PAYE 2", "fr", "paid", {"number": 2}),
    ("PAID how", [], "PAID 123456", "en", "paid_how", {}),
    # state-changing commands with words they do not understand: a hint, nothing done
    ("CARD with words", ["SENT ONLINE"], "card not arrived yet", "en", "card_how", {}),
    ("CARTE ?", ["ENVOI INTERNET"], "carte ?", "fr", "card_how", {}),
    ("PAID X", ["CLAIM"], "PAID X", "en", "paid_how", {}),
    ("PAYE DEUX", ["FEUILLE"], "PAYE DEUX", "fr", "paid_how", {}),
    ("paye ?", ["FEUILLE"], "paye ?", "fr", "paid_how", {}),
    ("PAYE n°", ["FEUILLE", "FEUILLE"], "Payé n°2", "fr", "paid", {"number": 2}),
    ("DELETE with words", ["HELP"], "DELETE my appointment", "en", "delete_how", {}),
    ("SUPPRIMER ?", [], "supprimer ?", "fr", "delete_how", {}),
    ("LANG EN", ["AIDE"], "LANGUE EN", "en", "lang_set", {}),
    ("LANG FR", ["HELP"], "LANG FR", "fr", "lang_set", {}),
    ("LANG how", ["HELP"], "LANG XX", "en", "lang_how", {}),
    ("LANGUE how", ["AIDE"], "LANGUE XX", "fr", "lang_how", {}),
    # SENT: the date recorded, then the card's state (long past: late, call the caisse)
    ("SENT ONLINE", [], "SENT ONLINE 02/01/2026", "en", "sent_online+late",
     {"sent": "02/01/2026", "expected": "16/01/2026"}),
    ("SENT POST", [], "SENT POST 02/01/2026", "en", "sent_post+late", {"sent": "02/01/2026", "expected": "23/01/2026"}),
    ("ENVOI INTERNET", [], "ENVOI INTERNET 02/01/2026", "fr", "sent_online+late",
     {"sent": "02/01/2026", "expected": "16/01/2026"}),
    ("ENVOI COURRIER", [], "ENVOI COURRIER 02/01/2026", "fr", "sent_post+late",
     {"sent": "02/01/2026", "expected": "23/01/2026"}),
    ("CLAIM en", ["HELP"], "CLAIM", "en", "claim", {"number": 1}),
    ("SENT how", [], "SENT", "en", "sent_how", {}),
    ("ENVOI how", [], "ENVOI", "fr", "sent_how", {}),
    ("bad date", [], "SENT POST 31/02", "en", "bad_date", {}),
    ("future date", [], "FEUILLE 01/01/2099", "fr", "bad_date", {}),
    ("date with a space", [], "SENT POST 5 03", "en", "bad_date", {}),
    ("date in words", [], "ENVOI COURRIER 3 janvier", "fr", "bad_date", {}),
    ("HIER", [], "ENVOI INTERNET HIER", "fr", "bad_date", {}),
    ("FEUILLE 02 01", [], "FEUILLE 02 01", "fr", "bad_date", {}),
    ("unknown en", ["HELP"], "what is this", "en", "unknown", {}),
    ("unknown fr", [], "bonjour", "fr", "unknown", {}),
    ("STOP", [], "STOP", "fr", "stop", {}),
    ("ARRET", ["HELP"], "arrêt", "en", "stop", {}),
    ("STOPALL", ["HELP"], "stopall", "en", "stop", {}),
    ("UNSUBSCRIBE", ["HELP"], "Unsubscribe", "en", "stop", {}),
    ("START", ["HELP", "STOP"], "START", "en", "start", {}),
    ("START fr", ["AIDE", "ARRET"], "START", "fr", "start", {}),
    ("DELETE", ["HELP"], "DELETE", "en", "delete", {}),
    ("SUPPRIMER", [], "supprimer", "fr", "delete", {}),
    # one wrong letter, case, accents, spaces and punctuation forgiven
    ("typo HLEP", [], "hlep", "en", "help", {}),
    ("typo AIDDE", [], " Aidde !", "fr", "help", {}),
    ("typo CRAD", ["SENT POST"], "crad", "en", "card", {}),
    ("typo STPO", ["HELP"], "stpo", "en", "stop", {}),
    ("typo FEUILE", [], "feuile", "fr", "claim", {"number": 1}),
    # but not a typo that makes another word, and none at all in what erases
    ("CAR", ["HELP"], "CAR", "en", "unknown", {}),
    ("SHOP", ["HELP"], "SHOP", "en", "unknown", {}),
    ("Top merci", [], "Top merci", "fr", "unknown", {}),
    ("deleted", ["HELP"], "deleted", "en", "unknown", {}),
    ("typo SUPRIMER", [], "suprimer", "fr", "unknown", {}),
]


@pytest.mark.parametrize(("case", "before", "body", "lang", "name", "params"), COMMAND_CASES,
                         ids=[c[0] for c in COMMAND_CASES])
def test_each_command_answers_in_the_persons_language(client, app, today, case, before, body, lang, name,
                                                      params):
    for setup in before:
        text(client, app, setup)
    if name == "claim":
        params = dict(params, posted=f"{today:%d/%m/%Y}", due=f"{today + timedelta(days=30):%d/%m/%Y}")
    assert text(client, app, body) == [said(lang, name, **params)]


def said(lang: str, name: str, **params) -> str:
    """The pinned reply: a fixed one, sentences joined ("sent_post+late"), or "not understood" in both
    languages with the Assurance Maladie line (no Comede, no LOCAL_HELP in these settings)."""
    if name == "unknown":
        other = "en" if lang == "fr" else "fr"
        return " ".join([wording(lang, "unknown"), wording(other, "unknown"), wording(lang, "human_help_caisse")])
    if "+" in name:
        return " ".join(status_wording(lang, part, **params) for part in name.split("+"))
    return wording(lang, name, **params)


@pytest.mark.parametrize(("body", "lang"), [("CLAIM", "en"), ("FEUILLE", "fr"), ("SENT POST", "en"),
                                           ("ENVOI INTERNET", "fr")])
def test_a_day_and_month_more_than_half_a_year_back_asks_for_the_year(client, app, db, today, body, lang):
    ahead = today + timedelta(days=10)  # without a year: the same day last year, about 355 days back
    if (ahead.day, ahead.month) == (29, 2):
        ahead += timedelta(days=1)  # last year had no 29/02: that is another reply
    assert text(client, app, f"{body} {ahead:%d/%m}") == [wording(lang, "date_year", example=f"{today:%d/%m/%Y}")]
    person = people.person_by_phone(db, PHONE)
    assert people.claims(db, person["id"]) == [] and people.application(db, person["id"]) is None


def test_sent_and_claim_record_dates_and_status_reports_them(client, app, db, today):
    [reply] = text(client, app, "ENVOI COURRIER 02/01/2026")
    assert "02/01/2026" in reply and "23/01/2026" in reply  # by post: 3 weeks
    assert reply == said("fr", "sent_post+late", sent="02/01/2026", expected="23/01/2026")  # long past: late
    [reply] = text(client, app, "FEUILLE 03/01/2026")
    assert "03/01/2026" in reply
    # posted long ago: already late, and the number to call
    assert reply == wording("fr", "claim_overdue", number=1, posted="03/01/2026", due="02/02/2026")
    [status] = text(client, app, "ETAT")
    assert "courrier le 02/01/2026" in status
    assert "Feuille 1" in status and "03/01/2026" in status
    assert status == " ".join([status_wording("fr", "post", sent="02/01/2026"),
                               status_wording("fr", "late", expected="23/01/2026"),
                               status_wording("fr", "overdue", number=1, posted="03/01/2026", due="02/02/2026")])
    person = people.person_by_phone(db, PHONE)
    assert person["lang"] == "fr"
    assert people.application(db, person["id"])["sent_on"] == "2026-01-02"


def test_the_language_of_the_first_keyword_sticks_until_lang(client, app, db):
    text(client, app, "HELP")
    assert people.person_by_phone(db, PHONE)["lang"] == "en"
    assert text(client, app, "AIDE") == [wording("en", "help")]  # still English
    assert people.person_by_phone(db, PHONE)["lang"] == "en"
    text(client, app, "LANGUE FR")
    text(client, app, "HELP")
    assert people.person_by_phone(db, PHONE)["lang"] == "fr"


# -- idempotence and defences -----------------------------------------------------------------
def test_a_repeated_message_sid_is_applied_once_and_answered_the_same(client, app, db):
    sid = new_sid()
    first = text(client, app, "CLAIM", sid=sid)
    again = text(client, app, "CLAIM", sid=sid)
    assert first == again and first
    person = people.person_by_phone(db, PHONE)
    assert len(people.claims(db, person["id"])) == 1
    assert [m["direction"] for m in message_store.log(db, PHONE)] == ["outbound", "inbound"]


@pytest.mark.parametrize("sender", ["36179", "AMELI", "+3336", ""])
def test_no_reply_to_short_codes_or_alphanumeric_senders(client, app, db, sender):
    assert text(client, app, "HELP", sender=sender) == []
    rows = message_store.log(db)
    assert [r["direction"] for r in rows] == ["inbound"]
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0


def test_at_most_the_hourly_budget_of_replies_an_hour(client, app):
    budget = app.config["SMS_MAX_REPLIES_PER_HOUR"]
    assert budget >= 20  # a newcomer's first session is answered whole (tests/test_sms_conversation.py)
    bodies = ["HELP", "RIB", "STATUS", "AIDE", "?", "ETAT"] + [f"question {chr(97 + i // 26)}{chr(97 + i % 26)}"
                                                              for i in range(budget - 4)]
    replies = [text(client, app, body) for body in bodies]
    assert all(replies[:budget]) and replies[budget:] == [[], []]


def test_the_same_text_more_often_than_the_repeat_limit_gets_no_reply(client, app):
    limit = app.config["SMS_MAX_REPEATS_PER_HOUR"]
    replies = [text(client, app, "Your message was received. Thank you!") for _ in range(limit + 2)]
    assert [len(r) for r in replies] == [1] * limit + [0, 0]
    assert text(client, app, "HELP")  # other texts are still answered


def test_after_stop_only_stop_and_start_are_answered(client, app, db):
    text(client, app, "SENT ONLINE")
    assert text(client, app, "STOP") == [wording("en", "stop")]
    assert text(client, app, "HELP") == []
    assert text(client, app, "CARD") == []
    person = people.person_by_phone(db, PHONE)
    assert people.application(db, person["id"])["card_received_on"] is None  # not acted on either
    assert text(client, app, "STOP") == []  # STOP is confirmed once an hour (SMS pumping)
    assert text(client, app, "START") == [wording("en", "start")]
    assert text(client, app, "HELP")


def test_twilio_advanced_opt_out_is_applied_without_a_second_reply(client, app, db):
    assert text(client, app, "STOP", OptOutType="STOP") == []
    assert people.person_by_phone(db, PHONE)["opted_out_at"]


def test_delete_erases_everything_and_stores_nothing_after(client, app, db):
    text(client, app, "SENT ONLINE")
    text(client, app, "CLAIM")
    sid = new_sid()
    assert text(client, app, "DELETE", sid=sid) == [wording("en", "delete")]
    assert people.person_by_phone(db, PHONE) is None
    assert message_store.log(db, PHONE) == []
    for table in ("people", "applications", "claims", "reminders", "messages"):
        assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    # Twilio retries the same webhook: same answer, and still nothing stored
    assert text(client, app, "DELETE", sid=sid) == [wording("en", "delete")]
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 0


def test_after_delete_the_number_is_nowhere_in_the_database(client, app, db):
    text(client, app, "SENT ONLINE")
    text(client, app, "CLAIM")
    for _ in range(5):  # the DELETE defence keeps reply times, under a keyed hash only
        text(client, app, "DELETE")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database = app.config["DATABASE"]
    stored_bytes = open(database, "rb").read() + open(database + "-wal", "rb").read()
    for form in (PHONE, PHONE[1:], "612345678", "6 12 34 56 78"):
        assert form.encode() not in stored_bytes, form
    assert db.execute("SELECT COUNT(*) FROM erased_replies").fetchone()[0] > 0


def test_numbers_are_normalised_to_e164(client, app, db):
    text(client, app, "HELP", sender="+33 6 12 34 56 78")
    assert people.person_by_phone(db, PHONE) is not None


def test_numbers_are_masked_in_logs(client, app, caplog):
    caplog.set_level("INFO")
    text(client, app, "HELP")
    text(client, app, "STOP")
    assert caplog.records
    assert PHONE not in caplog.text and "612345678" not in caplog.text


# -- privacy: a social security number texted in is never stored ------------------------------
# (what the person texts, what the message log keeps)
SOCIAL_SECURITY_NUMBER_CASES = [
    ("Mon numero 2 95 10 99 126 111 93 est bon?", "Mon numero [removed] est bon?"),
    ("295109912611193", "[removed]"),
    ("2951099126111", "[removed]"),
    ("NIR: 1.85.05.78.006.084.36 merci", "NIR: [removed] merci"),
    ("1-85-05-78-006-084", "[removed]"),
    ("2 95 10 2A 126 111 93", "[removed]"),
    ("my number 1 85 05 2b 006 084 36, ok", "my number [removed], ok"),
    ("7 12 34 56 789 012", "[removed]"),
    ("n°8 1 2 3 4 5 6 7 8 9 0 1 2 3 4", "n°[removed]"),
    # ordinary texts are kept as they are
    ("CLAIM 05/03/2026", "CLAIM 05/03/2026"),
    ("PAID 12", "PAID 12"),
    ("Appelez-moi au 06 12 34 56 78", "Appelez-moi au 06 12 34 56 78"),
    ("mon numero +33 6 12 34 56 78", "mon numero +33 6 12 34 56 78"),
    ("Abidjan +225 07 12 34 56 78", "Abidjan +225 07 12 34 56 78"),
    ("SENT POST 12/12 et FEUILLE 3", "SENT POST 12/12 et FEUILLE 3"),
    ("ref 3 95 10 99 126 111 93", "ref 3 95 10 99 126 111 93"),  # starts with 3: not one
]


@pytest.mark.parametrize(("body", "kept"), SOCIAL_SECURITY_NUMBER_CASES,
                         ids=[c[0] for c in SOCIAL_SECURITY_NUMBER_CASES])
def test_a_social_security_number_is_cut_out_before_the_text_is_stored(client, app, db, caplog, body, kept):
    caplog.set_level("DEBUG")
    assert len(text(client, app, body)) == 1  # still answered
    [inbound] = [m for m in message_store.log(db, PHONE) if m["direction"] == "inbound"]
    assert inbound["body"] == kept
    if kept != body:
        assert "126111" not in caplog.text and "006084" not in caplog.text


def test_a_redacted_text_sent_again_with_its_sid_is_applied_once(client, app, db):
    sid = new_sid()
    first = text(client, app, "FEUILLE 2 95 10 99 126 111 93", sid=sid)
    assert text(client, app, "FEUILLE 2 95 10 99 126 111 93", sid=sid) == first
    assert [m["body"] for m in message_store.log(db, PHONE) if m["direction"] == "inbound"] == ["FEUILLE [removed]"]
    assert people.claims(db, people.person_by_phone(db, PHONE)["id"]) == []  # not a date: nothing recorded
