# make book   install what is needed, build the book into _build/html (strict)
# make test   install what is needed, run the whole test suite
# make bench  install what is needed, measure the budgets (see chapters/benchmarks.md)
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: book test bench lint venv clean

venv:
	VENV=$(VENV) scripts/setup_venv.sh

# -W: any warning fails the build; -n: nitpicky cross-references;
# --keep-going: report every warning before failing.
book: venv
	$(BIN)/jupyter-book build . -W -n --keep-going

# pytest exits 5 when it collects no tests; make treats that as a failure too.
test: venv
	$(BIN)/python -m pytest -n 2

bench: venv
	$(BIN)/python scripts/benchmark.py $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf _build
