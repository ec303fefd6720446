/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The failed-login back-off (auththrottle.c), with injected time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "auththrottle.h"

static const uint8_t peer_a[4] = { 192, 0, 2, 10 };
static const uint8_t peer_b[4] = { 198, 51, 100, 20 };

static struct auththrottle t;

static int setup(void **state)
{
	/* 3 per (user, peer), 10 per peer, 2 s doubling up to 16 s */
	return auththrottle_init(&t, 0x1234, 3, 10, 2000, 16000);
}

static int teardown(void **state)
{
	auththrottle_free(&t);
	return 0;
}

static void fail_n(const char *user, const uint8_t *peer, unsigned n, uint64_t now)
{
	for (unsigned i = 0; i < n; i++)
		auththrottle_fail(&t, user, peer, 4, now, NULL);
}

static void backoff_doubles_up_to_the_maximum(void **state)
{
	assert_int_equal(auththrottle_backoff(2, 3, 2000, 16000), 0);
	assert_int_equal(auththrottle_backoff(3, 3, 2000, 16000), 2000);
	assert_int_equal(auththrottle_backoff(4, 3, 2000, 16000), 4000);
	assert_int_equal(auththrottle_backoff(6, 3, 2000, 16000), 16000);
	assert_int_equal(auththrottle_backoff(4000000000u, 3, 2000, 16000), 16000);
	assert_int_equal(auththrottle_backoff(100, 0, 2000, 16000), 0);	/* off */
}

static void pair_is_throttled_after_the_limit(void **state)
{
	struct auththrottle_result r;

	fail_n("alice", peer_a, 2, 1000);
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1000).verdict, AUTHTHROTTLE_ALLOW);
	assert_int_equal(auththrottle_fail(&t, "alice", peer_a, 4, 1000, NULL), 2000);
	r = auththrottle_check(&t, "alice", peer_a, 4, 1500);
	assert_int_equal(r.verdict, AUTHTHROTTLE_PAIR);
	assert_int_equal(r.remaining_ms, 1500);
	assert_true(r.first);
	/* logged once per back-off */
	assert_false(auththrottle_check(&t, "alice", peer_a, 4, 1600).first);
	/* case-insensitive, like user lookup */
	assert_int_equal(auththrottle_check(&t, "ALICE", peer_a, 4, 1600).verdict, AUTHTHROTTLE_PAIR);
	/* over: allowed again; the next failure doubles */
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 3000).verdict, AUTHTHROTTLE_ALLOW);
	assert_int_equal(auththrottle_fail(&t, "alice", peer_a, 4, 3000, NULL), 4000);
	r = auththrottle_check(&t, "alice", peer_a, 4, 3001);
	assert_true(r.first);
}

static void other_peer_is_not_locked_out(void **state)
{
	fail_n("alice", peer_a, 5, 1000);
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1001).verdict, AUTHTHROTTLE_PAIR);
	assert_int_equal(auththrottle_check(&t, "alice", peer_b, 4, 1001).verdict, AUTHTHROTTLE_ALLOW);
	assert_int_equal(auththrottle_check(&t, "bob", peer_a, 4, 1001).verdict, AUTHTHROTTLE_ALLOW);
}

static void spraying_hits_the_peer_budget(void **state)
{
	char user[16];
	bool peer_blocked = false;
	uint64_t d = 0;

	for (unsigned i = 0; i < 10; i++) {
		snprintf(user, sizeof(user), "user%u", i);
		d = auththrottle_fail(&t, user, peer_a, 4, 1000, &peer_blocked);
	}
	assert_int_equal(d, 2000);
	assert_true(peer_blocked);
	assert_int_equal(auththrottle_check(&t, "newuser", peer_a, 4, 1001).verdict,
			 AUTHTHROTTLE_PEER);
	assert_int_equal(auththrottle_check(&t, "newuser", peer_b, 4, 1001).verdict,
			 AUTHTHROTTLE_ALLOW);
}

static void success_clears_the_pair_only(void **state)
{
	fail_n("alice", peer_a, 2, 1000);
	auththrottle_success(&t, "alice", peer_a, 4);
	fail_n("alice", peer_a, 2, 1000);
	/* 2 after the success: under the limit of 3 */
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1000).verdict, AUTHTHROTTLE_ALLOW);
	/* the peer budget kept all 4 */
	fail_n("x", peer_a, 5, 1000);
	assert_int_equal(auththrottle_check(&t, "bob", peer_a, 4, 1000).verdict, AUTHTHROTTLE_ALLOW);
	fail_n("y", peer_a, 1, 1000);
	assert_int_equal(auththrottle_check(&t, "bob", peer_a, 4, 1000).verdict, AUTHTHROTTLE_PEER);
}

static void failures_are_forgotten(void **state)
{
	fail_n("alice", peer_a, 2, 1000);
	/* forget_ms is at least 10 minutes */
	fail_n("alice", peer_a, 1, 1000 + 600000);
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1000 + 600001).verdict,
			 AUTHTHROTTLE_ALLOW);
}

static void memory_is_bounded(void **state)
{
	char user[24];

	/* Far more keys than slots: every set replaces its least recently
	 * failed entry, nothing grows, the newest keys are all kept. */
	for (uint64_t i = 0; i < 4 * AUTHTHROTTLE_SLOTS; i++) {
		snprintf(user, sizeof(user), "u%llu", (unsigned long long)i);
		fail_n(user, peer_b, 1, 1000 + i);
	}
	fail_n("alice", peer_a, 3, 1000000);
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1000001).verdict,
			 AUTHTHROTTLE_PAIR);
	unsigned used = 0;
	for (unsigned i = 0; i < AUTHTHROTTLE_SLOTS; i++)
		used += t.slots[i].key != 0;
	assert_true(used <= AUTHTHROTTLE_SLOTS);
}

static void limits_of_zero_turn_it_off(void **state)
{
	auththrottle_configure(&t, 0, 0, 2000, 16000);
	fail_n("alice", peer_a, 50, 1000);
	assert_int_equal(auththrottle_check(&t, "alice", peer_a, 4, 1001).verdict, AUTHTHROTTLE_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(backoff_doubles_up_to_the_maximum),
		cmocka_unit_test_setup_teardown(pair_is_throttled_after_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(other_peer_is_not_locked_out, setup, teardown),
		cmocka_unit_test_setup_teardown(spraying_hits_the_peer_budget, setup, teardown),
		cmocka_unit_test_setup_teardown(success_clears_the_pair_only, setup, teardown),
		cmocka_unit_test_setup_teardown(failures_are_forgotten, setup, teardown),
		cmocka_unit_test_setup_teardown(memory_is_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(limits_of_zero_turn_it_off, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
