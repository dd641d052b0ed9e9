"""The opt-in as JSON (/api/v1/optin, /api/v1/optin/confirm): a code texted to a number, traded for a device token.

The client address is `request.remote_addr`: behind a reverse proxy, the deployer wraps the app in Werkzeug's
ProxyFix (README), so that X-Forwarded-For is trusted only from that proxy, never from anyone by default.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from webapp import link
from webapp.api import ApiError, json_body
from webapp.store import Busy, get_db, utcnow

bp = Blueprint("api_link", __name__, url_prefix="/api/v1")
BUSY_RETRY_SECONDS = 5


class RateLimitError(ApiError):
    """429 with the seconds to wait (Retry-After)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", f"Too many codes asked for. Try again in {retry_after} seconds.")
        self.retry_after = retry_after


def _error_response(error: ApiError) -> tuple[Response, int]:
    body = {"code": error.code, "message": error.message} | ({"field": error.field} if error.field else {})
    response = jsonify(body)
    if isinstance(error, RateLimitError):
        response.headers["Retry-After"] = str(error.retry_after)
    elif error.status == 503:
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response, error.status


bp.register_error_handler(ApiError, _error_response)


@bp.errorhandler(Busy)
def busy(_error: Busy) -> tuple[Response, int]:
    """The database stayed locked: a JSON 503 (nothing was written or texted)."""
    return _error_response(ApiError(503, "busy", "The service is busy. Try again in a few seconds."))


def _refused(error: link.OptinError) -> ApiError:
    """The domain's refusal as the API's error."""
    if isinstance(error, link.RateLimited):
        return RateLimitError(error.retry_after)
    if isinstance(error, link.WrongCode):
        return ApiError(400, "wrong_code", f"This code is not the one we texted. {error.tries_left} tries left.",
                        "code")
    if isinstance(error, link.CodeExpired):
        return ApiError(410, "code_expired", "This code no longer works: ask for a new code.", "code")
    if isinstance(error, link.SendFailed):
        return ApiError(503, "busy", "The text could not be sent just now. Try again in a few seconds.")
    return ApiError(400, "invalid_phone", "Enter a mobile number, with its country code if it is not French.",
                    "phone")


@bp.post("/optin")
def optin() -> tuple[Response, int]:
    """Text a 6-digit code to the number: the same 202 for every valid mobile number."""
    body = json_body("OptinRequest")
    try:
        expires_in = link.request_code(get_db(), current_app.config, body["phone"], body["lang"],
                                       request.remote_addr, utcnow())
    except link.OptinError as error:
        raise _refused(error) from error
    return jsonify({"expires_in": expires_in}), 202


@bp.post("/optin/confirm")
def confirm() -> tuple[Response, int]:
    """Trade the texted code for this device's token (shown once, kept only as a hash)."""
    body = json_body("ConfirmRequest")
    try:
        token = link.confirm_code(get_db(), current_app.config, body["phone"], body["code"], utcnow())
    except link.OptinError as error:
        raise _refused(error) from error
    response = jsonify({"token": token})
    response.headers["Cache-Control"] = "no-store"
    return response, 200
