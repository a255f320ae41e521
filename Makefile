# Partnering Machine: `make run` starts the product with demo data, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in emails point at the server `make run` starts (a wildcard HOST is reached on
# loopback); a PUBLIC_URL from the environment or the command line wins.
PUBLIC_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: install run test lint typecheck format bench lock clean

# The locked versions, every file checked against its hash (requirements-dev.lock: the
# product and its dev tools; requirements.lock: the product alone, for the Dockerfile),
# installed by uv (itself locked with hashes in requirements-uv.lock and installed by the
# interpreter's pip): on a clean clone about half the CPU time of pip's install.
$(BIN)/uv: requirements-uv.lock
	$(PYTHON) -m venv --without-pip $(VENV)
	$(PYTHON) -m pip --python $(BIN)/python install --quiet --require-hashes -r requirements-uv.lock
	touch $(BIN)/uv

$(BIN)/partnering: $(BIN)/uv pyproject.toml requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --require-hashes -r requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(BIN)/partnering

install: $(BIN)/partnering

run: install
	$(BIN)/partnering db upgrade
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/partnering demo
	PUBLIC_URL=$(PUBLIC_URL) $(BIN)/partnering run --host $(HOST) --port $(PORT)

# LINT=0 leaves the lint out (CI lints once, in one of its two passes); --durations: the
# slowest tests are printed at the end of every run.
LINT ?= 1
test: install
ifneq ($(LINT),0)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
endif
	$(BIN)/python -m pytest --durations=40 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy

typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: install
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev,bench]'
	@for b in bench/*.py; do case $$b in */locustfile.py|*/load_world.py) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

# Re-resolve the locks from pyproject.toml (newest versions within its bounds), with hashes.
LOCK_OPTS := --generate-hashes --universal --python-version 3.11 --no-header --quiet
LOCK := $(BIN)/uv pip compile pyproject.toml $(LOCK_OPTS)
lock: install
	echo 'uv>=0.5' | $(BIN)/uv pip compile - $(LOCK_OPTS) --upgrade -o requirements-uv.lock
	$(LOCK) --upgrade --extra dev -o requirements-dev.lock
	$(LOCK) --upgrade -c requirements-dev.lock -o requirements.lock

clean:
	rm -rf $(VENV) instance .pytest_cache
