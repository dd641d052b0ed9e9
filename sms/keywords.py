"""Reading an SMS: normalise the text, find its keyword (typos forgiven), parse dates and numbers."""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from sms import languages

HELP, STATUS, RIB, SENT, CARD, CLAIM, PAID = "help", "status", "rib", "sent", "card", "claim", "paid"
LANG, STOP, START, DELETE, UNKNOWN = "lang", "stop", "start", "delete", "unknown"
THANKS = "thanks"  # thanks, ok, an emoji: nothing to do, no paid reply
ONLINE, POST = "online", "post"


@dataclass(frozen=True)
class Keyword:
    """A word people text, the command it means, and the language it tells us (None: both)."""

    word: str
    command: str
    lang: str | None
    typos: str = "one_edit"  # which typos are forgiven (only in typed words of 4+ letters)


# How forgiving a keyword is: one letter changed, added, removed or swapped; only a slip of the
# fingers (swapped neighbours, a doubled letter), which never turns a real word into the keyword
# ("SHOP", "STOMP" are not STOP); or nothing.
ONE_EDIT, SLIP, EXACT = "one_edit", "slip", "exact"


# Checked before anything else: a person who says stop must be heard, whatever follows.
STOP_WORDS: tuple[Keyword, ...] = (
    Keyword("STOP", STOP, None, SLIP), Keyword("ARRET", STOP, "fr", SLIP),
    Keyword("ARRETER", STOP, "fr", SLIP),
    # Twilio's standard opt-out words; exact only, since "quite" or "ends" are not a stop.
    Keyword("STOPALL", STOP, None, EXACT), Keyword("UNSUBSCRIBE", STOP, "en", EXACT),
    Keyword("CANCEL", STOP, "en", EXACT), Keyword("END", STOP, "en", EXACT),
    Keyword("QUIT", STOP, "en", EXACT), Keyword("OPTOUT", STOP, None, EXACT),
)
# Unmistakable even after other words ("please STOP"); CANCEL or END there may mean something else.
STOP_ANYWHERE = frozenset({"STOP", "ARRET", "ARRETER", "STOPALL", "UNSUBSCRIBE"})
# Stop words that stop only when they are the whole message, as Twilio has it ("cancel my
# appointment" is not an opt-out).
STOP_ALONE = frozenset({"CANCEL", "END", "QUIT", "OPTOUT"})
KEYWORDS: tuple[Keyword, ...] = (
    Keyword("HELP", HELP, "en"), Keyword("INFO", HELP, None, EXACT), Keyword("?", HELP, None),
    Keyword("AIDE", HELP, "fr"),
    Keyword("STATUS", STATUS, "en"), Keyword("ETAT", STATUS, "fr"),
    Keyword("RIB", RIB, None),
    Keyword("SENT", SENT, "en"), Keyword("ENVOI", SENT, "fr"), Keyword("ENVOYE", SENT, "fr"),
    Keyword("CARD", CARD, "en"), Keyword("CARTE", CARD, "fr"),
    Keyword("CLAIM", CLAIM, "en"), Keyword("FEUILLE", CLAIM, "fr"),
    Keyword("PAID", PAID, "en"), Keyword("PAYE", PAID, "fr"), Keyword("PAYEE", PAID, "fr"),
    Keyword("LANG", LANG, None), Keyword("LANGUE", LANG, "fr"), Keyword("LANGUAGE", LANG, "en"),
    Keyword("START", START, None), Keyword("UNSTOP", START, None, EXACT),
    # Erasing cannot be undone: only the word itself ("deleted" is not a request).
    Keyword("DELETE", DELETE, "en", EXACT), Keyword("SUPPRIMER", DELETE, "fr", EXACT),
    Keyword("EFFACER", DELETE, "fr", EXACT),
    Keyword("THANKS", THANKS, "en"), Keyword("THANK", THANKS, "en"), Keyword("THX", THANKS, "en", EXACT),
    Keyword("MERCI", THANKS, "fr"), Keyword("OK", THANKS, None, EXACT), Keyword("OKAY", THANKS, None, EXACT),
    Keyword("OKI", THANKS, None, EXACT), Keyword("DACCORD", THANKS, "fr", EXACT),
    Keyword("SUPER", THANKS, None, EXACT), Keyword("BIEN", THANKS, "fr", EXACT),
)
# The words of a thank-you or a nod ("merci beaucoup", "thank you", "ok merci", "d'accord, bonne journee"):
# a text made only of these is THANKS, with no paid reply. Any other word, or a "?", makes it a message
# to answer ("ok ?", "merci mais pas de carte").
POLITE_WORDS = frozenset({
    "THANKS", "THANK", "THX", "YOU", "VERY", "MUCH", "A", "LOT", "SO", "GOOD", "GREAT", "FINE", "NOTED",
    "MERCI", "BEAUCOUP", "BCP", "BIEN", "TRES", "OK", "OKAY", "OKI", "DACCORD", "D", "ACCORD", "SUPER",
    "PARFAIT", "RECU", "NOTE", "BONNE", "JOURNEE", "SOIREE", "MADAME", "MONSIEUR", "VOUS", "AUSSI",
})
# Words after SENT / ENVOI saying how the application went.
METHODS: dict[str, str] = {
    "ONLINE": ONLINE, "INTERNET": ONLINE, "WEB": ONLINE, "AMELI": ONLINE, "ENLIGNE": ONLINE,
    "LIGNE": ONLINE,  # "ENVOI EN LIGNE"
    "POST": POST, "COURRIER": POST, "POSTE": POST, "LETTRE": POST, "LETTER": POST,
}
# Little words people put around a method or a date that change nothing ("ENVOI PAR LA POSTE",
# "SENT BY POST ON 05/03", "FEUILLE DU 05/03").
FILLERS = frozenset({"BY", "ON", "THE", "PAR", "LA", "LE", "DU", "EN"})
# Words before a claim's number ("PAYE N°2").
NUMBER_WORDS = frozenset({"N", "NO", "NUMERO", "NUMBER"})
# Words after LANG naming a language.
LANGUAGE_NAMES: dict[str, str] = {
    "FR": "fr", "FRANCAIS": "fr", "FRENCH": "fr", "EN": "en", "ENGLISH": "en", "ANGLAIS": "en",
}

