# mlpipe — build, test, install.
#   make            build the six stages into bin/
#   make test       unit tests and command-line tests
#   make asan       the same tests under AddressSanitizer + UBSan
#   make deps       install the Debian packages the build needs (apt-get)
#   make install    PREFIX=/usr/local DESTDIR=
#   make bench      side-by-side benchmarks against xgboost, liblinear, scikit-learn

PREFIX ?= /usr/local
BINDIR  = $(PREFIX)/bin
SHAREDIR = $(PREFIX)/share/mlpipe
MANDIR  = $(PREFIX)/share/man
VERSION = 0.1.0

CC ?= cc
BUILD ?= build
OPT ?= -O2
PKGS = libcjson libcurl hiredis openblas libzstd

# libcsv ships no pkg-config file on Debian 12: fall back to -lcsv.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CSV_LIBS   := $(shell pkg-config --libs libcsv 2>/dev/null || echo -lcsv)

CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -pthread -Icommon \
	-DMLPIPE_VERSION='"$(VERSION)"' -DMLPIPE_SHAREDIR='"$(SHAREDIR)"' $(PKG_CFLAGS) $(CFLAGS)
LIBS = $(CSV_LIBS) $(PKG_LIBS) -lm -pthread

STAGES = $(sort $(basename $(notdir $(wildcard cmd/*.c))))
LIB_SRC = $(sort $(wildcard common/*.c common/models/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/%.o)
BINS = $(STAGES:%=bin/%)

all: $(BINS) bin/unit-tests

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libmlpipe.a: $(LIB_OBJ)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

bin/%: $(BUILD)/cmd/%.o $(BUILD)/libmlpipe.a
	@mkdir -p bin
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmlpipe.a $(LIBS)

bin/unit-tests: $(UNIT_OBJ) $(BUILD)/libmlpipe.a
	@mkdir -p bin
	@echo "  LINK    $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libmlpipe.a $(LIBS)

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(STAGES:%=$(BUILD)/cmd/%.d)

test: all
	tests/run-tests.sh

# Sanitizer build lives in its own tree so it never mixes with the normal objects.
asan:
	$(MAKE) BUILD=build-asan OPT='-O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined' \
		LDFLAGS=-fsanitize=address,undefined bin-asan
	MLPIPE_BIN=$(CURDIR)/build-asan/bin ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1 tests/run-tests.sh

bin-asan: $(STAGES:%=$(BUILD)/bin/%) $(BUILD)/bin/unit-tests

$(BUILD)/bin/%: $(BUILD)/cmd/%.o $(BUILD)/libmlpipe.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmlpipe.a $(LIBS)

$(BUILD)/bin/unit-tests: $(UNIT_OBJ) $(BUILD)/libmlpipe.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $(UNIT_OBJ) $(BUILD)/libmlpipe.a $(LIBS)

valgrind: all
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		bin/unit-tests

deps:
	scripts/install-deps.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 share/mlpipe/mlpipe.conf $(DESTDIR)$(SHAREDIR)
	for f in share/mlpipe/*; do case $$f in *.conf) ;; *) install -m 644 $$f $(DESTDIR)$(SHAREDIR);; esac; done
	test ! -f share/mlpipe/mlpipe-cron || install -m 755 share/mlpipe/mlpipe-cron $(DESTDIR)$(SHAREDIR)
	install -m 644 man/*.1 $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7

bench: all
	tests/bench/run-bench.sh

clean:
	rm -rf build build-asan bin tests/tmp

.PHONY: all test asan bin-asan valgrind deps install bench clean
