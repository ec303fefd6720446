/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The RFC 1661 automaton: every state x event cell against the RFC's own
 * table (transcribed below as text, independent of fsm.c's encoding), and
 * the Restart timer, counters and packet judging around it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ppp/fsm.h"

/* RFC 1661 section 4.1, rows = events, columns = states 0..9. */
static const char *const rfc_table[PPP_FSM_NEVENTS][PPP_FSM_NSTATES] = {
	/*          Initial  Starting     Closed       Stopped          Closing  Stopping Req-Sent     Ack-Rcvd     Ack-Sent     Opened */
	/* Up   */ { "2",     "irc,scr/6", "-",         "-",             "-",     "-",     "-",         "-",         "-",         "-" },
	/* Down */ { "-",     "-",         "0",         "tls/1",         "0",     "1",     "1",         "1",         "1",         "tld/1" },
	/* Open */ { "tls/1", "1",         "irc,scr/6", "3r",            "5r",    "5r",    "6",         "7",         "8",         "9r" },
	/* Close*/ { "0",     "tlf/0",     "2",         "2",             "4",     "4",     "irc,str/4", "irc,str/4", "irc,str/4", "tld,irc,str/4" },
	/* TO+  */ { "-",     "-",         "-",         "-",             "str/4", "str/5", "scr/6",     "scr/6",     "scr/8",     "-" },
	/* TO-  */ { "-",     "-",         "-",         "-",             "tlf/2", "tlf/3", "tlf/3p",    "tlf/3p",    "tlf/3p",    "-" },
	/* RCR+ */ { "-",     "-",         "sta/2",     "irc,scr,sca/8", "4",     "5",     "sca/8",     "sca,tlu/9", "sca/8",     "tld,scr,sca/8" },
	/* RCR- */ { "-",     "-",         "sta/2",     "irc,scr,scn/6", "4",     "5",     "scn/6",     "scn/7",     "scn/6",     "tld,scr,scn/6" },
	/* RCA  */ { "-",     "-",         "sta/2",     "sta/3",         "4",     "5",     "irc/7",     "scr/6x",    "irc,tlu/9", "tld,scr/6x" },
	/* RCN  */ { "-",     "-",         "sta/2",     "sta/3",         "4",     "5",     "irc,scr/6", "scr/6x",    "irc,scr/8", "tld,scr/6x" },
	/* RTR  */ { "-",     "-",         "sta/2",     "sta/3",         "sta/4", "sta/5", "sta/6",     "sta/6",     "sta/6",     "tld,zrc,sta/5" },
	/* RTA  */ { "-",     "-",         "2",         "3",             "tlf/2", "tlf/3", "6",         "6",         "8",         "tld,scr/6" },
	/* RUC  */ { "-",     "-",         "scj/2",     "scj/3",         "scj/4", "scj/5", "scj/6",     "scj/7",     "scj/8",     "scj/9" },
	/* RXJ+ */ { "-",     "-",         "2",         "3",             "4",     "5",     "6",         "6",         "8",         "9" },
	/* RXJ- */ { "-",     "-",         "tlf/2",     "tlf/3",         "tlf/2", "tlf/3", "tlf/3",     "tlf/3",     "tlf/3",     "tld,irc,str/5" },
	/* RXR  */ { "-",     "-",         "2",         "3",             "4",     "5",     "6",         "7",         "8",         "ser/9" },
};

/* A recording protocol. */
struct rec {
	char actions[128];
	char effects[128];	/* what the actions did, observed from hooks */
	uint8_t sent_codes[16];
	uint8_t sent_ids[16];
	size_t nsent;
	int illegal;
	int malformed[PPP_BAD_NREASONS];
	uint64_t now;
	uint8_t conf_req_verdict;
	bool last_reject_naks;
	int nak_calls, rej_calls;
	uint8_t opts[8];
	size_t opts_len;
};

static void add(char *buf, size_t cap, const char *s)
{
	if (buf[0])
		strncat(buf, ",", cap - strlen(buf) - 1);
	strncat(buf, s, cap - strlen(buf) - 1);
}

static size_t r_build(void *ctx, uint8_t *buf, size_t cap)
{
	struct rec *r = ctx;

	memcpy(buf, r->opts, r->opts_len);
	return r->opts_len;
}

static uint8_t r_recv_conf_req(void *ctx, const uint8_t *opts, size_t len,
			       bool reject_naks, uint8_t *out, size_t cap,
			       size_t *out_len)
{
	struct rec *r = ctx;

	r->last_reject_naks = reject_naks;
	*out_len = 0;
	return r->conf_req_verdict;
}

static int r_nak(void *ctx, const uint8_t *o, size_t l)
{
	((struct rec *)ctx)->nak_calls++;
	return 0;
}

static int r_rej(void *ctx, const uint8_t *o, size_t l)
{
	((struct rec *)ctx)->rej_calls++;
	return 0;
}

static void r_tlu(void *ctx) { struct rec *r = ctx; add(r->effects, sizeof(r->effects), "tlu"); }
static void r_tld(void *ctx) { struct rec *r = ctx; add(r->effects, sizeof(r->effects), "tld"); }
static void r_tls(void *ctx) { struct rec *r = ctx; add(r->effects, sizeof(r->effects), "tls"); }
static void r_tlf(void *ctx) { struct rec *r = ctx; add(r->effects, sizeof(r->effects), "tlf"); }

static int r_classify(void *ctx, uint8_t code, const uint8_t *d, size_t l)
{
	return code == 9 ? PPP_FSM_RXR : PPP_FSM_RUC;
}

static void r_ser(void *ctx, uint8_t code, uint8_t id, const uint8_t *p,
		  size_t l)
{
	struct rec *r = ctx;

	add(r->effects, sizeof(r->effects), "ser");
}

static void r_send(void *ctx, uint16_t proto, const uint8_t *pkt, size_t len)
{
	struct rec *r = ctx;
	static const char *const names[] = { "?", "scr", "sca", "scn", "scn",
					     "str", "sta", "scj" };

	assert_true(len >= 4);
	assert_int_equal((pkt[2] << 8 | pkt[3]), (int)len);
	if (r->nsent < 16) {
		r->sent_codes[r->nsent] = pkt[0];
		r->sent_ids[r->nsent] = pkt[1];
	}
	r->nsent++;
	add(r->effects, sizeof(r->effects), pkt[0] <= 7 ? names[pkt[0]] : "?");
}

static uint64_t r_now(void *ctx) { return ((struct rec *)ctx)->now; }

static void r_malformed(void *ctx, enum ppp_malformed why)
{
	struct rec *r = ctx;

	r->malformed[why]++;
	if (why == PPP_BAD_ILLEGAL_EVENT)
		r->illegal++;
}

static void r_trace(void *ctx, const struct ppp_fsm *f, int ev, unsigned a,
		    int from, int to)
{
	struct rec *r = ctx;

	if (a)
		add(r->actions, sizeof(r->actions), ppp_fsm_action_name(a));
}

static const struct ppp_fsm_ops rec_ops = {
	.protocol = 0xC021,
	.name = "test",
	.build_conf_req = r_build,
	.recv_conf_req = r_recv_conf_req,
	.recv_conf_nak = r_nak,
	.recv_conf_rej = r_rej,
	.layer_up = r_tlu,
	.layer_down = r_tld,
	.layer_started = r_tls,
	.layer_finished = r_tlf,
	.classify_other = r_classify,
	.send_echo_reply = r_ser,
	.send = r_send,
	.now = r_now,
	.malformed = r_malformed,
	.trace = r_trace,
};

static void setup_fsm(struct ppp_fsm *f, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	r->now = 1000;
	r->conf_req_verdict = 2;
	ppp_fsm_init(f, &rec_ops, r, 3000, 10, 2, 5);
}

static bool timer_state(int s)
{
	return s == PPP_FSM_CLOSING || s == PPP_FSM_STOPPING ||
	       s == PPP_FSM_REQ_SENT || s == PPP_FSM_ACK_RCVD ||
	       s == PPP_FSM_ACK_SENT;
}

/* The "effects" expected from an RFC cell's action list: the layer hooks
 * and packets it implies (irc/zrc send nothing). */
static void expected_effects(const char *acts, char *out, size_t cap)
{
	char tmp[128];
	char *save = NULL;

	out[0] = '\0';
	snprintf(tmp, sizeof(tmp), "%s", acts);
	for (char *t = strtok_r(tmp, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "irc") || !strcmp(t, "zrc"))
			continue;
		add(out, cap, t);
	}
}

