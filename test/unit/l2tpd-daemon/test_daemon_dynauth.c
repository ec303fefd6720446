/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory (daemon_harness.h): dynamic authorization, RFC 5176
 * (dynauth.h). Requests signed with the DAS client's secret go through
 * dynauth_input with an injected wall clock, as the socket's handler
 * passes them; what the LAC and the client see (CDN result 3, the
 * session's end at the new Session-Timeout) and the answer's code and
 * Error-Cause are checked. The packet rules themselves (authenticators,
 * every Error-Cause, the cache) are radius/'s test_das.c.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon_harness.h"
#include "das.h"
#include "dynauth.h"
#include "ppp/fsm.h"
#include "radius.h"
#include "session.h"

#define SECRET "das-secret"
#define CLIENT "192.0.2.9"
#define NOW 1800000000u		/* the wall clock the tests inject */

static void das_on(struct l2tpd_config *cfg)
{
	struct sockaddr_in *l = (struct sockaddr_in *)&cfg->das.listen[0];
	struct sockaddr_in *a = (struct sockaddr_in *)&cfg->das.clients[0].addr;

	cfg->lcp_echo_interval = 0;	/* the timeline holds only what the test checks */
	cfg->das.enabled = true;
	cfg->das.n_listen = 1;
	l->sin_family = AF_INET;
	l->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cfg->das.port = 0;		/* any free port: the test calls dynauth_input */
	cfg->das.n_clients = 1;
	snprintf(cfg->das.clients[0].name, sizeof(cfg->das.clients[0].name), "coa-server");
	a->sin_family = AF_INET;
	inet_pton(AF_INET, CLIENT, &a->sin_addr);
	snprintf(cfg->das.clients[0].secret, sizeof(cfg->das.clients[0].secret), SECRET);
}

static void start(struct dh *h)
{
	struct dh_opts o = { .tweak = das_on };

	dh_start(h, &o);
	assert_non_null(h->srv.dynauth);
	dh_tunnel_open(h);
}

/* A request: Event-Timestamp and a Message-Authenticator first, the
 * test's attributes after; radius_finish_hashed signs it (RFC 5176 2.3). */
static void begin(struct radius_writer *w, uint8_t *buf, uint8_t code, uint8_t id, uint32_t ts)
{
	radius_begin(w, buf, RADIUS_MAX_LEN, code, id, NULL);
	radius_put_u32(w, RADIUS_EVENT_TIMESTAMP, ts);
	radius_put_message_authenticator(w);
}

struct answer {
	uint8_t code;
	uint32_t error_cause;
	size_t len;
	uint8_t bytes[RADIUS_MAX_LEN];
};

static void send_from(struct dh *h, const char *from, uint8_t *buf, struct radius_writer *w,
		      uint32_t now_wall, struct answer *a)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	size_t len = radius_finish_hashed(w, SECRET);

	assert_true(len > 0);
	sin->sin_family = AF_INET;
	sin->sin_port = htons(40000);
	inet_pton(AF_INET, from, &sin->sin_addr);
	memset(a, 0, sizeof(*a));
	a->len = dynauth_input(&h->srv, now_wall, &ss, buf, len, a->bytes, sizeof(a->bytes));
	server_flush(&h->srv);
	dh_pump(h);
	if (!a->len)
		return;
	a->code = a->bytes[0];
	for (size_t off = RADIUS_HDR_LEN; off + 2 <= a->len && a->bytes[off + 1] >= 2;
	     off += a->bytes[off + 1])
		if (a->bytes[off] == RADIUS_ERROR_CAUSE && a->bytes[off + 1] == 6)
			a->error_cause = (uint32_t)a->bytes[off + 2] << 24 |
					 (uint32_t)a->bytes[off + 3] << 16 |
					 (uint32_t)a->bytes[off + 4] << 8 | a->bytes[off + 5];
}

static void send_req(struct dh *h, uint8_t *buf, struct radius_writer *w, struct answer *a)
{
	send_from(h, CLIENT, buf, w, NOW, a);
}

static void put_acct_session_id(struct radius_writer *w, struct dh *h, struct dh_call *c)
{
	char asid[24];
	struct session *s = dh_session(h, c);

	assert_non_null(s);
	radius_put_str(w, RADIUS_ACCT_SESSION_ID, session_acct_session_id(s, asid, sizeof(asid)));
}

