"""My dates without JavaScript: card date from the settings' delays, posted claims flagged overdue, validation."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from babel.dates import format_date
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.rules import Delays
from tests.strict_html import CheckedClient, text_of
from webapp import mydates

# A fixed day, so dates are always written the same way (the first of a month is "1er" in French).
DAY = date(2026, 3, 18)


@pytest.fixture(autouse=True)
def today(monkeypatch) -> date:
    """The page's today, fixed (noon UTC is the same day in Paris)."""
    monkeypatch.setattr(mydates, "utcnow", lambda: datetime.combine(DAY, time(12), tzinfo=UTC))
    return DAY


def post(pages, lang="en", **data):
    token = pages.csrf(f"/{lang}/dates")
    return pages.post(f"/{lang}/dates", data={"csrf_token": token, **data})


def card(tree):
    return tree.find(".//*[@data-dates-output='card']")


def summary_links(tree) -> dict[str, str]:
    box = tree.find(".//div[@data-error-summary]")
    return {} if box is None else {a.get("href"): text_of(a) for a in box.iter("a")}


def claims(tree) -> list[dict]:
    return [dict(li.attrib) for li in tree.find(".//ul[@data-dates-output='claims']").iter("li")]


def test_form_is_a_real_form_with_hooks_for_the_script(pages):
    tree = pages.get("/en/dates").tree
    panel = tree.find(".//div[@data-enhance='dates']")
    assert panel.get("data-card-online-days") == "14" and panel.get("data-card-post-days") == "21"
    assert panel.get("data-claim-days") == "30"
    form = panel.find(".//form[@data-dates-form='application']")
    assert form.get("method") == "post"
    legend = form.find(".//fieldset/legend")
    assert text_of(legend) == "How did you apply?"
    assert {i.get("value") for i in form.iter("input") if i.get("name") == "method"} == {"online", "post"}
    assert form.find(".//input[@name='sent_on']") is not None
    assert panel.find(".//form[@data-dates-form='add-claim']//input[@name='posted_on']") is not None


@pytest.mark.parametrize("method, days", [("online", 14), ("post", 21)])
def test_card_date_is_sent_date_plus_the_delay(pages, today, method, days):
    sent = today - timedelta(days=3)
    response = post(pages, action="application", method=method, sent_on=sent.isoformat())
    assert response.status_code == 303 and response.headers["Location"] == "/en/dates"
    tree = pages.get("/en/dates").tree
    expected = sent + timedelta(days=days)
    result = card(tree).find(".//*[@data-expected-on]")
    assert result.get("data-expected-on") == expected.isoformat()
    assert format_date(expected, "long", locale="en") in text_of(result)
    assert card(tree).find(".//*[@data-late]") is None
    # The form shows what was saved.
    checked = [i for i in tree.iter("input") if i.get("name") == "method" and "checked" in i.attrib]
    assert [i.get("value") for i in checked] == [method]


def test_card_delays_come_from_the_settings(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"CARD_DELAY_ONLINE_DAYS": 10, "CARD_DELAY_POST_DAYS": 30})
    pages = CheckedClient(app.test_client())
    sent = mydates.today(Delays.from_config(app.config)) - timedelta(days=1)
    post(pages, action="application", method="post", sent_on=sent.isoformat())
    tree = pages.get("/en/dates").tree
    assert card(tree).find(".//*[@data-expected-on]").get("data-expected-on") == (sent + timedelta(30)).isoformat()
    assert "By post (about 30 days)" in text_of(tree)


def test_french_page_writes_the_date_in_french_and_accepts_day_month_year(pages, today):
    sent = today - timedelta(days=40)
    post(pages, lang="fr", action="application", method="online", sent_on=sent.strftime("%d/%m/%Y"))
    tree = pages.get("/fr/dates").tree
    expected = sent + timedelta(days=14)
    assert f"Votre carte devait arriver vers le {format_date(expected, 'long', locale='fr')}." in text_of(card(tree))
    assert card(tree).find(".//*[@data-late]") is not None  # 40 days ago: the card is late
    assert "Pas encore arrivée ? Appelez votre caisse au 3646." in text_of(card(tree))


