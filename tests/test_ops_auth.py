"""Operators and signing in to /ops: the CLI, argon2id hashes, the rate limit, session expiry, CSRF, the audit log."""
from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.strict_html import CheckedClient
from webapp import operators
from webapp.store import operators as store
from webapp.store import utcnow

PASSWORD = "correct horse battery"
NAME = "amina"


@pytest.fixture(autouse=True)
def english(client) -> None:
    """The words these tests read are the English ones (French is the default, with its own tests)."""
    client.set_cookie("lang", "en")


def add_operator(app, name: str = NAME, password: str = PASSWORD) -> None:
    """An operator, as `flask operators add` makes one."""
    result = app.test_cli_runner().invoke(args=["operators", "add", name], input=f"{password}\n{password}\n")
    assert result.exit_code == 0, result.output


def sign_in(client, name: str = NAME, password: str = PASSWORD, **kwargs):
    """POST the sign-in form as a browser would (with the page's CSRF token); the response."""
    token = CheckedClient(client).csrf("/ops/sign-in")
    return client.post("/ops/sign-in", data={"csrf_token": token, "name": name, "password": password}, **kwargs)


def csrf_of(client) -> str:
    with client.session_transaction() as session:
        return session["csrf_token"]


def audit_lines(db) -> list[tuple[str, str, str]]:
    return [(row["operator"], row["action"], row["detail"]) for row in reversed(store.audit_log(db))]


