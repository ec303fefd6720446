/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The request words of `sessions` and `disconnect` (select.c), well-formed
 * and malformed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "select.h"

static int parse(struct session_filter *f, char *line, char *err, size_t errlen)
{
	char *argv[16];
	int argc = 0;

	for (char *t = strtok(line, " "); t && argc < 16; t = strtok(NULL, " "))
		argv[argc++] = t;
	return session_filter_parse(f, argc, argv, err, errlen);
}

static void every_selector_and_sort(void **state)
{
	char line[] = "user=alice address=198.51.100.7 peer=192.0.2.2:1701 interface=l2tp3 "
		      "policy=staff session=12/34 sort=uptime";
	struct session_filter f;
	char err[160];

	assert_int_equal(parse(&f, line, err, sizeof(err)), 0);
	assert_string_equal(f.user, "alice");
	assert_string_equal(f.address, "198.51.100.7");
	assert_string_equal(f.peer, "192.0.2.2:1701");
	assert_string_equal(f.interface, "l2tp3");
	assert_string_equal(f.policy, "staff");
	assert_true(f.by_id);
	assert_int_equal(f.tunnel_id, 12);
	assert_int_equal(f.session_id, 34);
	assert_int_equal(f.sort, SORT_UPTIME);
	assert_false(f.all);
	assert_true(session_filter_selects(&f));
}

static void nothing_selects_nothing_and_all_selects(void **state)
{
	char empty[] = "", all[] = "all", sort[] = "sort=user";
	struct session_filter f;
	char err[160];

	assert_int_equal(parse(&f, empty, err, sizeof(err)), 0);
	assert_false(session_filter_selects(&f));
	assert_int_equal(parse(&f, sort, err, sizeof(err)), 0);
	assert_false(session_filter_selects(&f));	/* a sort selects nothing */
	assert_int_equal(parse(&f, all, err, sizeof(err)), 0);
	assert_true(f.all && session_filter_selects(&f));
}

static void malformed_words_are_refused_with_a_reason(void **state)
{
	static const struct { const char *line, *msg; } bad[] = {
		{ "user", "expected key=value" },
		{ "user=", "expected key=value" },
		{ "=alice", "unknown selector" },
		{ "colour=red", "unknown selector" },
		{ "sort=height", "unknown sort key" },
		{ "session=12", "expected session=TUNNEL/SESSION" },
		{ "session=12/34x", "expected session=TUNNEL/SESSION" },
		{ "session=70000/1", "expected session=TUNNEL/SESSION" },
		{ "session=1/70000", "expected session=TUNNEL/SESSION" },
		{ "session=-1/2", "expected session=TUNNEL/SESSION" },
		{ "user=a user=b", "'user' given twice" },
		{ "sort=user address=x sort=id", "'sort' given twice" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64], err[160] = "";
		struct session_filter f;

		snprintf(line, sizeof(line), "%s", bad[i].line);
		assert_int_equal(parse(&f, line, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': got '%s'", bad[i].line, err);
	}
}

static void a_long_word_is_cut_in_the_message(void **state)
{
	char line[400], err[160];
	struct session_filter f;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	assert_int_equal(parse(&f, line, err, sizeof(err)), -1);
	assert_true(strlen(err) < sizeof(err) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_selector_and_sort),
		cmocka_unit_test(nothing_selects_nothing_and_all_selects),
		cmocka_unit_test(malformed_words_are_refused_with_a_reason),
		cmocka_unit_test(a_long_word_is_cut_in_the_message),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
