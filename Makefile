# Set-up and checks. `make test` and `make demo` work on a fresh Debian/Ubuntu
# machine that has only python3 and make: they create .venv, install the
# project with the extras they need, and install Graphviz's `dot` when it is
# missing. `make demo` installs chainrule with the plot and batch extras; `make test`
# adds the dev extra (pytest, hypothesis, mypy, ruff, build) and, where its local
# wheel is, PyTorch 2.13.0 (CPU), the reference the tests compare with.
# `make test` also installs Debian's chromium (the browser tests) and
# librsvg2-bin (rsvg-convert, an SVG rasteriser) when run as root; elsewhere it
# says how, and those tests are skipped with that reason.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
DEV    := $(VENV)/.dev-stamp
DOCS   := $(VENV)/.docs-stamp

.PHONY: test demo docs playground bench bench-before bench-torch venv dot browser lint clean native fresh-native wheels

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
	  else \
	    echo "python3 cannot create a virtual environment; install it with: sudo apt-get install python3-venv" >&2; exit 1; \
	  fi; }
	$(PY) -m pip install -q --upgrade pip 'setuptools>=77'
	$(PY) -m pip install -q -e '.[plot,batch]'
	@touch $@

# PyTorch is the tests' independent reference (tests/autograd/test_torch.py, micrograd's own
# test_engine.py). 2.13.0+cpu exists only as a local wheel (pip's find-links): where it is
# absent nothing is downloaded, and those tests are skipped with a reason.
$(DEV): $(STAMP)
	$(PY) -m pip install -q -e '.[dev,plot]'
	@$(PY) -m pip install -q 'torch==2.13.0+cpu' 2>/dev/null || \
	  echo "PyTorch 2.13.0 (CPU) is not available locally; the tests against PyTorch will be skipped" >&2
	@touch $@

# The native build is a wheel, as users get it: the engine compiled by mypyc (setup.py),
# installed alone into .venv-native, which also sees .venv's packages (pytest, numpy,
# PyTorch) but imports chainrule from the wheel. The checkout and .venv (an editable
# install) always run the source. `make native` rebuilds it; `fresh-native` (what `make
# test` and `make bench` use) rebuilds it when a file the wheel ships has changed.
NATIVE_VENV := .venv-native
NATIVE_PY   := $(NATIVE_VENV)/bin/python
NATIVE      := $(NATIVE_VENV)/.native-stamp
SHIPPED     := $(shell find autograd nn viz chainrule -type f -not -path '*/__pycache__/*') \
               _chainrule_files.py setup.py pyproject.toml MANIFEST.in

$(NATIVE): $(SHIPPED) | $(DEV)
	$(PY) tests/wheelcheck.py --native-venv $(NATIVE_VENV)
	@touch $@

native: | $(DEV)
	@rm -f $(NATIVE)
	@$(MAKE) --no-print-directory $(NATIVE)

fresh-native: $(NATIVE)

# Both wheels this machine can build, into dist/: the native one (the engine compiled by
# mypyc, for this platform) and the pure one (py3-none-any). Each is installed into a new
# temporary venv, where `chainrule demo` must run and autograd.BUILD must name its build
# (tests/wheelcheck.py). Without a C compiler: CHAINRULE_PURE=1 make wheels (pure only).
# The wheels for every platform are cibuildwheel's ([tool.cibuildwheel] in pyproject.toml).
wheels: $(DEV)
	$(PY) tests/wheelcheck.py dist

dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Graphviz (the dot program)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's dot program is missing; install it with: sudo apt-get install graphviz" >&2; exit 1; \
	  fi; }

# Never `playwright install`: Playwright drives Debian's /usr/bin/chromium.
KATEX_STAMP := tests/browser/node_modules/.package-lock.json
browser: $(KATEX_STAMP)
	@if command -v chromium >/dev/null 2>&1 && command -v rsvg-convert >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "installing Chromium and rsvg-convert (the browser and rasteriser tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    chromium librsvg2-bin >/dev/null || echo "could not install chromium; the browser tests will be skipped" >&2; \
	else \
	  echo "Chromium or rsvg-convert is missing, so the browser tests will be skipped; install them with: sudo apt-get install chromium librsvg2-bin" >&2; \
	fi

# KaTeX for tests/viz/test_browser_explain.py, at the version tests/browser/package-lock.json pins,
# installed by npm (never fetched at run time, never from a CDN). Without npm, or when
# `npm ci` fails, that test is skipped, saying so.
$(KATEX_STAMP): tests/browser/package.json tests/browser/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/browser --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || \
	    echo "npm ci --prefix tests/browser failed, so the KaTeX test of explain() will be skipped" >&2; \
	else \
	  echo "npm is missing, so the KaTeX test of explain() will be skipped; install it with: sudo apt-get install npm" >&2; \
	fi

