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

static void user_name_with_a_newline_and_a_quote_is_logged_escaped(void **state)
{
	static const char evil[] = "eve'\n12:00:00.000 l2tpd notice: forged";
	struct dh_log_capture cap;
	struct dh h;
	struct dh_call c;
	char *log;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_log_capture_start(&cap);
	dh_call_open(&h, &c, 7, evil, "whatever");
	log = dh_log_capture_end(&cap);

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