static void test_every_cell_matches_rfc1661_table(void **state)
{
	for (int ev = 0; ev < PPP_FSM_NEVENTS; ev++) {
		for (int st = 0; st < PPP_FSM_NSTATES; st++) {
			const char *cell = rfc_table[ev][st];
			struct ppp_fsm f;
			struct rec r;
			struct ppp_fsm_rx rx;
			uint8_t pkt[8] = { 9, 42, 0, 8, 0, 0, 0, 0 };
			char want_actions[64] = "", want_effects[128];
			int want_next;
			const char *slash;

			setup_fsm(&f, &r);
			f.state = (uint8_t)st;
			f.restart_count = 3;
			f.deadline = timer_state(st) ? 4000 : 0;
			memset(&rx, 0, sizeof(rx));
			rx.code = 9;
			rx.id = 42;
			rx.pkt = pkt;
			rx.pkt_len = sizeof(pkt);
			rx.reply_code = ev == PPP_FSM_RCR_MINUS ? 3 : 2;
			ppp_fsm_dispatch(&f, (enum ppp_fsm_event)ev, &rx);

			if (!strcmp(cell, "-")) {
				assert_int_equal(r.illegal, 1);
				assert_int_equal(f.state, st);
				assert_string_equal(r.actions, "");
				assert_int_equal(r.nsent, 0);
				continue;
			}
			slash = strchr(cell, '/');
			if (slash) {
				snprintf(want_actions, sizeof(want_actions),
					 "%.*s", (int)(slash - cell), cell);
				want_next = slash[1] - '0';
			} else {
				want_next = cell[0] - '0';
			}
			if (strcmp(r.actions, want_actions) || f.state != want_next)
				fail_msg("%s in %s: got \"%s\"/%d, RFC says %s",
					 ppp_fsm_event_name(ev),
					 ppp_fsm_state_name(st), r.actions,
					 f.state, cell);
			expected_effects(want_actions, want_effects,
					 sizeof(want_effects));
			assert_string_equal(r.effects, want_effects);
			assert_int_equal(r.illegal, 0);
			/* RFC 1661 4.6: the timer runs exactly in these. */
			assert_int_equal(f.deadline != 0, timer_state(f.state));
		}
	}
}

