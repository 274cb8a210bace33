# The two quick-start commands are `make serve` and `make test`; everything else here serves them.
PYTHON ?= python3
PIP := $(PYTHON) -m pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test install install-test browser lint bench audit

serve: install
	$(PYTHON) -m api serve --host $(HOST) --port $(PORT)

test: install-test browser
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy
	$(PYTHON) -m pytest

install:
	$(PIP) install --quiet --disable-pip-version-check -e .

install-test:
	$(PIP) install --quiet --disable-pip-version-check -e '.[test]'

# Browser tests drive Debian's Chromium through Playwright; install it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Audits the installed dependencies when a vulnerability database answers; says NOT RUN when none does.
audit: install-test
	$(PYTHON) .ci/audit.py

lint:
	$(PYTHON) -m ruff check .
	$(PYTHON) -m mypy

bench:
	$(PIP) install --quiet --disable-pip-version-check -e ".[test,bench]"
	$(PYTHON) -m bench