static void disconnect_by_acct_session_id_ends_the_session_with_cdn_result_3(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 1, NOW);
	put_acct_session_id(&w, &h, &c);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);	/* RFC 2661 4.4.2: administrative */
	assert_true(c.dp->deleted);
	assert_null(dh_session(&h, &c));
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 1);
	dh_stop(&h);
}

static void disconnect_by_user_name_ends_every_session_of_the_user(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c1, c2;

	(void)state;
	start(&h);
	dh_call_open(&h, &c1, 7, "alice", "alice-pw");
	dh_call_open(&h, &c2, 8, "alice", "alice-pw");
	assert_true(c1.ipcp_up && c2.ipcp_up);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 2, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "alice");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	assert_non_null(dh_cdn(&h, &c1, 0));
	assert_non_null(dh_cdn(&h, &c2, 0));
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 2);
	dh_stop(&h);
}

static void disconnect_by_framed_ip_ends_only_that_session(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c1, c2;

	(void)state;
	start(&h);
	dh_call_open(&h, &c1, 7, "alice", "alice-pw");
	dh_call_open(&h, &c2, 8, "alice", "alice-pw");
	assert_int_not_equal(c1.addr, c2.addr);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 3, NOW);
	radius_put_u32(&w, RADIUS_FRAMED_IP_ADDRESS, c2.addr);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	assert_null(dh_cdn(&h, &c1, 0));
	assert_non_null(dh_cdn(&h, &c2, 0));
	dh_stop(&h);
}

/* A CoA-Request naming the session by its address alone (Idle-Timeout:
 * a change that ends nothing); the answer's Error-Cause, 0 for an ACK. */
static uint32_t coa_by_address(struct dh *h, uint8_t id, uint32_t addr, const char *user)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;

	begin(&w, buf, RADIUS_COA_REQUEST, id, NOW);
	if (user)
		radius_put_str(&w, RADIUS_USER_NAME, user);
	if (addr)
		radius_put_u32(&w, RADIUS_FRAMED_IP_ADDRESS, addr);
	radius_put_u32(&w, RADIUS_IDLE_TIMEOUT, 600);
	send_req(h, buf, &w, &a);
	assert_int_equal(a.code, a.error_cause ? RADIUS_COA_NAK : RADIUS_COA_ACK);
	return a.error_cause;
}

/* IPCP renegotiated to another address (RFC 1661 4.1: a Configure-Request
 * in Opened takes the layer down and up again) and then closed: requests
 * by Framed-IP-Address follow the session's address, and one by another
 * key that names an address the session no longer has does not act on
 * it. The server side offers another address the second time (as
 * if its pool had moved), which the client takes from our Nak. */
static void framed_ip_follows_ipcp_renegotiation_and_close(void **state)
{
	const uint32_t moved = 0xc6336463u;	/* 198.51.100.99 */
	struct dh h;
	struct dh_call c;
	struct session *s;
	uint32_t old;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	assert_true(c.ipcp_up);
	old = c.addr;
	assert_int_equal(coa_by_address(&h, 60, old, NULL), 0);
	s = dh_session(&h, &c);
	s->ppp.profile.peer_addr = moved;
	c.ipcp_up = false;
	c.ppp.now = h.now;
	ppp_fsm_down(&c.ppp.ipcp);
	ppp_fsm_up(&c.ppp.ipcp);
	dh_pump(&h);
	assert_true(c.ipcp_up);
	assert_int_equal(c.addr, moved);
	assert_int_equal(s->peer_addr, moved);
	assert_int_equal(coa_by_address(&h, 61, old, NULL), RADIUS_EC_SESSION_NOT_FOUND);
	assert_int_equal(coa_by_address(&h, 62, moved, NULL), 0);
	assert_int_equal(coa_by_address(&h, 63, moved, "alice"), 0);
	/* the client closes IPCP: the session lives on (LCP is up) and is
	 * found by its name, no longer by the address */
	c.ppp.now = h.now;
	ppp_fsm_close(&c.ppp.ipcp);
	dh_pump(&h);
	assert_non_null(dh_session(&h, &c));
	assert_int_equal(coa_by_address(&h, 64, moved, NULL), RADIUS_EC_SESSION_NOT_FOUND);
	assert_int_equal(coa_by_address(&h, 65, moved, "alice"), RADIUS_EC_SESSION_NOT_FOUND);
	assert_int_equal(coa_by_address(&h, 66, 0, "alice"), 0);
	/* the DAS turned off and on by reloads indexes it again, still
	 * without the address its IPCP no longer has */
	{
		struct l2tpd_config next = h.srv.cfg;

		next.das.enabled = false;
		dynauth_reload(&h.srv, &next);
		next.das.enabled = true;
		dynauth_reload(&h.srv, &next);
	}
	assert_int_equal(coa_by_address(&h, 67, moved, NULL), RADIUS_EC_SESSION_NOT_FOUND);
	assert_int_equal(coa_by_address(&h, 68, 0, "alice"), 0);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

static void unknown_session_is_refused_with_503(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 4, NOW);
	radius_put_str(&w, RADIUS_ACCT_SESSION_ID, "0123456789ABCDEF");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_NAK);
	assert_int_equal(a.error_cause, RADIUS_EC_SESSION_NOT_FOUND);
	{
		/* near misses of the session's own: lower case, a digit that
		 * is no hex digit, one too short, one too long */
		char asid[24], bad[32];
		const char *forms[] = { "lower", "g", "short", "long" };

		session_acct_session_id(dh_session(&h, &c), asid, sizeof(asid));
		for (unsigned i = 0; i < 4; i++) {
			snprintf(bad, sizeof(bad), "%s", asid);
			if (i == 0)
				for (char *p = bad; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
			else if (i == 1)
				bad[15] = 'G';
			else if (i == 2)
				bad[15] = '\0';
			else
				strcat(bad, "0");
			if (i == 0 && !strcmp(bad, asid))
				continue;	/* no letter in it: nothing to lower */
			begin(&w, buf, RADIUS_DISCONNECT_REQUEST, (uint8_t)(50 + i), NOW);
			radius_put_str(&w, RADIUS_ACCT_SESSION_ID, bad);
			send_req(&h, buf, &w, &a);
			if (a.error_cause != RADIUS_EC_SESSION_NOT_FOUND)
				fail_msg("Acct-Session-Id %s (%s) found a session", bad, forms[i]);
		}
	}
	/* a user without sessions, and a NAS-Port no session has */
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 5, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "bob");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.error_cause, RADIUS_EC_SESSION_NOT_FOUND);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 6, NOW);
	radius_put_u32(&w, RADIUS_NAS_PORT, 0xffffffffu);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.error_cause, RADIUS_EC_SESSION_NOT_FOUND);
	assert_null(dh_cdn(&h, &c, 0));
	assert_non_null(dh_session(&h, &c));
	dh_stop(&h);
}

static void nas_identifier_not_ours_is_refused_with_403(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 7, NOW);
	radius_put_str(&w, RADIUS_NAS_IDENTIFIER, "another-nas");
	put_acct_session_id(&w, &h, &c);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_NAK);
	assert_int_equal(a.error_cause, RADIUS_EC_NAS_ID_MISMATCH);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* RFC 5176 section 6.4: outside the window, silently discarded. */
static void stale_event_timestamp_is_discarded(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 8, NOW - 301);
	put_acct_session_id(&w, &h, &c);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.len, 0);
	assert_int_equal(dynauth_stats(&h.srv)->stale, 1);
	assert_int_equal(dynauth_stats(&h.srv)->dropped, 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* RFC 5176 section 6.1: only configured clients. */
static void request_from_an_unknown_client_is_discarded(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 9, NOW);
	put_acct_session_id(&w, &h, &c);
	send_from(&h, "192.0.2.99", buf, &w, NOW, &a);
	assert_int_equal(a.len, 0);
	assert_int_equal(dynauth_stats(&h.srv)->unknown_clients, 1);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* RFC 5080 section 2.2.2: the same request again gets the same answer and
 * is not acted on twice (the session it ended is not looked for again). */
static void retransmission_is_answered_again_and_acted_on_once(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN], first[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a, b;
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct dh h;
	struct dh_call c;
	size_t len;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 10, NOW);
	put_acct_session_id(&w, &h, &c);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	len = w.len;
	memcpy(first, buf, len);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, CLIENT, &sin->sin_addr);
	b.len = dynauth_input(&h.srv, NOW + 1, &ss, first, len, b.bytes, sizeof(b.bytes));
	assert_int_equal(b.len, a.len);
	assert_memory_equal(b.bytes, a.bytes, a.len);
	assert_int_equal(dynauth_stats(&h.srv)->duplicates, 1);
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 1);
	dh_stop(&h);
}

/* Session-Timeout counts from the session's start (RFC 2865 5.27): the
 * session ends at up + 10 s, by the daemon's own limit timer. */
static void coa_session_timeout_ends_the_session_at_the_new_time(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	uint64_t up = h.now;
	dh_advance(&h, 4000);
	begin(&w, buf, RADIUS_COA_REQUEST, 11, NOW);
	radius_put_u32(&w, RADIUS_NAS_PORT, session_nas_port(dh_session(&h, &c)));
	radius_put_u32(&w, RADIUS_SESSION_TIMEOUT, 10);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_ACK);
	assert_int_equal(dh_session(&h, &c)->session_timeout, 10);
	dh_advance(&h, up + 10000 - 1 - h.now);
	assert_null(dh_cdn(&h, &c, 0));
	dh_advance(&h, 1);
	const struct dh_pkt *cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->at - up, 10000);
	assert_int_equal(dynauth_stats(&h.srv)->changes, 1);
	dh_stop(&h);
}

/* A client running IPV6CP alone (it Protocol-Rejects IPCP, RFC 1661
 * 5.7), on a pool with an IPv6 prefix: its session is up without an IPv4
 * address (session.c, session_up). */
static void open_ipv6_only(struct dh *h, struct dh_call *c)
{
	struct dh_opts o = {
		.pool = "198.51.100.10-198.51.100.11\n        ipv6 = 2001:db8:1::/48",
		.profile = "ipv6 = yes",
		.tweak = das_on,
	};

	dh_start(h, &o);
	h->pcfg.client_ipv6cp = true;
	dh_tunnel_open(h);
	dh_call_request(h, c, 7, "alice", "alice-pw");
	dh_call_connect(c);
	dh_call_start_ppp(c);
	c->ppp.profile.ipcp = false;
	dh_pump(h);
	assert_false(c->ipcp_up);
	assert_non_null(dh_session(h, c));
	assert_int_equal(dh_session(h, c)->ppp.ipcp.state, PPP_FSM_STOPPED);
	assert_int_equal(dh_session(h, c)->state, SESSION_UP);
}

/* The DAS finds an IPv6-only session by its Acct-Session-Id: it was
 * indexed when it came up at IPV6CP. */
static void disconnect_finds_an_ipv6_only_session_by_acct_session_id(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;
	const struct dh_pkt *cdn;

	(void)state;
	open_ipv6_only(&h, &c);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 20, NOW);
	put_acct_session_id(&w, &h, &c);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->result, 3);
	assert_null(dh_session(&h, &c));
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 1);
	dh_stop(&h);
}

/* ... and by User-Name: a CoA's Session-Timeout (RFC 5176 3.6) ends it
 * at up + 10 s, counted from when it came up at IPV6CP. */
static void coa_session_timeout_by_user_name_ends_an_ipv6_only_session(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;
	const struct dh_pkt *cdn;
	uint64_t up;

	(void)state;
	open_ipv6_only(&h, &c);
	up = dh_session(&h, &c)->up_ms;
	assert_int_equal(up, h.now);
	dh_advance(&h, 4000);
	begin(&w, buf, RADIUS_COA_REQUEST, 21, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "alice");
	radius_put_u32(&w, RADIUS_SESSION_TIMEOUT, 10);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_ACK);
	dh_advance(&h, up + 10000 - 1 - h.now);
	assert_null(dh_cdn(&h, &c, 0));
	dh_advance(&h, 1);
	cdn = dh_cdn(&h, &c, 0);
	assert_non_null(cdn);
	assert_int_equal(cdn->at - up, 10000);
	assert_null(dh_session(&h, &c));
	dh_stop(&h);
}

/* Session-Timeout 0 takes the profile's limit away. */
static void coa_session_timeout_zero_removes_the_limit(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh_opts o = { .tweak = das_on, .profile = "session_timeout = 10s" };
	struct dh h;
	struct dh_call c;

	(void)state;
	dh_start(&h, &o);
	dh_tunnel_open(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_COA_REQUEST, 12, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "alice");
	radius_put_u32(&w, RADIUS_SESSION_TIMEOUT, 0);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_ACK);
	dh_advance(&h, 60000);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

