/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One EAP conversation relayed to RADIUS (auth_radius_eap.h): the client's
 * Response relayed with the last Challenge's State, the Challenge's
 * Request handed on, the Response let go between round trips, malformed
 * answers refused, and both bounds (round trips, time on the server's
 * timer heap, injected).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth_radius_eap.h"

static struct server srv;
static uint64_t now_ms = 1000;
static int expired_calls;
static void *expired_ctx;

static uint64_t fake_now(void *ctx)
{
	(void)ctx;
	return now_ms;
}

static void no_alarm(void *ctx, uint64_t deadline)
{
	(void)ctx;
	(void)deadline;
}

static void on_expired(void *ctx, uint64_t now)
{
	(void)now;
	expired_calls++;
	expired_ctx = ctx;
}

static int setup(void **state)
{
	(void)state;
	memset(&srv, 0, sizeof(srv));
	timerheap_init(&srv.timers);
	srv.io.now_ms = fake_now;
	srv.io.arm_timer = no_alarm;
	now_ms = 1000;
	expired_calls = 0;
	expired_ctx = NULL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	timerheap_free(&srv.timers);
	return 0;
}

/* The heap's deadlines up to `at`, as the daemon's loop runs them. */
static void run_timers(uint64_t at)
{
	struct timer_node *n;

	now_ms = at;
	while ((n = timerheap_pop_expired(&srv.timers, at)) != NULL) {
		struct server_timer *t = container_of(n, struct server_timer, node);

		t->fn(t->ctx, at);
	}
}

static const uint8_t identity[] = { 2, 1, 0, 10, 1, 'a', 'l', 'i', 'c', 'e' };
static const uint8_t tls_response[] = { 2, 2, 0, 6, 13, 0 };

/* A server's answer, signed or not, with an EAP packet and a State. */
static uint8_t abuf[RADIUS_MAX_LEN];
static struct radius_packet answer_pkt(uint8_t code, bool msg_auth, const uint8_t *eap,
				       size_t eap_len, const char *state)
{
	static const uint8_t ra[16] = "request-auth-16o";
	struct radius_writer w;
	struct radius_packet p;
	size_t n;

	radius_begin(&w, abuf, sizeof(abuf), code, 1, ra);
	if (msg_auth)
		radius_put_message_authenticator(&w);
	if (state)
		radius_put_str(&w, RADIUS_STATE, state);
	for (size_t off = 0; off < eap_len; off += RADIUS_MAX_VALUE)
		radius_put(&w, RADIUS_EAP_MESSAGE, eap + off,
			   eap_len - off < RADIUS_MAX_VALUE ? eap_len - off : RADIUS_MAX_VALUE);
	n = radius_finish(&w, "s");
	assert_true(n > 0);
	assert_int_equal(radius_parse(abuf, n, &p), RADIUS_OK);
	return p;
}

/* The Access-Request the engine would send for the conversation now. */
static uint8_t rbuf[RADIUS_MAX_LEN];
static struct radius_packet request_pkt(const struct eap_relay *e)
{
	static const uint8_t ra[16] = "request-auth-16o";
	struct radius_nas_session s = { .user = "alice", .nas_identifier = "vpn1",
					.calling_station = "203.0.113.7" };
	struct radius_credentials c = { 0 };
	struct radius_writer w;
	struct radius_packet p;
	size_t n;

	eap_relay_credentials(e, &c);
	radius_begin(&w, rbuf, sizeof(rbuf), RADIUS_ACCESS_REQUEST, 1, ra);
	radius_put_message_authenticator(&w);
	assert_int_equal(radius_put_access_request(&w, &s, &c, "s"), 0);
	n = radius_finish(&w, "s");
	assert_true(n > 0);
	assert_int_equal(radius_parse(rbuf, n, &p), RADIUS_OK);
	return p;
}

static void the_identity_goes_out_without_state(void **state)
{
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	struct radius_packet p;
	struct radius_attr a;
	char why[128];

	(void)state;
	assert_non_null(e);
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = request_pkt(e);
	assert_true(radius_find(&p, RADIUS_EAP_MESSAGE, &a));
	assert_int_equal(a.len, sizeof(identity));
	assert_memory_equal(a.value, identity, sizeof(identity));
	assert_false(radius_find(&p, RADIUS_STATE, &a));
	/* RFC 3579 3.2: signed */
	assert_true(p.msg_auth != 0);
	eap_relay_free(e);
}

static void a_challenge_gives_the_request_and_its_state_is_echoed(void **state)
{
	static const uint8_t tls_start[] = { 1, 2, 0, 6, 13, 0x20 };
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_eap re;
	struct radius_packet p;
	struct radius_attr a;
	char why[128];

	(void)state;
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, tls_start, sizeof(tls_start), "state-one");
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(re.eap_len, sizeof(tls_start));
	assert_memory_equal(out, tls_start, sizeof(tls_start));
	/* between round trips: the State only, the Response let go */
	assert_null(e->response);
	assert_int_equal(e->state_len, 9);
	/* the next Response carries the State as the server sent it */
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), 0);
	p = request_pkt(e);
	assert_true(radius_find(&p, RADIUS_STATE, &a));
	assert_int_equal(a.len, 9);
	assert_memory_equal(a.value, "state-one", 9);
	assert_true(radius_find(&p, RADIUS_EAP_MESSAGE, &a));
	assert_memory_equal(a.value, tls_response, sizeof(tls_response));
	eap_relay_free(e);
}

