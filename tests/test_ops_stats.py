"""The dashboard's figures from a real SQLite file with known texts, reminders and opt-outs at known instants around
the spring DST change in Europe/Paris (2026-03-29, a 23-hour day): what an operator reads in the tables and charts."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from flask import render_template

from tests.conftest import DEFAULT_DELAYS
from tests.strict_html import check_page
from webapp import journey, ops_dashboard
from webapp.ops_text import OPS
from webapp.store import immediate, parse_iso
from webapp.store.messages import add_message

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)  # noon in Paris, summer time since yesterday
PRICE = Decimal("0.0798")
SVG = "{http://www.w3.org/2000/svg}"
LONG_GSM = "R" * 161  # two GSM-7 segments
LONG_UCS2 = "Ваша карта" * 8  # 80 UCS-2 characters: two segments
# (direction, UTC instant, body, Twilio accepted it (has a SID), error code): local times in the comments.
MESSAGES = [
    ("inbound", "2026-02-27T22:59:59Z", "HELP", True, None),  # 23:59:59 on 27 Feb: before the first day shown
    ("inbound", "2026-02-27T23:00:00Z", "HELP", True, None),  # midnight, 28 Feb: the first day shown
    ("inbound", "2026-03-28T22:30:00Z", "HELP", True, None),  # 23:30 on 28 Mar (winter time)
    ("outbound", "2026-03-28T22:30:00Z", LONG_GSM, True, None),
    ("outbound", "2026-03-28T22:31:00Z", "Rappel", False, 30007),  # refused: not billed, an error
    ("inbound", "2026-03-28T23:30:00Z", "STATUS", True, None),  # 00:30 on 29 Mar (28 Mar in UTC)
    ("outbound", "2026-03-29T21:30:00Z", LONG_UCS2, True, None),  # 23:30 on 29 Mar (summer time)
    ("outbound", "2026-03-29T21:59:59Z", "Rappel", False, 30007),  # 23:59:59 on 29 Mar
    ("inbound", "2026-03-29T22:00:00Z", "CARD", True, None),  # midnight, 30 Mar: today
    ("outbound", "2026-03-30T08:00:00Z", "Rappel", True, 30003),  # sent, then undelivered: billed, an error
    ("outbound", "2026-03-30T08:01:00Z", "Rappel", False, 99999),  # a code of no common meaning
]
# (state, sent_at, updated_at) of reminders.
REMINDERS = [
    ("sent", "2026-02-27T22:59:59Z", "2026-02-27T22:59:59Z"),  # before the first day
    ("sent", "2026-03-28T22:30:00Z", "2026-03-28T22:30:00Z"),  # 28 Mar
    ("delivered", "2026-03-29T21:30:00Z", "2026-03-29T21:40:00Z"),  # 29 Mar
    ("failed", "2026-03-29T08:00:00Z", "2026-03-29T22:00:00Z"),  # sent 29 Mar, the carrier's failure today
    ("failed", None, "2026-03-28T23:30:00Z"),  # given up at 00:30 on 29 Mar
    ("failed", None, "2026-02-20T10:00:00Z"),  # long before
    ("scheduled", None, "2026-03-30T09:00:00Z"),
    ("muted", None, "2026-03-29T10:00:00Z"),
]
OPTED_OUT = [None, "2026-03-29T21:30:00Z", "2026-03-28T23:30:00Z", "2026-03-30T01:00:00Z", "2026-01-01T10:00:00Z"]
PAST_DAYS = 30
SMS_DAYS = {  # day -> in, out, segments in, segments out (the other days: none)
    "2026-02-28": (1, 0, 1, 0),
    "2026-03-28": (1, 1, 1, 2),
    "2026-03-29": (1, 1, 1, 2),
    "2026-03-30": (1, 1, 1, 1),
}


@pytest.fixture
def filled(db):
    """The messages, reminders and people above, in the app's database file."""
    with immediate(db):
        for index, opted_out in enumerate(OPTED_OUT):
            db.execute("INSERT INTO people (phone, lang, opted_out_at, created_at, updated_at)"
                       " VALUES (?, 'fr', ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
                       (f"+3361234567{index}", opted_out))
        for index, (direction, at, body, accepted, error) in enumerate(MESSAGES):
            add_message(db, direction=direction, phone="+33612345670", body=body, person_id=1, now=parse_iso(at),
                        status="failed" if error else "sent", twilio_sid=f"SM{index:032}" if accepted else None,
                        error_code=error)
        for index, (state, sent_at, updated_at) in enumerate(REMINDERS):
            db.execute("INSERT INTO reminders (person_id, kind, subject, due_at, state, next_attempt_at, sent_at,"
                       " created_at, updated_at) VALUES (2, 'card_due', ?, '2026-02-01T09:00:00Z', ?,"
                       " '2026-02-01T09:00:00Z', ?, '2026-01-01T00:00:00Z', ?)",
                       (str(index), state, sent_at, updated_at))
    return db


