"""DELETE over the webhook: a few seconds later neither the database file nor its -wal holds the number,
while the web workers keep their connections open (and one of them may be reading)."""
from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from tests.twilio_signing import inbound_params, signed_post, twiml_messages

PHONE = "+33612345678"
# Every form the number could be stored in: E.164, without its +, national, with and without spaces.
FORMS = [PHONE, PHONE[1:], "0612345678", "612345678", "06 12 34 56 78", "6 12 34 56 78", "06.12.34.56.78"]
TOKEN = "erasure-token"
SCRUBBED_WITHIN_SECONDS = 10


@pytest.fixture
def app_config(app_config):
    return dict(app_config, TWILIO_AUTH_TOKEN=TOKEN, PUBLIC_BASE_URL="https://sms.example.org")


def text(client, app, body):
    response = signed_post(client, app, "/sms/inbound", inbound_params(PHONE, body))
    assert response.status_code == 200, response.data
    return twiml_messages(response.data)


def forms_stored(database: str) -> list[str]:
    """The forms of the number found in the database file or its -wal."""
    stored = b"".join(path.read_bytes() for path in (Path(database), Path(database + "-wal")) if path.exists())
    return [form for form in FORMS if form.encode() in stored]


@pytest.mark.parametrize("other_worker", ["idle", "reading during the DELETE"])
def test_after_delete_neither_the_database_file_nor_its_wal_holds_the_number(client, app, db, other_worker):
    for body in ("SENT ONLINE", "CLAIM", "my number is 06 12 34 56 78", "call 0612345678 or 06.12.34.56.78"):
        text(client, app, body)
    database = app.config["DATABASE"]
    assert forms_stored(database)  # the check can see the number when it is there
    other = sqlite3.connect(database, check_same_thread=False)  # another web worker's connection
    read_ends = threading.Timer(1.5, other.rollback)
    if other_worker != "idle":  # its read started before the DELETE and ends a moment after
        other.execute("BEGIN")
        other.execute("SELECT COUNT(*) FROM messages").fetchone()
        read_ends.start()
    try:
        assert text(client, app, "DELETE")
        deadline = time.monotonic() + SCRUBBED_WITHIN_SECONDS
        while forms_stored(database) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert forms_stored(database) == []
    finally:
        if read_ends.is_alive():
            read_ends.join()
        other.close()
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0