# -- the CLI ---------------------------------------------------------------------------------------------------
def test_add_list_and_disable_with_the_cli(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["operators", "add", NAME], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0 and "added" in result.output
    assert PASSWORD not in result.output  # the prompt hides what is typed
    listed = runner.invoke(args=["operators", "list"])
    assert listed.exit_code == 0 and NAME in listed.output and "enabled" in listed.output
    assert runner.invoke(args=["operators", "disable", NAME]).exit_code == 0
    assert "disabled" in runner.invoke(args=["operators", "list"]).output
    assert store.operator_by_name(db, NAME)["disabled_at"]


def test_the_database_keeps_an_argon2id_hash_never_the_password(app, db):
    add_operator(app)
    row = store.operator_by_name(db, NAME)
    assert row["password_hash"].startswith("$argon2id$")
    assert PASSWORD not in row["password_hash"]
    dumped = "\n".join(db.conn.iterdump())
    assert PASSWORD not in dumped
    assert operators.HASHER.verify(row["password_hash"], PASSWORD)


@pytest.mark.parametrize(("typed", "says"), [
    ("short pw 11\nshort pw 11\n", "at least 12 characters"),
    (f"{PASSWORD}\n{PASSWORD}!\n", "differ"),
])
def test_add_refuses_a_short_password_and_two_different_entries(app, db, typed, says):
    result = app.test_cli_runner().invoke(args=["operators", "add", NAME], input=typed)
    assert result.exit_code != 0 and says in result.output
    assert store.operator_by_name(db, NAME) is None


def test_add_refuses_an_existing_name_and_reset_sets_a_new_password(app, client, db):
    add_operator(app)
    runner = app.test_cli_runner()
    again = runner.invoke(args=["operators", "add", NAME], input="another password!\nanother password!\n")
    assert again.exit_code != 0 and "exists already" in again.output
    reset = runner.invoke(args=["operators", "add", "--reset", NAME], input="another password!\nanother password!\n")
    assert reset.exit_code == 0
    assert sign_in(client, password=PASSWORD).status_code == 200  # the old one no longer works
    assert sign_in(client, password="another password!").status_code == 303


def test_the_cli_refuses_a_name_with_spaces_and_disabling_nobody(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["operators", "add", "a b"], input=f"{PASSWORD}\n{PASSWORD}\n").exit_code != 0
    assert "no enabled operator" in runner.invoke(args=["operators", "disable", "nobody"]).output


# -- signing in ------------------------------------------------------------------------------------------------
def test_signing_in_opens_the_console_and_is_audited(app, client, db):
    add_operator(app)
    response = sign_in(client)
    assert response.status_code == 303 and response.location.endswith("/ops/")
    queue = client.get("/ops/queue")
    assert queue.status_code == 200 and f"Signed in as {NAME}" in queue.get_data(as_text=True)
    assert audit_lines(db) == [(NAME, "signed-in", "")]


@pytest.mark.parametrize(("name", "password"), [(NAME, "wrong password!"), ("nobody", PASSWORD), ("", PASSWORD),
                                                (NAME, "")])
def test_a_wrong_or_missing_name_or_password_shows_the_form_again_with_an_error(app, client, db, name, password):
    add_operator(app)
    response = CheckedClient(client).post("/ops/sign-in", data={
        "csrf_token": CheckedClient(client).csrf("/ops/sign-in"), "name": name, "password": password})
    assert response.status_code == 200
    summary = response.tree.find(".//div[@class='error-summary']")
    assert summary is not None and summary.find(".//a").get("href") in ("#name", "#password")
    assert client.get("/ops/queue").status_code == 303  # not signed in
    assert audit_lines(db) == []


def test_a_disabled_operator_cannot_sign_in_and_an_open_session_ends(app, client, db):
    add_operator(app)
    assert sign_in(client).status_code == 303
    operators.disable(db, NAME, utcnow())
    assert client.get("/ops/queue").status_code == 303
    assert sign_in(client).status_code == 200


def test_more_failures_than_the_limit_refuse_even_the_right_password(app, client, db):
    add_operator(app)
    limit = app.config["OPS_SIGNIN_MAX_FAILURES"]
    for _ in range(limit + 1):
        assert sign_in(client, password="wrong password!").status_code == 200
    refused = sign_in(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Try again in 15 minutes" in refused.get_data(as_text=True)
    assert client.get("/ops/queue").status_code == 303
    assert audit_lines(db)[-1] == (NAME, "sign-in-refused", "rate limited")


@pytest.mark.parametrize("second_address", ["203.0.113.7", "2001:db8:1:2:ffff::9"])
def test_one_client_trying_many_names_is_limited_by_its_address_or_ipv6_64(app, client, db, second_address):
    add_operator(app)
    first = "203.0.113.7" if "." in second_address else "2001:db8:1:2::1"
    for index in range(app.config["OPS_SIGNIN_MAX_FAILURES"] + 1):
        sign_in(client, name=f"guess{index}", environ_base={"REMOTE_ADDR": first})
    assert sign_in(client, environ_base={"REMOTE_ADDR": second_address}).status_code == 429
    assert sign_in(client, environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 303  # another client
    assert ("(unknown name)", "sign-in-refused", "rate limited") not in audit_lines(db)  # the name was known


def test_the_failure_table_keeps_keyed_hashes_never_the_name_or_address(app, client, db):
    sign_in(client, name="my password typed here", environ_base={"REMOTE_ADDR": "192.0.2.44"})
    rows = list(db.query("SELECT * FROM signin_failures"))
    assert len(rows) == 1
    assert "password" not in str(rows) and "192.0.2" not in str(rows)


def test_a_success_does_not_erase_the_clients_failures(app, client, db):
    add_operator(app)
    add_operator(app, "bruno")
    limit = app.config["OPS_SIGNIN_MAX_FAILURES"]
    for _ in range(limit):
        sign_in(client, name="bruno", password="wrong password!")
    assert sign_in(client).status_code == 303
    sign_in(client, name="bruno", password="wrong password!")  # one more from this client: over the limit
    assert sign_in(client).status_code == 429


def test_failures_leave_the_window_after_15_minutes(app, client, db):
    add_operator(app)
    for _ in range(app.config["OPS_SIGNIN_MAX_FAILURES"] + 1):
        sign_in(client, password="wrong password!")
    db.execute("UPDATE signin_failures SET at = '2000-01-01T00:00:00Z'")
    db.conn.commit()
    assert sign_in(client).status_code == 303


# -- the session -----------------------------------------------------------------------------------------------
def test_signing_in_makes_a_new_csrf_token_and_keeps_the_rest_of_the_session(app, client):
    add_operator(app)
    CheckedClient(client).csrf("/ops/sign-in")
    with client.session_transaction() as session:
        session["done"] = ["step-1"]  # the public checklist's ticks
        planted = session["csrf_token"]
    sign_in(client)
    with client.session_transaction() as session:
        assert session["csrf_token"] != planted
        assert session["done"] == ["step-1"]
        assert session["ops"]["operator"] == NAME


def test_an_idle_session_ends_and_the_sign_in_page_says_so(app, client, db):
    add_operator(app)
    sign_in(client)
    idle = app.config["OPS_SESSION_MINUTES"] * 60 + 5
    with client.session_transaction() as session:
        session["ops"] = dict(session["ops"], seen=int(time.time()) - idle)
    response = client.get("/ops/queue")
    assert response.status_code == 303 and "/ops/sign-in?ended=1" in response.location
    page = CheckedClient(client).get(response.location)
    assert "Your session ended" in page.get_data(as_text=True)
    assert client.get("/ops/queue").status_code == 303  # signed out for good
    with client.session_transaction() as session:
        assert "ops" not in session


def test_a_session_used_within_the_limit_stays_open(app, client):
    add_operator(app)
    sign_in(client)
    with client.session_transaction() as session:
        session["ops"] = dict(session["ops"], seen=int(time.time()) - (app.config["OPS_SESSION_MINUTES"] * 60 - 30))
    assert client.get("/ops/queue").status_code == 200
    assert client.get("/ops/queue").status_code == 200  # the request before renewed it


def test_a_post_without_the_csrf_token_is_refused_with_400_and_does_nothing(app, client, db):
    add_operator(app)
    sign_in(client)
    assert client.post("/ops/sign-out").status_code == 400
    assert client.post("/ops/sign-out", data={"csrf_token": "forged"}).status_code == 400
    assert client.get("/ops/queue").status_code == 200  # still signed in
    assert client.post("/ops/sign-in", data={"name": NAME, "password": PASSWORD}).status_code == 400


def test_signing_out_ends_the_console_session_only_and_is_audited(app, client, db):
    add_operator(app)
    sign_in(client)
    response = client.post("/ops/sign-out", data={"csrf_token": csrf_of(client)})
    assert response.status_code == 303 and response.location.endswith("/ops/sign-in")
    assert client.get("/ops/queue").status_code == 303
    assert [line[1] for line in audit_lines(db)] == ["signed-in", "signed-out"]
    with client.session_transaction() as session:
        assert "csrf_token" in session


@pytest.mark.parametrize("path", ["/ops/sign-in", "/ops/queue", "/ops/audit"])
def test_every_ops_response_is_not_stored_and_not_indexed(app, client, path):
    add_operator(app)
    sign_in(client)
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(st.characters(codec="utf-8"), max_size=200),
       password=st.text(st.characters(codec="utf-8"), max_size=200))
def test_any_name_and_password_get_the_form_again_or_the_limit_never_the_console(app, client, db, name, password):
    if store.operator_by_name(db, NAME) is None:
        add_operator(app)
    response = sign_in(client, name=name, password=password)
    assert response.status_code in (200, 429)  # the form with its error, or the limit's page
    with client.session_transaction() as session:
        assert "ops" not in session
