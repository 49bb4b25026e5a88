# The book and its library: every target sets itself up on a fresh machine with Python >= 3.11.
#   make book    build the HTML book (chapters executed) into _build/html; with DATA=DIR, on a
#                study's own files into _build/<name>
#   make test    unit tests + doctests, every chapter executed (shipped and generated cohorts),
#                a clean -W book build, HTML
#                checks, every page in headless Chromium (installed from Debian when missing)
#   make test-cohorts  every chapter executed on twenty-two generated cohorts (not in make test)
#   make lint    ruff on the library, tests, tools and benchmarks; the public API's numpydoc
#                docstrings and type hints (tools/check_api.py)
#   make bench   the performance benchmarks (ratios measured side by side)
#   make lab     every chapter executed into _build/lab (numbers of the prose filled in) and
#                opened in JupyterLab with jupyterlab-myst; DATA=DIR for a study's files
#   make pdf     the book as one PDF (singlehtml build printed by headless Chromium, offline)
#   make lock    re-pin requirements/lock.txt and environment.yml
#   make clean   remove builds and caches (keeps .venv); make distclean also removes .venv

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
# cffconvert (validates CITATION.cff) pins an old jsonschema: it has an environment of its own.
CFF_VENV  := .venv-cff
CFF_STAMP := $(CFF_VENV)/.installed
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: book test test-cohorts unit chapters book-strict site-check browser-check pdf lint bench lab lock clean distclean

$(STAMP): requirements/lock.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed; set PYTHON=...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (ceuslib)" >/dev/null
	touch $(STAMP)

# make book DATA=path/to/study builds the same book on a study's files into _build/<name>.
book: $(STAMP)
	$(BIN)/python tools/build_book.py $(if $(DATA),--data "$(DATA)")

test: $(STAMP) $(CFF_STAMP) $(CHROMIUM)
	$(BIN)/python tools/run_tests.py

$(CFF_STAMP): requirements/cffconvert.txt
	test -x $(CFF_VENV)/bin/python || $(PYTHON) -m venv $(CFF_VENV)
	$(CFF_VENV)/bin/python -m pip install --quiet -r requirements/cffconvert.txt
	touch $(CFF_STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; nothing is downloaded).
$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "Chromium is needed at $(CHROMIUM): install it, or set CHROMIUM=/path/to/chromium"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

unit: $(STAMP) $(CFF_STAMP)
	$(BIN)/python -m pytest --junitxml=_build/reports/unit.xml

test-cohorts: $(STAMP)
	$(BIN)/python tools/cohorts.py --sweep

chapters: $(STAMP)
	$(BIN)/python tools/run_tests.py chapters

book-strict: $(STAMP)
	$(BIN)/python tools/run_tests.py book

site-check: $(STAMP)
	$(BIN)/python tools/run_tests.py site

browser-check: $(STAMP) $(CHROMIUM)
	$(BIN)/python tools/run_tests.py browser

pdf: $(STAMP) $(CHROMIUM)
	$(BIN)/python tools/build_book.py --builder singlehtml
	$(BIN)/python tools/make_pdf.py --chromium $(CHROMIUM)

lint: $(STAMP)
	$(BIN)/ruff check ceuslib tests tools bench conftest.py
	$(BIN)/ruff format --check ceuslib tests tools bench conftest.py
	$(BIN)/python tools/check_api.py

bench: $(STAMP)
	$(BIN)/python -m bench

lab: $(STAMP)
	$(BIN)/python tools/execute_chapters.py --out _build/lab $(if $(DATA),--data "$(DATA)")
	$(BIN)/jupyter lab --notebook-dir=. _build/lab/intro.ipynb

lock:
	$(PYTHON) tools/lock.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(CFF_VENV) ceuslib.egg-info
