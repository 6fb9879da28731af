# Huitan: `make run` serves the app, `make test` runs the whole suite.
# Both create .venv, install Python packages and (as root) the Debian packages they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEB_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk chromium poppler-utils nginx
export FLASK_APP := app

.PHONY: run test setup debian-packages translations clean-db bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

debian-packages:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    for attempt in 1 2 3 4 5 6; do \
	      apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq $$missing >/dev/null && break; \
	      [ $$attempt = 6 ] && exit 1; echo "apt is busy (another install?): retrying in 20 s"; sleep 20; \
	    done; \
	  else \
	    echo "missing Debian packages; please run:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	  fi; \
	fi

translations: $(VENV)/.installed
	@$(BIN)/pybabel -q compile -d facilitation/translations

setup: debian-packages $(VENV)/.installed translations

run: setup
	@mkdir -p instance
	$(BIN)/flask init-db
	@if [ ! -f instance/.demo-loaded ]; then $(BIN)/flask demo && touch instance/.demo-loaded; \
	 else echo "demo data already loaded (logins: see README.md)"; fi
	@echo "Huitan is serving on http://$${HOST:-127.0.0.1}:$${PORT:-5000}"
	$(BIN)/python app.py

test: setup
	$(BIN)/python -m pytest -q -p no:cacheprovider tests

bench: setup
	$(BIN)/python bench/roster_import.py
