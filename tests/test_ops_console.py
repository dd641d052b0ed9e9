"""The console's views as an operator sees them: the queue and its retry, a number's history (masked, revealed,
erased), the audit log, in English or French, every page strict HTML."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.dispatch import run_pass
from tests.conftest import DEFAULT_DELAYS
from tests.reminder_setup import card_due
from tests.strict_html import CheckedClient, text_of
from tests.test_ops_auth import NAME, add_operator, audit_lines, csrf_of, sign_in
from webapp import journey
from webapp.ops_text import CONSOLE_FILES, DIRECTORY
from webapp.store import iso, parse_iso, people, utcnow
from webapp.store import messages as message_store
from webapp.store import operators as store
from webapp.store import reminders as reminder_store

PHONE = "+33612345678"
MASKED = "+33*******78"
TYPED = "06 12 34 56 78"
SECRET_TEXT = "DATES envoyee le 3 mars"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, QUIET_HOURS="00:00-00:00")  # a retried reminder goes at the pass, whatever the hour


@pytest.fixture
def console(app, client) -> CheckedClient:
    """A signed-in operator's browser, every page strictly checked."""
    add_operator(app)
    client.set_cookie("lang", "en")  # the words the tests read; French has its own test
    assert sign_in(client).status_code == 303
    return CheckedClient(client)


@pytest.fixture
def person(db) -> int:
    """Someone with a card reminder and two messages, one in and one out."""
    now = utcnow()
    clock = journey.Clock(now - timedelta(days=15), DEFAULT_DELAYS)
    pid = journey.person_for(db, PHONE, "fr", clock)["id"]
    # Applied online 14 days ago: the card reminder is due today, its follow-up a week later.
    journey.record_application(db, pid, "online", clock.today + timedelta(days=1), clock)
    message_store.add_message(db, direction="inbound", phone=PHONE, body=SECRET_TEXT, status="received",
                              now=now - timedelta(minutes=5), person_id=pid)
    message_store.add_message(db, direction="outbound", phone=PHONE, body="Merci, c'est noté.", status="undelivered",
                              now=now - timedelta(minutes=4), person_id=pid, error_code=30003)
    db.conn.commit()
    return pid


def local_due(reminder) -> str:
    """A reminder's due time as the console shows it (Paris)."""
    return parse_iso(reminder["due_at"]).astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%d %H:%M")


def set_reminder(db, reminder_id: int, **values) -> None:
    db.execute(f"UPDATE reminders SET {', '.join(f'{k} = ?' for k in values)} WHERE id = ?",
               (*values.values(), reminder_id))
    db.conn.commit()


def post(console: CheckedClient, url: str, **data):
    return console.post(url, data={"csrf_token": csrf_of(console.client), **data})


# -- the queue -------------------------------------------------------------------------------------------------
def test_the_queue_lists_due_sending_and_failed_reminders_with_numbers_masked(console, db, person):
    reminder = card_due(db, person)
    set_reminder(db, reminder["id"], next_attempt_at=iso(utcnow() + timedelta(hours=2)))
    page = console.get("/ops/queue")
    text = text_of(page.tree)
    assert page.status_code == 200
    assert "1 reminder is due." in text and MASKED in text and PHONE not in page.get_data(as_text=True)
    assert "No reminder is being sent." in text and "No reminder failed." in text

    set_reminder(db, reminder["id"], state="sending", lease_owner="host-1:4242", lease_until="2030-01-01T10:00:00Z")
    text = text_of(console.get("/ops/queue").tree)
    assert "0 reminders are due." in text
    assert "host-1:4242" in text and "2030-01-01 11:00:00" in text  # the lease's end in Paris time

    set_reminder(db, reminder["id"], state="failed", lease_owner=None, lease_until=None, attempts=3,
                 last_error="21211: invalid 'To' number")
    page = console.get("/ops/queue")
    row = next(tr for tr in page.tree.iter("tr") if "21211" in text_of(tr))
    assert [text_of(td) for td in row.findall("td")][:5] == [str(reminder["id"]), MASKED, reminder["kind"],
                                                             "21211: invalid 'To' number", "3"]
    assert row.find(".//form").get("action") == f"/ops/queue/{reminder['id']}/retry"


