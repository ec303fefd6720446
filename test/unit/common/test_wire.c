/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/wire.h, the one byte reader and writer: network byte order, every
 * read past the end fails and leaves the cursor, the writer never writes
 * past its capacity and its overflow is sticky. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "wire.h"

static void reads_in_network_order(void **state)
{
	const uint8_t in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xaa, 0xbb };
	struct wire_rd r;
	uint8_t b;
	uint16_t s;
	uint32_t l;
	const uint8_t *p;

	wire_rd_init(&r, in, sizeof(in));
	assert_true(wire_rd_u8(&r, &b));
	assert_int_equal(b, 0x01);
	assert_true(wire_rd_u16(&r, &s));
	assert_int_equal(s, 0x0203);
	assert_true(wire_rd_u32(&r, &l));
	assert_int_equal(l, 0x04050607u);
	assert_true(wire_rd_bytes(&r, 2, &p));
	assert_ptr_equal(p, in + 7);
	assert_int_equal(wire_rd_left(&r), 0);
	assert_int_equal(wire_get_u16(in + 7), 0xaabb);
}

/* Truncated input: each width fails at each short length, and the cursor
 * stays where it was (the next field is not misread). */
static void short_input_fails_without_moving(void **state)
{
	const uint8_t in[3] = { 0xde, 0xad, 0xbe };
	struct wire_rd r;
	uint16_t s;
	uint32_t l;
	const uint8_t *p = NULL;

	wire_rd_init(&r, in, 3);
	assert_false(wire_rd_u32(&r, &l));
	assert_int_equal(wire_rd_left(&r), 3);
	assert_false(wire_rd_bytes(&r, 4, &p));
	assert_null(p);
	assert_true(wire_rd_u16(&r, &s));
	assert_false(wire_rd_u16(&r, &s));
	assert_int_equal(wire_rd_left(&r), 1);
	assert_false(wire_rd_bytes(&r, SIZE_MAX, &p));	/* a huge length from the wire */
	assert_true(wire_rd_bytes(&r, 1, NULL));		/* skip */
	assert_int_equal(wire_rd_left(&r), 0);

	wire_rd_init(&r, NULL, 0);
	assert_false(wire_rd_u8(&r, &(uint8_t){ 0 }));
}

static void writer_overflow_is_sticky(void **state)
{
	uint8_t out[6];
	struct wire_wr w;

	memset(out, 0xee, sizeof(out));
	wire_wr_init(&w, out, 5);
	wire_wr_u16(&w, 0x0102);
	wire_wr_u8(&w, 0x03);
	wire_wr_put_u16_at(&w, 0, 0xa1a2);
	wire_wr_put_u16_at(&w, 2, 0xffff);	/* not written yet: ignored */
	assert_false(w.overflow);
	wire_wr_u32(&w, 0x04050607);	/* 4 > 2 left: the upper half fits */
	assert_true(w.overflow);
	wire_wr_u8(&w, 0x09);		/* the flag is sticky: nothing more */
	assert_int_equal(w.len, 5);
	assert_memory_equal(out, ((uint8_t[]){ 0xa1, 0xa2, 0x03, 0x04, 0x05, 0xee }), 6);

	wire_wr_init(&w, out, 4);
	wire_wr_bytes(&w, "abcd", 4);
	assert_false(w.overflow);
	wire_wr_bytes(&w, "", 0);
	assert_false(w.overflow);
	wire_put_u16(out, 0x4142);
	assert_memory_equal(out, "ABcd", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_in_network_order),
		cmocka_unit_test(short_input_fails_without_moving),
		cmocka_unit_test(writer_overflow_is_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
