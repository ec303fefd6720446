/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ppp_callbacks.trace: every phase change (RFC 1661 section 3.2) and every
 * transition of LCP and IPCP (the section 4.1 table), in order, with the
 * event that caused it, for a set-up with MS-CHAPv2 and a teardown.
 */
#include "harness.h"

#define PH PPP_TRACE_PHASE
#define LCP PPP_TRACE_LCP
#define IPCP PPP_TRACE_IPCP

struct want {
	enum ppp_trace_layer layer;
	int from, to;
	const char *why;
};

struct rec {
	struct ppp_trace t[64];
	size_t n;
};

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static struct endpoint srv, cli;
static struct rec srv_tr, cli_tr;

static void rec_trace(void *ctx, const struct ppp_trace *t)
{
	struct rec *r = ctx == &srv ? &srv_tr : &cli_tr;

	assert_true(r->n < 64);
	assert_int_not_equal(t->from, t->to);
	r->t[r->n++] = *t;
}

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 3);
	ep_init(&cli, PPP_CLIENT, 4);
	srv.cfg.cb.trace = rec_trace;
	cli.cfg.cb.trace = rec_trace;
	memset(&srv_tr, 0, sizeof(srv_tr));
	memset(&cli_tr, 0, sizeof(cli_tr));
	return 0;
}

static void print_rec(const char *who, const struct rec *r)
{
	for (size_t i = 0; i < r->n; i++)
		fprintf(stderr, "  %s %zu: %s %s -> %s (%s)\n", who, i,
			ppp_trace_layer_name(r->t[i].layer),
			ppp_trace_state_name(r->t[i].layer, r->t[i].from),
			ppp_trace_state_name(r->t[i].layer, r->t[i].to), r->t[i].why);
}

static void expect(const char *who, const struct rec *r, size_t first, const struct want *w,
		   size_t n)
{
	if (r->n - first != n)
		print_rec(who, r);
	assert_int_equal(r->n - first, n);
	for (size_t i = 0; i < n; i++) {
		const struct ppp_trace *t = &r->t[first + i];

		if (t->layer != w[i].layer || t->from != w[i].from || t->to != w[i].to ||
		    strcmp(t->why, w[i].why) != 0) {
			print_rec(who, r);
			fail_msg("%s trace %zu differs", who, first + i);
		}
	}
}

#define F(st) PPP_FSM_##st
#define P(ph) PPP_PHASE_##ph

/* Server and client, MS-CHAPv2, IPCP: LCP through section 4.1 to Opened,
 * the phases of 3.2 (Establish, Authenticate, Network), then IPCP. */
static void test_setup_traces_lcp_phases_and_ipcp_in_order(void **state)
{
	uint64_t now = 1000;
	const struct want ws[] = {
		{PH, P(DEAD), P(ESTABLISH), "start"},
		{LCP, F(INITIAL), F(STARTING), "Open"},
		{LCP, F(STARTING), F(REQ_SENT), "Up"},
		{LCP, F(REQ_SENT), F(ACK_SENT), "RCR+"},
		{LCP, F(ACK_SENT), F(OPENED), "RCA"},
		{PH, P(ESTABLISH), P(AUTHENTICATE), "LCP up"},
		{PH, P(AUTHENTICATE), P(NETWORK), "auth success"},
		{IPCP, F(INITIAL), F(STARTING), "Open"},
		{IPCP, F(STARTING), F(REQ_SENT), "Up"},
		{IPCP, F(REQ_SENT), F(ACK_RCVD), "RCA"},
		{IPCP, F(ACK_RCVD), F(OPENED), "RCR+"},
	};
	const struct want wc[] = {
		{PH, P(DEAD), P(ESTABLISH), "start"},
		{LCP, F(INITIAL), F(STARTING), "Open"},
		{LCP, F(STARTING), F(REQ_SENT), "Up"},
		{LCP, F(REQ_SENT), F(ACK_SENT), "RCR+"},
		{LCP, F(ACK_SENT), F(OPENED), "RCA"},
		{PH, P(ESTABLISH), P(AUTHENTICATE), "LCP up"},
		{PH, P(AUTHENTICATE), P(NETWORK), "auth success"},
		{IPCP, F(INITIAL), F(STARTING), "Open"},
		{IPCP, F(STARTING), F(REQ_SENT), "Up"},
		{IPCP, F(REQ_SENT), F(ACK_SENT), "RCR+"},
		{IPCP, F(ACK_SENT), F(OPENED), "RCA"},
	};

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	expect("srv", &srv_tr, 0, ws, sizeof(ws) / sizeof(ws[0]));
	expect("cli", &cli_tr, 0, wc, sizeof(wc) / sizeof(wc[0]));
	assert_int_equal(srv_tr.t[3].event, PPP_FSM_RCR_PLUS);
	assert_int_equal(srv_tr.t[0].event, -1);
}

