#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# dr_model.py: an independent model of axo-ratchet's wire format and of the
# Double Ratchet with header encryption (Signal DR spec §3, §4), written
# from the spec and axotor(7) with Debian's python3-nacl and hashlib only.
# The tests run it against the C programs in both directions.  --pn and
# --type make a record that an honest sender would not: a header's PN of
# its choice, a type byte (1 is END), a record size S other than the
# smallest bucket, to test the receiver's rules.
#
#   dr_model.py keygen KEYFILE            (prints the public key)
#   dr_model.py init alice STATE PUBHEX   < session key
#   dr_model.py init bob STATE KEYFILE    < session key
#   dr_model.py encrypt STATE [--pn N] [--type T] [--size S] < msg > rec
#   dr_model.py decrypt STATE             < records > plaintext
#   dr_model.py id STATE
import hashlib
import hmac
import json
import os
import sys

from nacl.bindings import (
    crypto_aead_xchacha20poly1305_ietf_decrypt as aead_open,
    crypto_aead_xchacha20poly1305_ietf_encrypt as aead_seal,
    crypto_scalarmult,
    crypto_scalarmult_base,
)
from nacl.exceptions import CryptoError

MAX_SKIP = 1000
MAX_STORED = 1000
KEEP_STEPS = 4   # a skipped key stored at step s lives through s + 4
CELL = 498
OVERHEAD = 80 + 24 + 16


def hkdf(salt, ikm, info, length):
    """RFC 5869 with SHA-256."""
    prk = hmac.new(salt, ikm, hashlib.sha256).digest()
    out, t, i = b"", b"", 1
    while len(out) < length:
        t = hmac.new(prk, t + info + bytes([i]), hashlib.sha256).digest()
        out += t
        i += 1
    return out[:length]


def kdf_rk(rk, dh):
    o = hkdf(rk, dh, b"axotor/v1 ratchet root", 96)
    return o[:32], o[32:64], o[64:]


def kdf_ck(ck):
    return (hmac.new(ck, b"\x02", hashlib.sha256).digest(),
            hmac.new(ck, b"\x01", hashlib.sha256).digest())


def keypair():
    sk = os.urandom(32)
    return sk, crypto_scalarmult_base(sk)


def seal(key, ad, pt):
    nonce = os.urandom(24)
    return nonce + aead_seal(pt, ad, nonce, key)


def open_(key, ad, ct):
    return aead_open(ct[24:], ad, ct[:24], key)


def derive(sk):
    o = hkdf(b"axotor/v1 ratchet salt", sk, b"axotor/v1 ratchet init", 128)
    return o[:32], o[32:64], o[64:96], o[96:]


def h(b):
    return b.hex() if b is not None else None


def uh(s):
    return bytes.fromhex(s) if s is not None else None


KEYS = ("dhs_sk", "dhs_pk", "dhr", "rk", "cks", "ckr", "hks", "hkr",
        "nhks", "nhkr", "sid")


def load(path):
    with open(path) as f:
        j = json.load(f)
    s = {k: uh(j[k]) for k in KEYS}
    s.update(ns=j["ns"], nr=j["nr"], pn=j["pn"], step=j.get("step", 0))
    # oldest first, as stored; each key with the step it was stored in
    s["skipped"] = {(bytes.fromhex(a), n): (bytes.fromhex(m), st)
                    for a, n, m, st in j["skipped"]}
    return s


def save(path, s):
    j = {k: h(s[k]) for k in KEYS}
    j.update(ns=s["ns"], nr=s["nr"], pn=s["pn"], step=s["step"])
    j["skipped"] = [[a.hex(), n, m.hex(), st]
                    for (a, n), (m, st) in s["skipped"].items()]
    with open(path + ".new", "w") as f:
        json.dump(j, f)
    os.rename(path + ".new", path)


def bucket(need):
    b = CELL
    while b <= CELL * 128:
        if need <= b:
            return b
        b *= 2
    raise SystemExit("message too large")


def encrypt(s, data, typ=0, pn=None, size=None):
    size = size or bucket(2 + OVERHEAD + 1 + len(data) + 1)
    body = size - 2 - OVERHEAD
    pt = bytes([typ]) + data + b"\x80"
    pt += b"\x00" * (body - len(pt))
    s["cks"], mk = kdf_ck(s["cks"])
    pn = s["pn"] if pn is None else pn
    hdr = s["dhs_pk"] + pn.to_bytes(4, "big") + s["ns"].to_bytes(4, "big")
    eh = seal(s["hks"], s["sid"], hdr)
    s["ns"] += 1
    rec = eh + seal(mk, s["sid"] + eh, pt)
    return (size - 2).to_bytes(2, "big") + rec


