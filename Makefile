# Set-up and checks. `make test` and `make demo` work on a fresh Debian/Ubuntu
# machine that has only python3 and make: they create .venv, install the
# project with its extras, and install Graphviz's `dot` when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
EXTRAS ?= dev,plot

.PHONY: test demo docs bench bench-torch venv dot lint clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "python3 cannot create a virtual environment; install it with: sudo apt-get install python3-venv" >&2; exit 1; \
	  fi; }
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[$(EXTRAS)]'
	@touch $@

dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Graphviz (the dot program)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's dot program is missing; install it with: sudo apt-get install graphviz" >&2; exit 1; \
	  fi; }

test: venv dot
	$(PY) -m pytest
	$(PY) -m mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

demo: venv dot
	$(VENV)/bin/chainrule demo

docs: venv dot  ## the README's pictures, from the demo's defaults
	$(VENV)/bin/chainrule demo --out docs > docs/demo-output.txt
	$(VENV)/bin/chainrule demo moons --out docs > /dev/null

# micrograd is a bench-only peer: it goes into bench/.peers, never into .venv,
# so nothing in the project (tests, mypy, the CLI) can import it by accident.
PEERS := bench/.peers
MICROGRAD := micrograd==0.1.0

$(PEERS)/micrograd-0.1.0.dist-info: | venv
	$(PY) -m pip install -q --no-deps --target $(PEERS) '$(MICROGRAD)'

bench: venv $(PEERS)/micrograd-0.1.0.dist-info
	$(PY) -m bench

# PyTorch (CPU) is the digits workload's optional peer; without it `make bench` says
# it skipped it. 2.13.0 installs from a local file; any other version would download.
bench-torch: venv
	$(PY) -m pip install -q 'torch==2.13.0'

lint: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) $(PEERS) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
