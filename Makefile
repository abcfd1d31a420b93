# contractkit: `make serve` runs the web app with demo data; `make demo` drafts every example;
# `make test` runs every check. Each sets up what is missing first: Debian packages (LibreOffice,
# fonts, poppler, Tesseract; for the tests also Chromium and PostgreSQL), a venv, packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CK     := $(BIN)/contractkit
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS   := libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito poppler-utils tesseract-ocr tesseract-ocr-eng python3-uno
EXAMPLES := $(wildcard examples/*.yaml)
DATA   := var
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve demo test setup system test-system venv lint check bench clean

demo: setup
	rm -rf out && mkdir -p out
	$(CK) lint --strict
	$(CK) batch $(EXAMPLES) --outdir out --to docx
	$(CK) batch $(EXAMPLES) --outdir out --to pdf
	$(CK) verify out/*.docx out/*.pdf
	@echo "demo: agreements are in out/"

# The web app on http://127.0.0.1:8000 with its database under var/, the example deals and one
# demo user per role (their logins are printed). Stop it with Ctrl-C; the data stays in var/.
serve: setup
	$(CK) serve --data $(DATA) --demo --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then the web tests again on a throwaway PostgreSQL server.
test: setup test-system check
	$(BIN)/pytest -q -p no:cacheprovider
	CONTRACTKIT_TEST_POSTGRES=1 $(BIN)/pytest -q -p no:cacheprovider tests/test_web_*.py

# mypy's Django plugin imports the settings, which need a data folder: give it a private one.
check: setup
	$(BIN)/ruff check contractkit tests bench
	CONTRACTKIT_DATA_DIR=$(CURDIR)/.mypy_cache/contractkit-data $(BIN)/mypy
	$(CK) lint --strict

setup: system venv

# Debian packages, only where missing: soffice for PDFs, metric-compatible fonts, pdftoppm, Tesseract
# with English (verify reads each rendered PDF page back by OCR), and LibreOffice's Python bindings for
# the warm PDF pool (its unoserver runs under /usr/bin/python3, which must `import uno`; unoserver
# itself is a Python dependency of contractkit, handed to that Python by path: docs/pdf.md).
system:
	@missing=""; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -q "Liberation Sans" || missing="$$missing fonts-liberation2"; \
	fc-list 2>/dev/null | grep -q "Carlito" || missing="$$missing fonts-crosextra-carlito"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx "eng" || missing="$$missing tesseract-ocr-eng"; \
	/usr/bin/python3 -c "import uno" >/dev/null 2>&1 || missing="$$missing python3-uno"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# For the tests only, where missing: Chromium for the browser tests (driven by Playwright from
# /usr/bin/chromium; no browser download, no chromedriver) and a PostgreSQL server to start.
test-system:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

bench: setup
	$(BIN)/python bench/draft.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/redline.py
	$(BIN)/python bench/verify.py
	$(BIN)/python bench/signing.py
	$(BIN)/python bench/ocr_noise.py
	$(BIN)/python bench/register.py
	$(BIN)/python bench/yaml_input.py
	$(BIN)/python bench/exclusivity.py
	$(BIN)/python bench/web.py

clean:
	rm -rf out .venv .pytest_cache .mypy_cache .ruff_cache  # var/ (the web app's data) is kept
