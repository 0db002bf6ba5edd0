# bench: build, test and run. `make help` lists the targets.
# Host side (bench, harness, reports, tests) links hwloc, libnuma, jansson, GSL,
# libpcap, libfyaml, SQLite and cmocka
# through pkg-config; wl is one static executable with no host dependencies.

CC ?= cc
BUILD ?= build
PKGS := hwloc numa jansson gsl libpcap libfyaml sqlite3
VERSION := 0.1.0
# The commit (with -dirty for uncommitted changes) goes into every run file.
GIT_COMMIT := $(shell git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)

WARN := -Wall -Wextra -Werror
BASE_CFLAGS := -std=gnu11 -O2 -g -D_GNU_SOURCE $(WARN) \
	-DBENCH_VERSION='"$(VERSION)"' -DBENCH_GIT_COMMIT='"$(GIT_COMMIT)"'
SAN_FLAGS ?=
# Includes name their folder from the top ("harness/core/error.h"), so the
# layer of every include is visible and checkable (scripts/check-layers).
CFLAGS_HOST = $(BASE_CFLAGS) $(SAN_FLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I.
LIBS_HOST = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
# wl: baseline x86-64 (no -march=native), static, runs in containers and guests.
CFLAGS_WL = $(BASE_CFLAGS) -pthread
LDFLAGS_WL = -static -pthread

# Two libraries: libharness (runs things: core, net, env, run) and
# libreports (reads run files, renders and decides), which links on top.
# workloads/percentile.c is shared: wl uses it for latencies, the harness
# for wire-level request/response times.
HARNESS_SRC := $(sort $(shell find harness -name '*.c')) workloads/percentile.c
REPORTS_SRC := $(sort $(wildcard reports/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))
WL_SRC := $(sort $(wildcard workloads/*.c))
UNIT_TESTS := $(patsubst tests/%.c,%,$(sort $(wildcard tests/test_*.c)))

HARNESS_OBJ := $(HARNESS_SRC:%.c=$(BUILD)/obj/%.o)
REPORTS_OBJ := $(REPORTS_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
WL_OBJ := $(WL_SRC:%.c=$(BUILD)/wl-obj/%.o)

.PHONY: all deps guest run test unit-tests asan format format-check clean help bench-scripts check-layers gate-study test-fleet fuzz fuzz-short fuzz-build
.DEFAULT_GOAL := all

all: $(BUILD)/bench $(BUILD)/wl $(UNIT_TESTS:%=$(BUILD)/tests/%)

help:
	@echo "make deps        install missing Debian packages (idempotent)"
	@echo "make             build build/bench, build/wl and the tests"
	@echo "make run         deps + build + bench all (every environment here, density, report)"
	@echo "make test        deps + build + guest image + every test (cmocka unit and integration)"
	@echo "make asan        the tests again under AddressSanitizer and UBSan"
	@echo "make guest       QEMU guest image (kernel + initramfs with wl) in build/guest"
	@echo "make format      clang-format every C file; format-check only checks"
	@echo "make check-layers  includes follow the layers, no include or call cycle"
	@echo "make gate-study  false alarms of the regression gate: 5 pairs of back-to-back runs"
	@echo "make test-fleet  the fleet playbook over real SSH to two hosts in network namespaces"
	@echo "make test-numa   NUMA placement on a two-node QEMU machine (part of make test)"
	@echo "make fuzz        libFuzzer over the file readers, FUZZ_SECONDS (600) each"
	@echo "make fuzz-short  the same, a few seconds each plus the regression inputs (in make test)"

deps:
	@scripts/deps.sh

$(BUILD)/obj/%.o: %.c $(shell find harness reports -name '*.h') $(wildcard bench/*.h) | deps-checked
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_HOST) -c $< -o $@

# Objects that print the commit are rebuilt when it changes: the stamp's
# name carries the commit.
COMMIT_STAMP := $(BUILD)/.commit-$(GIT_COMMIT)
$(COMMIT_STAMP):
	@mkdir -p $(BUILD)
	@rm -f $(BUILD)/.commit-*
	@touch $@
$(BUILD)/obj/bench/main.o $(BUILD)/obj/harness/core/fingerprint.o $(BUILD)/wl-obj/workloads/main.o: \
	$(COMMIT_STAMP)

$(BUILD)/libharness.a: $(HARNESS_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libreports.a: $(REPORTS_OBJ)
	@rm -f $@
	ar rcs $@ $^

HOST_LIBS := $(BUILD)/libreports.a $(BUILD)/libharness.a

$(BUILD)/bench: $(BENCH_OBJ) $(HOST_LIBS)
	$(CC) $(SAN_FLAGS) -o $@ $(BENCH_OBJ) $(HOST_LIBS) $(LIBS_HOST)

$(BUILD)/wl-obj/%.o: %.c $(wildcard workloads/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_WL) -c $< -o $@

$(BUILD)/wl: $(WL_OBJ)
	$(CC) $(LDFLAGS_WL) -o $@ $^ -luring -lm

$(BUILD)/tests/%: tests/%.c $(HOST_LIBS) $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_HOST) $$(pkg-config --cflags cmocka) -o $@ $< \
		$(HOST_LIBS) $(LIBS_HOST) $$(pkg-config --libs cmocka)

# deps-checked: a cheap order-only guard so a build on a fresh machine says
# what is missing instead of failing with a wall of compiler errors.
.PHONY: deps-checked
deps-checked:
	@pkg-config --exists $(PKGS) cmocka || { echo "missing libraries: run 'make deps' first" >&2; exit 1; }

# The QEMU guest: Debian's cloud kernel and an initramfs with busybox, the
# virtio modules and wl as the agent (downloads are cached in build/guest-cache).
guest: $(BUILD)/wl
	scripts/guest-image.sh $(BUILD)

run: deps
	@$(MAKE) --no-print-directory all guest
	$(BUILD)/bench all

test: deps
	@$(MAKE) --no-print-directory all guest
	@scripts/check-layers $(BUILD)
	@tests/run-all.sh $(BUILD)
	@$(MAKE) --no-print-directory fuzz-short
	@scripts/torture 3 bare,container $(BUILD)
	@scripts/gate-false-alarms --report-only 1 $(BUILD)
	@scripts/test-fleet $(BUILD)
	@scripts/test-xen $(BUILD)
	@scripts/test-numa $(BUILD)

# The fleet playbook end to end (part of make test): ansible-playbook over SSH
# to two hosts made in network namespaces, then tests/test_fleet on the results.
test-fleet: all
	scripts/test-fleet $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan \
		SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" all
	@scripts/guest-image.sh build-asan >/dev/null
	@ASAN_OPTIONS=detect_leaks=1 tests/run-all.sh build-asan

# Includes go down the layers (bench -> reports -> harness/run -> harness/env ->
# harness/net -> harness/core), and no files, modules or objects form a cycle.
check-layers: all
	@scripts/check-layers $(BUILD)

format:
	clang-format -i $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

format-check:
	@clang-format --dry-run --Werror $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz

# Fuzzing (clang's libFuzzer, with ASan and UBSan): one harness per reader of
# files bench does not write itself (tests/fuzz/fuzz_*.c), seeds and every
# input that ever crashed one in tests/fuzz/corpus/<harness>/. The libraries
# are built again with clang into build-fuzz (coverage instrumentation).
FUZZ_BUILD := build-fuzz
FUZZ_SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 600

fuzz-build: deps
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang WARN="-Wall -Wextra" \
		SAN_FLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
		$(FUZZ_BUILD)/libharness.a $(FUZZ_BUILD)/libreports.a
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang $(FUZZERS:%=$(FUZZ_BUILD)/fuzz/%)

$(FUZZ_BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz_input.h $(FUZZ_BUILD)/libreports.a $(FUZZ_BUILD)/libharness.a
	@mkdir -p $(dir $@)
	clang -std=gnu11 -O1 -g -D_GNU_SOURCE -Wall -Wextra -Werror -fsanitize=fuzzer $(FUZZ_SAN) \
		$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I. -o $@ $< \
		$(FUZZ_BUILD)/libreports.a $(FUZZ_BUILD)/libharness.a $(LIBS_HOST)

fuzz: fuzz-build
	@scripts/fuzz $(FUZZ_SECONDS) $(FUZZ_BUILD) $(FUZZERS)

fuzz-short: fuzz-build
	@scripts/fuzz 5 $(FUZZ_BUILD) $(FUZZERS)

# For scripts/bench-*: the exact flags wl is compiled with.
.PHONY: print-wl-cflags
print-wl-cflags:
	@echo $(CFLAGS_WL)

# --- nested Xen test bed (scripts/xen-dom0.sh, scripts/xen-nested.sh) -------
# Xen 4.17 + a dom0 initramfs with the Xen tools, bench, wl and the guest
# image, for running things inside a real dom0 under QEMU/TCG:
#   scripts/xen-nested.sh build -- xl info
.PHONY: xen-dom0 test-xen
xen-dom0: $(BUILD)/bench $(BUILD)/wl guest
	scripts/xen-dom0.sh $(BUILD)

# bench --env xen against real domUs inside the nested dom0 (part of make test)
test-xen: all
	scripts/test-xen $(BUILD)

# The same image booted without Xen as a two-socket, two-node machine:
# bench --numa placement of threads and pages seen from inside (part of make test)
.PHONY: test-numa
test-numa: all
	scripts/test-numa $(BUILD)
# --- end of nested Xen test bed ----------------------------------------------

# False alarms of the regression gate: 5 pairs of back-to-back runs of this
# build (bare and container), 0 regressions expected (make test runs 1 pair).
gate-study: all
	scripts/gate-false-alarms 5 $(BUILD)
