"""The texts of SMS replies, in English in code and translated, and the segments each may cost (SEGMENT_LIMITS):
in French and English a fixed reply fits one GSM-7 segment; in the other languages (UCS-2) two.

French texts avoid ç ê â î ô û and curly quotes, which would force UCS-2 (70 characters a segment), and
follow French usage that fits GSM-7: a plain space before : ? ! and "1er".
"""
from __future__ import annotations

from datetime import date

from flask_babel import force_locale, get_locale, ngettext
from flask_babel import lazy_gettext as _l

from sms.segments import GSM7, UCS2, measure
from webapp import advice
from webapp.i18n import LANGUAGES

REPLIES = {
    # HELP may take two segments: what the service is, then what each main word means.
    "help": _l("Carte Vitale reminders and help. Send a word: SENT POST = I applied by post (or SENT ONLINE),"
               " CARD = my card came, CLAIM = I posted a feuille de soins, PAID = it was paid back,"
               " STATUS = where I stand, STOP = no more texts. Details: HELP CARD, HELP CLAIM..."),
    "help_comede": _l("Comede: %(phone)s."),
    # HELP <word>: one segment each.
    "help_card": _l("CARD = my carte Vitale came: card reminders stop. Not here by the date we gave you?"
                    " Call your caisse on 3646."),
    "help_sent": _l("SENT ONLINE or SENT POST = I applied, with the date if not today (SENT POST 05/03). We say"
                    " when the card should come and text you then."),
    "help_claim": _l("CLAIM = I posted a feuille de soins, with the date if not today (CLAIM 05/03). We say by"
                     " when it should be paid back and text you if it is not."),
    "help_paid": _l("PAID 2 = feuille de soins 2 was paid back (PAID alone: the oldest). Its reminders stop."
                    " STATUS lists yours with their numbers."),
    "help_status": _l("STATUS = where your card and your feuilles de soins stand, and what to do next."),
    "help_stop": _l("STOP = no more texts from us, reminders included. START = they come back. DELETE = we"
                    " erase everything we hold about your number."),
    "help_delete": _l("DELETE alone = we erase at once everything we hold about your number: dates, feuilles"
                      " de soins, messages. It cannot be undone."),
    "help_lang": _l("LANG and a language = we write to you in it: LANG FR, EN, AR, FA (Dari), PS, TI, RU, UK."),
    # "Not understood": in the person's language, then in the others; then where to find a person.
    "unknown": _l("Sorry, not understood. Send HELP for the words to use."),
    "human_help": _l("To talk to someone: %(where)s."),
    "human_help_caisse": _l("To talk to someone: Assurance Maladie 3646."),
    "rib": _l("New bank details (RIB)? Send them to your caisse online on ameli, or by post with a copy"
              " of your ID, your social security number and your name."),
    "sent_how": _l("Say how you applied: SENT ONLINE or SENT POST, with the date if it was not today,"
                   " for example SENT POST 05/03."),
    "bad_date": _l("We could not read that date. Write day/month, for example 05/03. It cannot be in"
                   " the future."),
    "date_year": _l("Please add the year to the date, for example %(example)s."),
    "card_how": _l("If your card has arrived, send CARD alone."),
    "card": _l("Good news! No more card reminders. Check the details on your card: if one is wrong, tell"
               " your caisse. Show it to the doctor: refunds take about a week."),
    # CLAIM, by the state of the feuille de soins just recorded.
    "claim": _l("Noted: feuille de soins %(number)s posted on %(posted)s. It should be paid back by %(due)s;"
                " we will text you if not. Once paid, send PAID %(number)s."),
    "claim_overdue": _l("Noted: feuille de soins %(number)s posted on %(posted)s, late since %(due)s. Check your"
                        " bank account; not paid? Call your caisse on 3646."),
    "paid": _l("Noted: feuille de soins %(number)s is paid, no more reminders for it. Send STATUS to see"
               " where you stand."),
    "paid_none": _l("We have no unpaid feuille de soins with that number. Send STATUS to see yours."),
    "paid_how": _l("Send PAID, or PAID and the number of the feuille de soins, for example PAID 2."),
    "lang_set": _l("We will now write to you in English. For French, send LANG FR."),
    "lang_how": _l("Send LANG and your language: LANG FR, LANG EN, LANG AR, LANG FA, LANG PS, LANG TI, LANG RU"
                   " or LANG UK."),
    "stop": _l("You will get no more messages from us. Send START to get them again."),
    "start": _l("Messages are back on. Send HELP for the list of keywords."),
    "delete_how": _l("To erase everything we hold about this number, send DELETE alone."),
    "delete": _l("We have deleted everything we held about this number."),
    "nir_warning": _l("Do not send your social security number by SMS: we have deleted it."),
}
# The segments a text may cost, by the encoding its language needs: a fixed reply, a STATUS reply (and any reply
# with the social security number warning before it), and the replies allowed more than a fixed one.
SEGMENT_LIMITS = {
    GSM7: {"fixed": 1, "status": 2, "help": 2, "unknown": 2},
    UCS2: {"fixed": 2, "status": 3, "help": 2, "unknown": 2},  # 134 UCS-2 units; 201 for STATUS
}
# The languages whose texts fit GSM-7; every other one's letters need UCS-2.
GSM7_LANGUAGES = frozenset({"fr", "en"})
# Replies allowed two segments in French and English; every other one fits one.
MAX_SEGMENTS = {name: limit for name, limit in SEGMENT_LIMITS[GSM7].items() if name in ("help", "unknown")}
# "Not understood" repeated in the other language of the two every reader here may know a little.
ALSO_SAID_IN = {"fr": ("en",), "en": ("fr",)}
# The sentences of STATUS and of the SENT confirmation, which follow the person's situation (two
# segments at most in all). A function takes `num`, the count its plural follows.
STATUS_PARTS = {
    "none": _l("No application recorded. Once you have applied, send SENT ONLINE or SENT POST."),
    "online": _l("Applied online on %(sent)s."),
    "post": _l("Applied by post on %(sent)s."),
    "sent_online": _l("Noted: you applied online on %(sent)s."),
    "sent_post": _l("Noted: you applied by post on %(sent)s."),
    "on_its_way": lambda num, **params: ngettext("Card on its way: expected %(expected)s, in %(num)d day.",
                                                 "Card on its way: expected %(expected)s, in %(num)d days.",
                                                 num, **params),
    "sent_wait": _l("Card expected %(expected)s: we will text you if it has not come. Send CARD when it arrives."),
    "due": _l("Card expected %(expected)s, it should come these days. Still none on %(call_from)s? Call your"
              " caisse."),
    "late": _l("Card expected %(expected)s and not here yet: call your caisse on 3646."),
    "arrived": _l("Card arrived on %(received)s."),
    "no_claims": _l("No feuille de soins waiting."),
    "waiting": _l("Feuille %(number)s posted %(posted)s: paid back by %(due)s."),
    "overdue": _l("Feuille %(number)s posted %(posted)s: late since %(due)s, check your bank account."),
    "next_card": _l("Send CARD when it comes."),
    "next_refund": _l("Once paid, send PAID %(number)s."),
    "next_check": _l("Not paid? Call your caisse on 3646."),
}
# The situation's states and next actions -> the sentence that says them (None: nothing to add).
CARD_SENTENCE = {advice.NOT_APPLIED: "none", advice.ON_ITS_WAY: "on_its_way", advice.DUE: "due",
                 advice.LATE: "late", advice.ARRIVED: "arrived"}
