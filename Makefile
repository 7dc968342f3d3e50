# make book         install what is needed, build the book into _build/html (strict; skipped
#                   when _build/html was built from exactly these inputs)
# make test         install what is needed (Chromium too), run the whole test suite (CI runs it;
#                   it ends with the 30 slowest tests)
# make test-quick   the suite without its slowest checks (2.5 to 4.5 min warm): the fresh
#                   environments (every page run again in Binder's, its outputs compared with the
#                   build's), the Chinese editions in the browser and otter grading of every lab
# make test-binder  only the tests that build fresh environments (marker binder)
# make serve        build if needed, then serve _build/html on http://127.0.0.1:8000
# make lab          open JupyterLab on the chapters and labs (.md chapters open as notebooks)
# make bench        install what is needed, measure the budgets (see chapters/benchmarks.md)
# make results              run the heavy experiments whose stored results are missing or stale
#                           (assets/results/, both cores; FORCE=1 reruns all, JOBS=n sets the processes)
# make results NAME=<name>  rerun one experiment (python -m nonlinear.study --list names them)
VENV ?= .venv
BIN := $(VENV)/bin
# Every command below runs numpy's matrix products with one OpenBLAS kernel, whatever the CPU, so
# that the stored experiments (make results) and the suite that recomputes them agree bit for bit
# on any x86-64 machine (nonlinear/study/store.py says why; it refuses to run on another kernel).
export OPENBLAS_CORETYPE := Haswell
PORT ?= 8000

.PHONY: book test test-quick test-binder serve lab bench lint venv node browser clean results

venv:
	VENV=$(VENV) scripts/setup_venv.sh

node:
	scripts/setup_node.sh

browser:
	scripts/setup_browser.sh

# Strict (-W: any warning fails; -n: nitpicky cross-references; --keep-going: report
# every warning first), every page executed fresh, several at a time. The fingerprint of
# the inputs (every file git sees, uncommitted changes included) decides whether to rebuild.
book: venv node
	$(BIN)/python scripts/build_book.py

# The suite reuses the build above when it is fresh (tests/conftest.py), and reads each
# page's execution from it instead of running the page again (tests/test_execution.py).
# pytest exits 5 when it collects no tests; make treats that as a failure too.
test: venv node browser
	$(BIN)/python -m pytest -n 2 --durations=30

# Leaves out (by marker; scripts/measure_budgets.py reads them from here) tests/test_binder.py
# and tests/test_grading_env.py (binder: fresh environments, about 1.4 GB for a while, removed at
# the end; every page runs a second time in Binder's, its outputs compared with the build's apart
# from clock readings), the Chinese editions' pages in the browser (editions; the English pages
# are read, and the Chinese editions are still built, searched and compared number by number), and
# otter run on every lab's full, partial and blank submissions (grading; lab 4 is still graded
# end to end, through scripts/grade_labs.py).
QUICK_MARKERS := not binder and not editions and not grading
test-quick: venv node browser
	$(BIN)/python -m pytest -n 2 --durations=30 -m "$(QUICK_MARKERS)"

test-binder: venv
	$(BIN)/python -m pytest -n 2 -m binder

# The site's search shows its result snippets only over http (a browser refuses
# the requests they need on file:// pages).
serve: book
	@echo "Serving _build/html on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# Kernels over Unix sockets, as everywhere in the project (no TCP port races).
lab: venv
	VENV=$(VENV) scripts/setup_lab.sh
	$(BIN)/jupyter lab --ServerApp.root_dir=. --KernelManager.transport=ipc $(LAB_ARGS)

bench: venv node
	$(BIN)/python scripts/measure_budgets.py $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf _build

results: venv
	$(BIN)/python -m nonlinear.study --jobs $(or $(JOBS),2) $(if $(NAME),--name $(NAME)) $(if $(FORCE),--force)
