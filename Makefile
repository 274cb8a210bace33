# The two quick-start commands are `make serve` and `make test`; everything else here serves them.
# Everything runs in the project's own virtual environment, $(VENV), made with $(PYTHON) the first time:
# nothing is installed into the system's Python (Debian's refuses it: PEP 668).
PYTHON ?= python3
VENV ?= .venv
HOST ?= 127.0.0.1
PORT ?= 8000

# Recipes run as if $(VENV) were activated, so commands the tests start by name (`oxigraph`) are the
# environment's too, never another Python's. $(PYTHON) itself is looked up on the PATH make was given.
SYSTEM_PATH := $(PATH)
export VIRTUAL_ENV := $(abspath $(VENV))
export PATH := $(VIRTUAL_ENV)/bin:$(SYSTEM_PATH)
VENV_PYTHON := $(VENV)/bin/python
PIP := $(VENV_PYTHON) -m pip install --quiet --disable-pip-version-check

.PHONY: serve test install install-test venv browser lint bench audit editor editor-required no-node wheel

serve: install editor
	$(VENV_PYTHON) -m api serve --host $(HOST) --port $(PORT)

test: install-test browser editor
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m mypy
	$(VENV_PYTHON) -m pytest

venv: $(VENV_PYTHON)

# Installs are remembered by stamp files in $(VENV): done again only when pyproject.toml changes (the code
# itself is installed editable, so edits need no reinstall).
install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml $(VENV_PYTHON)
	$(PIP) -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV_PYTHON)
	$(PIP) -e '.[test]'
	@touch $@

$(VENV)/.installed-bench: pyproject.toml $(VENV_PYTHON)
	$(PIP) -e '.[test,bench]'
	@touch $@

# Debian and Ubuntu ship venv's ensurepip apart from Python (python3.X-venv): install it when it is
# missing, as `browser` does Chromium. A half-made environment is removed so the next run starts over.
$(VENV_PYTHON):
	@PATH='$(SYSTEM_PATH)'; \
	version=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])') || { \
		echo "make: cannot run '$(PYTHON)'; install Python 3.11 or newer, or pass PYTHON=/path/to/python3" >&2; \
		exit 1; }; \
	if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null \
		&& [ "$$($(PYTHON) -c 'import sys; print(sys.base_prefix)')" = /usr ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's python$$version-venv: $(PYTHON) needs it to create the project's virtual environment ($(VENV))"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq python$$version-venv >/dev/null; \
	fi; \
	$(PYTHON) -c 'import ensurepip' 2>/dev/null || { \
		echo "make: $(PYTHON) cannot create a virtual environment (no ensurepip); on Debian or Ubuntu: apt-get install python$$version-venv" >&2; \
		exit 1; }; \
	echo "creating the project's virtual environment $(VENV) with $$(command -v $(PYTHON)) (Python $$version)"; \
	if [ -e $(VENV) ]; then made=; else made=1; fi; \
	$(PYTHON) -m venv $(VENV) || { [ -z "$$made" ] || rm -rf $(VENV); exit 1; }

# Browser tests drive Debian's Chromium through Playwright; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Audits the installed dependencies when a vulnerability database answers; says NOT RUN when none does.
audit: install-test
	$(VENV_PYTHON) .ci/audit.py

lint: install-test
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m mypy

bench: $(VENV)/.installed-bench
	$(VENV_PYTHON) -m bench

# The SPARQL editor: web/editor/*.js bundled by esbuild (from npm, pinned in package-lock.json) into
# api/static/editor.js, which git ignores. Built again only when a source or the lock file changes; the
# packages are installed again only when the lock file changes. Without Node.js, `make serve` goes on
# with the plain query form (the service says so too) and `make test` with the editor's browser tests and
# the axe tests skipped (they say why); `make wheel` needs the editor.
EDITOR_BUNDLE := api/static/editor.js
EDITOR_SOURCES := $(wildcard web/editor/*.js) web/build.mjs
NODE_STAMP := node_modules/.installed

HAVE_NODE := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)

editor: $(if $(HAVE_NODE),$(EDITOR_BUNDLE),no-node)

no-node:
	@echo "make: Node.js and npm not found, so the SPARQL editor is not built: /sparql serves the plain query form"

editor-required: $(EDITOR_BUNDLE)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error >/dev/null
	@touch $@

$(EDITOR_BUNDLE): $(EDITOR_SOURCES) $(NODE_STAMP)
	node web/build.mjs

# A wheel (and an sdist) in dist/ that carry the built editor: pip installs it with the rest of api/static.
wheel: venv editor-required
	$(VENV_PYTHON) -m pip wheel --quiet --no-deps --wheel-dir dist .
