/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dynamic authorization server's session indexes (dynauth_index.h):
 * each key finds exactly its entries, through growth and removal, and a
 * lookup stops when told to. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dynauth_index.h"

#define N 5000

struct owner {
	char user[16];
	struct das_index_entry *e;
};

struct seen {
	void *owners[N + 1];
	size_t n, stop_after;
};

static bool collect(void *ctx, struct das_index_entry *e)
{
	struct seen *s = ctx;

	if (s->n < N + 1)
		s->owners[s->n] = e->owner;
	s->n++;
	return !s->stop_after || s->n < s->stop_after;
}

static void add_all(struct das_index *ix, struct owner *o, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char calling[32];

		/* ten users, each with n/10 sessions; one calling station per
		 * hundred sessions */
		snprintf(o[i].user, sizeof(o[i].user), "user%zu", i % 10);
		snprintf(calling, sizeof(calling), "203.0.113.%zu:4500", i / 100);
		o[i].e = das_index_add(ix, &o[i], 1000 + (uint32_t)i, 0x10000u + (uint32_t)i,
				       0x0a000000u + (uint32_t)i, o[i].user, calling);
		assert_non_null(o[i].e);
	}
}

static void each_key_finds_exactly_its_entries(void **state)
{
	struct das_index ix;
	struct owner *o = calloc(N, sizeof(*o));
	struct seen s;

	(void)state;
	das_index_init(&ix, 12345);
	add_all(&ix, o, N);
	assert_true(ix.n_buckets >= N);		/* grown past the first 64 */
	for (size_t i = 0; i < N; i += 97) {
		memset(&s, 0, sizeof(s));
		das_index_lookup_u32(&ix, DAS_IX_SERIAL, 1000 + (uint32_t)i, collect, &s);
		assert_int_equal(s.n, 1);
		assert_ptr_equal(s.owners[0], &o[i]);
		memset(&s, 0, sizeof(s));
		das_index_lookup_u32(&ix, DAS_IX_NAS_PORT, 0x10000u + (uint32_t)i, collect, &s);
		assert_int_equal(s.n, 1);
		assert_ptr_equal(s.owners[0], &o[i]);
		memset(&s, 0, sizeof(s));
		das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, 0x0a000000u + (uint32_t)i, collect, &s);
		assert_int_equal(s.n, 1);
		assert_ptr_equal(s.owners[0], &o[i]);
		assert_ptr_equal(das_index_owner(&ix, &o[i], 1000 + (uint32_t)i), o[i].e);
	}
	memset(&s, 0, sizeof(s));
	das_index_lookup_str(&ix, DAS_IX_USER, "user3", collect, &s);
	assert_int_equal(s.n, N / 10);
	for (size_t k = 0; k < s.n; k++)
		assert_string_equal(((struct owner *)s.owners[k])->user, "user3");
	memset(&s, 0, sizeof(s));
	das_index_lookup_str(&ix, DAS_IX_CALLING, "203.0.113.7:4500", collect, &s);
	assert_int_equal(s.n, 100);
	/* values no entry has; a key of the wrong kind finds nothing */
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_SERIAL, 999, collect, &s);
	das_index_lookup_str(&ix, DAS_IX_USER, "USER3", collect, &s);	/* exact */
	das_index_lookup_str(&ix, DAS_IX_CALLING, "203.0.113.7", collect, &s);
	das_index_lookup_u32(&ix, DAS_IX_USER, 0, collect, &s);
	das_index_lookup_str(&ix, DAS_IX_SERIAL, "1000", collect, &s);
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof(s));
	das_index_walk(&ix, collect, &s);
	assert_int_equal(s.n, N);
	das_index_free(&ix);
	free(o);
}

static void a_removed_entry_is_in_no_table(void **state)
{
	struct das_index ix;
	struct owner *o = calloc(N, sizeof(*o));
	struct seen s;

	(void)state;
	das_index_init(&ix, 1);
	add_all(&ix, o, N);
	for (size_t i = 0; i < N; i += 2)
		das_index_remove(&ix, o[i].e);
	assert_int_equal(ix.n, N / 2);
	for (size_t i = 0; i < 200; i++) {
		memset(&s, 0, sizeof(s));
		das_index_lookup_u32(&ix, DAS_IX_NAS_PORT, 0x10000u + (uint32_t)i, collect, &s);
		assert_int_equal(s.n, i % 2);
		assert_true(!das_index_owner(&ix, &o[i], 1000 + (uint32_t)i) == !(i % 2));
	}
	memset(&s, 0, sizeof(s));
	das_index_lookup_str(&ix, DAS_IX_USER, "user4", collect, &s);	/* even: all gone */
	assert_int_equal(s.n, 0);
	das_index_lookup_str(&ix, DAS_IX_USER, "user5", collect, &s);
	assert_int_equal(s.n, N / 10);
	das_index_free(&ix);
	free(o);
}

