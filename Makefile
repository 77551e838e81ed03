# Two commands on a fresh machine: `make serve` (embedded SpatiaLite) and `make test` (both backends).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# The upstream mirror beside the project, when there is one (CI and developers' machines).
PLANMAP_MIRROR ?= $(if $(wildcard ../shared/mirror),$(abspath ../shared/mirror),)
export PLANMAP_MIRROR
DB := var/planmap.sqlite
PYTEST_ARGS ?=

.PHONY: serve test install system-serve system-test vendor db validate lint clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(BIN)/.installed

system-serve:
	bash .ci/system-deps.sh serve

system-test:
	bash .ci/system-deps.sh test
	bash .ci/postgres.sh

vendor: $(BIN)/.installed
	$(BIN)/python -m web.vendor

$(DB): $(BIN)/.installed $(shell find data -name '*.yaml') layers/migrations/versions/*.py
	$(BIN)/planmap load
	touch $@

db: system-serve $(DB)

validate: $(BIN)/.installed
	$(BIN)/planmap validate

serve: system-serve install vendor db
	$(BIN)/planmap serve --host $(HOST) --port $(PORT)

test: system-test install vendor
	$(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check --select F,E9 .

clean:
	rm -rf var .pytest_cache
