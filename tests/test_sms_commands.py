"""The command table and the inbound core, without HTTP: what each keyword does to the journey."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from scheduler.rules import Delays
from sms import commands, inbound
from sms import keywords as kw
from tests import sms_wording
from tests.conftest import FIXED_NOW
from webapp import journey
from webapp.store import messages as message_store
from webapp.store import people, reminders

PHONE = "+33612345678"


@pytest.fixture
def clock(app):
    return journey.Clock(FIXED_NOW, Delays.from_config(app.config))


@pytest.fixture
def person(db, clock):
    return journey.person_for(db, PHONE, "en", clock)


@pytest.fixture
def run(app, db, clock, person):
    """Run one command as the person, the way the core does."""
    def run(command: str, *args: str) -> str:
        fresh = people.person_by_id(db, person["id"])
        with app.app_context():
            return commands.run(command, commands.Context(db, fresh, args, clock, app.config))
    return run


def test_every_command_of_the_parser_has_a_function():
    parsed = {k.command for k in kw.KEYWORDS + kw.STOP_WORDS} | {kw.UNKNOWN}
    assert parsed == set(commands.COMMANDS)


def test_sent_online_today_plans_the_card_reminders(run, db, person, clock):
    reply = run(kw.SENT, "ONLINE")
    assert "02/03/2026" in reply and "16/03/2026" in reply  # online: 14 days
    application = people.application(db, person["id"])
    assert (application["method"], application["sent_on"]) == ("online", "2026-03-02")
    kinds = {r["kind"] for r in reminders.for_person(db, person["id"]) if r["state"] == "scheduled"}
    assert kinds == {"card_due", "card_followup"}


def test_sent_with_a_date_infers_the_year(run, db, person):
    run(kw.SENT, "POST", "25/12")  # 25 December is after today (2 March): last year
    assert people.application(db, person["id"])["sent_on"] == "2025-12-25"


@pytest.mark.parametrize("args", [(), ("BY", "PIGEON"), ("ONLINE", "POST")])
def test_sent_without_a_clear_method_explains_and_records_nothing(run, db, person, args):
    assert "SENT ONLINE or SENT POST" in run(kw.SENT, *args)
    assert people.application(db, person["id"]) is None


def test_sent_forgives_a_typo_in_the_method(run, db, person):
    run(kw.SENT, "ONLIEN")
    assert people.application(db, person["id"])["method"] == "online"


@pytest.mark.parametrize("args", [
    ("POST", "5", "03"), ("COURRIER", "3", "JANVIER"), ("INTERNET", "HIER"), ("POST", "?"),
    ("POST", "01/02", "03/02"), ("POST", "29/02"), ("ONLINE", "5/3/202"),
])
def test_sent_with_words_that_are_not_a_date_records_nothing(run, db, person, args):
    assert run(kw.SENT, *args).startswith("We could not read that date.")
    assert people.application(db, person["id"]) is None


@pytest.mark.parametrize("args", [("02", "01"), ("3", "JANVIER"), ("HIER",), ("?",), ("01/02", "03/02"), ("29/02",)])
def test_claim_with_words_that_are_not_a_date_records_nothing(run, db, person, args):
    assert run(kw.CLAIM, *args).startswith("We could not read that date.")
    assert people.claims(db, person["id"]) == []


@pytest.mark.parametrize(("command", "args", "method"), [
    (kw.SENT, ("PAR", "LA", "POSTE", "LE", "05/02"), "post"), (kw.SENT, ("EN", "LIGNE"), "online"),
    (kw.SENT, ("BY", "POST", "ON", "05/02"), "post"),
])
def test_sent_understands_little_words_around_the_method_and_date(run, db, person, command, args, method):
    run(command, *args)
    assert people.application(db, person["id"])["method"] == method


def test_claim_understands_a_little_word_before_the_date(run, db, person):
    run(kw.CLAIM, "DU", "05/02")
    assert people.claims(db, person["id"])[0]["posted_on"] == "2026-02-05"


def test_a_future_date_is_refused(run, db, person):
    assert "future" in run(kw.CLAIM, "01/01/2099")
    assert people.claims(db, person["id"]) == []


def test_card_stops_the_card_reminders(run, db, person):
    run(kw.SENT, "ONLINE")
    run(kw.CARD)
    assert people.application(db, person["id"])["card_received_on"] == "2026-03-02"
    assert not [r for r in reminders.for_person(db, person["id"]) if r["state"] == "scheduled"]


def test_claim_and_paid(run, db, person):
    assert "feuille de soins 1 posted on 20/02/2026" in run(kw.CLAIM, "20/02")
    assert "feuille de soins 2" in run(kw.CLAIM)
    assert {r["subject"] for r in reminders.for_person(db, person["id"]) if r["state"] == "scheduled"} == {"1", "2"}
    paid = "Noted: feuille de soins {} is paid, no more reminders for it. Send STATUS to see where you stand."
    assert run(kw.PAID) == paid.format(1)  # the oldest open one
    assert run(kw.PAID, "1").startswith("We have no unpaid")
    assert run(kw.PAID, "2") == paid.format(2)
    assert people.claims(db, person["id"], open_only=True) == []


def test_status_tells_the_application_the_card_date_and_each_claim_with_its_due_date(run):
    assert run(kw.STATUS).startswith("No application recorded.")
    run(kw.SENT, "POST", "20/02")
    run(kw.CLAIM, "01/02")
    assert run(kw.STATUS) == ("Applied by post on 20/02/2026. Card on its way: expected 13/03/2026, in 11 days."
                              " Feuille 1 posted 01/02/2026: paid back by 03/03/2026. Send CARD when it comes.")


def test_status_says_when_the_card_is_late_and_when_it_came(run, db, person, clock):
    run(kw.SENT, "ONLINE", "01/01")
    assert "not here yet: call your caisse on 3646" in run(kw.STATUS)  # due 15/01, call from 22/01
    run(kw.CARD)
    assert "Card arrived on 02/03/2026." in run(kw.STATUS)


def test_lang_switches_and_answers_in_the_new_language(run, db, person):
    reply = run(kw.LANG, "FR")
    assert people.person_by_id(db, person["id"])["lang"] == "fr"
    assert "LANGUE EN" in reply
    assert "LANGUE FR" in run(kw.LANG, "KLINGON")  # an unknown language: how to choose, in French now
    assert people.person_by_id(db, person["id"])["lang"] == "fr"


def test_stop_mutes_and_start_brings_reminders_back(run, db, person):
    run(kw.SENT, "ONLINE")
    run(kw.STOP)
    assert people.person_by_id(db, person["id"])["opted_out_at"]
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"muted"}
    run(kw.START)
    assert people.person_by_id(db, person["id"])["opted_out_at"] is None
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"scheduled"}


def test_delete_erases_the_person(run, db, person):
    run(kw.CLAIM)
    assert run(kw.DELETE).startswith("We have deleted everything")
    assert people.person_by_id(db, person["id"]) is None
    assert db.execute("SELECT COUNT(*) FROM claims").fetchone()[0] == 0


# -- the core: once per MessageSid, a budget, loop protection ---------------------------------
def handle(app, db, body, sid, now=FIXED_NOW, sender=PHONE):
    with app.app_context():
        return inbound.handle(db, app.config, inbound.Inbound(sender, body, sid), now=now)


def test_the_same_sid_is_applied_once(app, db):
    first = handle(app, db, "CLAIM", "SM1")
    assert handle(app, db, "CLAIM", "SM1") == first
    person = people.person_by_phone(db, PHONE)
    assert len(people.claims(db, person["id"])) == 1


def different_texts(count: int) -> list[str]:
    """`count` texts loop protection tells apart (letters differ, not only digits): only the budget can
    hold a reply back."""
    words = ["HELP", "RIB", "STATUS", "AIDE", "ETAT", "INFO", "?", "hello", "bonjour", "RIB ?"]
    return (words + [f"question {chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(count)])[:count]


def test_the_reply_budget_is_per_hour_and_per_number(app, db):
    budget = app.config["SMS_MAX_REPLIES_PER_HOUR"]
    answers = [handle(app, db, body, f"SM{i}") for i, body in enumerate(different_texts(budget + 1))]
    assert all(answers[:budget]) and answers[budget] is None
    assert handle(app, db, "RIB", "SMother", sender="+33698765432")  # another number is not affected
    later = FIXED_NOW + timedelta(hours=1, minutes=1)
    assert handle(app, db, "RIB", "SMlater", now=later)  # an hour on, answers again


@pytest.mark.parametrize(("body", "reply"), [("STOP", "You will get no more messages"),
                                             ("DELETE", "We have deleted everything")])
def test_stop_and_delete_confirmations_are_outside_the_budget(app, db, body, reply):
    for i, text in enumerate(different_texts(app.config["SMS_MAX_REPLIES_PER_HOUR"])):
        handle(app, db, text, f"SM{i}")
    assert handle(app, db, "HELP", "SMx") is None
    assert handle(app, db, body, "SMconfirm").startswith(reply)


def test_loop_protection_counts_the_same_text_in_the_last_hour(app, db):
    limit = app.config["SMS_MAX_REPEATS_PER_HOUR"]
    answers = [handle(app, db, "HELLO", f"SM{i}", now=FIXED_NOW + timedelta(minutes=i)) for i in range(limit + 2)]
    assert [a is not None for a in answers] == [True] * limit + [False, False]
    assert handle(app, db, "HELLO", "SMnext", now=FIXED_NOW + timedelta(hours=2))


def test_delete_sent_again_and_again_is_answered_once_an_hour(app, db):
    handle(app, db, "SENT ONLINE", "SM0")
    minutes = [FIXED_NOW + timedelta(minutes=i) for i in range(1, 6)]
    answers = [handle(app, db, "DELETE", f"SMdel{i}", now=at) for i, at in enumerate(minutes)]
    assert [a is not None for a in answers] == [True, False, False, False, False]  # erased at the first
    assert people.person_by_phone(db, PHONE) is None
    later = minutes[0] + timedelta(hours=1, seconds=1)
    assert handle(app, db, "DELETE", "SMdel-later", now=later)  # an hour on, answered again


def test_delete_from_a_number_we_never_knew_is_answered_once_an_hour(app, db):
    answers = [handle(app, db, "SUPPRIMER", f"SM{i}", now=FIXED_NOW + timedelta(minutes=i)) for i in range(5)]
    assert [a is not None for a in answers] == [True, False, False, False, False]
    assert handle(app, db, "SUPPRIMER", "SMother", sender="+33698765432")  # another number is not affected


def test_the_reply_budget_outlives_delete(app, db):
    budget = app.config["SMS_MAX_REPLIES_PER_HOUR"]
    answers = [handle(app, db, body, f"SM{i}") for i, body in enumerate(different_texts(budget - 1))]
    assert all(answers) and handle(app, db, "DELETE", "SMdel")  # the last reply of the hour's budget
    assert people.person_by_phone(db, PHONE) is None
    assert handle(app, db, "HELP", "SMagain") is None  # a new person, but the same number's hour
    assert handle(app, db, "DELETE", "SMdel2") is None
    later = FIXED_NOW + timedelta(hours=1, minutes=1)
    assert handle(app, db, "HELP", "SMlater", now=later)


def test_a_person_helped_and_erased_over_and_over_gets_the_hourly_budget(app, db):
    budget = app.config["SMS_MAX_REPLIES_PER_HOUR"]
    answers = [handle(app, db, body, f"SM{i}", now=FIXED_NOW + timedelta(seconds=i))
               for i, body in enumerate(["HELP", "DELETE"] * budget)]
    assert sum(a is not None for a in answers) == budget  # the erased log's replies still count
    assert answers[1] and answers[3::2] == [None] * (budget - 1)  # DELETE: confirmed once an hour


def test_every_inbound_and_reply_is_logged_with_encoding_and_segments(app, db):
    handle(app, db, "Bonjour 🙂", "SMa")
    inbound_row, reply_row = reversed(message_store.log(db, PHONE))
    assert (inbound_row["direction"], inbound_row["encoding"], inbound_row["twilio_sid"]) == ("inbound", "UCS-2", "SMa")
    assert (reply_row["direction"], reply_row["encoding"], reply_row["segments"]) == ("outbound", "GSM-7", 1)
    assert reply_row["reply_to"] == inbound_row["id"]


def test_a_first_french_keyword_makes_a_french_speaker(app, db):
    reply = handle(app, db, "aide", "SMfr", sender="+33611111111")
    assert people.person_by_phone(db, "+33611111111")["lang"] == "fr"
    assert reply.startswith("Rappels et aide pour la carte Vitale.")
    handle(app, db, "help", "SMen", sender="+33611111111")
    assert people.person_by_phone(db, "+33611111111")["lang"] == "fr"


def test_dates_use_the_local_calendar(app, db):
    # 23:30 UTC on 1 March is already 2 March in Paris
    handle(app, db, "CLAIM", "SMlate", now=FIXED_NOW.replace(day=1, hour=23, minute=30))
    person = people.person_by_phone(db, PHONE)
    assert people.claims(db, person["id"])[0]["posted_on"] == date(2026, 3, 2).isoformat()


def journey_state(db):
    """What a text could change about the person: opt-out, application, claims, reminders."""
    person = people.person_by_phone(db, PHONE)
    return (person["opted_out_at"], people.application(db, person["id"]), people.claims(db, person["id"]),
            reminders.for_person(db, person["id"]))


# (texts sent first, a text that must change nothing and still be answered)
UNCLEAR_TEXTS = [
    (["SENT ONLINE"], "card not arrived yet"), (["SENT ONLINE"], "carte ?"), (["SENT ONLINE"], "CAR"),
    (["CLAIM"], "PAID X"), (["CLAIM"], "PAYE DEUX"), (["CLAIM"], "paye ?"), (["CLAIM"], "PAID 05/03"),
    (["CLAIM"], "PAID 1 2"), (["CLAIM"], "deleted"), (["CLAIM"], "DELETE my appointment"),
    (["CLAIM"], "suprimer"), (["CLAIM"], "Top merci"), (["CLAIM"], "SHOP"), (["CLAIM"], "cancel my appointment"),
    (["SENT ONLINE"], "CARTE 2 95 10 99 126 111 93"),
]


@pytest.mark.parametrize(("before", "body"), UNCLEAR_TEXTS, ids=[body for _before, body in UNCLEAR_TEXTS])
def test_unclear_texts_change_nothing_and_get_a_hint(app, db, before, body):
    for index, setup in enumerate(before):
        handle(app, db, setup, f"SMbefore{index}")
    state = journey_state(db)
    assert handle(app, db, body, "SMunclear")
    assert journey_state(db) == state


# -- dates: none before 2000, and a day and month long past ask for the year ----------------------
@pytest.mark.parametrize("body", ["CLAIM 1/1/0100", "CLAIM 01/01/0001", "SENT POST 3/3/1999", "FEUILLE 31/12/1999",
                                  "ENVOI COURRIER 05/03/0999"])
def test_a_date_before_2000_is_refused_and_records_nothing(app, db, body):
    handle(app, db, "HELP", "SMfirst")
    state = journey_state(db)
    assert handle(app, db, body, "SMold").startswith("We could not read that date.")
    assert journey_state(db) == state


# Today is 2 March 2026 (FIXED_NOW): 3 March would be 364 days back, 30 August 184.
@pytest.mark.parametrize(("first", "body", "reply"), [
    ("HELP", "CLAIM 03/03", "Please add the year to the date, for example 02/03/2026."),
    ("HELP", "SENT POST 30/08", "Please add the year to the date, for example 02/03/2026."),
    ("AIDE", "FEUILLE 03/03", "Ajoutez l'année à la date, par exemple 02/03/2026."),
    ("AIDE", "ENVOI COURRIER 15/04", "Ajoutez l'année à la date, par exemple 02/03/2026."),
])
def test_a_day_and_month_long_past_asks_for_the_year_and_records_nothing(app, db, first, body, reply):
    handle(app, db, first, "SMfirst")
    state = journey_state(db)
    assert handle(app, db, body, "SMyear") == reply
    assert journey_state(db) == state
    assert handle(app, db, f"{body}/2025", "SMwithyear").startswith("Not")  # Noted / Note


@pytest.mark.parametrize(("body", "posted_on"), [("CLAIM 28/12", "2025-12-28"), ("CLAIM 31/08", "2025-08-31")])
def test_a_day_and_month_within_six_months_still_takes_the_last_such_day(app, db, body, posted_on):
    assert handle(app, db, body, "SMrecent").startswith("Noted")
    assert people.claims(db, people.person_by_phone(db, PHONE)["id"])[0]["posted_on"] == posted_on


# -- loop protection on folded text, one STOP confirmation an hour (SMS pumping) --------------
STOP_VARIANTS = ([f"STOP {n}" for n in range(20)] + [f"please stop{'!' * n}" for n in range(1, 21)]
                 + [f"Arrêt {n}" for n in range(20)])


def test_sixty_stop_variants_in_an_hour_get_one_confirmation_and_opt_out(app, db):
    assert len(set(STOP_VARIANTS)) == 60
    answers = [handle(app, db, body, f"SMstop{i}", now=FIXED_NOW + timedelta(seconds=59 * i))
               for i, body in enumerate(STOP_VARIANTS)]
    assert answers[0] and answers[1:] == [None] * 59
    assert people.person_by_phone(db, PHONE)["opted_out_at"]
    assert db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'outbound'").fetchone()[0] == 1


def test_a_stop_after_start_within_the_hour_is_applied_silently_and_confirmed_an_hour_on(app, db):
    at = [FIXED_NOW + timedelta(minutes=minutes) for minutes in (0, 10, 40, 61)]
    assert handle(app, db, "STOP", "SMs1", now=at[0])
    assert handle(app, db, "START", "SMs2", now=at[1])
    assert handle(app, db, "stop please", "SMs3", now=at[2]) is None
    assert people.person_by_phone(db, PHONE)["opted_out_at"]  # applied all the same
    assert handle(app, db, "ARRET", "SMs4", now=at[3])  # the hour since the confirmation is over


def test_stop_and_delete_over_and_over_get_one_stop_confirmation_an_hour(app, db):
    answers = [handle(app, db, body, f"SMsd{i}", now=FIXED_NOW + timedelta(minutes=i))
               for i, body in enumerate(["STOP", "DELETE"] * 10)]
    assert answers[0] and answers[2::2] == [None] * 9  # DELETE erased the log, not the hour's count


@pytest.mark.parametrize("bodies", [
    ["HELP 1", "help 2!!", "Help, 3.", "HELP  4", "hélp 5 ?", "HELP... 6"],
    ["Your message was received. Thank you! #1", "your message was received thank you (2)",
     "YOUR MESSAGE WAS RECEIVED - THANK YOU 3", "Your message was received. Thank you! #4",
     "your message was received... thank you 5", "Your Message Was Received, Thank You #6"],
    ["YES 1", "yes 2", "Yes. 3", "Y E S 4", "yes 5", "yes 6", "YES!!! 7"],
    ["مرحبا ١", "مرحبا ٢", "مرحبا ٣", "مرحبا ٤", "مرحبا ٥", "مرحبا ٦"],
])
def test_a_loop_of_the_same_words_is_cut_whatever_digits_case_accents_punctuation_or_spaces(app, db, bodies):
    answers = [handle(app, db, body, f"SMloop{i}", now=FIXED_NOW + timedelta(minutes=i))
               for i, body in enumerate(bodies)]
    limit = app.config["SMS_MAX_REPEATS_PER_HOUR"]
    assert len(bodies) > limit
    assert [a is not None for a in answers] == [True] * limit + [False] * (len(bodies) - limit)
    after = FIXED_NOW + timedelta(minutes=len(bodies))
    assert handle(app, db, "STATUS", "SMstatus", now=after)  # other commands are still answered
    assert handle(app, db, "RIB", "SMrib", now=after)


@pytest.mark.parametrize("bodies", [
    ["HELP", "RIB", "STATUS", "AIDE", "ETAT"],
    ["مرحبا", "متى", "نعم", "لا", "سلام"],  # letters of every script count, not only A-Z
    ["Bonjour", "Bonsoir", "Bon", "Bonjour monsieur", "Bonjour madame"],
])
def test_different_texts_are_all_answered(app, db, bodies):
    answers = [handle(app, db, body, f"SMdiff{i}", now=FIXED_NOW + timedelta(minutes=i))
               for i, body in enumerate(bodies)]
    assert all(answers)



# -- HELP <word>: the details of one word, in en or fr, typos forgiven as in keywords ---------------------
@pytest.mark.parametrize(("words", "name"), [
    (("CARD",), "help_card"), (("CARTE",), "help_card"), (("CRAD",), "help_card"),
    (("CLAIM",), "help_claim"), (("FEUILLE",), "help_claim"), (("FEUILE",), "help_claim"),
    (("SENT",), "help_sent"), (("ENVOI",), "help_sent"), (("PAID",), "help_paid"), (("PAYE",), "help_paid"),
    (("STATUS",), "help_status"), (("ETAT",), "help_status"), (("START",), "help_stop"),
    (("DELETE",), "help_delete"), (("SUPPRIMER",), "help_delete"), (("LANG",), "help_lang"),
    (("LANGUE",), "help_lang"), (("RIB",), "rib"),
    ((), "help"), (("?",), "help"), (("PLEASE",), "help"), (("HELP",), "help"), (("1",), "help"),
])
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_with_a_word_gives_that_words_details(app, db, clock, person, words, name, lang):
    with app.app_context():
        reply = commands.run(kw.HELP, commands.Context(db, dict(person, lang=lang), words, clock, app.config))
    assert reply == sms_wording.wording(lang, name)


@pytest.mark.parametrize(("body", "name"), [("HELP CARD", "help_card"), ("AIDE FEUILLE", "help_claim"),
                                            ("aide carte", "help_card"), ("help sent", "help_sent")])
def test_help_topics_arrive_through_the_core(app, db, body, name):
    lang = "fr" if body.upper().startswith("AIDE") else "en"
    assert handle(app, db, body, "SMtopic", sender="+33622222222") == sms_wording.wording(lang, name)


def test_help_stop_stops_and_its_confirmation_says_how_to_come_back(app, db):
    # a stop is heard first, whatever comes before it: HELP STOP opts out; START's details are HELP START
    assert handle(app, db, "HELP STOP", "SMhs") == sms_wording.wording("fr", "stop")  # STOP: no language, French
    assert people.person_by_phone(db, PHONE)["opted_out_at"]
