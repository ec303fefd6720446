/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting spool on disk (spool_file.h): a real file in a private
 * directory, written by the spool's thread, read back as a restart would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
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

/* A done entry is written at once but synced with the next record (or at
 * close): losing it costs a record sent twice, never one lost. */
static void done_entries_wait_for_the_next_sync(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	unsigned r, d;
	uint64_t syncs;
	char err[128];

	(void)state;
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 1));
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	syncs = st.syncs;
	assert_true(syncs >= 1);
	/* the acknowledgement alone: written, no sync */
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 1));
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.syncs, syncs);
	assert_int_equal(st.write_errors, 0);
	/* the next record is synced, and the done entry with it */
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 2));
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.syncs, syncs + 1);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 2));
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 2);
	assert_int_equal(d, 2);
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

/* A spool with records 1..n, closed: what a previous run left. */
static void leave_records(unsigned n)
{
	struct radius_spool_file *f;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	char err[128];

	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	for (uint64_t s = 1; s <= n; s++)
		radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, s));
	radius_spool_file_close(f);
}

/* Going back to the header alone writes a new file and renames it over
 * the spool: the old file is never cut short in place (a crash in the
 * middle of a truncation must not be the end of the only copy). A reader
 * that opened the spool before still sees all of it. */
static void a_reset_replaces_the_file_instead_of_truncating_it(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	struct stat before, after;
	uint8_t *old;
	size_t len;
	unsigned r, d;
	char err[128], path[128];
	int keep;

	(void)state;
	leave_records(3);
	snprintf(path, sizeof(path), "%s/%s", dir, RADIUS_SPOOL_FILE_NAME);
	keep = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(keep >= 0);
	assert_int_equal(fstat(keep, &before), 0);
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_RESET, NULL, 0);
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.write_errors, 0);
	assert_int_equal(st.resets, 1);
	radius_spool_file_close(f);
	assert_int_equal(fstat(keep, &after), 0);
	assert_int_equal(after.st_size, before.st_size);	/* not truncated */
	close(keep);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino != before.st_ino);		/* replaced */
	reopen(&r, &d, &len);
	assert_int_equal(len, RADIUS_SPOOL_HEADER_LEN);
	assert_int_equal(r, 0);
}

/* A rewrite whose new file cannot be written completely (the disk is
 * full; here RLIMIT_FSIZE makes every write past 20 octets fail with
 * EFBIG) is abandoned: the old spool stays, with every record. It used to
 * be renamed over the spool anyway, losing what it could not hold. */
static void a_rewrite_that_cannot_be_written_keeps_the_old_spool(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	struct rlimit was, small = { .rlim_cur = 20 };
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	unsigned r, d;
	char err[128];

	(void)state;
	leave_records(3);
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &was), 0);
	small.rlim_max = was.rlim_max;
	signal(SIGXFSZ, SIG_IGN);	/* EFBIG instead of the signal */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	for (uint64_t s = 1; s <= 3; s++)
		radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, s));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_flush(f);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &was), 0);
	signal(SIGXFSZ, SIG_DFL);
	radius_spool_file_stats(f, &st);
	assert_true(st.write_errors >= 1);
	assert_int_equal(st.rewrites_abandoned, 1);
	/* and the spool goes on: an acknowledgement lands in the old file */
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 2));
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 3);
	assert_int_equal(d, 1);
}

/* An append refused by the pending bound while a rewrite is being handed
 * over leaves a hole in the new file: the rewrite is abandoned rather than
 * renamed over a spool that holds the record. It used to be committed,
 * and the records vanished. */
static void an_append_refused_inside_a_rewrite_abandons_it(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len, n = record(buf, 1);
	unsigned r, d;
	char err[128];

	(void)state;
	leave_records(3);
	/* a bound smaller than one entry: every append is refused */
	f = radius_spool_file_open(dir, n - 1, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	for (uint64_t s = 1; s <= 3; s++)
		radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, s));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.rewrites_abandoned, 1);
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 3);
	assert_int_equal(d, 0);
}

/* Acknowledgements handed over while the writer is still inside a rewrite
 * go to the new file after the commit: none is lost and no acknowledged
 * record comes back after a restart; a record made meanwhile survives. */
static void acknowledgements_during_a_rewrite_land_in_the_new_spool(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len;
	unsigned r, d;
	char err[128];

	(void)state;
	leave_records(5);
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	/* 1..5 outstanding: the rewrite copies them; 2 and 4 are
	 * acknowledged right behind it, 6 is made */
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	for (uint64_t s = 1; s <= 5; s++)
		radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, s));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 2));
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, done(buf, 4));
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 6));
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.rewrites, 1);
	assert_int_equal(st.rewrites_abandoned, 0);
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 6);		/* 1..5 once each (the copies), and 6 */
	assert_int_equal(d, 2);
}

/* What a crash in the middle of a rewrite or a reset leaves: the spool
 * whole, and a partial accounting.spool.new beside it. The next start reads
 * the spool, every record; the next rewrite starts the new file afresh. */
