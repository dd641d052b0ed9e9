"""The HTML pages: every route in both languages parses strictly; languages, ticks without JS, CSRF, errors."""
from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.advice_cases import CASES
from tests.strict_html import CheckedClient, check_page, text_of
from tests.test_advice_pages import enter
from webapp import content
from webapp.i18n import LANGUAGES
from webapp.security import CSP
from webapp.store import heartbeats, utcnow

PAGES = ["/{}/", "/{}/help", "/{}/number", "/{}/dates"]


def get_routes(app) -> list[str]:
    """Every GET URL of the app that needs no argument but a language, in every language."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if not rule.arguments:
            urls.append(rule.build({})[1])
        elif rule.arguments == {"lang"}:
            urls += [rule.build({"lang": lang})[1] for lang in LANGUAGES]
    return urls


def test_every_get_route_in_every_language_answers_and_parses(app, pages, db):
    heartbeats.beat(db, "scheduler", utcnow())  # a pass just ran: /healthz answers 200, as when all is well
    urls = get_routes(app)
    for page in PAGES:  # the walk must at least find our pages
        assert {page.format(lang) for lang in LANGUAGES} <= set(urls)
    for url in urls:
        response = pages.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200 and response.tree is not None:
            lang = url.strip("/").split("/")[0]
            if lang in LANGUAGES:
                assert response.tree.get("lang") == lang, url


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_switcher_to_the_same_page_in_the_other_language(pages, lang, page):
    tree = pages.get(page.format(lang)).tree
    switch = {a.get("hreflang"): a.get("href") for a in tree.iter("a") if a.get("data-switch-lang")}
    assert switch == {other: page.format(other) for other in LANGUAGES if other != lang}


@pytest.mark.parametrize("accept, lang", [
    ("en-GB,en;q=0.9", "en"), ("fr-FR,fr;q=0.9,en;q=0.5", "fr"), (None, "fr"), ("de,en;q=0.7,fr;q=0.3", "en"),
    ("ar,ps;q=0.8", "ar"), ("ar-MA,fr;q=0.5", "ar"), ("ar-EG", "ar"), ("ar-SY,ar;q=0.9,en;q=0.5", "ar"),
    ("fa-AF,fa;q=0.9,en;q=0.5", "fa"), ("prs", "fa"), ("prs-AF,en;q=0.3", "fa"), ("fa-IR", "fa"),
    ("ps-AF", "ps"), ("ps", "ps"), ("pbt,en;q=0.5", "ps"),
    ("ti-ER", "ti"), ("ti-ET,ti;q=0.9", "ti"), ("ru-RU,ru;q=0.9", "ru"), ("ru-UA", "ru"),
    ("uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
    # q-values decide, not the order written
    ("ru;q=0.4,uk;q=0.9", "uk"), ("en;q=0.5,fa-AF", "fa"), ("ar;q=0.2,fr;q=0.8", "fr"), ("en;q=0,ar", "ar"),
    # none of ours: French
    ("de-DE,de;q=0.9", "fr"), ("tr,ln;q=0.8", "fr"), ("*", "fr"), ("zz", "fr"),
])
def test_root_redirects_by_accept_language_french_by_default(client, accept, lang):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/{lang}/"
    assert "Accept-Language" in response.headers["Vary"]


def test_unknown_language_prefix_is_not_found(pages):
    assert pages.get("/de/").status_code == 404


def test_checklist_lists_every_step_as_a_labelled_checkbox_in_a_post_form(pages):
    tree = pages.get("/en/").tree
    form = tree.find(".//form[@data-enhance='checklist']")
    assert form.get("method") == "post" and form.get("action") == "/en/"
    boxes = [i for i in form.iter("input") if i.get("type") == "checkbox"]
    assert [b.get("value") for b in boxes] == content.step_ids()
    assert content.step_ids() == ["registered", "final-number", "online-photo", "online-id", "post-check",
                                  "post-photo", "post-id-copy", "post-send", "wait", "check-card"]
    assert all(b.get("name") == "done" for b in boxes)
    assert form.find(".//button[@type='submit']") is not None
    labels = {label.get("for"): text_of(label) for label in form.iter("label")}
    assert labels["step-final-number"] == "Get your final social security number"


def test_step_ids_are_unique_and_stable_slugs():
    ids = content.step_ids()
    assert len(ids) == len(set(ids))
    assert all(i == i.lower() and " " not in i for i in ids)
    for must in ("registered", "final-number", "online-photo", "post-send", "wait"):
        assert must in ids
    # Information is good to know, not a step: it has no checkbox (issue 10).
    known = [step.id for group in content.CHECKLIST for step in group.to_know]
    assert known == ["ame", "take-card", "feuille-de-soins", "css", "new-rib", "children", "vitale-app"]
    assert not set(known) & set(ids)


def checked(tree) -> set[str]:
    return {i.get("value") for i in tree.iter("input") if i.get("type") == "checkbox" and "checked" in i.attrib}


def test_no_js_tick_is_post_redirect_get_and_kept_in_the_session(pages):
    token = pages.csrf("/fr/")
    assert checked(pages.get("/fr/").tree) == set()
    response = pages.post("/fr/", data={"csrf_token": token, "done": ["registered", "wait", "not-a-step"]})
    assert response.status_code == 303 and response.headers["Location"] == "/fr/"
    page = pages.get("/fr/")
    assert checked(page.tree) == {"registered", "wait"}
    assert "Enregistré sur ce téléphone." in text_of(page.tree)
    # Unticking is the same form without that box.
    pages.post("/fr/", data={"csrf_token": token, "done": ["registered"]})
    assert checked(pages.get("/fr/").tree) == {"registered"}
    # The ticks belong to the person, not the language.
    assert checked(pages.get("/en/").tree) == {"registered"}


def test_no_js_tick_over_real_http_with_a_cookie_jar(live_server):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    tree = check_page(opener.open(live_server.url + "/en/").read().decode())
    token = next(i.get("value") for i in tree.iter("input") if i.get("name") == "csrf_token")
    body = urllib.parse.urlencode({"csrf_token": token, "done": "online-id"}).encode()
    response = opener.open(live_server.url + "/en/", data=body)  # follows the 303 with a GET
    assert response.url == live_server.url + "/en/"
    assert checked(check_page(response.read().decode())) == {"online-id"}


@pytest.mark.parametrize("token", [None, "", "forged"])
def test_post_without_the_right_csrf_token_is_refused_and_changes_nothing(pages, token):
    pages.csrf("/fr/")  # the session has a token; the form below does not carry it
    data = {"done": ["registered"]} | ({"csrf_token": token} if token is not None else {})
    response = pages.post("/fr/", data=data)
    assert response.status_code == 400
    assert response.tree.get("lang") == "fr"
    assert "Il y a eu un problème avec le formulaire" in text_of(response.tree)
    assert checked(pages.get("/fr/").tree) == set()


def test_post_with_no_session_at_all_is_refused(client):
    response = CheckedClient(client).post("/en/dates", data={"csrf_token": "x", "action": "clear-application"})
    assert response.status_code == 400


def test_oversize_post_is_refused(pages):
    token = pages.csrf("/en/")
    response = pages.post("/en/", data={"csrf_token": token, "done": "x" * 20_000})
    assert response.status_code == 413
    assert "What you sent is too big" in text_of(response.tree)


@pytest.mark.parametrize("url, lang, title", [
    ("/fr/nothing-here", "fr", "Page introuvable"),
    ("/en/nothing-here", "en", "Page not found"),
])
def test_not_found_page_in_the_language_of_the_url(pages, url, lang, title):
    response = pages.get(url)
    assert response.status_code == 404
    assert response.tree.get("lang") == lang
    assert text_of(response.tree.find(".//h1")) == title


@pytest.mark.parametrize("accept, title", [("en", "Page not found"), ("fr", "Page introuvable")])
def test_not_found_outside_a_language_follows_the_browser(pages, accept, title):
    response = pages.get("/nothing-here", headers={"Accept-Language": accept})
    assert text_of(response.tree.find(".//h1")) == title


def test_method_not_allowed_page_keeps_the_allow_header(pages):
    response = pages.open("/en/help", method="DELETE")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_server_error_page_is_ours_and_in_the_language(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/<any({}):lang>/boom".format(", ".join(LANGUAGES)))  # the switcher links every language
    def boom(lang):
        raise RuntimeError("boom")

    response = CheckedClient(app.test_client()).get("/en/boom")
    assert response.status_code == 500
    assert text_of(response.tree.find(".//h1")) == "Sorry, there is a problem with the service"
    assert response.headers["Content-Security-Policy"] == CSP


@pytest.mark.parametrize("url", ["/fr/", "/en/dates", "/fr/number", "/en/help", "/en/nothing", "/"])
def test_security_headers_on_pages_errors_and_redirects(client, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CSP
    assert "'unsafe-inline'" not in CSP and "frame-ancestors 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_csrf_token_is_stable_for_the_session_so_a_cached_page_still_posts(pages):
    assert pages.csrf("/fr/") == pages.csrf("/en/dates") == pages.csrf("/fr/")


def test_number_page_explains_digits_and_offers_a_mount_point_outside_any_form(pages):
    tree = pages.get("/en/number").tree
    mount = tree.find(".//div[@data-enhance='nir-check']")
    assert mount is not None and mount.find("noscript") is not None
    parents = {child: parent for parent in tree.iter() for child in parent}
    node = mount
    while node is not None:
        assert node.tag != "form"
        node = parents.get(node)
    page = text_of(tree)
    assert "1 for a man, 2 for a woman." in page
    assert "Corsica: 2A or 2B" in page
    assert "A temporary number (NIA" in page


@pytest.mark.parametrize(("lang", "line"), [
    ("en", "Contact details not set by this service yet: Comede, PIMMS Médiation, A social worker."),
    ("fr", "Coordonnées pas encore indiquées par ce service : Comede, PIMMS Médiation, Un travailleur social."),
])
def test_help_page_names_the_unset_deployer_contacts_in_one_line(pages, lang, line):
    tree = pages.get(f"/{lang}/help").tree
    unset = [p for p in tree.iter("p") if p.get("data-unset")]
    assert len(unset) == 1  # one line, not a grey box in each contact
    assert unset[0].get("data-unset").split() == ["COMEDE_PHONE", "PIMMS_DIRECTORY_URL", "LOCAL_HELP"]
    assert text_of(unset[0]) == line
    assert tree.find(".//a[@href='tel:3646']") is not None
    assert tree.find(".//a[@href='https://www.ameli.fr']") is not None


def test_help_page_shows_the_deployer_contacts_when_set(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"COMEDE_PHONE": "01 23 45 67 89",
                                   "PIMMS_DIRECTORY_URL": "https://pimms.example/annuaire",
                                   "LOCAL_HELP": "Maison des solidarités, mardi 9h-12h"})
    tree = CheckedClient(app.test_client()).get("/fr/help").tree
    assert tree.find(".//a[@href='tel:0123456789']") is not None
    assert tree.find(".//a[@href='https://pimms.example/annuaire']") is not None
    assert "Maison des solidarités, mardi 9h-12h" in text_of(tree)
    assert not [p for p in tree.iter("p") if p.get("data-unset")]


def test_a_directory_url_that_is_not_http_is_never_linked(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"PIMMS_DIRECTORY_URL": "javascript:alert(1)"})
    tree = CheckedClient(app.test_client()).get("/en/help").tree
    assert not [a for a in tree.iter("a") if "javascript" in (a.get("href") or "")]
    assert [p.get("data-unset") for p in tree.iter("p") if p.get("data-unset")] == [
        "COMEDE_PHONE PIMMS_DIRECTORY_URL LOCAL_HELP"]


def test_session_cookie_is_lasting_samesite_and_http_only(client):
    client.get("/en/")
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"
    assert cookie.expires is not None  # kept past the browser session (SESSION_DAYS)


def test_session_cookie_is_secure_behind_https(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"PUBLIC_BASE_URL": "https://cv.example.org"})
    client = app.test_client()
    client.get("/en/")
    assert client.get_cookie("session").secure


def test_pages_are_private_to_the_browser(client):
    assert client.get("/en/").headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in client.get("/en/").headers["Vary"]


def test_forbidden_page_is_ours(app):
    from flask import abort

    @app.get("/<any({}):lang>/private".format(", ".join(LANGUAGES)))  # the switcher links every language
    def private(lang):
        abort(403)

    response = CheckedClient(app.test_client()).get("/fr/private")
    assert response.status_code == 403
    assert text_of(response.tree.find(".//h1")) == "Vous ne pouvez pas ouvrir cette page"


@pytest.mark.parametrize("saved", [5, "registered", [{"a": 1}, "registered"], {"registered": True}])
def test_damaged_session_ticks_are_ignored(client, saved):
    with client.session_transaction() as session:
        session["done"] = saved
    tree = CheckedClient(client).get("/en/").tree
    assert checked(tree) <= {"registered"}


# ---- Issue 10: a checklist that reads as steps, and the content the sources give.

def route_groups(tree) -> dict[str, bool]:
    """Each route's group of steps: shown (True) or hidden."""
    return {fs.get("data-route"): "hidden" not in fs.attrib for fs in tree.iter("fieldset") if fs.get("data-route")}


