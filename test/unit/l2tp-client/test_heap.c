/* SPDX-License-Identifier: GPL-2.0-or-later */
/* heap.c: the deadline min-heap of the client's sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "heap.h"

static void test_empty_heap_has_no_deadline(void **state)
{
	struct dheap h;

	(void)state;
	assert_int_equal(dheap_init(&h, 4), 0);
	assert_true(dheap_min(&h) == UINT64_MAX);
	assert_int_equal(dheap_pop_due(&h, UINT64_MAX - 1), HEAP_NONE);
	dheap_free(&h);
}

static void test_pops_in_deadline_order_only_when_due(void **state)
{
	struct dheap h;

	(void)state;
	dheap_init(&h, 5);
	dheap_set(&h, 0, 50);
	dheap_set(&h, 1, 10);
	dheap_set(&h, 2, 30);
	dheap_set(&h, 3, 20);
	assert_true(dheap_min(&h) == 10);
	assert_int_equal(dheap_pop_due(&h, 5), HEAP_NONE);
	assert_int_equal(dheap_pop_due(&h, 25), 1);
	assert_int_equal(dheap_pop_due(&h, 25), 3);
	assert_int_equal(dheap_pop_due(&h, 25), HEAP_NONE);
	assert_int_equal(dheap_pop_due(&h, 100), 2);
	assert_int_equal(dheap_pop_due(&h, 100), 0);
	assert_false(dheap_contains(&h, 0));
	dheap_free(&h);
}

static void test_set_again_moves_the_item_both_ways(void **state)
{
	struct dheap h;

	(void)state;
	dheap_init(&h, 3);
	dheap_set(&h, 0, 10);
	dheap_set(&h, 1, 20);
	dheap_set(&h, 2, 30);
	dheap_set(&h, 0, 40);	/* later */
	assert_true(dheap_min(&h) == 20);
	dheap_set(&h, 2, 5);	/* earlier */
	assert_int_equal(dheap_pop_due(&h, 100), 2);
	assert_int_equal(dheap_pop_due(&h, 100), 1);
	assert_int_equal(dheap_pop_due(&h, 100), 0);
	assert_int_equal(h.n, 0);
	dheap_free(&h);
}

static void test_cancel_removes_only_that_item(void **state)
{
	struct dheap h;

	(void)state;
	dheap_init(&h, 4);
	for (uint32_t i = 0; i < 4; i++)
		dheap_set(&h, i, 100 - i);
	dheap_cancel(&h, 3);
	dheap_cancel(&h, 3);	/* twice is harmless */
	assert_false(dheap_contains(&h, 3));
	assert_int_equal(dheap_pop_due(&h, 1000), 2);
	assert_int_equal(dheap_pop_due(&h, 1000), 1);
	assert_int_equal(dheap_pop_due(&h, 1000), 0);
	dheap_free(&h);
}

static void test_items_outside_the_set_are_ignored(void **state)
{
	struct dheap h;

	(void)state;
	dheap_init(&h, 2);
	dheap_set(&h, 2, 1);
	dheap_cancel(&h, 7);
	assert_int_equal(h.n, 0);
	assert_false(dheap_contains(&h, 2));
	dheap_free(&h);
}

/* Against a brute-force model: random sets, cancels and pops. */
static void test_matches_a_model_under_random_operations(void **state)
{
	enum { N = 257 };
	struct dheap h;
	uint64_t model[N];
	uint32_t seed = 12345;

	(void)state;
	dheap_init(&h, N);
	for (int i = 0; i < N; i++)
		model[i] = UINT64_MAX;
	for (int step = 0; step < 20000; step++) {
		uint32_t item, op;

		seed = seed * 1103515245u + 12345u;
		item = (seed >> 8) % N;
		op = (seed >> 20) % 4;
		if (op < 2) {
			uint64_t k = (seed >> 4) % 1000;

			dheap_set(&h, item, k);
			model[item] = k;
		} else if (op == 2) {
			dheap_cancel(&h, item);
			model[item] = UINT64_MAX;
		} else {
			uint64_t now = (seed >> 3) % 1000, best = UINT64_MAX;
			uint32_t got = dheap_pop_due(&h, now);

			for (int i = 0; i < N; i++)
				if (model[i] < best)
					best = model[i];
			if (best <= now) {
				assert_int_not_equal(got, HEAP_NONE);
				assert_true(model[got] == best);
				model[got] = UINT64_MAX;
			} else {
				assert_int_equal(got, HEAP_NONE);
			}
		}
	}
	dheap_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_heap_has_no_deadline),
		cmocka_unit_test(test_pops_in_deadline_order_only_when_due),
		cmocka_unit_test(test_set_again_moves_the_item_both_ways),
		cmocka_unit_test(test_cancel_removes_only_that_item),
		cmocka_unit_test(test_items_outside_the_set_are_ignored),
		cmocka_unit_test(test_matches_a_model_under_random_operations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