/* IPCP renegotiated to another address, or went down (0): the entry is
 * found by the new address only, by its other keys as before, and moves
 * again through growth; removed, it is in no chain. */
static void a_changed_framed_ip_moves_the_entry_to_the_new_key(void **state)
{
	struct das_index ix;
	struct owner *o = calloc(N, sizeof(*o));
	struct seen s;
	const uint32_t moved = 0xc6336401u;	/* 198.51.100.1 */

	(void)state;
	das_index_init(&ix, 777);
	add_all(&ix, o, 100);
	das_index_set_framed_ip(&ix, o[42].e, moved);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, 0x0a000000u + 42, collect, &s);
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, moved, collect, &s);
	assert_int_equal(s.n, 1);
	assert_ptr_equal(s.owners[0], &o[42]);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_SERIAL, 1042, collect, &s);
	assert_int_equal(s.n, 1);
	/* the same address again: nothing moves, still found once */
	das_index_set_framed_ip(&ix, o[42].e, moved);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, moved, collect, &s);
	assert_int_equal(s.n, 1);
	/* IPCP down: no address; two sessions share the key 0 */
	das_index_set_framed_ip(&ix, o[42].e, 0);
	das_index_set_framed_ip(&ix, o[7].e, 0);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, moved, collect, &s);
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, 0, collect, &s);
	assert_int_equal(s.n, 2);
	/* growth relinks by the current key */
	for (size_t i = 100; i < N; i++)
		assert_non_null(o[i].e = das_index_add(&ix, &o[i], 1000 + (uint32_t)i,
						       0x10000u + (uint32_t)i,
						       0x0a000000u + (uint32_t)i, "user", "c"));
	assert_true(ix.n_buckets >= N);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, 0x0a000000u + 7, collect, &s);
	assert_int_equal(s.n, 0);
	das_index_set_framed_ip(&ix, o[7].e, moved);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, moved, collect, &s);
	assert_int_equal(s.n, 1);
	assert_ptr_equal(s.owners[0], &o[7]);
	das_index_remove(&ix, o[7].e);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, moved, collect, &s);
	assert_int_equal(s.n, 0);
	memset(&s, 0, sizeof(s));
	das_index_lookup_u32(&ix, DAS_IX_FRAMED_IP, 0, collect, &s);
	assert_int_equal(s.n, 1);
	assert_ptr_equal(s.owners[0], &o[42]);
	das_index_free(&ix);
	free(o);
}

static void a_lookup_stops_when_the_visitor_says_so(void **state)
{
	struct das_index ix;
	struct owner *o = calloc(N, sizeof(*o));
	struct seen s;

	(void)state;
	das_index_init(&ix, 7);
	add_all(&ix, o, N);
	memset(&s, 0, sizeof(s));
	s.stop_after = 65;		/* the DAS's 64 and one more: 508 */
	das_index_lookup_str(&ix, DAS_IX_USER, "user0", collect, &s);
	assert_int_equal(s.n, 65);
	memset(&s, 0, sizeof(s));
	s.stop_after = 65;
	das_index_walk(&ix, collect, &s);
	assert_int_equal(s.n, 65);
	das_index_free(&ix);
	free(o);
}

static void an_empty_index_finds_nothing(void **state)
{
	struct das_index ix;
	struct seen s = { 0 };
	int owner;

	(void)state;
	das_index_init(&ix, 0);
	das_index_lookup_u32(&ix, DAS_IX_SERIAL, 0, collect, &s);
	das_index_lookup_str(&ix, DAS_IX_USER, "", collect, &s);
	das_index_walk(&ix, collect, &s);
	assert_int_equal(s.n, 0);
	assert_null(das_index_owner(&ix, &owner, 0));
	das_index_free(&ix);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_key_finds_exactly_its_entries),
		cmocka_unit_test(a_removed_entry_is_in_no_table),
		cmocka_unit_test(a_changed_framed_ip_moves_the_entry_to_the_new_key),
		cmocka_unit_test(a_lookup_stops_when_the_visitor_says_so),
		cmocka_unit_test(an_empty_index_finds_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
