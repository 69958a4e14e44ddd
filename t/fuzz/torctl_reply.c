/* SPDX-License-Identifier: GPL-2.0-only */
/* torctl_reply: libFuzzer target for the control-port reply parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "torctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct axo_torctl_reply r;

/*
 * Reads replies off the input as axo_torctl_read does (each complete one
 * consumed, then the rest), checks the parser's promises, and runs the
 * KEY=VALUE scanner over every line with the keys axo-onion looks for.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *keys[] = { "METHODS", "COOKIEFILE", "SERVERHASH",
	    "SERVERNONCE", "PROGRESS", "SUMMARY", "ServiceID" };
	char err[256], out[256];
	size_t pos = 0, i, k;
	int n;

	while (pos < size) {
		n = axo_torctl_parse_reply(data + pos, size - pos, &r, err,
		    sizeof err);
		if (n <= 0)
			break;
		if ((size_t)n > size - pos || r.nlines == 0 ||
		    r.nlines > AXO_TORCTL_LINES_MAX || r.code < 200 ||
		    r.code > 699)
			abort();
		for (i = 0; i < r.nlines; i++) {
			if (r.line[i] < r.text ||
			    r.line[i] >= r.text + sizeof r.text ||
			    memchr(r.line[i], '\0', sizeof r.text -
			    (size_t)(r.line[i] - r.text)) == NULL)
				abort();
			for (k = 0; k < sizeof keys / sizeof keys[0]; k++)
				if (axo_torctl_kv(r.line[i], keys[k], out,
				    sizeof out) == 1 && strlen(out) >= sizeof out)
					abort();
		}
		pos += (size_t)n;
	}
	return 0;
}
