"""The schema, only through append-only named migrations: add new ones at the end, never edit one."""
from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlite_utils import Database, Migrations

from webapp.store import opened

migrations = Migrations("companion")


def _run_script(db: Database, script: str) -> None:
    """Run statements one by one: `executescript` would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


@migrations()
def m001_core(db: Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            phone TEXT NOT NULL UNIQUE,          -- E.164
            lang TEXT NOT NULL DEFAULT 'fr',
            opted_out_at TEXT,                   -- set by STOP or a 21610, cleared by START
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- The one current application for a card: how and when it was sent, when it came.
        CREATE TABLE applications (
            person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
            method TEXT NOT NULL CHECK (method IN ('online', 'post')),
            sent_on TEXT NOT NULL,               -- local date YYYY-MM-DD
            card_received_on TEXT,
            updated_at TEXT NOT NULL
        );
        -- Paper feuilles de soins posted to the caisse; number counts per person from 1.
        CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            posted_on TEXT NOT NULL,
            paid_on TEXT,
            created_at TEXT NOT NULL,
            UNIQUE (person_id, number)
        );
        -- Reminders are rows derived from events; the unique key makes planning idempotent.
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                  -- card_due, card_followup, claim_due, claim_followup
            subject TEXT NOT NULL,               -- 'card' or the claim's number
            due_at TEXT NOT NULL,                -- UTC instant
            state TEXT NOT NULL DEFAULT 'scheduled',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,       -- due_at, then later after quiet hours or retries
            lease_until TEXT,
            lease_owner TEXT,
            message_id INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (person_id, kind, subject, due_at)
        );
        CREATE INDEX reminders_ready ON reminders (state, next_attempt_at);
        -- Every SMS in or out: the message log.
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            direction TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
            person_id INTEGER REFERENCES people(id) ON DELETE CASCADE,
            phone TEXT NOT NULL,
            body TEXT NOT NULL,
            encoding TEXT NOT NULL,              -- GSM-7 or UCS-2
            segments INTEGER NOT NULL,
            status TEXT NOT NULL,
            twilio_sid TEXT UNIQUE,              -- MessageSid (inbound) or the SID Twilio gave (outbound)
            error_code INTEGER,
            reply_to INTEGER REFERENCES messages(id) ON DELETE CASCADE,
            reminder_id INTEGER REFERENCES reminders(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX messages_phone ON messages (phone, created_at);
        CREATE INDEX messages_created ON messages (created_at);
        """
    )



@migrations()
def m002_people_language_source(db: Database) -> None:
    # NULL: the default, not yet known; 'keyword': the language of the first keyword they used;
    # 'chosen': picked on purpose (LANG), which no keyword overrides.
    db.execute("ALTER TABLE people ADD COLUMN lang_source TEXT")


@migrations()
def m003_reminder_dispatch(db: Database) -> None:
    # sent_at: when the pass handed the reminder over (one reminder per person per local day).
    # messages(reminder_id): recovering a reminder left `sending` by a dead pass, and the
    # ON DELETE SET NULL when old reminder rows are purged, must not scan the message log.
    db.execute("ALTER TABLE reminders ADD COLUMN sent_at TEXT")
    db.execute("CREATE INDEX messages_reminder ON messages (reminder_id)")


@migrations()
def m004_messages_reply_to(db: Database) -> None:
    # A retried MessageSid looks up the reply it got, and deleting messages (DELETE, retention)
    # looks up their replies through the ON DELETE CASCADE: without an index each is a scan of the
    # whole log, under the write lock. Partial: inbound and reminder messages (NULL) add nothing.
    db.execute("CREATE INDEX messages_reply_to ON messages (reply_to) WHERE reply_to IS NOT NULL")


