/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The client's seam for an EAP method outside ppp-core
 * (ppp_config.client_eap): which Requests are offered to it, what it is
 * given (Identifier, Type, the Type-Data bounded by the EAP Length), how
 * its answer goes out, and the legacy Nak (RFC 3748 5.3.1) when it
 * declines, overflows, or is not the type asked for.  The link is brought
 * up to the authentication phase with EAP by the in-memory pair; the
 * Requests are then fed to the client as raw frames.
 */
#include "harness.h"

static const enum ppp_auth_method only_eap[] = { PPP_AUTH_EAP };

static struct endpoint srv, cli;

/* What the method saw and will answer. */
struct fake_method {
	int calls;
	void *ctx;
	struct ppp_eap_method_request req;
	uint8_t data[PPP_MAX_FRAME];
	size_t cap;
	int answer;		/* -1 decline, else this many octets of 0xA5 */
};

static struct fake_method fm;
static struct ppp_eap_method method;

static int fake_respond(void *opaque, void *ctx,
			const struct ppp_eap_method_request *req,
			uint8_t *out, size_t cap)
{
	struct fake_method *f = opaque;

	f->calls++;
	f->ctx = ctx;
	f->req = *req;
	assert_true(req->len <= sizeof(f->data));
	if (req->len)
		memcpy(f->data, req->data, req->len);
	f->req.data = f->data;
	f->cap = cap;
	if (f->answer > 0)
		memset(out, 0xA5, (size_t)f->answer);
	return f->answer;
}

static int setup(void **state)
{
	(void)state;
	memset(&fm, 0, sizeof(fm));
	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	method.type = 25;	/* PEAP */
	method.respond = fake_respond;
	method.success_ok = NULL;
	method.opaque = &fm;
	cli.cfg.client_eap = &method;
	srv.mode = AUTH_DEFER;
	return 0;
}

/* Up to the authentication phase with EAP, the Identity exchanged. */
static void to_auth(uint64_t *now)
{
	connect_pair(&srv, &cli, only_eap, 1, now);
	assert_int_equal(cli.s.phase, PPP_PHASE_AUTHENTICATE);
	cli.nout = 0;
}

/* Feed an EAP packet to the client; return its Response (or NULL). */
static const uint8_t *request(uint64_t now, const uint8_t *pkt, size_t len)
{
	uint8_t f[PPP_MAX_FRAME + 8] = { 0xFF, 0x03, 0xC2, 0x27 };
	const struct frame *r;

	assert_true(len + 4 <= sizeof(f));
	memcpy(f + 4, pkt, len);
	cli.nout = 0;
	feed(&cli, now, f, len + 4);
	r = find_sent(&cli, PPP_PROTO_EAP, 2);
	return r ? frame_pkt(r) : NULL;
}

static void test_a_request_of_the_method_type_is_answered_by_the_method(void **state)
{
	uint64_t now = 1000;
	/* PEAP Start: flags S|version 0 (draft-kamath-pppext-peapv0 3.1) */
	static const uint8_t start[] = { 1, 0x42, 0, 6, 25, 0x20 };
	const uint8_t *r;

	(void)state;
	to_auth(&now);
	fm.answer = 3;
	r = request(now, start, sizeof(start));
	assert_int_equal(fm.calls, 1);
	assert_ptr_equal(fm.ctx, &cli);		/* the session's ctx */
	assert_int_equal(fm.req.id, 0x42);
	assert_int_equal(fm.req.type, 25);
	assert_int_equal(fm.req.len, 1);
	assert_int_equal(fm.data[0], 0x20);
	/* the peer's MRU (1400, ours in the harness) less header and Type */
	assert_int_equal(fm.cap, cli.s.lcp_st.peer_mru - 5);
	assert_non_null(r);
	assert_int_equal(r[1], 0x42);
	assert_int_equal(r[2] << 8 | r[3], 4 + 1 + 3);
	assert_int_equal(r[4], 25);
	assert_int_equal(r[5], 0xA5);
	assert_int_equal(r[7], 0xA5);
}

static void test_an_empty_answer_is_a_response_with_the_type_alone(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 7, 0, 6, 25, 0x00 };
	const uint8_t *r;

	(void)state;
	to_auth(&now);
	fm.answer = 0;
	r = request(now, req, sizeof(req));
	assert_non_null(r);
	assert_int_equal(r[2] << 8 | r[3], 5);
	assert_int_equal(r[4], 25);
}

static void test_a_declining_method_is_answered_with_a_nak(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 9, 0, 6, 25, 0x20 };
	const uint8_t *r;

	(void)state;
	to_auth(&now);
	fm.answer = -1;
	r = request(now, req, sizeof(req));
	assert_int_equal(fm.calls, 1);
	assert_non_null(r);
	assert_int_equal(r[1], 9);
	assert_int_equal(r[2] << 8 | r[3], 6);
	assert_int_equal(r[4], 3);	/* Nak */
	/* a peer set to one method proposes no other (RFC 3748 5.3.1) */
	assert_int_equal(r[5], 0);
}

