/* SPDX-License-Identifier: GPL-2.0-only */
/* onion.h: v3 onion addresses, client-auth keys, the credential record. */
#ifndef AXO_ONION_H
#define AXO_ONION_H

#include <stddef.h>

/*
 * onion.c: v3 addresses, client-auth keys and the credential record that
 * axo-onion publish writes and axo-onion auth reads (axotor(7)):
 *   "axo-onion-cred-v1" SP ADDRESS SP KEY LF
 * ADDRESS the 56-character v3 address without ".onion", KEY the
 * client-auth x25519 private key in padded base64 (44 characters), as
 * ONION_CLIENT_AUTH_ADD takes it; 120 bytes in all.
 */
#define AXO_ONION_CRED_MAGIC	"axo-onion-cred-v1"
#define AXO_ONION_ADDR_LEN	56
#define AXO_ONION_KEY_B64	44
#define AXO_ONION_CRED_LEN	(sizeof AXO_ONION_CRED_MAGIC - 1 + 1 + \
	AXO_ONION_ADDR_LEN + 1 + AXO_ONION_KEY_B64 + 1)
/* RFC 4648 base32, upper case, unpadded, and a NUL (out: 8*len/5 + 2). */
void axo_onion_base32(char *out, const unsigned char *in, size_t len);
/* 1 if s[0..len) looks like a v3 address (56 of [a-z2-7], version 3). */
int axo_onion_addr_ok(const char *s, size_t len);
void axo_onion_cred_fmt(char out[AXO_ONION_CRED_LEN + 1], const char *addr,
    const unsigned char sk[32]);
/* Strict: 1 and addr (57 bytes), b64 (45), sk filled, else 0. */
int axo_onion_cred_parse(const unsigned char *buf, size_t len, char *addr,
    char *b64, unsigned char sk[32]);

#endif
