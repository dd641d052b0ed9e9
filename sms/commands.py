"""The SMS command table: one small function per keyword, taking a context and returning the reply."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from sqlite_utils import Database

from sms import keywords as kw
from sms import replies
from sms.replies import day, help_text, render
from webapp import advice, journey
from webapp.i18n import LANGUAGES


@dataclass(frozen=True)
class Context:
    """What a command works with: the database, who texted, the words after the keyword, when."""

    db: Database
    person: dict
    args: tuple[str, ...]
    clock: journey.Clock
    config: Mapping

    @property
    def person_id(self) -> int:
        """The id of the person who texted."""
        return self.person["id"]


def _date_or_today(ctx: Context, understood: frozenset[str] = kw.FILLERS) -> date:
    """The one date in the arguments, else today; kw.DateError if it is unreadable or in the future,
    or if any other word is left over ("5 03", "3 janvier", "HIER" must not become today)."""
    dates, words = kw.split_args(ctx.args)
    if len(dates) > 1 or any(word not in understood for word in words):
        raise kw.DateError(" ".join(ctx.args))
    return kw.parse_date(dates[0], ctx.clock.today) if dates else ctx.clock.today


def _date_refused(ctx: Context, error: kw.DateError) -> str:
    """The reply to a date we will not record: ask for the year, or say how to write one."""
    if isinstance(error, kw.YearNeeded):
        return render("date_year", example=day(ctx.clock.today))
    return render("bad_date")


# HELP <word>: the command the word is a keyword of (typos forgiven as for keywords) -> its details.
HELP_TOPICS = {
    kw.CARD: "help_card", kw.SENT: "help_sent", kw.CLAIM: "help_claim", kw.PAID: "help_paid",
    kw.STATUS: "help_status", kw.START: "help_stop", kw.DELETE: "help_delete", kw.LANG: "help_lang",
    kw.RIB: "rib",
}


def help_menu(ctx: Context) -> str:
    """HELP: what the service is and what the main words do; HELP <word>: that word's details."""
    topics = {kw.match(word, kw.KEYWORDS) for word in ctx.args[:1]}
    command = next(iter(topics)).command if topics and None not in topics else None
    if command in HELP_TOPICS:
        return render(HELP_TOPICS[command])
    return help_text(ctx.config.get("COMEDE_PHONE"))


def _situation(ctx: Context) -> tuple[advice.Situation, dict | None]:
    # Paid feuilles de soins are not shown: the open ones are enough to say where the person stands.
    known = journey.status(ctx.db, ctx.person_id, ctx.clock.delays)
    return (advice.situation(known.application, known.open_claims, ctx.clock.today, ctx.clock.delays),
            known.application)


def status(ctx: Context) -> str:
    """STATUS: how they applied, where the card stands, each open feuille de soins, the next action."""
    return replies.status_text(*_situation(ctx))


def rib(ctx: Context) -> str:
    """RIB: how to give the caisse new bank details."""
    return render("rib")


def sent(ctx: Context) -> str:
    """SENT ONLINE|POST [dd/mm]: record the application; the card's expected date comes back."""
    _dates, words = kw.split_args(ctx.args)
    method_words = {word: kw.lookup(word, kw.METHODS) for word in words}
    methods = set(method_words.values()) - {None}
    if len(methods) != 1:
        return render("sent_how")
    method = methods.pop()
    try:
        sent_on = _date_or_today(ctx, kw.FILLERS | {word for word, found in method_words.items() if found})
    except kw.DateError as error:
        return _date_refused(ctx, error)
    journey.record_application(ctx.db, ctx.person_id, method, sent_on, ctx.clock)
    return replies.sent_text(advice.card(method, sent_on, None, ctx.clock.today, ctx.clock.delays))


def card(ctx: Context) -> str:
    """CARD: the card arrived, card reminders stop; with other words, only how to say so."""
    if ctx.args:  # "card not arrived yet", "carte ?": not a yes
        return render("card_how")
    journey.card_arrived(ctx.db, ctx.person_id, ctx.clock)
    return render("card")


def claim(ctx: Context) -> str:
    """CLAIM [dd/mm]: a feuille de soins was posted; its reimbursement reminder is planned."""
    try:
        posted_on = _date_or_today(ctx)
    except kw.DateError as error:
        return _date_refused(ctx, error)
    number = journey.record_claim(ctx.db, ctx.person_id, posted_on, ctx.clock)
    return replies.claim_text(advice.claim(number, posted_on, None, ctx.clock.today, ctx.clock.delays))


def paid(ctx: Context) -> str:
    """PAID [n]: claim n, or the oldest open one, was reimbursed."""
    dates, words = kw.split_args(ctx.args)
    numbers = [word for word in words if word.isdigit()]
    unknown = [word for word in words if not word.isdigit() and word not in kw.NUMBER_WORDS]
    if dates or unknown or len(numbers) > 1 or (words and not numbers) or (numbers and len(numbers[0]) > 4):
        return render("paid_how")  # "PAID X", "PAYE DEUX", "paye ?": ask rather than guess
    number = journey.claim_paid(ctx.db, ctx.person_id, int(numbers[0]) if numbers else None, ctx.clock)
    return render("paid_none") if number is None else render("paid", number=number)


def language(ctx: Context) -> str:
    """LANG xx: replies from now on in that language, this one included."""
    # A code or a name in any language or script ("LANG ar", "LANGUE persan", "LANG دری"), of a language served.
    chosen = {kw.lookup(word, kw.LANGUAGE_NAMES) for word in ctx.args} & set(LANGUAGES)
    if len(chosen) != 1:
        return render("lang_how")
    lang = chosen.pop()
    journey.set_language(ctx.db, ctx.person_id, lang, ctx.clock)
    with force_locale(lang):
        return render("lang_set")


def stop(ctx: Context) -> str:
    """STOP: no message of any kind any more, until START."""
    journey.opt_out(ctx.db, ctx.person_id, ctx.clock)
    return render("stop")


def start(ctx: Context) -> str:
    """START: messages and reminders resume."""
    journey.opt_in(ctx.db, ctx.person_id, ctx.clock)
    return render("start")


def delete(ctx: Context) -> str:
    """DELETE alone: erase the person and everything linked to them; with other words, only how to."""
    if ctx.args:
        return render("delete_how")
    journey.erase(ctx.db, ctx.person["phone"], ctx.clock, ctx.config["SECRET_KEY"])
    return render("delete")


def thanks(ctx: Context) -> None:
    """Thanks, ok, an emoji: nothing to do, and no paid reply to say so."""
    return None


def unknown(ctx: Context) -> str:
    """Anything else: "not understood" in every language, pointing to HELP and to a person."""
    return replies.not_understood(ctx.person["lang"], ctx.config.get("COMEDE_PHONE"), ctx.config.get("LOCAL_HELP"))


COMMANDS: dict[str, Callable[[Context], str | None]] = {
    kw.HELP: help_menu, kw.STATUS: status, kw.RIB: rib, kw.SENT: sent, kw.CARD: card,
    kw.CLAIM: claim, kw.PAID: paid, kw.LANG: language, kw.STOP: stop, kw.START: start,
    kw.DELETE: delete, kw.THANKS: thanks, kw.UNKNOWN: unknown,
}
# What a person who said STOP can still do; anything else is logged, not acted on, not answered.
WHILE_OPTED_OUT = frozenset({kw.STOP, kw.START, kw.DELETE})


def run(command: str, ctx: Context) -> str | None:
    """Run a command in the person's language and return its reply (None: nothing to answer)."""
    with force_locale(ctx.person["lang"]):
        return COMMANDS[command](ctx)