def progress_text(tree) -> str:
    [node] = [p for p in tree.iter("p") if "data-progress" in p.attrib]
    assert node.get("aria-live") == "polite"
    return text_of(node)


def test_no_route_chosen_shows_the_choice_and_neither_routes_steps(pages):
    tree = pages.get("/en/").tree
    radios = [i for i in tree.iter("input") if i.get("name") == "route"]
    assert [(r.get("type"), r.get("value"), "checked" in r.attrib) for r in radios] == [
        ("radio", "online", False), ("radio", "post", False)]
    assert text_of(tree.find(".//fieldset[@id='route']/legend")) == "How will you apply?"
    assert route_groups(tree) == {"online": False, "post": False}
    assert progress_text(tree) == "0 of 4 steps done"


@pytest.mark.parametrize(("route", "shown", "count"), [
    ("online", {"online": True, "post": False}, "1 of 6 steps done"),
    ("post", {"online": False, "post": True}, "1 of 8 steps done"),
])
def test_no_js_route_choice_is_post_redirect_get_and_shows_only_that_route(pages, route, shown, count):
    token = pages.csrf("/en/")
    response = pages.post("/en/", data={"csrf_token": token, "route": route, "action": "route",
                                        "done": ["registered"]})
    assert response.status_code == 303 and response.headers["Location"] == "/en/#route"
    tree = pages.get("/en/").tree
    assert route_groups(tree) == shown
    assert [i.get("value") for i in tree.iter("input") if i.get("name") == "route" and "checked" in i.attrib] == [route]
    assert progress_text(tree) == count
    assert checked(tree) == {"registered"}