@migrations()
def m005_erased_replies(db: Database) -> None:
    # DELETE erases the number and its message log, which the hourly reply budget and loop protection
    # count on: without a trace, texting DELETE (or HELP, DELETE, HELP…) would be answered without end.
    # So the times of the replies a number got in the last hour stay, under a keyed hash of the number
    # (never the number itself), and are deleted once more than an hour old.
    _run_script(
        db,
        """
        CREATE TABLE erased_replies (
            sender_key TEXT NOT NULL,            -- HMAC-SHA256 of the E.164 number with SECRET_KEY
            replied_at TEXT NOT NULL,
            to_delete INTEGER NOT NULL DEFAULT 0 -- 1: the reply to a DELETE (loop protection counts those)
        );
        CREATE INDEX erased_replies_key ON erased_replies (sender_key, replied_at);
        """
    )


@migrations()
def m006_loop_keys(db: Database) -> None:
    # Loop protection compares an inbound text folded (case, accents, punctuation, digits, spaces gone), not
    # its exact body: "HELP 1", "help 2!!" are the same text. NULL on outbound rows and on rows from before.
    # The hour's lookups go through messages_phone (phone, created_at), which bounds them to one number's hour.
    # to_stop: the reply was a STOP confirmation, sent at most once an hour per number, DELETE or not.
    db.execute("ALTER TABLE messages ADD COLUMN loop_key TEXT")
    db.execute("ALTER TABLE erased_replies ADD COLUMN to_stop INTEGER NOT NULL DEFAULT 0")


@migrations()
def m007_reminder_state_check(db: Database) -> None:
    # The reminders table refuses a state not in webapp/store/states.py. The list is written out as the table
    # stood at this migration: history does not move, and a state added there later comes with a migration.
    # SQLite cannot add a CHECK to a table: it is rebuilt as https://www.sqlite.org/lang_altertable.html says
    # ("Making Other Kinds Of Table Schema Changes"): new table, copy, drop, rename, indexes and triggers again,
    # foreign keys checked, all in this migration's transaction. `apply` has turned foreign keys off, or the
    # DROP would set every message's reminder_id to NULL (ON DELETE SET NULL).
    if db.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("m007 rebuilds the reminders table: apply it through apply(), with foreign keys off")
    unknown = db.execute(
        "SELECT state, COUNT(*) FROM reminders WHERE state NOT IN ('scheduled', 'sending', 'sent', 'delivered',"
        " 'undelivered', 'failed', 'cancelled', 'muted', 'superseded', 'expired') GROUP BY state").fetchall()
    if unknown:
        raise click.ClickException(
            "Reminders in states the new CHECK refuses, nothing changed: "
            + ", ".join(f"{state!r} ({count})" for state, count in unknown) + ". Fix or delete those rows first.")
    rebuilt = [sql for (sql,) in db.execute("SELECT sql FROM sqlite_master WHERE tbl_name = 'reminders'"
                                            " AND type IN ('index', 'trigger') AND sql IS NOT NULL")]
    columns = ("id, person_id, kind, subject, due_at, state, attempts, next_attempt_at, lease_until, lease_owner,"
               " message_id, last_error, created_at, updated_at, sent_at")
    _run_script(
        db,
        """
        CREATE TABLE reminders_checked (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,                  -- card_due, card_followup, claim_due, claim_followup
            subject TEXT NOT NULL,               -- 'card' or the claim's number
            due_at TEXT NOT NULL,                -- UTC instant
            state TEXT NOT NULL DEFAULT 'scheduled' CHECK (state IN ('scheduled', 'sending', 'sent', 'delivered',
                'undelivered', 'failed', 'cancelled', 'muted', 'superseded', 'expired')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,       -- due_at, then later after quiet hours or retries
            lease_until TEXT,
            lease_owner TEXT,
            message_id INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            sent_at TEXT,
            UNIQUE (person_id, kind, subject, due_at)
        );
        """
    )
    db.execute(f"INSERT INTO reminders_checked ({columns}) SELECT {columns} FROM reminders")
    db.execute("DROP TABLE reminders")
    db.execute("ALTER TABLE reminders_checked RENAME TO reminders")
    for sql in rebuilt:
        db.execute(sql)
    broken = db.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"m007: foreign keys broken after the rebuild, rolled back: {broken[:5]}")


