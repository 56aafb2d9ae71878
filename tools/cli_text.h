/* SPDX-License-Identifier: MIT */
/*
 * Text from models and files made safe for a terminal: labels, names and
 * paths can hold escape sequences (ESC [ ...) that would recolour, move or
 * rewrite what the user sees, or newlines that split one message in two.
 */
#ifndef SA_CLI_TEXT_H
#define SA_CLI_TEXT_H

#include <stddef.h>

/*
 * Copies `s` into buf[0..size) with every C0 control character, DEL, C1
 * control (U+0080..U+009F) and byte of invalid UTF-8 written as \xNN and a
 * backslash as \\; valid printable UTF-8 passes through.  Truncates at a
 * character boundary; always NUL-terminates (size >= 1).  Returns buf.
 */
char *cli_escape_text(const char *s, char *buf, size_t size);

/* Valid UTF-8 sequence at p: its length (2..4), or 0.  Shared with the JSON writer. */
size_t cli_utf8_sequence_length(const unsigned char *p);

#endif /* SA_CLI_TEXT_H */
