# The GRU Book: the three commands the README promises.
#   make setup   create .venv and install everything (CPU-only torch, pinned versions; the site's JS via npm)
#   make book    execute every chapter and build the static site into _build/html
#   make test    lint (ruff), build the book, then run every test (unit, build, audit, browser)
# For teaching (README, "Teaching with the book"): make student, make assignments, make slides, make pdf
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
JB_FLAGS ?= -W -n --keep-going

.PHONY: setup book audit test lint unit bench clean student pdf slides assignments experiment

# torch from PyTorch's CPU wheel index on Linux (PyPI's Linux torch is the multi-GB CUDA build); the
# standard wheel elsewhere (macOS wheels are CPU-only). Only the torch install names that index, with
# one retry: an unreachable extra index slows every lookup (the pinned wheel may already be local).
TORCH_INDEX := $(if $(filter Linux,$(shell uname -s)),--extra-index-url https://download.pytorch.org/whl/cpu --retries 1 --timeout 15,)

setup:
	@sh scripts/check_prereqs.sh $(PY)
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install --no-deps torch==2.13.0 $(TORCH_INDEX)
	# before anything else is installed: a CUDA torch here would pull GBs of CUDA libraries next
	# (Linux only: macOS wheels are CPU-only). A CUDA wheel is +cuXXX or requires nvidia-* packages.
	@[ "$(shell uname -s)" != Linux ] || $(BIN)/python -c "import sys, importlib.metadata as m; \
	  sys.exit('+cu' in m.version('torch') or \
	  any(r.startswith('nvidia') for r in (m.requires('torch') or [])))" || \
	  { echo "make setup: a CUDA build of torch was installed; PyTorch's CPU index could not be used" \
	    "(pip install --force-reinstall --no-deps torch==2.13.0 --index-url" \
	    "https://download.pytorch.org/whl/cpu fixes it)"; exit 1; }
	# requirements.txt then finds torch==2.13.0 (+cpu) installed, and brings torch's own dependencies
	$(BIN)/pip install -r requirements.txt
	$(BIN)/pip install --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3"
	npm ci --ignore-scripts --no-audit --no-fund   # MathJax, plotly.js (cartesian bundle), Thebe (package-lock.json)

book:
	OPENBLAS_NUM_THREADS=1 $(BIN)/jupyter-book build . $(JB_FLAGS)

# axe-core in Chromium over every built page; writes the results into the built accessibility page
# (without Chromium the page keeps its "not audited" note). The browser tests read those results: they
# fail on any serious or critical violation and on a page not audited or changed since.
audit:
	$(BIN)/python -m grubook_site.audit _build/html

# The student edition: the chapter notebooks without their solutions, each exercise with a starter
# cell, in _build/student/ (checked against the instructor notebooks: fails if a solution survives).
student:
	$(BIN)/python -m grubook_site.student _build/student

# The autograded assignments (Otter-Grader): per chapter, its exercise sheet in _build/assignments/
# <chapter>/ (student/ to hand out, autograder/ with autograder.zip and the solutions), each graded
# offline with Otter's local runner (no Docker): solutions full marks, untouched notebook zero, one
# spoiled answer loses exactly its question's point; the handed-out notebook gives nothing away.
assignments:
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m grubook_site.assignments --check _build/assignments

# The whole book as one PDF, _build/pdf/gru-book.pdf, printed by headless Chromium from the built
# site (run `make book` first), offline: grubook_site.pdf.
pdf:
	$(BIN)/python -m grubook_site.pdf _build/html _build/pdf

# A reveal.js deck per chapter, _build/slides/<chapter>.html, cut from the built site (run `make
# book` first): objectives, key equations, figures (Plotly live, with sliders), results with the
# page's glued numbers, exercises as prompts. Offline: grubook_site.slides.
slides:
	$(BIN)/python -m grubook_site.slides _build/html _build/slides

# Chapter 6's study, trained to the best (under an hour on 2 cores): writes and commits
# src/grubook/energy/results (see the README). Not part of `make book` or `make test`.
experiment:
	$(BIN)/python -m grubook.experiments energy

unit:
	$(BIN)/python -m pytest -m "not build and not browser"

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Every test, in three steps, so that CI (2 cores) stays within its 15 minutes:
# 1. the tests that need no browser, while `make audit` drives Chromium (they share nothing);
# 2. the browser tests that time nothing, in two lanes at once, of about equal length: the built
#    book's pages (one shared visit of every page, figure layout, slides) and the rest (the
#    fixture site, figure access, PDF, Live Code);
# 3. the browser tests that time the page (the labs' 16 ms, the playground's steps), alone.
# A new browser test file joins lane 2's second run; one that times the page goes in TIMED.
BOOK_PAGES := $(addprefix tests/browser/test_,accessibility.py site.py figure_layout.py slides.py)
TIMED := tests/browser/test_adder_lab.py tests/browser/test_gate_lab.py tests/browser/test_playground.py
REST := tests/browser $(foreach f,$(BOOK_PAGES) $(TIMED),--ignore=$(f))

test: lint book
	@$(MAKE) --no-print-directory audit > _build/audit.log 2>&1 & audit=$$!; \
	$(BIN)/python -m pytest -m "not browser" --durations=15; unit=$$?; \
	wait $$audit; audited=$$?; cat _build/audit.log; \
	[ $$audited -eq 0 ] || { echo "make test: make audit failed (above)"; exit 1; }; \
	$(BIN)/python -m pytest $(BOOK_PAGES) --durations=5 > _build/browser-pages.log 2>&1 & pages=$$!; \
	$(BIN)/python -m pytest $(REST) --durations=10; rest=$$?; \
	wait $$pages; pages=$$?; cat _build/browser-pages.log; \
	$(BIN)/python -m pytest $(TIMED) --durations=5; timed=$$?; \
	[ $$unit -eq 0 ] && [ $$pages -eq 0 ] && [ $$rest -eq 0 ] && [ $$timed -eq 0 ]

bench:
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build
