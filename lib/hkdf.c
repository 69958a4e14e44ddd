/* SPDX-License-Identifier: GPL-2.0-only */
/* hkdf.c: HKDF-SHA256 (RFC 5869) on libsodium's HMAC-SHA256. */
#include <string.h>

#include <sodium.h>

#include "hkdf.h"

void
axo_hkdf_extract(unsigned char prk[32], const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len)
{
	static const unsigned char zero[32];
	crypto_auth_hmacsha256_state st;

	/* RFC 5869 §2.2: an absent salt is HashLen zero bytes. */
	if (salt == NULL) {
		salt = zero;
		salt_len = sizeof zero;
	}
	crypto_auth_hmacsha256_init(&st, salt, salt_len);
	crypto_auth_hmacsha256_update(&st, ikm, ikm_len);
	crypto_auth_hmacsha256_final(&st, prk);
	sodium_memzero(&st, sizeof st);
}

int
axo_hkdf_expand(unsigned char *out, size_t out_len, const unsigned char prk[32],
    const unsigned char *info, size_t info_len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char t[32];
	unsigned char ctr;
	size_t done, n;

	/* RFC 5869 §2.3: L <= 255*HashLen. */
	if (out_len > 255 * 32)
		return -1;
	for (done = 0, ctr = 1; done < out_len; ctr++) {
		crypto_auth_hmacsha256_init(&st, prk, 32);
		if (done > 0)
			crypto_auth_hmacsha256_update(&st, t, sizeof t);
		crypto_auth_hmacsha256_update(&st, info, info_len);
		crypto_auth_hmacsha256_update(&st, &ctr, 1);
		crypto_auth_hmacsha256_final(&st, t);
		n = out_len - done < sizeof t ? out_len - done : sizeof t;
		memcpy(out + done, t, n);
		done += n;
	}
	sodium_memzero(&st, sizeof st);
	sodium_memzero(t, sizeof t);
	return 0;
}

int
axo_hkdf(unsigned char *out, size_t out_len, const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len,
    const unsigned char *info, size_t info_len)
{
	unsigned char prk[32];
	int r;

	axo_hkdf_extract(prk, salt, salt_len, ikm, ikm_len);
	r = axo_hkdf_expand(out, out_len, prk, info, info_len);
	sodium_memzero(prk, sizeof prk);
	return r;
}
