/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The descriptor budget's arithmetic (fdbudget.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fdbudget.h"

/* What each data plane reports in its dp_caps (fds_per_tunnel,
 * fds_per_session, fds_session_early, fds_fixed); test/unit/dataplane
 * checks the backends. */
#define KERNEL 1, 3, 1, 0
#define USER_PER_SESSION 0, 1, 0, 0
#define USER_SHARED 0, 0, 0, 1

static void kernel_path_costs_a_socket_per_tunnel_and_three_per_session(void **state)
{
	struct fdbudget b;

	fdbudget_init(&b, KERNEL, 2, 32);
	assert_int_equal(b.fixed, FDBUDGET_BASE + 2 + 32);
	/* 100 tunnels, 1000 sessions */
	assert_int_equal(fdbudget_need(&b, 100, 1000), FDBUDGET_BASE + 34 + 100 + 3000);
}

static void userspace_costs_one_tun_per_session_or_none_when_shared(void **state)
{
	struct fdbudget b;

	fdbudget_init(&b, USER_PER_SESSION, 1, 32);
	assert_int_equal(fdbudget_need(&b, 1000, 500), FDBUDGET_BASE + 33 + 500);
	fdbudget_init(&b, USER_SHARED, 1, 32);
	assert_int_equal(fdbudget_need(&b, 1000, 100000), FDBUDGET_BASE + 33 + 1);
}

static void room_stops_at_the_limit(void **state)
{
	struct fdbudget b;

	fdbudget_init(&b, KERNEL, 1, 0);
	b.limit = fdbudget_need(&b, 10, 5);
	assert_true(fdbudget_room(&b, 10, 4 * 3, 3));	/* the 5th fits exactly */
	assert_false(fdbudget_room(&b, 10, 5 * 3, 1));	/* not one more */
	assert_false(fdbudget_room(&b, 11, 4 * 3, 3));	/* nor the 5th with one tunnel more */
	fdbudget_init(&b, USER_SHARED, 1, 0);
	b.limit = b.fixed;
	assert_true(fdbudget_room(&b, 0, 0, 0));
}

/* Kernel: the PPPoL2TP socket at the ICRQ, the /dev/ppp channel and unit
 * at the grant; userspace: nothing before the grant, the TUN at it. A
 * backend without session_netdev takes everything at the ICRQ. */
static void sessions_take_the_early_part_at_create_and_the_rest_at_the_grant(void **state)
{
	struct fdbudget b;

	fdbudget_init(&b, KERNEL, 1, 0);
	assert_int_equal(fdbudget_at_create(&b, true), 1);
	assert_int_equal(fdbudget_at_grant(&b, 1), 2);
	assert_int_equal(fdbudget_at_grant(&b, 3), 0);	/* granted already */
	assert_int_equal(fdbudget_at_create(&b, false), 3);
	assert_int_equal(fdbudget_at_grant(&b, 3), 0);
	fdbudget_init(&b, USER_PER_SESSION, 1, 0);
	assert_int_equal(fdbudget_at_create(&b, true), 0);
	assert_int_equal(fdbudget_at_grant(&b, 0), 1);
	fdbudget_init(&b, USER_SHARED, 1, 0);
	assert_int_equal(fdbudget_at_create(&b, true), 0);
	assert_int_equal(fdbudget_at_grant(&b, 0), 0);
	/* a backend claiming more early than in all is held to its total */
	fdbudget_init(&b, 0, 2, 5, 0, 1, 0);
	assert_int_equal(fdbudget_at_create(&b, true), 2);
	assert_int_equal(fdbudget_at_grant(&b, 2), 0);
}

/* Unauthenticated sessions hold only their early part: with the table
 * sized for N full sessions, N sessions waiting at authentication leave
 * room for each of them to be granted. */
static void unauthenticated_sessions_never_take_the_room_of_a_grant(void **state)
{
	struct fdbudget b;
	uint64_t held = 0;
	int i;

	fdbudget_init(&b, KERNEL, 1, 0);
	b.limit = fdbudget_need(&b, 1, 4);
	for (i = 0; i < 4; i++) {
		assert_true(fdbudget_room(&b, 1, held, fdbudget_at_create(&b, true)));
		held += fdbudget_at_create(&b, true);
	}
	for (i = 0; i < 4; i++) {
		assert_true(fdbudget_room(&b, 1, held, fdbudget_at_grant(&b, 1)));
		held += fdbudget_at_grant(&b, 1);
	}
	assert_int_equal(held, 12);
	assert_false(fdbudget_room(&b, 1, held, fdbudget_at_create(&b, true)));
}

static void soft_limit_is_raised_to_the_hard_one_only_when_short(void **state)
{
	assert_int_equal(fdbudget_soft_target(500, 1024, 524288), 1024);
	assert_int_equal(fdbudget_soft_target(5000, 1024, 524288), 524288);
	/* short even at the hard limit: the hard limit, the caller refuses */
	assert_int_equal(fdbudget_soft_target(600000, 1024, 524288), 524288);
	assert_int_equal(fdbudget_soft_target(5000, 1024, 1024), 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(kernel_path_costs_a_socket_per_tunnel_and_three_per_session),
		cmocka_unit_test(userspace_costs_one_tun_per_session_or_none_when_shared),
		cmocka_unit_test(room_stops_at_the_limit),
		cmocka_unit_test(sessions_take_the_early_part_at_create_and_the_rest_at_the_grant),
		cmocka_unit_test(unauthenticated_sessions_never_take_the_room_of_a_grant),
		cmocka_unit_test(soft_limit_is_raised_to_the_hard_one_only_when_short),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