_DATE_SEPARATOR = re.compile(r"(?<=\d)\s*[./\-]\s*(?=\d)")
_NOT_WORD = re.compile(r"[^\w/?]|_")  # letters of every script stay, digits, "/" and "?"
# Arabic and Persian keyboards write the same letter differently (ي/ی, ك/ک, ة/ه): one form each. Tatweel
# (a stretching stroke) and the zero-width (non-)joiners of Persian words are no letters.
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه", "ە": "ه", "ۀ": "ه", "ٱ": "ا", "؟": "?",
                       "ـ": None, "\u200c": None, "\u200d": None})
MIN_FORGIVING_LENGTH = 4


@dataclass(frozen=True)
class Parsed:
    """What a message asks: its command, the language its keyword is in, and the words after it."""

    command: str
    lang: str | None = None
    args: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Upper case, accents, harakat and punctuation gone, Arabic letter variants folded, digits of any script
    written 0-9, dates written d/m, single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text
                   if not unicodedata.combining(ch)).upper().translate(_FOLD)
    text = _DATE_SEPARATOR.sub("/", text)
    text = text.replace("?", " ? ")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _every_language() -> tuple[list[Keyword], list[Keyword]]:
    """The keywords of sms.languages, normalised as texts are: (stop words, other keywords). A word two
    languages share tells neither."""
    found: dict[tuple[str, str], set[str]] = {}
    for table in (languages.NATIVE, languages.LATIN):
        for lang, commands in table.items():
            for command, words in commands.items():
                for word in words:
                    found.setdefault((normalise(word), command), set()).add(lang)
    typos = {STOP: SLIP, DELETE: EXACT}
    keywords = [Keyword(word, command, langs.pop() if len(langs) == 1 else None, typos.get(command, ONE_EDIT))
                for (word, command), langs in found.items()]
    alone = [Keyword(normalise(word), STOP, lang, EXACT) for word, lang in languages.STOP_ALONE.items()]
    return [k for k in keywords if k.command == STOP] + alone, [k for k in keywords if k.command != STOP]


# Every language's words after French and English ones (an exact match is looked up in table order).
_NATIVE_STOP, _NATIVE = _every_language()
STOP_WORDS = (*STOP_WORDS, *_NATIVE_STOP)
KEYWORDS = (*KEYWORDS, *_NATIVE)
STOP_ANYWHERE = STOP_ANYWHERE | {normalise(word) for word in ("стоп", "توقف")}
STOP_ALONE = STOP_ALONE | {normalise(word) for word in languages.STOP_ALONE}
POLITE_WORDS = POLITE_WORDS | {k.word for k in _NATIVE if k.command == THANKS} | {
    normalise(word) for word in languages.POLITE}
METHODS = METHODS | {normalise(word): method for method, words in languages.METHODS.items() for word in words}
FILLERS = FILLERS | {normalise(word) for word in languages.FILLERS}
NUMBER_WORDS = NUMBER_WORDS | {normalise(word) for word in languages.NUMBER_WORDS}
LANGUAGE_NAMES = LANGUAGE_NAMES | {normalise(name): lang for lang, names in languages.LANGUAGE_NAMES.items()
                                   for name in names}


def one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by one letter changed, added, removed, or two swapped neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long = sorted((a, b), key=len)
    for i in range(len(long)):
        if long[:i] + long[i + 1:] == short:
            return True
    return False


def slipped(typed: str, word: str) -> bool:
    """True when `typed` is `word` with two neighbours swapped or one letter doubled."""
    if len(typed) == len(word) + 1:
        return any(typed[i] == typed[i + 1] and typed[:i] + typed[i + 1:] == word for i in range(len(word)))
    return len(typed) == len(word) and typed != word and one_edit_apart(typed, word) and sorted(typed) == sorted(word)


