"""Reading an SMS: normalisation, keywords with typos forgiven, STOP first, dates never in the future."""
from __future__ import annotations

from datetime import date

import pytest

from sms import keywords as kw

TODAY = date(2026, 3, 2)


@pytest.mark.parametrize(("text", "normalised"), [
    ("  help  ", "HELP"),
    ("Aide!!", "AIDE"),
    ("état", "ETAT"),
    ("ENVOI   internet, 05.03", "ENVOI INTERNET 05/03"),
    ("sent post 5 - 3 - 2026", "SENT POST 5/3/2026"),
    ("help?", "HELP ?"),
    ("ｈｅｌｐ", "HELP"),  # full-width letters
    ("Payé n°2", "PAYE N 2"),
    # letters of every script stay; an emoji goes
    ("🙂 مرحبا", "مرحبا"),
    # Arabic and Persian keyboards' forms of one letter fold to one; harakat and tatweel go
    ("مساعدة", "مساعده"), ("مُسَاعَدَة", "مساعده"), ("مسـاعدة", "مساعده"), ("كمك", "کمک"), ("کمک", "کمک"),
    ("شكراً", "شکرا"), ("أرسلت", "ارسلت"), ("می\u200cخواهم", "میخواهم"),
    # Persian and Arabic-Indic digits are dates too
    ("ارسلت بريد ۰۵/۰۳", "ارسلت برید 05/03"), ("حالة ٥-٣", "حاله 5/3"), ("مساعدة؟", "مساعده ?"),
    # Cyrillic in upper case; Ethiopic as it is, its word space ፡ a space
    ("Помощь", "ПОМОЩЬ"), ("допоможіть", "ДОПОМОЖІТЬ"), ("ሓገዝ፡ካርድ", "ሓገዝ ካርድ"),
])
def test_normalise(text, normalised):
    assert kw.normalise(text) == normalised


@pytest.mark.parametrize(("text", "command", "lang"), [
    ("HELP", kw.HELP, "en"), ("aide", kw.HELP, "fr"), ("?", kw.HELP, None), ("Info", kw.HELP, None),
    ("STATUS", kw.STATUS, "en"), ("État", kw.STATUS, "fr"),
    ("rib", kw.RIB, None),
    ("SENT ONLINE", kw.SENT, "en"), ("Envoi courrier", kw.SENT, "fr"),
    ("card", kw.CARD, "en"), ("Carte", kw.CARD, "fr"),
    ("claim 05/03", kw.CLAIM, "en"), ("Feuille", kw.CLAIM, "fr"),
    ("paid 2", kw.PAID, "en"), ("payé", kw.PAID, "fr"),
    ("LANG EN", kw.LANG, None), ("langue fr", kw.LANG, "fr"),
    ("START", kw.START, None),
    ("DELETE", kw.DELETE, "en"), ("Supprimer", kw.DELETE, "fr"),
    # one wrong letter (changed, missing, added, swapped) in keywords of 4+ letters
    ("HLEP", kw.HELP, "en"), ("STAUTS", kw.STATUS, "en"), ("CLAM", kw.CLAIM, "en"),
    ("FEUILE", kw.CLAIM, "fr"), ("AIDDE", kw.HELP, "fr"), ("CARTR", kw.CARD, "fr"), ("CARDS", kw.CARD, "en"),
    # but not two, and not in short keywords
    ("HLPE X", kw.UNKNOWN, None), ("RUB", kw.UNKNOWN, None), ("DELLETTE", kw.UNKNOWN, None),
    # and not when the typed word has 3 letters: one letter off is another word there
    ("CAR", kw.UNKNOWN, None), ("HEL", kw.UNKNOWN, None), ("ETA", kw.UNKNOWN, None),
    # erasing cannot be undone: the keyword itself or nothing
    ("deleted", kw.UNKNOWN, None), ("DELTE", kw.UNKNOWN, None), ("SUPPRIMMER", kw.UNKNOWN, None),
    ("suprimer", kw.UNKNOWN, None), ("EFACER", kw.UNKNOWN, None),
    # ambiguous between two commands: ask rather than guess (START or ETAT?)
    ("STAT", kw.UNKNOWN, None),
    ("", kw.UNKNOWN, None), ("bonjour", kw.UNKNOWN, None), ("12/03", kw.UNKNOWN, None),
])
def test_parse_finds_the_command_and_its_language(text, command, lang):
    parsed = kw.parse(text)
    assert (parsed.command, parsed.lang) == (command, lang)


