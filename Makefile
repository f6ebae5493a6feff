# The two commands of the README, and a few more for developers.
#   make lite         install what is missing, build, serve examples/
#   make test         install what is missing, build, run every suite
#   make dev-install  put leoflow and leoflow-server on PATH
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PORT ?= 8088

.PHONY: all deps test-deps build lite test test-asan test-tsan fuzz-build fuzz-ci fuzz bench dev-install clean

all: build

deps:
	@./cmake/deps.sh build

test-deps:
	@./cmake/deps.sh test

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

lite: build
	./$(BUILD)/bin/leoflow lite examples/ --port $(PORT)

test: test-deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ctest --output-on-failure

# The C++ suites (ctest label cpp) again under sanitizers, each in its own
# build folder; only their executables are built (a test's name is its target).
SANITIZER_CMAKE = -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEOFLOW_BUILD_WWW=OFF

# AddressSanitizer + UndefinedBehaviorSanitizer; the first report fails the run.
test-asan: test-deps
	cmake -S . -B build-asan $(SANITIZER_CMAKE) -DLEOFLOW_SANITIZE=ON
	cmake --build build-asan -j $(JOBS) --target $$(cd build-asan && ctest -N -L cpp | sed -n 's/^ *Test *#[0-9]*: //p')
	cd build-asan && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure -L cpp

# ThreadSanitizer over the same suites (the server, watcher and child-process
# suites run an io_context on several threads).
test-tsan: test-deps
	cmake -S . -B build-tsan $(SANITIZER_CMAKE) -DLEOFLOW_TSAN=ON
	cmake --build build-tsan -j $(JOBS) --target $$(cd build-tsan && ctest -N -L cpp | sed -n 's/^ *Test *#[0-9]*: //p')
	cd build-tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -L cpp

# libFuzzer harnesses of test/fuzz, built with clang in build-fuzz.
# `make fuzz-ci` runs each one FUZZ_SECONDS on its committed corpus and fails
# on the first crash; `make fuzz FUZZ_SECONDS=600` is the same, for longer.
FUZZ_SECONDS ?= 30
fuzz-build: test-deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DLEOFLOW_BUILD_WWW=OFF -DLEOFLOW_FUZZ=ON
	cmake --build build-fuzz -j $(JOBS) --target fuzz_harnesses

fuzz-ci fuzz: fuzz-build
	./test/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

# The benchmarks: figures next to a baseline measured in the same run.
bench: build
	/usr/bin/python3 bench/reload_latency.py --bin $(BUILD)/bin
	/usr/bin/python3 bench/scheduling.py --bin $(BUILD)/bin
	/usr/bin/python3 bench/load/load.py --bin $(BUILD)/bin
	/usr/bin/python3 bench/cold_start.py --bin $(BUILD)/bin

dev-install: build
	cmake --install $(BUILD) --prefix $(if $(filter 0,$(shell id -u)),/usr/local,$(HOME)/.local)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