def test_retry_schedules_a_failed_reminder_now_and_the_next_pass_sends_it(app, console, db, person):
    reminder = card_due(db, person)
    set_reminder(db, reminder["id"], state="failed", attempts=3, last_error="30001: queue overflow",
                 next_attempt_at="2026-03-16T09:00:00Z")
    response = post(console, f"/ops/queue/{reminder['id']}/retry")
    assert response.status_code == 303 and response.location.endswith("/ops/queue")
    retried = card_due(db, person)
    assert (retried["state"], retried["attempts"], retried["last_error"]) == ("scheduled", 0, "30001: queue overflow")
    assert retried["next_attempt_at"] <= iso(utcnow())
    assert "will be sent at the next pass" in text_of(console.get("/ops/queue").tree)
    assert audit_lines(db)[-1] == (NAME, "retried", f"reminder {reminder['id']} ({MASKED})")

    run_pass(app)
    sent = card_due(db, person)
    assert sent["state"] == "sent" and sent["last_error"] is None
    assert message_store.message_by_id(db, sent["message_id"])["phone"] == PHONE


def test_retrying_a_reminder_that_is_not_failed_changes_nothing(console, db, person):
    reminder = card_due(db, person)
    post(console, f"/ops/queue/{reminder['id']}/retry")
    assert card_due(db, person) == reminder
    assert "not failed any more" in text_of(console.get("/ops/queue").tree)
    assert [line[1] for line in audit_lines(db)] == ["signed-in"]


# -- a number's history ----------------------------------------------------------------------------------------
def test_a_lookup_shows_the_history_masked_with_texts_hidden_and_is_audited(console, db, person):
    page = post(console, "/ops/number", phone=TYPED)
    shown = text_of(page.tree.find(".//main"))
    assert f"History of {MASKED}" in shown
    assert PHONE not in shown and SECRET_TEXT not in page.get_data(as_text=True)
    rows = [[text_of(td) for td in tr.findall("td")] for tr in page.tree.iter("tr") if tr.findall("td")]
    assert ["in", "received", "1", "", "hidden"] == rows[0][1:]
    assert ["out", "undelivered", "1", "30003", "hidden"] == rows[1][1:]
    assert any(row[1:4] == [card_due(db, person)["kind"], local_due(card_due(db, person)), "scheduled"] for row in rows)
    assert audit_lines(db)[-1] == (NAME, "looked-up", MASKED)


def test_show_number_and_texts_reveals_them_for_that_response_only_and_is_audited(console, db, person):
    page = post(console, "/ops/number/reveal", phone=PHONE)
    shown = text_of(page.tree.find(".//main"))
    assert f"History of {PHONE}" in shown and SECRET_TEXT in shown
    assert audit_lines(db)[-1] == (NAME, "revealed", MASKED)
    again = post(console, "/ops/number", phone=PHONE)
    assert SECRET_TEXT not in again.get_data(as_text=True)
    assert PHONE not in text_of(again.tree.find(".//main"))


@pytest.mark.parametrize("typed", ["", "12", "not a number"])
def test_a_number_that_is_no_number_gets_an_error_summary(console, db, typed):
    page = post(console, "/ops/number", phone=typed)
    assert page.tree.find(".//div[@class='error-summary']//a").get("href") == "#phone"
    assert [line[1] for line in audit_lines(db)] == ["signed-in"]


def test_a_number_nobody_has_shows_that_nothing_is_held(console, db):
    assert "Nothing is held about this number." in text_of(post(console, "/ops/number", phone="06 99 99 99 99").tree)


def test_erase_needs_the_persons_request_ticked(console, db, person):
    page = post(console, "/ops/number/erase", phone=PHONE)
    assert page.tree.find(".//div[@class='error-summary']//a").get("href") == "#asked"
    assert people.person_by_id(db, person) is not None
    assert "erased" not in [line[1] for line in audit_lines(db)]


def test_erase_removes_the_person_and_their_messages_and_says_it_is_done(app, console, db, person):
    response = post(console, "/ops/number/erase", phone=PHONE, asked="yes")
    assert response.status_code == 303
    assert people.person_by_phone(db, PHONE) is None
    assert message_store.log(db, PHONE) == [] and reminder_store.for_person(db, person) == []
    assert audit_lines(db)[-1] == (NAME, "erased", MASKED)
    assert f"Everything held about {MASKED} is erased" in text_of(console.get(response.location).tree)
    assert PHONE.encode() not in Path(app.config["DATABASE"]).read_bytes()
    assert not [m for m in message_store.log(db) if m["direction"] == "outbound"]  # no SMS goes to the person


# -- the audit log ---------------------------------------------------------------------------------------------
def test_the_audit_log_shows_the_latest_200_newest_first_in_local_time(console, db):
    for index in range(205):
        store.add_audit(db, "bruno", "looked-up", f"+33*******{index % 100:02d}", utcnow() - timedelta(days=1,
                        minutes=index))
    store.add_audit(db, "chloe", "erased", MASKED, utcnow().replace(month=1, day=15, hour=12, minute=0, second=0))
    page = console.get("/ops/audit")
    rows = [[text_of(td) for td in tr.findall("td")] for tr in page.tree.iter("tr") if tr.findall("td")]
    assert len(rows) == 200
    assert rows[0][1:] == [NAME, "signed in", ""]
    assert rows[1][1] == "bruno" and rows[1][2] == "looked up a number"
    assert [row[0] for row in rows] == sorted((row[0] for row in rows), reverse=True)
    assert "chloe" not in [row[1] for row in rows]  # older than the 200 latest


