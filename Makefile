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
	$(BIN)/tracker export --db build/demo.db --output build/demo.jsonl
	$(BIN)/tracker list --db build/demo.db
	@# The main job for real: a simulated newsroom on 127.0.0.1 publishes the same stories in
	@# accelerated time (a day in about 20 s) and `tracker watch` follows its feed.
	@rm -f build/watch.db build/watch.db-wal build/watch.db-shm build/watch.db.watch.lock
	@$(BIN)/python -m tracker.watch.simulator snapshots --together --speed 4500 > build/newsroom.url & \
	  echo $$! > build/newsroom.pid; sleep 1; \
	  $(BIN)/tracker watch "$$(head -1 build/newsroom.url)/feed.xml" --db build/watch.db \
	    --for 20s --interval 1s --delay 0; code=$$?; kill $$(cat build/newsroom.pid); exit $$code
	$(BIN)/tracker list --db build/watch.db
	@# The report site of what the watcher stored: what a standards editor opens every morning.
	$(BIN)/tracker report --db build/watch.db --out build/site > /dev/null
	@echo "Stores: $(CURDIR)/build/demo.db (imported), $(CURDIR)/build/watch.db (watched; try: .venv/bin/tracker serve --db build/watch.db)"
	@echo "One-page report of the examples: $(CURDIR)/build/demo.html"
	@echo "HTML report (the site of the watched store): $(CURDIR)/build/site/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/store.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/watch.py

clean:
	rm -rf $(VENV) build .pytest_cache .hypothesis