/* A peer set to PEAP does not answer MD5-Challenge: that would hand a
 * hash of the password to whoever asks (RFC 3748 7.8). It Naks
 * proposing its own method, as Windows does. */
static void test_md5_is_naked_by_a_peer_set_to_its_method(void **state)
{
	uint64_t now = 1000;
	static const uint8_t md5[] = { 1, 5, 0, 22, 4, 16, '0', '1', '2', '3', '4', '5',
				       '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f' };
	const uint8_t *r;

	(void)state;
	to_auth(&now);
	r = request(now, md5, sizeof(md5));
	assert_int_equal(fm.calls, 0);
	assert_non_null(r);
	assert_int_equal(r[2] << 8 | r[3], 6);
	assert_int_equal(r[4], 3);	/* Nak */
	assert_int_equal(r[5], 25);	/* PEAP */
}

static int overclaim_respond(void *opaque, void *ctx,
			     const struct ppp_eap_method_request *req,
			     uint8_t *out, size_t cap)
{
	(void)opaque;
	(void)ctx;
	(void)req;
	(void)out;
	return (int)cap + 1;	/* says more than it may have written */
}

static void test_a_method_claiming_more_than_cap_gets_a_nak(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 9, 0, 6, 25, 0x20 };
	const uint8_t *r;

	(void)state;
	method.respond = overclaim_respond;
	to_auth(&now);
	r = request(now, req, sizeof(req));
	assert_non_null(r);
	assert_int_equal(r[2] << 8 | r[3], 6);
	assert_int_equal(r[4], 3);
}

static void test_another_type_is_naked_proposing_the_methods_type(void **state)
{
	uint64_t now = 1000;
	/* EAP-TLS Start (RFC 5216 3.2) while we speak PEAP */
	static const uint8_t tls[] = { 1, 3, 0, 6, 13, 0x20 };
	const uint8_t *r;

	(void)state;
	to_auth(&now);
	r = request(now, tls, sizeof(tls));
	assert_int_equal(fm.calls, 0);
	assert_non_null(r);
	assert_int_equal(r[4], 3);
	assert_int_equal(r[5], 25);
}

static void test_identity_and_md5_stay_with_the_core(void **state)
{
	uint64_t now = 1000;
	static const uint8_t ident[] = { 1, 4, 0, 5, 1 };
	static const uint8_t md5[] = { 1, 5, 0, 22, 4, 16, '0', '1', '2', '3', '4', '5',
				       '6', '7', '8', '9', 'a', 'b', 'c', 'd', 'e', 'f' };
	const uint8_t *r;

	(void)state;
	method.type = 0;	/* any type the core does not handle */
	to_auth(&now);
	r = request(now, ident, sizeof(ident));
	assert_non_null(r);
	assert_int_equal(r[4], 1);
	assert_memory_equal(r + 5, "alice", 5);
	r = request(now, md5, sizeof(md5));
	assert_non_null(r);
	assert_int_equal(r[4], 4);
	assert_int_equal(fm.calls, 0);
}

static void test_type_zero_offers_every_unknown_type(void **state)
{
	uint64_t now = 1000;
	static const uint8_t tls[] = { 1, 3, 0, 6, 13, 0x20 };
	static const uint8_t nak_as_request[] = { 1, 4, 0, 6, 3, 4 };
	const uint8_t *r;

	(void)state;
	method.type = 0;
	to_auth(&now);
	fm.answer = 0;
	r = request(now, tls, sizeof(tls));
	assert_int_equal(fm.calls, 1);
	assert_int_equal(fm.req.type, 13);
	assert_non_null(r);
	assert_int_equal(r[4], 13);
	/* Nak exists only as a Response (RFC 3748 5.3): not offered */
	r = request(now, nak_as_request, sizeof(nak_as_request));
	assert_int_equal(fm.calls, 1);
	assert_non_null(r);
	assert_int_equal(r[4], 3);
	assert_int_equal(r[5], 4);
}

static void test_type_data_ends_at_the_eap_length_not_the_frame(void **state)
{
	uint64_t now = 1000;
	/* Length says 7: two octets of Type-Data; the frame has padding */
	static const uint8_t padded[] = { 1, 8, 0, 7, 25, 0x01, 0x02, 0xEE, 0xEE, 0xEE };

	(void)state;
	to_auth(&now);
	fm.answer = 0;
	assert_non_null(request(now, padded, sizeof(padded)));
	assert_int_equal(fm.calls, 1);
	assert_int_equal(fm.req.len, 2);
	assert_int_equal(fm.data[0], 0x01);
	assert_int_equal(fm.data[1], 0x02);
}

