"""Leaving from the web: stop reminders, delete my data, download my data, unlink this device; as JSON with the
device token and as plain forms for the phone linked through the session. DELETE by SMS revokes every device."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from sms.inbound import Inbound, respond
from tests.conftest import DEFAULT_DELAYS
from tests.strict_html import text_of
from webapp import api, journey, link
from webapp.store import Busy, links, people, reminders

PHONE = "+33612345678"
SHOTS = Path("/tmp/shots-leave")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
CLOCK = journey.Clock(NOW, DEFAULT_DELAYS)
LINK_GONE = ("This phone is no longer linked to your number: the link was deleted, by SMS or from another phone."
             " Nothing is sent from this phone any more.")


def sms(app, db, body: str, sid: str):
    """One text from PHONE through the SMS core, as the webhook hands it over."""
    return respond(db, app.config, Inbound(PHONE, body, sid), NOW)


@pytest.fixture
def person(db):
    found = journey.person_for(db, PHONE, "en", CLOCK)
    journey.record_application(db, found["id"], "online", date(2026, 3, 1), CLOCK)
    return found


@pytest.fixture
def token(db, person):
    return link.link_device(db, person["id"], NOW)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def person_count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM people").fetchone()[0]


# -- the JSON API -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path"), [("post", "/api/v1/stop"), ("post", "/api/v1/delete"),
                                              ("get", "/api/v1/export"), ("post", "/api/v1/unlink")])
@pytest.mark.parametrize(("header", "code"), [(None, "token_missing"), ("Bearer not-a-token", "token_missing")])
def test_each_way_to_leave_needs_the_device_token(client, person, method, path, header, code):
    headers = {"Authorization": header} if header else {}
    response = getattr(client, method)(path, headers=headers)
    assert response.status_code == 401
    assert response.get_json()["code"] == code


def test_stop_mutes_every_reminder_as_sms_stop_does(client, db, person, token):
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"scheduled"}
    response = client.post("/api/v1/stop", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"reminders": False}
    assert people.person_by_id(db, person["id"])["opted_out_at"]
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"muted"}
    assert client.get("/api/v1/export", headers=bearer(token)).status_code == 200  # still linked


def test_delete_erases_the_person_and_tells_the_browser_to_clear_this_device(client, db, person, token):
    other = link.link_device(db, person["id"], NOW)  # another phone of the same person
    response = client.post("/api/v1/delete", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"erased": True, "clear_device": True}
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert person_count(db) == 0
    assert db.execute("SELECT COUNT(*) FROM devices").fetchone()[0] == 0
    for gone in (token, other):
        answer = client.post("/api/v1/stop", headers=bearer(gone))
        assert (answer.status_code, answer.get_json()["code"]) == (401, "token_revoked")
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0  # no SMS confirms a web DELETE


def test_export_holds_everything_about_the_person_and_no_token_hash(app, client, db, person, token):
    assert sms(app, db, "CLAIM 20/02", "SM" + "1" * 32).reply
    client.post("/api/v1/stop", headers=bearer(token))
    response = client.get("/api/v1/export", headers=bearer(token))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["person"] == {"phone": PHONE, "lang": "en", "opted_out_at": data["person"]["opted_out_at"],
                              "route": None, "created_at": "2026-03-02T12:00:00Z"}
    assert data["person"]["opted_out_at"]
    assert data["application"] == {"method": "online", "sent_on": "2026-03-01", "card_received_on": None}
    assert data["claims"] == [{"number": 1, "key": None, "posted_on": "2026-02-20", "paid_on": None}]
    assert data["ticks"] == {}
    assert [(r["kind"], r["state"]) for r in data["reminders"]] == [
        ("card_due", "muted"), ("card_followup", "muted"), ("claim_due", "muted"), ("claim_followup", "muted")]
    assert data["reminders"][0]["due_at"] == "2026-03-15T09:00:00Z"  # 14 days after an online application
    assert [(m["direction"], m["body"]) for m in data["messages"]][0] == ("inbound", "CLAIM 20/02")
    assert [m["direction"] for m in data["messages"]] == ["inbound", "outbound"]
    assert data["devices"] == [{"created_at": "2026-03-02T12:00:00Z", "last_sync_at": None}]
    assert set(data) == {"person", "application", "claims", "ticks", "reminders", "messages", "devices",
                         "fact_times", "changes_applied"}
    assert link.token_hash(token) not in response.get_data(as_text=True)
    assert token not in response.get_data(as_text=True)


def test_unlink_revokes_this_token_only(client, db, person, token):
    other = link.link_device(db, person["id"], NOW)
    response = client.post("/api/v1/unlink", headers=bearer(token))
    assert response.status_code == 200
    assert response.get_json() == {"linked": False}
    answer = client.get("/api/v1/export", headers=bearer(token))
    assert (answer.status_code, answer.get_json()["code"]) == (401, "token_revoked")
    assert client.get("/api/v1/export", headers=bearer(other)).status_code == 200
    assert person_count(db) == 1
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"scheduled"}


# -- DELETE by SMS ----------------------------------------------------------------------------------

def test_delete_by_sms_revokes_the_device_which_is_told_on_its_next_request(app, client, db, person, token):
    assert client.get("/api/v1/export", headers=bearer(token)).status_code == 200
    assert sms(app, db, "DELETE", "SM" + "2" * 32).reply
    with app.test_request_context(headers=bearer(token)), pytest.raises(api.ApiError) as error:
        api.device()
    assert (error.value.status, error.value.code) == (401, "token_revoked")
    answer = client.get("/api/v1/export", headers=bearer(token))
    assert (answer.status_code, answer.get_json()["code"]) == (401, "token_revoked")
    # What is kept of the revoked link: the token's hash and when, nothing of the number or the person.
    kept = db.execute("SELECT * FROM revoked_tokens").fetchall()
    assert [row[0] for row in kept] == [link.token_hash(token)]
    assert [column[1] for column in db.execute("PRAGMA table_info(revoked_tokens)")] == ["token_hash", "revoked_at"]
    assert person_count(db) == 0


# -- the pages, without JavaScript ------------------------------------------------------------------

def linked_session(client, token: str | None) -> None:
    with client.session_transaction() as session:
        session["device_token"] = token


def post_form(pages, path: str, lang: str = "en"):
    return pages.post(f"/{lang}{path}", data={"csrf_token": pages.csrf(f"/{lang}/leave")})


def page_text(pages, lang: str = "en") -> str:
    return text_of(pages.get(f"/{lang}/leave").tree.find(".//main"))


@pytest.mark.parametrize(("linked", "forms"), [
    (True, ["stop", "unlink", "delete"]),
    (False, ["delete"]),
])
def test_the_page_offers_what_this_phone_can_do(pages, client, token, linked, forms):
    linked_session(client, token if linked else None)
    tree = pages.get("/en/leave").tree
    assert [form.get("data-leave-form") for form in tree.iter("form")] == forms
    assert (tree.find(".//a[@data-leave-export]") is not None) is linked
    text = text_of(tree.find(".//main"))
    if linked:
        assert "This phone is linked to your number" in text
    else:
        assert "This phone is not linked to a number: what you write here stays on this phone." in text


def test_stop_form_mutes_the_reminders_and_says_how_to_resume(pages, client, db, person, token):
    linked_session(client, token)
    response = post_form(pages, "/leave/stop")
    assert response.status_code == 303
    assert {r["state"] for r in reminders.for_person(db, person["id"])} == {"muted"}
    text = page_text(pages)
    assert "Reminders are stopped. To get them again, text START." in text
    assert "stop" not in [f.get("data-leave-form") for f in pages.get("/en/leave").tree.iter("form")]


def test_delete_form_erases_the_server_data_and_this_phone(pages, client, db, person, token):
    linked_session(client, token)
    with client.session_transaction() as session:
        session["done"] = ["ameli-account"]  # a tick kept on this phone
    response = post_form(pages, "/leave/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == "/en/leave?done=deleted"
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert person_count(db) == 0
    with client.session_transaction() as session:
        assert "device_token" not in session and "done" not in session
    assert ("Your data is deleted, from our server and from this phone. You will get no more SMS from us."
            in page_text_at(pages, "/en/leave?done=deleted"))


def page_text_at(pages, url: str) -> str:
    return text_of(pages.get(url).tree.find(".//main"))


def test_delete_form_on_a_phone_never_linked_clears_only_the_phone(pages, client, db, person):
    with client.session_transaction() as session:
        session["done"] = ["ameli-account"]
    response = post_form(pages, "/leave/delete")
    assert response.headers["Location"] == "/en/leave?done=cleared"
    assert person_count(db) == 1  # the server's data is not this phone's to delete
    assert "Your data is deleted from this phone." in page_text_at(pages, "/en/leave?done=cleared")


def test_download_link_gives_the_same_json_as_a_file(pages, client, token):
    linked_session(client, token)
    response = client.get("/en/leave/export")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="carte-vitale-my-data.json"'
    api = client.get("/api/v1/export", headers=bearer(token))
    assert json.loads(response.get_data()) == api.get_json()


def test_unlink_form_revokes_the_token_and_forgets_it(pages, client, db, token):
    linked_session(client, token)
    post_form(pages, "/leave/unlink")
    with client.session_transaction() as session:
        assert "device_token" not in session
    assert links.is_revoked(db, link.token_hash(token))
    assert "This phone is unlinked. Your SMS reminders go on: text STOP to stop them." in page_text(pages)


def test_a_phone_whose_link_was_deleted_by_sms_says_so(app, pages, client, db, token):
    linked_session(client, token)
    sms(app, db, "DELETE", "SM" + "3" * 32)
    assert LINK_GONE in page_text(pages)
    assert "This phone is not linked to a number" in page_text(pages)  # said once; the token is forgotten
    assert LINK_GONE not in page_text(pages)


@pytest.mark.parametrize("path", ["/leave/stop", "/leave/unlink", "/leave/delete"])
def test_forms_need_the_csrf_token(pages, client, token, path):
    linked_session(client, token)
    assert client.post(f"/en{path}", data={}).status_code == 400


def test_a_busy_database_is_a_json_503(client, token, monkeypatch):
    def locked(*_args, **_kwargs):
        raise Busy("database is locked")
    monkeypatch.setattr(journey, "opt_out", locked)
    response = client.post("/api/v1/stop", headers=bearer(token))
    assert (response.status_code, response.get_json()["code"]) == (503, "busy")
    assert response.headers["Retry-After"] == "5"


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_in_chromium_delete_clears_the_server_and_this_phone(browser, live_server, app, db, token, lang):
    cookie = app.session_interface.get_signing_serializer(app).dumps({"device_token": token})
    context = browser.new_context(viewport={"width": 360, "height": 640})
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie, "url": live_server.url}])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{lang}/dates")
        page.evaluate("() => localStorage.setItem('cv.dates', '{\"method\": \"online\"}')")
        page.goto(f"{live_server.url}/{lang}/leave")
        assert page.locator("[data-linked]").is_visible()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"leave-linked-{lang}.png"), full_page=True)
        page.locator("[data-leave-form=delete] button").click()
        page.wait_for_url(f"**/{lang}/leave?done=deleted")
        assert page.locator("[data-leave-done]").is_visible()
        assert page.locator("[data-not-linked]").is_visible()
        assert page.evaluate("() => localStorage.getItem('cv.dates')") is None
        page.screenshot(path=str(SHOTS / f"leave-deleted-{lang}.png"), full_page=True)
    finally:
        context.close()
    assert person_count(db) == 0
