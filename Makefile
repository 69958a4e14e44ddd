# SPDX-License-Identifier: GPL-2.0-only
# axotor: build, test, install, and the developer targets.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man

# B is the build root: objects in $(B)/lib, programs in $(B)/bin, test
# programs in $(B)/t.  "make sanitize" builds into its own root.
B ?= .

CC ?= cc
CFLAGS ?= -O2 -g
LDFLAGS ?=
# Kept apart from CFLAGS so that "make CFLAGS=..." cannot drop them.
WARN = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	-Werror=implicit-function-declaration
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
	-fstack-clash-protection -fPIE
HARDEN_LD = -pie -Wl,-z,relro,-z,now
DEFS = -D_DEFAULT_SOURCE -D_GNU_SOURCE
ALL_CFLAGS = $(WARN) $(HARDEN) $(DEFS) -Ilib $(CFLAGS)
ALL_LDFLAGS = $(HARDEN_LD) $(LDFLAGS)
LIBS = -lsodium -lowfat -ljansson -lwslay

# Everything is found by name: a new program is a new src/axo-*.c, a new
# module a new lib/*.c, a new test a new t/*.bats.
PROGS = $(patsubst src/%.c,$(B)/bin/%,$(wildcard src/axo-*.c))
PROGOBJ = $(patsubst %.c,$(B)/%.o,$(wildcard src/axo-*.c))
LIBOBJ = $(patsubst %.c,$(B)/%.o,$(wildcard lib/*.c))
TPROGS = $(patsubst %.c,$(B)/%,$(wildcard t/helpers/*.c t/unit/*.c))
TOBJ = $(patsubst %,%.o,$(TPROGS))
MAN = $(wildcard man/*.1 man/*.7)

# Debian packages: to build, to test, and to run.
DEBS_BUILD = build-essential pkg-config libsodium-dev libowfat-dev \
	libwslay-dev libjansson-dev
DEBS_TEST = bats mandoc tmux tor iproute2 procps python3-nacl python3-spake2 \
	magic-wormhole python3-magic-wormhole-mailbox-server strace \
	valgrind clang libclang-rt-14-dev
DEBS_BENCH = libolm-dev libotr5-dev libgcrypt20-dev hyperfine time \
	wormhole-william onionshare-cli curl
DEBS = $(DEBS_BUILD) $(DEBS_TEST) $(DEBS_BENCH)

FUZZTIME ?= 30
FUZZ = $(patsubst t/fuzz/%.c,%,$(wildcard t/fuzz/*.c))
FUZZBIN = $(patsubst %,$(B)/fuzz/%,$(FUZZ))
FUZZOBJ = $(patsubst %,$(B)/t/fuzz/%.o,$(FUZZ))

all: $(PROGS)

# Each object's .d file beside it lists the headers its compile read
# (-MMD; -MP adds an empty rule for each, so that a header removed is no
# error): touching lib/smp.h recompiles only what includes it.
DEPFLAGS = -MMD -MP

$(LIBOBJ) $(PROGOBJ) $(TOBJ) $(FUZZOBJ): $(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/lib/libaxo.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(PROGS): $(B)/bin/%: $(B)/src/%.o $(B)/lib/libaxo.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/lib/libaxo.a $(LIBS)

$(TPROGS): $(B)/t/%: $(B)/t/%.o $(B)/lib/libaxo.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/lib/libaxo.a $(LIBS)

-include $(patsubst %.o,%.d,$(LIBOBJ) $(PROGOBJ) $(TOBJ) $(FUZZOBJ))

# TESTS: the bats files (or directory) that check runs.
TESTS ?= t/

check: deps
	@$(MAKE) --no-print-directory $(PROGS) $(TPROGS)
	AXO_BIN=$(abspath $(B)/bin) AXO_TBIN=$(abspath $(B)/t) \
		bats --tap $(TESTS)

# The suite again under AddressSanitizer and UBSan, in its own root; all
# but t/reconnect.bats, whose minutes of stalled tors run the same wrap
# code that t/wrap-link.bats runs here.
sanitize:
	$(MAKE) B=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" \
		TESTS="$(filter-out t/reconnect.bats,$(wildcard t/*.bats))" check

bench: all
	AXO_BIN=$(abspath $(B)/bin) sh t/bench/run

# The fuzz targets link a libaxo.a of their own, built in build-fuzz by
# the rules above (the same dependency tracking as the programs).
$(FUZZBIN): $(B)/fuzz/%: $(B)/t/fuzz/%.o $(B)/lib/libaxo.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(ALL_LDFLAGS) -o $@ $< \
		$(B)/lib/libaxo.a $(LIBS)

fuzz-build: $(FUZZBIN)

fuzz:
	$(MAKE) B=build-fuzz CC=clang \
		CFLAGS="-g -O1 -fsanitize=fuzzer-no-link,address,undefined" \
		LDFLAGS="-fsanitize=address,undefined" fuzz-build
	set -e; for f in $(FUZZ); do \
		mkdir -p build-fuzz/corpus-$$f; \
		build-fuzz/fuzz/$$f -max_total_time=$(FUZZTIME) -timeout=5 \
			-artifact_prefix=build-fuzz/$$f- \
			build-fuzz/corpus-$$f t/fuzz/corpus/$$f; \
	done

demo: deps
	@$(MAKE) --no-print-directory all
	bash t/demo

lint:
	mandoc -Tlint -Wstyle $(MAN)

# Installs what is missing (as root), or says how; quick when nothing is.
deps:
	@missing=; for p in $(DEBS); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "make deps: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "make deps: missing Debian packages; as root run:"; \
		echo "  apt-get install$$missing"; exit 1; \
	fi

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	for p in $(PROGS) $(wildcard bin/axotor); do \
		install -m 755 $$p $(DESTDIR)$(BINDIR)/; done
	for m in $(MAN); do \
		case $$m in *.1) d=man1;; *.7) d=man7;; esac; \
		install -m 644 $$m $(DESTDIR)$(MANDIR)/$$d/; done

uninstall:
	for p in $(notdir $(PROGS)) axotor; do rm -f $(DESTDIR)$(BINDIR)/$$p; done
	for m in $(notdir $(MAN)); do \
		rm -f $(DESTDIR)$(MANDIR)/man1/$$m $(DESTDIR)$(MANDIR)/man7/$$m; done

clean:
	rm -f lib/*.o lib/*.d lib/libaxo.a src/*.o src/*.d $(PROGS) $(TPROGS)
	rm -f $(TOBJ) $(TOBJ:.o=.d)
	rm -rf build-asan build-fuzz build-bench

.PHONY: all check sanitize bench fuzz fuzz-build demo lint deps install uninstall clean