@migrations()
def m008_messages_person_index(db: Database) -> None:
    # DELETE erases a person, and the cascade finds their messages by person_id: without an index it reads
    # the whole message log while holding the write lock (tests/test_store_indexes.py).
    db.execute("CREATE INDEX IF NOT EXISTS messages_person ON messages (person_id)")



@migrations()
def m009_reply_ceiling(db: Database) -> None:
    # The global hourly ceiling counts every reply of the last hour, all numbers together: through this index
    # it reads only replies, not the inbound texts or reminders of the hour, and of erased numbers' reply times
    # only the hour's (tests/test_store_indexes.py).
    # sid_key: a DELETE's MessageSid as a keyed hash, so that Twilio's retry of a DELETE already confirmed gets
    # the same answer though nothing else of it is stored (DELETE is confirmed once an hour).
    # Partial, so it holds replies only; with the columns of the condition, so that the count needs no row
    # (SQLite does not infer from the index's WHERE that a row it holds meets the query's).
    db.execute("CREATE INDEX messages_replies ON messages (created_at, direction, reply_to)"
               " WHERE direction = 'outbound' AND reply_to IS NOT NULL")
    db.execute("CREATE INDEX erased_replies_time ON erased_replies (replied_at)")  # the ceiling's other half
    db.execute("ALTER TABLE erased_replies ADD COLUMN sid_key TEXT")


@migrations()
def m010_link_and_sync(db: Database) -> None:
    # The web app links a device to the person behind a phone number (a code texted to it) and syncs the
    # person's facts: a keyed token per device, the codes and their rate limits, the changes applied once,
    # and the time each fact was last written by any channel (the later write wins).
    _run_script(
        db,
        """
        -- A linked device. Only a hash of its token is kept: a copy of the file gives no one access.
        CREATE TABLE devices (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            last_sync_at TEXT
        );
        CREATE INDEX devices_person ON devices (person_id);
        -- Tokens that worked once and no longer do (unlinked, or the person erased): the hash alone, so the
        -- device is told its link is gone rather than that it never had one.
        CREATE TABLE revoked_tokens (
            token_hash TEXT PRIMARY KEY,
            revoked_at TEXT NOT NULL
        );
        -- The one live code per number being linked (the number may not be a person yet).
        CREATE TABLE optin_codes (
            phone TEXT PRIMARY KEY,
            code_hash TEXT NOT NULL,
            lang TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 0,
            expires_at TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        -- Every code texted, for the rate limits (per number, per client address, overall): keyed hashes of
        -- the number and the address, never the values; kept a day.
        CREATE TABLE optin_texts (
            id INTEGER PRIMARY KEY,
            phone_key TEXT NOT NULL,
            client_key TEXT NOT NULL,
            sent_at TEXT NOT NULL
        );
        CREATE INDEX optin_texts_phone ON optin_texts (phone_key, sent_at);
        CREATE INDEX optin_texts_client ON optin_texts (client_key, sent_at);
        CREATE INDEX optin_texts_time ON optin_texts (sent_at);
        -- Each change a device sent, by its client-made id: a change sent again is not applied again.
        CREATE TABLE sync_changes (
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            change_id TEXT NOT NULL,
            applied_at TEXT NOT NULL,
            PRIMARY KEY (person_id, change_id)
        );
        CREATE INDEX sync_changes_time ON sync_changes (applied_at);
        -- When each of a person's facts was last written, by any channel; removed = 1: the write was a removal.
        -- field: application | card | route | lang | tick:<step id> | claim:<key>
        CREATE TABLE field_times (
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            changed_at TEXT NOT NULL,
            removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
            PRIMARY KEY (person_id, field)
        );
        -- The checklist's ticks, once a device is linked.
        CREATE TABLE ticks (
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            step TEXT NOT NULL,
            done INTEGER NOT NULL CHECK (done IN (0, 1)),
            PRIMARY KEY (person_id, step)
        );
        -- How the person chose to apply, on the checklist.
        ALTER TABLE people ADD COLUMN route TEXT CHECK (route IN ('online', 'post'));
        -- The device's id for a feuille de soins recorded on the web (NULL: recorded by SMS).
        ALTER TABLE claims ADD COLUMN key TEXT;
        CREATE UNIQUE INDEX claims_key ON claims (person_id, key) WHERE key IS NOT NULL;
        """,
    )

