"""Settings: declared once, read from the environment and `.env`, documented in the README."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp import settings
from webapp.app import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_documented_in_the_readme_and_nothing_else_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", table, flags=re.M))
    assert documented == {s.name for s in settings.SETTINGS}


def test_environment_wins_over_dotenv_which_wins_over_defaults(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text('# comment\nexport TIMEZONE="America/Cayenne"\nPORT=9000\nQUIET_HOURS=21:00-08:00\n')
    values = settings.load({"PORT": "9100"}, dotenv=dotenv)
    assert values["TIMEZONE"] == "America/Cayenne"
    assert values["PORT"] == 9100
    assert values["QUIET_HOURS"] == "21:00-08:00"
    assert values["CARD_DELAY_POST_DAYS"] == 21


@pytest.mark.parametrize(
    ("environ", "backend"),
    [({}, "outbox"), ({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32}, "twilio"),
     ({"TWILIO_ACCOUNT_SID": "AC" + "1" * 32, "SMS_BACKEND": "outbox"}, "outbox")],
)
def test_sms_backend_defaults_to_twilio_only_with_credentials(environ, backend):
    assert settings.load(environ, dotenv=None)["SMS_BACKEND"] == backend


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = settings.secret_key(tmp_path / "instance")
    assert len(first) == 64
    assert settings.secret_key(tmp_path / "instance") == first
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


def test_relative_database_path_is_anchored_at_the_project(tmp_path):
    app = create_app({"DATABASE": "instance/x.sqlite3", "SECRET_KEY": "k"})
    assert app.config["DATABASE"] == str(ROOT / "instance" / "x.sqlite3")


def test_migrations_are_applied_once_and_wal_is_on(app, db):
    from webapp.store.migrations import apply

    assert apply(db) == []  # the fixture applied them all already
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.parametrize(("name", "value"), [
    ("QUIET_HOURS", "20:00-24:00"), ("QUIET_HOURS", "20h-9h"), ("QUIET_HOURS", "20:00"),
    ("REMINDER_TIME", "10h"), ("REMINDER_TIME", "25:00"), ("TIMEZONE", "Paris"), ("PORT", "eighty"),
    ("TWILIO_ACCOUNT_SID", "AC123"), ("TWILIO_ACCOUNT_SID", "AC" + "AB" * 16), ("TWILIO_ACCOUNT_SID", "SK" + "ab" * 16),
    ("SMS_REPLY_COUNTRIES", "FR,XX"), ("SMS_REPLY_COUNTRIES", "France"), ("SMS_REPLY_COUNTRIES", "FRA"),
    ("SMS_REPLY_COUNTRIES", "33"), ("SMS_REPLY_COUNTRIES", "EU"), ("SMS_REPLY_COUNTRIES", " , "),
    ("SMS_MAX_REPLIES_PER_DAY", "lots"), ("SMS_MAX_REPLIES_PER_HOUR_ALL", "1e3"),
])
def test_an_unusable_value_is_refused_at_start_naming_the_setting(name, value):
    with pytest.raises(settings.SettingError, match=name):
        settings.load({name: value}, dotenv=None)


# A setting with a fixed set of values takes one of them, in that exact case; nothing close is guessed.
UNLISTED_VALUES = [
    ("ENVIRONMENT", "Production"), ("ENVIRONMENT", "PRODUCTION"), ("ENVIRONMENT", "prod"),
    ("ENVIRONMENT", "staging"), ("ENVIRONMENT", "test"), ("ENVIRONMENT", "dev"), ("ENVIRONMENT", "Development"),
    ("ENVIRONMENT", "production;"), ("ENVIRONMENT", "pro duction"), ("ENVIRONMENT", "\u200bproduction"),
    ("SMS_BACKEND", "Outbox"), ("SMS_BACKEND", "TWILIO"), ("SMS_BACKEND", "twillio"), ("SMS_BACKEND", "sms"),
    ("SMS_BACKEND", "none"),
]
ALLOWED = {"ENVIRONMENT": ["development", "production"], "SMS_BACKEND": ["outbox", "twilio"]}


@pytest.mark.parametrize(("name", "value"), UNLISTED_VALUES)
def test_a_value_outside_the_allowed_set_stops_start_up_naming_the_setting_and_its_values(name, value):
    with pytest.raises(settings.SettingError, match=name) as refused:
        settings.load({name: value}, dotenv=None)
    assert all(f"`{allowed}`" in str(refused.value) for allowed in ALLOWED[name])


@pytest.mark.parametrize(("name", "value"), UNLISTED_VALUES)
def test_a_value_outside_the_allowed_set_is_refused_from_dotenv_too(tmp_path, name, value):
    (tmp_path / ".env").write_text(f"{name}={value}\n", encoding="utf-8")
    with pytest.raises(settings.SettingError, match=name):
        settings.load({}, dotenv=tmp_path / ".env")


@pytest.mark.parametrize(("name", "value"), UNLISTED_VALUES + [("ENVIRONMENT", "production "), ("SMS_BACKEND", None)])
def test_a_value_outside_the_allowed_set_is_refused_when_the_app_is_built_with_overrides(app_config, name, value):
    with pytest.raises(settings.SettingError, match=name):
        create_app(dict(app_config, **{name: value}))


@pytest.mark.parametrize(("name", "value", "read"), [
    ("ENVIRONMENT", "production ", "production"),  # a unit file's trailing space
    ("ENVIRONMENT", "\tdevelopment\r", "development"), ("SMS_BACKEND", " twilio", "twilio"),
    ("SMS_BACKEND", "outbox", "outbox"),
])
def test_an_allowed_value_is_read_without_the_spaces_around_it(name, value, read):
    assert settings.load({name: value}, dotenv=None)[name] == read


@pytest.mark.parametrize("backend", ["Outbox", "twilio ", "missing"])
def test_the_gateway_refuses_an_unknown_backend_before_logging_anything(app, db, backend):
    from sms import gateway

    app.config["SMS_BACKEND"] = backend  # changed after start-up, past the settings' check
    with pytest.raises(settings.SettingError, match="SMS_BACKEND"):
        gateway.send(db, app.config, "+33612345678", "Your card should have come.")
    assert db.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 0


@pytest.mark.parametrize(("name", "value", "read"), [
    ("QUIET_HOURS", "21:30-7:00", "21:30-07:00"), ("QUIET_HOURS", "00:00-00:00", "00:00-00:00"),
    ("REMINDER_TIME", " 9:15 ", "09:15"), ("TIMEZONE", "America/Cayenne", "America/Cayenne"),
    ("TWILIO_ACCOUNT_SID", "AC" + "ab" * 16 + " ", "AC" + "ab" * 16),  # webhooks compare it exactly
    ("SMS_REPLY_COUNTRIES", "FR", ("FR",)), ("SMS_REPLY_COUNTRIES", "fr, re ;BE  GB,FR", ("FR", "RE", "BE", "GB")),
])
def test_usable_values_are_read_in_one_form(name, value, read):
    assert settings.load({name: value}, dotenv=None)[name] == read



def test_replies_go_to_france_and_its_overseas_regions_unless_the_operator_adds_or_removes_some():
    values = settings.load({}, dotenv=None)
    assert values["SMS_REPLY_COUNTRIES"] == ("FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "WF", "PF", "NC")
    assert (values["SMS_MAX_REPLIES_PER_HOUR"], values["SMS_MAX_REPLIES_PER_DAY"]) == (30, 60)
    assert (values["SMS_MAX_REPEATS_PER_HOUR"], values["SMS_MAX_REPLIES_PER_HOUR_ALL"]) == (5, 300)


@pytest.mark.parametrize("value", [("FR", "XX"), ("fr",), (), "FR, RE", ["FR", None]])
def test_an_unknown_region_given_as_an_override_stops_start_up_naming_the_setting(app_config, value):
    with pytest.raises(settings.SettingError, match="SMS_REPLY_COUNTRIES"):
        create_app(dict(app_config, SMS_REPLY_COUNTRIES=value))


def test_an_unknown_region_in_dotenv_stops_start_up_naming_it(tmp_path):
    (tmp_path / ".env").write_text("SMS_REPLY_COUNTRIES=FR,RE,ZZ\n", encoding="utf-8")
    with pytest.raises(settings.SettingError, match=r"SMS_REPLY_COUNTRIES=.*unknown region code\(s\) 'ZZ'"):
        settings.load({}, dotenv=tmp_path / ".env")
