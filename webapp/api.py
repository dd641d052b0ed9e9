"""The JSON API of the web app (/api/v1): each view checks, decodes and hands over to the domain; errors are JSON.

The document at webapp/openapi.json is the contract: request bodies are validated against its schemas, and
tests run schemathesis against it.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema_rs
from flask import Blueprint, Response, g, jsonify, request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from webapp import link
from webapp.i18n import LANGUAGES
from webapp.store import get_db

bp = Blueprint("api", __name__, url_prefix="/api/v1")
OPENAPI_PATH = Path(__file__).with_name("openapi.json")
MAX_BODY_BYTES = 64 * 1024
# What a schema violation is called in an error's `code`, by the JSON Schema keyword that failed.
SCHEMA_CODES = {"required": "missing_field", "additionalProperties": "unknown_field", "type": "wrong_type",
                "maxItems": "too_many_changes"}


class ApiError(Exception):
    """An error the client gets as JSON: an HTTP status, a machine-readable code, a sentence, maybe a field."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> tuple[Response, int]:
    """An ApiError as its JSON body."""
    body = {"code": error.code, "message": error.message} | ({"field": error.field} if error.field else {})
    return jsonify(body), error.status


@functools.cache
def openapi() -> dict:
    """The OpenAPI document (read once), its Lang enum following the language table."""
    document = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
    document["components"]["schemas"]["Lang"]["enum"] = list(LANGUAGES)
    return document


def _component(schema: str) -> dict:
    """One of the document's component schemas, as a schema whose $refs resolve in the document."""
    return {"$ref": f"#/components/schemas/{schema}", "components": openapi()["components"]}


@functools.cache
def validator(schema: str) -> Draft202012Validator:
    """The validator that explains what is wrong with a body (jsonschema's errors, their paths, best_match)."""
    return Draft202012Validator(_component(schema))


@functools.cache
def fast_validator(schema: str) -> jsonschema_rs.Draft202012Validator:
    """The validator that says whether a body is valid, about 100 times faster: the Change schema's oneOf
    costs jsonschema some 20 ms for a 10-change sync, four fifths of the request (bench/sync.py)."""
    return jsonschema_rs.Draft202012Validator(_component(schema), validate_formats=False)


def _where(error) -> str | None:
    path = ".".join(str(part) for part in error.absolute_path)
    return path or None


def json_body(schema: str) -> dict:
    """The request's JSON body, valid for `schema`; an ApiError (413, 415, 400) otherwise."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"The body must be at most {MAX_BODY_BYTES} bytes.")
    if request.mimetype != "application/json":
        raise ApiError(415, "not_json", "Send JSON, with Content-Type: application/json.")
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"The body must be at most {MAX_BODY_BYTES} bytes.")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "bad_json", "The body is not valid JSON.") from error
    if fast_validator(schema).is_valid(body):
        return body
    error = best_match(validator(schema).iter_errors(body))  # jsonschema's pick of the most telling error
    if error is None:  # the two validators disagree: refuse rather than let an unchecked body through
        raise ApiError(400, "invalid_value", "The body does not match the schema.")
    raise ApiError(400, SCHEMA_CODES.get(error.validator, "invalid_value"), error.message[:200], _where(error))


def device() -> link.Device:
    """The device behind the request's bearer token; an ApiError 401 when there is none or its link is gone."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "token_missing", "Send the device token: Authorization: Bearer <token>.")
    try:
        found = link.device_for(get_db(), token.strip())
    except link.Unlinked as error:
        raise ApiError(401, "token_revoked" if error.revoked else "token_missing",
                       "This phone is no longer linked." if error.revoked else "This token is not known.") from error
    g.device = found
    return found


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The API's OpenAPI 3.1 document."""
    response = jsonify(openapi())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