def test_a_tick_post_keeps_the_route_and_an_unknown_route_changes_nothing(pages):
    token = pages.csrf("/fr/")
    pages.post("/fr/", data={"csrf_token": token, "route": "post"})
    pages.post("/fr/", data={"csrf_token": token, "done": ["post-photo", "post-send", "online-id", "wait"]})
    pages.post("/fr/", data={"csrf_token": token, "route": "pigeon",
                             "done": ["post-photo", "post-send", "online-id", "wait"]})
    tree = pages.get("/fr/").tree
    assert route_groups(tree) == {"online": False, "post": True}
    # The other route's tick is kept (it comes back if the person changes their mind) but does not count.
    assert progress_text(tree) == "Étapes faites : 3 sur 8"
    assert checked(tree) == {"post-photo", "post-send", "online-id", "wait"}


@pytest.mark.parametrize("saved", [5, "", ["online"], "pigeon"])
def test_damaged_session_route_shows_the_choice(client, saved):
    with client.session_transaction() as session:
        session["route"] = saved
    tree = CheckedClient(client).get("/en/").tree
    assert route_groups(tree) == {"online": False, "post": False}


def test_good_to_know_items_have_a_title_and_no_checkbox(pages):
    tree = pages.get("/en/").tree
    facts = {li.get("id"): li for li in tree.iter("li") if "fact" in (li.get("class") or "").split()}
    assert list(facts) == ["know-ame", "know-take-card", "know-feuille-de-soins", "know-css", "know-new-rib",
                           "know-children", "know-vitale-app"]
    for fact in facts.values():  # a title to open (a native disclosure: no JavaScript needed), no checkbox
        assert fact.find(".//input") is None and fact.find("./details/summary") is not None
    assert text_of(facts["know-children"].find(".//summary")) == "Children aged 12 and over can have their own card"


