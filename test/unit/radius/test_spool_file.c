/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting spool on disk (spool_file.h): a real file in a private
 * directory, written by the spool's thread, read back as a restart would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "accounting.h"
#include "spool_file.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/radius-spool-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char p[128];

	(void)state;
	snprintf(p, sizeof(p), "%s/%s", dir, RADIUS_SPOOL_FILE_NAME);
	unlink(p);
	snprintf(p, sizeof(p), "%s/%s.new", dir, RADIUS_SPOOL_FILE_NAME);
	unlink(p);
	return rmdir(dir);
}

static size_t record(uint8_t *buf, uint64_t seq)
{
	static const uint8_t attrs[] = { RADIUS_ACCT_STATUS_TYPE, 6, 0, 0, 0, 1,
					 RADIUS_ACCT_SESSION_ID, 4, 'a', 'b' };
	struct radius_spool_entry e = { .kind = RADIUS_SPOOL_RECORD, .seq = seq,
					.event_time = 1700000000, .attrs = attrs,
					.attrs_len = sizeof(attrs) };

	return radius_spool_encode(buf, RADIUS_SPOOL_MAX_ENTRY, &e);
}

static size_t done(uint8_t *buf, uint64_t seq)
{
	struct radius_spool_entry e = { .kind = RADIUS_SPOOL_DONE, .seq = seq };

	return radius_spool_encode(buf, 64, &e);
}

static void count(void *arg, const struct radius_spool_entry *e)
{
	unsigned *n = arg;

	n[e->kind]++;
}

static void reopen(unsigned *records, unsigned *dones, size_t *len)
{
	struct radius_spool_read_stats st;
	struct radius_spool_file *f;
	unsigned n[3] = { 0 };
	uint8_t *old;
	char err[128];

	f = radius_spool_file_open(dir, 1 << 20, &old, len, err, sizeof(err));
	assert_non_null(f);
	radius_spool_read(old, *len, count, n, &st);
	assert_int_equal(st.refused, 0);
	*records = n[RADIUS_SPOOL_RECORD];
	*dones = n[RADIUS_SPOOL_DONE];
	free(old);
	radius_spool_file_close(f);
}

static void what_was_handed_over_is_on_disk_after_a_restart(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	unsigned r, d;
	char err[128];

	(void)state;
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	assert_int_equal(len, 0);	/* a new spool */
	free(old);
	for (uint64_t s = 1; s <= 10; s++)
		radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, s));
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 3));
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.write_errors, 0);
	assert_true(st.syncs >= 1);
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 10);
	assert_int_equal(d, 1);
}

static void a_rewrite_replaces_the_spool_and_a_reset_empties_it(void **state)
{
	struct radius_spool_file *f;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	unsigned r, d;
	char err[128];

	(void)state;
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 20));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 21));
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 2);
	assert_int_equal(d, 0);

	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_RESET, NULL, 0);
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(len, RADIUS_SPOOL_HEADER_LEN);
	assert_int_equal(r, 0);
}

static void appends_beyond_the_pending_bound_are_counted_not_queued(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len, n = record(buf, 1);
	char err[128];

	(void)state;
	/* a bound smaller than one entry: the disk "never" catches up */
	f = radius_spool_file_open(dir, n - 1, &old, &len, err, sizeof(err));
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, n);
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.dropped, 1);
	radius_spool_file_close(f);
}

static void a_spool_in_use_by_another_writer_is_refused(void **state)
{
	struct radius_spool_file *f;
	uint8_t *old;
	size_t len;
	char err[128];

	(void)state;
	f = radius_spool_file_open(dir, 1024, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	assert_null(radius_spool_file_open(dir, 1024, &old, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "in use by another process"));
	radius_spool_file_close(f);
	/* released with the first */
	f = radius_spool_file_open(dir, 1024, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_close(f);
}

static void a_missing_directory_is_a_clear_error(void **state)
{
	uint8_t *old;
	size_t len;
	char err[128];

	(void)state;
	assert_null(radius_spool_file_open("/nonexistent/spool", 1024, &old, &len, err,
					   sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/spool"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(what_was_handed_over_is_on_disk_after_a_restart,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_rewrite_replaces_the_spool_and_a_reset_empties_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(appends_beyond_the_pending_bound_are_counted_not_queued,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_spool_in_use_by_another_writer_is_refused,
						setup, teardown),
		cmocka_unit_test(a_missing_directory_is_a_clear_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