CLAIM_SENTENCE = {advice.WAITING: "waiting", advice.OVERDUE: "overdue"}
NEXT_SENTENCE = {advice.CALL_ABOUT_CARD: None, advice.CHECK_CLAIM: "next_check", advice.APPLY: None,
                 advice.WAIT_FOR_CARD: "next_card", advice.WAIT_FOR_REFUND: "next_refund", advice.NOTHING: None}
# SENT, by where the card stands once the application is recorded (a date long past: already due or late).
SENT_SENTENCE = {advice.ON_ITS_WAY: "sent_wait", advice.DUE: "due", advice.LATE: "late"}
# CLAIM, by where the feuille de soins stands once recorded.
CLAIM_REPLY = {advice.WAITING: "claim", advice.OVERDUE: "claim_overdue"}
# Worst-case values for each placeholder, for the segment tests.
SAMPLES = {"sent": "28/12/2026", "expected": "28/12/2026", "received": "28/12/2026", "call_from": "28/12/2026",
           "due": "28/12/2026", "posted": "28/12/2026", "example": "28/12/2026", "number": "99", "num": 99,
           "phone": "+33 1 23 45 67 89", "where": "Comede +33 1 23 45 67 89"}
MIN_LOCAL_HELP = 20  # a LOCAL_HELP cut shorter than this says nothing useful: left out instead


def encoding_of(lang: str) -> str:
    """The encoding a language's texts need: GSM-7 for French and English, UCS-2 for the others."""
    return GSM7 if lang in GSM7_LANGUAGES else UCS2


def max_segments(name: str, lang: str | None = None) -> int:
    """The segments text `name` ("status", "help", a reply's name, a reminder's kind) may cost in `lang`
    (default: the current locale's)."""
    limits = SEGMENT_LIMITS[encoding_of(lang or str(get_locale()))]
    return limits.get(name, limits["fixed"])


def lang_menu() -> str:
    """The LANG menu, one segment, for a text whose language we cannot tell: each code with the language's
    own name (in its script, so that people find theirs; French and English need none)."""
    return "LANG " + " ".join(code.upper() if code in GSM7_LANGUAGES else f"{code.upper()} {name}"
                              for code, name in LANGUAGES.items())


def day(value: date) -> str:
    """A date as people in France write it."""
    return value.strftime("%d/%m/%Y")


