#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# The man pages: lint-clean, one for every program, the family's exit
# codes in each, and a SYNOPSIS that names what the usage line names.

load helpers/common

pages() { ls "$AXO_TOP"/man/*.[17]; }

@test "man: every page is mandoc -Tlint clean (warnings and up)" {
	command -v mandoc >/dev/null || skip "no mandoc"
	run mandoc -Tlint -Wwarning $(pages)
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "man: every program in src/ and bin/axotor has a page" {
	for s in "$AXO_TOP"/src/axo-*.c "$AXO_TOP"/bin/axotor; do
		[ -e "$s" ] || continue
		n=$(basename "$s" .c)
		[ -f "$AXO_TOP/man/$n.1" ] || { echo "no man/$n.1"; false; }
	done
}

@test "man: each program page has the family's exit codes" {
	for p in "$AXO_TOP"/man/axo-*.1; do
		sec=$(sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$p")
		for c in 0 100 111; do
			grep -qx "\.It $c" <<<"$sec" ||
				{ echo "$p: no $c"; false; }
		done
	done
}

@test "man: each subcommand of a usage line is in its page's SYNOPSIS" {
	help=$BATS_TEST_TMPDIR/help
	seen=0
	for s in "$AXO_TOP"/src/axo-*.c; do
		n=$(basename "$s" .c)
		p=$AXO_TOP/man/$n.1
		syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh /p' "$p")
		"$AXO_BIN/$n" --help >"$help" 2>&1 || true
		for w in $(sed -n "s/^.*$n \([a-z][a-z-]*\) .*/\1/p" "$help" | sort -u); do
			grep -q "^\.Cm $w\$" <<<"$syn" ||
				{ echo "$n: $w not in SYNOPSIS"; false; }
			seen=$((seen + 1))
		done
	done
	# axo-ratchet alone has six
	[ "$seen" -ge 6 ]
}

@test "man: axo-ratchet(1)'s SYNOPSIS renders as its usage line, option for option" {
	command -v mandoc >/dev/null || skip "no mandoc"
	syn=$(mandoc -Tascii -O width=400 "$AXO_TOP/man/axo-ratchet.1" | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
		sed 's/^ *//; s/ | /|/g; s/ \.\.\./.../; /^$/d')
	# the usage lines, before the options that follow a blank line
	use=$("$AXO_BIN/axo-ratchet" --help | sed '/^$/,$d; s/^usage: //; s/^ *//')
	[ "$syn" = "$use" ]
}

# issue 11: ".Pq Fl k , default 0" rendered as "(-k, -default -0)"
@test "man: no flag macro swallows its words (axo-ratchet(1) once said -default -0)" {
	command -v mandoc >/dev/null || skip "no mandoc"
	for p in "$AXO_TOP"/man/*.[17]; do
		run sh -c "mandoc -Tascii '$p' | col -b | grep -nE -- '(^| )-default( |$)| -0\)'"
		[ "$status" -eq 1 ] || { echo "$p: $output"; false; }
	done
}

@test "man: axotor(1)'s SYNOPSIS renders as axotor's usage line, option for option" {
	command -v mandoc >/dev/null || skip "no mandoc"
	syn=$(mandoc -Tascii -O width=400 "$AXO_TOP/man/axotor.1" | col -b |
		sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | sed '1d;$d' |
		sed 's/^ *//; s/ | /|/g; /^$/d')
	use=$("$AXO_TOP/bin/axotor" --help | sed -n 1,2p |
		sed 's/^usage: //; s/^ *//; s/ | /|/g')
	[ "$syn" = "$use" ]
}