static void test_irc_uses_max_terminate_before_str_and_max_configure_before_scr(void **state)
{
	struct ppp_fsm f;
	struct rec r;

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	/* irc = Max-Configure (10), then scr decrements. */
	assert_int_equal(f.restart_count, 9);
	ppp_fsm_close(&f);
	/* irc = Max-Terminate (2), then str decrements. */
	assert_int_equal(f.restart_count, 1);
	assert_int_equal(f.state, PPP_FSM_CLOSING);
}

static void test_unanswered_requests_exhaust_the_restart_counter(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	size_t requests;

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	while (f.deadline) {
		r.now = f.deadline;
		ppp_fsm_timeout(&f);
	}
	requests = 0;
	for (size_t i = 0; i < r.nsent && i < 16; i++)
		requests += r.sent_codes[i] == 1;
	assert_int_equal(r.nsent, 10);	/* Max-Configure requests */
	assert_int_equal(requests, 10);
	assert_int_equal(f.state, PPP_FSM_STOPPED);
	assert_string_equal(r.effects + strlen(r.effects) - 3, "tlf");
	/* 10 requests 3 s apart, then one more period before giving up */
	assert_int_equal(r.now, 1000 + 10 * 3000);
}

static void test_each_request_gets_a_fresh_identifier(void **state)
{
	struct ppp_fsm f;
	struct rec r;

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.now = f.deadline;
	ppp_fsm_timeout(&f);
	assert_int_equal(r.nsent, 2);
	assert_int_not_equal(r.sent_ids[0], r.sent_ids[1]);
	assert_int_equal(f.id, r.sent_ids[1]);
}