@pytest.mark.parametrize("data, errors", [
    ({}, {"#method-online": "Choose how you applied: online or by post",
          "#sent_on": "Enter the date you sent your application"}),
    ({"method": "online", "sent_on": "31/02/2026"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "yesterday"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "1899-01-01"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "31/12/1999"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "01/01/0100"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "0001-01-01"}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "online", "sent_on": "x" * 5000}, {"#sent_on": "Enter a real date, for example 27/11/2026"}),
    ({"method": "fax", "sent_on": "01/01/2026"}, {"#method-online": "Choose how you applied: online or by post"}),
])
def test_invalid_application_shows_summary_and_inline_errors_and_saves_nothing(pages, data, errors):
    response = post(pages, action="application", **data)
    assert response.status_code == 200
    assert summary_links(response.tree) == errors
    assert text_of(response.tree.find("./head/title")).startswith("Error:")
    for anchor, message in errors.items():
        field = anchor.removeprefix("#").split("-")[0]
        inline = response.tree.find(f".//p[@id='{field}-error']")
        assert message in text_of(inline)
    assert card(pages.get("/en/dates").tree).find(".//*[@data-expected-on]") is None


@pytest.mark.parametrize("field", ["sent_on", "posted_on"])
def test_the_earliest_date_is_accepted(pages, field):
    action = "application" if field == "sent_on" else "add-claim"
    assert post(pages, action=action, method="online", **{field: "01/01/2000"}).status_code == 303


def test_a_future_date_is_refused(pages, today):
    tomorrow = today + timedelta(days=1)
    response = post(pages, action="application", method="post", sent_on=tomorrow.isoformat())
    assert summary_links(response.tree) == {
        "#sent_on": "The date you sent your application must be today or in the past"}
    sent_on = response.tree.find(".//input[@name='sent_on']")
    assert sent_on.get("value") == tomorrow.isoformat()  # what they typed is kept
    assert "sent_on-error" in sent_on.get("aria-describedby")
    assert post(pages, action="application", method="post", sent_on=today.isoformat()).status_code == 303


def test_french_errors(pages, today):
    response = post(pages, lang="fr", action="add-claim", posted_on=(today + timedelta(days=2)).isoformat())
    assert summary_links(response.tree) == {
        "#posted_on": "La date d’envoi de la feuille doit être aujourd’hui ou avant"}
    assert "Il y a un problème" in text_of(response.tree)


def test_claims_are_added_flagged_overdue_after_30_days_and_removed_one_by_one(pages, today):
    for days_ago in (30, 29, 45):
        response = post(pages, action="add-claim", posted_on=(today - timedelta(days=days_ago)).isoformat())
        assert response.status_code == 303
    listed = claims(pages.get("/en/dates").tree)
    assert [c["data-posted-on"] for c in listed] == [(today - timedelta(days=d)).isoformat() for d in (45, 30, 29)]
    assert ["data-overdue" in c for c in listed] == [True, True, False]
    assert listed[2]["data-due-on"] == (today + timedelta(days=1)).isoformat()
    thirty_days_ago = next(c for c in listed if c["data-posted-on"] == (today - timedelta(days=30)).isoformat())
    post(pages, action="remove-claim", claim=thirty_days_ago["data-claim-id"])
    remaining = claims(pages.get("/en/dates").tree)
    assert [c["data-posted-on"] for c in remaining] == [(today - timedelta(days=d)).isoformat() for d in (45, 29)]
    tree = pages.get("/en/dates").tree
    assert (f"Overdue since {format_date(today - timedelta(days=15), 'long', locale='en')}. Check your bank account. "
            "Not paid back? Call your caisse on 3646.") in text_of(tree)
    assert tree.find(".//*[@data-dates-output='claims-empty']").get("hidden") is not None


def test_claim_delay_comes_from_the_settings(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"CLAIM_DELAY_DAYS": 5})
    pages = CheckedClient(app.test_client())
    today = mydates.today(Delays.from_config(app.config))
    post(pages, action="add-claim", posted_on=(today - timedelta(days=5)).isoformat())
    assert "data-overdue" in claims(pages.get("/en/dates").tree)[0]


def test_claim_list_is_capped_so_the_cookie_stays_small(pages, today):
    for _ in range(mydates.MAX_CLAIMS):
        assert post(pages, action="add-claim", posted_on=today.isoformat()).status_code == 303
    response = post(pages, action="add-claim", posted_on=today.isoformat())
    assert summary_links(response.tree) == {"#posted_on": "You can keep 20 forms here. Remove one first."}
    assert len(claims(pages.get("/en/dates").tree)) == mydates.MAX_CLAIMS


def test_forget_the_application(pages, today):
    post(pages, action="application", method="online", sent_on=today.isoformat())
    post(pages, action="clear-application")
    assert card(pages.get("/en/dates").tree).find(".//*[@data-expected-on]") is None


@pytest.mark.parametrize("data", [{"action": "nonsense"}, {}, {"action": "remove-claim", "claim": "999"}])
def test_unknown_actions_and_ids_never_crash(pages, data):
    response = post(pages, **data)
    assert response.status_code in (303, 400)


