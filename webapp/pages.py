"""The HTML pages, one per language prefix: checklist, help, number checker, my dates.

For the service worker (precaches these GET pages in the language in use, `url_for(endpoint, lang=...)`):
    pages.checklist  /<lang>/          the checklist, form `data-enhance="checklist"`, checkboxes name="done"
    pages.help       /<lang>/help      where to get help (deployer contacts)
    pages.number     /<lang>/number    number explainer, mount point `data-enhance="nir-check"`
    pages.dates      /<lang>/dates     my dates, `data-enhance="dates"` (see templates/dates.html)
`/` (home.index) only redirects to a language. Every POST carries `csrf_token` from the session.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l

from scheduler import rules
from webapp import advice, content, mydates
from webapp.i18n import LANGUAGES, language_blueprint, plural_forms, select_locale

bp = language_blueprint("pages", __name__)  # the language prefix, CSRF on POST, private pages
home = Blueprint("home", __name__)


@home.get("/")
def index():
    """Send the browser to the language this device last opened, else its preferred one, else French."""
    response = redirect(url_for("pages.checklist", lang=select_locale()))
    response.vary.update(("Cookie", "Accept-Language"))
    return response



def language_links() -> list[dict]:
    """The same page in every other language, for the switcher."""
    here = select_locale()
    # Any page under the language prefix (this blueprint's and the others'); errors: home.
    endpoint = request.endpoint if request.url_rule and "lang" in request.url_rule.arguments else "pages.checklist"
    args = dict(request.view_args or {}) if endpoint == request.endpoint else {}
    # Opening a link sets the `lang` cookie (webapp/i18n.remember_language): the switch is remembered.
    return [{"code": row.code, "name": row.name, "direction": row.direction,
             "url": url_for(endpoint, **dict(args, lang=row.code))}
            for row in LANGUAGES.rows if row.code != here]


def template_context() -> dict:
    """What every page template needs: its language (its table row: direction, review status), the switcher
    and where to help check a draft translation."""
    lang = select_locale()
    return {"lang": lang, "language": LANGUAGES.row(lang), "languages": LANGUAGES,
            "language_links": language_links, "translation_help_url": current_app.config.get("TRANSLATION_HELP_URL"),
            "tel_href": content.tel_href, "plural_forms": plural_forms}


def _delays() -> rules.Delays:
    return rules.Delays.from_config(current_app.config)


def _remember() -> None:
    # The state lives on the device: keep the cookie past the browser session.
    session.permanent = True


@bp.route("/", methods=["GET", "POST"])
def checklist():
    """The checklist; without JavaScript, a tick is a POST that saves the ticked ids in the session."""
    valid = content.step_ids()
    if request.method == "POST":
        ticked = set(request.form.getlist("done"))
        session["done"] = [step_id for step_id in valid if step_id in ticked]
        if route := content.route_of(request.form.get("route")):
            session["route"] = route
        _remember()
        flash(_l("Saved on this phone."))
        # The route button brings the person back to the choice, just above its steps.
        anchor = "#route" if request.form.get("action") == "route" else ""
        return redirect(url_for(".checklist") + anchor, code=303)
    saved = session.get("done")
    done = {step_id for step_id in saved if isinstance(step_id, str)} & set(valid) if isinstance(saved, list) else set()
    route = content.route_of(session.get("route"))
    delays = _delays()
    now = mydates.today(delays)
    contacts = [(contact, content.contact_value(contact, current_app.config)) for contact in content.HELP]
    return render_template("checklist.html", groups=content.CHECKLIST, done=done, route=route,
                           routes=content.ROUTES, progress=content.progress(done, route), contacts=contacts,
                           situation=mydates.situation(session, delays, now), caisse_phone=advice.CAISSE_PHONE)


@bp.get("/help", endpoint="help")
def help_page():
    """Where to get help, with the contacts the deployer filled in."""
    contacts = [(contact, content.contact_value(contact, current_app.config)) for contact in content.HELP]
    return render_template("help.html", contacts=contacts, unset=content.unset_contacts(contacts))


@bp.get("/number")
def number():
    """What the digits of a social security number mean; the check itself runs only in the browser."""
    return render_template("number.html")


@bp.route("/dates", methods=["GET", "POST"])
def dates():
    """My dates: where the card and each posted feuille de soins stand (webapp.advice), and how to get SMS reminders."""
    delays = _delays()
    now = mydates.today(delays)
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = DATE_ACTIONS.get(request.form.get("action", ""))
        if action is None:
            abort(400)
        errors = action(request.form, now)
        if not errors:
            _remember()
            return redirect(url_for(".dates"), code=303)
    return render_template(
        "dates.html", delays=delays, errors=errors, messages=mydates.ERRORS,
        form={name: mydates.as_typed(request.form.get(name)) for name in mydates.FIELDS},
        situation=mydates.situation(session, delays, now), today=now, caisse_phone=advice.CAISSE_PHONE,
        sms_number=current_app.config.get("SMS_REPLY_NUMBER"))


def _save_application(form, now) -> dict[str, str]:
    method = form.get("method")
    sent_on, error = mydates.check_day("sent_on", form.get("sent_on", ""), now)
    errors = {} if method in mydates.METHODS else {"method": "method.missing"}
    if error:
        errors["sent_on"] = error
    if not errors:
        mydates.save_application(session, method, sent_on)
    return errors


def _add_claim(form, now) -> dict[str, str]:
    posted_on, error = mydates.check_day("posted_on", form.get("posted_on", ""), now)
    if error:
        return {"posted_on": error}
    return {} if mydates.add_claim(session, posted_on) else {"posted_on": "posted_on.full"}


def _card_arrived(form, now) -> dict[str, str]:
    received_on, error = mydates.check_day("received_on", form.get("received_on", ""), now)
    if error:
        return {"received_on": error}
    mydates.set_card_received(session, received_on)
    return {}


# The dates forms each post an `action`; each returns the errors to show, keyed by field.
DATE_ACTIONS = {
    "application": _save_application,
    "clear-application": lambda form, now: mydates.clear_application(session) or {},
    "add-claim": _add_claim,
    "remove-claim": lambda form, now: mydates.remove_claim(session, form.get("claim", "")) or {},
    "card-arrived": _card_arrived,
    "card-not-arrived": lambda form, now: mydates.set_card_received(session, None) or {},
    "claim-paid": lambda form, now: mydates.set_claim_paid(session, form.get("claim", ""), now) or {},
    "claim-not-paid": lambda form, now: mydates.set_claim_paid(session, form.get("claim", ""), None) or {},
}
