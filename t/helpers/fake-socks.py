#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# fake-socks.py: a hostile SOCKS5 server on 127.0.0.1 for the tests.
"""fake-socks.py PORTFILE LOGFILE MODE

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, serves
connections one after another (at most 20, each bounded to 30 s) and
answers each the way MODE says.  The CONNECT request of each connection is
appended to LOGFILE in hex.  The test kills it by PID.

Modes: ok, ok-domain (bound name reply followed at once by stream bytes),
ok-ipv6, rep:XX (reply code XX in hex), badver-method, nomethod, badver,
badrsv, badatyp, emptyname, short, hang, close, garbage, slow (one byte a
0.05 s), stall-once (takes the username of RFC 1929, logged as "user
NAME", and hangs the first CONNECT; answers the later ones as ok)."""
import os
import socket
import sys
import threading
import time


def recvn(c, n):
    b = b""
    while len(b) < n:
        x = c.recv(n - len(b))
        if not x:
            raise EOFError
        b += x
    return b


def read_request(c, log):
    g = recvn(c, 2)
    recvn(c, g[1])
    return g


def echo(c):
    while True:
        x = c.recv(65536)
        if not x:
            return
        c.sendall(x)


def serve(c, mode, log, nth):
    if mode == "close":
        return
    if mode == "stall-once":
        g = read_request(c, log)
        c.sendall(b"\x05\x02")
        v, ulen = recvn(c, 2)
        user = recvn(c, ulen)
        recvn(c, recvn(c, 1)[0])
        with open(log, "a") as f:
            f.write("user %s\n" % user.decode("ascii", "replace"))
        c.sendall(b"\x01\x00")
        h = recvn(c, 5)
        recvn(c, h[4] + 2)
        if nth == 0:
            time.sleep(30)
            return
        c.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x12\x34")
        echo(c)
        return
    if mode == "garbage":
        c.sendall(os.urandom(1000))
        time.sleep(0.5)
        return
    read_request(c, log)
    if mode == "badver-method":
        c.sendall(b"\x04\x00")
        return
    if mode == "nomethod":
        c.sendall(b"\x05\xff")
        return
    c.sendall(b"\x05\x00")
    h = recvn(c, 5)
    rest = recvn(c, h[4] + 2) if h[3] == 3 else b""
    with open(log, "a") as f:
        f.write((h + rest).hex() + "\n")
    ok4 = b"\x05\x00\x00\x01\x7f\x00\x00\x01\x12\x34"
    if mode == "ok":
        c.sendall(ok4)
        echo(c)
    elif mode == "ok-domain":
        c.sendall(b"\x05\x00\x00\x03\x05relay\x00\x50" + b"early")
        echo(c)
    elif mode == "ok-ipv6":
        c.sendall(b"\x05\x00\x00\x04" + bytes(15) + b"\x01\x00\x50")
        echo(c)
    elif mode.startswith("rep:"):
        r = int(mode[4:], 16)
        c.sendall(b"\x05" + bytes([r]) + b"\x00\x01\x00\x00\x00\x00\x00\x00")
    elif mode == "badver":
        c.sendall(b"\x04\x00\x00\x01\x7f\x00\x00\x01\x12\x34")
    elif mode == "badrsv":
        c.sendall(b"\x05\x00\x07\x01\x7f\x00\x00\x01\x12\x34")
    elif mode == "badatyp":
        c.sendall(b"\x05\x00\x00\x07\x7f\x00\x00\x01\x12\x34")
    elif mode == "emptyname":
        c.sendall(b"\x05\x00\x00\x03\x00\x00\x50")
    elif mode == "short":
        c.sendall(b"\x05\x00\x00\x01\x7f")
    elif mode == "slow":
        for b in ok4:
            c.sendall(bytes([b]))
            time.sleep(0.05)
        echo(c)
    elif mode == "hang":
        time.sleep(30)


def main():
    if len(sys.argv) != 4:
        sys.exit(100)
    portfile, log, mode = sys.argv[1:]
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    tmp = portfile + ".new"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, portfile)
    def one(c, nth):
        try:
            serve(c, mode, log, nth)
        except (EOFError, OSError):
            pass
        finally:
            c.close()

    for nth in range(20):
        c, _a = s.accept()
        c.settimeout(30)
        if mode == "stall-once":
            # the stalled one must not hold up the next
            threading.Thread(target=one, args=(c, nth), daemon=True).start()
        else:
            one(c, nth)


main()
