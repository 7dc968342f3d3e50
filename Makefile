# make book   install what is needed, build the book into _build/html (strict)
# make test   install what is needed (Chromium too), run the whole test suite
# make bench  install what is needed, measure the budgets (see chapters/benchmarks.md)
# make results              run the heavy experiments whose stored results are missing or stale
#                           (assets/results/, both cores; FORCE=1 reruns all, JOBS=n sets the processes)
# make results NAME=<name>  rerun one experiment (python -m nonlinear.study --list names them)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: book test bench lint venv node browser clean results

venv:
	VENV=$(VENV) scripts/setup_venv.sh

node:
	scripts/setup_node.sh

browser:
	scripts/setup_browser.sh

# -W: any warning fails the build; -n: nitpicky cross-references;
# --keep-going: report every warning before failing.
book: venv node
	$(BIN)/jupyter-book build . -W -n --keep-going

# pytest exits 5 when it collects no tests; make treats that as a failure too.
test: venv node browser
	$(BIN)/python -m pytest -n 2

bench: venv node
	$(BIN)/python scripts/measure_budgets.py $(BENCH_ARGS)

results: venv
	$(BIN)/python -m nonlinear.study --jobs $(or $(JOBS),2) $(if $(NAME),--name $(NAME)) $(if $(FORCE),--force)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf _build
