# newsarchive: `make archive` runs the nightly crawl, `make test` what CI runs.
# Both set up everything they need on a fresh clone with only python3 and make present.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA ?= data
SITES ?=
# make archive REDIS_URL=redis://HOST:6379/0: this machine is one worker of a shared crawl.
REDIS_URL ?=
# make schedule: the local time of the nightly crawl (HH:MM).
SCHEDULE ?= 02:30
PYTEST_ARGS ?=
# ReplayWeb.page's static build (index.html, ui.js, sw.js), from its npm package, unpacked here.
RWP_VERSION := 2.5.3
RWP_DIR := $(VENV)/tools/replaywebpage-$(RWP_VERSION)

.PHONY: install chromium redis-server nginx test lint typecheck archive schedule unschedule bench clean

install: $(STAMP) $(RWP_DIR)/index.html chromium redis-server nginx

# The system pip (23.x) cannot resolve lxml[html_clean] for readability-lxml: upgrade it first.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dev]'
	# pywb and py-wacz judge our archives in the tests. They live in a venv of their own: every
	# pywb release needs brotlipy, whose brotli module shadows Brotli's and breaks Scrapy's
	# br decoding if installed beside it.
	$(PYTHON) -m venv $(VENV)/tools
	$(VENV)/tools/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/tools/bin/python -m pip install --quiet 'pywb==2.10.0' 'wacz==0.6.0'
	touch $(STAMP)

# The tests open our WACZ in ReplayWeb.page in headless Chromium, Debian's build (apt is the only
# place a browser comes from here; playwright drives it, but never downloads one).
chromium:
	@command -v chromium >/dev/null || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The tests of shared crawls (tests/crawler/test_distributed.py) start a real Redis on a free
# loopback port: Debian's redis-server, installed where missing (not started as a service here).
redis-server:
	@command -v redis-server >/dev/null || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server; }

# bench/crawl.py serves its generated site with nginx (bench/nginx.py): a Python server would take
# CPU from the crawl it measures. Debian's, installed where missing, never started as a service.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx-light; }

# npm pack fetches the package's tarball only: its built files need none of its dependencies.
$(RWP_DIR)/index.html:
	rm -rf $(RWP_DIR).tmp && mkdir -p $(RWP_DIR).tmp
	cd $(RWP_DIR).tmp && npm pack --silent replaywebpage@$(RWP_VERSION) >/dev/null
	tar -xzf $(RWP_DIR).tmp/replaywebpage-$(RWP_VERSION).tgz -C $(RWP_DIR).tmp --strip-components=1
	rm $(RWP_DIR).tmp/replaywebpage-$(RWP_VERSION).tgz
	rm -rf $(RWP_DIR) && mv $(RWP_DIR).tmp $(RWP_DIR)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy model pipelines archive

# The nightly job needs the virtualenv only, not the browser and archive tools the tests use.
archive: $(STAMP)
	$(BIN)/newsarchive crawl --data $(DATA) $(if $(REDIS_URL),--redis $(REDIS_URL)) $(SITES)

# A nightly `make archive DATA=...` from here: a systemd user timer (Persistent=true), or a
# crontab line where there is no user systemd. Both print what they install or remove.
schedule: $(STAMP)
	$(BIN)/newsarchive schedule install --repo $(CURDIR) --data $(DATA) --at $(SCHEDULE)

unschedule: $(STAMP)
	$(BIN)/newsarchive schedule remove --repo $(CURDIR)

bench: install
	@test -n "$(BENCH_DATA)" || { echo "usage: make bench BENCH_DATA=path/to/aeb-dev"; exit 2; }
	$(BIN)/python bench/extraction.py $(BENCH_DATA)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
