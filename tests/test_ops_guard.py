"""Nothing of /ops is reachable without signing in: a meta-test over every rule of the URL map, all its methods."""
from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from tests.strict_html import CheckedClient
from webapp.app import create_app

# A value for each converter a rule of /ops may hold, so that every rule can be requested.
SAMPLES = {"IntegerConverter": "1", "UnicodeConverter": "x", "PathConverter": "x/y", "AnyConverter": None}
SIGN_IN = "ops.sign_in"


def url_of(rule: Rule) -> str:
    """A concrete URL for a rule, its variables filled with a sample of their converter's type."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        values[name] = converter.items[0] if kind == "AnyConverter" else SAMPLES[kind]
    return rule.build(values, append_unknown=False)[1]


def ops_rules(app) -> list[Rule]:
    """Every rule of the app under /ops."""
    return [rule for rule in app.url_map.iter_rules() if rule.rule == "/ops" or rule.rule.startswith("/ops/")]


def unguarded(app) -> list[str]:
    """`METHOD URL` of every /ops rule that does not refuse a request without a session: a GET must be sent to
    the sign-in page, anything else answered 403 (here with a valid CSRF token, so that only the guard refuses)."""
    client = app.test_client()
    token = CheckedClient(client).csrf("/ops/sign-in")  # a session with a CSRF token, not signed in
    found = []
    for rule in ops_rules(app):
        if rule.endpoint == SIGN_IN:
            continue
        url = url_of(rule)
        for method in sorted(rule.methods - {"OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            if method in ("GET", "HEAD"):
                refused = response.status_code in (302, 303) and response.location.endswith("/ops/sign-in")
            else:
                refused = response.status_code == 403
            if not refused:
                found.append(f"{method} {rule.rule} -> {response.status_code}")
    return found


def test_the_console_has_the_views_the_guard_is_tested_on(app):
    endpoints = {rule.endpoint for rule in ops_rules(app)}
    assert {"ops.dashboard", "ops.queue", "ops.retry", "ops.number", "ops.reveal", "ops.erase", "ops.audit",
            "ops.sign_out", SIGN_IN} <= endpoints


def test_every_ops_rule_refuses_a_request_without_a_session(app):
    assert unguarded(app) == []


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_route_added_without_the_guard_is_caught(app_config, method):
    # A fresh app with one /ops view added beside the blueprint (not under its guard): the meta-test names it.
    app = create_app(app_config)
    app.add_url_rule("/ops/scratch/<int:number>", "scratch", lambda number: "open to anyone", methods=[method])
    assert {line.split()[1] for line in unguarded(app)} == {"/ops/scratch/<int:number>"}
    assert f"{method} /ops/scratch/<int:number> -> 200" in unguarded(app)


def test_the_sign_in_page_itself_is_open(client):
    assert client.get("/ops/sign-in").status_code == 200