static void test_naks_turn_into_rejects_after_max_failure(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[4] = { 1, 7, 0, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.conf_req_verdict = 3;	/* always Nak */
	for (int i = 0; i < 5; i++) {
		req[1] = (uint8_t)i;
		ppp_fsm_input(&f, req, sizeof(req));
		assert_false(r.last_reject_naks);
	}
	req[1] = 5;	/* a new round: a new Identifier (RFC 1661 5.1) */
	ppp_fsm_input(&f, req, sizeof(req));
	assert_true(r.last_reject_naks);	/* RFC 1661 4.6 Max-Failure */
}

static void test_retransmitted_request_is_answered_but_not_counted_as_a_failure(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[10] = { 1, 9, 0, 10, 3, 6, 0, 0, 0, 0 };	/* IP-Address 0.0.0.0 */

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.conf_req_verdict = 3;	/* always Nak */
	/* A LAC under load resends its request (same Identifier, same
	 * options) many times before our Nak reaches it. */
	for (int i = 0; i < 12; i++) {	/* > Max-Failure (5); sent_ids holds 16 */
		size_t before = r.nsent;

		ppp_fsm_input(&f, req, sizeof(req));
		assert_false(r.last_reject_naks);
		assert_int_equal(r.nsent, before + 1);	/* each one answered */
		assert_int_equal(r.sent_codes[r.nsent - 1], PPP_CONF_NAK);
		assert_int_equal(r.sent_ids[r.nsent - 1], 9);
	}
	assert_int_equal(f.nak_count, 1);
}

static void test_reused_identifier_with_new_options_counts_as_a_new_round(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[10] = { 1, 9, 0, 10, 3, 6, 0, 0, 0, 0 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.conf_req_verdict = 3;
	for (int i = 0; i < 5; i++) {
		req[9] = (uint8_t)i;	/* options change, Identifier does not */
		ppp_fsm_input(&f, req, sizeof(req));
		assert_false(r.last_reject_naks);
	}
	req[9] = 5;
	ppp_fsm_input(&f, req, sizeof(req));
	assert_true(r.last_reject_naks);
}

static void test_reply_with_a_stale_identifier_is_discarded(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t ack[4] = { 2, 0, 0, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	ack[1] = (uint8_t)(f.id + 1);
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_REQ_SENT);
	assert_int_equal(r.malformed[PPP_BAD_ID_MISMATCH], 1);
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_ACK_RCVD);
}

static void test_ack_with_options_other_than_requested_is_discarded(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t ack[8] = { 2, 0, 0, 8, 1, 4, 0x05, 0x78 };

	setup_fsm(&f, &r);
	r.opts[0] = 1; r.opts[1] = 4; r.opts[2] = 0x05; r.opts[3] = 0x79;
	r.opts_len = 4;
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(r.malformed[PPP_BAD_ACK_MISMATCH], 1);
	assert_int_equal(f.state, PPP_FSM_REQ_SENT);
	ack[7] = 0x79;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_ACK_RCVD);
}

