"""Privacy stays the default: without opting in nothing leaves the device; the server stores no social security
number and no name, whatever a journey across the web app and SMS sends it; device tokens are kept only hashed."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sms.inbound import Inbound, respond
from tests.conftest import VALID_NUMBER
from webapp import link
from webapp.store import utcnow

PHONE = "+33612345678"
NAME = "Marie Sklodowska"
# The documented number without spaces, with and without its key: as it could be stored.
NIR_FORMS = [VALID_NUMBER, VALID_NUMBER.replace(" ", ""), VALID_NUMBER.replace(" ", "")[:13]]
# Every GET page a person can open without linking, in each language.
PAGES = ["/", "/{lang}/", "/{lang}/dates", "/{lang}/number", "/{lang}/help", "/{lang}/leave"]
# The forms a person can post on the device without linking (the state goes into the session cookie).
FORMS = [
    ("/{lang}/", {"done": ["ameli-account"], "route": "post"}),
    ("/{lang}/dates", {"action": "application", "method": "online", "sent_on": "2026-02-20"}),
    ("/{lang}/dates", {"action": "add-claim", "posted_on": "2026-02-21"}),
    ("/{lang}/dates", {"action": "card-arrived", "received_on": "2026-02-27"}),
]
# Tables that may hold rows before anyone opts in: the migrations' own bookkeeping.
BOOKKEEPING = {"_sqlite_migrations"}


def rows_by_table(db) -> dict[str, int]:
    """How many rows each table holds (bookkeeping left out)."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names
            if name not in BOOKKEEPING}