@pytest.mark.parametrize("saved", [
    {"method": "online", "sent_on": "garbage", "claims": [{"id": "x"}, "junk", {"id": 1}]},
    {"method": 3, "claims": 5}, {"claims": {"id": 1}}, "not a dict", [1, 2],
    # Dates before 2000 (EARLIEST), which the form never saves: not shown, whatever wrote them.
    {"method": "online", "sent_on": "0100-01-01", "claims": [{"id": 1, "posted_on": "1999-12-31"}]},
    {"method": "post", "sent_on": "0001-01-01", "claims": [{"id": 1, "posted_on": "0001-01-01"}]},
])
def test_damaged_session_dates_are_ignored(client, pages, today, saved):
    with client.session_transaction() as session:
        session["dates"] = saved
    tree = pages.get("/en/dates").tree
    assert card(tree).find(".//*[@data-expected-on]") is None and claims(tree) == []
    assert post(pages, action="add-claim", posted_on=today.isoformat()).status_code == 303
    assert len(claims(pages.get("/en/dates").tree)) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(action=st.sampled_from(["application", "add-claim", "remove-claim", "clear-application", "x"]),
       method=st.text(max_size=20), day=st.text(max_size=40), claim=st.text(max_size=10))
def test_any_input_gets_a_page_or_a_redirect_never_a_crash(pages, action, method, day, claim):
    response = post(pages, action=action, method=method, sent_on=day, posted_on=day, claim=claim)
    assert response.status_code in (200, 303, 400)


def test_french_page_says_when_a_claim_is_normally_paid_without_promising_a_deadline(pages, today):
    # The guide: a paper feuille de soins "can take up to one month"; "normally", not "at the latest".
    post(pages, lang="fr", action="add-claim", posted_on=(today - timedelta(days=5)).isoformat())
    text = text_of(pages.get("/fr/dates").tree)
    due = format_date(today + timedelta(days=25), "long", locale="fr")
    assert f"Remboursement normalement avant le {due}." in text
    assert "au plus tard" not in text


def card_says(tree) -> list[str]:
    return [text_of(p) for p in card(tree).iter("p")]


def arrived_form(tree):
    return tree.find(".//form[@data-dates-form='card-arrived']")


def test_mark_the_card_arrived_on_a_date_today_by_default_and_undo(pages, today):
    sent = today - timedelta(days=10)
    assert arrived_form(pages.get("/en/dates").tree).get("hidden") is not None  # nothing to mark yet
    post(pages, action="application", method="online", sent_on=sent.isoformat())
    tree = pages.get("/en/dates").tree
    form = arrived_form(tree)
    assert form.get("hidden") is None and form.get("method") == "post"
    assert form.find(".//input[@name='received_on']").get("value") == today.isoformat()
    assert text_of(form.find(".//button")) == "My card has arrived"
    assert card_says(tree)[1:] == ["Your card should come around March 22, 2026.", "4 days left."]

    response = post(pages, action="card-arrived", received_on="16/03/2026")
    assert response.status_code == 303 and response.headers["Location"] == "/en/dates"
    tree = pages.get("/en/dates").tree
    assert card_says(tree) == ["You applied online on March 8, 2026.", "Your card arrived on March 16, 2026."]
    assert card(tree).find(".//*[@data-received-on]").get("data-received-on") == "2026-03-16"
    assert arrived_form(tree).get("hidden") is not None
    undo = card(tree).find(".//form[@data-dates-form='card-not-arrived']")
    assert text_of(undo.find(".//button")) == "Undo My card has arrived"
    assert undo.find(".//input[@name='csrf_token']") is not None

    post(pages, action="card-not-arrived")
    tree = pages.get("/en/dates").tree
    assert card_says(tree)[1:] == ["Your card should come around March 22, 2026.", "4 days left."]
    assert arrived_form(tree).get("hidden") is None


@pytest.mark.parametrize("received_on, error", [
    ("", "Enter the date your card arrived"),
    ("31/02/2026", "Enter a real date, for example 27/11/2026"),
    ("19/03/2026", "The date your card arrived must be today or in the past"),
])
def test_a_wrong_arrival_date_is_explained_and_kept(pages, today, received_on, error):
    post(pages, action="application", method="post", sent_on=(today - timedelta(days=30)).isoformat())
    response = post(pages, action="card-arrived", received_on=received_on)
    assert response.status_code == 200
    assert summary_links(response.tree) == {"#received_on": error}
    assert error in text_of(response.tree.find(".//p[@id='received_on-error']"))
    assert response.tree.find(".//input[@name='received_on']").get("value") == received_on
    assert arrived_form(response.tree).get("hidden") is None
    assert card(pages.get("/en/dates").tree).find(".//*[@data-received-on]") is None


