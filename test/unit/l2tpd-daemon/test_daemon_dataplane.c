/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): what the peer is told when the
 * data plane refuses, or cannot do what the call needs (docs/l2tpd.md "A
 * session's life", docs/dataplane.md "Capabilities"). The null plane is told
 * to refuse (struct dp_null_config); the daemon never learns it is the null
 * one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "daemon_harness.h"

/* No data-plane session for the call: it is answered (ICRP) and cleared
 * at once with CDN result 4, temporary lack of resources (RFC 2661 4.4.2),
 * before PPP could cost anything. */
static void session_refused_by_the_data_plane_gets_CDN_result_4(void **state)
{
	struct dh_opts o = { .dp = { .refuse_session = -ENOMEM } };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");

	assert_int_not_equal(c.sid, 0);
	assert_null(c.dp);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 4);
	assert_int_equal(h.srv.counters.refused_dataplane, 1);
	assert_int_equal(h.srv.n_sessions, 0);
	dh_stop(&h);
}

/* A tunnel the data plane refused stays up (its control connection works)
 * and says so in the log; each of its calls is cleared with CDN result 4. */
static void calls_of_a_tunnel_without_data_plane_get_CDN_result_4(void **state)
{
	struct dh_opts o = { .dp = { .refuse_tunnel = -EADDRINUSE,
				     .refuse_tunnel_why = "a tunnel from that address exists" } };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	assert_int_equal(h.srv.n_tunnels, 1);
	assert_null(dp_null_tunnels(h.srv.dp));
	dh_call_request(&h, &c, 7, "alice", "alice-pw");

	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 4);
	assert_null(c.dp);
	dh_stop(&h);
}

/* IPCP opened but the data plane cannot take the addresses: the link
 * would carry nothing, so the call is cleared with CDN result 2 and the
 * session counted nowhere as up. */
static void addresses_refused_by_the_data_plane_clear_the_call_with_CDN_result_2(void **state)
{
	struct dh_opts o = { .dp = { .refuse_set_ip = -EIO } };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");

	assert_true(c.auth_ok);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 2);
	assert_false(c.dp->ip_set);
	assert_true(c.dp->deleted);
	assert_int_equal(h.srv.counters.sessions_up, 0);
	assert_int_equal(h.srv.n_sessions_up, 0);
	dh_stop(&h);
}

/* The LAC's ICCN carries Sequencing Required: data messages MUST carry
 * Ns/Nr (RFC 2661 4.4.6, 5.4). A data plane without DP_CAP_SEQUENCING
 * cannot carry the call: CDN result 2, before PPP starts. */
static void sequencing_required_without_the_capability_gets_CDN_result_2(void **state)
{
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, NULL);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	c.sequencing_required = true;
	dh_call_connect(&c);
	dh_call_start_ppp(&c);
	dh_pump(&h);

	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 2);
	assert_int_equal(c.dp->seq, -1);	/* never asked */
	assert_int_equal(c.dp->sent_count, 0);	/* PPP never started */
	assert_false(c.link_up);
	dh_stop(&h);
}

/* With the capability the daemon turns sequencing on for the session
 * (session_set_seq) and the call comes up. */
static void sequencing_required_with_the_capability_is_turned_on(void **state)
{
	struct dh_opts o = { .dp = { .caps = DP_CAP_SEQUENCING } };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_request(&h, &c, 7, "alice", "alice-pw");
	c.sequencing_required = true;
	dh_call_connect(&c);
	dh_call_start_ppp(&c);
	dh_pump(&h);

	assert_int_equal(c.dp->seq, 1);
	assert_true(c.ipcp_up);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* A profile with a packet filter on a data plane without a device per
 * session (the shared TUN): nftables cannot tell the sessions apart, and a
 * filter that cannot be installed refuses the session, fail closed
 * (docs/l2tpd.md, packet filters): E=649, CDN result 2, at the grant,
 * after the device was made and before any address was set. */
static void filter_without_a_device_per_session_is_refused_with_E649(void **state)
{
	struct dh_opts o = { .profile = "filter_in { default = deny }",
			     .dp = { .defer_netdev = 1 } };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");

	assert_int_equal(c.auth_code, 649);
	assert_false(c.ipcp_up);
	assert_true(c.dp_netdev_at_auth);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 2);
	assert_false(c.dp->ip_set);
	assert_true(c.dp->deleted);
	assert_int_equal(h.srv.counters.refused_filter, 1);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(session_refused_by_the_data_plane_gets_CDN_result_4),
		cmocka_unit_test(calls_of_a_tunnel_without_data_plane_get_CDN_result_4),
		cmocka_unit_test(addresses_refused_by_the_data_plane_clear_the_call_with_CDN_result_2),
		cmocka_unit_test(sequencing_required_without_the_capability_gets_CDN_result_2),
		cmocka_unit_test(sequencing_required_with_the_capability_is_turned_on),
		cmocka_unit_test(filter_without_a_device_per_session_is_refused_with_E649),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
