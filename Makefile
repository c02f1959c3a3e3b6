# Two entry points (see README): `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= sqlite:///var/demo.db
EXAMPLE := examples/op-ed-ceasefire.txt
DEMO_PORT ?= 8080
# A second, livelier thread for the queue: replies, insults, a spammer posting twice, an anonymous comment.
DEMO_THREAD := examples/demo-discussion.jsonl
DEMO_REPORTED := e9428c6c69e329b5  # its comment 11 (id: threadwise.model.make_id("demo-main-street", "11"))
DEMO_CORAL_SECRET ?= demo-coral-secret

.PHONY: install demo test lint typecheck clean bench browser dist node-clients

install: $(VENV)/.installed

# torch goes in first, pinned: anything that pulls an unpinned torch would fetch a multi-GB CUDA build.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: install
	mkdir -p var
	$(BIN)/threadwise ingest $(EXAMPLE) $(DEMO_THREAD) --db $(DEMO_DB)
	$(BIN)/threadwise show $(EXAMPLE) --db $(DEMO_DB)
	$(BIN)/threadwise analyze $(EXAMPLE) --db $(DEMO_DB)
	$(BIN)/threadwise threads --db $(DEMO_DB)
	$(BIN)/threadwise moderate $(EXAMPLE) --db $(DEMO_DB)
	$(BIN)/threadwise moderate $(DEMO_THREAD) --db $(DEMO_DB)
	$(BIN)/threadwise reports add $(DEMO_REPORTED) --reason "personal attack on a councillor" --db $(DEMO_DB)
	# After moderating, so that the report's neutrality section has the decisions to count.
	$(BIN)/threadwise report $(EXAMPLE) --db $(DEMO_DB) -o var/demo-report.html
	$(BIN)/threadwise keys create --role admin --name demo --db $(DEMO_DB) > var/demo-key.txt
	echo "http://127.0.0.1:$(DEMO_PORT)" > var/demo-url.txt
	@echo "Report: var/demo-report.html. Serving on http://127.0.0.1:$(DEMO_PORT): queue UI at /ui (sign in with"
	@echo "the key in var/demo-key.txt), OpenAPI at /docs. Try it: .venv/bin/python examples/try_demo_server.py"
	THREADWISE_CORAL_SECRETS=$(DEMO_CORAL_SECRET) $(BIN)/threadwise serve --db $(DEMO_DB) --port $(DEMO_PORT)

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy

# The browser tests drive Debian's chromium (Playwright's own browser download cannot run here).
browser:
	test -x /usr/bin/chromium || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

# Perspective's npm client for the real-client tests, into tests/clients/node (skipped where npm is absent).
node-clients:
	@if command -v npm >/dev/null; then npm ci --prefix tests/clients/node --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the npm Perspective client test will be skipped"; fi

test: lint browser node-clients
	$(BIN)/pytest

# sdist and wheel in dist/; without isolation the pinned setuptools of .venv builds them, offline.
dist: install
	$(BIN)/python -m build --no-isolation

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

bench: install
	$(BIN)/python benchmarks/bench_conduct.py --comments 256
	$(BIN)/python benchmarks/bench_pipeline.py --comments 512
	$(BIN)/python benchmarks/bench_multilingual.py
	$(BIN)/python benchmarks/bench_batch.py --sizes 10000 --workers 1 2
