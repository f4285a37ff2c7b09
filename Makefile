# rdsreconcile - plain Makefile, pkg-config for every library.
#
#   make              build ./rdsreconcile
#   make check        unit tests + stand-in tests + end-to-end tests
#                     + samples of the crash sweep and the fault storms,
#                     all C code built with ASan+UBSan (the crash build without)
#   make test-crash   the crash-anywhere sweep at every kill point
#   make test-faults  every fault storm (tests/faults/run)
#   make demo         the main job against the local AWS stand-in
#   make bench        benchmark figures (printed, never pass/fail)
#   make install PREFIX=/usr/local

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
CC	?= cc
PKGS	= yaml-0.1 libcurl openssl libmariadb libsodium libxml-2.0 jansson

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   := $(shell pkg-config --libs $(PKGS))

WARN	= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	  -Wno-unused-parameter
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE $(WARN) -iquote include $(PKG_CFLAGS) $(CFLAGS)
LDLIBS	= $(PKG_LIBS) -lm

SAN	= -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRC	:= $(sort $(wildcard src/*/*.c src/*/*/*.c))
MAIN_SRC := src/main.c
TEST_SRC := $(sort $(wildcard tests/unit/test-*.c))

O	= build/release
S	= build/asan
LIB_OBJ	 := $(LIB_SRC:%.c=$(O)/%.o)
LIB_SOBJ := $(LIB_SRC:%.c=$(S)/%.o)
TESTS	 := $(TEST_SRC:tests/unit/%.c=$(S)/tests/%)

.PHONY: all check deps unit test-awsim test-desired test-secret test-leak test-db \
	test-aws test-e2e test-completion test-contrib test-crash test-crash-sample \
	test-faults test-faults-sample demo bench install lint clean
all: rdsreconcile

rdsreconcile: $(LIB_OBJ) $(O)/src/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

HDRS	:= $(wildcard include/*.h src/*/*.h src/*/*/*.h)

$(O)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Sanitizer build: the binary the tests drive, and the unit tests.
$(S)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(SAN) -O1 -c -o $@ $<

$(S)/rdsreconcile: $(LIB_SOBJ) $(S)/src/main.o
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

# Crash build: the kill points of include/crashpoint.h compiled in, for
# tests/crash/run.  No sanitizer, so a SIGKILL ends it at once.
K	= build/crash
LIB_KOBJ := $(LIB_SRC:%.c=$(K)/%.o)

$(K)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DRR_CRASH_POINTS -c -o $@ $<

$(K)/rdsreconcile: $(LIB_KOBJ) $(K)/src/main.o
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(S)/tests/%: $(S)/tests/unit/%.o $(LIB_SOBJ)
	@mkdir -p $(@D)
	$(CC) $(SAN) -o $@ $^ $(LDLIBS)

# The desired-state key table is generated from the schema (the truth).
src/desired/desired-keys.c: schemas/desired-v1.schema.json src/desired/gen-keys.py
	/usr/bin/python3 src/desired/gen-keys.py schemas/desired-v1.schema.json > $@.tmp && mv $@.tmp $@

# Installs only what is missing (Debian packages); a no-op when all is there.
deps:
	@contrib/install-deps

unit: $(TESTS) build/sigv4-oracle.json
	@tests/run-unit $(TESTS)

# Requests signed by botocore: the SigV4 oracle every clone has.
build/sigv4-oracle.json: tests/unit/sigv4-oracle.py
	@mkdir -p $(@D)
	/usr/bin/python3 tests/unit/sigv4-oracle.py 200 > $@.tmp && mv $@.tmp $@

# Each suite prints a closing "NAME: N passed, N failed" line.
test-awsim:
	tests/awsim/run-tests

test-desired: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/desired/run

test-secret: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/secret/run

# A full run at -vv on the stand-in, searched for the passwords.
test-leak: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/secret/leak-e2e

test-db:
	tests/db/run

test-aws: $(S)/rdsreconcile
	tests/aws/run

test-e2e: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/e2e/run

# Fault storms (tests/faults/run): every storm; check runs a sample of them.
FAULTS_SAMPLE ?= error5xx kill-sessions
test-faults: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/faults/run

test-faults-sample: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/faults/run $(FAULTS_SAMPLE)

test-completion: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/completion/run

test-contrib: $(S)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile tests/contrib/run

# The crash-anywhere sweep: every kill point, or only those CRASH_SAMPLE
# names.  check runs CHECK_CRASH_SAMPLE: a step boundary, a kill between
# two statements of a step, and one inside the fenced section.
CRASH_SAMPLE ?=
CHECK_CRASH_SAMPLE = create-snapshot/act:after \
	drop-replication-user/sql\#2:after \
	fence-source/aws:ModifyDBParameterGroup:after
test-crash: $(S)/rdsreconcile $(K)/rdsreconcile
	RDSRECONCILE=$(CURDIR)/$(S)/rdsreconcile \
	    RDSRECONCILE_CRASH=$(CURDIR)/$(K)/rdsreconcile \
	    CRASH_SAMPLE='$(CRASH_SAMPLE)' tests/crash/run

test-crash-sample:
	@$(MAKE) --no-print-directory test-crash \
	    CRASH_SAMPLE='$(CHECK_CRASH_SAMPLE)'

check: deps
	@$(MAKE) --no-print-directory lint unit test-desired test-secret test-db \
		test-awsim test-aws test-e2e test-faults-sample test-leak test-completion \
		test-contrib test-crash-sample
	@echo "check: all suites passed"

# pkg-config's flags are read when make starts, before deps may have
# installed the libraries: build in a second make, as check does.
demo: deps
	@$(MAKE) --no-print-directory rdsreconcile
	contrib/demo

bench: deps
	@$(MAKE) --no-print-directory rdsreconcile
	tests/bench/run

install: rdsreconcile
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 rdsreconcile $(DESTDIR)$(BINDIR)/rdsreconcile
	install -m 0644 doc/rdsreconcile.1 $(DESTDIR)$(MANDIR)/man1/rdsreconcile.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 contrib/bash-completion/rdsreconcile \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/rdsreconcile

# cppcheck on the whole tree; clang-format (.clang-format, KNF) on the lines
# changed since LINT_BASE, as git does: the hand-wrapped tree reads better
# than a wholesale reformat would.  On a branch: make lint LINT_BASE=main.
LINT_BASE ?= HEAD
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--inline-suppr -I include $(LIB_SRC) $(MAIN_SRC)
	@if git rev-parse --verify -q $(LINT_BASE) >/dev/null; then \
		out=$$(git clang-format --diff --extensions c,h $(LINT_BASE) \
		    -- src include tests/unit 2>&1); \
		case $$out in *"diff --git"*) printf '%s\n' "$$out"; \
		    echo "lint: clang-format wants the changes above" >&2; \
		    exit 1 ;; esac; \
	fi
	@echo "lint: clean"

clean:
	rm -rf build rdsreconcile
