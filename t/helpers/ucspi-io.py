#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# ucspi-io.py: the two ends of a stream on fds 6/7, for the onion tests.
"""ucspi-io.py echo | send IN OUT

echo: copies fd 6 to fd 7 until EOF (or a reset), then shuts down.
send: writes the file IN to fd 7 while it copies fd 6 into the file OUT,
until OUT is as long as IN or fd 6 ends; then it closes both.  It does
not half-close after IN: a tor stream carries no half-close (an EOF one
way ends it both ways), so the sender waits for the whole echo first.
fds 6 and 7 may be one socket (as tcpclient gives) or two."""
import os
import socket
import sys
import threading


def shut(fd):
    try:
        socket.socket(fileno=os.dup(fd)).shutdown(socket.SHUT_WR)
    except OSError:
        pass
    os.close(fd)


def writeall(fd, b):
    v = memoryview(b)
    while v:
        v = v[os.write(fd, v):]


def main():
    if sys.argv[1:2] == ["echo"] and len(sys.argv) == 2:
        while True:
            try:
                b = os.read(6, 65536)
            except ConnectionResetError:
                break
            if not b:
                break
            writeall(7, b)
        shut(7)
        return 0
    if sys.argv[1:2] == ["send"] and len(sys.argv) == 4:
        def writer():
            with open(sys.argv[2], "rb") as f:
                while True:
                    b = f.read(65536)
                    if not b:
                        break
                    writeall(7, b)
        want = os.path.getsize(sys.argv[2])
        t = threading.Thread(target=writer)
        t.start()
        got = 0
        with open(sys.argv[3], "wb") as out:
            while got < want:
                b = os.read(6, min(65536, want - got))
                if not b:
                    break
                out.write(b)
                got += len(b)
        t.join()
        shut(7)
        return 0 if got == want else 1
    sys.stderr.write("ucspi-io.py: usage: ucspi-io.py echo | send IN OUT\n")
    return 100


sys.exit(main())
