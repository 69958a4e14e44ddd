# SPDX-License-Identifier: GPL-2.0-only
# socksiso.py: a stream to an onion through tor's SOCKS5 port with an
# isolation username of the caller's (streams with one username share a
# circuit), for the bench helpers socksrun and onionprobe.  Every wait
# is bounded.
import socket
import struct
import sys
import time

WAIT = 20       # s: any one connect or reply


def die(prog, msg):
    sys.stderr.write("%s: %s\n" % (prog, msg))
    sys.exit(111)


def dial(prog, port, addr, vport, iso, fallback=True):
    """Up to 40 tries, 0.5 s apart, while the descriptor or the service's
    socket is not there yet; a try that tor leaves unanswered for WAIT s
    is given up, and after two such (with fallback) the rest go with
    ISO-2, a circuit of their own."""
    host = (addr if addr.endswith(".onion") else addr + ".onion").encode()
    stalls = 0
    for _ in range(40):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        except OSError as e:
            die(prog, "the SOCKS port 127.0.0.1:%d: %s" % (port, e.strerror or e))
        try:
            r = handshake(prog, s, host, vport, iso)
        except socket.timeout:
            s.close()
            stalls += 1
            if stalls == 2 and fallback:
                iso += b"-2"
            continue
        except OSError:
            r = b""
        if len(r) >= 2 and r[1] == 0:
            s.settimeout(None)
            return s
        s.close()
        time.sleep(0.5)
    die(prog, "no connection to %s after 40 tries" % host.decode())


def recvall(s, n):
    b = b""
    while len(b) < n:
        k = s.recv(n - len(b))
        if not k:
            break
        b += k
    return b


def handshake(prog, s, host, vport, iso):
    """SOCKS5 with username ISO (RFC 1929), CONNECT host:vport; the reply."""
    s.sendall(b"\x05\x01\x02")
    if recvall(s, 2) != b"\x05\x02":
        die(prog, "the SOCKS port takes no username")
    s.sendall(b"\x01" + bytes([len(iso)]) + iso + b"\x01x")
    if recvall(s, 2)[1:] != b"\x00":
        die(prog, "the SOCKS port refused the username")
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(host)]) + host +
              struct.pack(">H", vport))
    r = recvall(s, 4)
    if len(r) == 4 and r[1] == 0:
        # the bound address: tor's is IPv4 (4 bytes) and a port
        alen = {1: 4, 4: 16}.get(r[3])
        if alen is None:
            alen = recvall(s, 1)[0] if r[3] == 3 else 0
        recvall(s, alen + 2)
    return r
