"""POST /api/v1/sync: a linked device sends its changes and gets the whole state back (webapp/openapi.json)."""
from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify

from scheduler.rules import Delays
from webapp import api, journey, sync
from webapp.store import Busy, get_db, utcnow

bp = Blueprint("api_sync", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5  # as the pages' 503 (webapp.errors): the busy timeout is 5 s


@bp.post("/sync")
def sync_changes() -> Response:
    """Apply the device's changes once each, merged with every channel's writes; answer with the whole state."""
    device = api.device()
    body = api.json_body("SyncRequest")
    clock = journey.Clock(utcnow(), Delays.from_config(current_app.config))
    try:
        applied, state = sync.sync_device(get_db(), device.id, device.person_id, body["changes"], clock)
    except sync.Invalid as error:
        raise api.ApiError(400, error.code, error.message, error.field) from error
    except sync.Gone as error:
        raise api.ApiError(401, "token_revoked", "This phone is no longer linked.") from error
    except Busy:
        log.warning("/api/v1/sync answered 503: the database stayed busy")
        response, status = api.api_error(api.ApiError(503, "busy", "The service is busy: try again shortly."))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response, status
    return jsonify({"applied": applied, "state": state})
