# The front door. `make run` and `make test` work on a fresh Debian 12 machine.
JOBS ?= $(shell nproc)
MAKEFLAGS += --no-print-directory
BUILD_DIR ?= build
TEST_DIR ?= build-test
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 300
DEMO_FILE ?= $(shell scripts/pabulib-dir)/Poland_Wieliczka_2023_Green_Budget.pb

.PHONY: all build run test bench fmt fmt-check fuzz setup clean

all: build

setup:
	@scripts/setup

$(BUILD_DIR)/build.ninja $(BUILD_DIR)/Makefile:
	@scripts/setup
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DFABRIQUE_TESTS=OFF

build: $(BUILD_DIR)/Makefile
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Until the web server exists: count a real election with every rule.
run: build
	@scripts/demo $(BUILD_DIR)/fabrique $(DEMO_FILE)

# The whole suite, on a build with AddressSanitizer and UndefinedBehaviorSanitizer.
test:
	@scripts/setup
	cmake -S . -B $(TEST_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFABRIQUE_SANITIZE=ON -DFABRIQUE_BENCH=OFF
	cmake --build $(TEST_DIR) -j $(JOBS)
	cd $(TEST_DIR) && ctest --output-on-failure -j $(JOBS)

bench: $(BUILD_DIR)/Makefile
	cmake -S . -B $(BUILD_DIR) -DFABRIQUE_BENCH=ON
	cmake --build $(BUILD_DIR) -j $(JOBS) --target fabrique_bench
	$(BUILD_DIR)/fabrique_bench --table

fuzz:
	@scripts/setup
	CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFABRIQUE_FUZZ=ON -DFABRIQUE_TESTS=OFF -DFABRIQUE_BENCH=OFF
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzz_pabulib_reader
	mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz_pabulib_reader -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	  -dict=fuzz/pabulib.dict \
	  $(FUZZ_DIR)/corpus fuzz/seeds tests/data/broken

fmt:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format -i

fmt-check:
	find src tests bench fuzz -name '*.cpp' -o -name '*.hpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf $(BUILD_DIR) $(TEST_DIR) $(FUZZ_DIR)