@pytest.mark.parametrize("text", [
    "STOP", "stop please", "Arrêt", "ARRETER", "stopall", "UNSUBSCRIBE", "cancel", "end", "quit",
    "stpo", "STOPP", "arrte", "HELP STOP", "merci, stop", "CARD arrêt", "Quit", "  end. ",
])
def test_stop_words_win_over_anything_else(text):
    assert kw.parse(text).command == kw.STOP


@pytest.mark.parametrize("text", [
    # real words one letter away from a stop word
    "Top merci", "TOP", "SHOP", "stomp", "STEP", "SOUP", "ARETE",
    # Twilio's stop words count only as the whole message
    "cancelled my appointment", "cancel my appointment", "the end is near", "end of the month", "quite good",
    "quit smoking",
])
def test_near_misses_and_twilio_words_among_others_do_not_stop(text):
    assert kw.parse(text).command != kw.STOP


def test_arguments_come_normalised():
    assert kw.parse("Envoi  Internet 5.3").args == ("INTERNET", "5/3")


@pytest.mark.parametrize(("token", "expected"), [
    ("02/03", date(2026, 3, 2)),          # today
    ("1/3", date(2026, 3, 1)),
    ("25/12", date(2025, 12, 25)),        # after today's day and month: last year's
    ("1/1/2000", date(2000, 1, 1)),       # the earliest date we take
    ("01/01/00", date(2000, 1, 1)),
    ("05/01/2026", date(2026, 1, 5)),
    ("05/01/26", date(2026, 1, 5)),
    ("29/02/2024", date(2024, 2, 29)),    # a year written out may be long ago
])
def test_dates_are_never_in_the_future(token, expected):
    assert kw.parse_date(token, TODAY) == expected


@pytest.mark.parametrize(("token", "today", "expected"), [
    ("29/02", date(2028, 3, 1), date(2028, 2, 29)),
    ("29/02", date(2028, 8, 1), date(2028, 2, 29)),
    ("31/12", date(2027, 1, 5), date(2026, 12, 31)),
    ("28/12", date(2026, 1, 2), date(2025, 12, 28)),
    ("31/08", TODAY, date(2025, 8, 31)),  # YEARLESS_MAX_DAYS back: still inferred
])
def test_a_date_without_a_year_is_within_the_last_year(token, today, expected):
    assert kw.parse_date(token, today) == expected


@pytest.mark.parametrize(("token", "today"), [
    ("03/03", TODAY),               # tomorrow's day and month: a future date typed by mistake, not last year's
    ("30/08", TODAY),               # one day more than YEARLESS_MAX_DAYS back
    ("29/02", date(2029, 2, 28)),   # 2028's, a year back
    ("02/01", date(2026, 1, 1)),
])
def test_a_date_without_a_year_far_back_asks_for_the_year(token, today):
    with pytest.raises(kw.YearNeeded):
        kw.parse_date(token, today)


@pytest.mark.parametrize(("token", "today"), [
    ("29/02", TODAY),              # neither 2026 nor 2025 has one: not 2024, two years back
    ("29/02", date(2027, 1, 5)),
    ("29/02", date(2028, 2, 28)),  # this year's is tomorrow, last year had none
])
def test_a_29_february_the_inferred_year_lacks_is_refused(token, today):
    with pytest.raises(kw.DateError):
        kw.parse_date(token, today)


@pytest.mark.parametrize("token", ["31/02", "00/03", "1/13", "03/03/2026", "1/1/2099", "5/3/202", "1/2/3/4",
                                   "abc", "123/4",
                                   # before 2000: no application or feuille de soins we follow is that old
                                   "1/1/0100", "1/1/0001", "3/3/1999", "31/12/1999", "05/03/0999"])
def test_unreadable_future_or_too_old_dates_are_refused(token):
    with pytest.raises(kw.DateError) as refused:
        kw.parse_date(token, TODAY)
    assert not isinstance(refused.value, kw.YearNeeded)  # the bad-date reply, not a question


