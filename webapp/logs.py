"""Log lines fit for an operator: the app's INFO lines shown, phone numbers masked in the request lines too."""
from __future__ import annotations

import logging
import re
from urllib.parse import unquote_plus

from sms.phones import mask_in_text

CONSOLE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Characters that would start a forged log line or drive the terminal once %-decoded, written back as %XX.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Werkzeug colours some request lines; the colour codes are dropped rather than shown as %1B.
_ANSI_STYLE = re.compile(r"\x1b\[[0-9;]*m")


def mask_logged(text: str) -> str:
    """A request line (or header) for a log: %-escapes decoded, every phone number masked, controls re-escaped."""
    # Decoded first, or `%2B336…`, `06+12+34…` and `06%2012%2034…` would hide a number from the pattern.
    masked = mask_in_text(unquote_plus(text, errors="replace"))
    return _CONTROL.sub(lambda found: "".join(f"%{byte:02X}" for byte in found.group().encode()), masked)


class MaskNumbers(logging.Filter):
    """Masks the phone numbers in a record's string arguments (Werkzeug's request line, its error messages)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_logged(_ANSI_STYLE.sub("", arg)) if isinstance(arg, str) else arg
                                for arg in record.args)
        return True


MASK_NUMBERS = MaskNumbers()  # one instance: adding it twice to a logger is then a no-op


def log_to_console(level: int = logging.INFO) -> None:
    """For the commands that run the app themselves (`make run`): the app's lines on stderr, masked requests."""
    logging.basicConfig(level=level, format=CONSOLE_FORMAT)
    logging.getLogger("werkzeug").addFilter(MASK_NUMBERS)
