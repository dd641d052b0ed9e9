"""Shared fixtures: an app on a real temporary SQLite file, its client, and a live loopback server."""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from werkzeug.serving import make_server

from scheduler.rules import Delays
from tests.strict_html import CheckedClient
from webapp import settings
from webapp.app import create_app
from webapp.store import connect
from webapp.store.migrations import apply

# The fake Twilio server's `fake_twilio` fixture, for every test module. Only the top-level conftest
# may declare plugins: keep this one at the root of the tests.
pytest_plugins = ["tests.fake_twilio"]

# Pinned so the rules tests read the same whatever the day.
FIXED_NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
# A well-formed social security number: the documented example (facts.md).
VALID_NUMBER = "2 95 10 99 126 111 93"
# The reminder delays of a deployment that sets none: built from the settings, the one place defaults live.
DEFAULT_DELAYS = Delays.from_config(settings.load({}, dotenv=None))


@pytest.fixture
def app_config(tmp_path) -> dict:
    """Settings for a test app: a temp database, no Twilio, the outbox."""
    return {
        "TESTING": True,
        "DATABASE": str(tmp_path / "test.sqlite3"),
        "SECRET_KEY": "test-secret",
        "SMS_BACKEND": "outbox",
        "TWILIO_ACCOUNT_SID": None,
        "TWILIO_AUTH_TOKEN": None,
        "ENVIRONMENT": "production",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    }


@pytest.fixture
def app(app_config):
    """A migrated app on a fresh SQLite file."""
    app = create_app(app_config)
    db = connect(app.config["DATABASE"])
    apply(db)
    db.close()
    return app


@pytest.fixture
def client(app):
    """Flask's test client."""
    return app.test_client()


@pytest.fixture
def pages(client) -> CheckedClient:
    """The test client, strictly checking every HTML page it receives."""
    return CheckedClient(client)


@pytest.fixture
def db(app) -> Iterator:
    """A connection to the app's database file."""
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


class LiveServer:
    """A real threaded HTTP server on loopback, port chosen by the OS."""

    def __init__(self, app) -> None:
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)  # a fast shutdown
        self.stopped = False

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port; a test may stop it (to go offline) before the fixture does."""
        if self.stopped:
            return
        self.stopped = True
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    """The app served for real on 127.0.0.1."""
    server = LiveServer(app).start()
    yield server
    server.stop()


CHROMIUM_PATHS = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def find_chromium() -> str | None:
    """Chromium's executable: env CHROMIUM, else the Debian paths; None when there is none."""
    candidates = [os.environ.get("CHROMIUM", "")] + list(CHROMIUM_PATHS)
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser():
    """Real Chromium driven by Playwright: skipped loudly when missing, and a failure under CI=true."""
    path = find_chromium()
    if path is None:
        message = ("NO CHROMIUM: browser tests NOT RUN. Install Debian's `chromium` or set CHROMIUM "
                   f"(looked at $CHROMIUM and {', '.join(CHROMIUM_PATHS)}).")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
