"""The checklist and the help contacts, as data: steps with stable ids, grouped, every string translatable."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

# Step ids are stable: the no-JS form posts them and the device keeps them, so never rename one.


@dataclass(frozen=True)
class Link:
    """A pointer from a step to one of our pages (an endpoint of the pages blueprint) or, with `url`, outside."""

    endpoint: str
    text: str
    url: str = ""  # an outside address named by the sources (ameli.fr), shown as is


@dataclass(frozen=True)
class Step:
    """One thing to do (a tickable step) or, when `tick` is False, to know; with a pictogram and short paragraphs."""

    id: str
    title: str
    details: tuple[str, ...] = ()
    link: Link | None = None
    icon: str = "info"  # a <symbol> id of templates/partials/pictograms.html, without "pic-"
    tick: bool = True


@dataclass(frozen=True)
class Group:
    """A heading of the checklist and its items, in order; `route` marks the steps of one way to apply."""

    id: str
    title: str
    intro: str | None
    steps: tuple[Step, ...]
    route: str | None = None

    @property
    def to_do(self) -> tuple[Step, ...]:
        """The tickable steps."""
        return tuple(step for step in self.steps if step.tick)

    @property
    def to_know(self) -> tuple[Step, ...]:
        """The good-to-know items (no checkbox)."""
        return tuple(step for step in self.steps if not step.tick)


@dataclass(frozen=True)
class Contact:
    """Where to get help; `setting` names the deployer setting that holds its details, if any."""

    id: str
    name: str
    details: tuple[str, ...]
    setting: str | None = None
    kind: str = "text"  # phone | url | text: how the value is shown
    value: str = ""  # a fact from facts.md, when the details are not the deployer's
    link: Link | None = None


# The two ways to apply (the radio values the no-JS form posts and the device keeps).
ROUTES = {"online": _l("Online"), "post": _l("By post")}
# The source guide names ameli.fr (the Assurance Maladie's site, where the online account is).
AMELI = Link("", _l("ameli.fr, the Assurance Maladie website"), url="https://www.ameli.fr")
# A step's pictogram, by name; each is a <symbol id="pic-NAME"> of templates/partials/pictograms.html.
PICTOGRAMS = ("office", "number", "photo", "id", "form", "copy", "envelope", "clock", "card", "info",
              "screen")

CHECKLIST: tuple[Group, ...] = (
    Group("before", _l("Before you apply"), _l("The carte Vitale is free. It is valid everywhere in France."), (
        Step("registered", _l("Register with a health insurance office"), (
            _l("First you must be registered with the state health insurance. Your office is "
               "called a “caisse d’assurance maladie” (CPAM)."),
        ), icon="office"),
        Step("final-number", _l("Get your final social security number"), (
            _l("You can apply for the card only with your final number. It begins with 1 for a man "
               "or 2 for a woman."),
            _l("A temporary number (NIA) looks the same. With a temporary number you cannot get a "
               "carte Vitale or an ameli account yet."),
            _l("The final number comes about 9 months after you send your birth and civil status "
               "papers."),
        ), Link("pages.number", _l("What the digits of your number mean")), icon="number"),
        Step("ame", _l("No regular residence status? The AME"), (
            _l("A carte Vitale needs a regular residence status and registration with the Assurance "
               "Maladie."),
            _l("Without a regular status, you can get the “aide médicale de l’État” (AME) for your "
               "health care if you have lived in France for more than 3 months and your income is under "
               "a ceiling."),
        ), tick=False),
    )),
    Group("online", _l("Apply online"), _l("For example in your ameli account. You need:"), (
        Step("online-photo", _l("A scanned identity photo"), (
            _l("You upload it with your application."),
        ), AMELI, icon="photo"),
        Step("online-id", _l("A scanned identity document"), (
            _l("You upload it too. Then send your application."),
        ), icon="id"),
    ), route="online"),
    Group("post", _l("Apply by post"), _l("You get the form “Ma nouvelle carte Vitale” when you "
                                         "register with your caisse."), (
        Step("post-check", _l("Check the information printed on the form"), (
            _l("Make sure it is all correct."),
        ), icon="form"),
        Step("post-photo", _l("Stick a colour identity photo on the form"), (
            _l("There is a space for it."),
        ), icon="photo"),
        Step("post-id-copy", _l("Add a photocopy of your identity document"), (), icon="copy"),
        Step("post-send", _l("Send it in the return envelope"), (
            _l("The envelope is not prepaid: put a stamp on it."),
            _l("It goes to your caisse. If you do not know your caisse, ask a CPAM near you."),
        ), icon="envelope"),
    ), route="post"),
    Group("after", _l("After you apply"), None, (
        Step("wait", _l("Wait for your card"), (
            _l("It takes about 2 weeks if you applied online, about 3 weeks by post."),
        ), Link("pages.dates", _l("Work out when your card should come")), icon="clock"),
        Step("check-card", _l("Check the information on your card"), (
            _l("Look at your name and your number."),
            _l("Tell your caisse what is wrong. The Assurance Maladie phone number is 3646."),
        ), icon="card"),
    )),
    Group("using", _l("Good to know"), None, (
        Step("take-card", _l("Take your card to every medical appointment"), (
            _l("Show it at the doctor and at the pharmacy. You are paid back in about a week, "
               "straight into your bank account."),
        ), tick=False),
        Step("feuille-de-soins", _l("If your card cannot be read, post the paper form"), (
            _l("Sometimes a doctor or another health worker cannot read the card. Then you get a paper "
               "form called a “feuille de soins”. Post it to your caisse."),
            _l("Being paid back can then take up to a month."),
            _l("Send it within 2 years. The 2 years start on the first day of the quarter after the "
               "care."),
        ), Link("pages.dates", _l("Keep track of the forms you posted")), tick=False),
        Step("css", _l("Little or no income? The CSS"), (
            _l("The “Complémentaire santé solidaire” (CSS) is the state’s complementary health "
               "insurance. It is for people covered by the Assurance Maladie whose income is under a "
               "ceiling. It is free, or costs less than €1 a day."),
        ), AMELI, tick=False),
        Step("new-rib", _l("New bank? Send your new RIB"), (
            _l("Send your new bank details (RIB, “relevé d’identité bancaire”) to your caisse, "
               "online on ameli or by post."),
            _l("By post, add a copy of an identity document and write your name and social "
               "security number."),
        ), tick=False),
        Step("children", _l("Children aged 12 and over can have their own card"), (
            _l("A parent applies for it from their ameli account."),
        ), tick=False),
        Step("vitale-app", _l("The carte Vitale app"), (
            _l("Since 18 November 2025 everyone can also have the card on their phone."),
            _l("You need your plastic card, an identity document, a smartphone (Android 9 or newer, "
               "iPhone with iOS 16 or newer) and an ameli account. You must be 16 or 18, depending "
               "on your insurance."),
        ), tick=False),
    )),
)

HELP: tuple[Contact, ...] = (
    Contact("comede", _l("Comede"), (
        _l("Helps exiles and refugees get health care and do the paperwork."),
        _l("Free. By phone, with an interpreter in any language."),
    ), setting="COMEDE_PHONE", kind="phone"),
    Contact("pimms", _l("PIMMS Médiation"), (
        _l("Help with paperwork and public services, including health care."),
        _l("Free. Mostly in French. Their directory lists the offices near you."),
    ), setting="PIMMS_DIRECTORY_URL", kind="url"),
    Contact("social-workers", _l("A social worker"), (
        _l("In French: “travailleur social” or “assistant social”. They help you with paperwork "
           "and find solutions with you."),
        _l("Free, by appointment. Mostly in French."),
    ), setting="LOCAL_HELP", kind="text"),
    Contact("assurance-maladie", _l("Assurance Maladie: 3646"), (
        _l("The phone line of the state health insurance. The service is free; you pay the price "
           "of the call."),
        _l("Monday to Friday. Opening hours depend on the département."),
    ), kind="phone", value="3646", link=AMELI),
)


def step_ids() -> list[str]:
    """Every tickable step id, in checklist order (both routes)."""
    return [step.id for group in CHECKLIST for step in group.to_do]


def route_of(saved: object) -> str | None:
    """The way to apply a person chose, or None (also for a damaged value)."""
    return saved if isinstance(saved, str) and saved in ROUTES else None


def shown_groups(route: str | None) -> list[Group]:
    """The groups whose steps count for a person: the shared ones and their route's."""
    return [group for group in CHECKLIST if group.route is None or group.route == route]


def progress(done: set[str], route: str | None) -> tuple[int, int]:
    """How many of the person's tickable steps are done, and how many there are."""
    ids = [step.id for group in shown_groups(route) for step in group.to_do]
    return len(done & set(ids)), len(ids)


def unset_contacts(contacts: list[tuple[Contact, str]]) -> list[Contact]:
    """The contacts whose deployer setting is empty, to name together in one line."""
    return [contact for contact, value in contacts if contact.setting and not value]


def contact_value(contact: Contact, config: Mapping) -> str:
    """A contact's known value or the deployer's ('' when unset or, for a URL, not http(s))."""
    value = contact.value or (str(config.get(contact.setting) or "").strip() if contact.setting else "")
    if contact.kind == "url" and not value.startswith(("https://", "http://")):
        return ""
    return value


def tel_href(phone: str) -> str:
    """A `tel:` link for a phone number as a person would write it (spaces, dots, dashes)."""
    return "tel:" + "".join(ch for ch in phone if ch.isdigit() or ch == "+")
