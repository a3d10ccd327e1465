# warehouse — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench format install translations messages clean

run: install
	$(BIN)/python -m warehouse.run

test: install
	$(BIN)/ruff check warehouse printers tests migrations bench wsgi.py
	$(BIN)/ruff format --check warehouse printers tests bench wsgi.py
	$(BIN)/mypy warehouse printers
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Speed is measured here, never in the test suite (see bench/README.md).
bench: install
	$(BIN)/python bench/run.py

install: $(STAMP) translations

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -d warehouse/translations

format: install
	$(BIN)/ruff format warehouse printers tests bench wsgi.py
	$(BIN)/ruff check --fix warehouse printers tests bench wsgi.py

clean:
	rm -rf $(VENV) instance test-artifacts

# After changing user-facing strings: refresh the catalogue, then translate the new entries.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o /tmp/warehouse-messages.pot .
	$(BIN)/pybabel update -i /tmp/warehouse-messages.pot -d warehouse/translations
