"""Leaving, as JSON for the web app (/api/v1): stop reminders, delete my data, download my data, unlink this device.

Each needs the device token (Authorization: Bearer). The same steps without JavaScript are in webapp.leave_pages,
which shares `export`, `stop`, `delete` and `unlink` below.
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, session

from scheduler.rules import Delays
from webapp import api, journey, link
from webapp.store import Busy, get_db, links, people, synced, utcnow
from webapp.store import messages as message_store
from webapp.store import reminders as reminder_store

bp = Blueprint("api_leave", __name__, url_prefix="/api/v1")
# What "delete my data" tells the browser to clear of this origin: its stores (localStorage, IndexedDB, the
# service worker and its caches) and its HTTP cache. Not "cookies": that would clear the cookies of the
# whole registrable domain (the deployer's other sites too); the session cookie is cleared by the app.
CLEAR_SITE_DATA = '"cache", "storage"'
# Why a web DELETE gets no SMS reply (journey.erase then notes no DELETE reply for the SMS limits).
ASKED_ON_THE_WEB = "asked on the web: the page confirms it"
BUSY_RETRY_SECONDS = 5


@bp.errorhandler(Busy)
def busy(_error: Busy) -> tuple[Response, int, dict]:
    """The database stayed locked: a JSON 503 (nothing was written)."""
    return (jsonify({"code": "busy", "message": "The service is busy. Try again in a few seconds."}), 503,
            {"Retry-After": str(BUSY_RETRY_SECONDS)})


def _clock() -> journey.Clock:
    return journey.Clock(utcnow(), Delays.from_config(current_app.config))


def export(db, person_id: int) -> dict:
    """Everything the server holds about the person, as JSON (no token hash, no keyed hash: they are no data)."""
    person = people.person_by_id(db, person_id)
    application = people.application(db, person_id)
    record = links.sync_record(db, person_id)
    return {
        "person": {"phone": person["phone"], "lang": person["lang"], "opted_out_at": person["opted_out_at"],
                   "route": person["route"], "created_at": person["created_at"]},
        "application": application and {key: application[key] for key in ("method", "sent_on", "card_received_on")},
        "claims": [{key: claim[key] for key in ("number", "key", "posted_on", "paid_on")}
                   for claim in people.claims(db, person_id)],
        "ticks": synced.ticks(db, person_id),
        "reminders": [{"kind": row["kind"], "state": row["state"], "due_at": row["due_at"]}
                      for row in reminder_store.for_person(db, person_id)],
        "messages": [{key: message[key] for key in ("direction", "body", "created_at", "status")}
                     for message in reversed(message_store.log(db, person["phone"]))],
        "devices": [{"created_at": row["created_at"], "last_sync_at": row["last_sync_at"]}
                    for row in links.devices_list(db, person_id)],
        "fact_times": [dict(row, removed=bool(row["removed"])) for row in record["fact_times"]],
        "changes_applied": record["changes_applied"],
    }


def stop(db, device: link.Device) -> None:
    """STOP from a linked device: no message of any kind any more (START by SMS brings them back)."""
    journey.opt_out(db, device.person_id, _clock())


def delete(db, device: link.Device) -> None:
    """DELETE from a linked device: the person and everything held about them, every device's link too."""
    person = people.person_by_id(db, device.person_id)
    if person is not None:
        journey.erase(db, person["phone"], _clock(), current_app.config["SECRET_KEY"],
                      lambda _person, _unlogged: ASKED_ON_THE_WEB)


def unlink(db, device: link.Device) -> None:
    """Unlink this device only: its token stops working; the person and their reminders stay."""
    journey.unlink_device(db, device.id, _clock())


def export_response(db, device: link.Device, attachment: bool = False) -> Response:
    """The export as a JSON response, to read (the API) or to save as a file (the page's link)."""
    response = jsonify(export(db, device.person_id))
    response.headers["Cache-Control"] = "no-store"
    if attachment:
        response.headers["Content-Disposition"] = 'attachment; filename="carte-vitale-my-data.json"'
    return response


@bp.post("/stop")
def stop_reminders() -> Response:
    """Stop every reminder and message, as STOP by SMS does."""
    stop(get_db(), api.device())
    return jsonify({"reminders": False})


@bp.post("/delete")
def delete_my_data() -> Response:
    """Erase the person, as DELETE by SMS does; the client must then clear what it keeps (see the document)."""
    delete(get_db(), api.device())
    session.clear()
    response = jsonify({"erased": True, "clear_device": True})
    response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


@bp.get("/export")
def download_my_data() -> Response:
    """Everything held about the person, as JSON."""
    return export_response(get_db(), api.device())


@bp.post("/unlink")
def unlink_this_device() -> Response:
    """Unlink this device: its token gets 401 token_revoked from now on."""
    unlink(get_db(), api.device())
    return jsonify({"linked": False})
