# Gongxue: `make run` serves the site with demo data; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: install translations db demo run test lint bench mutation clean

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

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

test: translations
	@bash scripts/test.sh

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m matching bench

# Mutation testing (slow; not part of `make test`): `make mutation MODULE=app/programme/services.py`
# runs one module, `make mutation` every module listed in pyproject.toml; ONLY='glob' limits the
# run to some functions' mutants. One child process unless MUTATION_CHILDREN says otherwise.
mutation: translations
	nice -n 10 $(BIN)/python scripts/mutation.py $(MODULE) $(if $(ONLY),--only '$(ONLY)')

clean:
	rm -rf $(VENV) instance/*.db .pytest_cache build/mutation
