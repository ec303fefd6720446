/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS over a byte stream (TCP, TLS: RFC 6613, RFC 6614): the reader
 * that cuts the stream into packets. No I/O: the daemon feeds it what a
 * read returned and gets whole packets back (docs/radius.md "RadSec").
 *
 * RFC 6613 section 2.4: a packet's own Length field (octets 2-3 of the
 * header) delimits it on the stream; there is no other framing. A Length
 * outside 20..4096 (RFC 2865 section 3) cannot be resynchronised, so
 * RFC 6613 section 2.6.4 has the connection closed: the reader reports
 * RADIUS_STREAM_BAD and takes no more bytes.
 */
#ifndef RADIUS_STREAM_H
#define RADIUS_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "radius.h"

struct radius_stream {
	uint8_t buf[RADIUS_MAX_LEN];
	size_t have;		/* bytes of the packet being read */
	int bad;		/* a malformed Length was seen: the stream is dead */
};

enum radius_stream_result {
	RADIUS_STREAM_OK,	/* every byte taken; a partial packet may be held */
	RADIUS_STREAM_STOPPED,	/* the callback asked to stop (the connection went) */
	RADIUS_STREAM_BAD,	/* malformed Length: close the connection */
};

/* One whole packet, valid for the call only. Nonzero stops the feed. */
typedef int (*radius_stream_packet_fn)(void *ctx, const uint8_t *pkt, size_t len);

void radius_stream_reset(struct radius_stream *s);
/* Take len bytes of the stream, calling fn once per complete packet, in
 * order. Bytes past a packet that stopped the feed are not taken. */
enum radius_stream_result radius_stream_feed(struct radius_stream *s, const uint8_t *data,
					     size_t len, radius_stream_packet_fn fn, void *ctx);

#endif
