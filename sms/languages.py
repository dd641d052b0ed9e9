"""The words and letters of each language an SMS may come in: keywords in native script and in the Latin
spellings people type, language names for LANG, and the letters that tell one language of a script from another.

Pure data and one function: sms.keywords normalises these words as it normalises a text (upper case, accents
and harakat gone, Arabic and Persian letter variants folded), so they are written here as people write them.
Commands are sms.keywords' names ("help", "status"...). A word listed in two languages tells no language.
"""
from __future__ import annotations

import unicodedata

# language -> command -> words in the language's own script. DELETE is never forgiven a typo, STOP only a slip.
NATIVE: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {
        "help": ("مساعدة", "ساعدني"), "status": ("حالة", "حالتي", "وضعي"),
        "sent": ("أرسلت", "ارسلت", "إرسال", "ارسال"), "card": ("بطاقة", "البطاقة", "بطاقتي"),
        "claim": ("ورقة", "الورقة"), "paid": ("مدفوع", "مدفوعة", "دفعت"), "lang": ("لغة", "اللغة"),
        "stop": ("توقف", "إيقاف", "ايقاف"), "start": ("ابدأ", "استئناف"), "delete": ("احذف", "حذف", "امسح"),
        "thanks": ("شكرا", "شكراً", "مشكور"),
    },
    "fa": {  # Dari, as written in Afghanistan
        "help": ("کمک", "کومک"), "status": ("وضعیت", "حالت"),
        "sent": ("فرستادم", "فرستاده", "ارسال"), "card": ("کارت",), "claim": ("برگه", "فورمه", "ورقه"),
        "paid": ("پرداخت", "تادیه"), "lang": ("زبان",), "stop": ("توقف", "ایست"), "start": ("شروع",),
        "delete": ("حذف", "پاک"), "thanks": ("تشکر", "مرسی", "تشکور"),
    },
    "ps": {
        "help": ("مرسته",), "status": ("حال", "وضعیت"),
        "sent": ("ولېږل", "ولیږل", "واستول", "لیږل"), "card": ("کارټ", "کارت"), "claim": ("پاڼه", "فورمه"),
        "paid": ("ورکړل", "ادا"), "lang": ("ژبه",), "stop": ("ودرېږه", "بند"), "start": ("پیل",),
        "delete": ("ړنګ", "ړنګول", "پاک"), "thanks": ("مننه", "مهرباني"),
    },
    "ti": {
        "help": ("ሓገዝ", "ሓግዙኒ"), "status": ("ኩነታት", "ኩነታተይ"), "sent": ("ሰዲደ", "ልኢኸ", "ሰዲድና"),
        "card": ("ካርድ", "ካርዲ"), "claim": ("ወረቐት", "ቅጥዒ"), "paid": ("ተኸፊሉ", "ተኸፊሉኒ"), "lang": ("ቋንቋ",),
        "stop": ("ጠጠው", "ኣቋርጽ"), "start": ("ጀምር",), "delete": ("ደምስስ", "ሰርዝ"),
        "thanks": ("የቐንየለይ", "የቐንየለና"),
    },
    "ru": {
        "help": ("помощь", "помогите", "справка"), "status": ("статус", "состояние"),
        "sent": ("отправил", "отправила", "отправлено"), "card": ("карта", "карточка", "карту"),
        "claim": ("лист", "бланк"), "paid": ("оплачено", "оплачен", "выплачено"), "lang": ("язык",),
        "stop": ("стоп", "хватит"), "start": ("старт", "начать"), "delete": ("удалить", "удали"),
        "thanks": ("спасибо", "спс"),
    },
    "uk": {
        "help": ("допомога", "допоможіть", "довідка"), "status": ("статус", "стан"),
        "sent": ("надіслав", "надіслала", "надіслано", "відправив", "відправила"), "card": ("картка", "картку"),
        "claim": ("аркуш", "лист", "бланк"), "paid": ("оплачено", "сплачено", "виплачено"), "lang": ("мова",),
        "stop": ("стоп", "зупинити"), "start": ("старт", "почати"), "delete": ("видалити", "видали"),
        "thanks": ("дякую",),
    },
}
# language -> command -> the Latin spellings people type without a keyboard of their script. None is an
# English or French word ("list", "band", "bas" stay out: they would set a language, or stop, by mistake).
LATIN: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {"help": ("MUSAADA", "MOSAADA", "MUSA3ADA"), "status": ("HALA", "HALATI"), "card": ("BITAQA", "BETAKA"),
           "sent": ("ARSALT", "IRSAL"), "paid": ("MADFOU", "MADFUA"), "lang": ("LUGHA", "LOGHA"),
           "stop": ("TAWAQAF", "TAWAKKAF"), "thanks": ("SHUKRAN", "CHOKRAN", "SHOKRAN")},
    "fa": {"help": ("KOMAK", "KUMAK", "KOMEK", "KOMAQ"), "status": ("WAZIYAT", "VAZIYAT", "WAZIAT", "HALAT"),
           "sent": ("FERESTADAM", "FIRISTADAM", "ERSAL"), "paid": ("PARDAKHT", "TADIA"),
           "lang": ("ZABAN", "ZABAAN"), "start": ("SHURU", "SHORU", "SHOROO"), "delete": ("HAZF",),
           "thanks": ("TASHAKOR", "TASHAKUR", "TASHAKKUR")},
    "ps": {"help": ("MARASTA", "MRASTA", "MARASTAA"), "status": ("HAAL",), "sent": ("WALEGAL", "WOLEGHAL"),
           "claim": ("PAANA", "PANRA"), "paid": ("WARKRAL", "WARKRAY"), "lang": ("ZHABA", "ZHEBA", "JABA"),
           "start": ("PEIL",), "thanks": ("MANANA", "MANNANA", "MANANAH")},
    "ti": {"help": ("HAGEZ", "HAGHEZ", "HAGIZ"), "status": ("KUNETAT",), "sent": ("SEDIDE", "SEDDIDE"),
           "claim": ("WEREQET", "WEREKET"), "paid": ("TEKEFILU", "TEKHEFILU"), "lang": ("QUANQUA", "QWANQWA"),
           "stop": ("TETEW",), "thanks": ("YEKENYELEY", "YEQENYELEY")},
    "ru": {"help": ("POMOSH", "POMOSHCH", "POMOGITE"), "sent": ("OTPRAVIL", "OTPRAVILA"),
           "paid": ("OPLACHENO",), "lang": ("YAZYK", "IAZYK"), "delete": ("UDALIT",), "thanks": ("SPASIBO",)},
    "uk": {"help": ("DOPOMOHA", "DOPOMOGA"), "sent": ("NADISLAV", "NADISLALA"), "paid": ("SPLACHENO",),
           "lang": ("MOVA",), "delete": ("VYDALYTY",), "thanks": ("DYAKUYU", "DIAKUIU")},
}
# Stop words that stop only as the whole message: "بس" and "قف" begin ordinary sentences too.
STOP_ALONE: dict[str, str | None] = {"بس": None, "بسه": "fa", "قف": "ar"}  # word -> its language
# Words after SENT saying how the application went, every language together.
METHODS = {
    "online": ("انترنت", "الانترنت", "اونلاين", "أونلاين", "آنلاین", "انترنیت", "انټرنیټ", "ኦንላይን", "ብኢንተርነት",
               "ኢንተርነት", "онлайн", "интернет", "інтернет", "ONLAYN"),
    "post": ("بريد", "البريد", "بالبريد", "پست", "پوست", "پوسټ", "ډاک", "ፖስታ", "ብፖስታ", "почта", "почтой",
             "пошта", "поштою", "POCHTA", "POSHTA", "POSTA", "BARID"),
}
# Little words around a method, a date or a number that change nothing ("عبر البريد", "по почте", "په پوسټ").
FILLERS = ("عبر", "في", "ب", "از", "با", "طریق", "توسط", "په", "د", "له", "по", "через", "в", "на", "ብ")
NUMBER_WORDS = ("رقم", "شماره", "نمبر", "شمېره", "номер", "ቁጽሪ")
# The other words of a thank-you ("شكرا جزيلا", "большое спасибо", "ډېره مننه", "дуже дякую").
POLITE = ("جزيلا", "جزيلاً", "لك", "زیاد", "خیلی", "ډېره", "ډیره", "большое", "дуже", "ок", "хорошо", "добре",
          "ብዙሕ", "ጽቡቕ")
