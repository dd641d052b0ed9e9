"""Whole conversations against the defences: a newcomer's first session is answered text by text, while loops,
STOP floods, SMS pumping, a number texting all day and a burst across many numbers stay capped.

The first session goes through the real webhook, signed as Twilio signs it; the others through the inbound
core with a clock, as they span minutes and hours.
"""
from __future__ import annotations

import logging
import string
from datetime import timedelta

import pytest

from sms import inbound, phones
from sms.segments import measure
from tests.conftest import FIXED_NOW, VALID_NUMBER
from tests.sms_wording import wording
from tests.twilio_signing import ACCOUNT_SID, inbound_params, signed_post, twiml_messages
from webapp.store import messages as message_store
from webapp.store import people

PHONE = "+33612345678"
TOKEN = "conversation-token"
# A newcomer's first hour, as the issue tells it: 20 texts, STATUS four times among them.
FIRST_SESSION = ["HELP", "AIDE", "LANG EN", "SENT POST", "STATUS", "CLAIM", "STATUS", "PAID", "CARD", "STATUS",
                 "RIB", "HELP CARD", "ETAT", "SENT ONLINE", "CLAIM", "PAID 2", "LANG FR", "START", "STATUS",
                 "DELETE"]
NIR_WARNING = {
    "en": "Do not send your social security number by SMS: we have deleted it.",
    "fr": "N'envoyez pas votre numéro de sécurité sociale par SMS : nous l'avons effacé.",
}


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID=ACCOUNT_SID,
                PUBLIC_BASE_URL="https://sms.example.org")


def text(client, app, body: str, sender: str = PHONE) -> list[str]:
    """Text the service through the signed webhook; the replies in its TwiML answer."""
    response = signed_post(client, app, "/sms/inbound", inbound_params(sender, body))
    assert response.status_code == 200, response.data
    return twiml_messages(response.data)


def respond(app, db, body: str, at, sender: str = PHONE, sid: str | None = None) -> inbound.Outcome:
    """Text the service through the inbound core at the instant `at`."""
    with app.app_context():
        message = inbound.Inbound(sender, body, sid or f"SM{at.timestamp():.0f}{body!r}{sender}")
        return inbound.respond(db, app.config, message, now=at)


def words(index: int) -> str:
    """A text of its own for each index, in letters (loop protection folds digits away): "ask b", "ask ba"."""
    letters = ""
    while True:
        index, digit = divmod(index, 26)
        letters = string.ascii_lowercase[digit] + letters
        if not index:
            return f"ask {letters}"


def replies(db) -> int:
    return db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'outbound'").fetchone()[0]


# -- a person is never cut off ----------------------------------------------------------------
def test_a_first_session_of_twenty_texts_is_answered_text_by_text(client, app, db):
    answers = [text(client, app, body) for body in FIRST_SESSION]
    assert {body: len(answer) for body, answer in zip(FIRST_SESSION, answers, strict=True)} == {
        body: 1 for body in FIRST_SESSION}
    assert all(answer[0] for answer in answers)
    assert answers[-1] == [wording("fr", "delete")]  # LANG FR came before: DELETE is confirmed in French
    assert people.person_by_phone(db, PHONE) is None


@pytest.mark.parametrize("thanks", [["merci", "ok"], ["Merci !", "OK", "👍", "thanks"]])
def test_thanks_and_ok_in_the_middle_get_no_paid_reply_and_spend_nothing(app, db, thanks):
    budget = app.config["SMS_MAX_REPLIES_PER_HOUR"]
    bodies = [words(i) for i in range(budget)]
    bodies[5:5] = thanks
    outcomes = [respond(app, db, body, FIXED_NOW + timedelta(seconds=i)) for i, body in enumerate(bodies)]
    assert [o.silent_because for o in outcomes if o.reply is None] == [inbound.NOTHING_TO_SAY] * len(thanks)
    assert replies(db) == budget  # every other text of the hour answered


# (the confirmation, a variant within the hour, the reply to it) once a number's budget is spent
CONFIRMED = [("STOP", "STOP please", "stop", inbound.STOP_CONFIRMED),
             ("DELETE", "SUPPRIMER", "delete", inbound.DELETE_CONFIRMED)]


@pytest.mark.parametrize(("first", "again", "name", "reason"), CONFIRMED)
@pytest.mark.parametrize("spent", ["SMS_MAX_REPLIES_PER_HOUR", "SMS_MAX_REPLIES_PER_DAY"])
def test_stop_and_delete_are_confirmed_past_the_budgets_once_an_hour(app, db, spent, first, again, name, reason):
    app.config["SMS_MAX_REPLIES_PER_HOUR" if spent.endswith("DAY") else "SMS_MAX_REPLIES_PER_DAY"] = 1000
    budget = app.config[spent]
    for i in range(budget):
        assert respond(app, db, words(i), FIXED_NOW + timedelta(seconds=i)).reply
    late = FIXED_NOW + timedelta(minutes=5)
    assert respond(app, db, "HELP", late).silent_because == (
        inbound.BUDGET if spent.endswith("HOUR") else inbound.DAILY_BUDGET)
    assert respond(app, db, first, late + timedelta(seconds=1)).reply == wording("en", name)
    assert respond(app, db, again, late + timedelta(seconds=2)).silent_because == reason
    if name == "delete":
        assert people.person_by_phone(db, PHONE) is None  # erased all the same
        assert respond(app, db, first, late + timedelta(hours=1, seconds=2)).reply == wording("en", name)


