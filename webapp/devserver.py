"""`make run`: the app on a threaded local server, with the scheduler in-process (outbox SMS)."""
from __future__ import annotations

from werkzeug.serving import run_simple

from scheduler.service import build_scheduler
from webapp import logs
from webapp.app import create_app
from webapp.settings import SettingError


def main() -> None:
    """Serve on HOST:PORT and run reminder passes in a background thread."""
    logs.setup()  # LOG_FORMAT, numbers masked, no APScheduler line a minute
    try:
        app = create_app()
    except SettingError as error:
        raise SystemExit(f"Cannot start: {error}") from None
    scheduler = build_scheduler(app, background=True)
    scheduler.start()
    print(f" * Carte Vitale companion on http://{app.config['HOST']}:{app.config['PORT']}/"
          f"  (SMS backend: {app.config['SMS_BACKEND']})")
    try:
        run_simple(app.config["HOST"], app.config["PORT"], app, threaded=True, use_reloader=False)
    finally:
        scheduler.shutdown(wait=False)


if __name__ == "__main__":
    main()
