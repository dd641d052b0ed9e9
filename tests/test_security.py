"""Transport and logs: only trusted Host headers, HSTS behind https, phone numbers masked in the real servers' logs."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

import pytest
import requests

from sms.phones import mask
from webapp.app import create_app

ROOT = Path(__file__).resolve().parent.parent
PHONE = "+33612345678"
PUBLIC = "https://vitale.example.org"
LOCAL = "http://127.0.0.1:8000"


# (PUBLIC_BASE_URL, Host sent, host the redirect of /fr may point at; None: refused with 400, no Location)
@pytest.mark.parametrize(("public_base_url", "host", "redirect_host"), [
    (PUBLIC, "evil.example", None),
    (PUBLIC, "vitale.example.org.evil.example", None),
    (PUBLIC, "evil.example:443", None),
    (PUBLIC, "vitale.example.org", "vitale.example.org"),  # what the reverse proxy passes on
    (PUBLIC, "127.0.0.1:8000", "127.0.0.1:8000"),  # the operator's curl on the server itself
    (LOCAL, "evil.example", None),
    (LOCAL, "127.0.0.1:8000", "127.0.0.1:8000"),  # make run
    (LOCAL, "localhost:8000", "localhost:8000"),  # make run, where the service worker works over http
    (LOCAL, "localhost", "localhost"),  # Flask's test client
])
def test_only_trusted_hosts_are_served_and_redirected_to(app_config, public_base_url, host, redirect_host):
    client = create_app(dict(app_config, PUBLIC_BASE_URL=public_base_url)).test_client()
    response = client.get("/fr", headers={"Host": host})
    if redirect_host is None:
        assert response.status_code == 400
        assert "Location" not in response.headers
    else:
        assert response.status_code == 308
        assert urlsplit(response.headers["Location"]).netloc == redirect_host


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/"), ("GET", "/fr"), ("GET", "/en/help"), ("GET", "/nowhere"), ("GET", "/static/css/app.css"),
    ("POST", "/fr/"), ("POST", "/sms/inbound"), ("POST", "/sms/status"),
])
def test_an_untrusted_host_gets_a_plain_400_on_every_url(app_config, method, url):
    client = create_app(dict(app_config, PUBLIC_BASE_URL=PUBLIC)).test_client()
    response = client.open(url, method=method, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Location", "")
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("public_base_url", "hsts"), [
    ("https://vitale.example.org", "max-age=31536000"),
    ("https://vitale.example.org/", "max-age=31536000"),
    ("http://127.0.0.1:8000", None),
    ("http://vitale.example.org", None),
])
@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/fr/"), ("GET", "/"), ("GET", "/nowhere"), ("POST", "/sms/inbound"),
])
def test_hsts_is_sent_exactly_when_the_public_address_is_https(app_config, public_base_url, hsts, method, url):
    client = create_app(dict(app_config, PUBLIC_BASE_URL=public_base_url)).test_client()
    host = urlsplit(public_base_url).netloc
    response = client.open(url, method=method, base_url=f"{urlsplit(public_base_url).scheme}://{host}")
    assert response.headers.get("Strict-Transport-Security") == hsts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# How each real server is started: `make run`, and the README's production command (access log turned on).
SERVERS = {
    "make run": lambda port: [sys.executable, "-m", "webapp.devserver"],
    "gunicorn": lambda port: [sys.executable, "-m", "gunicorn", "-c", "python:webapp.gunicorn_conf", "--workers", "2",
                              "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "wsgi:app"],
}


# The same number in a query string, as a browser or a hand-typed URL may spell it.
QUERIES = ["phone=%2B33612345678", "phone=+33612345678", "phone=06%2012%2034%2056%2078", "phone=06+12+34+56+78",
           "phone=06.12.34.56.78", "phone=0612345678&x=%2B%33%36%31%32%33%34%35%36%37%38"]


def text_through_the_simulator(base: str) -> None:
    """Open the simulated phone for PHONE in every spelling, then text HELP from it."""
    with requests.Session() as browser:
        for query in QUERIES:
            assert browser.get(f"{base}/dev/phone?{query}", timeout=10).status_code == 200
        page = browser.get(f"{base}/dev/phone", params={"phone": PHONE}, timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        sent = browser.post(f"{base}/dev/phone", data={"csrf_token": token, "phone": PHONE, "body": "HELP"}, timeout=10)
        assert sent.status_code == 200  # the redirect back to the phone, followed


def serve(command: list[str], env: dict, port: int) -> subprocess.Popen:
    """Start a server and wait until it answers on the port."""
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.communicate()[0])
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"no answer on port {port}: {process.communicate()[0]}")


@pytest.mark.slow
@pytest.mark.parametrize("server", SERVERS)
def test_real_servers_log_the_app_info_lines_and_never_a_phone_number(app, server):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, DATABASE=app.config["DATABASE"], SECRET_KEY="test", SMS_BACKEND="outbox",
               TWILIO_ACCOUNT_SID="", ENVIRONMENT="development", HOST="127.0.0.1", PORT=str(port),
               PUBLIC_BASE_URL=base, QUIET_HOURS="00:00-00:00", PYTHONUNBUFFERED="1")
    process = serve(SERVERS[server](port), env, port)
    try:
        text_through_the_simulator(base)
        time.sleep(0.5)  # the access log line of the last request is written after its response
    finally:
        process.send_signal(signal.SIGTERM if server == "gunicorn" else signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    access_lines = [line for line in output.splitlines() if "GET /dev/phone?" in line]
    assert len(access_lines) >= len(QUERIES) + 1, output
    assert all(re.search(r"\d\*{4,}78", line) for line in access_lines), access_lines
    assert re.search(rf"inbound \S+ from {re.escape(mask(PHONE))}", output), output  # the app's own INFO line
    for line in output.splitlines():  # the digits, whatever the %-escapes and separators between them
        assert "612345678" not in re.sub(r"\D", "", unquote_plus(line)), line


# What the reverse proxy on the same machine passes on (Host, X-Forwarded-Proto), and what gunicorn then answers /fr.
BEHIND_THE_PROXY = [
    ({"Host": "vitale.example.org", "X-Forwarded-Proto": "https"}, 308, "https://vitale.example.org/fr/"),
    ({"Host": "evil.example", "X-Forwarded-Proto": "https"}, 400, None),
    ({"Host": "evil.example", "X-Forwarded-Host": "vitale.example.org"}, 400, None),
    ({"Host": "vitale.example.org", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}, 308,
     "https://vitale.example.org/fr/"),
]


@pytest.mark.slow
def test_gunicorn_behind_a_proxy_redirects_only_to_the_public_https_address(app):
    port = free_port()
    env = dict(os.environ, DATABASE=app.config["DATABASE"], SECRET_KEY="test", SMS_BACKEND="outbox",
               TWILIO_ACCOUNT_SID="", ENVIRONMENT="production", PUBLIC_BASE_URL=PUBLIC)
    process = serve(SERVERS["gunicorn"](port), env, port)
    try:
        answers = [requests.get(f"http://127.0.0.1:{port}/fr", headers=headers, allow_redirects=False, timeout=10)
                   for headers, _status, _location in BEHIND_THE_PROXY]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    for answer, (headers, status, location) in zip(answers, BEHIND_THE_PROXY, strict=True):
        assert (answer.status_code, answer.headers.get("Location")) == (status, location), headers
        assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
