# Relance — the two commands a newcomer needs are `make demo` and `make test`.
# The Makefile finds a Python >= 3.12 (pyenv's, or one on PATH) and keeps
# everything inside .venv so a fresh machine needs nothing installed by hand.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTHON ?= $(shell for c in "$$(pyenv which python3.12 2>/dev/null)" python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null) python3.13 python3; do \
	  [ -n "$$c" ] && command -v "$$c" >/dev/null 2>&1 && \
	  "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$c"; break; }; \
	done)
# pytest-xdist: one worker per core (CI has two).
TEST_WORKERS ?= auto
PORT ?= 8000

.PHONY: venv demo test test-fast lint format typecheck bench messages clean

$(BIN)/relance: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "Relance needs Python >= 3.12 (pyenv install 3.12, or your package manager)"; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(BIN)/relance

venv: $(BIN)/relance

demo: venv
	$(BIN)/relance migrate --no-input -v 0
	$(BIN)/relance demo --port $(PORT)

test: venv
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check relance tests benchmarks
	$(BIN)/ruff format --check relance tests benchmarks

format: venv
	$(BIN)/ruff format relance tests benchmarks
	$(BIN)/ruff check --fix relance tests benchmarks

typecheck: venv
	$(BIN)/mypy $(wildcard relance/*/services) $(wildcard relance/*/services.py) relance/lib

bench: venv
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

# Regenerates the French catalogue from the code and templates (needs GNU
# gettext) and compiles it; the compiled .mo is committed so no install step
# needs gettext. The msgids are English, so English needs no catalogue; there is
# no djangojs domain because no script shows translatable text. New strings
# arrive untranslated (or `#, fuzzy` guesses): translate them, then run this
# again; tests/test_i18n.py fails while any is left.
messages: venv
	cd relance && ../$(BIN)/relance makemessages -l fr --no-location --no-obsolete -v 0
	cd relance && ../$(BIN)/relance compilemessages -l fr -v 0
	msgfmt --check-format --statistics -o /dev/null relance/locale/fr/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) var .pytest_cache
