/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The log limiter's rule, with injected time: burst lines per interval,
 * the rest counted, one summary when the interval is over. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "log_ratelimit.h"

/* A flood of 20,000 occurrences in 20 s (the ICRQ flood of issue 12):
 * at most burst + 1 lines per interval, and every one counted. */
static void flood_writes_burst_plus_summary_per_interval(void **state)
{
	struct log_rl rl = LOG_RL_INIT("test", 5, 10000);
	uint64_t written = 0, summaries = 0, suppressed = 0, n, ms;

	(void)state;
	for (uint64_t i = 0; i < 20000; i++) {
		uint64_t now = 1000 + i; /* one per millisecond */

		if (log_rl_take(&rl, now, &n, &ms))
			written++;
		if (n) {
			summaries++;
			suppressed += n;
			assert_int_equal(ms, 10000);
		}
	}
	/* intervals [1000,11000) and [11000,21000): 5 lines each; the
	 * first interval's summary came with the first line of the second */
	assert_int_equal(written, 10);
	assert_int_equal(summaries, 1);
	assert_int_equal(suppressed, 10000 - 5);
	assert_int_equal(rl.total_suppressed, 20000 - 10);
	/* the second interval's summary is due from the timer */
	assert_int_equal(log_rl_deadline(&rl), 21000);
	assert_int_equal(log_rl_roll(&rl, 20999, &ms), 0);
	assert_int_equal(log_rl_roll(&rl, 21000, &ms), 10000 - 5);
	assert_int_equal(ms, 10000);
	assert_int_equal(log_rl_deadline(&rl), UINT64_MAX);
}

static void few_lines_are_all_written_without_summary(void **state)
{
	struct log_rl rl = LOG_RL_INIT("test", 3, 1000);
	uint64_t n, ms;

	(void)state;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 3; i++) {
			assert_true(log_rl_take(&rl, 5000 * (uint64_t)round + i, &n, &ms));
			assert_int_equal(n, 0);
		}
	}
	assert_int_equal(rl.total_suppressed, 0);
	assert_int_equal(log_rl_deadline(&rl), UINT64_MAX);
}

static void quiet_class_starts_a_fresh_interval(void **state)
{
	struct log_rl rl = LOG_RL_INIT("test", 1, 1000);
	uint64_t n, ms;

	(void)state;
	assert_true(log_rl_take(&rl, 0, &n, &ms));
	assert_false(log_rl_take(&rl, 10, &n, &ms));
	assert_false(log_rl_take(&rl, 999, &n, &ms));
	/* a new interval: the summary of the old one, then this line */
	assert_true(log_rl_take(&rl, 1500, &n, &ms));
	assert_int_equal(n, 2);
	assert_int_equal(ms, 1500);
	assert_false(log_rl_take(&rl, 1600, &n, &ms));
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(flood_writes_burst_plus_summary_per_interval),
		cmocka_unit_test(few_lines_are_all_written_without_summary),
		cmocka_unit_test(quiet_class_starts_a_fresh_interval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
