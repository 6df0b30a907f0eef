# The two set-up commands of the README:
#   make run    install into .venv and start the main job
#   make test   install into .venv (with test tools and chromium) and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test system-deps

run: install
	$(BIN)/drive-atlas serve

test: install-test
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# The venv's own pip (22.3 or newer: editable installs from pyproject.toml, `pip --python`) is used as it is:
# upgrading it first only added a download (30 s of a fresh install on a loaded machine, 2 s of CPU).
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-test: $(BIN)/python system-deps
	$(BIN)/python -m pip install --quiet -e ".[test]"

# Debian's chromium, for the web app's real-browser tests (Playwright drives /usr/bin/chromium itself: no driver).
system-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi
