/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h) with RADIUS accounting on: when
 * a session's Start goes (docs/radius.md "Accounting in the daemon", the
 * rule acct_start_due). The RADIUS server is a documentation address
 * nobody answers: the records are counted by the accounting engine
 * (made), which is all these tests need; the spool is a file of a free
 * name in the test's own directory. Time is the harness's: the 30 s an
 * IPCP takes to give up pass in dh_advance, not on the clock.
 *
 * The same rule makes the session up (session.c, session_up): an
 * IPv6-only session is counted, found by l2tpctl and ends at its
 * session timeout like any other; IPCP opening later adds its IPv4 side.
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
#include "ppp/fsm.h"

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

static void assert_logged(const char *log, const char *what)
{
	assert_non_null(log);
	if (!strstr(log, what)) {
		print_error("no '%s' in:\n%s\n", what, log);
		fail();
	}
}

/* The daemon grants IPv6 (a pool with a prefix); the client runs IPV6CP,
 * and IPCP as `ipcp` says: 0 normally, 1 refused (Protocol-Reject), 2
 * never heard (the daemon's IPCP times out). `profile`: more lines of
 * the profile, NULL none. */
static void start_with(struct dh *h, struct dh_call *c, int ipcp, const char *profile)
{
	char prof[128] = "ipv6 = yes";
	struct dh_opts o = {
		.pool = "198.51.100.10-198.51.100.11\n        ipv6 = 2001:db8:1::/48",
		.profile = prof,
		.tweak = accounting_on,
	};

	if (profile)
		snprintf(prof, sizeof(prof), "ipv6 = yes\n        %s", profile);

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

static void start(struct dh *h, struct dh_call *c, int ipcp)
{
	start_with(h, c, ipcp, NULL);
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
	assert_true(s->ipv4_up);		/* up at IPCP, with its address */
	assert_int_equal(s->peer_addr, c.addr);
	assert_int_equal(h.srv.n_sessions_up, 1);
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
	/* its Interim-Updates count from the Start (the session's up_ms:
	 * the same instant) */
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
	assert_int_equal(s->state, SESSION_PPP_NCP);	/* nor up */
	dh_advance(&h, 20000);
	assert_int_equal(made(&h), 1);		/* IPCP still trying */
	assert_int_equal(s->state, SESSION_PPP_NCP);
	dh_advance(&h, 15000);
	s = dh_session(&h, &c);
	assert_non_null(s);			/* IPV6CP keeps the link */
	assert_int_equal(s->ppp.ipcp.state, PPP_FSM_STOPPED);
	assert_int_equal(made(&h), 2);		/* the Start */
	/* ... and the session is up with it (the trace hook saw IPCP stop) */
	assert_int_equal(s->state, SESSION_UP);
	assert_int_equal(h.srv.n_sessions_up, 1);
	assert_false(s->ipv4_up);
	dh_stop(&h);
}

/* IPCP refused: the session is up IPv6-only, as a dual-stack one is at
 * IPCP: counted, "up" in l2tpctl, its log line saying it has no IPv4
 * address and which prefix it has; no IPv4 side (no DHCPINFORM, no
 * routes) and no address on the data plane. */
static void an_ipv6_only_session_is_up(void **state)
{
	struct dh_log_capture cap;
	struct dh h;
	struct dh_call c;
	struct session *s;
	char *reply, *log;

	(void)state;
	dh_log_capture_start(&cap);
	start(&h, &c, 1);
	log = dh_log_capture_end(&cap);
	s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->state, SESSION_UP);
	assert_int_equal(s->up_ms, h.now);
	assert_false(s->ipv4_up);
	assert_int_equal(s->peer_addr, 0);
	assert_int_equal(h.srv.n_sessions_up, 1);
	assert_int_equal(h.srv.counters.sessions_up, 1);
	assert_true(c.dp->ip.has_ipv6);
	assert_int_equal(c.dp->ip.peer.s_addr, 0);
	assert_logged(log, "up: user 'alice' peer ");
	assert_logged(log, " address none (IPv6 only, prefix 2001:db8:1:");
	free(log);
	reply = dh_ctl(&h, "json sessions");
	assert_logged(reply, "\"state\":\"up\"");
	free(reply);
	dh_log_capture_start(&cap);
	reply = dh_ctl(&h, "disconnect user alice");
	free(reply);
	dh_advance(&h, 5000);
	log = dh_log_capture_end(&cap);
	assert_null(dh_session(&h, &c));
	assert_int_equal(h.srv.n_sessions_up, 0);
	assert_logged(log, " down: user 'alice' peer ");
	assert_logged(log, " address none after ");
	free(log);
	dh_stop(&h);
}

/* The profile's session timeout holds for a client refusing IPCP: the
 * session ends at up + 10 min, CDN result 3, "reached the session
 * timeout" logged, and the Stop made. Before this a client dodged its
 * limit by refusing IPCP. */
