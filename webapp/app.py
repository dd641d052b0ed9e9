"""The Flask application factory."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from scheduler import cli as scheduler_cli
from sms import cli as sms_cli
from sms import simulator, webhook
from webapp import backup, i18n, ops_cli, settings, store, web
from webapp.store import migrations

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app from the environment (and `.env`), overridden by `test_config`."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(settings.load(dotenv=ROOT / ".env"))
    if test_config:
        app.config.update(test_config)
    settings.check_choices(app.config)  # an override (`SMS_BACKEND="Outbox"`) is held to the same values
    if not Path(app.config["DATABASE"]).is_absolute():
        app.config["DATABASE"] = str(ROOT / app.config["DATABASE"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = settings.secret_key(Path(app.instance_path))

    app.teardown_appcontext(store.close_db)
    app.cli.add_command(migrations.migrate_command)
    i18n.init_app(app)
    web.init_app(app)
    app.register_blueprint(webhook.bp)
    simulator.init_app(app)  # /dev/phone, only with the outbox in development
    app.cli.add_command(sms_cli.messages_command)
    app.cli.add_command(scheduler_cli.reminders_command)
    app.cli.add_command(backup.backup_command)
    app.cli.add_command(ops_cli.operators_command)
    return app
