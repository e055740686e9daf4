# Two commands do all set-up on a fresh machine:
#   make demo   build the bundled corpus into graphs/
#   make test   install test tools (Python extras, Debian packages) and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KG := $(BIN)/kg
STORE ?= .kg/store
DEBIAN_TEST_PACKAGES := raptor2-utils rasqal-utils chromium default-jre-headless virtuoso-opensource
DEBIAN_TEST_BINARIES := rapper roqet chromium java virtuoso-t

.PHONY: demo test lint venv native test-deps debian-deps graphs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[native]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,native]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

# kg/extract compiled by mypyc into kg/_native/ (a few minutes; nothing when it is current).
# Without a C compiler it says so and the sources run; the build is used only while every
# source is unchanged (kg/native.py), so an edit is never shadowed by an old build.
native: $(VENV)/.installed
	$(KG) native build

demo: native
	rm -rf $(STORE)
	$(KG) build --store $(STORE) --out graphs
	$(MAKE) --no-print-directory graphs

# Pictures and pages derived from the store (offline HTML views).
graphs:
	@if $(KG) render --help >/dev/null 2>&1; then \
	  $(KG) render --store $(STORE) --view full -o graphs/defense-kg.html && \
	  $(KG) render --store $(STORE) --view states -o graphs/states.html && \
	  $(KG) render --store $(STORE) --view ontology -o graphs/ontology.html && \
	  $(KG) render --store $(STORE) --view timeline:JPN:KOR -o graphs/timeline-JPN-KOR.html; \
	fi

# Installed without questions (debconf noninteractive) and without starting services: the
# Virtuoso package would start a system instance; a policy-rc.d that refuses is put in place
# for the install when none exists, and any instance the install started anyway is stopped
# and disabled (the tests start their own, on loopback, from a private virtuoso.ini).
debian-deps:
	@missing=""; for b in $(DEBIAN_TEST_BINARIES); do command -v $$b >/dev/null 2>&1 || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  policy=""; if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' | $$SUDO tee /usr/sbin/policy-rc.d >/dev/null && $$SUDO chmod 755 /usr/sbin/policy-rc.d && policy=1; \
	  fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold $(DEBIAN_TEST_PACKAGES) >/dev/null; \
	  status=$$?; \
	  if [ -n "$$policy" ]; then $$SUDO rm -f /usr/sbin/policy-rc.d; fi; \
	  if [ -x /etc/init.d/virtuoso-opensource-7 ]; then \
	    $$SUDO /etc/init.d/virtuoso-opensource-7 stop >/dev/null 2>&1 || true; \
	    $$SUDO update-rc.d virtuoso-opensource-7 disable >/dev/null 2>&1 || true; \
	  fi; \
	  exit $$status; \
	fi

test-deps: $(VENV)/.installed-test debian-deps

# Lint and types first: a ruff or mypy finding fails `make test` before the suite runs.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check kg tests scripts
	$(BIN)/ruff format --check kg tests scripts
	$(BIN)/mypy kg

# KG_NATIVE_REQUIRED: where the compiler is there, the compiled extractor must be in use
test: test-deps lint native
	KG_NATIVE_REQUIRED=1 $(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .kg build dist kg/_native kg/_native.*
