/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The control socket's request parser (l2tpd/daemon/ctl_request.h): every
 * request, and an answer (never a wait) for every malformed one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ctl_request.h"

static struct ctl_request req;

static enum ctl_parse parse(const char *s)
{
	return ctl_request_parse(s, strlen(s), &req);
}

static void each_request_is_recognised(void **state)
{
	assert_int_equal(parse("status\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_STATUS);
	assert_false(req.json);
	assert_int_equal(parse("json sessions\r\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_SESSIONS);
	assert_true(req.json);
	assert_int_equal(parse("  tunnels \t\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_TUNNELS);
	assert_int_equal(parse("reload\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_RELOAD);
	assert_int_equal(parse("pools\n"), CTL_PARSE_OK);	/* policy test --leased daemon */
	assert_int_equal(req.cmd, CTL_CMD_POOLS);
	assert_int_equal(parse("pools office\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("json radius\n"), CTL_PARSE_OK);	/* l2tpctl --json radius */
	assert_int_equal(req.cmd, CTL_CMD_RADIUS);
	assert_true(req.json);
	assert_int_equal(parse("radius rad1\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("disconnect user alice\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_DISCONNECT_USER);
	assert_string_equal(req.user, "alice");
	assert_int_equal(parse("disconnect session 1234/65535\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_DISCONNECT_SESSION);
	assert_int_equal(req.tunnel_id, 1234);
	assert_int_equal(req.session_id, 65535);
}

static void without_a_newline_it_waits_for_more(void **state)
{
	assert_int_equal(parse(""), CTL_PARSE_MORE);
	assert_int_equal(parse("stat"), CTL_PARSE_MORE);
}

static void a_nul_byte_before_the_newline_is_answered(void **state)
{
	/* it used to hang: the line was searched for "\n" with strchr */
	assert_int_equal(ctl_request_parse("status\0\n", 8, &req), CTL_PARSE_ERROR);
	assert_string_equal(req.error, "request contains a NUL byte");
	/* even before the newline has arrived */
	assert_int_equal(ctl_request_parse("st\0", 3, &req), CTL_PARSE_ERROR);
	/* a NUL after the newline is not part of the request */
	assert_int_equal(ctl_request_parse("status\n\0", 8, &req), CTL_PARSE_OK);
}

static void a_request_too_long_is_answered(void **state)
{
	char buf[CTL_MAX_REQUEST + 1];

	memset(buf, 'a', sizeof(buf));
	assert_int_equal(ctl_request_parse(buf, CTL_MAX_REQUEST - 1, &req), CTL_PARSE_MORE);
	assert_int_equal(ctl_request_parse(buf, CTL_MAX_REQUEST, &req), CTL_PARSE_ERROR);
	assert_string_equal(req.error, "request too long");
	buf[CTL_MAX_REQUEST] = '\n';
	assert_int_equal(ctl_request_parse(buf, sizeof(buf), &req), CTL_PARSE_ERROR);
}

static void malformed_requests_have_a_reason(void **state)
{
	assert_int_equal(parse("\n"), CTL_PARSE_ERROR);
	assert_string_equal(req.error, "empty request");
	assert_int_equal(parse("json\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("status now\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("disconnect user\n"), CTL_PARSE_ERROR);
	/* json, a command and every selector once fit (16 words); more do not */
	assert_int_equal(parse("a b c d e f g h i j k l m n o p q\n"), CTL_PARSE_ERROR);
	assert_string_equal(req.error, "too many words");
	assert_int_equal(parse("disconnect alice\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("drain maybe\n"), CTL_PARSE_ERROR);
	static const char *const bad_ids[] = { "1234", "1234/", "/5", "70000/1", "1/70000",
					       "1/2/3", "-1/2", "1x/2", "000001/2", "" };
	char line[64];
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		snprintf(line, sizeof(line), "disconnect session %s\n", bad_ids[i]);
		assert_int_equal(parse(line), CTL_PARSE_ERROR);
	}
}

static void selector_requests_keep_their_words(void **state)
{
	assert_int_equal(parse("json sessions user=alice sort=uptime\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_SESSIONS);
	assert_true(req.json);
	assert_int_equal(req.n_args, 2);
	assert_string_equal(req.args[0], "user=alice");
	assert_string_equal(req.args[1], "sort=uptime");
	assert_int_equal(parse("disconnect address=198.51.100.10 interface=l2tp1-2\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_DISCONNECT);
	assert_int_equal(req.n_args, 2);
	assert_int_equal(parse("disconnect all\n"), CTL_PARSE_OK);
	assert_int_equal(parse("drain on\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_DRAIN);
	assert_true(req.drain_on);
}

/* trace on|off with the selectors of disconnect (trace.h) */
static void trace_takes_on_or_off_and_selectors(void **state)
{
	assert_int_equal(parse("trace on session=1234/5678\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_TRACE);
	assert_true(req.trace_on);
	assert_int_equal(req.n_args, 1);
	assert_string_equal(req.args[0], "session=1234/5678");
	assert_int_equal(parse("json trace off user=alice address=198.51.100.10\n"), CTL_PARSE_OK);
	assert_int_equal(req.cmd, CTL_CMD_TRACE);
	assert_false(req.trace_on);
	assert_int_equal(req.n_args, 2);
	assert_string_equal(req.args[1], "address=198.51.100.10");
	assert_int_equal(parse("trace off all\n"), CTL_PARSE_OK);
	assert_int_equal(req.n_args, 1);
	/* no selector, no on/off, a word that is no selector */
	assert_int_equal(parse("trace on\n"), CTL_PARSE_ERROR);
	assert_non_null(strstr(req.error, "on|off"));
	assert_int_equal(parse("trace maybe user=alice\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("trace user=alice on\n"), CTL_PARSE_ERROR);
	assert_int_equal(parse("trace on alice\n"), CTL_PARSE_ERROR);
	assert_non_null(strstr(req.error, "KEY=VALUE"));
}

static void an_unknown_word_is_echoed_escaped(void **state)
{
	assert_int_equal(parse("st\x1b[2Jatus'\xff\n"), CTL_PARSE_ERROR);
	assert_non_null(strstr(req.error, "'st\\x1b[2Jatus\\x27\\xff'"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_request_is_recognised),
		cmocka_unit_test(without_a_newline_it_waits_for_more),
		cmocka_unit_test(a_nul_byte_before_the_newline_is_answered),
		cmocka_unit_test(a_request_too_long_is_answered),
		cmocka_unit_test(malformed_requests_have_a_reason),
		cmocka_unit_test(selector_requests_keep_their_words),
		cmocka_unit_test(an_unknown_word_is_echoed_escaped),
		cmocka_unit_test(trace_takes_on_or_off_and_selectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
