#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# smp-peer.py: an independent SMP peer, written from axotor(7) alone, in pure Python.
"""
Test helper: speaks the SMP of axotor(7) on fds 6 and 7 as axo-smp(1)
does, with its own ristretto255 (RFC 9496 section 4, on Python integers,
no libsodium) and hashlib's SHA-512, so that the C code is checked
against a second reading of the page, not against itself.  Not constant
time, not for secrets that matter.

    smp-peer.py [-i] --session-id HEX -s FD [--id NAME] [--peer-id NAME]
                [--bit255 ELEMENT]...
    smp-peer.py --multiples N     (prints k*G for k < N, hex)

--bit255 sends one of its own elements (g2a, g3a, Pa, Qa, Ra as the
initiator, g2b, g3b, Pb, Qb, Rb as the responder) with bit 255 of its
encoding set, a second encoding of the same point that libsodium 1.0.18
decodes without complaint, and computes its proofs over those bytes as
sent, so that only the encoding check can refuse it (issue 11).

Exit 0 equal, 1 different, 97 a malformed message or a false proof,
111 a hang-up.
"""
import argparse
import hashlib
import os
import secrets
import sys

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, -1, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)


def neg(v):
    return v & 1  # IS_NEGATIVE: the low bit of the canonical value


def cabs(v):
    return (P - v) % P if neg(v) else v


def sqrt_ratio_m1(u, v):
    """RFC 9496 4.2: (was_square, sqrt(u/v) or sqrt(i*u/v)), non-negative."""
    r = (u * pow(v, 3, P)) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    check = v * r * r % P
    correct = check == u % P
    flipped = check == (-u) % P
    flipped_i = check == (-u * SQRT_M1) % P
    if flipped or flipped_i:
        r = r * SQRT_M1 % P
    return correct or flipped, cabs(r)


INVSQRT_A_MINUS_D = sqrt_ratio_m1(1, (-1 - D) % P)[1]


def decode(b):
    """RFC 9496 4.3.1; None for an invalid encoding."""
    s = int.from_bytes(b, "little")
    if s >= P or neg(s):
        return None
    ss = s * s % P
    u1 = (1 - ss) % P
    u2 = (1 + ss) % P
    u2s = u2 * u2 % P
    v = (-(D * u1 * u1) - u2s) % P
    ok, inv = sqrt_ratio_m1(1, v * u2s % P)
    dx = inv * u2 % P
    dy = inv * dx * v % P
    x = cabs(2 * s * dx % P)
    y = u1 * dy % P
    t = x * y % P
    if not ok or neg(t) or y == 0:
        return None
    return (x, y, 1, t)


def encode(pt):
    """RFC 9496 4.3.2."""
    x0, y0, z0, t0 = pt
    u1 = (z0 + y0) * (z0 - y0) % P
    u2 = x0 * y0 % P
    _, inv = sqrt_ratio_m1(1, u1 * u2 * u2 % P)
    den1 = inv * u1 % P
    den2 = inv * u2 % P
    zinv = den1 * den2 * t0 % P
    if neg(t0 * zinv % P):
        x, y, dinv = y0 * SQRT_M1 % P, x0 * SQRT_M1 % P, \
            den1 * INVSQRT_A_MINUS_D % P
    else:
        x, y, dinv = x0, y0, den2
    if neg(x * zinv % P):
        y = (-y) % P
    return cabs(dinv * (z0 - y) % P).to_bytes(32, "little")


