# Partnering Machine: `make run` starts the product with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails point at the server `make run` starts (a wildcard HOST is reached on
# loopback); a PUBLIC_URL from the environment or the command line wins.
PUBLIC_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: install run test lint format bench clean

$(BIN)/partnering: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/partnering

install: $(BIN)/partnering

run: install
	$(BIN)/partnering db upgrade
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/partnering demo
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/partnering run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	@for b in bench/*.py; do case $$b in */locustfile.py|*/load_world.py) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) instance .pytest_cache
