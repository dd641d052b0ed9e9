"""Reminders by SMS without JavaScript: the page says what is texted, when, what it costs and how to stop; the
number, the code from the outbox, the token in the session, and what the session held merged with SMS."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest

from sms import inbound
from tests.strict_html import CheckedClient, text_of
from webapp import api_link, link, link_pages, mydates, sync
from webapp.app import create_app
from webapp.i18n import LANGUAGES
from webapp.store import people

PHONE = "+33612345678"
DAY = date(2026, 3, 18)
NOW = datetime.combine(DAY, time(12), tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_now(monkeypatch):
    for module in (link_pages, mydates, api_link):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)


def post(pages, url, **data):
    return pages.post(url, data={"csrf_token": pages.csrf(url), **data})


def ask(pages, phone="06 12 34 56 78", lang="en", text_lang="en"):
    return post(pages, f"/{lang}/reminders", phone=phone, text_lang=text_lang)


def last_code(db, phone=PHONE) -> str:
    [body] = [row[0] for row in db.execute("SELECT body FROM messages WHERE phone = ? ORDER BY id DESC LIMIT 1",
                                           (phone,))]
    return re.search(r"\b[0-9]{6}\b", body).group()


def summary(tree) -> dict[str, str]:
    box = tree.find(".//div[@data-error-summary]")
    return {} if box is None else {a.get("href"): text_of(a) for a in box.iter("a")}


def paragraphs(tree) -> list[str]:
    return [text_of(p) for p in tree.iter("p")] + [text_of(li) for li in tree.iter("li")]


@pytest.mark.parametrize(("lang", "says"), [
    ("en", ["Give us your mobile number and we text you when something needs doing. Until you enter the code we"
            " text you, nothing you write in this app leaves this phone.",
            "When your carte Vitale should have come: 14 days after you applied online, 21 days after you applied"
            " by post. If it has still not come 7 days later, we text you once more.",
            "When a feuille de soins you posted is not paid back 30 days later, and once more 15 days after that.",
            "Nothing. Our texts are free for you.",
            "Reply STOP to any of our texts: you get no more texts from us. Stop reminders, or delete your data,"
            " from this phone"]),
    ("fr", ["Donnez votre numéro de portable : nous vous envoyons un SMS quand il faut agir. Tant que vous n’avez"
            " pas entré le code reçu par SMS, rien de ce que vous écrivez ici ne quitte ce téléphone.",
            "Quand votre carte Vitale devrait être arrivée : 14 jours après une demande en ligne, 21 jours après une"
            " demande par courrier. Si elle n’est toujours pas là 7 jours plus tard, nous vous écrivons une"
            " dernière fois.",
            "Quand une feuille de soins envoyée n’est pas remboursée 30 jours plus tard, puis une dernière fois 15"
            " jours après.",
            "Rien. Nos SMS sont gratuits pour vous.",
            "Répondez STOP à l’un de nos SMS : vous ne recevez plus rien de nous. Arrêter les rappels, ou effacer"
            " vos données, depuis ce téléphone"]),
])
def test_the_page_says_what_is_texted_when_what_it_costs_and_how_to_stop(pages, lang, says):
    tree = pages.get(f"/{lang}/reminders").tree
    shown = paragraphs(tree)
    for sentence in says:
        assert sentence in shown
    assert tree.find(f".//a[@href='/{lang}/leave']") is not None
    form = tree.find(".//form[@method='post']")
    assert [i.get("name") for i in form.iter("input")] == ["csrf_token", "phone"] + ["text_lang"] * len(LANGUAGES)
    assert tree.find(".//input[@id='text_lang-" + lang + "']").get("checked") is not None
    menu = {text_of(a): a.get("href") for a in tree.find(".//nav[@class='menu wrap']").iter("a")}
    assert menu[{"en": "Reminders", "fr": "Rappels"}[lang]] == f"/{lang}/reminders"


@pytest.mark.parametrize(("lang", "says"), [
    ("en", "You can also text STOP to +33 6 12 34 56 78."),
    ("fr", "Vous pouvez aussi envoyer STOP au +33 6 12 34 56 78."),
])
def test_the_reply_number_is_given_for_stop_when_it_is_set(app_config, lang, says):
    app = create_app(app_config | {"SMS_REPLY_NUMBER": "+33 6 12 34 56 78"})
    tree = CheckedClient(app.test_client()).get(f"/{lang}/reminders").tree
    assert any(says in text for text in paragraphs(tree))


def test_the_code_from_the_outbox_links_this_phone_and_keeps_the_token_in_the_session(client, pages, db):
    answer = ask(pages)
    assert (answer.status_code, answer.headers["Location"]) == (303, "/en/reminders/code")
    tree = pages.get("/en/reminders/code").tree
    lead = text_of(tree.find(".//p[@class='lead']"))
    assert lead == "We texted a code to +33 6 12 34 56 78. It works for 10 minutes."
    done = post(pages, "/en/reminders/code", code=last_code(db))
    assert (done.status_code, done.headers["Location"]) == (303, "/en/reminders")
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    with client.session_transaction() as session:
        token = session["device_token"]
        assert "optin_phone" not in session
    assert link.device_for(db, token).person_id == people.person_by_phone(db, PHONE)["id"]
    tree = pages.get("/en/reminders").tree
    assert "This phone is linked: reminders by SMS are on." in paragraphs(tree)
    assert tree.find(".//*[@data-linked]") is not None and tree.find(".//input[@name='phone']") is None


@pytest.mark.parametrize(("phone", "text_lang", "errors"), [
    ("", "en", {"#phone": "Enter your mobile number"}),
    ("0612", "en", {"#phone": "Enter a mobile number: 10 digits for a French one, or + and the country code"}),
    ("06 12 34 56 78", "de", {"#text_lang-fr": "Choose the language of the texts"}),
])
def test_a_wrong_number_or_language_is_shown_in_an_error_summary_and_nothing_is_texted(pages, db, phone,
                                                                                        text_lang, errors):
    answer = ask(pages, phone=phone, text_lang=text_lang)
    assert answer.status_code == 200
    assert summary(answer.tree) == errors
    assert text_of(answer.tree.find(".//title")).startswith("Error: Reminders by SMS")
    assert answer.tree.find(".//input[@name='phone']").get("value") == phone
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)


def test_french_errors_and_the_rate_limit_in_minutes(pages, db):
    assert summary(ask(pages, phone="abc", lang="fr").tree) == {
        "#phone": "Entrez un numéro de portable : 10 chiffres pour un numéro français, ou + et l’indicatif du pays"}
    for _ in range(3):
        assert ask(pages, lang="fr").status_code == 303
    assert summary(ask(pages, lang="fr").tree) == {
        "#phone": "Trop de codes ont été demandés. Réessayez dans 61 minutes."}


@pytest.mark.parametrize(("typed", "error"), [
    ("", "Enter the code we texted you"),
    ("12345", "The code has 6 digits"),
    ("abcdef", "The code has 6 digits"),
])
def test_a_malformed_code_is_explained_and_costs_no_try(pages, db, typed, error):
    ask(pages)
    answer = post(pages, "/en/reminders/code", code=typed)
    assert summary(answer.tree) == {"#code": error}
    assert db.execute("SELECT tries FROM optin_codes").fetchone() == (0,)


def test_a_wrong_code_says_the_tries_left_then_asks_for_a_new_code(pages, db):
    ask(pages)
    wrong = f"{(int(last_code(db)) + 1) % 1_000_000:06d}"
    said = [summary(post(pages, "/en/reminders/code", code=wrong).tree)["#code"] for _ in range(5)]
    assert said == ["This is not the code we texted. You can try 4 more times.",
                    "This is not the code we texted. You can try 3 more times.",
                    "This is not the code we texted. You can try 2 more times.",
                    "This is not the code we texted. You can try 1 more time.",
                    "This code no longer works. Ask for a new code."]
    assert pages.get("/en/reminders/code").headers["Location"] == "/en/reminders"  # start again


def test_the_code_page_without_a_number_sends_back_to_the_form(pages):
    assert pages.get("/fr/reminders/code").headers["Location"] == "/fr/reminders"


def test_a_post_without_the_csrf_token_is_refused(pages, db):
    answer = pages.post("/en/reminders", data={"phone": "06 12 34 56 78", "text_lang": "en"})
    assert answer.status_code == 400
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone() == (0,)


SESSION = {
    "dates": {"method": "post", "sent_on": "2026-03-02", "received_on": "2026-03-16",
              "claims": [{"id": 1, "posted_on": "2026-03-04", "paid_on": "2026-03-10"},
                         {"id": 2, "posted_on": "2026-03-05"}, {"id": "x", "posted_on": "2026-03-05"},
                         {"id": 3, "posted_on": "not a date"}]},
    "done": ["not-a-step"],
    "route": "post",
}


def test_session_changes_are_what_the_session_holds_in_the_change_schema():
    from webapp.api import validator

    steps = link_pages.content.step_ids()
    changes = link_pages.session_changes(SESSION | {"done": [steps[0], "not-a-step"]}, NOW)
    assert [(c["field"], c.get("key"), c["value"]) for c in changes] == [
        ("application", None, {"method": "post", "sent_on": "2026-03-02"}),
        ("card", None, {"received_on": "2026-03-16"}),
        ("claim", "nojs-1-20260304", {"posted_on": "2026-03-04", "paid_on": "2026-03-10"}),
        ("claim", "nojs-2-20260305", {"posted_on": "2026-03-05", "paid_on": None}),
        ("tick", steps[0], {"done": True}),
        ("route", None, {"route": "post"}),
    ]
    assert {c["at"] for c in changes} == {"2026-03-18T12:00:00Z"}
    assert len({c["id"] for c in changes}) == len(changes)
    assert all(not list(validator("Change").iter_errors(c)) for c in changes)


@pytest.mark.parametrize("saved", [{}, {"dates": "damaged", "done": "x", "route": "bike"}, {"dates": {"claims": 3}}])
def test_an_empty_or_damaged_session_makes_no_change(saved):
    assert link_pages.session_changes(saved, NOW) == []


def test_linking_merges_the_session_with_what_sms_recorded(app, client, pages, db):
    with app.app_context():
        inbound.respond(db, app.config, inbound.Inbound(PHONE, "CLAIM 01/03/2026", "SM0001"), now=NOW)
    with client.session_transaction() as session:
        session.update(SESSION)
    ask(pages)
    post(pages, "/en/reminders/code", code=last_code(db))
    person = people.person_by_phone(db, PHONE)
    state = sync.state(db, person["id"])
    assert state["application"] == {"method": "post", "sent_on": "2026-03-02", "received_on": "2026-03-16"}
    assert [(c["posted_on"], c["paid_on"]) for c in state["claims"]] == [
        ("2026-03-01", None), ("2026-03-04", "2026-03-10"), ("2026-03-05", None)]
    assert state["route"] == "post"


def test_the_sms_person_keeps_their_language_and_the_same_id(app, pages, db):
    with app.app_context():
        inbound.respond(db, app.config, inbound.Inbound(PHONE, "ENVOYE COURRIER", "SM0002"), now=NOW)
    before = people.person_by_phone(db, PHONE)
    ask(pages, text_lang="en")
    post(pages, "/en/reminders/code", code=last_code(db))
    assert people.person_by_phone(db, PHONE)["id"] == before["id"]
    assert db.execute("SELECT COUNT(*) FROM people").fetchone() == (1,)
