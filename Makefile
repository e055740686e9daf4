# Two commands do all set-up on a fresh machine:
#   make demo   build the bundled corpus into graphs/
#   make test   install test tools (Python extras, Debian packages) and run the whole suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KG := $(BIN)/kg
STORE ?= .kg/store
DEBIAN_TEST_PACKAGES := raptor2-utils rasqal-utils chromium default-jre-headless
DEBIAN_TEST_BINARIES := rapper roqet chromium java

.PHONY: demo test venv test-deps debian-deps graphs clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed

demo: $(VENV)/.installed
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

debian-deps:
	@missing=""; for b in $(DEBIAN_TEST_BINARIES); do command -v $$b >/dev/null 2>&1 || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEBIAN_TEST_PACKAGES) >/dev/null; \
	fi

test-deps: $(VENV)/.installed-test debian-deps

test: test-deps
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) .kg build dist
