"""The console dashboard's figures: today and the 30 local days before: SMS, cost, reminders, errors, opt-outs."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlite_utils import Database

from webapp.charts import bar_chart
from webapp.store import heartbeats, iso, stats
from webapp.store.states import NAMES

PAST_DAYS = 30  # shown before today; the month's totals add these up, today's stand apart
CENT = Decimal("0.01")

# What the common Twilio error codes mean (https://www.twilio.com/docs/api/errors); any other shows as its code.
TWILIO_ERRORS: Mapping[int, object] = {
    21610: _l("opted out (the person texted STOP to the number)"),
    21211: _l("invalid number"),
    30003: _l("unreachable (phone off or out of coverage)"),
    30005: _l("unknown number or no longer in service"),
    30006: _l("landline or carrier that cannot receive SMS"),
    30007: _l("blocked by the carrier's filter"),
    20429: _l("too many requests (Twilio asked to slow down)"),
}

# The states' names as the console shows them (webapp/store/states.py lists and explains them).
STATE_LABELS: Mapping[str, object] = {
    "scheduled": _l("scheduled"), "sending": _l("sending"), "sent": _l("sent"), "delivered": _l("delivered"),
    "undelivered": _l("undelivered"), "failed": _l("failed"), "cancelled": _l("cancelled"), "muted": _l("muted"),
    "superseded": _l("superseded"), "expired": _l("expired"),
}


def local_days(now: datetime, zone: ZoneInfo, past: int = PAST_DAYS) -> list[stats.Day]:
    """Today and the `past` local days before it, oldest first, each cut into UTC at its local midnights."""
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=back) for back in range(past, -1, -1)]
    return [(day.isoformat(), _midnight(day, zone), _midnight(day + timedelta(days=1), zone)) for day in days]


def _midnight(day: date, zone: ZoneInfo) -> str:
    """The instant a local day starts (where midnight is skipped by a DST change, the change's instant)."""
    return iso(datetime.combine(day, time(0), tzinfo=zone))


def cost(segments: int, price: Decimal | None) -> Decimal | None:
    """The estimated cost of these segments at this price per segment, to the cent; None without a price."""
    return None if price is None else (segments * price).quantize(CENT, rounding=ROUND_HALF_UP)


def _sms_row(day: str, counts: Mapping[str, int], price: Decimal | None) -> dict:
    """One day's (or one total's) SMS figures, with the segments Twilio bills and their estimated cost."""
    segments = counts["segments_in"] + counts["segments_out"]
    return {"day": day, **counts, "segments": segments, "cost": cost(segments, price)}


def _total(rows: list[dict], price: Decimal | None) -> dict:
    """The sums of SMS rows."""
    keys = ("inbound", "outbound", "segments_in", "segments_out")
    return _sms_row("", {key: sum(row[key] for row in rows) for key in keys}, price)


def dashboard(db: Database, config: Mapping, now: datetime) -> dict:
    """Everything the dashboard shows at `now`: per local day (oldest first, today last) and in totals."""
    zone = ZoneInfo(config["TIMEZONE"])
    days = local_days(now, zone)
    labels = [day for day, _, _ in days]
    price = config.get("SMS_SEGMENT_PRICE")
    messages, errors = stats.messages_per_day(db, days)
    sms = [_sms_row(day, messages[day], price) for day in labels]
    reminders = stats.reminders_per_day(db, days)
    opt_outs = stats.opt_outs_per_day(db, days)
    states = stats.reminder_states(db)
    return {
        "timezone": config["TIMEZONE"],
        "today": labels[-1],
        "first_day": labels[0],
        "days": labels,
        "price": price,
        "currency": config.get("SMS_PRICE_CURRENCY") or "",
        "sms": sms,
        "totals": {"today": sms[-1], "past": _total(sms[:-1], price)},
        "states": [{"state": name, "label": STATE_LABELS[name], "count": states[name]} for name in NAMES],
        "reminders": [{"day": day, **reminders[day]} for day in labels],
        "errors": [{"code": code, "count": count, "meaning": TWILIO_ERRORS.get(code)}
                   for code, count in errors],
        "opt_outs": [{"day": day, "count": opt_outs[day]} for day in labels],
        "past_days": PAST_DAYS,
        "bar_chart": bar_chart,  # the template draws the charts, in the console's language
    }


def service(db: Database, config: Mapping, now: datetime) -> dict:
    """What /healthz and the backup settings say, for the console: the last pass's age and the replica."""
    last = heartbeats.last(db, "scheduler")
    age = None if last is None else max(0, round((now - last[0]).total_seconds()))
    return {"pass_age": age, "pass_max_age": config["HEALTH_PASS_MAX_AGE_SECONDS"],
            "replica": config.get("BACKUP_REPLICA_URL"), "retention_hours": config["BACKUP_RETENTION_HOURS"]}