static void an_ipv6_only_session_ends_at_its_session_timeout(void **state)
{
	struct dh_log_capture cap;
	struct dh h;
	struct dh_call c;
	const struct dh_pkt *cdn;
	uint64_t up;
	char *log;

	(void)state;
	start_with(&h, &c, 1, "session_timeout = 10m");
	assert_non_null(dh_session(&h, &c));
	assert_int_equal(dh_session(&h, &c)->state, SESSION_UP);
	assert_int_equal(dh_session(&h, &c)->session_timeout, 600);
	up = h.now;
	dh_advance(&h, 600000 - 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_log_capture_start(&cap);
	dh_advance(&h, 1);
	log = dh_log_capture_end(&cap);
	cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);	/* RFC 2661 4.4.2: administrative */
	assert_int_equal(cdn->at - up, 600000);
	assert_null(dh_session(&h, &c));
	assert_logged(log, "user 'alice' reached the session timeout (600s)");
	assert_logged(log, ": session timeout");	/* the down line's reason */
	free(log);
	assert_int_equal(made(&h), 2 + 10 + 1);	/* On, Start, 10 Interim-Updates, Stop */
	dh_stop(&h);
}

/* The IPCP packet of `code` the daemon sent last on the call (the
 * data plane's ring, newest first), from its code on; NULL none. */
static const uint8_t *daemon_ipcp(const struct dh_call *c, uint8_t code, size_t *len)
{
	uint64_t n = c->dp->sent_count < DP_NULL_SENT_MAX ? c->dp->sent_count : DP_NULL_SENT_MAX;

	for (unsigned back = 0; back < n; back++) {
		const struct dp_null_frame *f = dp_null_sent(c->dp, back);
		const uint8_t *p = f->data;
		size_t l = f->len;

		if (l >= 2 && p[0] == 0xff && p[1] == 0x03) {
			p += 2;
			l -= 2;
		}
		if (l >= 6 && p[0] == 0x80 && p[1] == 0x21 && p[2] == code) {
			*len = l - 2;
			return p + 2;
		}
	}
	return NULL;
}

/* An IPCP packet from the client (RFC 1332): code, id, options. */
static void client_ipcp(struct dh *h, struct dh_call *c, uint8_t code, uint8_t id,
			const uint8_t *opts, size_t olen)
{
	uint8_t f[64] = { 0xff, 0x03, 0x80, 0x21, code, id, 0, (uint8_t)(4 + olen) };

	assert_true(olen <= sizeof(f) - 8);
	memcpy(f + 8, opts, olen);
	assert_int_equal(dp_null_inject_ppp(h->srv.dp, c->dp, f, 8 + olen), 0);
	server_flush(&h->srv);
	dh_pump(h);
}

/* A session up IPv6-only whose client then runs IPCP after all (RFC 1661
 * section 4.1: a Configure-Request in Stopped starts the negotiation):
 * the IPv4 side joins (the address on the data plane, the DAS's address
 * key, a log line), the session is not counted up again and no second
 * Start goes. The client's side of IPCP is played by hand: its ppp-core
 * runs none. */
static void ipcp_opening_after_an_ipv6_only_up_adds_ipv4(void **state)
{
	struct dh_log_capture cap;
	struct dh h;
	struct dh_call c;
	struct session *s;
	const uint8_t *p;
	size_t len;
	uint8_t opt[6] = { 3, 6, 0, 0, 0, 0 };	/* IP-Address 0.0.0.0: "give me one" */
	uint64_t up;
	char *log;

	(void)state;
	start(&h, &c, 1);
	s = dh_session(&h, &c);
	assert_non_null(s);
	assert_int_equal(s->state, SESSION_UP);
	assert_false(s->ipv4_up);
	assert_int_equal(made(&h), 2);		/* On, Start */
	up = s->up_ms;
	dh_advance(&h, 1000);
	c.deaf_to = 0x8021;			/* the test answers IPCP itself */
	dh_log_capture_start(&cap);
	client_ipcp(&h, &c, 1, 1, opt, sizeof(opt));
	/* the daemon's Configure-Nak names the address (RFC 1332 3.3) */
	p = daemon_ipcp(&c, 3, &len);
	assert_non_null(p);
	assert_true(len >= 10 && p[4] == 3 && p[5] == 6);
	memcpy(opt + 2, p + 6, 4);
	client_ipcp(&h, &c, 1, 2, opt, sizeof(opt));
	/* its own Configure-Request, acknowledged as it is */
	p = daemon_ipcp(&c, 1, &len);
	assert_non_null(p);
	client_ipcp(&h, &c, 2, p[1], p + 4, len - 4);
	log = dh_log_capture_end(&cap);
	assert_int_equal(s->ppp.ipcp.state, PPP_FSM_OPENED);
	assert_true(s->ipv4_up);
	assert_int_equal(s->peer_addr, (uint32_t)opt[2] << 24 | (uint32_t)opt[3] << 16 |
					       (uint32_t)opt[4] << 8 | opt[5]);
	assert_int_equal(ntohl(c.dp->ip.peer.s_addr), s->peer_addr);
	assert_int_equal(s->state, SESSION_UP);
	assert_int_equal(s->up_ms, up);		/* up once, at IPV6CP */
	assert_int_equal(h.srv.n_sessions_up, 1);
	assert_int_equal(h.srv.counters.sessions_up, 1);
	assert_int_equal(made(&h), 2);		/* no second Start */
	assert_logged(log, "user 'alice' IPCP opened: address 198.51.100.");
	if (strstr(log, " up: user "))
		fail_msg("a second up line in:\n%s", log);
	free(log);
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
		cmocka_unit_test_setup_teardown(an_ipv6_only_session_is_up, setup, teardown),
		cmocka_unit_test_setup_teardown(an_ipv6_only_session_ends_at_its_session_timeout,
						setup, teardown),
		cmocka_unit_test_setup_teardown(ipcp_opening_after_an_ipv6_only_up_adds_ipv4,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
