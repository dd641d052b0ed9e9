# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
CATALOGS := webapp sms scheduler

.PHONY: run test lint venv translations translations-update migrate bench backup-check clean

# Two stamps, each remade when pyproject.toml changes: the runtime dependencies (all `make run` needs), then
# the test tools on top of them (test, lint, bench, translations-update), added without reinstalling the rest.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/.installed

translations: $(BIN)/.installed
	$(BIN)/flask --app wsgi translations compile

# Re-extract the strings of every catalogue and merge them into the .po files.
translations-update: $(BIN)/.installed-test
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k plural_forms:1,2 -o webapp/translations/messages.pot webapp templates
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o sms/translations/messages.pot sms
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o scheduler/translations/messages.pot scheduler
	$(BIN)/pybabel -q extract -F babel_ops.cfg -k _l -k lazy_gettext -o webapp/ops_translations/messages.pot webapp templates
	@for d in $(CATALOGS:%=%/translations) webapp/ops_translations; do \
	  $(BIN)/pybabel -q update --no-fuzzy-matching --ignore-obsolete -i $$d/messages.pot -d $$d || exit 1; \
	done

migrate: $(BIN)/.installed
	$(BIN)/flask --app wsgi migrate

run: translations migrate
	ENVIRONMENT=development HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m webapp.devserver

test: translations $(BIN)/.installed-test
	$(BIN)/python -m pytest

lint: $(BIN)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: translations $(BIN)/.installed-test
	$(BIN)/python bench/pwa_weight.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/sync.py

# Litestream for real on loopback: replicate, SIGKILL, restore into a new file, check it (tools/backup_check.py).
backup-check: translations
	$(BIN)/python tools/backup_check.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