def test_every_step_has_a_pictogram_defined_once_in_the_page(pages):
    tree = pages.get("/en/").tree
    svg = "{http://www.w3.org/2000/svg}"
    symbols = [s.get("id") for s in tree.iter(svg + "symbol")]
    assert symbols == [f"pic-{name}" for name in content.PICTOGRAMS]
    used = [u.get("href") for u in tree.iter(svg + "use")]
    assert set(used) == {f"#{s}" for s in symbols}  # each drawn at least once, none missing
    for step in (s for g in content.CHECKLIST for s in g.steps):
        assert step.icon in content.PICTOGRAMS
    drawings = list(tree.iter(svg + "svg"))
    assert len(drawings) == len(used) + 1 and all(d.get("aria-hidden") == "true" for d in drawings)


@pytest.mark.parametrize(("lang", "item", "says"), [
    ("en", "know-ame", "Without a regular status, you can get the “aide médicale de l’État” (AME) for your health "
                       "care if you have lived in France for more than 3 months and your income is under a ceiling."),
    ("en", "know-ame", "A carte Vitale needs a regular residence status and registration with the Assurance Maladie."),
    ("en", "know-css", "It is for people covered by the Assurance Maladie whose income is under a ceiling. "
                       "It is free, or costs less than €1 a day."),
    ("en", "know-feuille-de-soins", "Send it within 2 years. The 2 years start on the first day of the quarter "
                                    "after the care."),
    ("en", "group-before", "The carte Vitale is free. It is valid everywhere in France."),
    ("fr", "know-ame", "Sans titre de séjour régulier, vous pouvez avoir l’« aide médicale de l’État » (AME) pour "
                       "vos soins si vous vivez en France depuis plus de 3 mois et si vos revenus sont sous un "
                       "plafond."),
    ("fr", "know-css", "Elle est pour les personnes couvertes par l’Assurance Maladie dont les revenus sont sous un "
                       "plafond. Elle est gratuite, ou coûte moins de 1 € par jour."),
    ("fr", "know-feuille-de-soins", "Envoyez-la dans les 2 ans. Les 2 ans commencent le premier jour du trimestre "
                                    "qui suit les soins."),
    ("fr", "group-before", "La carte Vitale est gratuite. Elle est valable partout en France."),
])
def test_the_facts_the_sources_give_are_on_the_checklist(pages, lang, item, says):
    tree = pages.get(f"/{lang}/").tree
    node = next(el for el in tree.iter() if el.get("id") == item)
    assert says in text_of(node)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ameli_is_a_link_on_the_checklist(pages, lang):
    tree = pages.get(f"/{lang}/").tree
    links = [a for a in tree.iter("a") if a.get("href") == "https://www.ameli.fr"]
    assert len(links) == 2 and all(text_of(a).startswith("ameli.fr") for a in links)