def skip(s, until, new):
    if until < s["nr"] or until - s["nr"] > MAX_SKIP:
        raise CryptoError("skip")
    if s["ckr"] is not None:
        while s["nr"] < until:
            s["ckr"], mk = kdf_ck(s["ckr"])
            new[(s["hkr"], s["nr"])] = mk
            s["nr"] += 1


def decrypt(s, rec):
    eh, body = rec[:80], rec[80:]
    for (hk, n), (mk, _) in list(s["skipped"].items()):
        try:
            hdr = open_(hk, s["sid"], eh)
        except CryptoError:
            continue
        if int.from_bytes(hdr[36:40], "big") == n:
            pt = open_(mk, s["sid"] + eh, body)
            del s["skipped"][(hk, n)]
            return pt
    t = dict(s)
    new = {}
    step = False
    try:
        if t["hkr"] is None:
            raise CryptoError("none")
        hdr = open_(t["hkr"], t["sid"], eh)
    except CryptoError:
        hdr = open_(t["nhkr"], t["sid"], eh)
        step = True
    dh, pn, n = hdr[:32], int.from_bytes(hdr[32:36], "big"), \
        int.from_bytes(hdr[36:40], "big")
    if step:
        # PN below what this chain already gave: a replay, or a lie
        skip(t, pn, new)
        t["pn"], t["ns"], t["nr"] = t["ns"], 0, 0
        t["hks"], t["hkr"], t["dhr"] = t["nhks"], t["nhkr"], dh
        t["rk"], t["ckr"], t["nhkr"] = kdf_rk(
            t["rk"], crypto_scalarmult(t["dhs_sk"], dh))
        t["dhs_sk"], t["dhs_pk"] = keypair()
        t["rk"], t["cks"], t["nhks"] = kdf_rk(
            t["rk"], crypto_scalarmult(t["dhs_sk"], dh))
        t["step"] += 1
    skip(t, n, new)
    t["ckr"], mk = kdf_ck(t["ckr"])
    t["nr"] += 1
    pt = open_(mk, t["sid"] + eh, body)
    s.update(t)
    # every key skipped by this record carries the step after it, those
    # of the old chain (skipped during the DH step) included; a stored
    # key older than KEEP_STEPS steps goes, then the oldest past MAX_STORED
    kept = {k: v for k, v in s["skipped"].items()
            if v[1] + KEEP_STEPS >= t["step"]}
    kept.update({k: (mk, t["step"]) for k, mk in new.items()})
    while len(kept) > MAX_STORED:
        del kept[next(iter(kept))]
    s["skipped"] = kept
    return pt


def unpad(pt):
    i = len(pt) - 1
    while pt[i] == 0:
        i -= 1
    assert pt[i] == 0x80 and pt[0] in (0, 1)
    return pt[0], pt[1:i]


def main(argv):
    cmd = argv[1]
    if cmd == "keygen":
        sk, pk = keypair()
        with open(argv[2], "wb") as f:
            f.write(b"axoRK001" + sk + pk)
        print(pk.hex())
    elif cmd == "init":
        sk = sys.stdin.buffer.read()
        assert len(sk) == 32
        root, hka, nhkb, sid = derive(sk)
        s = {k: None for k in KEYS}
        s.update(sid=sid, ns=0, nr=0, pn=0, step=0, skipped={})
        if argv[2] == "alice":
            s["dhs_sk"], s["dhs_pk"] = keypair()
            s["dhr"] = bytes.fromhex(argv[4])
            s["rk"], s["cks"], s["nhks"] = kdf_rk(
                root, crypto_scalarmult(s["dhs_sk"], s["dhr"]))
            s["hks"], s["nhkr"] = hka, nhkb
        else:
            with open(argv[4], "rb") as f:
                key = f.read()
            assert key[:8] == b"axoRK001"
            s["dhs_sk"], s["dhs_pk"] = key[8:40], key[40:72]
            s["rk"], s["nhks"], s["nhkr"] = root, nhkb, hka
        save(argv[3], s)
    elif cmd == "encrypt":
        s = load(argv[2])
        opt = dict(zip(argv[3::2], (int(v) for v in argv[4::2])))
        rec = encrypt(s, sys.stdin.buffer.read(), typ=opt.get("--type", 0),
                      pn=opt.get("--pn"), size=opt.get("--size"))
        save(argv[2], s)
        sys.stdout.buffer.write(rec)
    elif cmd == "decrypt":
        s = load(argv[2])
        data, out = sys.stdin.buffer.read(), b""
        while data:
            size = int.from_bytes(data[:2], "big") + 2
            try:
                typ, pt = unpad(decrypt(s, data[2:size]))
            except CryptoError:
                sys.stderr.write("dr_model: record does not authenticate\n")
                return 1
            if typ == 0:
                out += pt
            data = data[size:]
        save(argv[2], s)
        sys.stdout.buffer.write(out)
    elif cmd == "id":
        print(load(argv[2])["sid"].hex())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