def test_a_card_marked_arrived_before_any_application_is_not_kept(pages, today):
    post(pages, action="card-arrived", received_on=today.isoformat())
    post(pages, action="application", method="online", sent_on=today.isoformat())
    assert card(pages.get("/en/dates").tree).find(".//*[@data-state]").get("data-state") == "on_its_way"


def test_forgetting_the_application_forgets_the_card_too(pages, today):
    post(pages, action="application", method="online", sent_on=today.isoformat())
    post(pages, action="card-arrived", received_on=today.isoformat())
    post(pages, action="clear-application")
    post(pages, action="application", method="online", sent_on=today.isoformat())
    assert card(pages.get("/en/dates").tree).find(".//*[@data-state]").get("data-state") == "on_its_way"


def test_mark_a_feuille_paid_today_then_not_paid(pages, today):
    post(pages, action="add-claim", posted_on=(today - timedelta(days=40)).isoformat())
    post(pages, action="add-claim", posted_on=(today - timedelta(days=3)).isoformat())
    old = claims(pages.get("/en/dates").tree)[0]
    assert old["data-state"] == "overdue"

    post(pages, action="claim-paid", claim=old["data-claim-id"])
    tree = pages.get("/en/dates").tree
    listed = claims(tree)
    assert [(c["data-state"], c.get("data-paid-on")) for c in listed] == [("paid", "2026-03-18"), ("waiting", None)]
    items = tree.find(".//ul[@data-dates-output='claims']").findall("li")
    assert [text_of(li.find("p")) for li in items] == [
        "Posted on February 6, 2026. Paid back on March 18, 2026.",
        "Posted on March 15, 2026. Paid back normally by April 14, 2026."]
    assert [text_of(b) for b in items[0].iter("button")] == [
        "Not paid the form posted on February 6, 2026", "Remove the form posted on February 6, 2026"]
    assert [text_of(b) for b in items[1].iter("button")] == [
        "Paid the form posted on March 15, 2026", "Remove the form posted on March 15, 2026"]
    assert "3646" not in text_of(items[0])

    post(pages, action="claim-not-paid", claim=old["data-claim-id"])
    assert [c["data-state"] for c in claims(pages.get("/en/dates").tree)] == ["overdue", "waiting"]


@pytest.mark.parametrize("claim", ["999", "", "x"])
def test_paid_for_an_unknown_feuille_changes_nothing(pages, today, claim):
    post(pages, action="add-claim", posted_on=today.isoformat())
    assert post(pages, action="claim-paid", claim=claim).status_code == 303
    assert [c["data-state"] for c in claims(pages.get("/en/dates").tree)] == ["waiting"]


@pytest.mark.parametrize("saved, state, claim_states", [
    # A cookie from before the card and the feuilles could be marked: no received_on, no paid_on.
    ({"method": "post", "sent_on": "2026-03-01", "claims": [{"id": 1, "posted_on": "2026-03-02"}]},
     "on_its_way", ["waiting"]),
    ({"method": "post", "sent_on": "2026-03-01", "received_on": "junk",
      "claims": [{"id": 1, "posted_on": "2026-03-02", "paid_on": 7}]}, "on_its_way", ["waiting"]),
    ({"method": "post", "sent_on": "2026-03-01", "received_on": ["2026-03-10"],
      "claims": [{"id": 1, "posted_on": "2026-03-02", "paid_on": "31/02/2026"}]}, "on_its_way", ["waiting"]),
    ({"method": "post", "sent_on": "2026-03-01", "received_on": "2026-03-10",
      "claims": [{"id": 1, "posted_on": "2026-03-02", "paid_on": "2026-03-12"}]}, "arrived", ["paid"]),
])
def test_old_and_damaged_cookies_for_arrival_and_payment(client, pages, saved, state, claim_states):
    with client.session_transaction() as session:
        session["dates"] = saved
    tree = pages.get("/en/dates").tree
    assert card(tree).find(".//*[@data-state]").get("data-state") == state
    assert [c["data-state"] for c in claims(tree)] == claim_states


def test_the_page_gives_the_script_the_card_follow_up_delay_and_the_caisse_number(pages):
    panel = pages.get("/en/dates").tree.find(".//div[@data-enhance='dates']")
    assert panel.get("data-card-followup-days") == "7" and panel.get("data-caisse-phone") == "3646"