def every_text(db) -> str:
    """Every value of every row of every table, as one text."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "\n".join(str(value) for name in names for row in db.execute(f'SELECT * FROM "{name}"') for value in row)


def stored_bytes(database: str) -> bytes:
    """The database file and its WAL, as bytes (a deleted or old page included)."""
    return b"".join(path.read_bytes() for path in (Path(database), Path(database + "-wal")) if path.exists())


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_without_opting_in_the_pages_and_their_forms_store_nothing_on_the_server(pages, client, db, lang):
    for page in PAGES:
        assert pages.get(page.format(lang=lang)).status_code in (200, 302)
    token = pages.csrf(f"/{lang}/")
    for path, form in FORMS:
        response = pages.post(path.format(lang=lang), data=dict(form, csrf_token=token))
        assert response.status_code == 303, (path, form)
    assert client.get(f"/{lang}/dates").status_code == 200
    assert rows_by_table(db) == dict.fromkeys(rows_by_table(db), 0)
    assert "devices" in rows_by_table(db) and "messages" in rows_by_table(db)  # the check sees these tables


@pytest.mark.browser
def test_with_javascript_and_no_link_the_pages_make_no_request_to_the_api(browser, live_server, db):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    requests: list[tuple[str, str]] = []
    context.on("request", lambda request: requests.append((request.method, request.url)))
    page = context.new_page()
    try:
        for lang in ("en", "fr"):
            page.goto(f"{live_server.url}/{lang}/")
            page.locator("input[name=done]").first.check()
            page.goto(f"{live_server.url}/{lang}/dates")
            page.locator("#method-online").check()
            page.locator("#sent_on").fill("2026-02-20")
            page.locator("[data-dates-form=application] button[type=submit]").click()
            page.goto(f"{live_server.url}/{lang}/number")
            page.goto(f"{live_server.url}/{lang}/leave")
            page.evaluate("() => window.dispatchEvent(new Event('online'))")  # what would start a sync
            page.wait_for_timeout(300)
    finally:
        context.close()
    api = [(method, url) for method, url in requests if "/api/" in url]
    elsewhere = [url for _method, url in requests if not url.startswith(live_server.url)]
    assert requests  # the listener saw the pages
    assert api == []
    assert elsewhere == []
    assert rows_by_table(db) == dict.fromkeys(rows_by_table(db), 0)


def opt_in(client, db) -> str:
    """Link a device through the JSON opt-in, with the code read from the outbox."""
    assert client.post("/api/v1/optin", json={"phone": PHONE, "lang": "fr"}).status_code == 202
    body = db.execute("SELECT body FROM messages WHERE direction = 'outbound' ORDER BY id DESC").fetchone()[0]
    code = re.search(r"\b[0-9]{6}\b", body).group(0)
    response = client.post("/api/v1/optin/confirm", json={"phone": PHONE, "code": code})
    assert response.status_code == 200
    return response.get_json()["token"]


def change(number: int, field: str, value, key: str | None = None, **extra) -> dict:
    at = (utcnow() - timedelta(minutes=10 - number)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"id": f"c{number}", "at": at, "field": field, "value": value} | ({"key": key} if key else {}) | extra


def test_after_a_whole_journey_no_table_holds_a_social_security_number_or_a_name(app, client, db):
    token = opt_in(client, db)
    auth = {"Authorization": f"Bearer {token}"}
    today = utcnow().date()
    good = [change(1, "application", {"method": "post", "sent_on": (today - timedelta(days=3)).isoformat()}),
            change(2, "claim", {"posted_on": (today - timedelta(days=2)).isoformat(), "paid_on": None}, key="k1"),
            change(3, "tick", {"done": True}, key="ameli-account"),
            change(4, "route", {"route": "post"})]
    assert client.post("/api/v1/sync", headers=auth, json={"changes": good}).status_code == 200
    # A name or a number the client tries to send along is refused, and nothing of that sync is written.
    refused = [
        [change(5, "application", {"method": "post", "sent_on": today.isoformat(), "name": NAME})],
        [change(6, "route", {"route": "post"}, name=NAME)],
        [change(7, "claim", {"posted_on": today.isoformat(), "paid_on": None, "nir": VALID_NUMBER}, key="k2")],
    ]
    for changes in refused:
        response = client.post("/api/v1/sync", headers=auth, json={"changes": changes})
        assert response.status_code == 400, changes  # (the schema's oneOf names no single field)
    for number, body in enumerate([f"Bonjour, mon numero de secu est {VALID_NUMBER}", "CARD",
                                   f"STATUS {VALID_NUMBER.replace(' ', '')}"]):
        respond(db, app.config, Inbound(PHONE, body, f"SM{number:032d}"), datetime.now(UTC))
    assert client.post("/api/v1/sync", headers=auth, json={"changes": []}).status_code == 200
    assert client.get("/api/v1/export", headers=auth).status_code == 200
    text = every_text(db)
    assert PHONE in text  # the scan sees what is there
    assert [form for form in NIR_FORMS if form in text] == []
    assert NAME.split()[1] not in text
    raw = stored_bytes(app.config["DATABASE"])
    assert [form for form in NIR_FORMS if form.encode() in raw] == []
    assert NAME.split()[1].encode() not in raw


def test_device_tokens_are_stored_only_as_their_hash(app, client, db):
    token = opt_in(client, db)
    other = link.link_device(db, db.execute("SELECT id FROM people").fetchone()[0], utcnow())
    hashes = [row[0] for row in db.execute("SELECT token_hash FROM devices ORDER BY id")]
    assert hashes == [link.token_hash(token), link.token_hash(other)]
    assert all(re.fullmatch(r"[0-9a-f]{64}", value) for value in hashes)
    raw = stored_bytes(app.config["DATABASE"])
    assert token.encode() not in raw and other.encode() not in raw
    assert token not in every_text(db) and other not in every_text(db)


@pytest.mark.parametrize("where", ["claim key", "change id"])
def test_a_social_security_number_as_an_id_is_not_stored(client, db, where):
    token = opt_in(client, db)
    nir = NIR_FORMS[1]
    sent = change(1, "claim", {"posted_on": utcnow().date().isoformat(), "paid_on": None}, key="k1")
    sent = dict(sent, key=nir) if where == "claim key" else dict(sent, id=nir)
    response = client.post("/api/v1/sync", headers={"Authorization": f"Bearer {token}"}, json={"changes": [sent]})
    assert (response.status_code, response.json["code"]) == (400, "invalid_value")
    assert [form for form in NIR_FORMS if form in every_text(db)] == []
