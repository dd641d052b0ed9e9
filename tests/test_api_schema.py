"""schemathesis against webapp/openapi.json on a live app (loopback HTTP): for every operation, generated requests
never get a 5xx, and every response conforms to the document (status code, content type, headers, body)."""
from __future__ import annotations

import json
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.conftest import DEFAULT_DELAYS
from webapp import journey, link
from webapp.api import OPENAPI_PATH
from webapp.store import utcnow

EXAMPLES = 30  # per operation: enough to reach every branch of the schemas, short enough for `make test`
# Every check but one: a schema-valid request may still be refused with a documented 400, for what JSON Schema
# cannot say (a phone number that is not a mobile one, a date after today in France). Those answers are held to
# the document like any other (status code, content type, body), and tests/test_api_sync.py pins them.
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]


@pytest.fixture
def token(db) -> str:
    """A linked device's token, so that generated requests get past the 401."""
    person = journey.person_for(db, "+33612345678", "fr", journey.Clock(utcnow(), DEFAULT_DELAYS))
    return link.link_device(db, person["id"], utcnow())


# The document in the repository, which the app serves (checked below); schemathesis' lazy fixture loader
# (from_fixture) does not run under pytest 9, hence the file and the live server's URL on each call.
schema = schemathesis.openapi.from_path(OPENAPI_PATH)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_conforms_to_the_document(case, live_server, token):
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"},
                           excluded_checks=NOT_CHECKED)


def test_the_app_serves_the_document_of_the_repository(live_server):
    with urllib.request.urlopen(f"{live_server.url}/api/v1/openapi.json") as answer:
        assert json.load(answer) == json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
