# The GRU Book: the three commands the README promises.
#   make setup   create .venv and install everything (CPU-only torch, pinned versions; the site's JS via npm)
#   make book    execute every chapter and build the static site into _build/html
#   make test    lint (ruff), build the book, then run every test (unit, build, browser)
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
JB_FLAGS ?= -W -n --keep-going

.PHONY: setup book test lint unit bench clean

setup:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	# torch first, from PyTorch's CPU wheel index (for torch alone: an unreachable extra index slows
	# every lookup): PyPI's torch for Linux is the multi-GB CUDA build. requirements.txt then finds
	# torch==2.13.0 (+cpu) installed.
	$(BIN)/pip install --no-deps torch==2.13.0 --extra-index-url https://download.pytorch.org/whl/cpu
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3"
	npm ci --ignore-scripts --no-audit --no-fund   # MathJax, plotly.js (cartesian bundle), Thebe (package-lock.json)

book:
	OPENBLAS_NUM_THREADS=1 $(BIN)/jupyter-book build . $(JB_FLAGS)

unit:
	$(BIN)/python -m pytest -m "not build and not browser"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint book
	$(BIN)/python -m pytest

bench:
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build