def add(p, q):
    """Extended twisted Edwards coordinates, a = -1 (add-2008-hwcd-3)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def sub(p, q):
    x, y, z, t = q
    return add(p, ((-x) % P, y, z, (-t) % P))


IDENT = (0, 1, 1, 0)
G = decode(bytes.fromhex(
    "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"))


def mul(k, pt):
    r = IDENT
    for bit in bin(k % L)[2:]:
        r = add(r, r)
        if bit == "1":
            r = add(r, pt)
    return r


def eq(p, q):
    return encode(p) == encode(q)


FORGE = set()


def enc(name, pt):
    """Our element name as sent: canonical, or with bit 255 set."""
    b = encode(pt)
    if name in FORGE:
        b = b[:31] + bytes([b[31] | 0x80])
    return b


def h(n, *els):
    """The challenge of proof n over encoded elements (axotor(7))."""
    m = hashlib.sha512(b"axotor/v1/smp/proof/" + str(n).encode())
    for e in els:
        m.update(e)
    return int.from_bytes(m.digest(), "little") % L


def rand():
    return secrets.randbelow(L - 1) + 1


class Fail(Exception):
    pass


def die(code, msg):
    sys.stderr.write("smp-peer: fatal: %s\n" % msg)
    sys.exit(code)


SIZES = {1: 196, 2: 356, 3: 260, 4: 100}
KINDS = {1: "essess", 2: "essesseesss", 3: "eesssess", 4: "ess"}


def recv(n):
    buf = b""
    while len(buf) < SIZES[n]:
        want = 2 if len(buf) < 2 else SIZES[n] - len(buf)
        chunk = os.read(6, want)
        if not chunk:
            die(111, "peer hung up %s message %d"
                % ("before" if not buf else "in", n))
        buf += chunk
        if len(buf) == 2 and int.from_bytes(buf, "big") != SIZES[n] - 2:
            die(97, "message %d: bad length" % n)
    if buf[2] != 1 or buf[3] != n:
        die(97, "message %d: bad version or type" % n)
    out = []
    for i, k in enumerate(KINDS[n]):
        f = buf[4 + 32 * i: 36 + 32 * i]
        if k == "e":
            pt = decode(f)
            if pt is None or f == bytes(32):
                die(97, "message %d: field %d is not a valid element" % (n, i))
            out.append((f, pt))
        else:
            v = int.from_bytes(f, "little")
            if v >= L:
                die(97, "message %d: field %d is not a reduced scalar" % (n, i))
            out.append(v)
    return out


def send(n, fields):
    body = bytes([1, n])
    for f in fields:
        body += f if isinstance(f, bytes) else f.to_bytes(32, "little")
    assert len(body) + 2 == SIZES[n]
    os.write(7, len(body).to_bytes(2, "big") + body)


def dl_prove(n, a, name):
    x = enc(name, mul(a, G))
    r = rand()
    c = h(n, x, encode(mul(r, G)))
    return [x, c, (r - a * c) % L]


def dl_check(n, x, c, d):
    if h(n, x[0], encode(add(mul(d, G), mul(c, x[1])))) != c:
        die(97, "proof %d fails" % n)


def pq_prove(n, g2, g3, p, q, r4, v):
    """p and q: (bytes as sent, point)"""
    r5, r6 = rand(), rand()
    c = h(n, encode(g2), encode(g3), p[0], q[0],
          encode(mul(r5, g3)), encode(add(mul(r5, G), mul(r6, g2))))
    return [p[0], q[0], c, (r5 - r4 * c) % L, (r6 - v * c) % L]


def pq_check(n, g2, g3, p, q, c, d5, d6):
    r1 = add(mul(d5, g3), mul(c, p[1]))
    r2 = add(add(mul(d5, G), mul(d6, g2)), mul(c, q[1]))
    if h(n, encode(g2), encode(g3), p[0], q[0], encode(r1), encode(r2)) != c:
        die(97, "proof %d fails" % n)


def eq_prove(n, x, e3, qd, rv):
    """x: our g3 as sent; rv: (bytes as sent, point)"""
    r = rand()
    c = h(n, x, encode(qd), rv[0], encode(mul(r, G)), encode(mul(r, qd)))
    return [rv[0], c, (r - e3 * c) % L]


def eq_check(n, x, qd, rv, c, d):
    r1 = add(mul(d, G), mul(c, x[1]))
    r2 = add(mul(d, qd), mul(c, rv[1]))
    if h(n, x[0], encode(qd), rv[0], encode(r1), encode(r2)) != c:
        die(97, "proof %d fails" % n)


def main():
    if sys.argv[1:2] == ["--multiples"]:
        # k*G for k < N, to check this ristretto255 against RFC 9496 A.1
        pt = IDENT
        for _ in range(int(sys.argv[2])):
            print(encode(pt).hex())
            pt = add(pt, G)
        return
    ap = argparse.ArgumentParser(prog="smp-peer.py")
    ap.add_argument("-i", action="store_true")
    ap.add_argument("--session-id", required=True)
    ap.add_argument("-s", type=int, required=True)
    ap.add_argument("--id", default="")
    ap.add_argument("--peer-id", default="")
    ap.add_argument("--bit255", action="append", default=[])
    o = ap.parse_args()
    FORGE.update(o.bit255)
    sid = bytes.fromhex(o.session_id)
    s = os.read(o.s, 2048)
    if s.endswith(b"\n"):
        s = s[:-1]
    me, peer = o.id.encode(), o.peer_id.encode()
    ida, idb = (me, peer) if o.i else (peer, me)
    m = hashlib.sha512(b"axotor/v1/smp/secret")
    for part in (sid, ida, idb, s):
        m.update(len(part).to_bytes(2, "big") + part)
    x = int.from_bytes(m.digest(), "little") % L
    e2, e3 = rand(), rand()
    if o.i:
        m1 = dl_prove(1, e2, "g2a") + dl_prove(2, e3, "g3a")
        send(1, m1)
        g2b, c2, d2, g3b, c3, d3, pb, qb, cp, d5, d6 = recv(2)
        dl_check(3, g2b, c2, d2)
        dl_check(4, g3b, c3, d3)
        g2, g3 = mul(e2, g2b[1]), mul(e3, g3b[1])
        pq_check(5, g2, g3, pb, qb, cp, d5, d6)
        r4 = rand()
        pa, qa = mul(r4, g3), add(mul(r4, G), mul(x, g2))
        proof = pq_prove(6, g2, g3, (enc("Pa", pa), pa), (enc("Qa", qa), qa),
                         r4, x)
        qd, pd = sub(qa, qb[1]), sub(pa, pb[1])
        ra = mul(e3, qd)
        send(3, proof + eq_prove(7, m1[3], e3, qd, (enc("Ra", ra), ra)))
        rb, cr, d7 = recv(4)
        eq_check(8, g3b, qd, rb, cr, d7)
        match = eq(mul(e3, rb[1]), pd)
    else:
        g2a, c2, d2, g3a, c3, d3 = recv(1)
        dl_check(1, g2a, c2, d2)
        dl_check(2, g3a, c3, d3)
        g2, g3 = mul(e2, g2a[1]), mul(e3, g3a[1])
        r4 = rand()
        pb, qb = mul(r4, g3), add(mul(r4, G), mul(x, g2))
        m2 = dl_prove(3, e2, "g2b") + dl_prove(4, e3, "g3b")
        send(2, m2 + pq_prove(5, g2, g3, (enc("Pb", pb), pb),
                               (enc("Qb", qb), qb), r4, x))
        pa, qa, cp, d5, d6, ra, cr, d7 = recv(3)
        pq_check(6, g2, g3, pa, qa, cp, d5, d6)
        qd, pd = sub(qa[1], qb), sub(pa[1], pb)
        eq_check(7, g3a, qd, ra, cr, d7)
        rb = mul(e3, qd)
        send(4, eq_prove(8, m2[3], e3, qd, (enc("Rb", rb), rb)))
        match = eq(mul(e3, ra[1]), pd)
    if not match:
        die(1, "the secrets differ")
    sys.exit(0)


if __name__ == "__main__":
    main()