@pytest.mark.parametrize(("a", "b", "near"), [
    ("HELP", "HLEP", True), ("HELP", "HELO", True), ("HELP", "HEL", True), ("HELP", "HELPS", True),
    ("HELP", "HPLE", False), ("HELP", "HELP", True), ("CARD", "CARTE", False),
])
def test_one_edit_apart(a, b, near):
    assert kw.one_edit_apart(a, b) is near


# What people send to say thanks or to nod: no paid reply. A question or any other words: a reply.
@pytest.mark.parametrize(("text", "command"), [
    ("merci", kw.THANKS), ("Merci beaucoup", kw.THANKS), ("merci bcp !", kw.THANKS), ("MERCI BIEN", kw.THANKS),
    ("thank you", kw.THANKS), ("Thanks a lot", kw.THANKS), ("thank you very much", kw.THANKS), ("thx", kw.THANKS),
    ("ok", kw.THANKS), ("OK merci", kw.THANKS), ("Ok, merci beaucoup madame", kw.THANKS), ("okay thanks", kw.THANKS),
    ("d'accord", kw.THANKS), ("D'accord merci", kw.THANKS), ("Bien reçu, merci", kw.THANKS), ("super", kw.THANKS),
    ("parfait merci", kw.THANKS), ("Très bien merci", kw.THANKS), ("bonne journée", kw.THANKS),
    ("merci 🙏", kw.THANKS), ("👍", kw.THANKS), ("👍🏽", kw.THANKS), ("🙏🙏", kw.THANKS), ("❤️", kw.THANKS),
    ("mrci", kw.THANKS),  # a typo in the first word, forgiven as in keywords
    # a question is never thanks
    ("ok ?", kw.UNKNOWN), ("merci ?", kw.UNKNOWN), ("OK?", kw.UNKNOWN), ("d'accord ?", kw.UNKNOWN),
    # nor thanks with something to answer
    ("merci mais je n'ai pas reçu ma carte", kw.UNKNOWN), ("ok when is my card coming", kw.UNKNOWN),
    ("Bonjour, je n'ai pas reçu ma carte", kw.UNKNOWN), ("hello", kw.UNKNOWN), ("Top merci", kw.UNKNOWN),
    ("yes", kw.UNKNOWN), ("مرحبا", kw.UNKNOWN), ("سلام", kw.UNKNOWN), ("привет", kw.UNKNOWN),
    # thanks in the other languages, in their script and in Latin letters
    ("شكرا", kw.THANKS), ("شكرا جزيلا", kw.THANKS), ("تشکر", kw.THANKS), ("مننه", kw.THANKS),
    ("ډېره مننه", kw.THANKS), ("спасибо", kw.THANKS), ("Большое спасибо", kw.THANKS), ("дякую", kw.THANKS),
    ("የቐንየለይ", kw.THANKS), ("shukran", kw.THANKS), ("tashakor", kw.THANKS), ("manana", kw.THANKS),
    ("شكرا ولكن لم تصلني البطاقة", kw.UNKNOWN),
    ("merci stop", kw.STOP),  # a stop is heard first
])
def test_thanks_is_only_thanks(text, command):
    assert kw.parse(text).command == command


# -- every language's keywords (sms.languages) ------------------------------------------------------------------
from sms import languages  # noqa: E402

TABLE = [(word, command, lang) for table in (languages.NATIVE, languages.LATIN) for lang, commands in table.items()
         for command, words in commands.items() for word in words]


@pytest.mark.parametrize(("word", "command", "lang"), TABLE, ids=[f"{c}-{la}-{w}" for w, c, la in TABLE])
def test_every_keyword_of_every_language_means_its_command(word, command, lang):
    parsed = kw.parse(word)
    # a word two languages share tells neither: the letters of the text or the LANG menu decide
    shared = any(kw.normalise(word) == kw.normalise(other) and other_lang != lang
                 for other, other_command, other_lang in TABLE if other_command == command)
    assert (parsed.command, parsed.lang) == (command, None if shared else lang)