static void test_truncated_and_overlong_headers_are_counted_not_read(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t shortpkt[3] = { 1, 1, 0 };
	uint8_t lenshort[4] = { 1, 1, 0, 3 };
	uint8_t lenpast[6] = { 1, 1, 0, 9, 1, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.nsent = 0;
	ppp_fsm_input(&f, shortpkt, sizeof(shortpkt));
	ppp_fsm_input(&f, lenshort, sizeof(lenshort));
	ppp_fsm_input(&f, lenpast, sizeof(lenpast));
	assert_int_equal(r.malformed[PPP_BAD_HEADER_TRUNCATED], 1);
	assert_int_equal(r.malformed[PPP_BAD_LENGTH_SHORT], 1);
	assert_int_equal(r.malformed[PPP_BAD_LENGTH_PAST_FRAME], 1);
	assert_int_equal(r.nsent, 0);
	assert_int_equal(f.state, PPP_FSM_REQ_SENT);
}

static void test_octets_past_the_length_field_are_padding(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t term[8] = { 5, 9, 0, 4, 0xde, 0xad, 0xbe, 0xef };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.nsent = 0;
	ppp_fsm_input(&f, term, sizeof(term));
	assert_int_equal(r.nsent, 1);
	assert_int_equal(r.sent_codes[0], 6);	/* Terminate-Ack */
	assert_int_equal(r.sent_ids[0], 9);
}

static void test_unknown_code_is_code_rejected_without_disturbing_the_request_id(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t odd[4] = { 0x42, 3, 0, 4 };
	uint8_t id;

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	id = f.id;
	r.nsent = 0;
	ppp_fsm_input(&f, odd, sizeof(odd));
	assert_int_equal(r.nsent, 1);
	assert_int_equal(r.sent_codes[0], 7);
	assert_int_equal(r.malformed[PPP_BAD_UNKNOWN_CODE], 1);
	assert_int_equal(f.id, id);
}

static void test_code_reject_of_a_basic_code_is_catastrophic(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t cj_basic[8] = { 7, 1, 0, 8, 1, 1, 0, 4 };
	uint8_t cj_ext[8] = { 7, 2, 0, 8, 9, 1, 0, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	ppp_fsm_input(&f, cj_ext, sizeof(cj_ext));	/* RXJ+ */
	assert_int_equal(f.state, PPP_FSM_REQ_SENT);
	ppp_fsm_input(&f, cj_basic, sizeof(cj_basic));	/* RXJ- */
	assert_int_equal(f.state, PPP_FSM_STOPPED);
}

static void test_restart_timer_stops_when_opened(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[4] = { 1, 5, 0, 4 };
	uint8_t ack[4] = { 2, 0, 0, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	assert_int_equal(f.deadline, 1000 + 3000);
	ppp_fsm_input(&f, req, sizeof(req));
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_OPENED);
	assert_int_equal(f.deadline, 0);
	assert_string_equal(r.effects, "tls,scr,sca,tlu");
}

/* Opened through one request each way: ours Acked, the peer's (id 5,
 * IP-Address 0.0.0.0) Acked. */
static void open_with_peer_request(struct ppp_fsm *f, struct rec *r,
				   uint8_t *req, size_t req_len)
{
	uint8_t ack[4] = { 2, 0, 0, 4 };

	setup_fsm(f, r);
	ppp_fsm_open(f);
	ppp_fsm_up(f);
	ppp_fsm_input(f, req, req_len);
	ack[1] = f->id;
	ppp_fsm_input(f, ack, sizeof(ack));
	assert_int_equal(f->state, PPP_FSM_OPENED);
	r->effects[0] = '\0';
	r->nsent = 0;
}

static void test_duplicated_ack_in_opened_does_not_renegotiate(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[10] = { 1, 5, 0, 10, 3, 6, 0, 0, 0, 0 };
	uint8_t ack[4] = { 2, 0, 0, 4 };

	open_with_peer_request(&f, &r, req, sizeof(req));
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));	/* the same Ack, again */
	assert_int_equal(f.state, PPP_FSM_OPENED);
	assert_string_equal(r.effects, "");
	assert_int_equal(r.nsent, 0);
	assert_int_equal(r.malformed[PPP_BAD_ID_MISMATCH], 1);
}

static void test_duplicated_ack_in_ack_rcvd_is_dropped(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t ack[4] = { 2, 0, 0, 4 };

	setup_fsm(&f, &r);
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_ACK_RCVD);
	ppp_fsm_input(&f, ack, sizeof(ack));	/* the table: scr/Req-Sent */
	assert_int_equal(f.state, PPP_FSM_ACK_RCVD);
	assert_int_equal(r.nsent, 1);		/* our one request */
}