static void coa_filter_id_naming_no_policy_is_refused_with_407(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_COA_REQUEST, 13, NOW);
	put_acct_session_id(&w, &h, &c);
	radius_put_str(&w, RADIUS_FILTER_ID, "no-such-policy");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_NAK);
	assert_int_equal(a.error_cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	/* a policy without filters: its (no) filters apply, ACK */
	begin(&w, buf, RADIUS_COA_REQUEST, 14, NOW);
	put_acct_session_id(&w, &h, &c);
	radius_put_str(&w, RADIUS_FILTER_ID, "everyone");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_ACK);
	assert_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* RFC 5176 section 3.2: we do not re-authorize. */
static void coa_authorize_only_is_refused_with_405(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	begin(&w, buf, RADIUS_COA_REQUEST, 15, NOW);
	put_acct_session_id(&w, &h, &c);
	radius_put_u32(&w, RADIUS_SERVICE_TYPE, 17);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_NAK);
	assert_int_equal(a.error_cause, RADIUS_EC_UNSUPPORTED_SERVICE);
	dh_stop(&h);
}

/* The indexes grow past their first buckets and still find the one
 * session a key names; a User-Name that names more than 64 sessions is
 * refused with 508 (RFC 5176 3.5) and nothing is done. The extra
 * sessions are index entries only (they never reach the control plane). */
#define N_EXTRA 300
static void indexes_find_one_session_among_hundreds_and_refuse_more_than_64(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;
	struct session *extra = calloc(N_EXTRA, sizeof(*extra));

	(void)state;
	assert_non_null(extra);
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	for (unsigned i = 0; i < N_EXTRA; i++) {
		extra[i].srv = &h.srv;
		extra[i].tunnel_id = 60000;
		extra[i].session_id = (uint16_t)(i + 1);
		extra[i].serial = 100000 + i;
		extra[i].state = SESSION_UP;
		extra[i].peer_addr = 0x0a000000u + i;	/* 10.0.0.0 + i */
		snprintf(extra[i].user, sizeof(extra[i].user), "many");
		dynauth_session_up(&h.srv, &extra[i]);
	}
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 20, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "many");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_NAK);
	assert_int_equal(a.error_cause, RADIUS_EC_MULTIPLE_SESSIONS_UNSUPPORTED);
	/* one of them by its address: found (a Filter-Id that names no
	 * policy gets 407 from the session's change, where an address no
	 * session has gets 503) */
	begin(&w, buf, RADIUS_COA_REQUEST, 23, NOW);
	radius_put_u32(&w, RADIUS_FRAMED_IP_ADDRESS, 0x0a000000u + N_EXTRA);
	radius_put_str(&w, RADIUS_FILTER_ID, "no-such-policy");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.error_cause, RADIUS_EC_SESSION_NOT_FOUND);
	begin(&w, buf, RADIUS_COA_REQUEST, 21, NOW);
	radius_put_u32(&w, RADIUS_FRAMED_IP_ADDRESS, 0x0a000000u + 277);
	radius_put_str(&w, RADIUS_FILTER_ID, "no-such-policy");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.error_cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	/* the real session by NAS-Port among them all */
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 22, NOW);
	radius_put_u32(&w, RADIUS_NAS_PORT, session_nas_port(dh_session(&h, &c)));
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	assert_non_null(dh_cdn(&h, &c, 0));
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 1);
	for (unsigned i = 0; i < N_EXTRA; i++)
		dynauth_session_gone(&h.srv, &extra[i]);
	free(extra);
	dh_stop(&h);
}

/* A reload: a new secret signs from then on; turned off, nothing
 * listens; turned on again, the sessions already up are found. */
static void reload_applies_secrets_and_turns_the_das_off_and_on(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c;
	struct l2tpd_config next;

	(void)state;
	start(&h);
	dh_call_open(&h, &c, 7, "alice", "alice-pw");
	next = h.srv.cfg;
	snprintf(next.das.clients[0].secret, sizeof(next.das.clients[0].secret), "second");
	dynauth_reload(&h.srv, &next);
	begin(&w, buf, RADIUS_COA_REQUEST, 30, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "alice");
	radius_put_u32(&w, RADIUS_IDLE_TIMEOUT, 600);
	send_req(&h, buf, &w, &a);		/* signed with the old secret */
	assert_int_equal(a.len, 0);
	assert_int_equal(dynauth_stats(&h.srv)->bad_authenticators, 1);

	next.das.enabled = false;
	dynauth_reload(&h.srv, &next);
	assert_null(h.srv.dynauth);
	next.das.enabled = true;
	dynauth_reload(&h.srv, &next);
	assert_non_null(h.srv.dynauth);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 31, NOW);
	radius_put_str(&w, RADIUS_USER_NAME, "alice");
	{
		struct sockaddr_storage ss = { 0 };
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		size_t len = radius_finish_hashed(&w, "second");

		sin->sin_family = AF_INET;
		inet_pton(AF_INET, CLIENT, &sin->sin_addr);
		a.len = dynauth_input(&h.srv, NOW, &ss, buf, len, a.bytes, sizeof(a.bytes));
		server_flush(&h.srv);
		dh_pump(&h);
	}
	assert_true(a.len > 0);
	assert_int_equal(a.bytes[0], RADIUS_DISCONNECT_ACK);
	assert_non_null(dh_cdn(&h, &c, 0));
	dh_stop(&h);
}