@pytest.mark.parametrize(("text", "command", "lang", "args"), [
    # the same commands written natively, with their arguments
    ("ارسلت بريد 05/03", kw.SENT, "ar", ("برید", "05/03")), ("فرستادم پست ۰۵/۰۳", kw.SENT, "fa", ("پست", "05/03")),
    ("ولېږل پوسټ 05/03", kw.SENT, "ps", ("پوسټ", "05/03")), ("ሰዲደ ፖስታ 05/03", kw.SENT, "ti", ("ፖስታ", "05/03")),
    ("Отправил почтой 05.03", kw.SENT, "ru", ("ПОЧТОИ", "05/03")),
    ("Надіслав поштою 05/03", kw.SENT, "uk", ("ПОШТОЮ", "05/03")),
    ("komak", kw.HELP, "fa", ()), ("Kumak", kw.HELP, "fa", ()), ("marasta", kw.HELP, "ps", ()),
    ("musaada", kw.HELP, "ar", ()), ("musa3ada", kw.HELP, "ar", ()), ("pomosh", kw.HELP, "ru", ()),
    ("dopomoha", kw.HELP, "uk", ()), ("hagez", kw.HELP, "ti", ()),
    # one letter off in a native word of 4+ letters is forgiven as in Latin ones
    ("помошь", kw.HELP, "ru", ()), ("وضعیت", kw.STATUS, None, ()),
    ("مدفوع 2", kw.PAID, "ar", ("2",)), ("оплачено номер 2", kw.PAID, None, ("НОМЕР", "2")),
    ("LANG دری", kw.LANG, None, ("دری",)), ("زبان فارسی", kw.LANG, "fa", ("فارسی",)),
])
def test_native_commands_and_their_words(text, command, lang, args):
    assert kw.parse(text) == kw.Parsed(command, lang, args)


@pytest.mark.parametrize("text", [
    "توقف", "إيقاف", "ایست", "بس", "قف", "ودرېږه", "ጠጠው", "стоп", "Стоп пожалуйста", "хватит", "зупинити",
    "لطفا توقف",  # "please stop": stop anywhere, as STOP
    "tawaqaf", "tetew",
])
def test_stop_in_every_language_is_heard_first(text):
    assert kw.parse(text).command == kw.STOP


@pytest.mark.parametrize("text", [
    "بس انا ما وصلتني البطاقة",  # "but I did not get the card": بس stops only alone
    "بسم الله", "стопка",
])
def test_native_near_misses_do_not_stop(text):
    assert kw.parse(text).command != kw.STOP


@pytest.mark.parametrize(("words", "lang"), [
    ("arabic", "ar"), ("ARABE", "ar"), ("عربي", "ar"), ("العربية", "ar"), ("ar", "ar"),
    ("persan", "fa"), ("farsi", "fa"), ("dari", "fa"), ("دری", "fa"), ("دري", "fa"), ("فارسی", "fa"), ("prs", "fa"),
    ("pashto", "ps"), ("pachto", "ps"), ("پښتو", "ps"), ("پشتو", "ps"), ("ps", "ps"),
    ("tigrinya", "ti"), ("ትግርኛ", "ti"), ("ti", "ti"),
    ("русский", "ru"), ("russe", "ru"), ("russian", "ru"), ("ru", "ru"),
    ("українська", "uk"), ("ukrainien", "uk"), ("ukrainian", "uk"), ("uk", "uk"),
    ("francais", "fr"), ("français", "fr"), ("english", "en"), ("anglais", "en"),
])
def test_language_names_in_several_languages_and_scripts(words, lang):
    parsed = kw.parse(f"LANG {words}")
    assert {kw.lookup(word, kw.LANGUAGE_NAMES) for word in parsed.args} == {lang}


@pytest.mark.parametrize(("text", "guess"), [
    ("مرحبا، لم تصلني البطاقة", "ar"),      # ة ي: Arabic
    ("سلام، کارت من نرسیده", "fa"),          # ک ی: Persian (Dari)
    ("سلام، زما کارټ نه دی راغلی", "ps"),    # ټ: Pashto only
    ("ښه ورځ", "ps"),
    ("Здравствуйте, карты нет", "ru"),       # ы: Russian
    ("Доброго дня, картки немає ще", "uk"),  # є: Ukrainian
    ("Добрий день, де моя картка? Її немає", "uk"),
    ("ሰላም ካርድ ኣይመጸን", "ti"),
    ("سلام", languages.UNSURE), ("مرحبا", languages.UNSURE), ("привет", languages.UNSURE),
    ("hello", None), ("", None), ("👍", None), ("你好，我的卡", None), ("नमस्ते", None),
])
def test_the_letters_of_a_text_say_its_language(text, guess):
    assert languages.guess(text) == guess
