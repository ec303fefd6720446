/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The EAP relay in the daemon (docs/radius.md "EAP relay"): the daemon in
 * memory (daemon_harness.h) with auth { provider = radius } pointed at a
 * RADIUS server of the test's, on a loopback UDP socket, which reads every
 * Access-Request and answers as the test says; the client is ppp-core's
 * client role set up for EAP (it Naks MS-CHAPv2 naming EAP, answers
 * Identity and MD5-Challenge, Naks other types proposing MD5).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth_radius.h"
#include "auth_radius_eap.h"
#include "daemon_harness.h"
#include "eap.h"
#include "ppp/mschap.h"
#include "radius.h"
#include "radius_io.h"

static const char SECRET[] = "eap-test-secret";
static int rad_fd = -1;
static uint16_t rad_port;
static bool rad_unsigned_ok;	/* require_message_authenticator = no */

struct rad_req {
	uint8_t buf[RADIUS_MAX_LEN];
	size_t len;
	struct radius_packet p;
	struct sockaddr_in from;
	uint8_t eap[RADIUS_MAX_LEN];	/* its EAP-Message, joined */
	size_t eap_len;
};

static void use_radius(struct l2tpd_config *cfg)
{
	struct radius_server_conf *s = &cfg->radius.servers[0];
	struct sockaddr_in *a = (struct sockaddr_in *)&s->addr;

	cfg->auth_provider = AUTH_PROVIDER_RADIUS;
	cfg->radius.n_servers = 1;
	snprintf(s->name, sizeof(s->name), "fake");
	a->sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
	s->auth_port = rad_port;
	s->acct_port = (uint16_t)(rad_port + 1);
	snprintf(s->secret, sizeof(s->secret), "%s", SECRET);
	cfg->radius.require_message_authenticator = !rad_unsigned_ok;
}

static void start(struct dh *h)
{
	struct dh_opts o = { .auth = "mschapv2, eap", .tweak = use_radius };
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	rad_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(rad_fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(rad_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(rad_fd, (struct sockaddr *)&a, &al), 0);
	rad_port = ntohs(a.sin_port);
	dh_start(h, &o);
}

static void stop(struct dh *h)
{
	dh_stop(h);
	close(rad_fd);
	rad_fd = -1;
	rad_unsigned_ok = false;
}

/* The next Access-Request the daemon sent, its EAP-Message joined; false
 * when none came. */
static bool rad_recv(struct rad_req *q)
{
	socklen_t fl = sizeof(q->from);
	ssize_t n = recvfrom(rad_fd, q->buf, sizeof(q->buf), 0, (struct sockaddr *)&q->from, &fl);
	struct radius_attr a;
	size_t off = 0;

	if (n <= 0)
		return false;
	q->len = (size_t)n;
	assert_int_equal(radius_parse(q->buf, q->len, &q->p), RADIUS_OK);
	assert_int_equal(q->p.code, RADIUS_ACCESS_REQUEST);
	q->eap_len = 0;
	while (radius_next_attr(&q->p, &off, &a))
		if (a.type == RADIUS_EAP_MESSAGE) {
			memcpy(q->eap + q->eap_len, a.value, a.len);
			q->eap_len += a.len;
		}
	return true;
}

static void rad_must_recv(struct rad_req *q)
{
	if (!rad_recv(q))
		fail_msg("no Access-Request came");
}

static bool has_attr(const struct rad_req *q, uint8_t type, const void *value, size_t len)
{
	struct radius_attr a;

	if (!radius_find(&q->p, type, &a))
		return false;
	return !value || (a.len == len && !memcmp(a.value, value, len));
}

/* The server's answer to q, then the daemon's loop until it read it, and
 * the exchange with the client that follows. */
static void rad_answer(struct dh *h, const struct rad_req *q, uint8_t code, const uint8_t *eap,
		       size_t eap_len, const char *state, bool sign)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	uint64_t before = radius_io_stats(h->srv.radius_io)->received;
	size_t n;

	radius_begin(&w, buf, sizeof(buf), code, q->p.id, NULL);
	if (sign)
		radius_put_message_authenticator(&w);
	if (state)
		radius_put_str(&w, RADIUS_STATE, state);
	for (size_t off = 0; off < eap_len; off += RADIUS_MAX_VALUE)
		radius_put(&w, RADIUS_EAP_MESSAGE, eap + off,
			   eap_len - off < RADIUS_MAX_VALUE ? eap_len - off : RADIUS_MAX_VALUE);
	n = radius_finish_response(&w, SECRET, q->p.authenticator);
	assert_true(n > 0);
	assert_int_equal(sendto(rad_fd, buf, n, 0, (const struct sockaddr *)&q->from,
				sizeof(q->from)), (ssize_t)n);
	for (int i = 0; i < 100 && radius_io_stats(h->srv.radius_io)->received == before; i++)
		assert_true(sd_event_run(h->event, 0) >= 0);
	assert_true(radius_io_stats(h->srv.radius_io)->received > before);
	dh_pump(h);
}