static void test_repeated_request_in_opened_gets_the_same_ack(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[10] = { 1, 5, 0, 10, 3, 6, 0, 0, 0, 0 };

	open_with_peer_request(&f, &r, req, sizeof(req));
	/* our Ack was lost and the peer resends (or the network
	 * duplicated it): the Ack again, no renegotiation */
	ppp_fsm_input(&f, req, sizeof(req));
	assert_int_equal(f.state, PPP_FSM_OPENED);
	assert_string_equal(r.effects, "sca");	/* and no tld */
	assert_int_equal(r.nsent, 1);
	assert_int_equal(r.sent_codes[0], PPP_CONF_ACK);
	assert_int_equal(r.sent_ids[0], 5);
}

static void test_new_request_in_opened_still_renegotiates(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t req[10] = { 1, 5, 0, 10, 3, 6, 0, 0, 0, 0 };

	open_with_peer_request(&f, &r, req, sizeof(req));
	req[1] = 6;	/* RFC 1661 5.1: a new request, a new Identifier */
	ppp_fsm_input(&f, req, sizeof(req));
	assert_int_equal(f.state, PPP_FSM_ACK_SENT);
	assert_string_equal(r.effects, "tld,scr,sca");
	req[1] = 5;	/* the same Identifier with other options: new too */
	req[9] = 1;
	open_with_peer_request(&f, &r, (uint8_t[]){ 1, 5, 0, 10, 3, 6, 0, 0, 0, 0 }, 10);
	ppp_fsm_input(&f, req, sizeof(req));
	assert_string_equal(r.effects, "tld,scr,sca");
}

static void test_kept_identifier_changes_once_a_reply_came(void **state)
{
	struct ppp_fsm f;
	struct rec r;
	uint8_t ack[4] = { 2, 0, 0, 4 };

	setup_fsm(&f, &r);
	f.keep_id_on_retransmit = true;
	ppp_fsm_open(&f);
	ppp_fsm_up(&f);
	r.now = f.deadline;
	ppp_fsm_timeout(&f);		/* no reply: the same Identifier */
	assert_int_equal(r.nsent, 2);
	assert_int_equal(r.sent_ids[1], r.sent_ids[0]);
	ack[1] = f.id;
	ppp_fsm_input(&f, ack, sizeof(ack));
	assert_int_equal(f.state, PPP_FSM_ACK_RCVD);
	r.now = f.deadline;
	ppp_fsm_timeout(&f);		/* RFC 1661 5.1: a reply came: a new one */
	assert_int_equal(r.nsent, 3);
	assert_int_not_equal(r.sent_ids[2], r.sent_ids[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cell_matches_rfc1661_table),
		cmocka_unit_test(test_irc_uses_max_terminate_before_str_and_max_configure_before_scr),
		cmocka_unit_test(test_unanswered_requests_exhaust_the_restart_counter),
		cmocka_unit_test(test_each_request_gets_a_fresh_identifier),
		cmocka_unit_test(test_kept_identifier_changes_once_a_reply_came),
		cmocka_unit_test(test_duplicated_ack_in_opened_does_not_renegotiate),
		cmocka_unit_test(test_duplicated_ack_in_ack_rcvd_is_dropped),
		cmocka_unit_test(test_repeated_request_in_opened_gets_the_same_ack),
		cmocka_unit_test(test_new_request_in_opened_still_renegotiates),
		cmocka_unit_test(test_naks_turn_into_rejects_after_max_failure),
		cmocka_unit_test(test_retransmitted_request_is_answered_but_not_counted_as_a_failure),
		cmocka_unit_test(test_reused_identifier_with_new_options_counts_as_a_new_round),
		cmocka_unit_test(test_reply_with_a_stale_identifier_is_discarded),
		cmocka_unit_test(test_ack_with_options_other_than_requested_is_discarded),
		cmocka_unit_test(test_truncated_and_overlong_headers_are_counted_not_read),
		cmocka_unit_test(test_octets_past_the_length_field_are_padding),
		cmocka_unit_test(test_unknown_code_is_code_rejected_without_disturbing_the_request_id),
		cmocka_unit_test(test_code_reject_of_a_basic_code_is_catastrophic),
		cmocka_unit_test(test_restart_timer_stops_when_opened),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