def test_print_block_has_the_dates_and_the_contacts(app_config):
    from webapp.app import create_app

    app = create_app(app_config | {"COMEDE_PHONE": "01 23 45 67 89"})
    client = app.test_client()
    with client.session_transaction() as session:
        session["dates"] = {"method": "post", "sent_on": "2026-01-05", "claims": [{"id": 1, "posted_on": "2026-01-10"}]}
    tree = CheckedClient(client).get("/en/").tree
    block = tree.find(".//div[@class='print-only']")
    text = text_of(block)
    # The same advice as My dates (webapp.advice): long past its day, the card is late.
    assert ("You applied by post on January 5, 2026. Your card should have come around January 26, 2026. "
            "Not here yet? Call your caisse on 3646.") in text
    table = block.find(".//table")
    assert text_of(table.find("caption")) == "Paper forms I posted (feuilles de soins)"
    assert [[text_of(cell) for cell in row] for row in table.iter("tr")] == [
        ["Posted", "Paid back normally by"], ["January 10, 2026", "February 9, 2026 Overdue"]]  # overdue today
    assert "Check your bank account. Not paid back? Call your caisse on 3646." in text
    assert "Comede · 01 23 45 67 89" in text and "Assurance Maladie: 3646 · https://www.ameli.fr" in text