/* An EAP-Request/MD5-Challenge (RFC 3748 5.4) with identifier id. */
static const uint8_t md5_value[16] = "0123456789abcdef";
static size_t md5_challenge(uint8_t *p, uint8_t id)
{
	p[0] = RADIUS_EAP_REQUEST;
	p[1] = id;
	p[2] = 0;
	p[3] = 22;
	p[4] = 4;
	p[5] = 16;
	memcpy(p + 6, md5_value, 16);
	return 22;
}

static void open_eap_call(struct dh *h, struct dh_call *c, const char *user, const char *pw)
{
	dh_tunnel_open(h);
	dh_call_request(h, c, 7, user, pw);
	c->method = PPP_AUTH_EAP;
	dh_call_connect(c);
	dh_call_start_ppp(c);
	dh_pump(h);
}

static void eap_md5_through_radius_brings_the_session_up(void **state)
{
	static const uint8_t success[4] = { RADIUS_EAP_SUCCESS, 0x41, 0, 4 };
	struct dh h;
	struct dh_call c;
	struct rad_req q;
	uint8_t chal[32], expect[16];

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	/* LCP settled on EAP (the client Naked MS-CHAPv2); the Identity
	 * Response went out as User-Name and EAP-Message (RFC 3579 2.1) */
	assert_true(c.link_up);
	rad_must_recv(&q);
	assert_true(has_attr(&q, RADIUS_USER_NAME, "alice", 5));
	assert_int_equal(q.eap_len, 10);
	assert_int_equal(q.eap[0], RADIUS_EAP_RESPONSE);
	assert_int_equal(q.eap[4], 1);				/* Identity */
	assert_false(has_attr(&q, RADIUS_STATE, NULL, 0));
	assert_true(q.p.msg_auth != 0);				/* RFC 3579 3.2 */
	assert_true(has_attr(&q, RADIUS_FRAMED_MTU, NULL, 0));	/* RFC 3579 2.4 */
	assert_false(rad_recv(&q));

	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 0x41), "st-1", true);
	/* the client answered the relayed challenge: its MD5 over the id,
	 * its password and the value reached the server intact, with the
	 * State of the Challenge */
	rad_must_recv(&q);
	assert_true(has_attr(&q, RADIUS_STATE, "st-1", 4));
	assert_int_equal(q.eap[0], RADIUS_EAP_RESPONSE);
	assert_int_equal(q.eap[1], 0x41);
	assert_int_equal(q.eap[4], 4);
	ppp_chap_md5_response(0x41, (const uint8_t *)"alice-pw", 8, md5_value, 16, expect);
	assert_memory_equal(q.eap + 6, expect, 16);
	assert_false(c.auth_done);

	rad_answer(&h, &q, RADIUS_ACCESS_ACCEPT, success, 4, NULL, true);
	assert_true(c.auth_done);
	assert_true(c.auth_ok);
	assert_true(c.ipcp_up);
	assert_int_equal(auth_radius_stats(h.srv.auth)->challenges, 1);
	assert_int_equal(auth_radius_stats(h.srv.auth)->accepts, 1);
	assert_int_equal(auth_radius_stats(h.srv.auth)->in_flight, 0);
	stop(&h);
}

static void a_long_request_is_joined_and_the_clients_nak_relayed(void **state)
{
	uint8_t tls[1000], failure[4] = { RADIUS_EAP_FAILURE, 0x42, 0, 4 };
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	/* an EAP-TLS Request in four EAP-Message pieces: joined, sent to the
	 * client in one frame; ppp-core's client has no TLS and Naks it
	 * proposing MD5 (RFC 3748 5.3.1) */
	memset(tls, 0x5a, sizeof(tls));
	tls[0] = RADIUS_EAP_REQUEST;
	tls[1] = 0x42;
	tls[2] = sizeof(tls) >> 8;
	tls[3] = sizeof(tls) & 0xff;
	tls[4] = 13;
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, tls, sizeof(tls), "st-tls", true);
	rad_must_recv(&q);
	assert_true(has_attr(&q, RADIUS_STATE, "st-tls", 6));
	assert_int_equal(q.eap_len, 6);
	assert_int_equal(q.eap[1], 0x42);
	assert_int_equal(q.eap[4], 3);		/* Nak */
	assert_int_equal(q.eap[5], 4);		/* MD5 */
	rad_answer(&h, &q, RADIUS_ACCESS_REJECT, failure, 4, NULL, true);
	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_int_equal(c.auth_code, 691);
	stop(&h);
}

