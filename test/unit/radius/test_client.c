/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RADIUS request engine (client.h) against in-memory servers: time is
 * a number the test moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "client.h"

static const char *SECRETS[] = { "first-secret", "second-secret" };

struct sent {
	unsigned server;
	uint8_t pkt[RADIUS_MAX_LEN];
	size_t len;
};

static struct {
	struct sent sent[64];
	unsigned n_sent;
	unsigned n_done;
	enum radius_result result;
	unsigned server;
	uint8_t code;
	void *cookie;
	uint8_t rnd;
} T;

static void on_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct sent *s = &T.sent[T.n_sent++ % 64];

	s->server = server;
	memcpy(s->pkt, pkt, len);
	s->len = len;
}

static int on_random(void *ctx, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(T.rnd++ * 37 + 11);
	return 0;
}

static void on_done(void *ctx, void *cookie, enum radius_result r, unsigned server,
		    const struct radius_packet *resp)
{
	T.n_done++;
	T.result = r;
	T.server = server;
	T.cookie = cookie;
	T.code = resp ? resp->code : 0;
}

static int build_user(void *cookie, struct radius_writer *w, const char *secret)
{
	radius_put_str(w, RADIUS_USER_NAME, "alice");
	radius_put_user_password(w, "Alice-Secret-1", 14, secret);
	return 0;
}

static struct radius_client *client(bool load_share)
{
	struct radius_client_config cfg = {
		.n_servers = 2, .secrets = { SECRETS[0], SECRETS[1] },
		.timeout_ms = 1000, .max_timeout_ms = 4000, .tries = 3, .dead_time_ms = 30000,
		.load_share = load_share, .require_message_authenticator = true,
	};
	struct radius_client_ops ops = { .send = on_send, .random = on_random, .done = on_done };

	memset(&T, 0, sizeof(T));
	return radius_client_new(&cfg, &ops);
}

/* What server `s` answers to sent packet k, signed with `secret`. */
static size_t answer(unsigned k, uint8_t code, const char *secret, bool msg_auth, uint8_t *out)
{
	struct radius_writer w;

	radius_begin(&w, out, RADIUS_MAX_LEN, code, T.sent[k].pkt[1], NULL);
	if (msg_auth)
		radius_put_message_authenticator(&w);
	radius_put_u32(&w, RADIUS_SESSION_TIMEOUT, 3600);
	return radius_finish_response(&w, secret, T.sent[k].pkt + 4);
}

