/* SPDX-License-Identifier: GPL-2.0-only */
/* onion.c: v3 onion addresses, client-auth keys and the credential record. */
#include <string.h>

#include <sodium.h>

#include "onion.h"

/* RFC 4648 section 6, upper case, no padding: what ClientAuthV3 takes. */
void
axo_onion_base32(char *out, const unsigned char *in, size_t len)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned buf = 0;
	int bits = 0;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = al[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = al[(buf << (5 - bits)) & 31];
	out[o] = '\0';
}

int
axo_onion_addr_ok(const char *s, size_t len)
{
	size_t i;

	/* rend-spec-v3 §6: base32(pubkey 32 | checksum 2 | version 1) */
	if (len != AXO_ONION_ADDR_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '2' && s[i] <= '7')))
			return 0;
	/* 35 bytes = 56 chars exactly; the version byte 3 ends in "d" */
	return s[len - 1] == 'd';
}

void
axo_onion_cred_fmt(char out[AXO_ONION_CRED_LEN + 1], const char *addr,
    const unsigned char sk[32])
{
	size_t n = sizeof AXO_ONION_CRED_MAGIC - 1;

	memcpy(out, AXO_ONION_CRED_MAGIC, n);
	out[n++] = ' ';
	memcpy(out + n, addr, AXO_ONION_ADDR_LEN);
	n += AXO_ONION_ADDR_LEN;
	out[n++] = ' ';
	sodium_bin2base64(out + n, AXO_ONION_KEY_B64 + 1, sk, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	n += AXO_ONION_KEY_B64;
	out[n++] = '\n';
	out[n] = '\0';
}

/* One key, one spelling: the base64 must be what we would have written. */
static int
canonical(const unsigned char sk[32], const char *b64)
{
	char again[AXO_ONION_KEY_B64 + 1];
	int ok;

	sodium_bin2base64(again, sizeof again, sk, 32,
	    sodium_base64_VARIANT_ORIGINAL);
	ok = sodium_memcmp(again, b64, AXO_ONION_KEY_B64) == 0;
	sodium_memzero(again, sizeof again);
	return ok;
}

int
axo_onion_cred_parse(const unsigned char *buf, size_t len, char *addr,
    char *b64, unsigned char sk[32])
{
	size_t m = sizeof AXO_ONION_CRED_MAGIC - 1, i;
	size_t skl;

	/* Exactly "MAGIC ADDR KEY\n": anything else is not a record. */
	if (len != AXO_ONION_CRED_LEN || memcmp(buf, AXO_ONION_CRED_MAGIC, m) != 0 ||
	    buf[m] != ' ' || buf[m + 1 + AXO_ONION_ADDR_LEN] != ' ' ||
	    buf[len - 1] != '\n')
		return 0;
	if (!axo_onion_addr_ok((const char *)buf + m + 1, AXO_ONION_ADDR_LEN))
		return 0;
	buf += m + 1;
	memcpy(addr, buf, AXO_ONION_ADDR_LEN);
	addr[AXO_ONION_ADDR_LEN] = '\0';
	buf += AXO_ONION_ADDR_LEN + 1;
	for (i = 0; i < AXO_ONION_KEY_B64; i++)
		b64[i] = (char)buf[i];
	b64[AXO_ONION_KEY_B64] = '\0';
	if (sodium_base642bin(sk, 32, b64, AXO_ONION_KEY_B64, NULL, &skl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || skl != 32 ||
	    !canonical(sk, b64)) {
		sodium_memzero(sk, 32);
		sodium_memzero(b64, AXO_ONION_KEY_B64);
		return 0;
	}
	return 1;
}
