/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/crc32.h: the published CRC-32 (IEEE 802.3) check values, the table
 * against the bit-by-bit definition, and continuing over pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc32.h"

/* The definition, one bit at a time (what the table replaces). */
static uint32_t crc32_bitwise(const uint8_t *b, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	for (size_t i = 0; i < n; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* The catalogue's check value ("123456789": 0xCBF43926, as in Williams'
 * "A painless guide to CRC error detection algorithms" and the CRC
 * catalogue's CRC-32/ISO-HDLC), and values zlib's crc32() gives. */
static void matches_the_published_check_values(void **state)
{
	static const uint8_t zeros[32], ones[32] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff,
	};
	const char *fox = "The quick brown fox jumps over the lazy dog";

	(void)state;
	assert_int_equal(crc32_ieee("123456789", 9), 0xCBF43926u);
	assert_int_equal(crc32_ieee("", 0), 0);
	assert_int_equal(crc32_ieee("a", 1), 0xE8B7BE43u);
	assert_int_equal(crc32_ieee(fox, strlen(fox)), 0x414FA339u);
	assert_int_equal(crc32_ieee(zeros, sizeof(zeros)), 0x190A55ADu);
	assert_int_equal(crc32_ieee(ones, sizeof(ones)), 0xFF6CAB0Bu);
}

/* Every octet value in every position of a few lengths: the table is the
 * bit-by-bit register, entry by entry. */
static void agrees_with_the_bitwise_definition(void **state)
{
	uint8_t buf[300];

	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		uint8_t one = (uint8_t)v;

		assert_int_equal(crc32_ieee(&one, 1), crc32_bitwise(&one, 1));
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131u + 7u);
	for (size_t n = 0; n <= sizeof(buf); n += 13)
		assert_int_equal(crc32_ieee(buf, n), crc32_bitwise(buf, n));
}

static void goes_on_over_pieces(void **state)
{
	(void)state;
	assert_int_equal(crc32_update(crc32_update(0, "1234", 4), "56789", 5), 0xCBF43926u);
	assert_int_equal(crc32_update(crc32_ieee("", 0), "123456789", 9), 0xCBF43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_the_published_check_values),
		cmocka_unit_test(agrees_with_the_bitwise_definition),
		cmocka_unit_test(goes_on_over_pieces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
