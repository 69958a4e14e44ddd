/* SPDX-License-Identifier: GPL-2.0-only */
/* hkdf.h: HKDF-SHA256 (RFC 5869). */
#ifndef AXO_HKDF_H
#define AXO_HKDF_H

#include <stddef.h>

/*
 * hkdf.c: HKDF-SHA256 (RFC 5869); libsodium 1.0.18 has none.
 * out_len at most 255*32.  salt may be NULL (then 32 zero bytes).
 */
void axo_hkdf_extract(unsigned char prk[32], const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len);
int axo_hkdf_expand(unsigned char *out, size_t out_len,
    const unsigned char prk[32], const unsigned char *info, size_t info_len);
int axo_hkdf(unsigned char *out, size_t out_len, const unsigned char *salt,
    size_t salt_len, const unsigned char *ikm, size_t ikm_len,
    const unsigned char *info, size_t info_len);

#endif
