/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The one JSON string escaper (lib/strbuf.h): RFC 8259 section 7, and
 * always valid UTF-8 whatever the client sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strbuf.h"

static char *json(const char *s)
{
	struct strbuf b = { 0 };

	sb_json_str(&b, s);
	return sb_take(&b);
}

static void check(const char *in, const char *want)
{
	char *got = json(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void plain_text_is_quoted(void **state)
{
	check("alice", "\"alice\"");
	check("", "\"\"");
	check(NULL, "\"\"");
}

static void quote_backslash_and_controls_are_escaped(void **state)
{
	check("a\"b\\c", "\"a\\\"b\\\\c\"");
	check("x\ny\tz", "\"x\\ny\\tz\"");
	check("\r\x01\x1f\x7f", "\"\\u000d\\u0001\\u001f\\u007f\"");
}

static void valid_utf8_passes(void **state)
{
	check("jos\xc3\xa9 \xf0\x9f\x98\x80", "\"jos\xc3\xa9 \xf0\x9f\x98\x80\"");
}

static void malformed_utf8_becomes_replacement_characters(void **state)
{
	check("jos\xe9", "\"jos\\ufffd\"");			/* Latin-1 */
	check("\xc0\xaf", "\"\\ufffd\\ufffd\"");		/* overlong */
	check("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");	/* surrogate */
	check("a\xe2\x82", "\"a\\ufffd\\ufffd\"");		/* truncated at the end */
	check("\xf8\x88\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
}

static void printf_appends(void **state)
{
	struct strbuf b = { 0 };
	char *s;

	for (int i = 0; i < 1000; i++)
		sb_printf(&b, "%d,", i % 10);
	s = sb_take(&b);
	assert_non_null(s);
	assert_int_equal(strlen(s), 2000);
	assert_memory_equal(s, "0,1,2,", 6);
	free(s);
}

/* Fixed mode: text that fits is written whole, text that does not sets
 * the sticky flag, never writes past the buffer, and later appends do
 * nothing (the nft renderers check once at the end). */
static void fixed_buffer_fits_or_reports(void **state)
{
	char buf[12];
	struct strbuf b;

	memset(buf, 'X', sizeof(buf));
	sb_init_fixed(&b, buf, 8);
	assert_string_equal(buf, "");
	sb_printf(&b, "%s", "abc");
	sb_printf(&b, "%d", 1234);
	assert_false(b.oom);
	assert_int_equal(b.n, 7);
	assert_string_equal(buf, "abc1234");
	sb_printf(&b, "x");		/* needs 9 bytes with the NUL */
	assert_true(b.oom);
	assert_int_equal(buf[7], '\0');
	assert_memory_equal(buf + 8, "XXXX", 4);	/* nothing past the size */
	sb_printf(&b, "%s", "");	/* sticky */
	assert_true(b.oom);
	assert_ptr_equal(b.s, buf);	/* never reallocated */

	sb_init_fixed(&b, NULL, 0);	/* no room at all */
	sb_printf(&b, "a");
	assert_true(b.oom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plain_text_is_quoted),
		cmocka_unit_test(quote_backslash_and_controls_are_escaped),
		cmocka_unit_test(valid_utf8_passes),
		cmocka_unit_test(malformed_utf8_becomes_replacement_characters),
		cmocka_unit_test(printf_appends),
		cmocka_unit_test(fixed_buffer_fits_or_reports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
