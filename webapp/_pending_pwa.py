"""TEMPORARY stand-ins for the PWA engineer's `asset_url` and `pwa.manifest`, only where missing."""
from __future__ import annotations

from flask import Blueprint, Flask, url_for


def init_app(app: Flask) -> None:
    """Register the stand-ins only when the real ones are absent."""
    if "asset_url" not in app.jinja_env.globals:
        app.jinja_env.globals["asset_url"] = lambda path: url_for("static", filename=path)
    if "pwa" not in app.blueprints:
        bp = Blueprint("pwa", __name__)
        bp.add_url_rule("/<lang>/manifest.webmanifest", "manifest", lambda lang: ("{}", 200,
                        {"Content-Type": "application/manifest+json"}))
        app.register_blueprint(bp)
