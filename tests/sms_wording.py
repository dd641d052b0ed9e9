"""The wording of every SMS reply, written out in full in each language: a changed text fails a test on purpose.

The tests compare what people receive with these literals, never with the code's own `render()`, so a
reworded reply (or a French text that falls back to English) shows up as a failure to review. Placeholders
are in braces, filled by `wording()`.
"""
from __future__ import annotations

# The fixed replies (sms.replies.REPLIES), by name.
REPLIES = {
    "help": {
        "en": "Send: STATUS, SENT ONLINE/POST, CARD, CLAIM dd/mm, PAID, RIB, LANG FR, STOP, DELETE."
              " Help: Assurance Maladie 3646.",
        "fr": "Envoyez: ETAT, ENVOI INTERNET/COURRIER, CARTE, FEUILLE jj/mm, PAYE, RIB, LANGUE EN, ARRET,"
              " SUPPRIMER. Aide: Assurance Maladie 3646.",
    },
    "help_comede": {"en": "Comede: {phone}.", "fr": "Comede: {phone}."},
    "unknown": {
        "en": "Sorry, we did not understand. Send HELP for the list of keywords.",
        "fr": "Message non compris. Envoyez AIDE pour avoir la liste des mots-clés.",
    },
    "rib": {
        "en": "New bank details (RIB)? Send them to your caisse online on ameli, or by post with a copy of your"
              " ID, your social security number and your name.",
        "fr": "Nouveau RIB? Envoyez-le à votre caisse sur ameli, ou par courrier avec une copie de votre pièce"
              " d'identité, votre numéro de sécurité sociale et votre nom.",
    },
    "sent_how": {
        "en": "Say how you applied: SENT ONLINE or SENT POST, with the date if it was not today, for example"
              " SENT POST 05/03.",
        "fr": "Dites comment vous avez fait la demande: ENVOI INTERNET ou ENVOI COURRIER, avec la date si ce"
              " n'est pas aujourd'hui. Exemple: ENVOI COURRIER 05/03",
    },
    "bad_date": {
        "en": "We could not read that date. Write day/month, for example 05/03. It cannot be in the future.",
        "fr": "Date non comprise. Écrivez jour/mois, par exemple 05/03. Pas de date future.",
    },
    "date_year": {
        "en": "Please add the year to the date, for example {example}.",
        "fr": "Ajoutez l'année à la date, par exemple {example}.",
    },
    "sent_online": {
        "en": "Noted: you applied online on {sent}. Your card should come around {expected}. Send CARD when it"
              " arrives.",
        "fr": "Noté: demande faite sur internet le {sent}. Carte attendue vers le {expected}. Envoyez CARTE"
              " quand elle arrive.",
    },
    "sent_post": {
        "en": "Noted: you applied by post on {sent}. Your card should come around {expected}. Send CARD when it"
              " arrives.",
        "fr": "Noté: demande envoyée par courrier le {sent}. Carte attendue vers le {expected}. Envoyez CARTE"
              " quand elle arrive.",
    },
    "card_how": {
        "en": "If your card has arrived, send CARD alone.",
        "fr": "Si votre carte est arrivée, envoyez juste le mot CARTE.",
    },
    "card": {
        "en": "Good news! Card reminders are off. Check the details on your card: if one is wrong, tell your"
              " caisse.",
        "fr": "Bonne nouvelle! Plus de rappels pour la carte. Vérifiez les informations sur la carte: en cas"
              " d'erreur, prévenez votre caisse.",
    },
    "claim": {
        "en": "Noted: feuille de soins {number} posted on {posted}. The refund can take up to a month. When it"
              " is paid, send PAID {number}.",
        "fr": "Noté: feuille de soins {number} postée le {posted}. Le remboursement peut prendre jusqu'à un"
              " mois. Une fois remboursée, envoyez PAYE {number}.",
    },
    "paid": {"en": "Noted: feuille de soins {number} is paid.", "fr": "Noté: feuille de soins {number} payée."},
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
        "fr": "C'est noté: nous vous écrirons désormais dans cette langue. Pour l'anglais, envoyez LANGUE EN.",
    },
    "lang_how": {
        "en": "Send LANG FR for French or LANG EN for English.",
        "fr": "Envoyez LANGUE EN pour l'anglais, ou LANGUE FR.",
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
}
# The sentences of a STATUS reply (sms.replies.STATUS_PARTS), by name.
STATUS_PARTS = {
    "none": {
        "en": "No application recorded. Once you have applied, send SENT ONLINE or SENT POST.",
        "fr": "Aucune demande enregistrée. Une fois la demande faite, envoyez ENVOI INTERNET ou ENVOI COURRIER.",
    },
    "online": {"en": "Applied online on {sent}.", "fr": "Demande faite sur internet le {sent}."},
    "post": {"en": "Applied by post on {sent}.", "fr": "Demande envoyée par courrier le {sent}."},
    "expected": {"en": "Card expected around {expected}.", "fr": "Carte attendue vers le {expected}."},
    "late": {
        "en": "Card expected around {expected} and not here yet: call your caisse on 3646.",
        "fr": "Carte attendue vers le {expected} et pas encore arrivée: appelez votre caisse au 3646.",
    },
    "arrived": {"en": "Card arrived on {received}.", "fr": "Carte arrivée le {received}."},
    "no_claims": {"en": "No feuille de soins waiting.", "fr": "Aucune feuille de soins en attente."},
}


def wording(lang: str, name: str, **params: object) -> str:
    """The fixed reply `name` in `lang`, as people must receive it, its placeholders filled."""
    return REPLIES[name][lang].format(**params)


def status_wording(lang: str, name: str, **params: object) -> str:
    """One sentence of a STATUS reply in `lang`, as people must receive it."""
    return STATUS_PARTS[name][lang].format(**params)