def forgiven(typed: str, keyword: Keyword) -> bool:
    """True when `typed` is close enough to `keyword` for its kind of forgiveness."""
    if len(typed) < MIN_FORGIVING_LENGTH or len(keyword.word) < MIN_FORGIVING_LENGTH:
        return False  # in short words one letter makes another word ("TOP", "CAR")
    if keyword.typos == ONE_EDIT:
        return one_edit_apart(typed, keyword.word)
    return keyword.typos == SLIP and slipped(typed, keyword.word)


def match(word: str, table: tuple[Keyword, ...]) -> Keyword | None:
    """The keyword `word` is (exactly, or with a forgiven typo); None if none, or if it is ambiguous."""
    for keyword in table:
        if keyword.word == word:
            return keyword
    near = [k for k in table if forgiven(word, k)]
    if len({k.command for k in near}) != 1:
        return None  # nothing close, or close to two different commands: better ask than guess
    langs = {k.lang for k in near}
    return Keyword(near[0].word, near[0].command, langs.pop() if len(langs) == 1 else None)


@functools.lru_cache(maxsize=1024)  # people send the same few keywords; a Parsed is immutable
def parse(text: str) -> Parsed:
    """The command of a message: STOP words first, then the first word's keyword, else UNKNOWN."""
    words = normalise(text).split()
    if not words:  # an emoji or a sign alone is a nod; letters of another script are a question we cannot read
        return Parsed(UNKNOWN if any(ch.isalnum() for ch in text) or not text.strip() else THANKS)
    stop = match(words[0], STOP_WORDS)
    if stop and stop.word in STOP_ALONE and len(words) > 1:
        stop = None
    stop = stop or next(
        (k for w in words for k in STOP_WORDS if k.word == w and k.word in STOP_ANYWHERE), None)
    if stop:
        return Parsed(STOP, stop.lang, tuple(words[1:]))
    keyword = match(words[0], KEYWORDS)
    if all(word in POLITE_WORDS for word in words[1:]) and (
            (keyword and keyword.command == THANKS) or all(word in POLITE_WORDS for word in words)):
        return Parsed(THANKS, keyword.lang if keyword else None)
    if keyword is None or keyword.command == THANKS:  # "ok ?", "merci mais pas de carte": a question
        return Parsed(UNKNOWN)
    return Parsed(keyword.command, keyword.lang, tuple(words[1:]))


def lookup(word: str, table: dict[str, str]) -> str | None:
    """A word of a small vocabulary (methods, languages), one letter off forgiven for 4+ letters."""
    if word in table:
        return table[word]
    if len(word) < MIN_FORGIVING_LENGTH:
        return None
    values = {v for k, v in table.items() if len(k) >= MIN_FORGIVING_LENGTH and one_edit_apart(word, k)}
    return values.pop() if len(values) == 1 else None


# No application or feuille de soins this service follows is older; refusing earlier years also keeps
# every date and instant we store a four-digit year.
EARLIEST = date(2000, 1, 1)
# A day and month without a year are taken as the latest such day not after today, but only this far
# back (about six months): `03/03` sent on 2 March is more likely a future date typed by mistake than
# a paper posted 364 days ago, so we ask for the year instead of guessing.
YEARLESS_MAX_DAYS = 183


class DateError(ValueError):
    """A date we cannot read, one in the future, or one before EARLIEST."""


class YearNeeded(DateError):
    """A day and month without a year that would be more than YEARLESS_MAX_DAYS ago: ask for the year."""


def parse_date(token: str, today: date) -> date:
    """A d/m or d/m/y date from EARLIEST to today; without a year, the latest such day, at most
    YEARLESS_MAX_DAYS back (YearNeeded beyond)."""
    parts = token.split("/")
    if (len(parts) not in (2, 3) or not all(p.isdigit() and 0 < len(p) <= 2 for p in parts[:2])
            or (len(parts) == 3 and not (parts[2].isdigit() and len(parts[2]) in (2, 4)))):
        raise DateError(token)
    day, month = int(parts[0]), int(parts[1])
    try:
        if len(parts) == 3:
            # Two digits are this century's; four are the year as written ("0001" is not 2001).
            found = date(int(parts[2]) + (2000 if len(parts[2]) == 2 else 0), month, day)
        else:  # the latest such day not after today; a 29/02 that year lacks is refused, not years back
            found = date(today.year if (month, day) <= (today.month, today.day) else today.year - 1, month, day)
    except ValueError as error:
        raise DateError(token) from error
    if found > today or found < EARLIEST:
        raise DateError(token)
    if len(parts) == 2 and (today - found).days > YEARLESS_MAX_DAYS:
        raise YearNeeded(token)
    return found


def split_args(args: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The date-looking words and the other words ("?" included) of a command's arguments."""
    dates = [a for a in args if "/" in a and any(ch.isdigit() for ch in a)]
    return dates, [a for a in args if a not in dates]
