"""The sync merge rules on a real SQLite file: each change once, the later write wins field by field (SMS ones
too), a removal wins a tie, a clock ahead is clamped, and reminders follow as they do for the SMS commands."""
from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

import pytest

from sms import inbound
from tests.conftest import DEFAULT_DELAYS
from webapp import journey, sync
from webapp.store import reminders

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
PHONE = "+33612345678"


def clock(when: datetime = NOW) -> journey.Clock:
    return journey.Clock(when, DEFAULT_DELAYS)


def at(minutes: int) -> str:
    """An instant `minutes` after NOW (negative: before), as a device writes it."""
    return (NOW + timedelta(minutes=minutes)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def change(id_: str, minutes: int, field: str, value, key: str | None = None) -> dict:
    return {"id": id_, "at": at(minutes), "field": field, "value": value} | ({"key": key} if key else {})


def claim(posted_on: str, paid_on: str | None = None) -> dict:
    return {"posted_on": posted_on, "paid_on": paid_on}


@pytest.fixture
def person_id(db) -> int:
    return journey.person_for(db, PHONE, "en", clock())["id"]


def apply(db, person_id, *changes, when: datetime = NOW) -> list[str]:
    return sync.apply_changes(db, person_id, list(changes), clock(when))


def planned(db, person_id) -> list[tuple[str, str, str]]:
    return [(row["kind"], row["subject"], row["due_at"]) for row in reminders.for_person(db, person_id)
            if row["state"] == "scheduled"]


def texted(app, db, body: str, when: datetime, sid: str) -> str | None:
    with app.app_context():
        return inbound.handle(db, app.config, inbound.Inbound(PHONE, body, sid), now=when)


def test_a_change_sent_again_is_applied_once(db, person_id):
    first = change("c1", -60, "claim", claim("2026-02-20"), key="k1")
    assert apply(db, person_id, first) == ["c1"]
    apply(db, person_id, change("c2", -30, "claim", None, key="k1"))  # removed since
    assert apply(db, person_id, first, first) == ["c1"]  # the replay (twice, even) brings nothing back
    assert sync.state(db, person_id)["claims"] == []


def test_an_older_edit_arriving_after_a_newer_one_changes_nothing(db, person_id):
    newer = change("new", -10, "application", {"method": "online", "sent_on": "2026-02-25"})
    older = change("old", -50, "application", {"method": "post", "sent_on": "2026-02-01"})
    assert apply(db, person_id, newer) == ["new"]
    assert apply(db, person_id, older) == ["old"]  # acknowledged, so the device forgets it
    assert sync.state(db, person_id)["application"] == {"method": "online", "sent_on": "2026-02-25",
                                                        "received_on": None}


def test_changes_in_one_sync_apply_in_the_order_they_were_made(db, person_id):
    # The list's order is not the order of the edits: the card reported after its application finds it.
    apply(db, person_id, change("card", -5, "card", {"received_on": "2026-03-01"}),
          change("app", -50, "application", {"method": "post", "sent_on": "2026-02-01"}))
    assert sync.state(db, person_id)["application"] == {"method": "post", "sent_on": "2026-02-01",
                                                        "received_on": "2026-03-01"}


@pytest.mark.parametrize(("edit_minutes", "removal_minutes", "kept"), [
    (-10, -20, True),    # the edit is later: the claim stays
    (-20, -10, False),   # the removal is later: gone
    (-15, -15, False),   # a tie: the removal wins
])
@pytest.mark.parametrize("removal_first", [False, True])
def test_a_removal_racing_an_edit(db, person_id, edit_minutes, removal_minutes, kept, removal_first):
    apply(db, person_id, change("create", -60, "claim", claim("2026-02-20"), key="k1"))
    edit = change("edit", edit_minutes, "claim", claim("2026-02-20", "2026-02-28"), key="k1")
    removal = change("remove", removal_minutes, "claim", None, key="k1")
    for one in ([removal, edit] if removal_first else [edit, removal]):
        apply(db, person_id, one)  # two devices, two syncs, in either order
    expected = [{"key": "k1", "number": 1, "posted_on": "2026-02-20", "paid_on": "2026-02-28"}] if kept else []
    assert sync.state(db, person_id)["claims"] == expected


def test_a_clock_ahead_is_taken_as_now_and_a_later_real_edit_still_wins(db, person_id):
    # A device whose clock runs a day ahead: its route choice counts as made now, not tomorrow.
    apply(db, person_id, change("skewed", 24 * 60, "route", {"route": "post"}))
    assert sync.state(db, person_id)["route"] == "post"
    later = NOW + timedelta(minutes=5)  # another device, 5 real minutes later
    apply(db, person_id, {"id": "real", "at": "2026-03-02T12:05:00Z", "field": "route", "value": {"route": "online"}},
          when=later)
    assert sync.state(db, person_id)["route"] == "online"


def test_a_card_texted_beats_an_older_web_edit(app, db, person_id):
    texted(app, db, "SENT POST 01/02/2026", NOW - timedelta(days=2), "SM1")
    texted(app, db, "CARD", NOW, "SM2")  # the card came today, said by SMS at NOW
    # A device that was offline says, from before that text, the card had not come.
    apply(db, person_id, change("web", -30, "card", None), when=NOW + timedelta(minutes=1))
    assert sync.state(db, person_id)["application"]["received_on"] == "2026-03-02"
    assert planned(db, person_id) == []


def test_a_later_web_edit_beats_a_card_texted(app, db, person_id):
    texted(app, db, "SENT POST 01/02/2026", NOW - timedelta(days=2), "SM1")
    texted(app, db, "CARD", NOW - timedelta(hours=1), "SM2")
    apply(db, person_id, change("web", -30, "card", None))  # undone on the web after the text
    assert sync.state(db, person_id)["application"]["received_on"] is None
    assert [kind for kind, _subject, _due in planned(db, person_id)] == ["card_due", "card_followup"]


def test_an_application_synced_plans_the_reminders_sent_post_plans(app, db, person_id):
    apply(db, person_id, change("app", -1, "application", {"method": "post", "sent_on": "2026-03-01"}))
    by_web = planned(db, person_id)
    other = journey.person_for(db, "+33698765432", "en", clock())["id"]
    with app.app_context():
        inbound.handle(db, app.config, inbound.Inbound("+33698765432", "SENT POST 01/03/2026", "SM9"), now=NOW)
    assert by_web == planned(db, other) == [("card_due", "card", "2026-03-22T09:00:00Z"),
                                            ("card_followup", "card", "2026-03-29T08:00:00Z")]


def test_a_removed_claim_cancels_its_reminders(db, person_id):
    apply(db, person_id, change("c", -60, "claim", claim("2026-02-20"), key="k1"))
    assert [kind for kind, _subject, _due in planned(db, person_id)] == ["claim_due", "claim_followup"]
    apply(db, person_id, change("r", -1, "claim", None, key="k1"))
    assert planned(db, person_id) == []
    assert {row["state"] for row in reminders.for_person(db, person_id)} == {"cancelled"}


def test_a_claim_texted_is_known_as_sms_number_and_a_device_can_mark_it_paid(app, db, person_id):
    texted(app, db, "CLAIM 20/02/2026", NOW - timedelta(hours=2), "SM1")
    assert sync.state(db, person_id)["claims"] == [
        {"key": "sms-1", "number": 1, "posted_on": "2026-02-20", "paid_on": None}]
    apply(db, person_id, change("paid", -1, "claim", claim("2026-02-20", "2026-03-01"), key="sms-1"))
    assert sync.state(db, person_id)["claims"] == [
        {"key": "sms-1", "number": 1, "posted_on": "2026-02-20", "paid_on": "2026-03-01"}]
    assert planned(db, person_id) == []


def test_a_language_texted_beats_an_older_web_choice(app, db, person_id):
    texted(app, db, "LANG FR", NOW, "SM1")
    apply(db, person_id, change("lang", -5, "lang", {"lang": "en"}))
    assert sync.state(db, person_id)["lang"] == "fr"


def test_ticks_and_reminders_in_the_state(app, db, person_id):
    apply(db, person_id, change("t1", -5, "tick", {"done": True}, key="apply"),
          change("t2", -4, "tick", {"done": False}, key="photo"))
    texted(app, db, "STOP", NOW, "SM1")
    state = sync.state(db, person_id)
    assert (state["ticks"], state["reminders"]) == ({"apply": True, "photo": False}, False)


@pytest.mark.parametrize(("value", "code", "field"), [
    ({"method": "post", "sent_on": "2026-03-03"}, "date_in_future", "changes.0.value.sent_on"),
    ({"method": "post", "sent_on": "1999-12-31"}, "invalid_value", "changes.0.value.sent_on"),
    ({"method": "post", "sent_on": "2026-02-30"}, "invalid_value", "changes.0.value.sent_on"),
])
def test_dates_refused_and_nothing_written(db, person_id, value, code, field):
    good = change("ok", -1, "route", {"route": "post"})
    with pytest.raises(sync.Invalid) as refused:
        apply(db, person_id, good, change("bad", -1, "application", value))
    assert (refused.value.code, refused.value.field) == (code, field.replace("changes.0", "changes.1"))
    assert sync.state(db, person_id)["route"] is None


def test_the_local_day_counts_for_a_date_in_the_future(db, person_id):
    # 23:30 UTC on 2 March is already 3 March in Paris: the 3rd is today there, not the future.
    apply(db, person_id, change("a", 0, "card", None), change(
        "b", 0, "application", {"method": "online", "sent_on": "2026-03-03"}), when=datetime(2026, 3, 2, 23, 30,
                                                                                           tzinfo=UTC))
    assert sync.state(db, person_id)["application"]["sent_on"] == "2026-03-03"


@pytest.mark.parametrize("text", ["2026-03-02 12:00:00Z", "2026-03-02T12:00:00", "2026-13-02T12:00:00Z",
                                  "0001-01-01T00:00:00+01:00", "yesterday"])
def test_instants_refused(db, person_id, text):
    with pytest.raises(sync.Invalid) as refused:
        apply(db, person_id, {"id": "x", "at": text, "field": "route", "value": None})
    assert (refused.value.code, refused.value.field) == ("invalid_value", "changes.0.at")


def test_a_hundred_changes_stay_fast(db, person_id):
    changes = [change(f"c{n}", -n, "claim", claim("2026-02-20"), key=f"k{n}") for n in range(90)]
    changes += [change(f"t{n}", -n, "tick", {"done": True}, key=f"step{n}") for n in range(10)]
    started = time.perf_counter()
    applied = apply(db, person_id, *changes)
    took = time.perf_counter() - started
    assert len(applied) == 100 and len(sync.state(db, person_id)["claims"]) == 90
    assert took < 0.5, f"100 changes took {took:.3f} s"


def test_sms_claim_numbers_follow_the_device_claims(db, person_id):
    apply(db, person_id, change("c", -60, "claim", claim("2026-02-20"), key="k1"))
    assert journey.record_claim(db, person_id, date(2026, 2, 25), clock()) == 2
    assert [c["key"] for c in sync.state(db, person_id)["claims"]] == ["k1", "sms-2"]
