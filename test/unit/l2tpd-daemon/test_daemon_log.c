/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): what a client sends reaches the
 * log sanitized (lib/text.h, SAFE_STR; docs/security.md "What the server
 * guarantees"). A user name with a newline would otherwise write a second,
 * forged log line; with a quote it would close the '...' around it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon_harness.h"

/* The daemon logs to stderr (log.c): the test reads it from a file. */
struct capture {
	FILE *file;
	int saved;
};

static void capture_start(struct capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

/* Stop and return what was written (caller frees). */
static char *capture_end(struct capture *c)
{
	long n;
	char *text;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	n = ftell(c->file);
	assert_true(n >= 0);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	rewind(c->file);
	assert_int_equal(fread(text, 1, (size_t)n, c->file), (size_t)n);
	fclose(c->file);
	return text;
}

static void user_name_with_a_newline_and_a_quote_is_logged_escaped(void **state)
{
	static const char evil[] = "eve'\n12:00:00.000 l2tpd notice: forged";
	struct capture cap;
	struct dh h;
	struct dh_call c;
	char *log;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	capture_start(&cap);
	dh_call_open(&h, &c, 7, evil, "whatever");
	log = capture_end(&cap);

	assert_int_equal(c.auth_code, 691);	/* no such user */
	/* the refusal names the user, escaped: one line, the quote too */
	if (!strstr(log, "user 'eve\\x27\\x0a12:00:00.000 l2tpd notice: forged' from "))
		fail_msg("no escaped user name in:\n%s", log);
	/* and no line of the log is the forged one */
	for (const char *line = log; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		assert_false(strncmp(line, "12:00:00.000 l2tpd notice: forged", 33) == 0);
	}
	free(log);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(user_name_with_a_newline_and_a_quote_is_logged_escaped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
