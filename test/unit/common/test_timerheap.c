/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/timerheap (the one min-heap): ordering, moves, cancels, against a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "timerheap.h"

static void pops_in_deadline_order(void **state)
{
	struct timerheap h;
	struct timer_node n[5] = { 0 };
	uint64_t d[5] = { 50, 10, 40, 20, 30 };

	timerheap_init(&h);
	for (int i = 0; i < 5; i++)
		assert_int_equal(timerheap_set(&h, &n[i], d[i]), 0);
	for (uint64_t want = 10; want <= 50; want += 10) {
		struct timer_node *t = timerheap_pop_expired(&h, 100);
		assert_non_null(t);
		assert_int_equal(t->deadline, want);
		assert_int_equal(t->index, 0);
	}
	assert_null(timerheap_pop_expired(&h, 100));
	timerheap_free(&h);
}

static void nothing_pops_before_its_deadline(void **state)
{
	struct timerheap h;
	struct timer_node a = { 0 };

	timerheap_init(&h);
	timerheap_set(&h, &a, 1000);
	assert_null(timerheap_pop_expired(&h, 999));
	assert_ptr_equal(timerheap_pop_expired(&h, 1000), &a);
	timerheap_free(&h);
}

static void moving_and_cancelling_keep_the_order(void **state)
{
	struct timerheap h;
	struct timer_node n[3] = { 0 };

	timerheap_init(&h);
	timerheap_set(&h, &n[0], 10);
	timerheap_set(&h, &n[1], 20);
	timerheap_set(&h, &n[2], 30);
	timerheap_set(&h, &n[0], 40);	/* later */
	timerheap_set(&h, &n[2], 5);	/* earlier */
	timerheap_cancel(&h, &n[1]);
	timerheap_cancel(&h, &n[1]);	/* twice is harmless */
	assert_ptr_equal(timerheap_pop_expired(&h, 100), &n[2]);
	assert_ptr_equal(timerheap_pop_expired(&h, 100), &n[0]);
	assert_null(timerheap_peek(&h));
	timerheap_free(&h);
}

/* Random operations against a brute-force model of the earliest deadline. */
static void agrees_with_a_model_under_random_operations(void **state)
{
	enum { N = 300 };
	struct timerheap h;
	struct timer_node *n = calloc(N, sizeof(*n));
	uint64_t seed = 12345;

	assert_non_null(n);
	timerheap_init(&h);
	for (int step = 0; step < 20000; step++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int i = (int)((seed >> 33) % N);
		if ((seed >> 20) % 4 == 0)
			timerheap_cancel(&h, &n[i]);
		else
			assert_int_equal(timerheap_set(&h, &n[i], (seed >> 40) % 100000), 0);
		uint64_t min = UINT64_MAX;
		for (int j = 0; j < N; j++)
			if (n[j].index && n[j].deadline < min)
				min = n[j].deadline;
		struct timer_node *top = timerheap_peek(&h);
		if (min == UINT64_MAX)
			assert_null(top);
		else
			assert_int_equal(top->deadline, min);
	}
	timerheap_free(&h);
	for (int j = 0; j < N; j++)
		assert_int_equal(n[j].index, 0);
	free(n);
}

/* reserve: room for n nodes up front, so arming them never reallocates
 * (the test client relies on it: its dheap_set cannot fail). */
static void reserve_makes_room_for_n(void **state)
{
	struct timerheap h;
	struct timer_node n[100] = { 0 };

	timerheap_init(&h);
	assert_int_equal(timerheap_reserve(&h, 100), 0);
	assert_true(h.cap >= 100);
	struct timer_node **before = h.nodes;
	for (int i = 0; i < 100; i++)
		assert_int_equal(timerheap_set(&h, &n[i], (uint64_t)(100 - i)), 0);
	assert_ptr_equal(h.nodes, before);
	assert_int_equal(timerheap_reserve(&h, 10), 0);	/* never shrinks */
	assert_true(h.cap >= 100);
	assert_ptr_equal(timerheap_pop_expired(&h, 1), &n[99]);
	timerheap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pops_in_deadline_order),
		cmocka_unit_test(nothing_pops_before_its_deadline),
		cmocka_unit_test(moving_and_cancelling_keep_the_order),
		cmocka_unit_test(agrees_with_a_model_under_random_operations),
		cmocka_unit_test(reserve_makes_room_for_n),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
