#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# fake-torctl.py: a hostile tor control port on 127.0.0.1 for the tests.
"""fake-torctl.py PORTFILE LOGFILE MODE [COOKIEFILE]

Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, serves
connections one after another (at most 20, each bounded to 30 s), logs
every command line it receives to LOGFILE (AUTHENTICATE arguments too:
test secrets only), and answers the way MODE says.  The test kills it by
PID.  Unless MODE says otherwise it offers METHODS=NULL and answers well
enough for publish: SETEVENTS, ADD_ONION (a fixed address), HS_DESC
UPLOADED at once, DEL_ONION, ONION_CLIENT_AUTH_ADD.

Modes about the reply syntax (sent in place of PROTOCOLINFO's reply):
lf, nocode, mixed, badsep, long, many, binary, cut, close, hang.
Modes about meaning: safecookie (a correct SAFECOOKIE with COOKIEFILE),
badhash (a wrong SERVERHASH), authfail, password (expects "sesame"),
nomethod, refuse-add, badid, privkey, noupload, eventflood, refuse-auth-add.
"""
import hashlib
import hmac
import os
import socket
import sys
import time

ADDR = "uwhvybnu3nfux67rod22frgt7hghngk2x4ze23r6qpb6u3s2tt32riyd"
S2C = b"Tor safe cookie authentication server-to-controller hash"
C2S = b"Tor safe cookie authentication controller-to-server hash"


class Conn:
    def __init__(self, c, log):
        self.c = c
        self.f = c.makefile("rb")
        self.log = log

    def line(self):
        ln = self.f.readline(65536)
        if not ln:
            raise EOFError
        ln = ln.rstrip(b"\r\n").decode("latin-1")
        with open(self.log, "a") as f:
            f.write(ln + "\n")
        return ln

    def send(self, s):
        self.c.sendall(s if isinstance(s, bytes) else s.encode())


def protocolinfo(mode, cookiefile):
    if mode in ("safecookie", "badhash"):
        m = 'SAFECOOKIE,COOKIE COOKIEFILE="%s"' % cookiefile
    elif mode == "password":
        m = "HASHEDPASSWORD"
    elif mode == "nomethod":
        m = "HASHEDPASSWORD,COOKIE"
    else:
        m = "NULL"
    return ("250-PROTOCOLINFO 1\r\n250-AUTH METHODS=%s\r\n"
            '250-VERSION Tor="0.4.9.11"\r\n250 OK\r\n' % m)


SYNTAX = {
    "lf": b"250-PROTOCOLINFO 1\n250 OK\n",
    "nocode": b"hello\r\n",
    "mixed": b"250-PROTOCOLINFO 1\r\n251 OK\r\n",
    "badsep": b"250*PROTOCOLINFO 1\r\n",
    "long": b"250-" + b"x" * 20000,
    "many": b"250-x\r\n" * 100 + b"250 OK\r\n",
    "binary": b"250-PROTOCOLINFO 1\r\n250 \x1b[31mOK\r\n",
    "cut": b"250-PROTOCOLINFO 1\r\n250-AUTH METH",
}


def serve(k, mode, cookiefile):
    cnonce = None
    while True:
        ln = k.line()
        w = ln.split(" ")
        cmd = w[0]
        if cmd == "PROTOCOLINFO":
            if mode in SYNTAX:
                k.send(SYNTAX[mode])
                if mode in ("cut", "long"):
                    return
                continue
            if mode == "close":
                return
            if mode == "hang":
                time.sleep(30)
                return
            k.send(protocolinfo(mode, cookiefile))
        elif cmd == "AUTHCHALLENGE":
            cnonce = bytes.fromhex(w[2])
            snonce = os.urandom(32)
            with open(cookiefile, "rb") as f:
                cookie = f.read()
            msg = cookie + cnonce + snonce
            sh = hmac.new(S2C, msg, hashlib.sha256).digest()
            if mode == "badhash":
                sh = bytes(32)
            k.want = hmac.new(C2S, msg, hashlib.sha256).hexdigest()
            k.send("250 AUTHCHALLENGE SERVERHASH=%s SERVERNONCE=%s\r\n"
                   % (sh.hex().upper(), snonce.hex().upper()))
        elif cmd == "AUTHENTICATE":
            ok = True
            if mode == "authfail":
                ok = False
            elif mode == "safecookie":
                ok = len(w) == 2 and w[1].lower() == k.want
            elif mode == "password":
                ok = ln == 'AUTHENTICATE "sesame"'
            if ok:
                k.send("250 OK\r\n")
            else:
                k.send("515 Authentication failed: Password did not match "
                       "HashedControlPassword value from configuration\r\n")
                return
        elif cmd == "SETEVENTS":
            k.send("250 OK\r\n")
        elif cmd == "GETINFO":
            # who it is (axo-onion's torinfo): this process, or with
            # "otheruser" a tor of user debian-tor whose pid it hides
            vals = {
                "version": "0.4.9.11",
                "process/pid": "0" if mode == "otheruser" else str(os.getpid()),
                "process/user": "debian-tor" if mode == "otheruser" else "",
                "net/listeners/socks": '"127.0.0.1:9050"',
            }
            key = w[1] if len(w) > 1 else ""
            if key in vals:
                k.send("250-%s=%s\r\n250 OK\r\n" % (key, vals[key]))
            else:
                k.send("250-status/bootstrap-phase=NOTICE BOOTSTRAP PROGRESS=100"
                       ' TAG=done SUMMARY="Done"\r\n250 OK\r\n')
        elif cmd == "ADD_ONION":
            if mode == "refuse-add":
                k.send("512 Invalid key type\r\n")
                continue
            if mode == "eventflood":
                for i in range(100000):
                    k.send("650 HS_DESC UPLOAD %s UNKNOWN $00~x\r\n" % ("a" * 56))
                continue
            sid = "notanonion" if mode == "badid" else ADDR
            r = "250-ServiceID=%s\r\n" % sid
            if mode == "privkey":
                r += "250-PrivateKey=ED25519-V3:" + "A" * 88 + "\r\n"
            k.send(r + "250 OK\r\n")
            if mode != "noupload":
                k.send("650 HS_DESC UPLOAD %s UNKNOWN $AB~hsdir1 X\r\n"
                       "650 HS_DESC UPLOADED %s UNKNOWN $AB~hsdir1\r\n"
                       % (ADDR, ADDR))
        elif cmd == "ONION_CLIENT_AUTH_ADD":
            if mode == "refuse-auth-add":
                k.send('512 Invalid v3 address "%s"\r\n' % w[1])
            else:
                k.send("250 OK\r\n")
        elif cmd == "DEL_ONION":
            k.send("250 OK\r\n")
        else:
            k.send('510 Unrecognized command "%s"\r\n' % cmd)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(100)
    portfile, log, mode = sys.argv[1:4]
    cookiefile = sys.argv[4] if len(sys.argv) == 5 else ""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    tmp = portfile + ".new"
    with open(tmp, "w") as f:
        f.write("%d\n" % s.getsockname()[1])
    os.rename(tmp, portfile)
    for _ in range(20):
        c, _a = s.accept()
        c.settimeout(30)
        try:
            serve(Conn(c, log), mode, cookiefile)
        except (EOFError, OSError):
            pass
        finally:
            c.close()


main()