def _fill(table: dict, name: str, params: dict) -> str:
    text = table[name]
    if callable(text):  # a plural: ngettext with `num`
        return text(**params)
    text = str(text)
    return text % params if params else text


def render(name: str, **params: object) -> str:
    """A reply in the current locale (use `flask_babel.force_locale` for the person's)."""
    return _fill(REPLIES, name, params)


def status_part(name: str, **params: object) -> str:
    """One sentence of a STATUS reply in the current locale."""
    return _fill(STATUS_PARTS, name, params)


def card_sentence(card: advice.Card, table: dict[str, str] = CARD_SENTENCE) -> str:
    """Where the card stands, in one sentence (SENT_SENTENCE for the SENT confirmation)."""
    dates = {"expected": card.expected_on, "call_from": card.call_from, "received": card.received_on}
    params = {name: day(value) for name, value in dates.items() if value}
    return status_part(table[card.state], **dict(params, num=card.days_left) if card.state == advice.ON_ITS_WAY
                       else params)


def claim_sentence(claim: advice.Claim) -> str:
    """One open feuille de soins in a STATUS reply: by when it is paid back, or since when it is late."""
    return status_part(CLAIM_SENTENCE[claim.state], number=claim.number, posted=day(claim.posted_on),
                       due=day(claim.due_on))


def next_sentence(situation: advice.Situation) -> str | None:
    """The situation's next action, when the sentences before have not said it already."""
    name = NEXT_SENTENCE[situation.next_action]
    if name is None:
        return None
    waiting = [c for c in situation.open_claims if c.state == advice.WAITING]
    return status_part(name, number=waiting[0].number if waiting else "")


def status_text(situation: advice.Situation, application: dict | None) -> str:
    """STATUS: how they applied, where the card stands, each open feuille de soins, the next action."""
    head = []
    if application and situation.card.state != advice.ARRIVED:
        head.append(status_part(application["method"], sent=day(situation.card.sent_on)))
    head.append(card_sentence(situation.card))
    claims = [claim_sentence(claim) for claim in situation.open_claims]
    if not claims:
        head.append(status_part("no_claims"))
    return fit(head, claims, [s for s in [next_sentence(situation)] if s], max_segments("status"))


def sent_text(card: advice.Card) -> str:
    """The SENT confirmation: the date recorded, when the card should come and what happens next."""
    return f"{status_part(f'sent_{card.method}', sent=day(card.sent_on))} {card_sentence(card, SENT_SENTENCE)}"


def claim_text(claim: advice.Claim) -> str:
    """The CLAIM confirmation: by when it should be paid back, or that it is already late and whom to call."""
    return render(CLAIM_REPLY[claim.state], number=claim.number, posted=day(claim.posted_on), due=day(claim.due_on))


def help_text(comede_phone: str | None) -> str:
    """The HELP menu, with Comede's number when the deployer set one and it still fits."""
    text = render("help")
    if comede_phone:
        longer = f"{text} {render('help_comede', phone=comede_phone)}"
        if measure(longer).segments <= max_segments("help"):
            return longer
    return text


def not_understood(lang: str, comede_phone: str | None, local_help: str | None) -> str:
    """"Not understood" in the person's language (in French and English, then in the other), and where to find a
    person: Comede and the deployer's LOCAL_HELP when set (LOCAL_HELP cut to fit two segments), else 3646."""
    said = []
    for each in [lang, *ALSO_SAID_IN.get(lang, ())]:
        with force_locale(each):
            said.append(render("unknown"))
    text = " ".join(said)
    where = [f"Comede {comede_phone}"] if comede_phone else []
    if local_help:
        where.append(" ".join(local_help.split()))
    with force_locale(lang):
        while where:
            candidate = f"{text} {render('human_help', where=', '.join(where))}"
            if measure(candidate).segments <= max_segments("unknown", lang):
                return candidate
            where[-1] = _shorter(where[-1]) if len(where[-1]) > MIN_LOCAL_HELP and local_help else ""
            where = [w for w in where if w]
        return f"{text} {render('human_help_caisse')}"


CUT = " (...)"  # the French and English mark of words left out, in GSM-7


def _shorter(text: str) -> str:
    """`text` less its last word, with " (...)" to show it was cut."""
    words = text.removesuffix(CUT).split()
    return " ".join(words[:-1]).rstrip(",;:") + CUT if len(words) > 1 else ""


def more_claims(count: int) -> str:
    """The end of a STATUS reply too long to list every open claim."""
    return ngettext("And %(num)d more.", "And %(num)d more.", count)


def fit(head: list[str], items: list[str], end: list[str] = (), max_segments: int = 2) -> str:
    """`head`, as many of `items` as fit in `max_segments` with `end` after them, and how many were left."""
    def joined(*parts: list[str]) -> str:
        return " ".join(part for group in parts for part in group)

    for shown in range(len(items), -1, -1):
        left = len(items) - shown
        text = joined(head, items[:shown], [more_claims(left)] if left else [], end)
        if measure(text).segments <= max_segments:
            return text
    return joined(head, end)