def config(price):
    return {"TIMEZONE": "Europe/Paris", "SMS_SEGMENT_PRICE": price, "SMS_PRICE_CURRENCY": "EUR"}


@pytest.mark.parametrize(("now", "day", "start", "stop"), [
    (NOW, "2026-03-29", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"),  # 23 hours
    (NOW, "2026-03-30", "2026-03-29T22:00:00Z", "2026-03-30T22:00:00Z"),
    (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "2026-10-25", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"),  # 25
    (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "2026-10-26", "2026-10-25T23:00:00Z", "2026-10-26T23:00:00Z"),
])
def test_local_days_are_cut_into_utc_at_local_midnights(now, day, start, stop):
    days = ops_dashboard.local_days(now, PARIS)
    assert len(days) == PAST_DAYS + 1
    assert (day, start, stop) in days
    assert days[-1][0] == now.astimezone(PARIS).date().isoformat()  # today last
    assert all(earlier[2] == later[1] for earlier, later in zip(days[:-1], days[1:], strict=True))  # no gap, no overlap


@pytest.mark.parametrize(("price", "costs", "past_cost", "today_cost"), [
    (PRICE, {"2026-02-28": Decimal("0.08"), "2026-03-28": Decimal("0.24"), "2026-03-29": Decimal("0.24"),
             "2026-03-30": Decimal("0.16")}, Decimal("0.56"), Decimal("0.16")),  # 7 x 0.0798 = 0.5586
    (None, {}, None, None),
])
def test_sms_per_local_day_with_segments_and_cost(filled, price, costs, past_cost, today_cost):
    figures = ops_dashboard.dashboard(filled, config(price), NOW)
    assert figures["today"] == "2026-03-30"
    assert figures["days"][0] == "2026-02-28"
    shown = {row["day"]: (row["inbound"], row["outbound"], row["segments_in"], row["segments_out"])
             for row in figures["sms"] if row["inbound"] or row["outbound"]}
    assert shown == SMS_DAYS
    assert {row["day"]: row["cost"] for row in figures["sms"] if row["cost"]} == costs
    past, today = figures["totals"]["past"], figures["totals"]["today"]
    assert (past["inbound"], past["outbound"], past["segments"], past["cost"]) == (3, 2, 7, past_cost)
    assert (today["inbound"], today["outbound"], today["segments"], today["cost"]) == (1, 1, 2, today_cost)


def test_reminders_by_state_and_per_day(filled):
    figures = ops_dashboard.dashboard(filled, config(PRICE), NOW)
    assert {row["state"]: row["count"] for row in figures["states"]} == {
        "scheduled": 1, "sending": 0, "sent": 2, "delivered": 1, "undelivered": 0, "failed": 3, "cancelled": 0,
        "muted": 1, "superseded": 0, "expired": 0}
    assert {row["day"]: (row["sent"], row["failed"]) for row in figures["reminders"]
            if row["sent"] or row["failed"]} == {"2026-03-28": (1, 0), "2026-03-29": (2, 1), "2026-03-30": (0, 1)}


def test_send_errors_by_code_most_frequent_first_with_their_meaning(filled):
    errors = ops_dashboard.dashboard(filled, config(PRICE), NOW)["errors"]
    assert [(row["code"], row["count"], str(row["meaning"]) if row["meaning"] else None) for row in errors] == [
        (30007, 2, "blocked by the carrier's filter"),
        (30003, 1, "unreachable (phone off or out of coverage)"),
        (99999, 1, None)]


def test_opt_outs_per_day_count_people_still_opted_out(filled):
    figures = ops_dashboard.dashboard(filled, config(PRICE), NOW)
    assert {row["day"]: row["count"] for row in figures["opt_outs"] if row["count"]} == {
        "2026-03-29": 2, "2026-03-30": 1}
    with immediate(filled):  # START
        filled.execute("UPDATE people SET opted_out_at = NULL WHERE opted_out_at = '2026-03-30T01:00:00Z'")
    figures = ops_dashboard.dashboard(filled, config(PRICE), NOW)
    assert {row["day"]: row["count"] for row in figures["opt_outs"] if row["count"]} == {"2026-03-29": 2}


def test_an_erased_persons_messages_leave_the_counts(filled):
    journey.erase(filled, "+33612345670", journey.Clock(NOW, DEFAULT_DELAYS), "test-secret")
    figures = ops_dashboard.dashboard(filled, config(PRICE), NOW)
    assert [row for row in figures["sms"] if row["inbound"] or row["outbound"]] == []
    assert figures["errors"] == []


# The dashboard's service section (its own tests are in test_ops_console.py): a pass 20 s ago, no backup.
SERVICE = {"pass_age": 20, "pass_max_age": 180, "replica": None, "retention_hours": 72}


def rendered(app, figures) -> str:
    with app.test_request_context("/ops/"):
        return render_template("ops/dashboard.html", **figures, service=SERVICE)


def table(page: ET.Element, series: str) -> dict[str, list[str]]:
    """A table's rows by their row header: the cells' texts."""
    found = page.find(f".//table[@data-series='{series}']")
    assert found.find("caption").text.strip()
    assert {th.get("scope") for th in found.iter("th")} == {"col", "row"}
    return {"".join(row.find("th").itertext()): ["".join(td.itertext()) for td in row.findall("td")]
            for row in found.find("tbody")}


@pytest.mark.parametrize(("price", "cost_29", "costs"), [
    (PRICE, ["0.24 EUR"], ["0.16 EUR", "0.56 EUR"]),  # today, the 30 days before
    (None, [], ["no estimate: set SMS_SEGMENT_PRICE"]),  # no cost column per day, the reason once in the totals
])
def test_the_page_shows_the_numbers_in_its_tables(app, filled, price, cost_29, costs):
    page = check_page(rendered(app, ops_dashboard.dashboard(filled, config(price), NOW)))
    sms = table(page, "sms")
    assert len(sms) == PAST_DAYS + 1
    assert sms["2026-03-29"] == ["1", "1", "1", "2", *cost_29]
    assert sms["2026-03-30 (today)"][:4] == ["1", "1", "1", "1"]
    assert sms["2026-03-01"][:4] == ["0", "0", "0", "0"]
    totals = {row.get("data-total"): ["".join(td.itertext()) for td in row.findall("td")]
              for row in page.find(".//table[@data-totals]/tbody")}
    assert totals == {"inbound": ["1", "3"], "outbound": ["1", "2"], "segments": ["2", "7"], "cost": costs}
    assert table(page, "reminders")["2026-03-29"] == ["2", "1"]
    assert table(page, "states")["failed"] == ["3"]
    assert table(page, "errors") == {"30007": ["blocked by the carrier's filter", "2"],
                                     "30003": ["unreachable (phone off or out of coverage)", "1"],
                                     "99999": ["", "1"]}
    assert table(page, "opt_outs")["2026-03-29"] == ["2"]


def chart(html: str, chart_id: str) -> ET.Element:
    """One chart of the page, parsed as the XML it is."""
    start = html.index('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')
    while f'id="{chart_id}"' not in html[start:html.index(">", start)]:
        start = html.index("<svg ", start + 1)
    return ET.fromstring(html[start:html.index("</svg>", start) + len("</svg>")])


def bars(svg: ET.Element) -> dict[str, float]:
    """Each bar's title -> its height."""
    return {rect.find(f"{SVG}title").text: float(rect.get("height")) for rect in svg.iter(f"{SVG}rect")
            if rect.find(f"{SVG}title") is not None}


def test_the_charts_draw_each_days_bars_at_their_height(app, filled):
    html = rendered(app, ops_dashboard.dashboard(filled, config(PRICE), NOW))
    # SMS: out then in, stacked, the tallest day (two) at the full height.
    assert bars(chart(html, "chart-sms")) == {
        "2026-02-28: 1 in": 60, "2026-03-28: 1 out": 60, "2026-03-28: 1 in": 60, "2026-03-29: 1 out": 60,
        "2026-03-29: 1 in": 60, "2026-03-30: 1 out": 60, "2026-03-30: 1 in": 60}
    assert bars(chart(html, "chart-reminders")) == {
        "2026-03-28: 1 sent": 40, "2026-03-29: 2 sent": 80, "2026-03-29: 1 failed": 40, "2026-03-30: 1 failed": 40}
    assert bars(chart(html, "chart-optouts")) == {"2026-03-29: 2": 120, "2026-03-30: 1": 60}
    assert bars(chart(html, "chart-errors")) == {"30007: 2": 120, "30003: 1": 60, "99999: 1": 60}
    for chart_id in ("chart-sms", "chart-reminders", "chart-optouts", "chart-errors"):
        assert chart(html, chart_id).find(f"{SVG}title").text


def test_no_error_says_so(app, db):
    html = rendered(app, ops_dashboard.dashboard(db, config(None), NOW))
    page = check_page(html)
    assert page.find(".//p[@data-no-errors]") is not None
    assert bars(chart(html, "chart-sms")) == {}


# The constant rows of the days (31 of them) are read whole by design, once per row found (CROSS JOIN: the table is
# read once over the whole range, not once a day); every other table only through an index.
DAYS_SCANS = {"SCAN d"}


def plans(db) -> dict[str, list[str]]:
    """Each statement dashboard() runs (parameters bound) -> the tables it reads whole."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        ops_dashboard.dashboard(db, config(PRICE), NOW)
    finally:
        db.conn.set_trace_callback(None)
    return {sql: [detail for *_ids, detail in db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()]
            for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))}


def scans(plan: list[str]) -> list[str]:
    return [step for step in plan if step.startswith("SCAN") and "CONSTANT ROW" not in step
            and step not in DAYS_SCANS]


@pytest.mark.parametrize(("reads", "index"), [
    ("messages m ON", "SEARCH m USING INDEX messages_created (created_at>? AND created_at<?)"),
    ("state IN", "SEARCH reminders USING COVERING INDEX reminders_ready (state=?)"),
    ("state = 'failed'", "SEARCH r USING INDEX reminders_ready (state=?)"),
    ("WHERE r.sent_at >=", "SEARCH r USING COVERING INDEX reminders_sent (sent_at>? AND sent_at<?)"),
    ("WHERE p.opted_out_at >=", "SEARCH p USING COVERING INDEX people_opted_out (opted_out_at>? AND opted_out_at<?)"),
])
def test_each_dashboard_query_reads_through_an_index(filled, reads, index):
    found = {sql: plan for sql, plan in plans(filled).items() if reads in sql}
    assert len(found) == 1, list(found)
    (plan,) = found.values()
    assert index in plan
    assert scans(plan) == []


def test_the_scan_check_sees_a_scan(db):
    assert scans([detail for *_ids, detail in db.execute(
        "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM messages WHERE body = 'HELP'").fetchall()]) == ["SCAN messages"]


@pytest.mark.parametrize(("language", "no_price", "caption", "meaning"), [
    ("en", "no estimate: set SMS_SEGMENT_PRICE", "Opt-outs per day", "blocked by the carrier's filter"),
    ("fr", "pas d'estimation : définissez SMS_SEGMENT_PRICE", "Désinscriptions par jour",
     "bloqué par le filtre de l'opérateur"),  # a lazy string of the error table, read in the page's language
])
def test_the_page_speaks_the_consoles_language(app, filled, language, no_price, caption, meaning):
    with app.test_request_context("/ops/", headers={"Accept-Language": language}):
        OPS.as_default()  # as the console's guard does for every /ops request
        html = render_template("ops/dashboard.html", **ops_dashboard.dashboard(filled, config(None), NOW),
                               service=SERVICE)
    page = check_page(html)
    assert ["".join(td.itertext()) for td in page.find(".//table[@data-totals]/tbody/tr[@data-total='cost']")
            .findall("td")] == [no_price]
    assert page.find(".//table[@data-series='opt_outs']/caption").text == caption
    assert table(page, "errors")["30007"] == [meaning, "2"]