CALL_EN, CALL_FR = "Not here yet? Call your caisse on 3646.", "Pas encore arrivée ? Appelez votre caisse au 3646."
BANK_EN = "Check your bank account. Not paid back? Call your caisse on 3646."
BANK_FR = "Regardez votre compte en banque. Pas de remboursement ? Appelez votre caisse au 3646."
DUE_EN = "It should come these days. If it has not come by December 15, 2026, call your caisse."
DUE_FR = "Elle devrait arriver ces jours-ci. Si elle n’est pas arrivée le 15 décembre 2026, appelez votre caisse."
ONLINE_EN = "You applied online on November 24, 2026."
ONLINE_FR = "Vous avez fait la demande en ligne le 24 novembre 2026."
POST_EN = "You applied by post on November 10, 2026."
POST_FR = "Vous avez fait la demande par courrier le 10 novembre 2026."
ARRIVED_EN = "You applied by post on October 1, 2026. Your card arrived on October 20, 2026."
ARRIVED_FR = "Vous avez fait la demande par courrier le 1er octobre 2026. Votre carte est arrivée le 20 octobre 2026."
# What the print block says in each shared situation: (the card, the rows of the feuilles de soins, the line after).
PRINTED = {
    "nothing yet": {"en": ("No date saved yet.", [], None), "fr": ("Aucune date enregistrée.", [], None)},
    "card on its way": {
        "en": (f"{ONLINE_EN} Your card should come around December 8, 2026. 7 days left.", [], None),
        "fr": (f"{ONLINE_FR} Votre carte devrait arriver vers le 8 décembre 2026. Encore 7 jours.", [], None)},
    "card due today": {
        "en": (f"{ONLINE_EN} Your card should come around December 8, 2026. {DUE_EN}", [], None),
        "fr": (f"{ONLINE_FR} Votre carte devrait arriver vers le 8 décembre 2026. {DUE_FR}", [], None)},
    "card due 4 days ago": {
        "en": (f"{ONLINE_EN} Your card should come around December 8, 2026. {DUE_EN}", [], None),
        "fr": (f"{ONLINE_FR} Votre carte devrait arriver vers le 8 décembre 2026. {DUE_FR}", [], None)},
    "card late": {
        "en": (f"{POST_EN} Your card should have come around December 1, 2026. {CALL_EN}", [], None),
        "fr": (f"{POST_FR} Votre carte devait arriver vers le 1er décembre 2026. {CALL_FR}", [], None)},
    "card arrived": {
        "en": (f"{POST_EN} Your card arrived on November 30, 2026.", [], None),
        "fr": (f"{POST_FR} Votre carte est arrivée le 30 novembre 2026.", [], None)},
    "feuille waiting": {
        "en": (ARRIVED_EN, [["November 20, 2026", "December 20, 2026"]], None),
        "fr": (ARRIVED_FR, [["20 novembre 2026", "20 décembre 2026"]], None)},
    "feuille overdue": {
        "en": (ARRIVED_EN, [["October 27, 2026", "November 26, 2026 Overdue"]], BANK_EN),
        "fr": (ARRIVED_FR, [["27 octobre 2026", "26 novembre 2026 En retard"]], BANK_FR)},
    "feuille paid": {
        "en": (ARRIVED_EN, [["October 27, 2026", "November 26, 2026 Paid back on November 25, 2026."]], None),
        "fr": (ARRIVED_FR, [["27 octobre 2026", "26 novembre 2026 Remboursée le 25 novembre 2026."]], None)},
    "card late and feuille overdue": {
        "en": (f"{POST_EN} Your card should have come around December 1, 2026. {CALL_EN}",
               [["November 1, 2026", "December 1, 2026 Overdue"]], BANK_EN),
        "fr": (f"{POST_FR} Votre carte devait arriver vers le 1er décembre 2026. {CALL_FR}",
               [["1er novembre 2026", "1er décembre 2026 En retard"]], BANK_FR)},
}


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_print_block_gives_the_advice_of_my_dates(pages, monkeypatch, case, lang):
    enter(pages, monkeypatch, case, lang)
    section = pages.get(f"/{lang}/").tree.find(".//section[@aria-labelledby='print-dates']")
    card, rows, after = PRINTED[case.name][lang]
    paragraphs = [text_of(p) for p in section.findall("p")]
    assert paragraphs == [card] + ([after] if after else [])
    table = section.find("table")
    assert ([[text_of(cell) for cell in row] for row in table.find("tbody")] if rows else table) == (rows or None)
