#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# gen-mailbox-seed.py: writes seed sessions for t/fuzz/mailbox_msg.c into
# the directory given (t/fuzz/corpus/mailbox_msg).  The fuzz target's
# randombytes returns 0x01 bytes only, so its side is "0101010101" and
# its SPAKE2 entropy 64 x 0x01; with python-spake2 and nacl playing the
# peer, these sessions get past the key into the version and app phases
# (ordering, duplicates, the inbox bound) for the fuzzer to mutate.
import hashlib
import json
import os
import sys

from hkdf import Hkdf
from nacl.secret import SecretBox
from spake2 import SPAKE2_Symmetric

CODE, APPID, ME, PEER = b"93-xyz1zy", b"axotor/v1", "0101010101", "ffffffffff"
out = sys.argv[1]

ours = SPAKE2_Symmetric(CODE, idSymmetric=APPID, entropy_f=lambda n: b"\x01" * n)
ours_msg = ours.start()
peer = SPAKE2_Symmetric(CODE, idSymmetric=APPID,
                        entropy_f=lambda n: bytes(range(n)))
peer_msg = peer.start()
key = peer.finish(ours_msg)


def phase_key(side, phase):
    purpose = (b"wormhole:phase:" + hashlib.sha256(side.encode()).digest()
               + hashlib.sha256(phase.encode()).digest())
    return Hkdf(None, key, hash=hashlib.sha256).expand(purpose, 32)


def msg(side, phase, body_hex):
    return json.dumps({"type": "message", "side": side, "phase": phase,
                       "body": body_hex, "id": "abcd", "server_rx": 1.0})


def sealed(phase, pt):
    box = SecretBox(phase_key(PEER, phase)).encrypt(pt, bytes(24))
    return msg(PEER, phase, bytes(box).hex())


W = json.dumps({"type": "welcome", "welcome": {"motd": "m"}, "server_tx": 1.0})
C = json.dumps({"type": "claimed", "mailbox": "abcdefghijklm"})
P = msg(PEER, "pake", json.dumps({"pake_v1": peer_msg.hex()}).encode().hex())
ECHO = msg(ME, "pake", json.dumps({"pake_v1": ours_msg.hex()}).encode().hex())
V = sealed("version", b'{"app_versions": {}}')
O0 = sealed("0", b'{"offer": {"message": "hello"}}')
O1 = sealed("1", b'{"answer": {"message_ack": "ok"}}')
sessions = {
    "session": [W, C, ECHO, P, V, O0, json.dumps({"type": "closed"})],
    "out-of-order": [W, C, O1, V, P, O0, O0],
    "dup-phases": [W, C, P, P, V, V, O0, O1, O1],
    "unknown": [W, json.dumps({"type": "ack", "id": "x"}), C,
                json.dumps({"type": "new", "k": [1]}), P,
                sealed("foo", b"x"), V, sealed("7", b"{}"), O0],
}
for name, lines in sessions.items():
    with open(os.path.join(out, name), "w") as f:
        f.write("\n".join(lines))