static void a_new_challenge_replaces_the_state_and_a_challenge_without_one_clears_it(void **state)
{
	static const uint8_t req[] = { 1, 3, 0, 6, 13, 0 };
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_eap re;
	struct radius_packet p;
	struct radius_attr a;
	char why[128];

	(void)state;
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, req, sizeof(req), "first");
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, req, sizeof(req), "second");
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), 0);
	p = request_pkt(e);
	assert_true(radius_find(&p, RADIUS_STATE, &a));
	assert_memory_equal(a.value, "second", 6);
	/* RFC 2865 5.24: only the last Challenge's State is echoed */
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, req, sizeof(req), NULL);
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), 0);
	p = request_pkt(e);
	assert_false(radius_find(&p, RADIUS_STATE, &a));
	eap_relay_free(e);
}

static void a_long_request_is_joined_from_its_pieces(void **state)
{
	uint8_t req[1020], out[RADIUS_MAX_LEN];
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	struct radius_eap re;
	struct radius_packet p;
	char why[128];

	(void)state;
	/* an EAP-TLS fragment as FreeRADIUS sends them (fragment_size
	 * 1020): five EAP-Message attributes */
	for (size_t i = 0; i < sizeof(req); i++)
		req[i] = (uint8_t)(i * 13);
	req[0] = 1;
	req[1] = 4;
	req[2] = sizeof(req) >> 8;
	req[3] = sizeof(req) & 0xff;
	req[4] = 13;
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, req, sizeof(req), "s");
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(re.eap_len, sizeof(req));
	assert_memory_equal(out, req, sizeof(req));
	eap_relay_free(e);
}

static void an_unsigned_challenge_is_refused_and_the_response_let_go(void **state)
{
	static const uint8_t req[] = { 1, 2, 0, 6, 13, 0x20 };
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_eap re;
	struct radius_packet p;
	char why[128];

	(void)state;
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_CHALLENGE, false, req, sizeof(req), "st");
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Message-Authenticator"));
	assert_null(e->response);
	assert_null(e->state);
	eap_relay_free(e);
}

static void an_accept_hands_on_the_success(void **state)
{
	static const uint8_t success[] = { 3, 9, 0, 4 };
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_eap re;
	struct radius_packet p;
	char why[128];

	(void)state;
	assert_int_equal(eap_relay_response(e, identity, sizeof(identity), why, sizeof(why)), 0);
	p = answer_pkt(RADIUS_ACCESS_ACCEPT, true, success, sizeof(success), NULL);
	assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	assert_int_equal(re.eap_code, 3);
	assert_int_equal(re.eap_id, 9);
	eap_relay_free(e);
}

static void a_response_that_is_no_eap_packet_is_refused(void **state)
{
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	char why[128];

	(void)state;
	assert_int_equal(eap_relay_response(e, identity, 4, why, sizeof(why)), -1);
	assert_int_equal(eap_relay_response(e, NULL, 0, why, sizeof(why)), -1);
	eap_relay_free(e);
}

static void the_round_trips_are_bounded(void **state)
{
	static const uint8_t req[] = { 1, 2, 0, 6, 13, 0 };
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_eap re;
	struct radius_packet p;
	char why[128];

	(void)state;
	for (int i = 0; i < EAP_RELAY_MAX_ROUNDS; i++) {
		assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
						    sizeof(why)), 0);
		p = answer_pkt(RADIUS_ACCESS_CHALLENGE, true, req, sizeof(req), "s");
		assert_int_equal(eap_relay_answer(e, &p, out, &re, why, sizeof(why)), 0);
	}
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), -1);
	assert_non_null(strstr(why, "round trips"));
	eap_relay_free(e);
}

static void the_time_allowed_ends_on_the_heap(void **state)
{
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);
	char why[128];

	(void)state;
	run_timers(1000 + 29999);
	assert_int_equal(expired_calls, 0);
	run_timers(1000 + 30000);
	assert_int_equal(expired_calls, 1);
	assert_ptr_equal(expired_ctx, &srv);
	/* the provider marks a conversation whose client has the turn */
	e->expired = true;
	assert_int_equal(eap_relay_response(e, tls_response, sizeof(tls_response), why,
					    sizeof(why)), -1);
	assert_non_null(strstr(why, "ran out of time"));
	eap_relay_free(e);
}

static void a_conversation_let_go_leaves_no_timer(void **state)
{
	struct eap_relay *e = eap_relay_new(&srv, now_ms, 30000, on_expired, &srv);

	(void)state;
	assert_non_null(timerheap_peek(&srv.timers));
	eap_relay_free(e);
	assert_null(timerheap_peek(&srv.timers));
	run_timers(1000 + 60000);
	assert_int_equal(expired_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(the_identity_goes_out_without_state, setup, teardown),
		cmocka_unit_test_setup_teardown(a_challenge_gives_the_request_and_its_state_is_echoed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			a_new_challenge_replaces_the_state_and_a_challenge_without_one_clears_it, setup,
			teardown),
		cmocka_unit_test_setup_teardown(a_long_request_is_joined_from_its_pieces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(an_unsigned_challenge_is_refused_and_the_response_let_go,
						setup, teardown),
		cmocka_unit_test_setup_teardown(an_accept_hands_on_the_success, setup, teardown),
		cmocka_unit_test_setup_teardown(a_response_that_is_no_eap_packet_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(the_round_trips_are_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(the_time_allowed_ends_on_the_heap, setup, teardown),
		cmocka_unit_test_setup_teardown(a_conversation_let_go_leaves_no_timer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
