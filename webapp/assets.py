"""Content-hashed static URLs (cached for a year) and gzip for every text response."""
from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path

from flask import Flask, Response, current_app, request, url_for

IMMUTABLE = "public, max-age=31536000, immutable"
# What is worth compressing; images (PNG) are compressed already.
TEXT_TYPES = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
              "application/manifest+json", "image/svg+xml", "text/plain"}
MIN_GZIP_BYTES = 256  # below this gzip's header outweighs the saving
_hashes: dict[Path, tuple[tuple[int, int], str]] = {}


def file_hash(path: Path) -> str:
    """A short hash of a file's bytes (recomputed only when its size or mtime changes)."""
    stat = path.stat()
    key = (stat.st_size, stat.st_mtime_ns)
    cached = _hashes.get(path)
    if cached and cached[0] == key:
        return cached[1]
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _hashes[path] = (key, digest)
    return digest


def static_path(filename: str) -> Path:
    """The file behind a static filename, refusing anything outside the static folder."""
    return _resolved(current_app.static_folder, filename)


# Every page asks for the same few files: where they are is looked up once. Their hash is still
# checked against the file on each call (file_hash), so an edit under `make run` shows at once.
@functools.lru_cache(maxsize=256)
def _resolved(folder: str, filename: str) -> Path:
    root = Path(folder).resolve()
    path = (root / filename).resolve()
    if root not in path.parents or not path.is_file():
        raise FileNotFoundError(filename)
    return path


def asset_url(filename: str) -> str:
    """The static file's URL carrying its content hash (`/static/js/app.js?v=<hash>`)."""
    return url_for("static", filename=filename, v=file_hash(static_path(filename)))


def cache_static(response: Response) -> Response:
    """Hashed static URLs are immutable for a year; anything else static is revalidated each time."""
    if request.endpoint != "static" or response.status_code != 200:
        return response
    filename = (request.view_args or {}).get("filename", "")
    try:
        current = file_hash(static_path(filename))
    except FileNotFoundError:
        return response
    response.headers["Cache-Control"] = IMMUTABLE if request.args.get("v") == current else "no-cache"
    return response


def compress(response: Response) -> Response:
    """Gzip a text response when the browser accepts it; always say the body varies by encoding."""
    if response.mimetype not in TEXT_TYPES:
        return response
    response.vary.add("Accept-Encoding")
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or request.accept_encodings.quality("gzip") <= 0 or request.method == "HEAD"
            or (response.is_streamed and not response.direct_passthrough)):
        return response
    # Static files are streamed from disk; read them so they can be compressed.
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_GZIP_BYTES:
        return response
    etag, weak = response.get_etag()
    response.set_data(gzip.compress(data, compresslevel=9, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    if etag:
        # A different body needs a different validator; then answer a matching one with 304.
        response.set_etag(f"{etag}-gzip", weak=weak)
        response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Add `asset_url()` to templates and the caching and compression hooks to every response."""
    app.jinja_env.globals["asset_url"] = asset_url
    app.after_request(compress)
    app.after_request(cache_static)  # after_request hooks run last-registered first
