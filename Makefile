# Gongxue: `make run` serves the site with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# Two stamps: running the site needs only requirements.txt; tests add requirements-dev.txt.
RUN_STAMP := $(VENV)/.run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: install install-dev translations db demo run test lint bench mutation clean \
	seed-national seed-region bench-exports bench-round

$(RUN_STAMP): requirements.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@rm -f $(VENV)/.run-*
	@touch $@

$(DEV_STAMP): $(RUN_STAMP) requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.dev-*
	@touch $@

install: $(RUN_STAMP)

install-dev: $(DEV_STAMP)

translations: install
	@$(BIN)/pybabel compile --use-fuzzy -d app/translations -D messages >/dev/null

db: translations
	$(FLASK) db upgrade
	$(FLASK) reference load

demo: db
	$(FLASK) demo seed

run: demo
	@$(FLASK) demo logins
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install-dev translations
	@bash scripts/test.sh

lint: install-dev
	$(BIN)/ruff check .

bench: install-dev
	$(BIN)/python -m matching bench

# Generated worlds for measuring (never on a production database): national needs PostgreSQL,
# `make seed-national DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_national`;
# region runs on the default SQLite file too. A second run finds the world and adds nothing.
seed-national: translations
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL=postgresql+psycopg://…" >&2; exit 2; }
	$(FLASK) db upgrade
	$(FLASK) reference load
	nice -n 5 $(FLASK) demo seed --scale national

seed-region: translations
	$(FLASK) db upgrade
	$(FLASK) reference load
	nice -n 5 $(FLASK) demo seed --scale region

# 200,000-row exports (CSV and XLSX) against a generated world: rows, bytes, seconds, peak memory.
bench-exports: install
	nice -n 5 $(BIN)/python scripts/bench_exports.py

# A 100,000-application placement round end to end as the worker runs it (read, build, solve,
# comparison, analyse, store, publish), timed by stage; the round is removed afterwards.
# `make bench-round DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/gongxue_national`
bench-round: translations
	@test -n "$(DATABASE_URL)" || { echo "set DATABASE_URL=postgresql+psycopg://…" >&2; exit 2; }
	nice -n 5 $(FLASK) rounds bench --applications 100000 $(BENCH_ARGS)

# Mutation testing (slow; not part of `make test`): `make mutation MODULE=app/programme/services.py`
# runs one module, `make mutation` every module listed in pyproject.toml; ONLY='glob' limits the
# run to some functions' mutants. One child process unless MUTATION_CHILDREN says otherwise.
mutation: install-dev translations
	nice -n 10 $(BIN)/python scripts/mutation.py $(MODULE) $(if $(ONLY),--only '$(ONLY)')

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache build/mutation
