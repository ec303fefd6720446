/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the control socket's request parser
 * (l2tpd/daemon/ctl_request.c) on arbitrary bytes, fed whole and then
 * octet by octet as a slow client would send them: both must agree, and
 * the parser must never ask for more once a newline, a NUL or
 * CTL_MAX_REQUEST octets have arrived (the connection would hang).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_request whole, part;
	enum ctl_parse r, rp = CTL_PARSE_MORE;
	const char *buf = (const char *)data;
	size_t n;

	if (size > 4 * CTL_MAX_REQUEST)
		return 0;
	r = ctl_request_parse(buf, size, &whole);
	if (r == CTL_PARSE_MORE &&
	    (memchr(buf, '\n', size) || memchr(buf, 0, size) || size >= CTL_MAX_REQUEST))
		__builtin_trap();
	if (r == CTL_PARSE_ERROR && (!whole.error[0] || memchr(whole.error, '\n', strlen(whole.error))))
		__builtin_trap();
	/* the daemon stops reading at the first answer */
	for (n = 1; n <= size && rp == CTL_PARSE_MORE; n++)
		rp = ctl_request_parse(buf, n, &part);
	if (rp == CTL_PARSE_OK && (part.cmd != whole.cmd || part.json != whole.json ||
				   r != CTL_PARSE_OK))
		__builtin_trap();
	if (r == CTL_PARSE_OK && (whole.cmd == CTL_CMD_DISCONNECT_USER) &&
	    (!whole.user[0] || strpbrk(whole.user, " \t\r\n")))
		__builtin_trap();
	return 0;
}
