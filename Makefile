# contractkit: `make demo` drafts every example; `make test` runs every check.
# Both set up what is missing first: Debian packages (LibreOffice, fonts, poppler, Tesseract), a venv, packages.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CK     := $(BIN)/contractkit
STAMP  := $(VENV)/.installed
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS   := libreoffice-writer-nogui fonts-liberation2 fonts-crosextra-carlito poppler-utils tesseract-ocr tesseract-ocr-eng
EXAMPLES := $(wildcard examples/*.yaml)

.PHONY: demo test setup system venv lint check bench clean

demo: setup
	rm -rf out && mkdir -p out
	$(CK) lint --strict
	$(CK) batch $(EXAMPLES) --outdir out --to docx
	$(CK) batch $(EXAMPLES) --outdir out --to pdf
	$(CK) verify out/*.docx out/*.pdf
	@echo "demo: agreements are in out/"

test: setup check
	$(BIN)/pytest -q -p no:cacheprovider

check: setup
	$(BIN)/ruff check contractkit tests bench
	$(BIN)/mypy
	$(CK) lint --strict

setup: system venv

# Debian packages, only where missing: soffice for PDFs, metric-compatible fonts, pdftoppm, and Tesseract
# with English (verify reads each rendered PDF page back by OCR).
system:
	@missing=""; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-writer-nogui"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	fc-list 2>/dev/null | grep -q "Liberation Sans" || missing="$$missing fonts-liberation2"; \
	fc-list 2>/dev/null | grep -q "Carlito" || missing="$$missing fonts-crosextra-carlito"; \
	command -v tesseract >/dev/null 2>&1 || missing="$$missing tesseract-ocr"; \
	tesseract --list-langs 2>/dev/null | grep -qx "eng" || missing="$$missing tesseract-ocr-eng"; \
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

clean:
	rm -rf out .venv .pytest_cache .mypy_cache .ruff_cache
