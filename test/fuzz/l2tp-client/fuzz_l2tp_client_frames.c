/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: everything l2tp-client parses from the data path itself
 * (ppp-core and the L2TP library have their own targets): PPP framing,
 * the MS-CHAPv2 Failure text, and IPv4/ICMP echo replies. The first byte
 * picks which parser sees the rest, so each gets the whole input space.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mschap_failure f;
	struct echo_reply rep;
	uint16_t proto;
	size_t off;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 3: {
		uint8_t out[2048];
		size_t n = icmp_echo_answer(data + 1, size - 1, out, sizeof(out));

		if (n && icmp_echo_reply_parse(out, n, &rep) != ECHO_OK)
			__builtin_trap();	/* our answer must parse as a reply */
		break;
	}
	case 0:
		if (ppp_frame_peel(data + 1, size - 1, &proto, &off) && off > size - 1)
			__builtin_trap();
		break;
	case 1:
		if (chap_failure_parse(data + 1, size - 1, &f) == CHAP_F_OK &&
		    strlen(f.message) >= sizeof(f.message))
			__builtin_trap();
		break;
	default:
		if (icmp_echo_reply_parse(data + 1, size - 1, &rep) == ECHO_OK &&
		    inet_checksum(data + 1, 20) != 0 && (data[1] & 0x0f) == 5)
			__builtin_trap();	/* accepted a header with a bad checksum */
		break;
	}
	return 0;
}
