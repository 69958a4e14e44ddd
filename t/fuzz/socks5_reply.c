/* SPDX-License-Identifier: GPL-2.0-only */
/* socks5_reply: libFuzzer target for the SOCKS5 CONNECT reply parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Feeds every prefix of the input, as bytes arrive from the proxy, and
 * checks the parser's promises: a complete reply is never longer than the
 * input, a verdict never changes once given, and the reply length is the
 * one RFC 1928 section 6 gives for its address type.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t len, want;
	int rep, n, first = 0;

	for (len = 0; len <= size; len++) {
		rep = -1;
		n = axo_socks5_parse_reply(data, len, &rep, err, sizeof err);
		if (n > 0) {
			if ((size_t)n > len)
				abort();
			want = data[3] == 1 ? 10 : data[3] == 4 ? 22 :
			    (size_t)7 + data[4];
			if ((size_t)n != want || rep != data[1])
				abort();
			if (first == 0)
				first = n;
			else if (first != n)
				abort();
			(void)axo_socks5_strrep(rep);
			(void)axo_socks5_retryable(rep);
		} else if (first != 0) {
			abort();
		} else if (n == -1 && len < size) {
			/* an error stays an error with more bytes */
			rep = -1;
			if (axo_socks5_parse_reply(data, size, &rep, err,
			    sizeof err) != -1)
				abort();
			break;
		}
	}
	return 0;
}
