"""`flask messages [--phone N] [--json]`: the message log, newest first."""
from __future__ import annotations

import json
from datetime import timedelta

from sms import inbound
from tests.conftest import FIXED_NOW

PHONE, OTHER = "+33612345678", "+33698765432"


def fill(app, db):
    with app.app_context():
        for minutes, (sender, body) in enumerate([(PHONE, "HELP"), (OTHER, "AIDE"), (PHONE, "RIB")]):
            inbound.handle(db, app.config, inbound.Inbound(sender, body, f"SM{minutes}"),
                           now=FIXED_NOW + timedelta(minutes=minutes))


def test_json_lists_every_message_newest_first(app, db):
    fill(app, db)
    result = app.test_cli_runner().invoke(args=["messages", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["direction"], r["phone"]) for r in rows][:2] == [("outbound", PHONE), ("inbound", PHONE)]
    assert rows[1]["body"] == "RIB" and rows[-1]["body"] == "HELP"
    assert [r["created_at"] for r in rows] == sorted((r["created_at"] for r in rows), reverse=True)
    for row in rows:
        assert {"direction", "phone", "body", "status", "segments", "encoding", "created_at"} <= set(row)
        assert row["direction"] in ("inbound", "outbound") and row["segments"] >= 1


def test_phone_filter_accepts_the_usual_forms(app, db):
    fill(app, db)
    result = app.test_cli_runner().invoke(args=["messages", "--phone", "06 98 76 54 32", "--json"])
    rows = json.loads(result.output)
    assert {r["phone"] for r in rows} == {OTHER} and len(rows) == 2


def test_lines_and_limit(app, db):
    fill(app, db)
    result = app.test_cli_runner().invoke(args=["messages", "--limit", "1"])
    assert result.exit_code == 0
    [line] = result.output.splitlines()
    assert line.startswith("2026-03-02T12:02:00Z -> +33612345678 [sent, 1 seg GSM-7] New bank details")


def test_an_empty_log_and_a_bad_number(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["messages"]).output.strip() == "No messages."
    assert json.loads(runner.invoke(args=["messages", "--json"]).output) == []
    assert runner.invoke(args=["messages", "--phone", "hello"]).exit_code != 0
