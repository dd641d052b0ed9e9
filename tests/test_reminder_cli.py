"""`flask reminders run|list`, and the issue's "Done when": SENT POST 25 days ago, one run sends once."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from markupsafe import escape

from tests.conftest import DEFAULT_DELAYS
from tests.strict_html import CheckedClient
from webapp import journey
from webapp.app import create_app
from webapp.store import connect, reminders, states
from webapp.store.migrations import apply

NOW = datetime(2026, 3, 20, 9, 30, tzinfo=UTC)  # 10:30 in Paris
PHONE = "+33612345678"


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def outbox(db):
    return list(db.query("SELECT * FROM messages WHERE direction = 'outbound' ORDER BY id"))


def sent_post_25_days_ago(db, lang="fr") -> int:
    clock = journey.Clock(NOW, DEFAULT_DELAYS)
    pid = journey.person_for(db, PHONE, lang, clock)["id"]
    journey.record_application(db, pid, "post", clock.today - timedelta(days=25), clock)
    return pid


def test_done_when_one_run_sends_the_reminder_once_and_a_second_run_nothing(runner, db):
    pid = sent_post_25_days_ago(db)
    result = runner.invoke(args=["reminders", "run", "--now", "2026-03-20T10:30:00+01:00"])
    assert result.exit_code == 0, result.output
    assert "sent 1," in result.output and "card_due" in result.output
    assert PHONE not in result.output  # numbers are masked
    [message] = outbox(db)
    assert message["phone"] == PHONE and message["person_id"] == pid and "CARTE" in message["body"]
    again = runner.invoke(args=["reminders", "run", "--now", "2026-03-20T10:31:00+01:00"])
    assert again.exit_code == 0 and "sent 0," in again.output
    assert len(outbox(db)) == 1


def test_now_without_offset_is_local_time(runner, db):
    sent_post_25_days_ago(db)
    # 21:00 in Paris is inside the quiet hours: held until 09:00.
    result = runner.invoke(args=["reminders", "run", "--now", "2026-03-20T21:00"])
    assert "sent 0," in result.output and "held until 2026-03-21T08:00Z" in result.output
    assert outbox(db) == []


def test_dry_run_lists_the_text_and_changes_nothing(runner, db):
    pid = sent_post_25_days_ago(db, lang="en")
    before = reminders.for_person(db, pid)
    result = runner.invoke(args=["reminders", "run", "--now", NOW.isoformat(), "--dry-run"])
    assert result.exit_code == 0
    assert "Reply CARD" in result.output and result.output.splitlines()[-1].startswith("dry run")
    assert reminders.for_person(db, pid) == before and outbox(db) == []


def test_a_bad_now_is_refused(runner):
    result = runner.invoke(args=["reminders", "run", "--now", "tomorrow"])
    assert result.exit_code == 2 and "--now" in result.output


def test_list_shows_the_queue_with_masked_numbers_and_filters_by_state(runner, db):
    sent_post_25_days_ago(db)
    runner.invoke(args=["reminders", "run", "--now", NOW.isoformat()])
    listing = runner.invoke(args=["reminders", "list"]).output
    assert "card_due" in listing and "card_followup" in listing and PHONE not in listing
    assert "+33*******78" in listing and listing.strip().endswith("2 reminder(s)")
    scheduled = runner.invoke(args=["reminders", "list", "--state", "scheduled"]).output
    assert "card_followup" in scheduled and "card_due" not in scheduled


def test_list_help_names_every_state_of_the_table_with_what_it_means(runner):
    help_text = " ".join(runner.invoke(args=["reminders", "list", "--help"]).output.split())
    for state in states.STATES:
        assert f"{state.name}: {state.help}" in help_text


@pytest.mark.parametrize("state", ["pending", "parked", "Sent", "delivred"])
def test_list_refuses_a_state_not_in_the_table(runner, state):
    result = runner.invoke(args=["reminders", "list", "--state", state])
    assert result.exit_code == 2
    assert f"'{state}' is not one of 'scheduled', 'sending', 'sent'" in result.output


@pytest.fixture
def dev_app_config(app_config):
    return dict(app_config, ENVIRONMENT="development", QUIET_HOURS="00:00-00:00")  # real clock, any hour


def test_done_when_through_the_phone_simulator(dev_app_config):
    """Text SENT POST with a date 25 days ago in the simulator, run `reminders run`: the reminder
    shows in the simulator once; run it again: nothing more."""
    app = create_app(dev_app_config)
    db = connect(app.config["DATABASE"])
    apply(db)
    client = app.test_client()
    token = CheckedClient(client).csrf("/dev/phone")
    sent_on = datetime.now(ZoneInfo("Europe/Paris")).date() - timedelta(days=25)
    answer = client.post("/dev/phone", data={"csrf_token": token, "phone": "06 12 34 56 78",
                                             "body": f"SENT POST {sent_on:%d/%m}"})
    assert answer.status_code == 303

    runner = app.test_cli_runner()
    assert "sent 1," in runner.invoke(args=["reminders", "run"]).output
    [reminder] = db.query("SELECT body FROM messages WHERE reminder_id IS NOT NULL")
    shown = str(escape(reminder["body"]))
    assert client.get(f"/dev/phone?phone={PHONE}").get_data(as_text=True).count(shown) == 1

    assert "sent 0," in runner.invoke(args=["reminders", "run"]).output
    assert client.get(f"/dev/phone?phone={PHONE}").get_data(as_text=True).count(shown) == 1
    db.close()
