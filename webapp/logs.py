"""Log lines fit for an operator: one line per event, text or JSON (LOG_FORMAT), every phone number masked."""
from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from logging.handlers import SysLogHandler
from pathlib import Path
from urllib.parse import unquote_plus

from sms.phones import mask, mask_in_text
from webapp import settings

DOTENV = Path(__file__).resolve().parent.parent / ".env"  # the one the app reads
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that would say something every minute at INFO: APScheduler's "Running job ..." and "... executed
# successfully" for each pass, and its job-store chatter at start. Their warnings and errors still show.
QUIET_LOGGERS = ("apscheduler",)

# Characters that would start a forged log line or drive the terminal once %-decoded, written back as %XX.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Werkzeug colours some request lines; the colour codes are dropped rather than shown as %1B.
_ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")
# The last guard, over a whole formatted line. A phone number stands on its own (sms.phones' pattern, not
# glued to a letter or digit before it); what only looks like one is kept: ISO dates and times (every pass
# line has one), IPv4 addresses, and digit runs inside a word (a MessageSid's hex, 0x addresses).
_GUARDED = re.compile(r"(?P<date>\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d+)?)?)?)(?![\d.-])"
                      r"|(?P<ip>\d{1,3}(?:\.\d{1,3}){3})(?![.\d])"
                      r"|(?<![A-Za-z0-9])(?P<number>\+?\d(?:[ ().-]?\d){7,})")


def mask_logged(text: str) -> str:
    """A request line (or header) for a log: %-escapes decoded, every phone number masked, controls re-escaped."""
    # Decoded first, or `%2B336…`, `06+12+34…` and `06%2012%2034…` would hide a number from the pattern.
    masked = mask_in_text(unquote_plus(text, errors="replace"))
    return _CONTROL.sub(lambda found: "".join(f"%{byte:02X}" for byte in found.group().encode()), masked)


def mask_line(text: str) -> str:
    """`text` with every phone number in it masked, its dates, addresses and identifiers kept."""
    return _GUARDED.sub(lambda found: mask(re.sub(r"[^\d+]", "", found["number"])) if found["number"]
                        else found.group(), text)


class MaskNumbers(logging.Filter):
    """Masks the phone numbers in a record's string arguments (Werkzeug's request line, its error messages),
    and drops Werkzeug's colours."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):  # "Press CTRL+C to quit", in colour
            record.msg = _ANSI_STYLE.sub("", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(mask_logged(_ANSI_STYLE.sub("", arg)) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


MASK_NUMBERS = MaskNumbers()  # one instance: adding it twice to a logger is then a no-op


def utc_time(record: logging.LogRecord) -> str:
    """When the record was made, ISO 8601 in UTC to the millisecond (as the database writes its times)."""
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class MaskingFormatter(logging.Formatter):
    """A `logging.Formatter` whose whole line (message, exception, stack) is masked; times in UTC."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_line(super().format(record))

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 (logging's)
        return utc_time(record) if datefmt is None else super().formatTime(record, datefmt)


class TextFormatter(MaskingFormatter):
    """`time LEVEL logger: message`, the time in UTC; a traceback follows on its own lines."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and exception (or stack) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": utc_time(record), "level": record.levelname, "logger": record.name,
                 "message": mask_line(record.getMessage())}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = mask_line(record.exc_text)
        if record.stack_info:
            entry["stack"] = mask_line(self.formatStack(record.stack_info))
        return json.dumps(entry)  # ASCII only: a control character or U+2028 cannot split the line


FORMATTERS = {"text": TextFormatter, "json": JsonFormatter}
LOG_FORMAT = next(setting for setting in settings.SETTINGS if setting.name == "LOG_FORMAT")


def configured_format(environ: dict[str, str] | None = None, dotenv: Path | None = DOTENV) -> str:
    """LOG_FORMAT from the environment or `.env`, read before the app is; `text` when unreadable (the app
    then refuses the setting, in a line of that format)."""
    source = settings.read_dotenv(dotenv) if dotenv else {}
    source.update(os.environ if environ is None else environ)
    try:
        return LOG_FORMAT.read(source.get("LOG_FORMAT") or LOG_FORMAT.default)
    except ValueError:
        return LOG_FORMAT.default


def formatter(log_format: str | None = None) -> logging.Formatter:
    """The formatter of `log_format` (default: the configured one)."""
    return FORMATTERS[log_format or configured_format()]()


def quiet_the_chatty() -> None:
    """No line a minute from APScheduler at INFO; the app's own loggers keep their levels."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def setup(log_format: str | None = None, level: int = logging.INFO) -> None:
    """For the processes that run the app themselves (`make run`, `python -m scheduler`): every logger's
    lines on stderr, in LOG_FORMAT, numbers masked, the request lines too."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("werkzeug").addFilter(MASK_NUMBERS)
    quiet_the_chatty()


# gunicorn's access log: Apache's combined lines stay as they are in text (log tools read them), masked.
ACCESS_FORMATTERS = {"text": lambda: MaskingFormatter("%(message)s"), "json": JsonFormatter}


def reformat(handlers: list[logging.Handler], make: Callable[[], logging.Formatter]) -> None:
    """Give gunicorn's own handlers the app's lines (`make`'s formatter); syslog keeps its format, masked."""
    for handler in handlers:
        if isinstance(handler, SysLogHandler):  # syslog stamps its own time; its prefix names the process
            handler.setFormatter(MaskingFormatter(handler.formatter._fmt if handler.formatter else None))
        else:
            handler.setFormatter(make())