@migrations()
def m011_operations(db: Database) -> None:
    # Running the service: operators who sign in to /ops, what each of them did, the failed sign-ins the
    # rate limit counts, and each process's last sign of life (the scheduler's last pass, for /healthz).
    _run_script(
        db,
        """
        -- Who may sign in to /ops. Only a hash of the password is kept (argon2id).
        CREATE TABLE operators (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            disabled_at TEXT
        );
        -- Every operator action, newest last. The operator's name is copied (it outlives the account); a
        -- number is never written here in clear, only masked or as a person's id.
        CREATE TABLE operator_audit (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            operator TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX operator_audit_time ON operator_audit (at);
        -- Failed sign-ins, for the rate limit: keyed hashes of the name tried and of the client address.
        CREATE TABLE signin_failures (
            id INTEGER PRIMARY KEY,
            name_key TEXT NOT NULL,
            client_key TEXT NOT NULL,
            at TEXT NOT NULL
        );
        CREATE INDEX signin_failures_name ON signin_failures (name_key, at);
        CREATE INDEX signin_failures_client ON signin_failures (client_key, at);
        -- A process's last sign of life, by name ('scheduler': the end of its last dispatch pass).
        CREATE TABLE heartbeats (
            name TEXT PRIMARY KEY,
            at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        );
        -- The console's charts count reminders sent and people opted out per day over a month: each read is a
        -- range of these (partial: only the rows that have the time), not the whole table once per page.
        CREATE INDEX reminders_sent ON reminders (sent_at) WHERE sent_at IS NOT NULL;
        CREATE INDEX people_opted_out ON people (opted_out_at) WHERE opted_out_at IS NOT NULL;
        """,
    )


class SchemaNotReady(RuntimeError):
    """The database file lacks migrations: the operator must run `flask --app wsgi migrate`."""


def ensure_current(db: Database, path: str) -> None:
    """Raise SchemaNotReady, with what to do, when migrations are pending."""
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        raise SchemaNotReady(
            f"The database {path} is not ready ({len(pending)} migration(s) pending: {', '.join(pending)})."
            " Run `flask --app wsgi migrate` (or `make migrate`) first.")


@contextlib.contextmanager
def open_current(path: str) -> Iterator[Database]:
    """`opened(path)` for an operator command, refusing clearly if the database is not migrated."""
    with opened(path) as db:
        try:
            ensure_current(db, path)
        except SchemaNotReady as error:
            raise click.ClickException(str(error)) from error
        yield db


def apply(db: Database) -> list[str]:
    """Apply pending migrations; return the names applied."""
    pending = [m.name for m in migrations.pending(db)]
    # A migration that rebuilds a table drops the old one, which with foreign keys on runs their ON DELETE actions
    # (cascades, SET NULL) on the rows that point to it. Off, as SQLite's procedure for rebuilds says (a no-op
    # inside a transaction, hence here, outside every migration's); each rebuild checks the keys itself.
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        migrations.apply(db)
    finally:
        db.execute("PRAGMA foreign_keys = ON")
    return pending


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Create or update the database schema."""
    with opened(current_app.config["DATABASE"]) as db:
        applied = apply(db)
    click.echo(f"Applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else "."))
