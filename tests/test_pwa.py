"""PWA plumbing over HTTP: hashed assets cached a year, gzip, the manifests, the generated service worker."""
from __future__ import annotations

import gzip
import json
import re
import struct

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from webapp import assets
from webapp.i18n import LANGUAGES

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
BUDGET_BYTES = 35 * 1024  # a first visit, compressed: the shell in its language, CSS, JS, manifest, sw.js


def asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def shell(client) -> dict:
    text = client.get("/sw.js").get_data(as_text=True)
    return json.loads(re.search(r"^var SHELL = (.*);$", text, re.M).group(1))


def test_pages_link_hashed_assets_served_immutable(client):
    urls = asset_urls(client.get("/en/").get_data(as_text=True))
    assert {re.sub(r"\?.*", "", url) for url in urls} >= {"/static/css/app.css", "/static/js/app.js",
                                                           "/static/icons/icon-192.png"}
    for url in urls:
        assert re.search(r"\?v=[0-9a-f]{12}$", url)
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("url", ["/static/js/app.js", "/static/js/app.js?v=000000000000"])
def test_unhashed_or_stale_asset_urls_are_revalidated(client, url):
    assert client.get(url).headers["Cache-Control"] == "no-cache"


def test_asset_hash_follows_the_file_contents(tmp_path):
    path = tmp_path / "app.js"
    path.write_text("one")
    first = assets.file_hash(path)
    path.write_text("two!")
    assert assets.file_hash(path) != first


@pytest.mark.parametrize("url", ["/en/", "/fr/number", "/sw.js", "/en/manifest.webmanifest",
                                 "/static/js/app.js", "/static/css/app.css"])
def test_text_is_gzipped_when_accepted(client, url):
    plain = client.get(url)
    packed = client.get(url, headers=GZIP)
    assert "gzip" not in plain.headers.get("Content-Encoding", "")
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data)
    assert gzip.decompress(packed.data) == plain.data


def test_gzip_refused_with_q0_and_images_left_alone(client):
    assert "Content-Encoding" not in client.get("/en/", headers={"Accept-Encoding": "gzip;q=0"}).headers
    icon = client.get("/static/icons/icon-512.png", headers=GZIP)
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers


