"""Registers the web blueprints (pages, PWA plumbing, security headers)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Attach every web blueprint and hook to the app."""
    # Filled in by the web issue (#2).