static void a_crash_inside_a_rewrite_leaves_the_spool_whole(void **state)
{
	struct radius_spool_file *f;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	size_t len, n;
	unsigned r, d;
	char err[128], path[128];
	FILE *partial;

	(void)state;
	leave_records(3);
	snprintf(path, sizeof(path), "%s/%s.new", dir, RADIUS_SPOOL_FILE_NAME);
	partial = fopen(path, "w");
	assert_non_null(partial);
	n = record(buf, 1);
	assert_int_equal(fwrite(RADIUS_SPOOL_HEADER, 1, RADIUS_SPOOL_HEADER_LEN, partial),
			 RADIUS_SPOOL_HEADER_LEN);
	assert_int_equal(fwrite(buf, 1, n / 2, partial), n / 2);	/* cut off */
	fclose(partial);
	reopen(&r, &d, &len);
	assert_int_equal(r, 3);
	f = radius_spool_file_open(dir, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 3));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_close(f);
	reopen(&r, &d, &len);
	assert_int_equal(r, 1);
	assert_int_equal(len, RADIUS_SPOOL_HEADER_LEN + n);
	assert_int_equal(access(path, F_OK), -1);	/* renamed away */
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

/* radius.accounting_spool names the file freely: the rewrite goes to
 * <name>.new beside it and is renamed over it, and nothing else is made
 * in the directory. */
static void a_spool_of_any_name_rewrites_beside_itself(void **state)
{
	struct radius_spool_file *f;
	struct radius_spool_file_stats st;
	struct radius_spool_read_stats rst;
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY], *old;
	unsigned n[3] = { 0 };
	char path[128], other[128], err[128];
	struct stat sb;
	size_t len;

	(void)state;
	snprintf(path, sizeof(path), "%s/acct.db", dir);
	f = radius_spool_file_open_path(path, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	free(old);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 1));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	radius_spool_file_op(f, RADIUS_SPOOL_APPEND, buf, record(buf, 2));
	radius_spool_file_op(f, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
	radius_spool_file_flush(f);
	radius_spool_file_stats(f, &st);
	assert_int_equal(st.rewrites, 1);
	assert_int_equal(st.write_errors, 0);
	radius_spool_file_close(f);
	/* the rewrite's file was acct.db.new, renamed over acct.db */
	snprintf(other, sizeof(other), "%s/acct.db.new", dir);
	assert_int_not_equal(stat(other, &sb), 0);
	snprintf(other, sizeof(other), "%s/%s", dir, RADIUS_SPOOL_FILE_NAME);
	assert_int_not_equal(stat(other, &sb), 0);
	f = radius_spool_file_open_path(path, 1 << 20, &old, &len, err, sizeof(err));
	assert_non_null(f);
	radius_spool_read(old, len, count, n, &rst);
	assert_int_equal(rst.refused, 0);
	assert_int_equal(n[RADIUS_SPOOL_RECORD], 1);	/* the rewrite's: record 2 */
	free(old);
	radius_spool_file_close(f);
	unlink(path);
}

/* A name of the administrator's may be a typo naming another file: one
 * that is not a spool is refused and left as it was, never rewritten to
 * a spool header; nor is anything but a regular file taken. */
static void a_file_that_is_not_a_spool_is_refused_and_left_alone(void **state)
{
	static const char text[] = "root:x:0:0:root:/root:/bin/bash\n";
	uint8_t *old;
	size_t len;
	char path[128], err[256], back[64] = { 0 };
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/passwd", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_null(radius_spool_file_open_path(path, 1024, &old, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "not an accounting spool"));
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fread(back, 1, sizeof(back) - 1, f), strlen(text));
	fclose(f);
	assert_string_equal(back, text);
	unlink(path);
	/* a header cut short at creation is ours: completed */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("L2RA", f);
	fclose(f);
	{
		struct radius_spool_file *sf = radius_spool_file_open_path(path, 1024, &old, &len,
									    err, sizeof(err));

		assert_non_null(sf);
		free(old);
		radius_spool_file_close(sf);
	}
	unlink(path);
	/* a directory of that name is no spool either */
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(radius_spool_file_open_path(path, 1024, &old, &len, err, sizeof(err)));
	rmdir(path);
}

/* The path must be a file name in a directory. */
static void a_spool_path_without_a_file_name_is_refused(void **state)
{
	uint8_t *old;
	size_t len;
	char path[128], err[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/", dir);
	assert_null(radius_spool_file_open_path(path, 1024, &old, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "not a file name"));
	assert_null(radius_spool_file_open_path("relative.spool", 1024, &old, &len, err,
						sizeof(err)));
	assert_non_null(strstr(err, "not a file name"));
	snprintf(path, sizeof(path), "%s/..", dir);
	assert_null(radius_spool_file_open_path(path, 1024, &old, &len, err, sizeof(err)));
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
		cmocka_unit_test_setup_teardown(done_entries_wait_for_the_next_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(a_rewrite_replaces_the_spool_and_a_reset_empties_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(appends_beyond_the_pending_bound_are_counted_not_queued,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_spool_in_use_by_another_writer_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_reset_replaces_the_file_instead_of_truncating_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_rewrite_that_cannot_be_written_keeps_the_old_spool,
						setup, teardown),
		cmocka_unit_test_setup_teardown(an_append_refused_inside_a_rewrite_abandons_it,
						setup, teardown),
		cmocka_unit_test_setup_teardown(acknowledgements_during_a_rewrite_land_in_the_new_spool,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_crash_inside_a_rewrite_leaves_the_spool_whole,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_spool_of_any_name_rewrites_beside_itself, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_spool_path_without_a_file_name_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(a_file_that_is_not_a_spool_is_refused_and_left_alone,
						setup, teardown),
		cmocka_unit_test(a_missing_directory_is_a_clear_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
