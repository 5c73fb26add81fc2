# Kairan: the two commands a city needs, plus a few for developers.
#   make run    installs what is missing, builds, starts the server on http://127.0.0.1:8080 (data in ./data)
#   make test   installs what is missing, builds (normal and ASan/UBSan), runs every test
#   make        builds build/kairan
.PHONY: all run test deps deps-test unit asan test-api test-api-pg test-e2e test-asan fuzz fuzz-short clean format contract deb test-deb

all: build/build.ninja
	ninja -C build

build/build.ninja:
	meson setup build >/dev/null

build-asan/build.ninja:
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null

deps:
	@scripts/install-deps.sh

deps-test:
	@scripts/install-deps.sh test

run: deps all
	./build/kairan serve

asan: build-asan/build.ninja
	ninja -C build-asan

unit: all
	meson test -C build --print-errorlogs --suite unit

# Protocol tests drive the real binary over HTTP and WebSocket (node --test).
test-api: all
	KAIRAN_BIN=build/kairan node --test --test-concurrency=2 tests/api/

# The same protocol tests on PostgreSQL: a throwaway PostgreSQL 15 (scripts/pg.sh) in a temporary
# directory, a database per test server (KAIRAN_TEST_PG, see tests/api/lib/harness.mjs), stopped
# and removed afterwards whatever the outcome.
test-api-pg: all
	@pg=$$(mktemp -d /tmp/kairan-pg.XXXXXX); \
	trap 'scripts/pg.sh stop "$$pg" || true; rm -rf "$$pg"' EXIT; \
	trap 'exit 130' INT TERM; \
	sock=$$(scripts/pg.sh start "$$pg") || exit 1; \
	echo "test-api-pg: PostgreSQL on $$sock"; \
	KAIRAN_TEST_PG="$$sock" KAIRAN_BIN=build/kairan node --test --test-concurrency=2 tests/api/; \
	rc=$$?; exit $$rc

test-e2e: all
	KAIRAN_BIN=build/kairan node --test --test-concurrency=1 --test-timeout=240000 tests/e2e/

test-asan: asan
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C build-asan --print-errorlogs --suite unit
	ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  KAIRAN_BIN=build-asan/kairan KAIRAN_SANITIZED=1 node --test --test-concurrency=2 tests/api/

# libFuzzer targets for every input from the network or a file (see tests/fuzz/).
fuzz:
	tests/fuzz/run.sh 60

fuzz-short:
	tests/fuzz/run.sh 5

# The Debian package (build-deb/), and a test that installs, serves and purges it (as root;
# kept out of `make test` for CI's time).
deb:
	scripts/make-deb.sh

test-deb: deb
	scripts/test-deb.sh

contract: all
	node ../shared/contract/check.mjs

test: deps-test
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) test-api
	$(MAKE) test-api-pg
	$(MAKE) test-e2e
	$(MAKE) test-asan
	$(MAKE) fuzz-short

# Benchmarks (issue 4): load generator, scenarios S1–S6, bench/results/REPORT.md (≈ 10 minutes).
.PHONY: bench
bench: all
	bench/build.sh
	bench/run.sh

# Search benchmark (issue 9): a generated corpus indexed three ways (Kairan's bigrams, FTS5
# trigram, LIKE); figures into bench/results/search.json and the Search section of REPORT.md.
# SEARCH_MESSAGES sets the corpus size (default 10,000,000, ≈ 12 minutes and 3 GB in /var/tmp;
# SEARCH_MESSAGES=1000000 for a quick look).
.PHONY: bench-search
bench-search: all
	ninja -C build searchbench
	build/searchbench $${SEARCH_MESSAGES:-10000000} bench/results/search.json
	node bench/search-report.mjs bench/results/search.json

# The peers (issue 4): Mosquitto, Prosody and ejabberd (Debian packages, installed if missing), S1
# and S3 with bench/bin/peerload, plus Kairan's S3 at 1,000 once more in the same session, then
# REPORT.md again with the side-by-side section (≈ 9 minutes; the rest of the report is the last
# `make bench`, not rerun). Kept out of `make bench`, whose 15-minute budget it would pass.
.PHONY: bench-peers
bench-peers: all
	bench/build.sh
	bench/peers/run.sh
	BENCH_REPORT_KEEP_RUN=1 node bench/report.mjs bench/results

# Several nodes (issue 10): one SQLite node against two nodes on one PostgreSQL (scripts/pg.sh) at
# the same S2/S3 load — latency on the same node and across nodes, CPU per node and PostgreSQL's
# per 1,000 deliveries — and the durable-send ceiling on each store; bench/results/cluster.json and
# CLUSTER.md (≈ 2.5 minutes). Kept out of `make bench`.
.PHONY: bench-cluster
bench-cluster: all
	bench/build.sh
	bench/cluster.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c' 'bench/*.h')

clean:
	rm -rf build build-asan
