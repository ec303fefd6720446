/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client-supplied text made safe for a log line or a line of l2tpctl output
 * (docs/security.md "What the server guarantees").
 *
 * A PPP user name, an L2TP host or vendor name, an EAP identity or an IKE
 * identity is whatever the client sent. Printed raw, "\n" in a user name
 * writes a second, forged log line. text_safe() keeps printable ASCII and
 * valid UTF-8, and writes everything else as \xNN: control characters, DEL,
 * bytes that are not valid UTF-8, C1 controls, line/paragraph separators and
 * bidirectional overrides (text that displays differently from its bytes),
 * and the backslash and both quotes (so a name cannot close the '...' around
 * it, and every backslash in the output starts an escape). The result is
 * bounded: when it does not fit, it ends with the marker "\..." (a backslash
 * not followed by 'x' cannot come from the client).
 */
#ifndef COMMON_TEXT_H
#define COMMON_TEXT_H

#include <stddef.h>

/* Flags of text_escape(). */
#define TEXT_ESC_QUOTES 1u	/* also escape '\\', '\'' and '"' */

/* What marks a cut string. */
#define TEXT_CUT_MARKER "\\..."

/* Room for a sanitized client string in a log line: a 255-octet user
 * name of printable ASCII fits whole. */
#define TEXT_SAFE_SIZE 320

/* Length of the valid UTF-8 sequence at s[0..len) (1-4; 1 for ASCII,
 * including control characters), or 0 when the bytes there are not valid
 * UTF-8 (overlong forms, surrogates, > U+10FFFF, truncated sequences). */
size_t text_utf8_len(const unsigned char *s, size_t len);

/* Escape src[0..len) into dst (size > 4 for the cut marker to fit),
 * NUL-terminated; returns
 * dst. flags: TEXT_ESC_*. */
char *text_escape(char *dst, size_t size, const char *src, size_t len, unsigned flags);

/* The usual case: a NUL-terminated client string (NULL prints as ""),
 * quotes and backslash escaped. */
const char *text_safe(char *dst, size_t size, const char *s);

/* For an argument of a log call or printf: the buffer lives until the end
 * of the enclosing block. */
#define SAFE_STR(s) text_safe((char[TEXT_SAFE_SIZE]){ 0 }, TEXT_SAFE_SIZE, (s))

#endif
