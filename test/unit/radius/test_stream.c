/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS over a byte stream: cutting packets by their Length (stream.h,
 * RFC 6613 section 2.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stream.h"

struct seen {
	unsigned n;
	size_t len[8];
	uint8_t first[8];	/* each packet's Identifier */
	unsigned stop_after;	/* 0: never stop */
};

static int on_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct seen *s = ctx;

	assert_true(s->n < 8);
	s->len[s->n] = len;
	s->first[s->n] = pkt[1];
	s->n++;
	return s->stop_after && s->n == s->stop_after;
}

/* A packet of `len` octets: code 2, Identifier id, its Length, filler. */
static size_t packet(uint8_t *out, uint8_t id, size_t len)
{
	memset(out, 0xA5, len);
	out[0] = 2;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	return len;
}

static void test_one_packet_in_one_read(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[64];
	size_t n = packet(b, 7, 38);

	(void)state;
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, n, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.len[0], 38);
	assert_int_equal(s.first[0], 7);
}

static void test_a_packet_split_byte_by_byte(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[64];
	size_t n = packet(b, 9, 44);

	(void)state;
	radius_stream_reset(&rs);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(radius_stream_feed(&rs, b + i, 1, on_packet, &s), RADIUS_STREAM_OK);
		assert_int_equal(s.n, i + 1 == n ? 1 : 0);
	}
	assert_int_equal(s.len[0], 44);
}

static void test_split_inside_the_length_field(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[300];
	size_t n = packet(b, 1, 300);

	(void)state;
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, 3, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(radius_stream_feed(&rs, b + 3, n - 3, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.len[0], 300);
}

static void test_two_packets_and_a_half_in_one_read(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[200];
	size_t n = packet(b, 1, 20);

	(void)state;
	n += packet(b + n, 2, 60);
	n += packet(b + n, 3, 100);
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, n - 50, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.first[0], 1);
	assert_int_equal(s.len[1], 60);
	assert_int_equal(radius_stream_feed(&rs, b + n - 50, 50, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.first[2], 3);
	assert_int_equal(s.len[2], 100);
}

static void test_the_largest_packet_is_read(void **state)
{
	static struct radius_stream rs;
	static uint8_t b[RADIUS_MAX_LEN];
	struct seen s = { 0 };

	(void)state;
	radius_stream_reset(&rs);
	packet(b, 4, RADIUS_MAX_LEN);
	assert_int_equal(radius_stream_feed(&rs, b, sizeof(b), on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.len[0], RADIUS_MAX_LEN);
}

static void test_a_length_below_the_header_kills_the_stream(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[64];

	(void)state;
	radius_stream_reset(&rs);
	packet(b, 1, 40);
	b[2] = 0;
	b[3] = 19;
	assert_int_equal(radius_stream_feed(&rs, b, 40, on_packet, &s), RADIUS_STREAM_BAD);
	assert_int_equal(s.n, 0);
	/* and stays dead: nothing after it is believed */
	packet(b, 2, 20);
	assert_int_equal(radius_stream_feed(&rs, b, 20, on_packet, &s), RADIUS_STREAM_BAD);
	assert_int_equal(s.n, 0);
}

static void test_a_length_above_4096_kills_the_stream(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[4] = { 2, 1, 0x10, 0x01 };	/* 4097 */

	(void)state;
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, 4, on_packet, &s), RADIUS_STREAM_BAD);
	assert_int_equal(s.n, 0);
}

static void test_a_zero_length_kills_the_stream(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[8] = { 2, 1, 0, 0, 0, 0, 0, 0 };

	(void)state;
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, sizeof(b), on_packet, &s), RADIUS_STREAM_BAD);
}

static void test_a_bad_packet_after_a_good_one_delivers_the_good_one(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[64];
	size_t n = packet(b, 5, 20);

	(void)state;
	b[n++] = 2;
	b[n++] = 6;
	b[n++] = 0xFF;
	b[n++] = 0xFF;
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, n, on_packet, &s), RADIUS_STREAM_BAD);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.first[0], 5);
}

static void test_the_callback_stops_the_feed(void **state)
{
	static struct radius_stream rs;
	struct seen s = { .stop_after = 1 };
	uint8_t b[80];
	size_t n = packet(b, 1, 20);

	(void)state;
	n += packet(b + n, 2, 20);
	radius_stream_reset(&rs);
	assert_int_equal(radius_stream_feed(&rs, b, n, on_packet, &s), RADIUS_STREAM_STOPPED);
	assert_int_equal(s.n, 1);
}

static void test_reset_drops_a_partial_packet(void **state)
{
	static struct radius_stream rs;
	struct seen s = { 0 };
	uint8_t b[64];

	(void)state;
	radius_stream_reset(&rs);
	packet(b, 1, 40);
	assert_int_equal(radius_stream_feed(&rs, b, 30, on_packet, &s), RADIUS_STREAM_OK);
	/* a new connection starts at a packet's first octet */
	radius_stream_reset(&rs);
	packet(b, 2, 20);
	assert_int_equal(radius_stream_feed(&rs, b, 20, on_packet, &s), RADIUS_STREAM_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.first[0], 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_packet_in_one_read),
		cmocka_unit_test(test_a_packet_split_byte_by_byte),
		cmocka_unit_test(test_split_inside_the_length_field),
		cmocka_unit_test(test_two_packets_and_a_half_in_one_read),
		cmocka_unit_test(test_the_largest_packet_is_read),
		cmocka_unit_test(test_a_length_below_the_header_kills_the_stream),
		cmocka_unit_test(test_a_length_above_4096_kills_the_stream),
		cmocka_unit_test(test_a_zero_length_kills_the_stream),
		cmocka_unit_test(test_a_bad_packet_after_a_good_one_delivers_the_good_one),
		cmocka_unit_test(test_the_callback_stops_the_feed),
		cmocka_unit_test(test_reset_drops_a_partial_packet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
