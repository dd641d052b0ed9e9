"""Leaving without JavaScript: stop reminders, delete my data, download my data, unlink this phone (/<lang>/leave).

The device's link is the token the opt-in page keeps in the session (session["device_token"]). Each form
is a POST with the session's CSRF token, answered by a redirect (POST/redirect/GET). The forms are in
templates/partials/leave.html, which another page can include (it needs `leave`, from `leave_context()`).
"""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from webapp import api_leave, link
from webapp.i18n import language_blueprint
from webapp.store import get_db, people

bp = language_blueprint("leave_pages", __name__)  # the language prefix, CSRF on POST, private pages
TOKEN_KEY = "device_token"
GONE = _l("This phone is no longer linked to your number: the link was deleted, by SMS or from another phone."
          " Nothing is sent from this phone any more.")
# What each ?done= of the page says once a form did its work.
DONE = {
    "deleted": _l("Your data is deleted, from our server and from this phone. You will get no more SMS from us."),
    "cleared": _l("Your data is deleted from this phone."),
}
# What a form's redirect flashes once it did its work (static/js/leave.js says the same).
SAID = {
    "stopped": _l("Reminders are stopped. To get them again, text START."),
    "unlinked": _l("This phone is unlinked. Your SMS reminders go on: text STOP to stop them."),
}



def linked_device() -> tuple[link.Device | None, bool]:
    """This session's linked device, and whether a link it had is gone (the token is then forgotten)."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str) or not token:
        return None, False
    try:
        return link.device_for(get_db(), token), False
    except link.Unlinked as error:
        session.pop(TOKEN_KEY, None)
        return None, error.revoked


def leave_context() -> dict:
    """What templates/partials/leave.html needs: this phone's link, the person's opt-out, the SMS number."""
    device, gone = linked_device()
    person = people.person_by_id(get_db(), device.person_id) if device else None
    return {"device": device, "gone": GONE if gone else None, "opted_out": bool(person and person["opted_out_at"]),
            "sms_number": current_app.config.get("SMS_REPLY_NUMBER"), "said": dict(SAID, gone=GONE)}


def _back(done: str | None = None):
    return redirect(url_for(".leave", done=done) if done else url_for(".leave") + "#leave", code=303)


def _with_device(action, message):
    """Run `action` for this phone's device and flash `message`; flash that the link is gone when it is."""
    device, gone = linked_device()
    if device is not None:
        action(get_db(), device)
        flash(message)
    elif gone:
        flash(GONE)
    return _back()


@bp.get("/leave")
def leave():
    """Stop, delete, download, unlink: what this phone can do about the data it and the server hold."""
    return render_template("leave.html", leave=leave_context(), done=DONE.get(request.args.get("done", "")))


@bp.post("/leave/stop")
def stop():
    """Stop reminders (= STOP by SMS)."""
    return _with_device(api_leave.stop, SAID["stopped"])


@bp.post("/leave/unlink")
def unlink():
    """Unlink this phone: its token no longer works; the reminders by SMS go on."""
    def unlink_and_forget(db, device):
        api_leave.unlink(db, device)
        session.pop(TOKEN_KEY, None)
    return _with_device(unlink_and_forget, SAID["unlinked"])


@bp.post("/leave/delete")
def delete():
    """Delete my data (= DELETE by SMS when linked), and this phone's: the session and the browser's stores."""
    device, _gone = linked_device()
    if device is not None:
        api_leave.delete(get_db(), device)
    session.clear()
    response = _back("deleted" if device is not None else "cleared")
    response.headers["Clear-Site-Data"] = api_leave.CLEAR_SITE_DATA
    return response


@bp.get("/leave/export")
def export():
    """Download my data: the same JSON as GET /api/v1/export, as a file."""
    device, gone = linked_device()
    if device is None:
        flash(GONE if gone else _l("This phone is not linked to a number: there is nothing to download from it."))
        return _back()
    return api_leave.export_response(get_db(), device, attachment=True)