static void test_malformed_requests_never_reach_the_method(void **state)
{
	uint64_t now = 1000;
	static const uint8_t past_frame[] = { 1, 8, 0, 40, 25, 0x20 };
	static const uint8_t no_type[] = { 1, 8, 0, 4 };
	static const uint8_t short_len[] = { 1, 8, 0, 3, 25 };
	static const uint8_t truncated[] = { 1, 8, 0 };
	uint32_t before;

	(void)state;
	to_auth(&now);
	before = cli.s.stats.malformed[PPP_BAD_LENGTH_PAST_FRAME];
	assert_null(request(now, past_frame, sizeof(past_frame)));
	assert_int_equal(cli.s.stats.malformed[PPP_BAD_LENGTH_PAST_FRAME], before + 1);
	assert_null(request(now, no_type, sizeof(no_type)));
	assert_null(request(now, short_len, sizeof(short_len)));
	assert_null(request(now, truncated, sizeof(truncated)));
	assert_int_equal(fm.calls, 0);
}

static void test_success_after_the_method_completes_the_login(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 0x10, 0, 6, 25, 0x20 };
	static const uint8_t success[] = { 3, 0x10, 0, 4 };
	const struct rec_event *e;

	(void)state;
	to_auth(&now);
	fm.answer = 1;
	assert_non_null(request(now, req, sizeof(req)));
	assert_null(request(now, success, sizeof(success)));
	e = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);
	assert_non_null(e);
	assert_true(e->ev.u.auth_result.success);
}

static bool method_done;

static bool fake_success_ok(void *opaque, void *ctx)
{
	(void)opaque;
	assert_ptr_equal(ctx, &cli);
	return method_done;
}

static void test_a_success_before_the_method_is_done_is_refused(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 0x10, 0, 6, 25, 0x20 };
	static const uint8_t success[] = { 3, 0x10, 0, 4 };
	const struct rec_event *e;

	(void)state;
	method.success_ok = fake_success_ok;
	method_done = false;
	to_auth(&now);
	fm.answer = 1;
	assert_non_null(request(now, req, sizeof(req)));
	assert_null(request(now, success, sizeof(success)));
	e = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);
	assert_non_null(e);
	assert_false(e->ev.u.auth_result.success);
	assert_int_equal(e->ev.u.auth_result.code, PPP_AUTH_FAIL_CREDENTIALS);
	assert_int_not_equal(cli.s.phase, PPP_PHASE_NETWORK);
}

static void test_a_success_after_the_method_is_done_is_taken(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 0x10, 0, 6, 25, 0x20 };
	static const uint8_t success[] = { 3, 0x10, 0, 4 };
	const struct rec_event *e;

	(void)state;
	method.success_ok = fake_success_ok;
	method_done = true;
	to_auth(&now);
	fm.answer = 1;
	assert_non_null(request(now, req, sizeof(req)));
	assert_null(request(now, success, sizeof(success)));
	e = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);
	assert_non_null(e);
	assert_true(e->ev.u.auth_result.success);
}

static void test_without_a_method_the_client_naks_as_before(void **state)
{
	uint64_t now = 1000;
	static const uint8_t req[] = { 1, 9, 0, 6, 25, 0x20 };
	const uint8_t *r;

	(void)state;
	cli.cfg.client_eap = NULL;
	to_auth(&now);
	r = request(now, req, sizeof(req));
	assert_non_null(r);
	assert_int_equal(r[4], 3);
	assert_int_equal(r[5], 4);
	assert_int_equal(fm.calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_a_request_of_the_method_type_is_answered_by_the_method, setup),
		cmocka_unit_test_setup(test_an_empty_answer_is_a_response_with_the_type_alone, setup),
		cmocka_unit_test_setup(test_a_declining_method_is_answered_with_a_nak, setup),
		cmocka_unit_test_setup(test_a_method_claiming_more_than_cap_gets_a_nak, setup),
		cmocka_unit_test_setup(test_another_type_is_naked_proposing_the_methods_type, setup),
		cmocka_unit_test_setup(test_identity_and_md5_stay_with_the_core, setup),
		cmocka_unit_test_setup(test_md5_is_naked_by_a_peer_set_to_its_method, setup),
		cmocka_unit_test_setup(test_type_zero_offers_every_unknown_type, setup),
		cmocka_unit_test_setup(test_type_data_ends_at_the_eap_length_not_the_frame, setup),
		cmocka_unit_test_setup(test_malformed_requests_never_reach_the_method, setup),
		cmocka_unit_test_setup(test_success_after_the_method_completes_the_login, setup),
		cmocka_unit_test_setup(test_a_success_before_the_method_is_done_is_refused, setup),
		cmocka_unit_test_setup(test_a_success_after_the_method_is_done_is_taken, setup),
		cmocka_unit_test_setup(test_without_a_method_the_client_naks_as_before, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