# The suite runs twice: on the native wheel in .venv-native, from a folder outside the
# checkout so that `import autograd` is the wheel's, as cibuildwheel runs it; then on the
# source, with the doctests, the packaging, browser and notebook tests, which do not depend
# on the engine's build. Where a C compiler is, an engine that did not compile (mypyc
# refused the code, say) fails the run; without one (or with CHAINRULE_PURE=1) the native
# run is skipped and the reason said.
test: $(DEV) $(DOCS) dot browser playground fresh-native
	@if $(NATIVE_PY) -I -m autograd --native; then \
	  cd "$$(mktemp -d)" && "$(CURDIR)/$(NATIVE_PY)" -m pytest -q -p no:cacheprovider \
	    --import-mode=importlib -o pythonpath="$(CURDIR)/tests" \
	    -m "not packaging and not needs_browser and not notebook and not docs" "$(CURDIR)/tests"; \
	elif [ -z "$$CHAINRULE_PURE" ] && command -v cc >/dev/null 2>&1; then \
	  echo "make test: the engine did not compile, though this machine has a C compiler;" \
	    "the build's reason is above (make native shows it again)" >&2; exit 1; \
	else echo "make test: no native run, the native build is unavailable (above)"; fi
	$(PY) -m pytest -q
	$(PY) -m mypy
	$(PY) -m mypy conftest.py
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

demo: venv dot
	$(VENV)/bin/chainrule demo

# The docs extra: MkDocs and its plugins (pinned in pyproject.toml), for `make docs` and
# the test that builds the site (tests/test_docs_site.py, which `make test` runs).
$(DOCS): $(DEV)
	$(PY) -m pip install -q -e '.[docs]'
	@touch $@

# The documentation site, into site/: first the pictures and the demo's transcript that
# its pages show (the demo's defaults and docs/pictures.py), then `mkdocs build --strict`
# (mkdocs.yml), which runs docs/tutorial.ipynb, ships KaTeX from tests/browser (npm ci) and
# puts the playground's Pyodide and wheels into the site (docs/hooks.py).
docs: $(DOCS) dot browser playground
	$(VENV)/bin/chainrule demo --out docs > docs/demo-output.txt
	$(VENV)/bin/chainrule demo moons --out docs > /dev/null
	$(PY) docs/pictures.py docs > /dev/null
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --quiet
	@echo "make docs: the site is in site/ (open site/index.html)"

# What the playground page (docs/playground/) ships besides chainrule's own pure wheel, which
# docs/hooks.py builds from the checkout at every site build: Pyodide and CodeMirror from the
# npm registry at the versions docs/playground/package-lock.json pins (npm ci), and the pure
# wheels of chainrule's dependencies at the versions and hashes docs/playground/requirements.txt
# pins (pip download). Without npm (or when a download fails) it says so: `make docs` then
# stops, saying what is missing, and `make test` skips the site's tests, saying why.
PYODIDE_STAMP := docs/playground/node_modules/.package-lock.json
PLAYGROUND_WHEELS := docs/playground/wheels/.downloaded
playground: $(PYODIDE_STAMP) $(PLAYGROUND_WHEELS)

$(PYODIDE_STAMP): docs/playground/package.json docs/playground/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix docs/playground --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null || \
	    echo "npm ci --prefix docs/playground failed: the site has no playground, its tests will be skipped" >&2; \
	else \
	  echo "npm is missing, so the site cannot ship the playground's Pyodide (its tests will be skipped); install it with: sudo apt-get install npm" >&2; \
	fi

$(PLAYGROUND_WHEELS): docs/playground/requirements.txt | $(DEV)
	@rm -rf docs/playground/wheels
	@$(PY) -m pip download -q --no-deps --only-binary=:all: --require-hashes \
	  -r docs/playground/requirements.txt -d docs/playground/wheels && touch $@ || \
	  echo "pip download of the playground's wheels failed: the site has no playground, its tests will be skipped" >&2

# micrograd is a bench-only peer: it goes into bench/.peers, never into .venv,
# so nothing in the project (tests, mypy, the CLI) can import it by accident.
PEERS := bench/.peers
MICROGRAD := micrograd==0.1.0

$(PEERS)/micrograd-0.1.0.dist-info: | $(DEV)
	$(PY) -m pip install -q --no-deps --target $(PEERS) '$(MICROGRAD)'

bench: $(DEV) fresh-native $(PEERS)/micrograd-0.1.0.dist-info
	$(PY) -m bench

# W1 and W2 with the engine and nn of an earlier commit measured beside today's, in
# the same run: by default ff3b52b, the last engine before the op registry and the
# native build. Needs the git history; the old tree is unpacked into a temporary folder.
BEFORE_REV ?= ff3b52b
bench-before: $(DEV) fresh-native $(PEERS)/micrograd-0.1.0.dist-info
	@dir=$$(mktemp -d) && git archive $(BEFORE_REV) autograd nn | tar -x -C $$dir && \
	  $(PY) -m bench --only W1,W2 --before $(BEFORE_REV)=$$dir; \
	  status=$$?; rm -rf $$dir; exit $$status

# PyTorch (CPU) is the digits workload's optional peer; without it `make bench` says
# it skipped it. 2.13.0 installs from a local file; any other version would download.
bench-torch: venv
	$(PY) -m pip install -q 'torch==2.13.0'

lint: $(DEV)
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

clean:
	rm -rf $(VENV) $(NATIVE_VENV) $(PEERS) out build dist site .pytest_cache .mypy_cache .ruff_cache .hypothesis
	rm -f autograd/*.so
