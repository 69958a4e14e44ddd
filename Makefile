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
LIBOBJ = $(patsubst %.c,$(B)/%.o,$(wildcard lib/*.c))
TPROGS = $(patsubst %.c,$(B)/%,$(wildcard t/helpers/*.c t/unit/*.c))
MAN = $(wildcard man/*.1 man/*.7)

# Debian packages: to build, to test, and to run.
DEBS_BUILD = build-essential pkg-config libsodium-dev libowfat-dev \
	libwslay-dev libjansson-dev
DEBS_TEST = bats mandoc tmux tor iproute2 procps python3-nacl python3-spake2 \
	magic-wormhole python3-magic-wormhole-mailbox-server strace \
	valgrind clang libclang-rt-14-dev
DEBS_BENCH = libolm-dev libotr5-dev libgcrypt20-dev hyperfine time \
	wormhole-william
DEBS = $(DEBS_BUILD) $(DEBS_TEST) $(DEBS_BENCH)

FUZZTIME ?= 30
FUZZ = $(patsubst t/fuzz/%.c,%,$(wildcard t/fuzz/*.c))

all: $(PROGS)

$(B)/lib/%.o: lib/%.c lib/axo.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/lib/libaxo.a: $(LIBOBJ)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

$(B)/bin/%: src/%.c $(B)/lib/libaxo.a lib/axo.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/lib/libaxo.a $(LIBS)

$(B)/t/%: t/%.c $(B)/lib/libaxo.a lib/axo.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(B)/lib/libaxo.a $(LIBS)

check: deps
	@$(MAKE) --no-print-directory $(PROGS) $(TPROGS)
	AXO_BIN=$(abspath $(B)/bin) AXO_TBIN=$(abspath $(B)/t) \
		bats --tap t/

# The whole suite again under AddressSanitizer and UBSan, in its own root.
sanitize:
	$(MAKE) B=build-asan CC=clang \
		CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
		LDFLAGS="-fsanitize=address,undefined" check

bench: all
	AXO_BIN=$(abspath $(B)/bin) sh t/bench/run

fuzz:
	@mkdir -p build-fuzz
	set -e; for f in $(FUZZ); do \
		clang -g -O1 -fsanitize=fuzzer,address,undefined $(DEFS) -Ilib \
			-o build-fuzz/$$f t/fuzz/$$f.c lib/*.c $(LIBS); \
		mkdir -p build-fuzz/corpus-$$f; \
		build-fuzz/$$f -max_total_time=$(FUZZTIME) -timeout=5 \
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
	rm -f lib/*.o lib/libaxo.a $(PROGS) $(TPROGS)
	rm -rf build-asan build-fuzz build-bench

.PHONY: all check sanitize bench fuzz demo lint deps install uninstall clean
