"""Registers the web blueprints (pages, PWA plumbing, the JSON API, security headers)."""
from __future__ import annotations

from flask import Flask

from webapp import (
    api,
    api_leave,
    api_link,
    api_sync,
    assets,
    errors,
    health,
    leave_pages,
    link_pages,
    ops,
    pages,
    pwa,
    security,
)


def init_app(app: Flask) -> None:
    """Attach every web blueprint and hook to the app."""
    security.init_app(app)
    app.register_blueprint(pages.home)
    app.register_blueprint(pages.bp)
    app.context_processor(pages.template_context)
    errors.init_app(app)
    assets.init_app(app)
    app.register_blueprint(pwa.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_leave.bp)
    app.register_blueprint(api_link.bp)
    app.register_blueprint(link_pages.bp)
    app.register_blueprint(leave_pages.bp)
    app.register_blueprint(api_sync.bp)
    app.register_blueprint(health.bp)  # /healthz, /metrics
    app.register_blueprint(ops.bp)  # /ops, the operator console
    app.register_error_handler(api.ApiError, api.api_error)
