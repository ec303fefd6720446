/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sessions per user: counts, case-insensitive names, no growth under churn. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "usercount.h"

static void counts_up_and_down_per_user(void **state)
{
	struct usercount u;

	usercount_init(&u);
	assert_int_equal(usercount_get(&u, "alice"), 0);
	assert_int_equal(usercount_inc(&u, "alice"), 1);
	assert_int_equal(usercount_inc(&u, "ALICE"), 2);
	assert_int_equal(usercount_inc(&u, "bob"), 1);
	usercount_dec(&u, "Alice");
	assert_int_equal(usercount_get(&u, "alice"), 1);
	usercount_dec(&u, "alice");
	usercount_dec(&u, "alice");	/* below zero: ignored */
	assert_int_equal(usercount_get(&u, "alice"), 0);
	assert_int_equal(usercount_get(&u, "bob"), 1);
	usercount_free(&u);
}

static void many_users_then_all_gone(void **state)
{
	struct usercount u;
	char name[32];

	usercount_init(&u);
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		assert_int_equal(usercount_inc(&u, name), 1);
	}
	for (int i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "USER%d", i);
		assert_int_equal(usercount_get(&u, name), 1);
		usercount_dec(&u, name);
	}
	for (int i = 0; i < 10000; i += 997) {
		snprintf(name, sizeof(name), "user%d", i);
		assert_int_equal(usercount_get(&u, name), 0);
	}
	usercount_free(&u);
}

static void churn_of_new_names_does_not_grow_the_table(void **state)
{
	struct usercount u;
	char name[32];
	uint32_t cap_after_warmup = 0;

	usercount_init(&u);
	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "churn%d", i);
		usercount_inc(&u, name);
		usercount_dec(&u, name);
		if (i == 1000)
			cap_after_warmup = u.cap;
	}
	assert_int_equal(u.cap, cap_after_warmup);
	usercount_free(&u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counts_up_and_down_per_user),
		cmocka_unit_test(many_users_then_all_gone),
		cmocka_unit_test(churn_of_new_names_does_not_grow_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
