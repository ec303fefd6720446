/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h) with RADIUS accounting on: when
 * a session's Start goes (docs/radius.md "Accounting in the daemon", the
 * rule acct_start_due). The RADIUS server is a documentation address
 * nobody answers: the records are counted by the accounting engine
 * (made), which is all these tests need; the spool is a file of a free
 * name in the test's own directory. Time is the harness's: the 30 s an
 * IPCP takes to give up pass in dh_advance, not on the clock.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "accounting.h"
#include "acct.h"
#include "daemon_harness.h"

/* the spool's directory: the tweak gets only the configuration */
static char spool_dir[64];
static char spool_path[96];

static void accounting_on(struct l2tpd_config *cfg)
{
	struct radius_conf *r = &cfg->radius;
	struct sockaddr_in *a = (struct sockaddr_in *)&r->servers[0].addr;

	r->n_servers = 1;
	snprintf(r->servers[0].name, sizeof(r->servers[0].name), "rad1");
	a->sin_family = AF_INET;
	inet_pton(AF_INET, "192.0.2.10", &a->sin_addr);
	r->servers[0].auth_port = 1812;
	r->servers[0].acct_port = 1813;
	snprintf(r->servers[0].secret, sizeof(r->servers[0].secret), "acct-test");
	r->accounting = true;
	r->interim_interval = 60;
	snprintf(r->accounting_spool, sizeof(r->accounting_spool), "%s", spool_path);
}

static int setup(void **state)
{
	(void)state;
	snprintf(spool_dir, sizeof(spool_dir), "/tmp/l2tpd-acct-XXXXXX");
	if (!mkdtemp(spool_dir))
		return -1;
	snprintf(spool_path, sizeof(spool_path), "%s/acct.db", spool_dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(spool_path);
	return rmdir(spool_dir);
}

static uint64_t made(struct dh *h)
{
	return radius_acct_stats(acct_engine(&h->srv))->made;
}

/* The daemon grants IPv6 (a pool with a prefix); the client runs IPV6CP,
 * and IPCP as `ipcp` says: 0 normally, 1 refused (Protocol-Reject), 2
 * never heard (the daemon's IPCP times out). */
static void start(struct dh *h, struct dh_call *c, int ipcp)
{
	struct dh_opts o = {
		.pool = "198.51.100.10-198.51.100.11\n        ipv6 = 2001:db8:1::/48",
		.profile = "ipv6 = yes",
		.tweak = accounting_on,
	};

	dh_start(h, &o);
	h->pcfg.client_ipv6cp = true;
	dh_tunnel_open(h);
	dh_call_request(h, c, 7, "alice", "alice-pw");
	dh_call_connect(c);
	dh_call_start_ppp(c);
	if (ipcp) {
		/* IPv4 off: the client runs no IPCP (its NCPs open with the
		 * network phase, after this) */
		c->ppp.profile.ipcp = false;
		if (ipcp == 2)
			c->deaf_to = 0x8021;	/* nor rejects the daemon's */
	}
	dh_pump(h);
}

/* A dual-stack client: one Start, at IPCP up, and the Stop. */
static void a_dual_stack_session_has_one_start_at_ipcp_up(void **state)
{
	struct dh h;
	struct dh_call c;
	struct session *s;
	char *reply;

	(void)state;
	start(&h, &c, 0);
	assert_true(c.ipcp_up);
	s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->state, SESSION_UP);
	assert_int_equal(made(&h), 2);		/* Accounting-On, Start */
	reply = dh_ctl(&h, "disconnect user alice");
	free(reply);
	dh_advance(&h, 5000);
	assert_null(dh_session(&h, &c));
	assert_int_equal(made(&h), 3);		/* the Stop */
	dh_stop(&h);
}

/* The client Protocol-Rejects IPCP (RFC 1661 5.7): IPCP Stopped, IPV6CP
 * open: the Start goes at IPV6CP up, and the Stop follows. */
static void a_client_refusing_ipcp_has_its_start_at_ipv6cp_up(void **state)
{
	struct dh h;
	struct dh_call c;
	struct session *s;
	char *reply;

	(void)state;
	start(&h, &c, 1);
	assert_false(c.ipcp_up);
	s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->ppp.ipv6cp.state, PPP_FSM_OPENED);
	assert_int_equal(s->ppp.ipcp.state, PPP_FSM_STOPPED);
	assert_int_equal(made(&h), 2);		/* Accounting-On, Start */
	/* its Interim-Updates count from the Start (the session is never
	 * "up" in the IPv4 sense: no up_ms to count from) */
	dh_advance(&h, 59000);
	assert_int_equal(made(&h), 2);
	dh_advance(&h, 2000);
	assert_int_equal(made(&h), 3);		/* the Interim-Update at 60 s */
	reply = dh_ctl(&h, "disconnect user alice");
	free(reply);
	dh_advance(&h, 5000);
	assert_null(dh_session(&h, &c));
	assert_int_equal(made(&h), 4);		/* its Stop */
	dh_stop(&h);
}

/* The client never answers IPCP: IPV6CP opens at once, but IPCP still
 * has its chance (a dual-stack client could be slow): no Start until the
 * daemon's IPCP gives up (max-configure Configure-Requests, RFC 1661 4.6:
 * 10 x 3 s), then the Start, from the PPP transition to Stopped. */
static void ipcp_giving_up_after_ipv6cp_up_is_the_start(void **state)
{
	struct dh h;
	struct dh_call c;
	struct session *s;

	(void)state;
	start(&h, &c, 2);
	s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->ppp.ipv6cp.state, PPP_FSM_OPENED);
	assert_int_equal(s->ppp.ipcp.state, PPP_FSM_REQ_SENT);
	assert_int_equal(made(&h), 1);		/* Accounting-On only */
	dh_advance(&h, 20000);
	assert_int_equal(made(&h), 1);		/* IPCP still trying */
	dh_advance(&h, 15000);
	s = dh_session(&h, &c);
	assert_non_null(s);			/* IPV6CP keeps the link */
	assert_int_equal(s->ppp.ipcp.state, PPP_FSM_STOPPED);
	assert_int_equal(made(&h), 2);		/* the Start */
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_dual_stack_session_has_one_start_at_ipcp_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_client_refusing_ipcp_has_its_start_at_ipv6cp_up,
						setup, teardown),
		cmocka_unit_test_setup_teardown(ipcp_giving_up_after_ipv6cp_up_is_the_start,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
