# vidflow: the two commands of the README, and the pieces they are made of.
#   make run    - set up, build, and run the main job on its built-in default
#   make test   - set up, build, run the whole suite, then again under AddressSanitizer
#   make bench  - run every benchmark (prints BENCH lines)
#   make fuzz   - run every libFuzzer target for FUZZ_SECONDS each (fuzz/README.md)
#   make valgrind - two examples under valgrind memcheck
#   make soak   - RSS over a SOAK_MINUTES inference run and over 2,000 pipelines (bench/soak.c)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
SOAK_MINUTES ?= 10
# setup fetches ONNX Runtime's headers, so inference is required, never silently skipped; setup
# installs python3-dev, so the Python module is required too
MESON_OPTS ?= -Dwerror=true -Dinfer=enabled -Dpython=enabled

.PHONY: setup build run test test-fast test-asan test-fuzz fuzz valgrind soak bench clean

setup:
	@tools/setup.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: setup $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: build
	@tools/run-default.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) $(MESON_OPTS) -Db_sanitize=address -Dbuildtype=debug

test-fast: build
	meson test -C $(BUILD) --print-errorlogs --num-processes 2 || true
	@/usr/bin/python3 tools/test-summary.py "tests" $(BUILD)/meson-logs/testlog.json

test-asan: setup $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --timeout-multiplier 3 || true
	@/usr/bin/python3 tools/test-summary.py "tests under AddressSanitizer" $(ASAN_BUILD)/meson-logs/testlog.json

# The fuzz build (clang 14, AddressSanitizer, libFuzzer): only the library, the plugin and fuzz/.
$(FUZZ_BUILD)/build.ninja:
	CC=clang-14 meson setup $(FUZZ_BUILD) $(MESON_OPTS) -Dfuzzing=true -Db_sanitize=address \
	  -Db_lundef=false

# the fuzz targets briefly (fuzz_seconds, 20 s each) on their committed corpora
test-fuzz: setup $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	meson test -C $(FUZZ_BUILD) --suite fuzz --print-errorlogs --num-processes 2 || true
	@/usr/bin/python3 tools/test-summary.py "fuzz targets" $(FUZZ_BUILD)/meson-logs/testlog.json

fuzz: setup $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)
	VF_FUZZ_SECONDS=$(FUZZ_SECONDS) meson test -C $(FUZZ_BUILD) --suite fuzz --verbose \
	  --num-processes 1 --timeout-multiplier 0

test: build
	@$(MAKE) --no-print-directory test-fast; a=$$?; \
	 $(MAKE) --no-print-directory test-asan; b=$$?; \
	 $(MAKE) --no-print-directory test-fuzz; f=$$?; \
	 /usr/bin/python3 tools/test-summary.py "vidflow" $(BUILD)/meson-logs/testlog.json $(ASAN_BUILD)/meson-logs/testlog.json $(FUZZ_BUILD)/meson-logs/testlog.json; \
	 c=$$?; [ $$a = 0 ] && [ $$b = 0 ] && [ $$f = 0 ] && [ $$c = 0 ]

bench: build
	meson test -C $(BUILD) --benchmark --verbose

valgrind: build
	@tools/valgrind.sh $(BUILD)

soak: build
	VF_SOAK_MINUTES=$(SOAK_MINUTES) meson test -C $(BUILD) --benchmark --verbose soak \
	  --timeout-multiplier 0

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

# Formatting: the pinned .clang-format (clang-format 14); `make format-check` lists what differs.
.PHONY: format format-check
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

format-check:
	@git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