/* Calling-Station-Id as the Access-Request said it (the client's address,
 * no NAT-T port here); Called-Station-Id alone (our address) names every
 * session on it: the one walk, here both of them. */
static void calling_and_called_station_id_select_sessions(void **state)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	struct answer a;
	struct dh h;
	struct dh_call c1, c2;

	(void)state;
	start(&h);
	dh_call_open(&h, &c1, 7, "alice", "alice-pw");
	dh_call_open(&h, &c2, 8, "alice", "alice-pw");
	begin(&w, buf, RADIUS_COA_REQUEST, 40, NOW);
	radius_put_str(&w, RADIUS_CALLING_STATION_ID, "203.0.113.2:1701");
	radius_put_u32(&w, RADIUS_IDLE_TIMEOUT, 600);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.error_cause, RADIUS_EC_SESSION_NOT_FOUND);
	begin(&w, buf, RADIUS_COA_REQUEST, 41, NOW);
	radius_put_str(&w, RADIUS_CALLING_STATION_ID, "203.0.113.2");
	radius_put_u32(&w, RADIUS_NAS_PORT, session_nas_port(dh_session(&h, &c2)));
	radius_put_u32(&w, RADIUS_IDLE_TIMEOUT, 600);
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_COA_ACK);
	assert_int_equal(dh_session(&h, &c2)->idle_timeout, 600);
	assert_int_equal(dh_session(&h, &c1)->idle_timeout, 0);
	begin(&w, buf, RADIUS_DISCONNECT_REQUEST, 42, NOW);
	radius_put_str(&w, RADIUS_CALLED_STATION_ID, "192.0.2.1");
	send_req(&h, buf, &w, &a);
	assert_int_equal(a.code, RADIUS_DISCONNECT_ACK);
	assert_non_null(dh_cdn(&h, &c1, 0));
	assert_non_null(dh_cdn(&h, &c2, 0));
	assert_int_equal(dynauth_stats(&h.srv)->disconnects, 2);
	dh_stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(disconnect_by_acct_session_id_ends_the_session_with_cdn_result_3),
		cmocka_unit_test(disconnect_by_user_name_ends_every_session_of_the_user),
		cmocka_unit_test(disconnect_by_framed_ip_ends_only_that_session),
		cmocka_unit_test(framed_ip_follows_ipcp_renegotiation_and_close),
		cmocka_unit_test(calling_and_called_station_id_select_sessions),
		cmocka_unit_test(unknown_session_is_refused_with_503),
		cmocka_unit_test(nas_identifier_not_ours_is_refused_with_403),
		cmocka_unit_test(stale_event_timestamp_is_discarded),
		cmocka_unit_test(request_from_an_unknown_client_is_discarded),
		cmocka_unit_test(retransmission_is_answered_again_and_acted_on_once),
		cmocka_unit_test(coa_session_timeout_ends_the_session_at_the_new_time),
		cmocka_unit_test(coa_session_timeout_zero_removes_the_limit),
		cmocka_unit_test(disconnect_finds_an_ipv6_only_session_by_acct_session_id),
		cmocka_unit_test(coa_session_timeout_by_user_name_ends_an_ipv6_only_session),
		cmocka_unit_test(coa_filter_id_naming_no_policy_is_refused_with_407),
		cmocka_unit_test(coa_authorize_only_is_refused_with_405),
		cmocka_unit_test(indexes_find_one_session_among_hundreds_and_refuse_more_than_64),
		cmocka_unit_test(reload_applies_secrets_and_turns_the_das_off_and_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
