#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-only
# axo-chat: two real chats joined by pipes and by two axo-ratchet wrap
# processes, a fake peer's hostile bytes, files, and the window in tmux.

load helpers/common
bats_require_minimum_version 1.5.0

USAGE="axo-chat: usage: axo-chat [-n nick] [-p peernick] [-c green|red] [--verified] [-d dir] [-y] [-V file] [-e fd] [-b fd] [--receipts] [-q]"

setup() {
	axo_setup_tmp
	umask 077
	cd "$T"
	mkdir dl
	mkfifo alice.in bob.in idle
	PAIR=
}

teardown() {
	local p
	if [ -n "${TMUXS:-}" ]; then
		tmux -S "$TMUXS" kill-server 2>/dev/null || true
		TMUXS=
	fi
	for p in alice.pid bob.pid hold.pid; do
		[ -f "$T/$p" ] && kill "$(cat "$T/$p")" 2>/dev/null
	done
	[ -n "${PAIR:-}" ] && kill "$PAIR" 2>/dev/null
	cd /
	axo_teardown_tmp
}

pair() { "$AXO_TBIN/helpers/pair" "$@"; }

# One side as a shell command: stdin a fifo that it holds open itself
# (so only .quit ends it), stdout and stderr to NAME.out and NAME.err.
side() {
	local me=$1 peer=$2
	shift 2
	echo "echo \$\$ >$me.pid; exec axo-chat -n $me -p $peer $* <>$me.in >$me.out 2>$me.err"
}

# Both sides on pipes, in the background.
start() {
	pair -p sh -c "$(side alice bob $1)" -- sh -c "$(side bob alice $2)" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
}

# waitfor FILE STRING: until FILE holds STRING (at most 10 s)
waitfor() {
	local i
	for i in $(seq 1 200); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "waitfor: no '$2' in $1:"
	cat "$1" 2>/dev/null
	return 1
}

# line NAME TEXT: the user NAME types a line
line() { printf '%s\n' "$2" >"$1.in"; }

# Waits for the pair to end (at most 20 s): its status in PST.
finish() {
	local i
	for i in $(seq 1 400); do
		kill -0 "$PAIR" 2>/dev/null || break
		sleep 0.05
	done
	PST=0
	wait "$PAIR" || PST=$?
	PAIR=
}

# mk SPEC...: the bytes of chat messages, built independently of lib/chat.c
# from axotor(7): hello:NICK msg:TEXT quit offer:ID:SIZE:NAME accept:ID
# reject:ID[:WHY] abort:ID chunk:ID:FILE:OFF:LEN end:ID:FILE endhex:ID:HEX
# raw:HEX.  TEXT and NAME take Python escapes (\x1b).
mk() {
	/usr/bin/python3 - "$@" <<'PY'
import codecs, hashlib, struct, sys
T = dict(hello=1, msg=2, quit=3, receipt=4, files=5, nofiles=6, offer=16, accept=17, reject=18,
         chunk=19, end=20, endhex=20, abort=21, got=22)
out = sys.stdout.buffer
esc = lambda s: codecs.escape_decode(s.encode())[0]
for spec in sys.argv[1:]:
    k, _, rest = spec.partition(':')
    a = rest.split(':')
    if k == 'raw':
        out.write(bytes.fromhex(rest)); continue
    if k == 'hello': p = b'\x01' + esc(rest)
    elif k == 'msg': p = esc(rest)
    elif k in ('quit', 'files', 'nofiles'): p = b''
    elif k == 'receipt': p = struct.pack('>I', int(a[0]))
    elif k == 'offer':
        p = struct.pack('>IQ', int(a[0]), int(a[1])) + esc(':'.join(a[2:]))
    elif k in ('accept', 'abort', 'got'): p = struct.pack('>I', int(a[0]))
    elif k == 'reject':
        p = struct.pack('>I', int(a[0])) + esc(':'.join(a[1:]))
    elif k == 'chunk':
        with open(a[1], 'rb') as f:
            f.seek(int(a[2])); d = f.read(int(a[3]))
        p = struct.pack('>I', int(a[0])) + d
    elif k == 'end':
        with open(a[1], 'rb') as f:
            p = struct.pack('>I', int(a[0])) + hashlib.sha256(f.read()).digest()
    elif k == 'endhex': p = struct.pack('>I', int(a[0])) + bytes.fromhex(a[1])
    else: sys.exit('mk: ' + spec)
    out.write(bytes([T[k]]) + struct.pack('>I', len(p)) + p)
PY
}

# dec FILE: the messages in FILE, one a line ("hello 1 bob", "accept 1").
dec() {
	/usr/bin/python3 - "$1" <<'PY'
import struct, sys
N = {1: 'hello', 2: 'msg', 3: 'quit', 4: 'receipt', 5: 'files', 6: 'nofiles', 16: 'offer', 17: 'accept',
     18: 'reject', 19: 'chunk', 20: 'end', 21: 'abort', 22: 'got'}
b = open(sys.argv[1], 'rb').read()
i = 0
while i + 5 <= len(b):
    t, n = b[i], struct.unpack('>I', b[i+1:i+5])[0]
    p = b[i+5:i+5+n]; i += 5 + n
    k = N.get(t, str(t))
    if t == 1: print(k, p[0], p[1:].decode())
    elif t == 2: print(k, p.decode())
    elif t in (3, 5, 6): print(k)
    elif t == 16:
        print(k, *struct.unpack('>IQ', p[:12]), p[12:].decode('utf-8', 'replace'))
    elif t == 19: print(k, struct.unpack('>I', p[:4])[0], len(p) - 4)
    elif t == 20: print(k, struct.unpack('>I', p[:4])[0], p[4:].hex())
    elif t == 18 and len(p) > 4:
        print(k, struct.unpack('>I', p[:4])[0], p[4:].decode())
    else: print(k, struct.unpack('>I', p[:4])[0])
if i != len(b): print('trailing', len(b) - i)
PY
}

# A fake peer: feed the stream to one axo-chat (stdin idle, open), reply
# to fd 7 in the file reply.
fake() {
	run --separate-stderr axo-chat -n bob -p alice "$@" 6<stream 7>reply 0<>idle
}

@test "axo-chat: usage errors, --help on stdout" {
	run axo-chat -n a -n b 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$USAGE" ]
	run axo-chat extra 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$USAGE" ]
	run axo-chat -c blue 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$USAGE" ]
	run axo-chat -x 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: unknown option -x
$USAGE" ]
	run axo-chat --foo 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: unknown option --foo
$USAGE" ]
	run axo-chat -n 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: option -n needs an argument
$USAGE" ]
	run axo-chat -y -y 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$USAGE" ]
	run --separate-stderr axo-chat --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "usage: ${USAGE#axo-chat: usage: }" ]
	[ "${lines[1]}" = "options:" ]
	for o in nick peer color verified download-dir accept verifier \
	    events-fd receipts quiet help; do
		[ "$(sed 1d <<<"$output" | grep -cE -- "(^| )--$o( |$)")" -eq 1 ]
	done
	[ "$stderr" = "" ]
}