/* ppp_close on the server: Opened -Close-> Closing (tld takes IPCP down
 * and back to Initial), -RTA-> Closed; the client sees RTR: Opened ->
 * Stopping, and after its Restart timer (TO-) Stopped. */
static void test_teardown_traces_both_ends(void **state)
{
	uint64_t now = 1000;
	size_t s0, c0;
	const struct want ws[] = {
		{PH, P(NETWORK), P(TERMINATE), "Administrative close"},
		{LCP, F(OPENED), F(CLOSING), "Close"},
		{IPCP, F(OPENED), F(STARTING), "Down"},
		{IPCP, F(STARTING), F(INITIAL), "reset"},
		{LCP, F(CLOSING), F(CLOSED), "RTA"},
		{PH, P(TERMINATE), P(DEAD), "Administrative close"},
	};
	const struct want wc[] = {
		{LCP, F(OPENED), F(STOPPING), "RTR"},
		{IPCP, F(OPENED), F(STARTING), "Down"},
		{IPCP, F(STARTING), F(INITIAL), "reset"},
		{PH, P(NETWORK), P(TERMINATE), "LCP down"},
		{LCP, F(STOPPING), F(STOPPED), "TO-"},
		{PH, P(TERMINATE), P(DEAD), "Peer terminated the link"},
	};

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	s0 = srv_tr.n;
	c0 = cli_tr.n;
	ppp_close(&srv.s, now, PPP_DOWN_ADMIN);
	pump(&srv, &cli, now);
	while (tick(&srv, &cli, &now))
		;
	expect("srv", &srv_tr, s0, ws, sizeof(ws) / sizeof(ws[0]));
	expect("cli", &cli_tr, c0, wc, sizeof(wc) / sizeof(wc[0]));
}

/* A refused login: the phase leaves Authenticate for Terminate, with why. */
static void test_auth_failure_shows_as_the_phase_leaving_authenticate(void **state)
{
	uint64_t now = 1000;
	bool seen = false;

	srv.mode = AUTH_REJECT;
	srv.reject_code = PPP_AUTH_FAIL_CREDENTIALS;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	for (size_t i = 0; i < srv_tr.n; i++) {
		const struct ppp_trace *t = &srv_tr.t[i];

		assert_false(t->layer == IPCP);
		if (t->layer == PH && t->from == P(AUTHENTICATE)) {
			assert_int_equal(t->to, P(TERMINATE));
			assert_string_equal(t->why,
					    ppp_down_reason_text(PPP_DOWN_AUTH_FAILED));
			seen = true;
		}
	}
	assert_true(seen);
}

/* IPV6CP goes through the same setter and trace op. */
static void test_ipv6cp_transitions_are_traced(void **state)
{
	uint64_t now = 1000;
	const int want[] = {F(INITIAL), F(STARTING), F(REQ_SENT)};
	size_t k = 0;
	int last = -1;

	srv.profile.ipv6cp = true;
	cli.s.profile.ipv6cp = true;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	for (size_t i = 0; i < srv_tr.n; i++) {
		const struct ppp_trace *t = &srv_tr.t[i];

		if (t->layer != PPP_TRACE_IPV6CP)
			continue;
		if (k < 2) {
			assert_int_equal(t->from, want[k]);
			assert_int_equal(t->to, want[k + 1]);
		}
		last = t->to;
		k++;
	}
	assert_true(k >= 3);
	assert_int_equal(last, F(OPENED));
	assert_true(ppp_fsm_is_opened(&srv.s.ipv6cp));
}

static void test_names(void **state)
{
	assert_string_equal(ppp_trace_layer_name(PPP_TRACE_IPV6CP), "IPV6CP");
	assert_string_equal(ppp_trace_state_name(PH, P(AUTHENTICATE)), "Authenticate");
	assert_string_equal(ppp_trace_state_name(LCP, F(ACK_RCVD)), "Ack-Rcvd");
	assert_string_equal(ppp_phase_name((enum ppp_phase)9), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_setup_traces_lcp_phases_and_ipcp_in_order, setup),
		cmocka_unit_test_setup(test_teardown_traces_both_ends, setup),
		cmocka_unit_test_setup(test_auth_failure_shows_as_the_phase_leaving_authenticate,
				       setup),
		cmocka_unit_test_setup(test_ipv6cp_transitions_are_traced, setup),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
