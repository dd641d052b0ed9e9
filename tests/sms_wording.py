"""The wording of every SMS reply, written out in full in each language: a changed text fails a test on purpose.

The tests compare what people receive with these literals, never with the code's own `render()`, so a
reworded reply (or a French text that falls back to English) shows up as a failure to review. Placeholders
are in braces, filled by `wording()`.
"""
from __future__ import annotations

# The fixed replies (sms.replies.REPLIES), by name.
REPLIES = {
    "help": {
        "en": "Carte Vitale reminders and help. Send a word: SENT POST = I applied by post (or SENT ONLINE), CARD ="
              " my card came, CLAIM = I posted a feuille de soins, PAID = it was paid back, STATUS = where I stand,"
              " STOP = no more texts. Details: HELP CARD, HELP CLAIM...",
        "fr": "Rappels et aide pour la carte Vitale. Envoyez : ENVOI COURRIER = demande faite par courrier (ou"
              " ENVOI INTERNET), CARTE = ma carte est arrivée, FEUILLE = j'ai posté une feuille de soins, PAYE ="
              " elle est payée, ETAT = où j'en suis, ARRET = plus de SMS. Détails : AIDE CARTE...",
    },
    "help_comede": {
        "en": "Comede: {phone}.",
        "fr": "Comede : {phone}.",
    },
    "help_card": {
        "en": "CARD = my carte Vitale came: card reminders stop. Not here by the date we gave you? Call your caisse"
              " on 3646.",
        "fr": "CARTE = ma carte Vitale est arrivée : plus de rappels pour la carte. Pas arrivée à la date donnée ?"
              " Appelez votre caisse au 3646.",
    },
    "help_sent": {
        "en": "SENT ONLINE or SENT POST = I applied, with the date if not today (SENT POST 05/03). We say when the"
              " card should come and text you then.",
        "fr": "ENVOI INTERNET ou ENVOI COURRIER = j'ai fait ma demande, avec la date si besoin (ENVOI COURRIER"
              " 05/03). Nous disons quand la carte doit arriver.",
    },
    "help_claim": {
        "en": "CLAIM = I posted a feuille de soins, with the date if not today (CLAIM 05/03). We say by when it"
              " should be paid back and text you if it is not.",
        "fr": "FEUILLE = j'ai posté une feuille de soins, avec la date si besoin (FEUILLE 05/03). Nous donnons la"
              " date du remboursement et écrivons s'il tarde.",
    },
    "help_paid": {
        "en": "PAID 2 = feuille de soins 2 was paid back (PAID alone: the oldest). Its reminders stop. STATUS lists"
              " yours with their numbers.",
        "fr": "PAYE 2 = la feuille de soins 2 est remboursée (PAYE seul : la plus ancienne). Plus de rappels pour"
              " elle. ETAT donne vos feuilles et leurs numéros.",
    },
    "help_status": {
        "en": "STATUS = where your card and your feuilles de soins stand, and what to do next.",
        "fr": "ETAT = où en sont votre carte et vos feuilles de soins, et que faire ensuite.",
    },
    "help_stop": {
        "en": "STOP = no more texts from us, reminders included. START = they come back. DELETE = we erase"
              " everything we hold about your number.",
        "fr": "ARRET = plus aucun SMS de notre part, rappels compris. START = ils reprennent. SUPPRIMER = nous"
              " supprimons tout ce que nous avons sur votre numéro.",
    },
    "help_delete": {
        "en": "DELETE alone = we erase at once everything we hold about your number: dates, feuilles de soins,"
              " messages. It cannot be undone.",
        "fr": "SUPPRIMER seul = nous supprimons tout de suite ce que nous avons sur votre numéro : dates, feuilles"
              " de soins, messages. Sans retour possible.",
    },
    "help_lang": {
        "en": "LANG and a language = we write to you in it: LANG FR, EN, AR, FA (Dari), PS, TI, RU, UK.",
        "fr": "LANGUE et une langue = nous vous écrivons dans cette langue : LANGUE FR, EN, AR, FA (dari), PS, TI,"
              " RU, UK.",
    },
    "unknown": {
        "en": "Sorry, not understood. Send HELP for the words to use.",
        "fr": "Message non compris. Envoyez AIDE pour la liste des mots.",
    },
    "human_help": {
        "en": "To talk to someone: {where}.",
        "fr": "Parler à quelqu'un : {where}.",
    },
    "human_help_caisse": {
        "en": "To talk to someone: Assurance Maladie 3646.",
        "fr": "Parler à quelqu'un : Assurance Maladie 3646.",
    },
    "rib": {
        "en": "New bank details (RIB)? Send them to your caisse online on ameli, or by post with a copy of your ID,"
              " your social security number and your name.",
        "fr": "Nouveau RIB ? Envoyez-le à votre caisse sur ameli, ou par courrier avec une copie de votre pièce"
              " d'identité, votre numéro de sécurité sociale et votre nom.",
    },
    "sent_how": {
        "en": "Say how you applied: SENT ONLINE or SENT POST, with the date if it was not today, for example SENT"
              " POST 05/03.",
        "fr": "Dites comment vous avez fait la demande : ENVOI INTERNET ou ENVOI COURRIER, avec la date si ce n'est"
              " pas aujourd'hui. Exemple : ENVOI COURRIER 05/03.",
    },
    "bad_date": {
        "en": "We could not read that date. Write day/month, for example 05/03. It cannot be in the future.",
        "fr": "Date non comprise. Écrivez jour/mois, par exemple 05/03. Pas de date future.",
    },
    "date_year": {
        "en": "Please add the year to the date, for example {example}.",
        "fr": "Ajoutez l'année à la date, par exemple {example}.",
    },
    "card_how": {
        "en": "If your card has arrived, send CARD alone.",
        "fr": "Si votre carte est arrivée, envoyez juste le mot CARTE.",
    },
    "card": {
        "en": "Good news! No more card reminders. Check the details on your card: if one is wrong, tell your"
              " caisse. Show it to the doctor: refunds take about a week.",
        "fr": "Bonne nouvelle ! Plus de rappels pour la carte. Une erreur dessus ? Prévenez votre caisse."
              " Montrez-la au médecin : remboursement en 1 semaine environ.",
    },
    "claim": {
        "en": "Noted: feuille de soins {number} posted on {posted}. It should be paid back by {due}; we will text"
              " you if not. Once paid, send PAID {number}.",
        "fr": "Noté : feuille de soins {number} postée le {posted}. Remboursement d'ici le {due}, sinon nous vous"
              " écrirons. Une fois payée, envoyez PAYE {number}.",
    },
    "claim_overdue": {
        "en": "Noted: feuille de soins {number} posted on {posted}, late since {due}. Check your bank account; not"
              " paid? Call your caisse on 3646.",
        "fr": "Noté : feuille de soins {number} postée le {posted}, en retard depuis le {due}. Regardez votre"
              " compte en banque ; pas payée ? Appelez votre caisse au 3646.",
    },
    "paid": {
        "en": "Noted: feuille de soins {number} is paid, no more reminders for it. Send STATUS to see where you"
              " stand.",
        "fr": "Noté : feuille de soins {number} payée, plus de rappels pour elle. Envoyez ETAT pour faire le point.",
    },
    "paid_none": {
        "en": "We have no unpaid feuille de soins with that number. Send STATUS to see yours.",
        "fr": "Aucune feuille de soins en attente avec ce numéro. Envoyez ETAT pour faire le point.",
    },
    "paid_how": {
        "en": "Send PAID, or PAID and the number of the feuille de soins, for example PAID 2.",
        "fr": "Envoyez PAYE, ou PAYE et le numéro de la feuille de soins, par exemple PAYE 2.",
    },
    "lang_set": {
        "en": "We will now write to you in English. For French, send LANG FR.",
        "fr": "C'est noté : nous vous écrirons désormais dans cette langue. Pour l'anglais, envoyez LANGUE EN.",
    },
    "lang_how": {
        "en": "Send LANG and your language: LANG FR, LANG EN, LANG AR, LANG FA, LANG PS, LANG TI, LANG RU or LANG"
              " UK.",
        "fr": "Envoyez LANGUE et votre langue : LANGUE FR, LANGUE EN, LANGUE AR, LANGUE FA, LANGUE PS, LANGUE TI,"
              " LANGUE RU ou LANGUE UK.",
    },
    "stop": {
        "en": "You will get no more messages from us. Send START to get them again.",
        "fr": "Vous ne recevrez plus de messages. Envoyez START pour les recevoir de nouveau.",
    },
    "start": {
        "en": "Messages are back on. Send HELP for the list of keywords.",
        "fr": "Les messages reprennent. Envoyez AIDE pour avoir la liste des mots-clés.",
    },
    "delete_how": {
        "en": "To erase everything we hold about this number, send DELETE alone.",
        "fr": "Pour effacer tout ce que nous avons sur ce numéro, envoyez juste le mot SUPPRIMER.",
    },
    "delete": {
        "en": "We have deleted everything we held about this number.",
        "fr": "Nous avons effacé tout ce que nous avions sur ce numéro.",
    },
    "nir_warning": {
        "en": "Do not send your social security number by SMS: we have deleted it.",
        "fr": "N'envoyez pas votre numéro de sécurité sociale par SMS : nous l'avons effacé.",
    },
}
# The sentences of STATUS and of the SENT confirmation (sms.replies.STATUS_PARTS), by name.
STATUS_PARTS = {
    "none": {
        "en": "No application recorded. Once you have applied, send SENT ONLINE or SENT POST.",
        "fr": "Aucune demande enregistrée. Une fois la demande faite, envoyez ENVOI INTERNET ou ENVOI COURRIER.",
    },
    "online": {
        "en": "Applied online on {sent}.",
        "fr": "Demande faite sur internet le {sent}.",
    },
    "post": {
        "en": "Applied by post on {sent}.",
        "fr": "Demande envoyée par courrier le {sent}.",
    },
    "sent_online": {
        "en": "Noted: you applied online on {sent}.",
        "fr": "Noté : demande faite sur internet le {sent}.",
    },
    "sent_post": {
        "en": "Noted: you applied by post on {sent}.",
        "fr": "Noté : demande envoyée par courrier le {sent}.",
    },
    "on_its_way": {
        "en": "Card on its way: expected {expected}, in {num} days.",
        "fr": "Carte en route : prévue le {expected}, dans {num} jours.",
    },
    "sent_wait": {
        "en": "Card expected {expected}: we will text you if it has not come. Send CARD when it arrives.",
        "fr": "Carte prévue le {expected} : si elle n'arrive pas, nous vous écrirons. Envoyez CARTE quand elle"
              " arrive.",
    },
    "due": {
        "en": "Card expected {expected}, it should come these days. Still none on {call_from}? Call your caisse.",
        "fr": "Carte prévue le {expected}, elle devrait arriver ces jours-ci. Toujours rien le {call_from} ?"
              " Appelez votre caisse.",
    },
    "late": {
        "en": "Card expected {expected} and not here yet: call your caisse on 3646.",
        "fr": "Carte prévue le {expected} et pas encore arrivée : appelez votre caisse au 3646.",
    },
    "arrived": {
        "en": "Card arrived on {received}.",
        "fr": "Carte arrivée le {received}.",
    },
    "no_claims": {
        "en": "No feuille de soins waiting.",
        "fr": "Aucune feuille de soins en attente.",
    },
    "waiting": {
        "en": "Feuille {number} posted {posted}: paid back by {due}.",
        "fr": "Feuille {number} postée le {posted} : remboursement d'ici le {due}.",
    },
    "overdue": {
        "en": "Feuille {number} posted {posted}: late since {due}, check your bank account.",
        "fr": "Feuille {number} postée le {posted} : en retard depuis le {due}, regardez votre compte en banque.",
    },
    "next_card": {
        "en": "Send CARD when it comes.",
        "fr": "Envoyez CARTE quand elle arrive.",
    },
    "next_refund": {
        "en": "Once paid, send PAID {number}.",
        "fr": "Une fois payée, envoyez PAYE {number}.",
    },
    "next_check": {
        "en": "Not paid? Call your caisse on 3646.",
        "fr": "Pas payée ? Appelez votre caisse au 3646.",
    },
}


def wording(lang: str, name: str, **params: object) -> str:
    """The fixed reply `name` in `lang`, as people must receive it, its placeholders filled."""
    return REPLIES[name][lang].format(**params)


def status_wording(lang: str, name: str, **params: object) -> str:
    """One sentence of a STATUS reply in `lang`, as people must receive it."""
    return STATUS_PARTS[name][lang].format(**params)