@test "axo-chat: missing fds, bad nicks, a missing directory or verifier" {
	run axo-chat 7>/dev/null 6<&-
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: missing fd 6 (from the peer)" ]
	run axo-chat 6</dev/null 7>&-
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: missing fd 7 (to the peer)" ]
	run axo-chat -n "$(printf 'a\033[2Jb')" 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: a nick must be 1 to 64 bytes of printable UTF-8" ]
	run axo-chat -p "$(printf '%065d' 0)" 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: a peer's nick must be 1 to 64 bytes of printable UTF-8" ]
	run axo-chat -n "" 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	run axo-chat -d "$T/nonexistent" 6</dev/null 7>/dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "axo-chat: fatal: unable to open download directory $T/nonexistent: No such file or directory" ]
	run axo-chat -V "$T/nonexistent" 6</dev/null 7>/dev/null
	[ "$status" -eq 111 ]
	[ "$output" = "axo-chat: fatal: unable to open $T/nonexistent: No such file or directory" ]
	[ -z "$(ls dl)" ]
}

@test "axo-chat: chat both ways over pipes, .quit ends both with 0" {
	start "" ""
	line alice "hello bob"
	waitfor bob.out "<alice> hello bob"
	line bob "hi alice, ünïcödé ✓"
	waitfor alice.out "<bob> hi alice, ünïcödé ✓"
	line alice "..dot line"
	waitfor bob.out "<alice> .dot line"
	line bob ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat alice.out)" = "<bob> hi alice, ünïcödé ✓
* bob has quit the chat" ]
	[ "$(cat bob.out)" = "<alice> hello bob
<alice> .dot line" ]
	[ ! -s alice.err ] && [ ! -s bob.err ] && [ ! -s pair.err ]
}

# wrap's events on -e: each loss with its cause and each return with
# its time, on stdout in line mode, nothing on stderr
@test "axo-chat: wrap's link events in words" {
	mkfifo ev
	start "-e 9 9<>ev" ""
	line alice "hello bob"
	waitfor bob.out "<alice> hello bob"
	printf 'lost the connection was reset\nup 212\n' >ev
	waitfor alice.out "* reconnected to bob after 0.2 s"
	printf 'lost nothing heard for 30 s\nup 1500\n' >ev
	waitfor alice.out "* reconnected to bob after 1.5 s"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat alice.out)" = "* connection to bob lost (the connection was reset), reconnecting
* reconnected to bob after 0.2 s
* connection to bob lost (nothing heard for 30 s), reconnecting
* reconnected to bob after 1.5 s" ]
	[ ! -s alice.err ] && [ ! -s bob.err ]
}

@test "axo-chat: EOF on stdin is .quit; a line is a message, control characters dropped" {
	pair -p sh -c "printf 'one\ttab\033[31mred\r\ntwo' | axo-chat -n alice -p bob >alice.out 2>alice.err" \
		-- sh -c "$(side bob alice)" >pair.out 2>pair.err 3>&- &
	PAIR=$!
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat bob.out)" = "<alice> one tab[31mred
<alice> two
* alice has quit the chat" ]
	[ ! -s alice.out ] && [ ! -s alice.err ] && [ ! -s bob.err ]
}

@test "axo-chat: .help, .verify, an unknown command, a peer that calls itself otherwise" {
	printf 'vx3-apple-bottle\n' >verifier
	start "-V verifier" ""
	line alice ".help"
	line alice ".verify"
	line alice ".bogus"
	line alice ".send"
	line alice ".send $T/nonexistent"
	line alice ".send $T/dl"
	line bob ".verify"
	waitfor bob.out "no verifier was given (-V)"
	waitfor alice.out "* verifier: vx3-apple-bottle"
	waitfor alice.err "not a regular file"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat alice.out)" = "* commands:
*   .send PATH   offer a file to the peer
*   .accept      take the file offered (the oldest offer)
*   .reject      refuse it
*   .abort       stop every transfer under way
*   .verify      show the PAKE verifier, to compare out of band
*   .help        this list
*   .quit        end the chat, for both sides
*   ..text       send a line that starts with a dot
* verifier: vx3-apple-bottle" ]
	[ "$(cat alice.err)" = "axo-chat: warning: unknown command .bogus (.help lists them)
axo-chat: warning: usage: .send PATH
axo-chat: warning: unable to open $T/nonexistent: No such file or directory
axo-chat: warning: $T/dl: not a regular file" ]
	[ "$(cat bob.out)" = "* no verifier was given (-V)
* alice has quit the chat" ]
	# a hello whose nick is not the one we were told
	mk hello:alice msg:hi quit >stream
	run --separate-stderr axo-chat -n bob -p alicia 6<stream 7>reply 0<>idle
	[ "$status" -eq 0 ]
	[ "$output" = "* alicia calls itself \"alice\"
<alicia> hi
* alicia has quit the chat" ]
	[ "$(dec reply)" = "hello 1 bob
receipt 1" ]
}

@test "axo-chat: a dropped connection is 111 and said, not hung on" {
	start "" ""
	line alice "are you there"
	waitfor bob.out "<alice> are you there"
	kill -KILL "$(cat alice.pid)"
	finish
	[ "$PST" -eq 137 ]
	[ "$(cat pair.err)" = "pair: prog1 killed by signal 9
pair: prog2 exited 111" ]
	[ "$(cat bob.err)" = "axo-chat: fatal: connection to alice lost" ]
	# EOF in the middle of a message, and EOF right after hello
	mk hello:alice raw:0200 >stream
	fake
	[ "$status" -eq 111 ]
	[ "$stderr" = "axo-chat: fatal: connection to alice lost" ]
	mk hello:alice >stream
	fake
	[ "$status" -eq 111 ]
	[ "$stderr" = "axo-chat: fatal: connection to alice lost" ]
}

@test "axo-chat: .send of 10 MiB over pipes, sha256 equal, progress on both sides" {
	head -c 10485760 /dev/urandom >big
	start "" "-d dl"
	line alice ".send big"
	waitfor alice.out "* sent big (10.0 MiB)"
	waitfor bob.out "* saved big from alice as dl/big (10.0 MiB, sha256 ok)"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(sha dl/big)" = "$(sha big)" ]
	[ "$(stat -c %a dl/big)" = 600 ]
	[ "$(cat alice.out)" = "* offering big (10.0 MiB) to bob
* bob accepted big
* sending big: 25%
* sending big: 50%
* sending big: 75%
* sent big (10.0 MiB)" ]
	[ "$(cat bob.out)" = "* receiving big (10.0 MiB) from alice into dl
* receiving big: 25%
* receiving big: 50%
* receiving big: 75%
* saved big from alice as dl/big (10.0 MiB, sha256 ok)
* alice has quit the chat" ]
	[ "$(ls -A dl)" = big ]
}

@test "axo-chat: a name taken gets a numbered name before its extension; nothing is overwritten" {
	printf 'first\n' >dl/report.pdf
	printf 'second\n' >"dl/report (1).pdf"
	printf 'new data\n' >report.pdf
	printf 'dot\n' >LICENSE
	start "" "-d dl"
	line alice ".send report.pdf"
	waitfor bob.out "saved report.pdf from alice as dl/report (2).pdf"
	line alice ".send $T/report.pdf"
	waitfor bob.out "saved report.pdf from alice as dl/report (3).pdf"
	line alice ".send LICENSE"
	line alice ".send LICENSE"
	waitfor bob.out "saved LICENSE from alice as dl/LICENSE (1)"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat dl/report.pdf)" = first ] && [ "$(cat "dl/report (1).pdf")" = second ]
	cmp report.pdf "dl/report (2).pdf" && cmp report.pdf "dl/report (3).pdf"
	cmp LICENSE dl/LICENSE
	[ "$(ls -A dl | wc -l)" -eq 6 ]
}

@test "axo-chat: .send takes a quoted path, a backslashed space and ~/" {
	mkdir -p home/docs
	printf 'one\n' >"home/docs/my file.txt"
	printf 'two\n' >"home/it's.txt"
	printf 'three\n' >home/plain
	pair -p sh -c "HOME='$T/home'; export HOME; $(side alice bob)" -- sh -c "$(side bob alice -d dl)" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	line alice ".send '$T/home/docs/my file.txt'"
	waitfor bob.out "saved my file.txt from alice"
	line alice ".send \"~/it's.txt\""
	line alice ".send ~/it\\'s.txt"
	waitfor alice.err "unable to open"
	line alice ".send ~/'it'\\''s.txt'"
	waitfor bob.out "saved it's.txt from alice as dl/it's.txt"
	line alice ".send ~/docs/my\\ file.txt"
	waitfor bob.out "saved my file.txt from alice as dl/my file (1).txt"
	line alice ".send  ~/plain "
	waitfor bob.out "saved plain from alice"
	line alice ".send $T/home/docs/my file.txt"
	waitfor bob.out "as dl/my file (2).txt"
	line alice ".send 'unclosed"
	line alice ".send two words'"
	waitfor alice.err "usage: .send PATH
axo-chat: warning: usage: .send PATH"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat alice.err)" = "axo-chat: warning: unable to open ~/it's.txt: No such file or directory
axo-chat: warning: usage: .send PATH
axo-chat: warning: usage: .send PATH" ]
	cmp "home/it's.txt" "dl/it's.txt"
	cmp "home/docs/my file.txt" "dl/my file (1).txt"
}

@test "axo-chat: a hostile file name becomes a safe basename inside the directory" {
	printf 'data\n' >f
	mk hello:alice offer:1:5:../../x chunk:1:f:0:5 end:1:f \
		offer:2:5:/etc/passwd chunk:2:f:0:5 end:2:f \
		'offer:3:5:a\x1b[31mb\x07c\x9b\xc2\x9bd' chunk:3:f:0:5 end:3:f \
		offer:4:5:.. chunk:4:f:0:5 end:4:f \
		'offer:5:5:sub\\..\\.hidden' chunk:5:f:0:5 end:5:f \
		'offer:6:5:\xff\xfe' chunk:6:f:0:5 end:6:f \
		quit >stream
	mkdir -p dl/inner
	cd dl/inner
	run --separate-stderr axo-chat -n bob -p alice -d . 6<"$T/stream" 7>"$T/reply" 0<>"$T/idle"
	cd "$T"
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	[ "$(ls -A dl/inner | sort | tr '\n' ' ')" = "a[31mbcd file file (1) hidden passwd x " ]
	[ "$(ls -A dl | tr '\n' ' ')" = "inner " ]
	[ ! -e "$T/x" ]
	for n in x passwd a[31mbcd hidden file "file (1)"; do
		cmp f "dl/inner/$n"
	done
	[ "$(dec reply)" = "hello 1 bob
accept 1
accept 2
accept 3
accept 4
accept 5
accept 6" ]
	grep -qF '* saved x from alice as ./x (5 bytes, sha256 ok)' <<<"$output"
}

@test "axo-chat: without -d an offer is rejected, the peer told, nothing written" {
	printf 'data\n' >f
	mk hello:alice offer:7:5:f quit >stream
	fake
	[ "$status" -eq 0 ]
	[ "$output" = "* rejected f (5 bytes) from alice: no download directory (-d)
* alice has quit the chat" ]
	[ "$(dec reply)" = "hello 1 bob
reject 7 no download directory" ]
	# between two real chats: the sender is told why
	start "" ""
	line alice ".send f"
	waitfor alice.out "* bob rejected f: no download directory"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(ls -A dl)" = "" ]
	[ "$(ls -A | sort | tr '\n' ' ')" = "alice.err alice.in alice.out alice.pid bob.err bob.in bob.out bob.pid dl f idle pair.err pair.out reply stream " ]
}

@test "axo-chat: a partial file is removed on abort, hash mismatch, a cut, a signal" {
	head -c 100000 /dev/urandom >f
	# the sender aborts
	mk hello:alice offer:1:100000:f chunk:1:f:0:30000 abort:1 \
		offer:2:100000:g chunk:2:f:0:32768 chunk:2:f:32768:32768 \
		chunk:2:f:65536:32768 chunk:2:f:98304:1696 \
		endhex:2:$(printf '%064d' 0) \
		quit >stream
	fake -d dl
	[ "$status" -eq 0 ]
	[ "$output" = "* receiving f (97.7 KiB) from alice into dl
* receiving f: 25%
* alice aborted f
* receiving g (97.7 KiB) from alice into dl
* receiving g: 25%
* receiving g: 50%
* receiving g: 75%
* alice has quit the chat" ]
	[ "$stderr" = "axo-chat: warning: g from alice: sha256 mismatch, removed" ]
	[ "$(ls -A dl)" = "" ]
	# the sender dies: EOF with a transfer under way
	mk hello:alice offer:1:100000:f chunk:1:f:0:30000 >stream
	fake -d dl
	[ "$status" -eq 111 ]
	[ "$stderr" = "axo-chat: fatal: connection to alice lost" ]
	[ "$(ls -A dl)" = "" ]
	# a signal to the receiver in the middle of a transfer
	mkfifo slow
	axo-chat -n bob -p alice -d dl 6<slow 7>reply 0<>idle >bob.out 2>bob.err 3>&- &
	pid=$!
	{ mk hello:alice offer:1:100000:f chunk:1:f:0:30000; sleep 10; } >slow 3>&- &
	feeder=$!
	waitfor bob.out "receiving f: 25%"
	[ -n "$(ls -A dl)" ]
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	kill "$feeder" 2>/dev/null || true
	[ "$st" -eq 143 ]
	[ "$(ls -A dl)" = "" ]
	[ ! -s bob.err ]
}

@test "axo-chat: the sender's .abort removes the receiver's partial file; chat goes on during a transfer" {
	head -c 20971520 /dev/urandom >big
	# bob reads the network through a throttle: about 2 MB/s
	throttle='import sys, time
i, o = sys.stdin.buffer, sys.stdout.buffer
while True:
    d = i.read1(32768)
    if not d: break
    o.write(d); o.flush(); time.sleep(0.015)'
	pair -p sh -c "$(side alice bob)" -- \
		sh -c "echo \$\$ >bob.pid; /usr/bin/python3 -c '$throttle' <&6 6<&- 7>&- | axo-chat -n bob -p alice -d dl 6<&0 <>bob.in >bob.out 2>bob.err" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	line alice ".send big"
	waitfor bob.out "receiving big: 25%"
	line alice "while sending"
	waitfor bob.out "<alice> while sending"
	# the line overtook the rest of the file
	! grep -q "receiving big: 75%" bob.out
	line alice ".abort"
	waitfor bob.out "* alice aborted big"
	[ "$(ls -A dl)" = "" ]
	line bob "still here"
	waitfor alice.out "<bob> still here"
	line bob ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(ls -A dl)" = "" ]
	grep -qx "\* aborted sending big" alice.out
}

@test "axo-chat: hostile bytes from the peer end the chat with 97 or 98, nothing written" {
	printf 'data\n' >f
	check() {
		local code=$1 why=$2
		shift 2
		mk "$@" >stream
		fake -d dl
		[ "$status" -eq "$code" ] || { echo "$*: $status $stderr"; false; }
		[ "$stderr" = "axo-chat: fatal: protocol violation by alice: $why" ] ||
			{ echo "$*: $stderr"; false; }
		[ "$(ls -A dl)" = "" ]
	}
	check 97 "unknown message type 9" hello:alice raw:0900000000
	check 97 "unknown message type 0" raw:00
	check 97 "message of type 2 with a payload of 4097 bytes" hello:alice raw:0200001001
	check 97 "message of type 19 with a payload of 4294967295 bytes" hello:alice raw:13ffffffff
	check 97 "message of type 3 with a payload of 1 bytes" hello:alice raw:030000000100
	check 97 "message of type 2 with a payload of 0 bytes" hello:alice raw:0200000000
	check 97 "a message that is not printable UTF-8" hello:alice 'msg:\x1b]0;owned\x07'
	check 97 "a message that is not printable UTF-8" hello:alice 'msg:a\xc2\x9b31m'
	check 97 "a message that is not printable UTF-8" hello:alice 'msg:\xc0\xaf'
	check 97 "a message that is not printable UTF-8" hello:alice 'msg:\xed\xa0\x80'
	check 97 "a nick that is not printable UTF-8" 'hello:al\nice'
	check 97 "hello of version 2" raw:01000000020261
	check 97 "transfer id 0" hello:alice offer:0:5:f
	check 97 "a file name with a NUL byte" hello:alice 'offer:1:5:a\x00b'
	check 97 "an offer of 1099511627777 bytes" hello:alice offer:1:1099511627777:f
	check 98 "a message of type 2 before hello" msg:hi
	check 98 "a second hello" hello:alice hello:alice
	check 98 "data for transfer id 3 never offered" hello:alice chunk:3:f:0:5
	check 98 "end for transfer id 3 never offered" hello:alice end:3:f
	check 98 "transfer id 1 offered twice" hello:alice offer:1:5:f offer:1:5:f
	check 98 "more data than offered for f" hello:alice offer:1:4:f chunk:1:f:0:5
	check 98 "end of f after 3 of 5 bytes" hello:alice offer:1:5:f chunk:1:f:0:3 end:1:f
	check 98 "accept for transfer id 1 never offered" hello:alice accept:1
	check 98 "reject for transfer id 9 never offered" hello:alice reject:9
	check 98 "a receipt for 1 messages of 0 sent" hello:alice receipt:1
	check 97 "message of type 4 with a payload of 0 bytes" hello:alice raw:0400000000
	# after a violation nothing more is said to the peer
	mk hello:alice raw:0900000000 >stream
	fake -d dl
	[ "$(dec reply)" = "hello 1 bob" ]
}

@test "axo-chat -b: a file goes on the file stream, lines and the offer on fds 6/7; a peer without one gets it on 6/7" {
	head -c 3M /dev/urandom >big.bin
	mkfifo ab ab.tee ba
	# what alice writes on her file stream, copied on its way to bob
	tee ab.copy <ab.tee >ab &
	TEE=$!
	# alice sends big.bin, bob has it whole; then alice quits, both 0
	sent() {
		line alice ".send big.bin"
		waitfor bob.out "saved big.bin"
		cmp big.bin dl/big.bin
	}
	quits() {
		line alice .quit
		finish
		[ "$PST" -eq 0 ] || { cat alice.err bob.err; false; }
	}
	start "-b 3 3<>ba 4>ab.tee 5<>ev.a" "-b 3 3<ab 4<>ba 5<>ev.b -d dl"
	line alice hello
	waitfor bob.out "<alice> hello"
	sent
	line bob "got it"
	waitfor alice.out "<bob> got it"
	quits
	wait "$TEE"
	# the file stream carried the file's chunks and its end, nothing else
	dec ab.copy | cut -d ' ' -f 1 | sort | uniq -c | awk '{ print $2, $1 > "kinds" }'
	[ "$(cut -d ' ' -f 1 kinds | tr '\n' ' ')" = "chunk end " ]
	[ "$(dec ab.copy | awk '$1 == "chunk" { n += $3 } END { print n }')" -eq $((3 << 20)) ]
	# bob without -b: he says no FILES, so alice sends on fds 6/7
	rm -rf dl/* alice.* bob.* ev.*
	mkfifo alice.in bob.in
	start "-b 3 3<>ba 4<>ab 5<>ev.a" "-d dl"
	sent
	quits
}

# The data goes on the file stream, the QUIT on fds 6/7: the QUIT must
# not overtake the file.  Alice's input ends right after her .send.
@test "axo-chat -b: .send then the end of input: alice quits once bob has the file (GOT)" {
	head -c 3M /dev/urandom >big.bin
	mkfifo ab ba ab.tee
	# the file stream slower than fds 6/7, as on its own circuit: each
	# 64 KiB held 50 ms on its way
	tee ab.copy <ab.tee | /usr/bin/python3 -c '
import os, time
while True:
    b = os.read(0, 65536)
    if not b:
        break
    time.sleep(0.05)
    os.write(1, b)' >ab &
	printf '.send big.bin\n' >script
	pair -p sh -c "exec axo-chat -n alice -p bob -b 3 3<>ba 4>ab.tee 5</dev/null <script >alice.out 2>alice.err" -- \
		sh -c "exec axo-chat -n bob -p alice -d dl -b 3 3<ab 4<>ba 5</dev/null <>bob.in >bob.out 2>bob.err" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	finish
	[ "$PST" -eq 0 ] || { cat alice.err bob.err pair.err; false; }
	cmp big.bin dl/big.bin
	[ "$(tail -n 2 bob.out)" = "* saved big.bin from alice as dl/big.bin (3.0 MiB, sha256 ok)
* alice has quit the chat" ]
	[ "$(tail -n 1 alice.out)" = "* sent big.bin (3.0 MiB)" ]
	# the file stream carried the data and its end; GOT came on 6/7
	[ "$(dec ab.copy | tail -n 1 | cut -d ' ' -f 1)" = end ]
	# a .quit right after "sent" waits for bob's GOT too (each 64 KiB
	# held 0.5 s: the end is at least that far behind "sent")
	rm -f dl/big.bin alice.* bob.* ab.copy
	mkfifo alice.in bob.in
	head -c 512K /dev/urandom >mid.bin
	/usr/bin/python3 -c '
import os, time
while True:
    b = os.read(0, 65536)
    if not b:
        break
    time.sleep(0.5)
    os.write(1, b)' <ab.tee >ab &
	start "-b 3 3<>ba 4>ab.tee 5</dev/null" "-b 3 3<ab 4<>ba 5</dev/null -d dl"
	line alice ".send mid.bin"
	waitfor alice.out "* sent mid.bin (512.0 KiB)"
	line alice .quit
	finish
	[ "$PST" -eq 0 ] || { cat alice.err bob.err pair.err; false; }
	cmp mid.bin dl/mid.bin
	grep -qx '\* waiting for bob to have mid.bin (.quit again: leave now)' alice.out
	[ "$(tail -n 1 bob.out)" = "* alice has quit the chat" ]
}

# The file stream's wrap gives up (its "gone" on the events fd): the
# session goes on without it.  Alice's file stream ends in a pipe that
# nobody reads (held by sleep), so her transfer is under way when it is
# lost, on her side (the sender's) and then on bob's (the receiver's).
@test "axo-chat -b: the file stream lost for good mid-transfer: both told, the transfer ends, the next goes on fds 6/7" {
	head -c 2M /dev/urandom >big.bin
	mkfifo ab ba
	sleep 600 <ab &
	echo $! >hold.pid
	for who in alice bob; do
		rm -f alice.* bob.* ev.*
		mkfifo alice.in bob.in ev.a ev.b
		start "-b 3 3<>ba 4>ab 5<>ev.a" "-b 3 3<>ba 4<>ba 5<>ev.b -d dl"
		line alice ".send big.bin"
		waitfor alice.out "* bob accepted big.bin"
		waitfor bob.out "* receiving big.bin"
		# its partial file
		[ -n "$(ls -A dl)" ]
		if [ "$who" = alice ]; then
			printf 'lost the connection closed\ngone no link for 5 s\n' >ev.a
			waitfor alice.out "* the file stream to bob is lost (no link for 5 s); files go with the chat"
			waitfor bob.out "* alice lost the file stream; files go with the chat"
		else
			printf 'gone nothing heard for 30 s\n' >ev.b
			waitfor bob.out "* the file stream to alice is lost (nothing heard for 30 s); files go with the chat"
			waitfor alice.out "* bob lost the file stream; files go with the chat"
		fi
		waitfor alice.out "* aborted sending big.bin: the file stream was lost; send it again"
		waitfor bob.out "* stopped receiving big.bin: the file stream was lost"
		# no partial file left
		[ "$(ls -A dl)" = "" ]
		# the next goes with the lines, whole
		line alice ".send big.bin"
		waitfor bob.out "* saved big.bin from alice as dl/big.bin (2.0 MiB, sha256 ok)"
		cmp big.bin dl/big.bin
		rm dl/big.bin
		line bob "still here"
		waitfor alice.out "<bob> still here"
		line alice .quit
		finish
		[ "$PST" -eq 0 ] || { cat alice.err bob.err pair.err; false; }
		[ ! -s alice.err ] && [ ! -s bob.err ]
		# each side said it once, and nothing of the transfer's end twice
		[ "$(grep -c 'file stream' alice.out)" -eq 2 ]
		[ "$(grep -c 'file stream' bob.out)" -eq 2 ]
	done
}

@test "axo-chat -b: its usage, and anything but data on the file stream is 98" {
	run axo-chat -b 1 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "$USAGE" ]
	run axo-chat -b 5 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: -b 5 takes fds 5 to 7: 6 and 7 are the chat's" ]
	run axo-chat -b 3 -e 4 6</dev/null 7>/dev/null
	[ "$status" -eq 100 ]
	[ "$output" = "axo-chat: fatal: -e 4 is one of -b's fds" ]
	run axo-chat -b 3 6</dev/null 7>/dev/null 3</dev/null 4>/dev/null 5>&-
	[ "$status" -eq 100 ]
	[[ "$output" = "axo-chat: fatal: missing fd 5 (the file stream's events)"* ]]
	printf 'data\n' >f
	mk hello:alice files >stream
	for spec in msg:hi files offer:1:5:f accept:1 raw:0900000000; do
		mk "$spec" >fstream
		run --separate-stderr axo-chat -n bob -p alice -d dl -b 3 \
			6<stream 7>reply 3<fstream 4>freply 5</dev/null 0<>idle
		case $spec in
		raw:*) want="97 unknown message type 9" ;;
		*) want="98 a message of type $(dec fstream | sed 's/ .*//;s/msg/2/;s/files/5/;s/offer/16/;s/accept/17/') on the file stream" ;;
		esac
		[ "$status $stderr" = "${want%% *} axo-chat: fatal: protocol violation by alice: ${want#* }" ] ||
			{ echo "$spec: $status $stderr"; false; }
		[ ! -s freply ]
		[ "$(ls -A dl)" = "" ]
	done
	# a second FILES on fds 6/7
	mk hello:alice files files >stream
	: >fstream
	run --separate-stderr axo-chat -n bob -p alice -b 3 \
		6<stream 7>reply 3<fstream 4>freply 5</dev/null 0<>idle
	[ "$status" -eq 98 ]
	[ "$stderr" = "axo-chat: fatal: protocol violation by alice: a second files" ]
	[ "$(dec reply)" = "hello 1 bob
files" ]
	# NOFILES (its file stream is gone) only after its FILES, and once
	for spec in "nofiles:nofiles before files" \
	    "files nofiles nofiles:a second nofiles"; do
		# shellcheck disable=SC2086
		mk hello:alice ${spec%%:*} >stream
		run --separate-stderr axo-chat -n bob -p alice -b 3 \
			6<stream 7>reply 3<fstream 4>freply 5</dev/null 0<>idle
		[ "$status $stderr" = "98 axo-chat: fatal: protocol violation by alice: ${spec#*:}" ] ||
			{ echo "$spec: $status $stderr"; false; }
	done
	# after it, bob's data goes on fds 6/7, and what is left of a
	# transfer that ended (the two streams cross) is let be
	mk hello:alice files nofiles offer:1:5:f abort:1 chunk:1:f:0:5 end:1:f \
		msg:bye quit >stream
	run --separate-stderr axo-chat -n bob -p alice -d dl -b 3 \
		6<stream 7>reply 3<fstream 4>freply 5</dev/null 0<>idle
	[ "$status" -eq 0 ] || { echo "$status $stderr"; false; }
	[ "$output" = "* alice lost the file stream; files go with the chat
* receiving f (5 bytes) from alice into dl
* alice aborted f
<alice> bye
* alice has quit the chat" ]
	[ "$(ls -A dl)" = "" ]
}

@test "axo-chat: through two real axo-ratchet wrap processes: chat, a file, quit" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	axo-ratchet init -r bob -S b 4<bk <sk
	axo-ratchet init -r alice -p "$pub" -S a <sk
	head -c 3000000 /dev/urandom >file
	pair axo-ratchet wrap -S a sh -c "$(side alice bob)" -- \
		axo-ratchet wrap -S b sh -c "$(side bob alice -d dl)" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	line bob "bob speaks first"
	waitfor alice.out "<bob> bob speaks first"
	line alice "alice answers"
	waitfor bob.out "<alice> alice answers"
	line alice ".send file"
	waitfor bob.out "* saved file from alice as dl/file (2.9 MiB, sha256 ok)"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	cmp file dl/file
	[ ! -s pair.err ] && [ ! -s alice.err ] && [ ! -s bob.err ]
	[ "$(tail -1 bob.out)" = "* alice has quit the chat" ]
}

@test "axo-chat: through wrap, a side killed is a lost connection for the other" {
	head -c 32 /dev/urandom >sk
	pub=$(axo-ratchet keygen 5>bk)
	axo-ratchet init -r bob -S b 4<bk <sk
	axo-ratchet init -r alice -p "$pub" -S a <sk
	pair axo-ratchet wrap -S a sh -c "$(side alice bob)" -- \
		axo-ratchet wrap -S b sh -c "$(side bob alice)" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	line alice "hi"
	waitfor bob.out "<alice> hi"
	kill -KILL "$(cat alice.pid)"
	finish
	[ "$PST" -eq 137 ]
	[ "$(cat bob.err)" = "axo-chat: fatal: connection to alice lost" ]
	[ "$(cat pair.err)" = "pair: prog1 exited 137
pair: prog2 exited 111" ]
}

@test "axo-chat: the EXAMPLES of axo-chat(1) run" {
	# the page's line-mode example, over two named pipes
	mkfifo a2b b2a
	printf 'hello from a script\n' >msgs
	( axo-chat -n bot -p alice -d dl 6<a2b 7>b2a <>bob.in >bob.out 2>&1 3>&- & )
	axo-chat -n alice -p bot 7>a2b 6<b2a <msgs >alice.out 2>&1
	waitfor bob.out "* alice has quit the chat"
	[ "$(cat bob.out)" = "<alice> hello from a script
* alice has quit the chat" ]
	grep -qF 'axo-chat -n alice -p bot 7>a2b 6<b2a <msgs' "$AXO_TOP/man/axo-chat.1"
	grep -qF 'axo-chat -n bot -p alice -d dl 6<a2b 7>b2a' "$AXO_TOP/man/axo-chat.1"
}

@test "axo-chat: the window in tmux: input line intact, .help, resize, .quit, terminal restored" {
	command -v tmux >/dev/null || skip "no tmux"
	TMUXS=$T/tmux.sock
	tm() { tmux -S "$TMUXS" "$@"; }
	screen() { tm capture-pane -p -t chat; }
	# waitscreen STRING: until the pane shows it
	waitscreen() {
		local i
		for i in $(seq 1 200); do
			screen | grep -qF -- "$1" && return 0
			sleep 0.05
		done
		echo "no '$1' on the screen:"; screen; return 1
	}
	printf 'vx3-apple-bottle\n' >verifier
	mkdir adl
	tm new-session -d -s chat -x 80 -y 24 \
		"cd '$T' && PATH='$PATH' '$AXO_TBIN/helpers/pair' -p sh -c 'exec axo-chat -n alice -p bob -c red -d adl -V verifier' -- sh -c '$(side bob alice)'; echo \$? >rc; stty -a >stty.after; sleep 60"
	waitscreen "alice <-> bob"
	tm send-keys -t chat -l "half typed"
	waitscreen "> half typed"
	for i in 1 2 3; do line bob "incoming $i"; done
	waitscreen "<bob> incoming 3"
	# the input line is still there, whole, at the bottom, cursor after it
	[ "$(screen | tail -1)" = "> half typed" ]
	[ "$(tm display -p -t chat '#{cursor_x} #{cursor_y}')" = "12 23" ]
	screen | sed -n 23p | grep -qF "alice <-> bob | SMP FAILED: not verified"
	tm send-keys -t chat " now" Enter
	waitfor bob.out "<alice> half typed now"
	waitscreen "<alice> half typed now"
	tm send-keys -t chat ".help" Enter ".verify" Enter
	waitscreen "* verifier: vx3-apple-bottle"
	screen | grep -qF "*   .send PATH   offer a file to the peer"
	# a smaller window: the status and input lines move with it
	tm resize-window -t chat -x 60 -y 12
	line bob "after resize"
	waitscreen "<bob> after resize"
	[ "$(screen | sed -n 11p | cut -c1-15)" = " alice <-> bob " ]
	[ "$(screen | sed -n 12p)" = ">" ]
	# an offer never eats keys: it waits on the status line for .accept
	tm resize-window -t chat -x 100 -y 24
	tm send-keys -t chat -l "I think "
	waitscreen "> I think"
	printf 'x\n' >small
	line bob ".send small"
	waitscreen "* bob offers small (2 bytes): .accept or .reject"
	tm send-keys -t chat -l "okay sure"
	waitscreen "> I think okay sure"
	screen | sed -n 23p | grep -qF "| bob offers small (2 bytes): .accept or .reject"
	[ "$(screen | tail -1)" = "> I think okay sure" ]
	[ ! -e adl/small ]
	tm send-keys -t chat Enter
	waitfor bob.out "<alice> I think okay sure"
	tm send-keys -t chat ".accept" Enter
	waitscreen "* saved small from bob as adl/small"
	cmp small adl/small
	[ "$(screen | sed -n 23p | sed 's/ *$//')" = " alice <-> bob | SMP FAILED: not verified | .help" ]
	# a second offer refused; .accept with none open says so
	line bob ".send small"
	waitscreen "| bob offers small (2 bytes): .accept or .reject"
	tm send-keys -t chat ".reject" Enter
	waitscreen "* rejected small"
	waitfor bob.out "* alice rejected small"
	tm send-keys -t chat ".accept" Enter
	waitscreen "* no offer to accept"
	[ "$(ls adl)" = small ]
	tm send-keys -t chat ".quit" Enter
	waitfor bob.out "* alice has quit the chat"
	for i in $(seq 1 100); do [ -s stty.after ] && break; sleep 0.05; done
	[ "$(cat rc)" = 0 ]
	grep -qw icanon stty.after && grep -qw echo stty.after
	! grep -qw -- -icanon stty.after
}

@test "valgrind: a chat with a file both ways and hostile bytes, no error" {
	command -v valgrind >/dev/null || skip "no valgrind"
	! grep -qa __asan_init "$AXO_BIN/axo-chat" || skip "a sanitizer build"
	vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
	head -c 300000 /dev/urandom >fa
	head -c 200000 /dev/urandom >fb
	pair -p sh -c "echo \$\$ >alice.pid; exec $vg axo-chat -n alice -p bob -d dl <>alice.in >alice.out 2>alice.err" \
		-- sh -c "echo \$\$ >bob.pid; exec $vg axo-chat -n bob -p alice -d dl <>bob.in >bob.out 2>bob.err" \
		>pair.out 2>pair.err 3>&- &
	PAIR=$!
	line alice ".send fa"
	line bob ".send fb"
	line bob "hello"
	waitfor bob.out "* saved fa from alice as dl/fa"
	waitfor alice.out "* saved fb from bob as dl/fb"
	waitfor alice.out "<bob> hello"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ ! -s alice.err ] && [ ! -s bob.err ] && [ ! -s pair.err ]
	cmp fa dl/fa && cmp fb dl/fb
	mk hello:alice offer:1:9:x chunk:1:fa:0:4 raw:13000000 >stream
	run $vg axo-chat -n bob -p alice -d dl 6<stream 7>reply 0<>idle
	[ "$status" -eq 111 ]
	[ "${lines[-1]}" = "axo-chat: fatal: connection to alice lost" ]
	[ "$(ls -A dl | tr '\n' ' ')" = "fa fb " ]
}

@test "axo-chat: the window in tmux: a progress bar on the status line, .abort" {
	command -v tmux >/dev/null || skip "no tmux"
	TMUXS=$T/tmux.sock
	tm() { tmux -S "$TMUXS" "$@"; }
	screen() { tm capture-pane -p -t chat; }
	waitscreen() {
		local i
		for i in $(seq 1 200); do
			screen | grep -qF -- "$1" && return 0
			sleep 0.05
		done
		echo "no '$1' on the screen:"; screen; return 1
	}
	head -c 20971520 /dev/urandom >big
	# bob, a script, reads the network through a throttle (about 2 MB/s)
	# (through a fifo, and axo-chat exec'd: no shell left holding fd 7,
	# so that alice sees bob's end when he has quit)
	mkfifo thr
	cat >bob.sh <<-'EOS'
	echo $$ >bob.pid
	/usr/bin/python3 -c '
	import sys, time
	i, o = sys.stdin.buffer, sys.stdout.buffer
	while True:
	    d = i.read1(32768)
	    if not d: break
	    o.write(d); o.flush(); time.sleep(0.015)' <&6 6<&- 7>&- >thr &
	exec axo-chat -n bob -p alice -d dl 6<thr <>bob.in >bob.out 2>bob.err
	EOS
	tm new-session -d -s chat -x 80 -y 24 \
		"cd '$T' && PATH='$PATH' '$AXO_TBIN/helpers/pair' -p sh -c 'exec axo-chat -n alice -p bob' -- sh bob.sh; echo \$? >rc; sleep 60"
	waitscreen "alice <-> bob"
	tm send-keys -t chat ".send big" Enter
	waitscreen "sending big [#"
	screen | sed -n 23p | grep -qE '^ alice <-> bob \| encrypted, not verified \| \.help \| sending big \[#+-*\] [0-9]+%'
	waitfor bob.out "receiving big: 25%"
	tm send-keys -t chat ".abort" Enter
	waitscreen "* aborted sending big"
	waitfor bob.out "* alice aborted big"
	[ "$(screen | sed -n 23p | sed 's/ *$//')" = " alice <-> bob | encrypted, not verified | .help" ]
	[ "$(ls -A dl)" = "" ]
	tm send-keys -t chat ".quit" Enter
	waitfor bob.out "* alice has quit the chat"
	for i in $(seq 1 100); do [ -s rc ] && break; sleep 0.05; done
	[ "$(cat rc)" = 0 ]
}

# The window in tmux: alice's axo-chat in a pane of COLSxROWS (80x24 by
# default), bob a line-mode side on fifos.  tmstart COLS ROWS [ALICE-ARGS]
# [SHOWN] (what the screen shows once it is up)
tmstart() {
	command -v tmux >/dev/null || skip "no tmux"
	TMUXS=$T/tmux.sock
	tm new-session -d -s chat -x "$1" -y "$2" \
		"cd '$T' && PATH='$PATH' '$AXO_TBIN/helpers/pair' -p sh -c 'exec axo-chat -n alice -p bob ${3:-}' -- sh -c '$(side bob alice)'; echo \$? >rc; sleep 60"
	waitscreen "${4:-alice <-> bob}"
}
tm() { tmux -S "$TMUXS" "$@"; }
screen() { tm capture-pane -p -t chat; }
waitscreen() {
	local i
	for i in $(seq 1 200); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	echo "no '$1' on the screen:"; screen; return 1
}
# The input line as it is drawn (trailing blanks dropped); waitinput
# STRING: until it is that.
inputline() { screen | tail -1 | sed 's/ *$//'; }
waitinput() {
	local i
	for i in $(seq 1 100); do
		[ "$(inputline)" = "$1" ] && return 0
		sleep 0.05
	done
	echo "the input line is '$(inputline)', not '$1'"; return 1
}
tmquit() {
	tm send-keys -t chat C-e C-u ".quit" Enter
	waitfor bob.out "* alice has quit the chat"
	for i in $(seq 1 100); do [ -s rc ] && break; sleep 0.05; done
	[ "$(cat rc)" = 0 ]
}

@test "axo-chat: the window in tmux: ^D and ^C do not end the chat, they hint at .quit" {
	tmstart 80 24
	tm send-keys -t chat C-d
	waitscreen "* .quit ends the chat, for both sides"
	tm send-keys -t chat -l "draft"
	waitscreen "> draft"
	tm send-keys -t chat C-c
	waitinput ">"
	[ "$(screen | grep -cF '* .quit ends the chat, for both sides')" = 2 ]
	line bob "still here"
	waitscreen "<bob> still here"
	[ ! -s rc ]
	! grep -q "has quit" bob.out
	tmquit
}

@test "axo-chat: the window in tmux: Esc times out, Alt-b/f/d/Backspace, Up/Down recall, PageUp/PageDown" {
	tmstart 80 24
	# a lone Esc is dropped after a while: Left is Left, not "[D"
	tm send-keys -t chat -l "hello world"
	waitscreen "> hello world"
	tm send-keys -t chat Escape
	sleep 0.6
	tm send-keys -t chat Left
	tm send-keys -t chat -l "X"
	waitscreen "> hello worlXd"
	# Alt and a key it does not know: the key, not eaten
	tm send-keys -t chat C-e C-u M-z
	waitinput "> z"
	# word motions
	tm send-keys -t chat C-e C-u
	tm send-keys -t chat -l "one two three"
	waitscreen "> one two three"
	tm send-keys -t chat M-b
	tm send-keys -t chat -l "X"
	waitscreen "> one two Xthree"
	tm send-keys -t chat M-b M-b M-b M-f
	tm send-keys -t chat -l "Y"
	waitscreen "> oneY two Xthree"
	tm send-keys -t chat End M-BSpace
	waitinput "> oneY two"
	tm send-keys -t chat Home M-d
	waitinput ">  two"
	# Up and Down: our own lines, then the draft again
	tm send-keys -t chat C-e C-u "first" Enter "second" Enter
	waitfor bob.out "<alice> second"
	tm send-keys -t chat -l "dra"
	tm send-keys -t chat Up
	waitscreen "> second"
	tm send-keys -t chat Up
	waitscreen "> first"
	tm send-keys -t chat Up Down
	waitscreen "> second"
	tm send-keys -t chat Down
	waitscreen "> dra"
	tm send-keys -t chat Up Enter
	waitfor bob.out "<alice> second
<alice> second"
	# PageUp: the view stays back while lines come; PageDown returns
	for i in $(seq 1 40); do line bob "l$i"; done
	waitscreen "<bob> l40"
	tm send-keys -t chat PageUp
	waitscreen "scrolled back 21 (PageDown)"
	! screen | grep -qF "<bob> l40"
	screen | grep -qF "<bob> l19"
	line bob "l41"
	waitscreen "scrolled back 22 (PageDown)"
	! screen | grep -qF "<bob> l41"
	tm send-keys -t chat PageDown
	waitscreen "scrolled back 1 (PageDown)"
	tm send-keys -t chat PageDown
	waitscreen "<bob> l41"
	! screen | grep -qF "scrolled back"
	[ "$(inputline)" = ">" ]
	tmquit
}

@test "axo-chat: the window in tmux: a 12-column window keeps the input line whole" {
	tmstart 12 8 "" "alice <-> b"
	tm send-keys -t chat -l "abcdefghijklmnopqrstuvwxyz"
	# the input line scrolls sideways, the cursor in the last column
	waitinput "> rstuvwxyz"
	[ "$(tm display -p -t chat '#{cursor_x} #{cursor_y}')" = "11 7" ]
	# the status line is cut to the width, on its own row
	[ "$(screen | sed -n 7p)" = " alice <-> b" ]
	tm send-keys -t chat Home
	waitinput "> abcdefghij"
	[ "$(tm display -p -t chat '#{cursor_x} #{cursor_y}')" = "2 7" ]
	line bob "a message"
	waitscreen "<bob> a mess"
	[ "$(inputline)" = "> abcdefghij" ]
	[ "$(screen | sed -n 7p)" = " alice <-> b" ]
	tm send-keys -t chat End Enter
	waitfor bob.out "<alice> abcdefghijklmnopqrstuvwxyz"
	tmquit
}

@test "axo-chat: the window in tmux: a paste of several lines waits for ^Y or ^N; one line goes in the input line" {
	tmstart 100 24
	printf 'p1\n.quit\np3\np4\n' | tm load-buffer -
	tm paste-buffer -p -t chat
	waitscreen "| paste of 4 lines: ^Y sends 4 messages, ^N drops it"
	[ "$(inputline)" = ">" ]
	# keys still edit the draft while it waits
	tm send-keys -t chat -l "draft"
	waitinput "> draft"
	! grep -q "<alice>" bob.out
	tm send-keys -t chat C-y
	waitfor bob.out "<alice> p4"
	[ "$(grep '<alice>' bob.out)" = "<alice> p1
<alice> .quit
<alice> p3
<alice> p4" ]
	! screen | grep -qF "paste of"
	[ "$(inputline)" = "> draft" ]
	# dropped with ^N
	printf 'x1\nx2\n' | tm load-buffer -
	tm paste-buffer -p -t chat
	waitscreen "paste of 2 lines"
	tm send-keys -t chat C-n
	waitscreen "* paste dropped"
	! screen | grep -qF "paste of"
	# one line: into the input line at the cursor, sent with Enter
	printf ' pasted' | tm load-buffer -
	tm paste-buffer -p -t chat
	waitinput "> draft pasted"
	tm send-keys -t chat Enter
	waitfor bob.out "<alice> draft pasted"
	! grep -q "<alice> x" bob.out
	tmquit
}

@test "axo-chat: a line longer than a message goes as several, and says so; past 64 KiB it is refused" {
	start "" ""
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	line alice "$long"
	waitfor alice.err "a line of 5000 bytes went as 2 messages"
	line alice "$(head -c 70000 /dev/zero | tr '\0' b)"
	waitfor alice.err "not sent"
	line alice "after"
	waitfor bob.out "<alice> after"
	line alice ".quit"
	finish
	[ "$PST" -eq 0 ]
	[ "$(cat alice.err)" = "axo-chat: warning: a line of 5000 bytes went as 2 messages (4096 bytes at most each)
axo-chat: warning: not sent: a line of more than 65536 bytes" ]
	[ "$(sed -n 1p bob.out)" = "<alice> $(head -c 4096 /dev/zero | tr '\0' a)" ]
	[ "$(sed -n 2p bob.out)" = "<alice> $(head -c 904 /dev/zero | tr '\0' a)" ]
	[ "$(sed -n 3p bob.out)" = "<alice> after" ]
}

@test "axo-chat: the sender is told why an offer was rejected; a reason that is not text is 97" {
	# the peer's why, shown cleaned; an empty one is a plain no
	printf 'data\n' >f
	mkfifo net
	axo-chat -n alice -p bob 6<net 7>reply <>alice.in >alice.out 2>alice.err 3>&- &
	echo $! >alice.pid
	exec 8>net
	mk hello:bob >&8
	line alice ".send f"
	waitfor alice.out "* offering f (5 bytes) to bob"
	mk reject:1:unable\ to\ save\ it:\ Permission\ denied >&8
	waitfor alice.out "* bob rejected f: unable to save it: Permission denied"
	line alice ".send f"
	mk reject:2 quit >&8
	exec 8>&-
	waitfor alice.out "* bob has quit the chat"
	grep -qx "\* bob rejected f" alice.out
	# a reason with a control character
	mk hello:bob reject:1:x\\x1by >stream
	run --separate-stderr axo-chat -n alice -p bob 6<stream 7>reply 0<>idle
	[ "$status" -eq 97 ]
	[ "$stderr" = "axo-chat: fatal: protocol violation by bob: a reason that is not printable UTF-8" ]
	# a directory that cannot be written says so to the sender (root
	# writes anywhere: then this part is not run)
	if [ "$(id -u)" != 0 ]; then
		mkdir ro && chmod 500 ro
		start "" "-d ro"
		line alice ".send f"
		waitfor alice.out "* bob rejected f: unable to save it: Permission denied"
		line alice ".quit"
		finish
	fi
}

@test "axo-chat: the receiver's own .abort is its own, not the sender's" {
	head -c 100000 /dev/urandom >f
	mkfifo slow
	axo-chat -n bob -p alice -d dl 6<slow 7>reply <>bob.in >bob.out 2>bob.err 3>&- &
	echo $! >bob.pid
	exec 8>slow
	mk hello:alice offer:1:100000:f chunk:1:f:0:30000 >&8
	waitfor bob.out "receiving f: 25%"
	line bob ".abort"
	waitfor bob.out "* stopped receiving f"
	# the sender's answer to the stop, then more chat
	mk chunk:1:f:30000:100 abort:1 msg:after quit >&8
	exec 8>&-
	waitfor bob.out "* alice has quit the chat"
	[ "$(cat bob.out)" = "* receiving f (97.7 KiB) from alice into dl
* receiving f: 25%
* stopped receiving f
<alice> after
* alice has quit the chat" ]
	[ "$(ls -A dl)" = "" ]
	[ ! -s bob.err ]
	[ "$(dec reply)" = "hello 1 bob
accept 1
reject 1
receipt 1" ]
}

@test "axo-chat: the window in tmux: verified (SMP) and not verified differ; .verify in groups to read aloud" {
	printf '0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210\n' >verifier
	tmstart 80 24 "-V verifier --verified"
	[ "$(screen | sed -n 23p | sed 's/ *$//')" = " alice <-> bob | encrypted, verified (SMP) | .help" ]
	tm send-keys -t chat ".verify" Enter
	waitscreen "*   fedc ba98 7654 3210 fedc ba98 7654 3210"
	screen | grep -qxF "* verifier, to read aloud and compare with bob:"
	screen | grep -qxF "*   0123 4567 89ab cdef 0123 4567 89ab cdef"
	tmquit
	tm kill-server
	rm -f rc
	tmstart 80 24
	[ "$(screen | sed -n 23p | sed 's/ *$//')" = " alice <-> bob | encrypted, not verified | .help" ]
	tmquit
}
