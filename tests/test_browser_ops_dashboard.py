"""The console's dashboard in a real browser on a 360 px phone: signed in, its figures in its tables, axe-clean."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from webapp import operators
from webapp.store import immediate, utcnow
from webapp.store.messages import add_message

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots-dashboard")
NAME, PASSWORD = "camille", "correct horse battery staple"


@pytest.fixture
def app_config(app_config):
    return dict(app_config, SMS_SEGMENT_PRICE=None, SMS_PRICE_CURRENCY="EUR")


@pytest.fixture
def traffic(db):
    """An operator, and two days of texts: three in and two out yesterday (one refused: 30007), one in today."""
    now = utcnow()
    with immediate(db):
        operators.add(db, NAME, PASSWORD, now)
        yesterday = now - timedelta(days=1)
        for index, (direction, at, sid, error) in enumerate([
                ("inbound", yesterday, True, None), ("inbound", yesterday, True, None),
                ("inbound", yesterday, True, None), ("outbound", yesterday, True, None),
                ("outbound", yesterday, False, 30007), ("inbound", now, True, None)]):
            add_message(db, direction=direction, phone="+33612345678", body="HELP", now=at,
                        status="failed" if error else "sent", twilio_sid=f"SM{index:032}" if sid else None,
                        error_code=error)
    return db


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 640})
    yield context.new_page()
    context.close()


def sign_in(page, base: str) -> None:
    page.goto(base + "/ops/")
    page.fill("#name", NAME)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/ops/")


def test_the_dashboard_on_a_phone_is_readable_and_axe_clean(phone, live_server, traffic):
    sign_in(phone, live_server.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SHOTS / "dashboard-360.png"), full_page=True)
    for chart in ("chart-sms", "chart-errors"):
        phone.locator(f"#{chart}").screenshot(path=str(SHOTS / f"{chart}-360.png"))
    totals = {key: phone.locator(f"table[data-totals] tr[data-total={key}] td").all_inner_texts()
              for key in ("inbound", "outbound", "segments", "cost")}
    assert totals == {"inbound": ["1", "3"], "outbound": ["0", "1"], "segments": ["1", "4"],
                      "cost": ["no estimate: set SMS_SEGMENT_PRICE"]}
    assert phone.locator("table[data-series=errors] tr[data-code='30007'] td").all_inner_texts() == [
        "blocked by the carrier's filter", "1"]
    # Each chart fits the phone's width: nothing makes the page scroll sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for chart in phone.locator("svg.chart").all():
        assert chart.bounding_box()["width"] <= 360
    results = Axe().run(phone)
    assert results.violations_count == 0, results.generate_report()
