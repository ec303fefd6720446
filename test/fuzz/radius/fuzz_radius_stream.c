/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the bytes a RadSec server sends (radius/stream.h).
 * The input is cut into reads at the sizes its first octet picks, so
 * packets split across reads are exercised; every packet handed out must
 * have the Length it claims, within 20..4096, and a dead stream must stay
 * dead.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "stream.h"

static int on_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	assert(len >= RADIUS_HDR_LEN && len <= RADIUS_MAX_LEN);
	assert(((size_t)pkt[2] << 8 | pkt[3]) == len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct radius_stream rs;
	size_t step, off = 1;
	int dead = 0;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	radius_stream_reset(&rs);
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		enum radius_stream_result r = radius_stream_feed(&rs, data + off, n, on_packet, NULL);

		assert(!dead || r == RADIUS_STREAM_BAD);
		dead = r == RADIUS_STREAM_BAD;
		off += n;
	}
	return 0;
}
