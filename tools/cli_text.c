// SPDX-License-Identifier: MIT
#include "cli_text.h"

#include <stdio.h>
#include <string.h>

size_t cli_utf8_sequence_length(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	/* Overlong forms, UTF-16 surrogates and code points past U+10FFFF are invalid. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

char *cli_escape_text(const char *s, char *buf, size_t size)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t used = 0;

	while (*p) {
		char piece[8];
		size_t n = cli_utf8_sequence_length(p), len;

		/* U+0080..U+009F (C2 80..C2 9F) are C1 controls: CSI is U+009B. */
		if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f)
			n = 0;
		if (*p == '\\') {
			memcpy(piece, "\\\\", 3);
			n = 1;
		} else if (*p >= 0x20 && *p < 0x7f) {
			piece[0] = (char)*p, piece[1] = '\0';
			n = 1;
		} else if (n) {
			memcpy(piece, p, n);
			piece[n] = '\0';
		} else {
			snprintf(piece, sizeof(piece), "\\x%02x", *p);
			n = 1;
		}
		len = strlen(piece);
		if (used + len >= size)
			break;
		memcpy(buf + used, piece, len);
		used += len;
		p += n;
	}
	buf[used] = '\0';
	return buf;
}
