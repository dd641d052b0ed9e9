"""The operator console's own translation domain: English source, a French catalogue, and which files are its own."""
from __future__ import annotations

from pathlib import Path

from flask_babel import Domain

DIRECTORY = Path(__file__).resolve().parent / "ops_translations"
# The console's languages: the msgids' (English) and the catalogue's. Any other locale reads the English source.
LANGUAGES = ("en", "fr")
SOURCE_LANGUAGE = "en"
# The console's files, as babel patterns relative to webapp/ and templates/: babel.cfg ignores them for the
# public catalogues (translated in eight languages), babel_ops.cfg extracts them into this catalogue.
CONSOLE_FILES = ("ops.py", "ops_*.py", "operators.py", "charts.py", "ops/**.html")
OPS = Domain(translation_directories=[str(DIRECTORY)])


def shown_language(locale: object) -> str:
    """The language an /ops page is shown in, for `<html lang>`: French when selected, else the English source."""
    code = str(locale or "").split("_", 1)[0]
    return code if code in LANGUAGES else SOURCE_LANGUAGE