def test_a_retried_delete_gets_its_answer_again_and_a_new_one_does_not(app, db):
    respond(app, db, "HELP", FIXED_NOW)
    assert respond(app, db, "DELETE", FIXED_NOW, sid="SMdel").reply == wording("en", "delete")
    assert respond(app, db, "DELETE", FIXED_NOW + timedelta(seconds=5), sid="SMdel").reply == wording("en", "delete")
    assert respond(app, db, "DELETE", FIXED_NOW + timedelta(seconds=6)).silent_because == inbound.DELETE_CONFIRMED


# -- machines are capped ------------------------------------------------------------------------
def test_an_auto_reply_loop_of_fifty_texts_is_cut_at_the_repeat_limit(app, db):
    loop = [f"Thank you for your message ({n}). We will get back to you soon!" for n in range(1, 51)]
    outcomes = [respond(app, db, body, FIXED_NOW + timedelta(seconds=20 * i)) for i, body in enumerate(loop)]
    limit = app.config["SMS_MAX_REPEATS_PER_HOUR"]
    assert [o.reply is not None for o in outcomes] == [True] * limit + [False] * (50 - limit)
    assert {o.silent_because for o in outcomes[limit:]} == {inbound.LOOP}
    assert replies(db) == limit


STOP_VARIANTS = ([f"STOP {n}" for n in range(20)] + [f"please stop{'!' * n}" for n in range(1, 21)]
                 + [f"Arrêt {n}" for n in range(20)])


def test_sixty_distinct_stop_variants_get_one_reply_and_opt_out(app, db):
    assert len(set(STOP_VARIANTS)) == 60
    outcomes = [respond(app, db, body, FIXED_NOW + timedelta(seconds=30 * i)) for i, body in enumerate(STOP_VARIANTS)]
    assert [o.reply for o in outcomes] == [wording("fr", "stop")] + [None] * 59  # a new number: French
    assert people.person_by_phone(db, PHONE)["opted_out_at"]


def test_a_number_texting_all_day_gets_the_daily_budget_and_no_more(app, db, caplog):
    hourly, daily = app.config["SMS_MAX_REPLIES_PER_HOUR"], app.config["SMS_MAX_REPLIES_PER_DAY"]
    texts, answered, reasons = 0, 0, set()
    for hour in range(24):
        for minute in range(hourly + 5):  # more texts each hour than the hourly budget
            outcome = respond(app, db, words(texts), FIXED_NOW + timedelta(hours=hour, minutes=minute))
            texts += 1
            answered += outcome.reply is not None
            reasons.add(outcome.silent_because)
    assert answered == daily == replies(db)
    assert reasons == {None, inbound.BUDGET, inbound.DAILY_BUDGET}
    assert f"{daily} replies in the last 24 hours" in caplog.text
    next_day = FIXED_NOW + timedelta(days=1, hours=1)
    assert respond(app, db, "HELP", next_day).reply


def test_the_global_ceiling_holds_across_numbers_and_says_so_in_the_log(app, db, caplog):
    app.config["SMS_MAX_REPLIES_PER_HOUR_ALL"] = 5
    senders = [f"+3361234560{n}" for n in range(8)]
    outcomes = [respond(app, db, "HELP", FIXED_NOW + timedelta(seconds=i), sender=s) for i, s in enumerate(senders)]
    assert [o.reply is not None for o in outcomes] == [True] * 5 + [False] * 3
    assert {o.silent_because for o in outcomes[5:]} == {inbound.CEILING}
    assert "5 replies to all numbers in the last hour (SMS_MAX_REPLIES_PER_HOUR_ALL)" in caplog.text
    assert all(r.levelno == logging.WARNING for r in caplog.records if "SMS_MAX_REPLIES_PER_HOUR_ALL" in r.message)
    stop = respond(app, db, "STOP", FIXED_NOW + timedelta(seconds=10), sender=senders[6])
    assert stop.reply is None and people.person_by_phone(db, senders[6])["opted_out_at"]  # applied all the same
    assert respond(app, db, "HELP", FIXED_NOW + timedelta(hours=1, seconds=6), sender=senders[7]).reply


