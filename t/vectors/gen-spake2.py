#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# gen-spake2.py: writes t/vectors/spake2.txt from Debian's python3-spake2,
# python3-hkdf and python3-nacl (the independent implementations that
# magic-wormhole uses), never by hand.  Run: /usr/bin/python3 THIS >OUT
#
# One vector a line, fields separated by one space, strings hex-encoded:
#   start    PW ID ENTROPY MSG                (SPAKE2_Symmetric.start)
#   finish   PW ID ENTROPY PEERMSG KEY        (SPAKE2_Symmetric.finish)
#   derive   KEY PURPOSE LEN OUT              (wormhole _key.py derive_key)
#   phasekey KEY SIDE PHASE OUT               (_key.py derive_phase_key)
#   seal     KEY SIDE PHASE NONCE PT BODY     (_key.py encrypt_data)
import hashlib
import random

from hkdf import Hkdf
from nacl.secret import SecretBox
from spake2 import SPAKE2_Symmetric


def h(b):
    return b.hex()


def derive_key(key, purpose, length=32):
    return Hkdf(None, key, hash=hashlib.sha256).expand(purpose, length)


def phase_key(key, side, phase):
    purpose = (b"wormhole:phase:" + hashlib.sha256(side).digest()
               + hashlib.sha256(phase).digest())
    return derive_key(key, purpose)


def spake(pw, ident, ent):
    return SPAKE2_Symmetric(pw, idSymmetric=ident, entropy_f=lambda n: ent[:n])


# The shared reference KAT (wormhole-protocol.md section 8), then cases
# from a fixed seed so that the file is reproducible.
EA = bytes.fromhex("bf7bbf4faff670b301432c8c712b2784bad9b504a2e19e339ba33072c71efa17"
                   "6862098c55e45d315da6ba1c8c0b0344ae8cd018fd70ffc325a474a53dd26b49")
EB = bytes.fromhex("7e77b471d622f5d210dda3737dace8c8031c6c70722b5e33dadd111af09e329c"
                   "7d2baf8b1cb29f609b0d9ead0462af3ac2cf115e3290618dbfd08786931be08c")
cases = [(b"93-xyz1zy", i, EA, EB) for i in
         (b"axotor", b"axotor/v1", b"lothar.com/wormhole/text-or-file-xfer")]
rng = random.Random(20261126)
words = ["xyz1zy", "purple", "sausages", "tractor", "amulet", "crossover"]
for n in range(24):
    code = "%d-%s" % (rng.randrange(1, 1000),
                      "-".join(rng.choice(words) for _ in range(rng.randrange(1, 4))))
    ident = rng.choice([b"axotor/v1", b"axotor", b"x",
                        b"lothar.com/wormhole/text-or-file-xfer"])
    cases.append((code.encode(), ident,
                  bytes(rng.randrange(256) for _ in range(64)),
                  bytes(rng.randrange(256) for _ in range(64))))

nonce = bytes(range(24))
for pw, ident, ea, eb in cases:
    a, b = spake(pw, ident, ea), spake(pw, ident, eb)
    ma, mb = a.start(), b.start()
    ka, kb = a.finish(mb), b.finish(ma)
    assert ka == kb
    print("start", h(pw), h(ident), h(ea), h(ma))
    print("start", h(pw), h(ident), h(eb), h(mb))
    print("finish", h(pw), h(ident), h(ea), h(mb), h(ka))
    print("finish", h(pw), h(ident), h(eb), h(ma), h(kb))
    for purpose, ln in ((b"wormhole:verifier", 32), (b"axotor/v1/session", 32),
                        (b"lothar.com/wormhole/text-or-file-xfer/transit-key", 32),
                        (b"x", 7), (b"axotor/v1/session", 64)):
        print("derive", h(ka), h(purpose), ln, h(derive_key(ka, purpose, ln)))
    for side in (b"0123456789", b"abcdef0123"):
        for phase in (b"version", b"0", b"1"):
            pk = phase_key(ka, side, phase)
            print("phasekey", h(ka), h(side), h(phase), h(pk))
    for side, phase, pt in ((b"0123456789", b"version", b'{"app_versions": {}}'),
                            (b"0123456789", b"0", b'{"offer": {"message": "hello"}}'),
                            (b"abcdef0123", b"0", b'{"answer": {"message_ack": "ok"}}')):
        body = SecretBox(phase_key(ka, side, phase)).encrypt(pt, nonce)
        print("seal", h(ka), h(side), h(phase), h(nonce), h(pt), h(bytes(body)))

# A wrong password gives a different key (the version phase then fails).
a = spake(b"93-xyz1zy", b"axotor/v1", EA)
b = spake(b"93-xyz1zz", b"axotor/v1", EB)
ma, mb = a.start(), b.start()
print("finish", h(b"93-xyz1zy"), h(b"axotor/v1"), h(EA), h(mb), h(a.finish(mb)))
print("finish", h(b"93-xyz1zz"), h(b"axotor/v1"), h(EB), h(ma), h(b.finish(ma)))
