/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one sanitizer of client-supplied text (lib/text.h): what a log line
 * or an l2tpctl line shows of a user name, host name or identity. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static const char *esc(const char *s, size_t len)
{
	static char buf[TEXT_SAFE_SIZE];

	return text_escape(buf, sizeof(buf), s, len, TEXT_ESC_QUOTES);
}

static void printable_ascii_is_kept(void **state)
{
	assert_string_equal(SAFE_STR("alice@example.com"), "alice@example.com");
	assert_string_equal(SAFE_STR("a b~{}"), "a b~{}");
	assert_string_equal(SAFE_STR(""), "");
	assert_string_equal(SAFE_STR(NULL), "");
}

static void newline_cannot_start_a_forged_line(void **state)
{
	const char *s = SAFE_STR("bob\n12:00:00.000 l2tpd info: session 1/2 up: user 'root'");

	assert_null(strchr(s, '\n'));
	assert_string_equal(s, "bob\\x0a12:00:00.000 l2tpd info: session 1/2 up: user \\x27root\\x27");
}

static void control_characters_and_del_are_escaped(void **state)
{
	assert_string_equal(esc("\r\t\x1b[31m\x7f", 8), "\\x0d\\x09\\x1b[31m\\x7f");
}

static void embedded_nul_is_escaped_with_a_length(void **state)
{
	assert_string_equal(esc("a\0b", 3), "a\\x00b");
}

static void quotes_and_backslash_are_escaped(void **state)
{
	assert_string_equal(SAFE_STR("o'brien \"x\" \\x41"), "o\\x27brien \\x22x\\x22 \\x5cx41");
	/* without the flag (a whole log line) they stay */
	char buf[32];
	assert_string_equal(text_escape(buf, sizeof(buf), "a'b\\c\n", 6, 0), "a'b\\c\\x0a");
}

static void valid_utf8_is_kept(void **state)
{
	/* é, €, U+1F600 */
	assert_string_equal(SAFE_STR("jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
			    "jos\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void malformed_utf8_is_escaped_byte_by_byte(void **state)
{
	/* a Latin-1 é, a lone continuation byte, an overlong '/', a
	 * surrogate, a truncated 3-octet sequence at the end, > U+10FFFF */
	assert_string_equal(SAFE_STR("jos\xe9"), "jos\\xe9");
	assert_string_equal(SAFE_STR("\x80"), "\\x80");
	assert_string_equal(SAFE_STR("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(SAFE_STR("\xed\xa0\x80"), "\\xed\\xa0\\x80");
	assert_string_equal(SAFE_STR("a\xe2\x82"), "a\\xe2\\x82");
	assert_string_equal(SAFE_STR("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(SAFE_STR("\xff\xfe"), "\\xff\\xfe");
}

static void invisible_code_points_are_escaped(void **state)
{
	/* U+0085 NEL (a C1 line break), U+2028 line separator, U+202E
	 * right-to-left override */
	assert_string_equal(SAFE_STR("a\xc2\x85z"), "a\\xc2\\x85z");
	assert_string_equal(SAFE_STR("a\xe2\x80\xa8z"), "a\\xe2\\x80\\xa8z");
	assert_string_equal(SAFE_STR("a\xe2\x80\xaez"), "a\\xe2\\x80\\xaez");
}

static void long_input_is_cut_with_a_marker(void **state)
{
	char in[1000], out[32];

	memset(in, 'a', sizeof(in));
	text_escape(out, sizeof(out), in, sizeof(in), TEXT_ESC_QUOTES);
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_string_equal(out + strlen(out) - strlen(TEXT_CUT_MARKER), TEXT_CUT_MARKER);
	/* an escape is never split: the cut comes before it */
	memset(in, '\n', sizeof(in));
	text_escape(out, sizeof(out), in, sizeof(in), TEXT_ESC_QUOTES);
	assert_string_equal(out, "\\x0a\\x0a\\x0a\\x0a\\x0a\\x0a\\...");
	/* exactly fitting input is not cut */
	memset(in, 'b', 31);
	text_escape(out, sizeof(out), in, 31, TEXT_ESC_QUOTES);
	assert_int_equal(strlen(out), 31);
	assert_null(strstr(out, TEXT_CUT_MARKER));
}

static void utf8_len_checks_bounds(void **state)
{
	const unsigned char euro[] = { 0xe2, 0x82, 0xac };

	assert_int_equal(text_utf8_len(euro, 3), 3);
	assert_int_equal(text_utf8_len(euro, 2), 0);	/* would read past the end */
	assert_int_equal(text_utf8_len(euro, 0), 0);
	assert_int_equal(text_utf8_len((const unsigned char *)"\n", 1), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(printable_ascii_is_kept),
		cmocka_unit_test(newline_cannot_start_a_forged_line),
		cmocka_unit_test(control_characters_and_del_are_escaped),
		cmocka_unit_test(embedded_nul_is_escaped_with_a_length),
		cmocka_unit_test(quotes_and_backslash_are_escaped),
		cmocka_unit_test(valid_utf8_is_kept),
		cmocka_unit_test(malformed_utf8_is_escaped_byte_by_byte),
		cmocka_unit_test(invisible_code_points_are_escaped),
		cmocka_unit_test(long_input_is_cut_with_a_marker),
		cmocka_unit_test(utf8_len_checks_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
