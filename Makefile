# Two commands for a fresh machine: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	@mkdir -p build
	$(BIN)/tracker series snapshots --html build/demo.html
	$(BIN)/tracker import snapshots --db build/demo.db
	@rm -f build/demo-newsedits.db
	$(BIN)/tracker export --db build/demo.db --format newsedits --output build/demo-newsedits.db
	$(BIN)/tracker list --db build/demo.db
	@echo "HTML report: $(CURDIR)/build/demo.html"
	@echo "Store: $(CURDIR)/build/demo.db (try: .venv/bin/tracker log 1 --db build/demo.db)"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/startup.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