@pytest.mark.parametrize("url", ["/static/js/app.js", "/sw.js", "/fr/manifest.webmanifest"])
def test_compressed_responses_revalidate_to_304(client, url):
    first = client.get(url, headers=GZIP)
    again = client.get(url, headers=dict(GZIP, **{"If-None-Match": first.headers["ETag"]}))
    assert again.status_code == 304 and again.data == b""
    plain = client.get(url)
    assert plain.headers["ETag"] != first.headers["ETag"]  # gzip and plain bodies never share a validator


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_manifest(client, app, lang):
    response = client.get(f"/{lang}/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json(force=True)
    page = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'href="/{lang}/manifest.webmanifest"' in page
    with app.test_request_context(), force_locale(lang):
        assert manifest["name"] == _("Carte Vitale step by step")
    assert manifest["lang"] == lang and manifest["short_name"]
    assert manifest["start_url"] == f"/{lang}/" and manifest["start_url"].startswith(manifest["scope"])
    assert manifest["display"] == "standalone"
    assert f'<meta name="theme-color" content="{manifest["theme_color"]}">' in page
    assert manifest["background_color"]
    icons = {(icon["sizes"], icon["purpose"]): icon for icon in manifest["icons"]}
    assert set(icons) == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for (sizes, _purpose), icon in icons.items():
        png = client.get(icon["src"]).data
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and icon["type"] == "image/png"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == sizes


def test_manifest_names_differ_by_language(client):
    names = {client.get(f"/{lang}/manifest.webmanifest").get_json(force=True)["name"] for lang in LANGUAGES}
    assert len(names) == len(LANGUAGES)


def test_service_worker_script(client, app):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    config = shell(client)
    pages = {rule.rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("pages.") and "GET" in rule.methods}
    expected = {re.sub(r"<[^>]*lang>", lang, rule) for rule in pages for lang in LANGUAGES}
    assert len(expected) >= 4 * len(LANGUAGES)
    pages_by_language = config["pages"]
    assert set(pages_by_language) == set(LANGUAGES)
    for lang, urls in pages_by_language.items():  # each language's pages and manifest, and only those
        assert all(url.startswith(f"/{lang}/") for url in urls)
        assert f"/{lang}/manifest.webmanifest" in urls
    every_page = [url for urls in pages_by_language.values() for url in urls]
    assert expected <= set(every_page)
    for lang in LANGUAGES:  # every asset a page links to is precached, at its hashed URL
        for url in asset_urls(client.get(f"/{lang}/dates").get_data(as_text=True)):
            assert url in config["assets"]
    for url in every_page + config["assets"]:  # addAll() fails on anything but a 200
        assert client.get(url).status_code == 200, url
    assert config["cache"].startswith(config["prefix"])


@pytest.mark.parametrize(("path", "parts"), [("/", ["checklist.js"]), ("/dates", ["dates.js"]),
                                              ("/number", ["nir.js"]), ("/help", [])])
def test_each_page_loads_app_js_then_only_its_own_parts_all_precached(client, path, parts):
    config = shell(client)
    for lang in LANGUAGES:
        html = client.get(f"/{lang}{path}").get_data(as_text=True)
        scripts = re.findall(r'<script src="(/static/js/[^"?]+)\?v=[0-9a-f]+"[^>]*\bdefer\b', html)
        # defer keeps this order; sync.js (the offline queue) on every page: a language switch is a change
        assert scripts == ["/static/js/app.js", "/static/js/sync.js"] + [f"/static/js/{part}" for part in parts]
        for url in asset_urls(html):  # offline, the page finds every script in the cache
            assert url in config["assets"]


def test_cache_name_is_stable_across_sessions_and_changes_with_what_pages_show(app, client):
    name = shell(client)["cache"]
    other_visitor = app.test_client()
    other_visitor.get("/en/")  # another session, another CSRF token: same shell
    assert shell(other_visitor)["cache"] == name
    app.config["COMEDE_PHONE"] = "01 23 45 67 89"
    assert shell(client)["cache"] != name


@pytest.mark.parametrize("lang", LANGUAGES)
def test_first_visit_fits_the_budget(client, lang):
    """Everything the first visit downloads except icons: the page, sw.js and the precache (its language)."""
    config = shell(client)
    pages = config["pages"][lang]
    urls = ["/sw.js"] + pages + [url for url in config["assets"] if ".png?" not in url]
    assert f"/{lang}/" in pages
    total = sum(len(client.get(url, headers=GZIP).data) for url in urls)
    # The page that was opened, fetched again by the service worker: revalidated with its ETag, a body-less 304.
    opened = client.get(f"/{lang}/", headers=GZIP)
    again = client.get(f"/{lang}/", headers=dict(GZIP, **{"If-None-Match": opened.headers["ETag"]}))
    assert again.status_code == 304
    total += len(again.data)
    assert total <= BUDGET_BYTES, f"{total} bytes"


@pytest.mark.parametrize("path", ["/", "/dates", "/number", "/help"])
def test_scripts_are_files_or_json_and_js_strings_are_translated(client, path):
    blocks = {}
    for lang in LANGUAGES:
        html = client.get(f"/{lang}{path}").get_data(as_text=True)
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S):
            assert ' src="' in attributes or 'type="application/json"' in attributes  # CSP: no inline code
            if "data-text" in attributes:
                blocks[lang] = json.loads(body)
    if not blocks:
        return
    assert set(blocks) == set(LANGUAGES)

    def strings(value):
        return [s for v in value.values() for s in strings(v)] if isinstance(value, dict) else [value]

    french, english = strings(blocks["fr"]), strings(blocks["en"])
    assert len(french) == len(english) and all(french) and all(english)
    assert [(fr, en) for fr, en in zip(french, english, strict=True) if fr == en] == []
