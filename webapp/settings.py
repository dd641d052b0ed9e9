"""Every setting of the service, declared once as data, read from the environment and `.env`."""
from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sms.phones import FRANCE_AND_OVERSEAS, REGIONS


def clock_time(text: str) -> time:
    """A local wall-clock time written `HH:MM` (00:00 to 23:59); ValueError otherwise."""
    hour, sep, minute = text.strip().partition(":")
    if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2
            and int(hour) < 24 and int(minute) < 60):
        raise ValueError("expected a time of day such as 09:30 (00:00 to 23:59)")
    return time(int(hour), int(minute))


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _clock(value: str) -> str:
    """A local time of day, `HH:MM` from 00:00 to 23:59."""
    return clock_time(value).strftime("%H:%M")


def _window(value: str) -> str:
    """A local-time window `HH:MM-HH:MM`; it may cross midnight, and equal ends mean none."""
    start, sep, end = value.strip().partition("-")
    if not sep:
        raise ValueError("expected a window such as 20:00-09:00")
    return f"{_clock(start)}-{_clock(end)}"


def _zone(value: str) -> str:
    """An IANA time zone name such as Europe/Paris."""
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError("expected a time zone name such as Europe/Paris") from error
    return value.strip()


def _positive(value: str) -> int:
    """A whole number, 1 or more."""
    number = int(value)
    if number < 1:
        raise ValueError("expected a whole number, 1 or more")
    return number


