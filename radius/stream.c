/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS over a byte stream: the packet reader (stream.h). */
#include "stream.h"

#include <string.h>

void radius_stream_reset(struct radius_stream *s)
{
	s->have = 0;
	s->bad = 0;
}

/* The Length of the header held, once its 4 first octets are in. */
static size_t held_length(const struct radius_stream *s)
{
	return (size_t)s->buf[2] << 8 | s->buf[3];
}

enum radius_stream_result radius_stream_feed(struct radius_stream *s, const uint8_t *data,
					     size_t len, radius_stream_packet_fn fn, void *ctx)
{
	size_t off = 0;

	if (s->bad)
		return RADIUS_STREAM_BAD;
	while (off < len) {
		size_t want = 4, take, plen;

		if (s->have >= 4) {
			/* checked when the header's 4 octets came in */
			want = held_length(s);
		}
		take = want - s->have;
		if (take > len - off)
			take = len - off;
		memcpy(s->buf + s->have, data + off, take);
		s->have += take;
		off += take;
		if (s->have < 4)
			break;
		plen = held_length(s);
		/* RFC 6613 section 2.6.4, RFC 2865 section 3: nothing after a
		 * wrong Length can be trusted to start a packet */
		if (plen < RADIUS_HDR_LEN || plen > RADIUS_MAX_LEN) {
			s->bad = 1;
			s->have = 0;
			return RADIUS_STREAM_BAD;
		}
		if (s->have < plen)
			continue;
		s->have = 0;
		if (fn(ctx, s->buf, plen))
			return RADIUS_STREAM_STOPPED;
	}
	return RADIUS_STREAM_OK;
}