static void the_first_server_answers(void **state)
{
	struct radius_client *c = client(false);
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_packet p;
	int cookie;

	assert_int_equal(radius_client_submit(c, 100, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	assert_int_equal(T.n_sent, 1);
	assert_int_equal(T.sent[0].server, 0);
	/* every Access-Request carries a Message-Authenticator */
	assert_int_equal(radius_parse(T.sent[0].pkt, T.sent[0].len, &p), RADIUS_OK);
	assert_true(p.msg_auth != 0);
	assert_int_equal(radius_client_next_timer(c), 1100);
	radius_client_input(c, 140, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 1);
	assert_int_equal(T.result, RADIUS_RESULT_RESPONSE);
	assert_int_equal(T.code, RADIUS_ACCESS_ACCEPT);
	assert_ptr_equal(T.cookie, &cookie);
	assert_int_equal(radius_client_stats(c, 0)->rtt_ms, 40);
	assert_int_equal(radius_client_next_timer(c), UINT64_MAX);
	radius_client_free(c);
}

static void a_retransmission_is_the_same_packet_later_each_time(void **state)
{
	struct radius_client *c = client(false);
	int cookie;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	radius_client_timer(c, 999);
	assert_int_equal(T.n_sent, 1);
	radius_client_timer(c, 1000);
	assert_int_equal(T.n_sent, 2);
	/* RFC 5080 2.2.1: same Identifier, same authenticator, same bytes */
	assert_int_equal(T.sent[1].len, T.sent[0].len);
	assert_memory_equal(T.sent[1].pkt, T.sent[0].pkt, T.sent[0].len);
	assert_int_equal(radius_client_next_timer(c), 3000);	/* doubled */
	assert_int_equal(radius_client_stats(c, 0)->retransmits, 1);
	radius_client_free(c);
}

static void a_silent_server_is_failed_over_marked_dead_and_probed(void **state)
{
	struct radius_client *c = client(false);
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_packet p;
	int cookie;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	radius_client_timer(c, 1000);		/* 2nd send */
	radius_client_timer(c, 3000);		/* 3rd send */
	assert_int_equal(T.n_sent, 3);
	radius_client_timer(c, 7000);		/* tries used up: server 1 */
	assert_false(radius_client_stats(c, 0)->alive);
	assert_int_equal(radius_client_stats(c, 0)->timeouts, 1);
	/* the request went to server 1, then a Status-Server probe to server 0 */
	assert_int_equal(T.n_sent, 5);
	assert_int_equal(T.sent[3].server, 1);
	assert_int_equal(radius_parse(T.sent[3].pkt, T.sent[3].len, &p), RADIUS_OK);
	assert_int_equal(p.code, RADIUS_ACCESS_REQUEST);
	assert_int_equal(T.sent[4].server, 0);
	assert_int_equal(T.sent[4].pkt[0], RADIUS_STATUS_SERVER);
	/* server 1 answers, with its own secret */
	radius_client_input(c, 7010, 1, buf, answer(3, RADIUS_ACCESS_REJECT, SECRETS[1], true, buf));
	assert_int_equal(T.n_done, 1);
	assert_int_equal(T.server, 1);
	assert_int_equal(T.code, RADIUS_ACCESS_REJECT);
	/* new requests now go to server 1 */
	assert_int_equal(radius_client_submit(c, 7100, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	assert_int_equal(T.sent[5].server, 1);
	/* the probe is answered: server 0 is alive again and first again */
	radius_client_input(c, 7200, 0, buf, answer(4, RADIUS_ACCESS_ACCEPT, SECRETS[0], true, buf));
	assert_true(radius_client_stats(c, 0)->alive);
	assert_int_equal(T.n_done, 1);		/* a probe's answer ends no request */
	assert_int_equal(radius_client_submit(c, 7300, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	assert_int_equal(T.sent[6].server, 0);
	radius_client_free(c);
}

/* RFC 6613 2.4 / RFC 6614 2.3: no retransmission over a reliable
 * transport. A RadSec server gets one send whatever `tries` says (3 here),
 * and the first timeout fails the request over to the next server. */
static void a_reliable_server_gets_one_try_then_the_next_server(void **state)
{
	struct radius_client_config cfg = {
		.n_servers = 2, .secrets = { SECRETS[0], SECRETS[1] },
		.timeout_ms = 1000, .max_timeout_ms = 4000, .tries = 3, .dead_time_ms = 30000,
		.reliable = { true, false }, .require_message_authenticator = true,
	};
	struct radius_client_ops ops = { .send = on_send, .random = on_random, .done = on_done };
	struct radius_client *c;
	struct radius_packet p;
	int cookie;

	memset(&T, 0, sizeof(T));
	c = radius_client_new(&cfg, &ops);
	assert_non_null(c);
	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	assert_int_equal(T.n_sent, 1);
	assert_int_equal(radius_client_next_timer(c), 1000);
	radius_client_timer(c, 1000);
	/* no second send to server 0: the request went to server 1, and
	 * server 0, declared dead, is probed */
	assert_int_equal(radius_client_stats(c, 0)->retransmits, 0);
	assert_int_equal(radius_client_stats(c, 0)->timeouts, 1);
	assert_false(radius_client_stats(c, 0)->alive);
	assert_int_equal(T.sent[1].server, 1);
	assert_int_equal(radius_parse(T.sent[1].pkt, T.sent[1].len, &p), RADIUS_OK);
	assert_int_equal(p.code, RADIUS_ACCESS_REQUEST);
	assert_int_equal(T.n_sent, 3);
	assert_int_equal(T.sent[2].server, 0);
	assert_int_equal(T.sent[2].pkt[0], RADIUS_STATUS_SERVER);
	/* the UDP server still gets its `tries`: retransmitted at 2000 */
	radius_client_timer(c, 2000);
	assert_int_equal(T.n_sent, 4);
	assert_int_equal(T.sent[3].server, 1);
	assert_int_equal(radius_client_stats(c, 1)->retransmits, 1);
	assert_int_equal(T.n_done, 0);
	radius_client_free(c);
}

static void when_no_server_answers_the_request_times_out(void **state)
{
	struct radius_client *c = client(false);
	int cookie;
	uint64_t t = 0;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	while (T.n_done == 0 && t < 100000) {
		t = radius_client_next_timer(c);
		radius_client_timer(c, t);
	}
	assert_int_equal(T.n_done, 1);
	assert_int_equal(T.result, RADIUS_RESULT_TIMEOUT);
	assert_int_equal(radius_client_stats(c, 0)->requests, 1);
	assert_int_equal(radius_client_stats(c, 1)->requests, 1);
	radius_client_free(c);
}

static void forged_and_unsigned_answers_do_not_end_the_request(void **state)
{
	struct radius_client *c = client(false);
	uint8_t buf[RADIUS_MAX_LEN];
	int cookie;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	radius_client_input(c, 10, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, "guessed", true, buf));
	radius_client_input(c, 10, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, SECRETS[0], false, buf));
	assert_int_equal(T.n_done, 0);
	assert_int_equal(radius_client_stats(c, 0)->bad_authenticators, 2);
	/* an Accounting-Response does not answer an Access-Request */
	radius_client_input(c, 10, 0, buf, answer(0, RADIUS_ACCOUNTING_RESPONSE, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 0);
	radius_client_input(c, 10, 0, (const uint8_t *)"garbage", 7);
	assert_int_equal(radius_client_stats(c, 0)->malformed, 2);
	radius_client_input(c, 20, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 1);
	/* the same answer again: its request is gone */
	radius_client_input(c, 30, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 1);
	assert_int_equal(radius_client_stats(c, 0)->unknown_ids, 1);
	radius_client_free(c);
}

static void load_sharing_spreads_requests(void **state)
{
	struct radius_client *c = client(true);
	int cookie[4];

	for (int i = 0; i < 4; i++)
		assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user,
						      &cookie[i]), 0);
	assert_int_equal(T.sent[0].server, 0);
	assert_int_equal(T.sent[1].server, 1);
	assert_int_equal(T.sent[2].server, 0);
	assert_int_equal(T.sent[3].server, 1);
	radius_client_free(c);
}

static void a_cancelled_request_is_forgotten(void **state)
{
	struct radius_client *c = client(false);
	uint8_t buf[RADIUS_MAX_LEN];
	int cookie;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCESS_REQUEST, build_user, &cookie), 0);
	radius_client_cancel(c, &cookie);
	assert_int_equal(radius_client_next_timer(c), UINT64_MAX);
	radius_client_input(c, 10, 0, buf, answer(0, RADIUS_ACCESS_ACCEPT, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 0);
	radius_client_free(c);
}

static int build_acct(void *cookie, struct radius_writer *w, const char *secret)
{
	radius_put_u32(w, RADIUS_ACCT_STATUS_TYPE, 1);
	radius_put_str(w, RADIUS_ACCT_SESSION_ID, "00000001");
	return 0;
}

static void accounting_requests_are_hashed_and_answered(void **state)
{
	struct radius_client *c = client(false);
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_packet p;
	int cookie;

	assert_int_equal(radius_client_submit(c, 0, RADIUS_ACCOUNTING_REQUEST, build_acct, &cookie), 0);
	assert_int_equal(radius_parse(T.sent[0].pkt, T.sent[0].len, &p), RADIUS_OK);
	/* what a server checks (RFC 2866 section 3) */
	assert_int_equal(radius_verify_hashed_request(&p, SECRETS[0], false), RADIUS_OK);
	radius_client_input(c, 5, 0, buf, answer(0, RADIUS_ACCOUNTING_RESPONSE, SECRETS[0], true, buf));
	assert_int_equal(T.n_done, 1);
	assert_int_equal(T.code, RADIUS_ACCOUNTING_RESPONSE);
	radius_client_free(c);
}

static void bad_configurations_are_refused(void **state)
{
	struct radius_client_config cfg = { .n_servers = 0, .timeout_ms = 1, .tries = 1 };
	struct radius_client_ops ops = { .send = on_send, .random = on_random, .done = on_done };

	assert_null(radius_client_new(&cfg, &ops));
	cfg.n_servers = RADIUS_CLIENT_MAX_SERVERS + 1;
	assert_null(radius_client_new(&cfg, &ops));
	cfg.n_servers = 1;
	cfg.tries = 0;
	assert_null(radius_client_new(&cfg, &ops));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_first_server_answers),
		cmocka_unit_test(a_retransmission_is_the_same_packet_later_each_time),
		cmocka_unit_test(a_silent_server_is_failed_over_marked_dead_and_probed),
		cmocka_unit_test(a_reliable_server_gets_one_try_then_the_next_server),
		cmocka_unit_test(when_no_server_answers_the_request_times_out),
		cmocka_unit_test(forged_and_unsigned_answers_do_not_end_the_request),
		cmocka_unit_test(load_sharing_spreads_requests),
		cmocka_unit_test(a_cancelled_request_is_forgotten),
		cmocka_unit_test(accounting_requests_are_hashed_and_answered),
		cmocka_unit_test(bad_configurations_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
