"""Prints what the PWA costs, measured in Chromium: bytes of a first visit, of a repeat visit, offline load time.

Usage: .venv/bin/python bench/pwa_weight.py [--lang fr] [--runs 5]
Without --lang: the first visit in each of the languages (a fresh browser profile each), then a table of them.
It serves the app on loopback (werkzeug, temporary database) and drives Chromium through Playwright.
Budget (issue 2): a first visit transfers at most 35 KB compressed (HTML, CSS, JS, manifest); a repeat
visit transfers 0 bytes (the browser also re-checks /sw.js now and then, a 304 with no body; the
server-side count below shows when it does). The service worker precaches the pages of the language in use only;
another language's pages are fetched and cached when one of them is first opened. Budget (issue 10): the
checklist's pictograms weigh at most 4 KB compressed. Budget (issue 12): every language's first visit is within
35 KB, and its precache holds no page of another language. Figures only: nothing here asserts.
"""
from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Error as PlaywrightError  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from webapp.app import create_app  # noqa: E402
from webapp.i18n import LANGUAGES  # noqa: E402
from webapp.store import connect  # noqa: E402
from webapp.store.migrations import apply  # noqa: E402

BUDGET = 35 * 1024
PICTOGRAM_BUDGET = 4 * 1024
CHROMIUM = [os.environ.get("CHROMIUM", ""), "/usr/lib/chromium/chromium", "/usr/bin/chromium"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
KINDS = {"text/html": "HTML", "text/css": "CSS", "text/javascript": "JS", "application/javascript": "JS",
         "application/manifest+json": "manifest", "image/png": "icons"}
WAIT_FOR_CONTROL = """() => navigator.serviceWorker.controller || new Promise(resolve =>
    navigator.serviceWorker.addEventListener('controllerchange', resolve))"""
CACHED_PATHS = """async () => {
    const names = await caches.keys();
    return names.length ? (await (await caches.open(names[0])).keys()).map(r => new URL(r.url).pathname) : [];
}"""


class Recorder:
    """Every request the browser context finishes, with the bytes that really crossed the network."""

    def __init__(self, context) -> None:
        self.rows: list[dict] = []
        context.on("requestfinished", self.add)

    def add(self, request) -> None:
        try:
            self.measure(request)
        except PlaywrightError:  # its page went away before Playwright answered: say so, do not guess
            self.rows.append({"url": request.url, "kind": "unmeasured", "body": 0, "headers": 0,
                              "by_worker": False})

    def measure(self, request) -> None:
        response = request.response()
        sizes = request.sizes()
        if response is None or response.from_service_worker or sizes["responseBodySize"] < 0:
            body = headers = 0  # answered by the service worker or the HTTP cache: no network
        else:
            # Our server always sends Content-Length: the compressed body on the wire.
            body = int(response.header_value("content-length") or sizes["responseBodySize"])
            headers = sizes["responseHeadersSize"]
        kind = KINDS.get((response.header_value("content-type") or "").split(";")[0] if response else "", "other")
        self.rows.append({"url": request.url, "kind": kind, "body": body, "headers": headers,
                          "by_worker": request.service_worker is not None})

    def take(self) -> list[dict]:
        rows, self.rows = self.rows, []
        return rows


def serve(database: Path, seen: list[str]):
    """The app on a loopback port; `seen` gets the path of every request the server answers."""
    app = create_app({"DATABASE": str(database), "SECRET_KEY": "bench", "SMS_BACKEND": "outbox"})
    db = connect(app.config["DATABASE"])
    apply(db)
    db.close()
    wsgi = app.wsgi_app

    def counting(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return wsgi(environ, start_response)

    app.wsgi_app = counting
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def settle(page, seconds: float = 0.5) -> None:
    """Let Playwright deliver the events of requests that already finished."""
    page.wait_for_timeout(seconds * 1000)


def report(title: str, rows: list[dict], base: str) -> int:
    """Print what crossed the network; return the HTML+CSS+JS+manifest bytes (the budgeted part)."""
    by_kind: dict[str, int] = defaultdict(int)
    for row in rows:
        by_kind[row["kind"]] += row["body"]
    network = [row for row in rows if row["body"] or row["headers"]]
    unmeasured = [row["url"].removeprefix(base) for row in rows if row["kind"] == "unmeasured"]
    text = sum(by_kind[kind] for kind in ("HTML", "CSS", "JS", "manifest"))
    print(f"\n{title}")
    print(f"  requests over the network: {len(network)} (of {len(rows)})")
    if unmeasured:
        print(f"  NOT MEASURED (page closed first): {unmeasured}")
    for row in network:
        who = "service worker" if row["by_worker"] else "page"
        print(f"    {row['body']:>7} B  {row['kind']:<8} {who:<14} {row['url'].removeprefix(base)}")
    for kind in ("HTML", "CSS", "JS", "manifest", "icons", "other"):
        if by_kind[kind]:
            print(f"  {kind:<9} {by_kind[kind]:>7} B")
    verdict = "within" if text <= BUDGET else "OVER"
    print(f"  HTML+CSS+JS+manifest (compressed bodies): {text} B = {text / 1024:.1f} KB "
          f"({verdict} the {BUDGET // 1024} KB budget)")
    print(f"  total with icons: {sum(by_kind.values())} B = {sum(by_kind.values()) / 1024:.1f} KB; "
          f"response headers: {sum(row['headers'] for row in rows)} B")
    return text


def first_visit(browser, base: str, lang: str) -> dict:
    """A first visit to /<lang>/ in a fresh profile, until the service worker controls the page and has precached."""
    context = browser.new_context()
    recorder = Recorder(context)
    page = context.new_page()
    page.goto(f"{base}/{lang}/")
    page.evaluate(WAIT_FOR_CONTROL)
    settle(page)
    text = report(f"First visit to /{lang}/ (page + service worker precaching its language)", recorder.take(), base)
    cached = page.evaluate(CACHED_PATHS)
    others = sorted({path.split("/")[1] for path in cached} & (set(LANGUAGES) - {lang}))
    print(f"  precached entries: {len(cached)}; pages of other languages precached: {others or 'none'}")
    return {"context": context, "recorder": recorder, "bytes": text, "others": others}


def summary(visits: dict[str, dict]) -> None:
    """One line a language: its first visit's budgeted bytes and whether another language was precached."""
    print("\nFirst visit by language (HTML+CSS+JS+manifest, compressed):")
    for lang, visit in visits.items():
        verdict = "within" if visit["bytes"] <= BUDGET else "OVER"
        precached = "other languages precached: " + " ".join(visit["others"]) if visit["others"] else "own pages only"
        print(f"  {lang:<3} {LANGUAGES[lang]:<12} {visit['bytes']:>6} B = {visit['bytes'] / 1024:4.1f} KB  "
              f"{verdict} {BUDGET // 1024} KB; {precached}")


def pictograms(url: str) -> None:
    """The compressed weight of the checklist's pictograms: their <symbol>s and every <svg><use> that draws one."""
    html = urllib.request.urlopen(url).read().decode()
    symbols = re.search(r'<svg class="pictograms".*?</svg>', html, re.S).group(0)
    uses = re.findall(r'<svg class="pic".*?</svg>', html, re.S)
    alone = len(gzip.compress(symbols.encode(), 9))
    drawn = len(gzip.compress((symbols + "".join(uses)).encode(), 9))
    # What they add to the page as served: the page's gzip with and without them.
    bare = html.replace(symbols, "")
    for use in set(uses):
        bare = bare.replace(use, "")
    added = len(gzip.compress(html.encode(), 6)) - len(gzip.compress(bare.encode(), 6))
    verdict = "within" if max(alone, drawn) <= PICTOGRAM_BUDGET else "OVER"
    print(f"\nPictograms of the checklist: {symbols.count('<symbol')} symbols, drawn {len(uses)} times; "
          f"gzip alone {alone} B, with the uses {drawn} B, added to the page {added} B "
          f"({verdict} the {PICTOGRAM_BUDGET // 1024} KB budget)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=list(LANGUAGES), help="one language only (default: each in turn)")
    parser.add_argument("--runs", type=int, default=5, help="offline repeat visits to time")
    options = parser.parse_args()
    chromium = next((path for path in CHROMIUM if path and os.access(path, os.X_OK)), None)
    if chromium is None:
        sys.exit("No Chromium found: set CHROMIUM or install Debian's chromium.")

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        seen: list[str] = []
        server, base = serve(Path(tmp) / "bench.sqlite3", seen)
        browser = playwright.chromium.launch(executable_path=chromium, args=ARGS)
        langs = [options.lang] if options.lang else list(LANGUAGES)
        visits = {lang: first_visit(browser, base, lang) for lang in langs}
        for visit in list(visits.values())[1:]:
            visit["context"].close()
        summary(visits)
        # The repeat and offline visits: in the first language's profile.
        lang = langs[0]
        context, recorder = visits[lang]["context"], visits[lang]["recorder"]
        home = f"{base}/{lang}/"
        pictograms(home)

        other = "en" if lang != "en" else "fr"
        seen.clear()
        for path in (f"/{lang}/", f"/{other}/dates"):
            again = context.new_page()
            again.goto(base + path)
            settle(again)
        report(f"Repeat visits, server up (/{lang}/, then /{other}/dates: the first page of another "
               f"language, cached with its language's pages)", recorder.take(), base)
        # The browser's own service-worker update check is invisible to request events: count it here.
        print(f"  requests the server saw: {len(seen)} {seen}")

        server.shutdown()
        server.server_close()
        timings = []
        for _ in range(options.runs):
            offline = context.new_page()
            started = time.perf_counter()
            offline.goto(home, wait_until="load")
            timings.append((time.perf_counter() - started) * 1000)
            assert offline.locator("form[data-enhance=checklist]").count() == 1, "the offline page is not the checklist"
        settle(offline)
        rows = recorder.take()
        print(f"\nOffline repeat visit (server stopped), {options.runs} runs: "
              f"median {statistics.median(timings):.0f} ms, min {min(timings):.0f} ms, max {max(timings):.0f} ms; "
              f"network bytes: {sum(row['body'] + row['headers'] for row in rows)}")
        context.close()
        browser.close()


if __name__ == "__main__":
    main()
