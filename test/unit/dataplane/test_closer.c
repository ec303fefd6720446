/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The closer (l2tpd/dataplane/closer.h): fds handed over are closed on its
 * thread, every one of them, also when it is freed with work queued.
 * Pipes stand in for TUN fds: closing the write end gives the read end EOF.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "closer.h"

#define N 1000

static int rd[N];

static void make_pipes(int *wr, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int p[2];

		assert_int_equal(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
		rd[i] = p[0];
		wr[i] = p[1];
	}
}

/* Every write end is closed: each read end reads EOF (0), not EAGAIN. */
static void assert_all_closed(unsigned n)
{
	char c;

	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(read(rd[i], &c, 1), 0);
		close(rd[i]);
	}
}

static void handed_over_fds_are_closed_by_flush_time(void **state)
{
	struct dp_closer *c;
	struct dp_closer_stats st;
	int wr[100];

	assert_int_equal(dp_closer_new(&c), 0);
	make_pipes(wr, 100);
	for (unsigned i = 0; i < 100; i++)
		dp_closer_close(c, wr[i]);
	dp_closer_flush(c);
	assert_all_closed(100);
	dp_closer_get_stats(c, &st);
	assert_int_equal(st.queued, 100);
	assert_int_equal(st.closed, 100);
	assert_int_equal(st.inline_closed, 0);
	assert_int_equal(st.pending, 0);
	dp_closer_free(c);
}

static void a_queue_longer_than_its_first_allocation_loses_nothing(void **state)
{
	static int wr[N];
	struct dp_closer *c;
	struct dp_closer_stats st;

	assert_int_equal(dp_closer_new(&c), 0);
	make_pipes(wr, N);
	for (unsigned i = 0; i < N; i++)
		dp_closer_close(c, wr[i]);
	dp_closer_flush(c);
	dp_closer_get_stats(c, &st);
	assert_int_equal(st.closed, N);
	assert_true(st.max_pending >= 1);
	assert_all_closed(N);
	dp_closer_free(c);
}

static void free_closes_what_is_still_queued(void **state)
{
	static int wr[N];
	struct dp_closer *c;

	assert_int_equal(dp_closer_new(&c), 0);
	make_pipes(wr, N);
	for (unsigned i = 0; i < N; i++)
		dp_closer_close(c, wr[i]);
	dp_closer_free(c);	/* no flush: free must drain */
	assert_all_closed(N);
}

static void without_a_closer_the_fd_is_closed_inline(void **state)
{
	int wr[1];

	make_pipes(wr, 1);
	dp_closer_close(NULL, wr[0]);
	assert_all_closed(1);
}

static void negative_fds_are_ignored(void **state)
{
	struct dp_closer *c;
	struct dp_closer_stats st;

	assert_int_equal(dp_closer_new(&c), 0);
	dp_closer_close(c, -1);
	dp_closer_flush(c);
	dp_closer_get_stats(c, &st);
	assert_int_equal(st.queued, 0);
	assert_int_equal(st.inline_closed, 0);
	dp_closer_free(c);
}

static void an_idle_closer_flushes_and_frees_at_once(void **state)
{
	struct dp_closer *c;

	assert_int_equal(dp_closer_new(&c), 0);
	dp_closer_flush(c);	/* no thread yet: returns */
	dp_closer_free(c);
	dp_closer_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handed_over_fds_are_closed_by_flush_time),
		cmocka_unit_test(a_queue_longer_than_its_first_allocation_loses_nothing),
		cmocka_unit_test(free_closes_what_is_still_queued),
		cmocka_unit_test(without_a_closer_the_fd_is_closed_inline),
		cmocka_unit_test(negative_fds_are_ignored),
		cmocka_unit_test(an_idle_closer_flushes_and_frees_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
