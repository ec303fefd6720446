/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/u32_htab: the intrusive 32-bit-key table shared by the userspace data
 * plane (sessions by id) and the daemon (DHCPINFORM links by ifindex). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "u32_htab.h"

struct item {
	int payload;
	struct u32_hnode node;
};

#define N 5000u

static void test_insert_find_remove_through_growth(void **state)
{
	struct u32_htab h;
	struct item *items = calloc(N, sizeof(*items));

	(void)state;
	assert_non_null(items);
	assert_int_equal(u32_htab_init(&h, 0), 0);
	assert_int_equal(h.bits, 4);	/* the smallest table */
	for (uint32_t i = 0; i < N; i++) {
		/* the keys the data plane uses: tunnel << 16 | session */
		items[i].node.key = (i / 7) << 16 | (i % 7 + 1);
		items[i].payload = (int)i;
		assert_int_equal(u32_htab_insert(&h, &items[i].node), 0);
	}
	assert_int_equal(h.count, N);
	/* load stays at most one node per bucket */
	assert_true(h.count <= (size_t)1 << h.bits);
	for (uint32_t i = 0; i < N; i++) {
		struct u32_hnode *n = u32_htab_find(&h, items[i].node.key);

		assert_non_null(n);
		assert_int_equal(u32_container_of(n, struct item, node)->payload, (int)i);
	}
	assert_null(u32_htab_find(&h, 0xffffffffu));
	/* remove every other one: the rest are still found, the removed not */
	for (uint32_t i = 0; i < N; i += 2)
		u32_htab_remove(&h, &items[i].node);
	assert_int_equal(h.count, N / 2);
	for (uint32_t i = 0; i < N; i++) {
		struct u32_hnode *n = u32_htab_find(&h, items[i].node.key);

		if (i % 2)
			assert_ptr_equal(n, &items[i].node);
		else
			assert_null(n);
	}
	u32_htab_fini(&h);
	assert_null(h.buckets);
	free(items);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_find_remove_through_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
