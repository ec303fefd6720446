/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy_cache.h: per-policy shared entries of one generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "policy_cache.h"

static unsigned released[8];

static void release(void *entry)
{
	released[*(int *)entry]++;
}

/* Entries are found by the policy's index, slots grow to the largest
 * index stored, and a negative index (no policy decided) shares nothing. */
static void entries_are_found_by_policy_index(void **state)
{
	struct policy_cache c = { 0 };
	int e0 = 0, e5 = 5;

	(void)state;
	assert_null(policy_cache_find(&c, 0));
	assert_true(policy_cache_store(&c, 5, &e5));
	assert_int_equal(c.n, 6);
	assert_ptr_equal(policy_cache_find(&c, 5), &e5);
	assert_null(policy_cache_find(&c, 4));
	assert_null(policy_cache_find(&c, 6));
	assert_true(policy_cache_store(&c, 0, &e0));
	assert_int_equal(c.n, 6);
	assert_ptr_equal(policy_cache_find(&c, 0), &e0);
	assert_false(policy_cache_store(&c, -1, &e0));
	assert_null(policy_cache_find(&c, -1));
	policy_cache_clear(&c, release);
}

/* A new generation releases each stored entry once and forgets them. */
static void a_new_generation_releases_each_entry_once(void **state)
{
	struct policy_cache c = { 0 };
	int e1 = 1, e3 = 3;

	(void)state;
	memset(released, 0, sizeof(released));
	assert_true(policy_cache_store(&c, 1, &e1));
	assert_true(policy_cache_store(&c, 3, &e3));
	policy_cache_clear(&c, release);
	assert_int_equal(released[1], 1);
	assert_int_equal(released[3], 1);
	assert_int_equal(released[0] + released[2], 0);
	assert_null(policy_cache_find(&c, 1));
	assert_int_equal(c.n, 0);
	policy_cache_clear(&c, release);	/* empty: nothing again */
	assert_int_equal(released[1], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(entries_are_found_by_policy_index),
		cmocka_unit_test(a_new_generation_releases_each_entry_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