def test_the_global_ceiling_counts_the_replies_a_delete_erased(app, db):
    app.config["SMS_MAX_REPLIES_PER_HOUR_ALL"] = 3
    for i, body in enumerate(["HELP", "RIB", "DELETE"]):
        assert respond(app, db, body, FIXED_NOW + timedelta(seconds=i)).reply
    assert respond(app, db, "HELP", FIXED_NOW + timedelta(seconds=5), sender="+33698765432").silent_because == (
        inbound.CEILING)


def uk_mobiles(count: int) -> list[str]:
    """Valid British mobile numbers (a country the default settings do not answer)."""
    numbers = [f"+4474001{n:05d}" for n in range(count)]
    assert all(phones.normalise(number) == number for number in numbers)
    return numbers


def test_sms_pumping_from_a_country_not_allowed_gets_no_reply_but_stop_still_opts_out(app, db, caplog):
    caplog.set_level(logging.INFO)
    burst = uk_mobiles(40)
    outcomes = [respond(app, db, body, FIXED_NOW + timedelta(seconds=i), sender=number)
                for i, number in enumerate(burst) for body in ("HELP", "STATUS")]
    assert {(o.reply, o.silent_because) for o in outcomes} == {(None, inbound.COUNTRY)}
    assert replies(db) == 0
    assert db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'inbound'").fetchone()[0] == 80  # logged
    assert respond(app, db, "STOP", FIXED_NOW + timedelta(minutes=2), sender=burst[0]).reply is None
    assert people.person_by_phone(db, burst[0])["opted_out_at"]
    assert respond(app, db, "DELETE", FIXED_NOW + timedelta(minutes=3), sender=burst[1]).reply is None
    assert people.person_by_phone(db, burst[1]) is None  # erased all the same
    assert f"no reply to {phones.mask(burst[0])}: not in SMS_REPLY_COUNTRIES" in caplog.text


@pytest.mark.parametrize(("countries", "sender", "answered"), [
    (None, "+33612345678", True), (None, "+262692123456", True),  # La Réunion
    (None, "+262639012345", True), (None, "+590690001234", True),  # Mayotte, Guadeloupe
    (None, "+596696201234", True), (None, "+594694201234", True),  # Martinique, Guyane
    (None, "+508551234", True), (None, "+687751234", True), (None, "+68987123456", True),  # PM, NC, PF
    (None, "+681821234", True), (None, "+447400123456", False), (None, "+12025550123", False),  # WF, GB, US
    (("FR", "GB"), "+447400123456", True), (("FR", "GB"), "+262692123456", False),
    (("BL",), "+590690001234", True),  # Saint-Barthélemy shares Guadeloupe's plan: valid for both
])
def test_only_the_countries_the_operator_allows_get_replies(app, db, countries, sender, answered):
    if countries:
        app.config["SMS_REPLY_COUNTRIES"] = countries
    outcome = respond(app, db, "HELP", FIXED_NOW, sender=sender)
    assert (outcome.reply is not None, outcome.silent_because) == (answered, None if answered else inbound.COUNTRY)
    assert people.person_by_phone(db, sender) is not None  # applied either way


# -- a texted social security number ------------------------------------------------------------
@pytest.mark.parametrize(("first", "body", "lang"), [
    ("HELP", f"RIB {VALID_NUMBER}", "en"), ("AIDE", f"Mon numéro est {VALID_NUMBER}", "fr"),
    ("HELP", VALID_NUMBER.replace(" ", ""), "en"),
])
def test_a_texted_social_security_number_gets_the_warning_before_the_reply(client, app, db, first, body, lang):
    text(client, app, first)
    reply, = text(client, app, body)
    assert reply.startswith(NIR_WARNING[lang] + " ") and len(reply) > len(NIR_WARNING[lang]) + 10
    assert measure(reply).segments <= 2
    assert VALID_NUMBER.replace(" ", "") not in "".join(m["body"].replace(" ", "") for m in message_store.log(db))


def test_the_warning_alone_when_it_and_the_reply_do_not_fit_two_segments(app, db):
    respond(app, db, "SENT POST 01/02/2026", FIXED_NOW)
    for n in range(8):  # a STATUS that fills its two segments
        respond(app, db, f"CLAIM 0{n + 1}/02/2026", FIXED_NOW + timedelta(seconds=n + 1))
    full = respond(app, db, "STATUS", FIXED_NOW + timedelta(minutes=1)).reply
    assert measure(full).segments == 2
    assert respond(app, db, f"STATUS {VALID_NUMBER}", FIXED_NOW + timedelta(minutes=2)).reply == NIR_WARNING["en"]


@pytest.mark.parametrize("body", [f"merci {VALID_NUMBER}", VALID_NUMBER])
def test_a_social_security_number_alone_or_with_thanks_still_gets_the_warning(app, db, body):
    outcome = respond(app, db, body, FIXED_NOW)
    assert outcome.reply is not None and outcome.reply.startswith(NIR_WARNING["fr"])  # a new number: French
