"""My dates' SMS section: the reply number and the keywords, only when the deployer set the number."""
from __future__ import annotations

import pytest

from sms import keywords
from tests.strict_html import CheckedClient, text_of
from webapp.app import create_app

SMS_HELP = {
    "en": ["Text these words to +33 6 12 34 56 78 and we text you when your card should come and when a refund "
           "is late.", "The reminders are free. Text STOP to stop them at any time."],
    "fr": ["Envoyez ces mots par SMS au +33 6 12 34 56 78. Nous vous écrivons quand votre carte doit arriver et "
           "quand un remboursement est en retard.",
           "Les rappels sont gratuits. Envoyez STOP pour les arrêter à tout moment."],
}
SMS_KEYWORDS = {  # each keyword, then what it says
    "en": [("dt", "SENT ONLINE 05/03"), ("dt", "SENT POST 05/03"), ("dd", "you applied online or by post on 5 March"),
           ("dt", "CARD"), ("dd", "your card has arrived"),
           ("dt", "CLAIM 05/03"), ("dd", "you posted a feuille de soins on 5 March"),
           ("dt", "PAID"), ("dd", "it has been paid back")],
    "fr": [("dt", "ENVOI INTERNET 05/03"), ("dt", "ENVOI COURRIER 05/03"),
           ("dd", "vous avez fait la demande en ligne ou par courrier le 5 mars"),
           ("dt", "CARTE"), ("dd", "votre carte est arrivée"),
           ("dt", "FEUILLE 05/03"), ("dd", "vous avez envoyé une feuille de soins le 5 mars"),
           ("dt", "PAYE"), ("dd", "elle est remboursée")],
}
# What each keyword on the page must mean to the SMS service.
KEYWORD_COMMANDS = ["sent", "sent", "card", "claim", "paid", "stop"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_sms_section_gives_the_reply_number_and_the_keywords(app_config, lang):
    app = create_app(app_config | {"SMS_REPLY_NUMBER": "+33 6 12 34 56 78"})
    tree = CheckedClient(app.test_client()).get(f"/{lang}/dates").tree
    section = tree.find(".//section[@data-sms-help]")
    assert text_of(section.find("h2")) == {"en": "Reminders by SMS", "fr": "Rappels par SMS"}[lang]
    assert [text_of(p) for p in section.findall("p")] == SMS_HELP[lang]
    assert [(item.tag, text_of(item)) for item in section.find("dl")] == SMS_KEYWORDS[lang]
    link = section.find(".//a")
    assert link.get("href") == "sms:+33612345678"
    assert link.find("bdi").get("dir") == "ltr" and text_of(link) == "+33 6 12 34 56 78"
    words = [text_of(bdi) for bdi in section.iter("bdi")][1:]  # the first is the number
    assert [keywords.parse(word).command for word in words] == KEYWORD_COMMANDS
    assert all(b.get("dir") == "ltr" for b in section.iter("bdi"))


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_sms_section_and_no_made_up_number_when_the_reply_number_is_not_set(pages, lang):
    tree = pages.get(f"/{lang}/dates").tree
    assert tree.find(".//section[@data-sms-help]") is None
    assert not [a for a in tree.iter("a") if (a.get("href") or "").startswith("sms:")]
    assert "SMS" not in text_of(tree.find(".//main"))