def _price(value: str) -> Decimal:
    """A price such as 0.0798 (a dot or a comma), 0 or more."""
    try:
        price = Decimal(value.strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError("expected a price such as 0.0798") from error
    if not price.is_finite() or price < 0:
        raise ValueError("expected a price such as 0.0798, 0 or more")
    return price


# A Twilio account SID as the console shows it; the webhooks compare the one they carry with it exactly.
ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")


def _account_sid(value: str) -> str:
    """A Twilio account SID: AC and 32 lowercase hex digits."""
    if not ACCOUNT_SID.fullmatch(value.strip()):
        raise ValueError("expected AC and 32 lowercase hex digits, as in the Twilio console")
    return value.strip()


def region_codes(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """Region codes as phonenumbers knows them (FR, RE, BE…): a text, separated by commas or spaces (any case),
    or a tuple of them exactly (an override); ValueError naming the codes it does not know."""
    if isinstance(value, str):
        value = tuple(code.upper() for code in re.split(r"[\s,;]+", value) if code)
    codes = tuple(dict.fromkeys(value or ()))
    unknown = [repr(code) for code in codes if code not in REGIONS]
    if unknown or not codes:
        problem = f"unknown region code(s) {', '.join(unknown)}" if unknown else "no region code given"
        raise ValueError(f"{problem}; expected two-letter region codes such as FR, RE, BE, separated by commas")
    return codes


class SettingError(ValueError):
    """A setting's value cannot be read; the message names the setting and what it expects."""


@dataclass(frozen=True)
class Setting:
    """One environment variable: its default, its type, what it means and, if fixed, its allowed values."""

    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    # Exact values: `Production` or `prod` is refused rather than guessed, since what such a setting turns
    # on (the phone simulator) must not rest on a guess. Spaces around the value (a unit file's trailing
    # space) are dropped first.
    choices: tuple[str, ...] = ()

    def read(self, raw: str) -> Any:
        """The value of `raw` from the environment or `.env`; ValueError says what is expected."""
        if not self.choices:
            return self.parse(raw)
        value = raw.strip()
        if value not in self.choices:
            raise ValueError(f"expected {self.expected}, in this exact case")
        return value

    @property
    def expected(self) -> str:
        """The allowed values, as shown in error messages."""
        return " or ".join(f"`{choice}`" for choice in self.choices)


SETTINGS: tuple[Setting, ...] = (
    Setting("DATABASE", "instance/app.sqlite3", "SQLite file shared by the web app and the scheduler."),
    Setting("SECRET_KEY", None, "Signs the session cookie and keys the hash kept of an erased number;"
            " generated once into instance/ if unset."),
    Setting("ENVIRONMENT", "production",
            "`development` or `production`; `development` turns on the phone simulator (outbox only).",
            choices=("development", "production")),
    Setting("PUBLIC_BASE_URL", "http://127.0.0.1:8000",
            "The URL Twilio calls; webhook signatures are checked against it."),
    Setting("SMS_BACKEND", None,
            "`outbox` or `twilio`; `twilio` when TWILIO_ACCOUNT_SID is set, else `outbox`.",
            choices=("outbox", "twilio")),
    Setting("TWILIO_ACCOUNT_SID", None, "Twilio account SID.", _account_sid),
    Setting("TWILIO_AUTH_TOKEN", None, "Twilio auth token; also checks webhook signatures."),
    Setting("TWILIO_MESSAGING_SERVICE_SID", None, "Messaging Service that sends outbound SMS."),
    Setting("TWILIO_FROM", None, "Sender number, if no Messaging Service is set."),
    Setting("TWILIO_API_BASE", None, "Base URL of the Twilio REST API (tests use a loopback fake)."),
    Setting("TWILIO_TIMEOUT_SECONDS", 10.0, "Seconds to wait for Twilio's REST API before giving up (retried).",
            float),
    Setting("SMS_REPLY_NUMBER", None, "The two-way number people text, quoted in reminders."),
    Setting("TIMEZONE", "Europe/Paris", "Local time for dates and quiet hours.", _zone),
    Setting("QUIET_HOURS", "20:00-09:00",
            "No reminder is sent inside this local-time window (`00:00-00:00`: none).", _window),
    Setting("REMINDER_TIME", "10:00", "Local time of day at which reminders fall due.", _clock),
    Setting("CARD_DELAY_ONLINE_DAYS", 14, "Days from an online application to the card.", int),
    Setting("CARD_DELAY_POST_DAYS", 21, "Days from a postal application to the card.", int),
    Setting("CARD_FOLLOWUP_DAYS", 7, "Days after the card reminder for the one follow-up.", int),
    Setting("CLAIM_DELAY_DAYS", 30, "Days from posting a feuille de soins to its reminder.", int),
    Setting("CLAIM_FOLLOWUP_DAYS", 15, "Days after the claim reminder for the one follow-up.", int),
    Setting("REMINDER_LOOKBACK_HOURS", 72,
            "A reminder due longer ago than this (server down) is given up, not sent late.", int),
    Setting("SEND_MAX_ATTEMPTS", 6, "Attempts for a reminder after transient send errors.", int),
    Setting("SEND_RETRY_BASE_SECONDS", 60, "First retry delay; doubles at every attempt.", int),
    Setting("SEND_LEASE_SECONDS", 300, "How long a pass holds a reminder it is sending.", int),
    Setting("CANCELLED_REMINDER_RETENTION_DAYS", 90,
            "The daily clean-up deletes reminders cancelled longer ago than this (never sent ones).", int),
    Setting("MESSAGE_BODY_RETENTION_DAYS", 180,
            "The daily clean-up blanks the text of logged SMS older than this; 0 keeps them.", int),
    Setting("SMS_MAX_REPLIES_PER_HOUR", 30,
            "Replies one number can get in an hour: a whole first session (about 20 texts) is answered, an"
            " auto-responder with ever-new texts is cut. STOP and DELETE are confirmed beyond it (once an hour).",
            int),
    Setting("SMS_MAX_REPLIES_PER_DAY", 60,
            "Replies one number can get in 24 hours: two full sessions, not a machine texting all day.", int),
    Setting("SMS_MAX_REPEATS_PER_HOUR", 5,
            "The same text (letters only: case, accents, digits, punctuation folded) answered at most this often"
            " an hour: STATUS four times in a session is answered, an auto-reply loop is cut.", int),
    Setting("SMS_MAX_REPLIES_PER_HOUR_ALL", 300,
            "Replies to all numbers together in an hour, a ceiling on what SMS pumping across many numbers can"
            " cost; reached, nobody gets a reply (STOP and DELETE are still applied) and a warning is logged."
            " Set it well above your busiest real hour.", int),
    Setting("SMS_REPLY_COUNTRIES", FRANCE_AND_OVERSEAS,
            "Region codes (phonenumbers, ISO 3166) whose numbers get replies, separated by commas; default"
            " France and its overseas regions. Texts from elsewhere are applied (STOP opts out) but not answered.",
            region_codes),
    Setting("OPTIN_MAX_CODES_PER_NUMBER", 3,
            "Opt-in codes (web reminders) texted to one number in an hour: a mistyped code or a lost text is"
            " covered, texting someone again and again is not.", int),
    Setting("OPTIN_MAX_CODES_PER_CLIENT", 5,
            "Opt-in codes one client address (an IPv6 /64) can have texted in an hour, to any numbers: a family"
            " on one connection is served, a script texting many numbers is cut.", int),
    Setting("OPTIN_MAX_CODES_PER_HOUR", 200,
            "Opt-in codes texted to all numbers together in an hour, a ceiling on what the form can cost;"
            " set it well above your busiest real hour.", int),
    Setting("COMEDE_PHONE", "", "Comede's phone number for the help page and HELP (deployer fills in)."),
    Setting("PIMMS_DIRECTORY_URL", "", "Address of the PIMMS Médiation directory (deployer fills in)."),
    Setting("LOCAL_HELP", "", "Where to meet a social worker locally, free text (deployer fills in)."),
    Setting("TRANSLATION_HELP_URL", "",
            "Where a reader can help check a translation not yet reviewed by a native speaker (e.g. the README's"
            " section on translations); empty: the draft line has no link."),
    Setting("SESSION_DAYS", 365,
            "How long the web session cookie (checklist ticks and dates without JavaScript) is kept.", int),
    Setting("SEND_CONCURRENCY", 8,
            "Reminders a pass sends at once through Twilio (each waits on its own API call); a pass that dies"
            " can send each of these in-flight messages twice, at most.", _positive),
    Setting("SMS_SEGMENT_PRICE", None,
            "Price of one SMS segment in your Twilio account's currency (e.g. 0.0798), for the console's cost"
            " estimate; empty: no estimate.", _price),
    Setting("SMS_PRICE_CURRENCY", "EUR", "Currency code shown beside the console's cost estimate."),
    Setting("METRICS_TOKEN", None,
            "Bearer token Prometheus sends to read /metrics; unset: /metrics answers only on loopback."),
    Setting("OPS_SESSION_MINUTES", 30,
            "An operator's /ops session ends after this many minutes without a request.", _positive),
    Setting("OPS_SIGNIN_MAX_FAILURES", 5,
            "Wrong passwords for one operator name, or from one client address, in 15 minutes before sign-in"
            " is refused for the rest of them.", _positive),
    Setting("SCHEDULER_PASS_SECONDS", 60, "Seconds between two dispatch passes of the scheduler.", _positive),
    Setting("HEALTH_PASS_MAX_AGE_SECONDS", 180,
            "/healthz answers 503 when the scheduler's last pass ended longer ago than this.", _positive),
    Setting("LOG_FORMAT", "text", "`text` (one line per event) or `json` (one JSON object per line).",
            choices=("text", "json")),
    Setting("BACKUP_REPLICA_URL", None,
            "Where Litestream replicates the database: `s3://bucket/path` (S3-compatible) or a local directory;"
            " unset: no backup is configured."),
    Setting("BACKUP_RETENTION_HOURS", 72,
            "How long the replica keeps old snapshots; an erased number can be restored from a backup until"
            " this has passed.", _positive),
    Setting("HOST", "127.0.0.1", "Address `make run` listens on."),
    Setting("PORT", 8000, "Port `make run` listens on.", int),
)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a `.env` file: KEY=VALUE lines, `#` comments, optional quotes."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load(environ: dict[str, str] | None = None, dotenv: Path | None = Path(".env")) -> dict:
    """Every setting's value: the environment wins over `.env`, which wins over the default."""
    source = read_dotenv(dotenv) if dotenv else {}
    source.update(os.environ if environ is None else environ)
    values = {}
    for setting in SETTINGS:
        raw = source.get(setting.name)
        try:
            values[setting.name] = setting.default if raw in (None, "") else setting.read(raw)
        except ValueError as error:
            raise SettingError(f"{setting.name}={raw!r} cannot be used: {error}. ({setting.help})") from error
    if not values["SMS_BACKEND"]:
        values["SMS_BACKEND"] = "twilio" if values["TWILIO_ACCOUNT_SID"] else "outbox"
    return values


def check_choices(config: Mapping) -> None:
    """SettingError unless every setting with fixed values holds one of them exactly, and SMS_REPLY_COUNTRIES
    only regions phonenumbers knows (after overrides too)."""
    for setting in SETTINGS:
        if setting.choices and config.get(setting.name) not in setting.choices:
            raise SettingError(f"{setting.name}={config.get(setting.name)!r} cannot be used: expected "
                               f"{setting.expected}. ({setting.help})")
    countries = config.get("SMS_REPLY_COUNTRIES")
    try:  # an override is a tuple of codes, as `load` reads them, not a text to split
        if isinstance(countries, str):
            raise ValueError("expected a tuple of region codes such as ('FR', 'RE')")
        region_codes(countries)
    except ValueError as error:
        raise SettingError(f"SMS_REPLY_COUNTRIES={countries!r} cannot be used: {error}.") from None


def secret_key(instance_path: Path) -> str:
    """The instance's session key, made once and kept in `instance/secret_key`."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
