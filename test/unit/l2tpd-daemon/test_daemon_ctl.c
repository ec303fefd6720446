/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): what l2tpctl is told about the
 * sessions, through the control socket's request path (ctl.c;
 * docs/operations.md, "l2tpctl").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_harness.h"

static void assert_contains(const char *text, const char *part)
{
	if (!text || !strstr(text, part))
		fail_msg("'%s' not in:\n%s", part, text ? text : "(no reply)");
}

/* `json sessions`: the session's user, the address the pool gave, its
 * state and its uptime on the daemon's clock. */
static void sessions_lists_user_address_state_and_uptime(void **state)
{
	struct dh h;
	struct dh_call c;
	char *reply, ids[64];

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	dh_advance(&h, 90000);

	reply = dh_ctl(&h, "json sessions");
	assert_true(strncmp(reply, "ok\n[{", 5) == 0);
	snprintf(ids, sizeof(ids), "\"tunnel\":%u,\"session\":%u,", h.ctx_tid, c.sid);
	assert_contains(reply, ids);
	assert_contains(reply, "\"user\":\"alice\"");
	assert_contains(reply, "\"peer\":\"203.0.113.2:1701\"");
	assert_contains(reply, "\"address\":\"198.51.100.10\"");
	assert_contains(reply, "\"state\":\"up\"");
	assert_contains(reply, "\"uptime\":90,");
	assert_contains(reply, "\"policy\":\"everyone\"");
	free(reply);
	dh_stop(&h);
}

/* `status`: ports in use of limits.max_sessions, sessions and those up,
 * refusals counted. */
static void status_counts_ports_sessions_and_refusals(void **state)
{
	struct dh h;
	struct dh_call c[2];
	char *reply;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "alice-pw");
	dh_call_open(&h, &c[1], 8, "bob", "bob-pw");	/* dial-in deny */

	reply = dh_ctl(&h, "status");
	assert_contains(reply, "ports:     1 in use of 128\n");
	assert_contains(reply, "tunnels:   1\n");
	assert_contains(reply, "sessions:  1 (1 up)\n");
	assert_contains(reply, "dataplane: null\n");
	assert_contains(reply, "refused:   1 sessions, 1 failed logins\n");
	free(reply);
	dh_stop(&h);
}

/* `disconnect address=A` (select.c): the session holding that address is
 * cleared with CDN result 3, the other stays. */
static void disconnect_by_address_selects_only_that_session(void **state)
{
	struct dh h;
	struct dh_call c[2];
	char *reply;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c[0], 7, "alice", "alice-pw");
	dh_call_open(&h, &c[1], 8, "alice", "alice-pw");
	assert_true(c[0].ipcp_up && c[1].ipcp_up);

	reply = dh_ctl(&h, "disconnect address=198.51.100.11");
	assert_string_equal(reply, "ok\n1 session(s) disconnected\n");
	free(reply);
	const struct dh_pkt *cdn = dh_cdn(&h, &c[1], 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_null(dh_cdn(&h, &c[0], 0));
	assert_false(c[0].dp->deleted);

	reply = dh_ctl(&h, "disconnect address=198.51.100.11");
	assert_string_equal(reply, "error: no session matches\n");
	free(reply);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sessions_lists_user_address_state_and_uptime),
		cmocka_unit_test(status_counts_ports_sessions_and_refusals),
		cmocka_unit_test(disconnect_by_address_selects_only_that_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
