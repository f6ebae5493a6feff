# The two commands of the README, and a few more for developers.
#   make lite         install what is missing, build, serve examples/
#   make test         install what is missing, build, run every suite
#   make dev-install  put leoflow and leoflow-server on PATH
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
PORT ?= 8088

.PHONY: all deps test-deps build lite test test-asan test-tsan bench dev-install clean

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

# The C++ suites again under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: test-deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLEOFLOW_SANITIZE=ON -DLEOFLOW_BUILD_WWW=OFF
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -L cpp

bench: build
	cd $(BUILD) && ./bin/bench_reload_latency

dev-install: build
	cmake --install $(BUILD) --prefix $(if $(filter 0,$(shell id -u)),/usr/local,$(HOME)/.local)

clean:
	rm -rf $(BUILD) build-asan
