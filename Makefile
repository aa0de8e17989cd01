# Thin wrapper over CMake + Ninja. `make run` and `make test` are the README's
# quick start; both install missing Debian packages first (scripts/setup.sh).
BUILD_DIR ?= build
BUILD_TYPE ?= Release
LISTEN ?= 127.0.0.1:8750
STATE ?= var/minivpc.db
JOBS ?= $(shell nproc)

.PHONY: all setup configure build run test unit e2e bench format tidy clean

all: build

setup:
	@bash scripts/setup.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DCMAKE_EXPORT_COMPILE_COMMANDS=ON

configure: $(BUILD_DIR)/build.ninja

build: setup configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(dir $(STATE))
	./$(BUILD_DIR)/minivpc serve --listen $(LISTEN) --state $(STATE)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit -j $(JOBS)

e2e: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L e2e

bench: build
	bash bench/run.sh $(BUILD_DIR)

format:
	find src tests bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

tidy: configure
	find src -name '*.cc' ! -name '*_test.cc' | xargs clang-tidy -p $(BUILD_DIR) --quiet

clean:
	rm -rf $(BUILD_DIR)
