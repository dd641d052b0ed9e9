"""The web app: factory (`webapp.app`), settings, storage, the journey's events, pages and PWA plumbing."""