def test_an_audit_time_is_in_the_deployments_time_zone(console, db):
    store.add_audit(db, "chloe", "erased", MASKED, utcnow().replace(month=1, day=15, hour=12, minute=0, second=0))
    rows = [[text_of(td) for td in tr.findall("td")] for tr in console.get("/ops/audit").tree.iter("tr")]
    assert [f"{utcnow().year}-01-15 13:00:00", "chloe", "erased a person", MASKED] in rows


# -- languages -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("cookie", "lang", "heading"), [
    ("fr", "fr", "File d'attente"), ("en", "en", "Queue"), ("ar", "en", "Queue"), (None, "fr", "File d'attente"),
])
def test_the_console_speaks_french_or_english_and_says_which(console, cookie, lang, heading):
    if cookie:
        console.client.set_cookie("lang", cookie)
    else:
        console.client.delete_cookie("lang")
    page = console.get("/ops/queue", headers={"Accept-Language": "de"})
    assert page.tree.get("lang") == lang
    assert text_of(page.tree.find(".//h1")) == heading


def test_the_french_console_catalogue_is_complete():
    with (DIRECTORY / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle, locale="fr")
    untranslated = [m.id for m in catalogue if m.id and (not m.string or (isinstance(m.string, tuple)
                                                                          and not all(m.string)) or m.fuzzy)]
    assert not untranslated
    assert not [error for _message, errors in catalogue.check() for error in errors]


def test_the_public_catalogues_do_not_pick_up_console_strings():
    pot = (DIRECTORY.parent / "translations" / "messages.pot").read_text()
    assert 'msgid "Audit log"' not in pot and 'msgid "Show number and texts"' not in pot
    ignored = [line for line in (DIRECTORY.parent.parent / "babel.cfg").read_text().splitlines()
               if line.startswith("[ignore:")]
    assert ignored == [f"[ignore: {pattern}]" for pattern in CONSOLE_FILES]


def service_lines(console) -> dict[str, tuple[bool, str]]:
    """The dashboard's service section: what each line says, and whether it is marked as a problem."""
    section = console.get("/ops/").tree.find(".//section[@aria-labelledby='service-heading']")
    return {li.get("data-service"): ("ops-problem" in (li.get("class") or ""), text_of(li))
            for li in section.iter("li")}


@pytest.mark.parametrize(("age", "problem", "says"), [
    (None, True, "No reminder pass has run yet. Is the scheduler (python -m scheduler) running?"),
    (20, False, "The last reminder pass ended {} seconds ago."),
    (600, True, "The last reminder pass ended {} seconds ago. Is the scheduler (python -m scheduler) running?"),
])
def test_the_dashboard_says_whether_the_scheduler_is_passing(console, db, age, problem, says):
    if age is not None:
        with db.conn:
            db.execute("INSERT INTO heartbeats (name, at) VALUES ('scheduler', ?)",
                       (iso(utcnow() - timedelta(seconds=age)),))
    found_problem, text = service_lines(console)["scheduler"]
    # The page reads the clock a moment after the row was written: the age it says is `age`, or a second more.
    assert found_problem == problem
    assert text in {says.format(age), says.format((age or 0) + 1)}


@pytest.mark.parametrize(("replica", "problem", "says"), [
    (None, True, "No backup is configured. Set BACKUP_REPLICA_URL and run Litestream (README: Backup and restore)."),
    ("/var/backups/cv", False, "Litestream backs the database up to /var/backups/cv and keeps 72 hours. This page"
                              " cannot see whether Litestream is running: check its process and its log."),
])
def test_the_dashboard_says_whether_a_backup_is_configured(app, console, replica, problem, says):
    app.config["BACKUP_REPLICA_URL"] = replica
    assert service_lines(console)["backup"] == (problem, says)


# -- what a stranger or a careless paste can send ------------------------------------------------------------
TYPED_TEXT = st.text(st.characters(codec="utf-8"), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=TYPED_TEXT)
def test_any_text_typed_as_a_number_gets_a_page_never_an_error(console, db, typed):
    page = post(console, "/ops/number", phone=typed)  # every page strictly parsed (CheckedClient)
    assert page.status_code == 200
    refused = page.tree.find(".//div[@class='error-summary']") is not None
    assert refused or "Nothing is held about this number." in text_of(page.tree)  # nobody has been created
    assert {line[1] for line in audit_lines(db)} <= {"signed-in", "looked-up"}