# Words after LANG naming a language: codes, and names in English, French and the language itself.
LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "fr": ("FR", "FRANCAIS", "FRENCH", "فرنسي", "فرانسوی", "французский", "французька"),
    "en": ("EN", "ENGLISH", "ANGLAIS", "انجليزي", "انگلیسی", "английский", "англійська"),
    "ar": ("AR", "ARABIC", "ARABE", "ARABI", "عربي", "عربى", "العربية", "عربية"),
    "fa": ("FA", "PRS", "DARI", "DARY", "FARSI", "PERSAN", "PERSIAN", "دری", "دري", "فارسی", "فارسي"),
    "ps": ("PS", "PASHTO", "PACHTO", "PASHTU", "PACHTOU", "PUSHTO", "پښتو", "پشتو"),
    "ti": ("TI", "TIGRINYA", "TIGRIGNA", "TIGRINIA", "ትግርኛ", "ትግሪኛ"),
    "ru": ("RU", "RUSSIAN", "RUSSE", "RUSSKIY", "RUSSKI", "русский", "русская", "російська"),
    "uk": ("UK", "UA", "UKRAINIAN", "UKRAINIEN", "UKRAINSKA", "українська", "украинский"),
}

# How the letters of a first text tell its language (sms.inbound asks when no keyword told it).
UNSURE = "?"  # a script we read, but no letter that tells which of its languages: ask with the LANG menu
SCRIPT_LANGUAGE = {"ETHIOPIC": "ti"}  # a script with one language of ours
# For a script with several: a letter only Pashto has decides; else the language with more of its own letters.
DECISIVE = {"ARABIC": ("ps", frozenset("ټډړږښګڼېۍځڅ"))}
DISTINCT = {
    "ARABIC": {"fa": frozenset("پچژگیک"), "ar": frozenset("ةىكي")},
    "CYRILLIC": {"uk": frozenset("іїєґІЇЄҐ"), "ru": frozenset("ыэъёЫЭЪЁ")},
}
READ = frozenset({"LATIN", *SCRIPT_LANGUAGE, *DISTINCT})  # another script: not one of our languages


def script(char: str) -> str:
    """The script of a letter, from its Unicode name ("ARABIC", "CYRILLIC", "LATIN"...)."""
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def guess(text: str) -> str | None:
    """The language a text's letters say: a code, UNSURE, or None (Latin letters, none, or a script we do
    not read: the keyword, else the default language, decides)."""
    scripts: dict[str, int] = {}
    for char in text:
        if char.isalpha():
            scripts[script(char)] = scripts.get(script(char), 0) + 1
    if not scripts:
        return None
    main = max(scripts, key=scripts.get)
    if main in SCRIPT_LANGUAGE:
        return SCRIPT_LANGUAGE[main]
    if main not in DISTINCT:
        return None
    decisive = DECISIVE.get(main)
    if decisive and any(char in decisive[1] for char in text):
        return decisive[0]
    counts = {lang: sum(char in letters for char in text) for lang, letters in DISTINCT[main].items()}
    best = max(counts.values())
    found = [lang for lang, count in counts.items() if count == best]
    return found[0] if best and len(found) == 1 else UNSURE