static void a_challenge_without_message_authenticator_is_refused(void **state)
{
	uint8_t chal[32];
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	/* the engine would take an unsigned answer (BlastRADIUS protection
	 * off); RFC 3579 3.2 still wants one on EAP */
	rad_unsigned_ok = true;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 3), "st", false);
	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_false(rad_recv(&q));
	assert_int_equal(auth_radius_stats(h.srv.auth)->not_honoured, 1);
	stop(&h);
}

static void an_accept_without_eap_success_is_not_honoured(void **state)
{
	uint8_t chal[32];
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 3), "st", true);
	rad_must_recv(&q);
	rad_answer(&h, &q, RADIUS_ACCESS_ACCEPT, NULL, 0, NULL, true);
	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_int_equal(auth_radius_stats(h.srv.auth)->not_honoured, 1);
	stop(&h);
}

static void a_server_that_never_concludes_is_cut_off(void **state)
{
	uint8_t chal[32];
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	/* the Identity was round trip 1: 39 Challenges more are answered
	 * and relayed, the 40th Response is not */
	for (int i = 1; i < EAP_RELAY_MAX_ROUNDS; i++) {
		rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, (uint8_t)i),
			   "st", true);
		rad_must_recv(&q);
	}
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 99), "st", true);
	assert_false(rad_recv(&q));
	assert_true(c.auth_done);
	assert_false(c.auth_ok);
	assert_int_equal(c.auth_code, 691);
	stop(&h);
}

static void a_lost_request_is_sent_again(void **state)
{
	uint8_t chal[32];
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	/* the Challenge's Request is lost on the way to the client */
	c.silent = true;
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 5), "st", true);
	assert_false(rad_recv(&q));
	c.silent = false;
	/* RFC 3748 4.3: the authenticator (we, for the server) sends it
	 * again after the restart period; the client's answer goes on to
	 * the server with the State, and nothing was asked of it twice */
	dh_advance(&h, h.srv.ppp_cfg.restart_ms);
	rad_must_recv(&q);
	assert_true(has_attr(&q, RADIUS_STATE, "st", 2));
	assert_int_equal(q.eap[1], 5);
	assert_int_equal(q.eap[4], 4);
	assert_false(rad_recv(&q));
	stop(&h);
}

static void a_session_gone_between_round_trips_ends_the_conversation(void **state)
{
	uint8_t chal[32];
	struct dh h;
	struct dh_call c;
	struct rad_req q;

	(void)state;
	start(&h);
	open_eap_call(&h, &c, "alice", "alice-pw");
	rad_must_recv(&q);
	/* the Challenge goes to a client that has stopped listening: the
	 * client has the turn, nothing waits for the server */
	c.silent = true;
	rad_answer(&h, &q, RADIUS_ACCESS_CHALLENGE, chal, md5_challenge(chal, 5), "st", true);
	assert_int_equal(auth_radius_stats(h.srv.auth)->in_flight, 0);
	/* the PPP authentication phase ends (timers.auth_timeout); the
	 * session closes and its parked conversation goes with it */
	dh_advance(&h, (uint64_t)h.cfg.auth_timeout * 1000 + 1000);
	assert_null(dh_session(&h, &c));
	assert_int_equal(auth_radius_stats(h.srv.auth)->cancelled, 1);
	assert_false(rad_recv(&q));
	stop(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eap_md5_through_radius_brings_the_session_up),
		cmocka_unit_test(a_long_request_is_joined_and_the_clients_nak_relayed),
		cmocka_unit_test(a_challenge_without_message_authenticator_is_refused),
		cmocka_unit_test(an_accept_without_eap_success_is_not_honoured),
		cmocka_unit_test(a_server_that_never_concludes_is_cut_off),
		cmocka_unit_test(a_lost_request_is_sent_again),
		cmocka_unit_test(a_session_gone_between_round_trips_ends_the_conversation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
