# The front door. `make run` and `make test` work on a fresh Debian 12 machine.
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
BUILD_DIR ?= build
TEST_DIR ?= build-test
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
DEMO_DB ?= fabrique-demo.db
DEMO_LISTEN ?= 127.0.0.1:8080

# Every build uses clang++ (Debian's clang): it compiles this code in 0.6 times
# GCC's CPU time, and the warnings CI makes errors are then those of the build
# an operator makes. Unity batches: each header's inline code is compiled once
# per batch of files, not once per file.
COMPILER = -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_UNITY_BUILD=ON
# make test and make check share one build: sanitized, -O1 -g1 (half the compile
# time of -O2 -g, the same checks).
TEST_CONFIG = $(COMPILER) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" -DFABRIQUE_SANITIZE=ON -DFABRIQUE_BENCH=OFF
# Tests at once (the browser journeys apart): one more than the cores, since
# the database and server tests spend part of their time waiting.
TEST_JOBS ?= $(shell echo $$(( $(JOBS) + 1 )))
# Ninja when installed, for a new build directory (an existing one keeps its generator).
NINJA := $(if $(shell command -v ninja 2>/dev/null),-G Ninja)
generator = $(if $(wildcard $(1)/CMakeCache.txt),,$(NINJA))
# Fast checks of the source tree, before any build: includes only point down
# (scripts/check-layers), every route is in docs/architecture.md, French and
# English typography in templates and messages (scripts/check-typography).
SOURCE_CHECKS = scripts/check-layers && scripts/check-route-table && scripts/check-typography

.PHONY: all build run test check bench fmt fmt-check fuzz setup clean

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/CMakeCache.txt:
	@scripts/setup
	cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) $(COMPILER) -DCMAKE_BUILD_TYPE=Release \
	  -DFABRIQUE_TESTS=OFF

build: $(BUILD_DIR)/CMakeCache.txt
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The platform with a demo city, on $(DEMO_DB), at http://$(DEMO_LISTEN).
run: build
	@scripts/demo $(BUILD_DIR)/fabrique $(DEMO_DB) $(DEMO_LISTEN)

# The whole suite, on a build with AddressSanitizer and UndefinedBehaviorSanitizer,
# the store's tests on SQLite and on a throwaway PostgreSQL (required, never skipped);
# the browser journeys start while the test binaries compile (scripts/test-suite).
test:
	@scripts/setup
	$(SOURCE_CHECKS)
	cmake -S . -B $(TEST_DIR) $(call generator,$(TEST_DIR)) $(TEST_CONFIG)
	scripts/test-suite $(TEST_DIR) $(JOBS) $(TEST_JOBS)

# The edit-compile-test loop: make test's build, brought up to date, then the
# tests but the browser journeys (ctest label `browser`), on both databases,
# of every area whose binary or inputs changed since it last passed here
# (scripts/check-tests). One area, changed or not: make check AREA=budgets
# (ctest labels: the directories of tests/); every area: make check ALL=1.
check:
	$(SOURCE_CHECKS)
	cmake -S . -B $(TEST_DIR) $(call generator,$(TEST_DIR)) $(TEST_CONFIG) > /dev/null
	cmake --build $(TEST_DIR) -j $(JOBS)
	scripts/check-tests $(TEST_DIR) $(TEST_JOBS) $(AREA)

bench: $(BUILD_DIR)/CMakeCache.txt
	@scripts/setup
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DFABRIQUE_BENCH=ON
	cmake --build $(BUILD_DIR) -j $(JOBS) --target fabrique_bench fabrique_budget_bench fabrique_signup_flood_bench fabrique
	$(BUILD_DIR)/fabrique_bench --table
	bench/http_load $(BUILD_DIR)/fabrique
	$(BUILD_DIR)/fabrique_budget_bench $(BUILD_DIR)/fabrique
	$(BUILD_DIR)/fabrique_signup_flood_bench $(BUILD_DIR)/fabrique

# Each target FUZZ_SECONDS (300 by default): the .pb reader, the census CSV
# reader, the form/cookie decoders, the paper-ballot file and ballot form readers.
fuzz:
	@scripts/setup
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(call generator,$(FUZZ_DIR)) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFABRIQUE_FUZZ=ON -DFABRIQUE_TESTS=OFF -DFABRIQUE_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_pabulib_reader fuzz_census_csv fuzz_form_decoder fuzz_paper_ballots
	mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/corpus-census $(FUZZ_DIR)/corpus-form $(FUZZ_DIR)/corpus-ballots
	$(FUZZ_DIR)/fuzz_pabulib_reader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -dict=fuzz/pabulib.dict \
	  $(FUZZ_DIR)/corpus fuzz/seeds tests/data/broken
	$(FUZZ_DIR)/fuzz_census_csv -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  $(FUZZ_DIR)/corpus-census
	$(FUZZ_DIR)/fuzz_form_decoder -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  $(FUZZ_DIR)/corpus-form
	UBSAN_OPTIONS=halt_on_error=1 $(FUZZ_DIR)/fuzz_paper_ballots -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -dict=fuzz/paper_ballots.dict \
	  $(FUZZ_DIR)/corpus-ballots fuzz/seeds-ballots

fmt:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

fmt-check:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR)
