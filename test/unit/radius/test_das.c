/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The dynamic authorization server (das.h, RFC 5176) against a table of
 * sessions: requests signed as a Dynamic Authorization Client signs them,
 * answers checked as it checks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "das.h"

#define SECRET "das-secret"
#define NOW 1700000000u

static const uint8_t DAC[4] = { 192, 0, 2, 10 };
static const uint8_t STRANGER[4] = { 192, 0, 2, 66 };

struct sess {
	const char *user, *asid, *calling, *called;
	uint8_t ip[4];
	uint32_t port;
	bool gone;
	struct radius_das_change c;
	char filter[64];
	unsigned changes;
};

static struct {
	struct sess s[4];
	size_t pretend_many;		/* find says there are this many */
	uint32_t fail_with;		/* disconnect/change return this */
	enum radius_das_key last_key;
} T;

static size_t find(void *ctx, enum radius_das_key key, const struct radius_das_match *m,
		   void **out, size_t max)
{
	size_t n = 0;

	(void)ctx;
	T.last_key = key;
	if (T.pretend_many)
		return T.pretend_many;
	for (unsigned i = 0; i < 4; i++) {
		struct sess *s = &T.s[i];
		bool hit = false;

		if (s->gone || !s->user)
			continue;
		switch (key) {
		case RADIUS_DAS_KEY_USER_NAME: hit = !strcmp(s->user, m->user); break;
		case RADIUS_DAS_KEY_ACCT_SESSION_ID: hit = !strcmp(s->asid, m->acct_session_id); break;
		case RADIUS_DAS_KEY_FRAMED_IP: hit = !memcmp(s->ip, &m->framed_ip, 4); break;
		case RADIUS_DAS_KEY_NAS_PORT: hit = s->port == m->nas_port; break;
		case RADIUS_DAS_KEY_CALLING_STATION_ID:
			hit = !strcmp(s->calling, m->calling_station_id);
			break;
		case RADIUS_DAS_KEY_CALLED_STATION_ID:
			hit = !strcmp(s->called, m->called_station_id);
			break;
		}
		if (hit && n < max)
			out[n++] = s;
	}
	return n;
}

static void describe(void *ctx, void *session, struct radius_das_session *d)
{
	struct sess *s = session;

	(void)ctx;
	d->user = s->user;
	d->acct_session_id = s->asid;
	d->calling_station_id = s->calling;
	d->called_station_id = s->called;
	memcpy(&d->framed_ip, s->ip, 4);
	d->nas_port = s->port;
}

static uint32_t disconnect(void *ctx, void *session)
{
	struct sess *s = session;

	(void)ctx;
	if (T.fail_with)
		return T.fail_with;
	s->gone = true;
	return 0;
}

static uint32_t change(void *ctx, void *session, const struct radius_das_change *c)
{
	struct sess *s = session;

	(void)ctx;
	if (T.fail_with)
		return T.fail_with;
	s->c = *c;
	if (c->filter_id) {
		strcpy(s->filter, c->filter_id);
		s->c.filter_id = s->filter;
	}
	s->changes++;
	return 0;
}

static struct radius_das *das(bool require_ts, bool require_ma)
{
	struct radius_das_config cfg = {
		.n_clients = 1, .window_s = 300, .allow_no_event_timestamp = !require_ts,
		.require_message_authenticator = require_ma,
		.nas_ipv4 = 0x010200c0, .nas_identifier = "lns-1",
	};
	struct radius_das_ops ops = { .find = find, .describe = describe,
				      .disconnect = disconnect, .change = change };

	cfg.clients[0].family = AF_INET;
	memcpy(cfg.clients[0].addr, DAC, 4);
	cfg.clients[0].secret = SECRET;
	memset(&T, 0, sizeof(T));
	/* alice's two sessions come through one NAT (same address, other
	 * NAT-T ports); all three reached the same address of ours */
	T.s[0] = (struct sess){ .user = "alice", .asid = "0000000a", .ip = { 10, 9, 0, 2 }, .port = 1,
				.calling = "203.0.113.7:4500", .called = "192.0.2.1" };
	T.s[1] = (struct sess){ .user = "bob", .asid = "0000000b", .ip = { 10, 9, 0, 3 }, .port = 2,
				.calling = "198.51.100.9", .called = "192.0.2.1" };
	T.s[2] = (struct sess){ .user = "alice", .asid = "0000000c", .ip = { 10, 9, 0, 4 }, .port = 3,
				.calling = "203.0.113.7:1024", .called = "192.0.2.1" };
	return radius_das_new(&cfg, &ops);
}

/* A request as a DAC builds it: attributes, Event-Timestamp, then signed. */
struct req {
	uint8_t buf[RADIUS_MAX_LEN];
	size_t len;
	struct radius_writer w;
};

static void begin(struct req *r, uint8_t code, uint8_t id)
{
	radius_begin(&r->w, r->buf, sizeof(r->buf), code, id, NULL);
}

static void finish(struct req *r, const char *secret, bool ts, bool ma)
{
	if (ts)
		radius_put_u32(&r->w, RADIUS_EVENT_TIMESTAMP, NOW - 5);
	if (ma)
		radius_put_message_authenticator(&r->w);
	r->len = radius_finish_hashed(&r->w, secret);
	assert_true(r->len > 0);
}

/* Send it; the answer is checked as the DAC checks it. Returns the answer
 * code (0: discarded) and the Error-Cause in *cause. */
static uint8_t send_req(struct radius_das *d, const struct req *r, const uint8_t *from,
			uint32_t *cause, struct radius_das_result *res)
{
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_packet p;
	struct radius_attr a;
	size_t n = radius_das_input(d, NOW, AF_INET, from, r->buf, r->len, out, sizeof(out), res);

	*cause = 0;
	if (!n)
		return 0;
	assert_int_equal(radius_parse(out, n, &p), RADIUS_OK);
	assert_int_equal(radius_verify_response(&p, r->buf[1], r->buf + 4, SECRET, true), RADIUS_OK);
	if (radius_find(&p, RADIUS_ERROR_CAUSE, &a)) {
		assert_int_equal(a.len, 4);
		*cause = (uint32_t)a.value[0] << 24 | (uint32_t)a.value[1] << 16 |
			 a.value[2] << 8 | a.value[3];
	}
	return p.code;
}

static uint8_t simple(struct radius_das *d, uint8_t code, uint8_t attr, const void *v, size_t n,
		      uint32_t *cause)
{
	static uint8_t id;
	struct radius_das_result res;
	struct req r;

	/* a new Identifier each time: the same packet again would be a
	 * retransmission, answered from the cache */
	begin(&r, code, ++id);
	radius_put(&r.w, attr, v, n);
	finish(&r, SECRET, true, true);
	return send_req(d, &r, DAC, cause, &res);
}

static void a_disconnect_by_acct_session_id_ends_that_session(void **state)
{
	struct radius_das *d = das(true, false);
	struct radius_das_result res;
	uint32_t cause;
	struct req r;

	(void)state;
	begin(&r, RADIUS_DISCONNECT_REQUEST, 7);
	radius_put_str(&r.w, RADIUS_ACCT_SESSION_ID, "0000000b");
	radius_put_str(&r.w, RADIUS_NAS_IDENTIFIER, "lns-1");
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_ACK);
	assert_int_equal(cause, 0);
	assert_int_equal(res.sessions, 1);
	assert_true(T.s[1].gone);
	assert_false(T.s[0].gone || T.s[2].gone);
	assert_int_equal(T.last_key, RADIUS_DAS_KEY_ACCT_SESSION_ID);
	assert_int_equal(radius_das_stats(d)->acks, 1);
	radius_das_free(d);
}

static void every_key_given_must_match(void **state)
{
	struct radius_das *d = das(true, false);
	struct radius_das_result res;
	uint32_t cause;
	struct req r;
	uint8_t ip[4] = { 10, 9, 0, 4 };

	(void)state;
	/* alice has two sessions; with her address only the one */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 8);
	radius_put_str(&r.w, RADIUS_USER_NAME, "alice");
	radius_put(&r.w, RADIUS_FRAMED_IP_ADDRESS, ip, 4);
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_ACK);
	assert_true(T.s[2].gone);
	assert_false(T.s[0].gone);
	/* bob's address with alice's name: no such session */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 9);
	radius_put_str(&r.w, RADIUS_USER_NAME, "alice");
	radius_put(&r.w, RADIUS_FRAMED_IP_ADDRESS, (uint8_t[]){ 10, 9, 0, 3 }, 4);
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_SESSION_NOT_FOUND);
	assert_false(T.s[1].gone);
	/* by User-Name alone: every session of the user */
	T.s[2].gone = false;
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_USER_NAME, "alice", 5, &cause),
			 RADIUS_DISCONNECT_ACK);
	assert_true(T.s[0].gone && T.s[2].gone);
	/* by NAS-Port */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_NAS_PORT, "\0\0\0\2", 4, &cause),
			 RADIUS_DISCONNECT_ACK);
	assert_true(T.s[1].gone);
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_NAS_PORT, "\0\0\0\2", 4, &cause),
			 RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_SESSION_NOT_FOUND);
	radius_das_free(d);
}

static void a_coa_changes_timeouts_and_filter_of_a_live_session(void **state)
{
	struct radius_das *d = das(true, true);
	struct radius_das_result res;
	uint32_t cause;
	struct req r;

	(void)state;
	begin(&r, RADIUS_COA_REQUEST, 3);
	radius_put(&r.w, RADIUS_FRAMED_IP_ADDRESS, (uint8_t[]){ 10, 9, 0, 3 }, 4);
	radius_put_u32(&r.w, RADIUS_SESSION_TIMEOUT, 600);
	radius_put_u32(&r.w, RADIUS_IDLE_TIMEOUT, 120);
	radius_put_str(&r.w, RADIUS_FILTER_ID, "contractors");
	finish(&r, SECRET, true, true);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_COA_ACK);
	assert_int_equal(T.s[1].changes, 1);
	assert_true(T.s[1].c.session_timeout_set && T.s[1].c.idle_timeout_set);
	assert_int_equal(T.s[1].c.session_timeout, 600);
	assert_int_equal(T.s[1].c.idle_timeout, 120);
	assert_string_equal(T.s[1].filter, "contractors");
	assert_false(T.s[1].gone);
	/* the daemon refuses a filter it does not have: the NAK says why */
	T.fail_with = RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
	/* (without a key it is refused before the daemon is asked) */
	assert_int_equal(simple(d, RADIUS_COA_REQUEST, RADIUS_FILTER_ID, "nope", 4, &cause),
			 RADIUS_COA_NAK);
	assert_int_equal(cause, RADIUS_EC_MISSING_ATTRIBUTE);
	begin(&r, RADIUS_COA_REQUEST, 4);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_str(&r.w, RADIUS_FILTER_ID, "nope");
	finish(&r, SECRET, true, true);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_COA_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	radius_das_free(d);
}

/* RFC 5176 section 3: Calling-Station-Id and Called-Station-Id identify
 * sessions like the other keys (they used to be refused with 401). */
static void calling_and_called_station_id_identify_sessions(void **state)
{
	struct radius_das *d = das(true, false);
	struct radius_das_result res;
	uint32_t cause;
	struct req r;

	(void)state;
	/* one of alice's two sessions behind the same NAT, by its port */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_CALLING_STATION_ID,
				"203.0.113.7:1024", 16, &cause), RADIUS_DISCONNECT_ACK);
	assert_int_equal(T.last_key, RADIUS_DAS_KEY_CALLING_STATION_ID);
	assert_true(T.s[2].gone);
	assert_false(T.s[0].gone || T.s[1].gone);
	/* exact: the address without the port is no session of ours */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_CALLING_STATION_ID,
				"203.0.113.7", 11, &cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_SESSION_NOT_FOUND);
	/* a CoA by Calling-Station-Id with User-Name: both must match, and
	 * the index is asked for the more selective Calling-Station-Id */
	begin(&r, RADIUS_COA_REQUEST, 60);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_str(&r.w, RADIUS_CALLING_STATION_ID, "198.51.100.9");
	radius_put_u32(&r.w, RADIUS_IDLE_TIMEOUT, 30);
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_COA_ACK);
	assert_int_equal(T.last_key, RADIUS_DAS_KEY_CALLING_STATION_ID);
	assert_int_equal(T.s[1].changes, 1);
	assert_int_equal(T.s[1].c.idle_timeout, 30);
	begin(&r, RADIUS_COA_REQUEST, 61);
	radius_put_str(&r.w, RADIUS_USER_NAME, "alice");
	radius_put_str(&r.w, RADIUS_CALLING_STATION_ID, "198.51.100.9");
	radius_put_u32(&r.w, RADIUS_IDLE_TIMEOUT, 30);
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_COA_NAK);
	assert_int_equal(cause, RADIUS_EC_SESSION_NOT_FOUND);
	/* Called-Station-Id with User-Name: the user's sessions on that
	 * address of ours; the index is asked for User-Name, the more
	 * selective */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 62);
	radius_put_str(&r.w, RADIUS_CALLED_STATION_ID, "192.0.2.1");
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_ACK);
	assert_int_equal(T.last_key, RADIUS_DAS_KEY_USER_NAME);
	assert_true(T.s[1].gone);
	/* another address of ours: nothing there */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_CALLED_STATION_ID,
				"192.0.2.99", 10, &cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_SESSION_NOT_FOUND);
	assert_int_equal(T.last_key, RADIUS_DAS_KEY_CALLED_STATION_ID);
	/* twice, empty or with a NUL: as for the other keys */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 63);
	radius_put_str(&r.w, RADIUS_CALLING_STATION_ID, "203.0.113.7:4500");
	radius_put_str(&r.w, RADIUS_CALLING_STATION_ID, "203.0.113.7:4500");
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_REQUEST);
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_CALLED_STATION_ID, "19\0", 3,
				&cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	assert_false(T.s[0].gone);
	radius_das_free(d);
}

static void what_we_cannot_do_is_refused_with_its_error_cause(void **state)
{
	struct radius_das *d = das(true, false);
	uint32_t cause;

	(void)state;
	/* 401: a key we do not match on (Acct-Multi-Session-Id: we have no
	 * multi-link sessions), and CoA attributes in a Disconnect */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, 50, "0000000b", 8, &cause),
			 RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_UNSUPPORTED_ATTRIBUTE);
	{
		struct radius_das_result res;
		struct req r;

		begin(&r, RADIUS_DISCONNECT_REQUEST, 2);
		radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
		radius_put_u32(&r.w, RADIUS_SESSION_TIMEOUT, 5);
		finish(&r, SECRET, true, false);
		assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_NAK);
		assert_int_equal(cause, RADIUS_EC_UNSUPPORTED_ATTRIBUTE);
		/* 404: two User-Names */
		begin(&r, RADIUS_DISCONNECT_REQUEST, 3);
		radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
		radius_put_str(&r.w, RADIUS_USER_NAME, "alice");
		finish(&r, SECRET, true, false);
		assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_DISCONNECT_NAK);
		assert_int_equal(cause, RADIUS_EC_INVALID_REQUEST);
		/* 402: a CoA that changes nothing */
		begin(&r, RADIUS_COA_REQUEST, 4);
		radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
		finish(&r, SECRET, true, false);
		assert_int_equal(send_req(d, &r, DAC, &cause, &res), RADIUS_COA_NAK);
		assert_int_equal(cause, RADIUS_EC_MISSING_ATTRIBUTE);
	}
	/* 402: no session identification at all */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_NAS_IDENTIFIER, "lns-1", 5,
				&cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_MISSING_ATTRIBUTE);
	/* 403: meant for another NAS */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_NAS_IDENTIFIER, "lns-2", 5,
				&cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_NAS_ID_MISMATCH);
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_NAS_IP_ADDRESS,
				(uint8_t[]){ 192, 0, 2, 2 }, 4, &cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_NAS_ID_MISMATCH);
	/* 405: Authorize Only (RFC 5176 3.2) */
	assert_int_equal(simple(d, RADIUS_COA_REQUEST, RADIUS_SERVICE_TYPE, "\0\0\0\x11", 4, &cause),
			 RADIUS_COA_NAK);
	assert_int_equal(cause, RADIUS_EC_UNSUPPORTED_SERVICE);
	/* 407: values of the wrong size, a NUL in a name */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_FRAMED_IP_ADDRESS, "\1\2\3", 3,
				&cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_USER_NAME, "bo\0b", 4, &cause),
			 RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_ATTRIBUTE_VALUE);
	/* 404: an Error-Cause belongs in answers only */
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_ERROR_CAUSE, "\0\0\1\x91", 4,
				&cause), RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_INVALID_REQUEST);
	/* 508: more sessions than one request acts on */
	T.pretend_many = RADIUS_DAS_MAX_SESSIONS + 1;
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_USER_NAME, "bob", 3, &cause),
			 RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_MULTIPLE_SESSIONS_UNSUPPORTED);
	T.pretend_many = 0;
	/* 506 (or what the daemon says) */
	T.fail_with = RADIUS_EC_RESOURCES_UNAVAILABLE;
	assert_int_equal(simple(d, RADIUS_DISCONNECT_REQUEST, RADIUS_USER_NAME, "bob", 3, &cause),
			 RADIUS_DISCONNECT_NAK);
	assert_int_equal(cause, RADIUS_EC_RESOURCES_UNAVAILABLE);
	assert_false(T.s[1].gone);
	assert_true(radius_das_stats(d)->naks >= 12);
	radius_das_free(d);
}

static void proxy_state_comes_back_in_order(void **state)
{
	struct radius_das *d = das(false, false);
	struct radius_das_result res;
	uint8_t out[RADIUS_MAX_LEN];
	struct radius_packet p;
	struct radius_attr a;
	struct req r;
	size_t n, off = 0;
	unsigned k = 0;

	(void)state;
	begin(&r, RADIUS_DISCONNECT_REQUEST, 5);
	radius_put(&r.w, 33, "first", 5);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put(&r.w, 33, "second", 6);
	finish(&r, SECRET, false, false);
	n = radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out), &res);
	assert_true(n > 0);
	assert_int_equal(radius_parse(out, n, &p), RADIUS_OK);
	while (radius_next_attr(&p, &off, &a))
		if (a.type == 33) {
			assert_int_equal(a.len, k ? 6 : 5);
			assert_memory_equal(a.value, k ? "second" : "first", a.len);
			k++;
		}
	assert_int_equal(k, 2);
	radius_das_free(d);
}

/* ---- what is silently discarded (RFC 5176 sections 2.3, 3.4, 6.4) ------------ */

static void strangers_forgeries_and_stale_requests_get_no_answer(void **state)
{
	struct radius_das *d = das(true, true);
	struct radius_das_result res;
	uint32_t cause;
	struct req r;

	(void)state;
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, true, true);
	/* not a configured client, even with the right secret */
	assert_int_equal(send_req(d, &r, STRANGER, &cause, &res), 0);
	assert_int_equal(radius_das_stats(d)->unknown_clients, 1);
	/* any flipped bit (the authenticators cover everything) */
	for (size_t i = 0; i < r.len; i++) {
		struct req bad = r;

		bad.buf[i] ^= 0x01;
		assert_int_equal(send_req(d, &bad, DAC, &cause, &res), 0);
	}
	/* the wrong secret */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, "not-the-secret", true, true);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), 0);
	assert_non_null(res.discarded);
	/* no Message-Authenticator when one is required */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, true, false);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), 0);
	/* no Event-Timestamp when one is required, and one too old */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, false, true);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), 0);
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_u32(&r.w, RADIUS_EVENT_TIMESTAMP, NOW - 301);
	radius_put_message_authenticator(&r.w);
	r.len = radius_finish_hashed(&r.w, SECRET);
	assert_int_equal(send_req(d, &r, DAC, &cause, &res), 0);
	assert_int_equal(radius_das_stats(d)->stale, 1);
	assert_int_equal(radius_das_stats(d)->no_event_timestamp, 1);
	assert_false(T.s[1].gone);
	assert_int_equal(radius_das_stats(d)->requests, 0);
	radius_das_free(d);
}

static void malformed_packets_are_counted_and_dropped(void **state)
{
	struct radius_das *d = das(false, false);
	struct radius_das_result res;
	uint8_t out[RADIUS_MAX_LEN];
	uint8_t short_hdr[10] = { 40, 1, 0, 10 };
	uint8_t bad_len[20] = { 40, 1, 0x20, 0 };	/* Length 8192 */
	uint8_t bad_attr[24] = { 40, 1, 0, 24, [20] = 1, 9, 'x', 'y' };
	struct req r;

	(void)state;
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, short_hdr, sizeof(short_hdr), out,
					  sizeof(out), &res), 0);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, bad_len, sizeof(bad_len), out,
					  sizeof(out), &res), 0);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, bad_attr, sizeof(bad_attr), out,
					  sizeof(out), &res), 0);
	/* a well-formed Access-Request is not ours to answer here */
	begin(&r, RADIUS_ACCESS_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, false, false);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
					  &res), 0);
	/* an Event-Timestamp of the wrong size */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put(&r.w, RADIUS_EVENT_TIMESTAMP, "\1\2", 2);
	finish(&r, SECRET, false, false);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
					  &res), 0);
	/* two Event-Timestamps: which one would the window check? */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_u32(&r.w, RADIUS_EVENT_TIMESTAMP, NOW);
	radius_put_u32(&r.w, RADIUS_EVENT_TIMESTAMP, NOW - 3600);
	finish(&r, SECRET, false, false);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
					  &res), 0);
	assert_string_equal(res.discarded, "more than one Event-Timestamp");
	assert_int_equal(radius_das_stats(d)->malformed, 6);
	/* and an IPv6 source never matches an IPv4 client */
	assert_int_equal(radius_das_input(d, NOW, AF_INET6, (const uint8_t *)"0123456789abcdef",
					  r.buf, r.len, out, sizeof(out), &res), 0);
	assert_false(T.s[1].gone);
	radius_das_free(d);
}

static void a_retransmission_gets_the_same_answer_and_is_not_acted_on_twice(void **state)
{
	struct radius_das *d = das(true, false);
	struct radius_das_result res;
	uint8_t a1[RADIUS_MAX_LEN], a2[RADIUS_MAX_LEN];
	struct req r;
	size_t n1, n2;

	(void)state;
	begin(&r, RADIUS_COA_REQUEST, 9);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_u32(&r.w, RADIUS_SESSION_TIMEOUT, 60);
	finish(&r, SECRET, true, false);
	n1 = radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, a1, sizeof(a1), &res);
	n2 = radius_das_input(d, NOW + 2, AF_INET, DAC, r.buf, r.len, a2, sizeof(a2), &res);
	assert_true(n1 > 0);
	assert_int_equal(n1, n2);
	assert_memory_equal(a1, a2, n1);
	assert_int_equal(T.s[1].changes, 1);
	assert_int_equal(radius_das_stats(d)->duplicates, 1);
	radius_das_free(d);
}

/* RFC 5080 section 2.2.2: an answer longer than the old 256-octet cache
 * slot (here eight Proxy-States, RFC 5176 section 3.1, with Error-Cause
 * and Message-Authenticator: over 2 kilobytes) is cached like any other;
 * the retransmission is not acted on again (it used to be, and got 503
 * for the session its first copy had ended). */
static void a_long_answer_is_cached_like_a_short_one(void **state)
{
	struct radius_das *d = das(true, true);
	struct radius_das_result res;
	uint8_t a1[RADIUS_MAX_LEN], a2[RADIUS_MAX_LEN], ps[253];
	struct req r;
	size_t n1, n2;

	(void)state;
	memset(ps, 'p', sizeof(ps));
	begin(&r, RADIUS_DISCONNECT_REQUEST, 77);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	for (unsigned i = 0; i < 8; i++) {
		ps[0] = (uint8_t)('0' + i);
		radius_put(&r.w, 33, ps, sizeof(ps));
	}
	finish(&r, SECRET, true, true);
	n1 = radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, a1, sizeof(a1), &res);
	assert_true(n1 > 2000);
	assert_int_equal(a1[0], RADIUS_DISCONNECT_ACK);
	assert_true(T.s[1].gone);
	/* the same for a NAK with its Error-Cause */
	T.s[1].gone = false;
	T.fail_with = RADIUS_EC_SESSION_NOT_REMOVABLE;
	n2 = radius_das_input(d, NOW + 3, AF_INET, DAC, r.buf, r.len, a2, sizeof(a2), &res);
	assert_int_equal(n1, n2);
	assert_memory_equal(a1, a2, n1);
	assert_int_equal(res.answer, RADIUS_DISCONNECT_ACK);
	assert_true(res.duplicate);
	assert_int_equal(radius_das_stats(d)->duplicates, 1);
	assert_int_equal(radius_das_stats(d)->acks, 1);
	assert_false(T.s[1].gone);	/* not disconnected a second time */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 78);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	for (unsigned i = 0; i < 8; i++)
		radius_put(&r.w, 33, ps, sizeof(ps));
	finish(&r, SECRET, true, true);
	n1 = radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, a1, sizeof(a1), &res);
	assert_true(n1 > 2000);
	assert_int_equal(a1[0], RADIUS_DISCONNECT_NAK);
	T.fail_with = 0;
	n2 = radius_das_input(d, NOW + 1, AF_INET, DAC, r.buf, r.len, a2, sizeof(a2), &res);
	assert_int_equal(n1, n2);
	assert_memory_equal(a1, a2, n1);
	assert_false(T.s[1].gone);
	assert_int_equal(radius_das_stats(d)->naks, 1);
	radius_das_free(d);
}

/* RFC 5176 section 6.4: without IPsec under it, Event-Timestamp is the
 * only replay protection; the zero configuration requires it. */
static void event_timestamp_is_required_by_default(void **state)
{
	struct radius_das_config cfg = { .n_clients = 1 };
	struct radius_das_ops ops = { .find = find, .describe = describe,
				      .disconnect = disconnect, .change = change };
	struct radius_das *d;
	struct radius_das_result res;
	uint8_t out[RADIUS_MAX_LEN];
	struct req r;

	(void)state;
	cfg.clients[0].family = AF_INET;
	memcpy(cfg.clients[0].addr, DAC, 4);
	cfg.clients[0].secret = SECRET;
	d = radius_das_new(&cfg, &ops);
	assert_non_null(d);
	memset(&T, 0, sizeof(T));
	T.s[1] = (struct sess){ .user = "bob", .asid = "0000000b", .port = 2 };
	/* none: silently discarded and counted */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 1);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, false, true);
	assert_int_equal(radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
					  &res), 0);
	assert_string_equal(res.discarded, "no Event-Timestamp");
	assert_int_equal(radius_das_stats(d)->no_event_timestamp, 1);
	/* the default window is 300 s either way, at the time given (the
	 * library reads no clock) */
	begin(&r, RADIUS_DISCONNECT_REQUEST, 2);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	radius_put_u32(&r.w, RADIUS_EVENT_TIMESTAMP, NOW);
	radius_put_message_authenticator(&r.w);
	r.len = radius_finish_hashed(&r.w, SECRET);
	assert_int_equal(radius_das_input(d, NOW + 301, AF_INET, DAC, r.buf, r.len, out,
					  sizeof(out), &res), 0);
	assert_string_equal(res.discarded, "Event-Timestamp outside the window");
	assert_int_equal(radius_das_input(d, NOW - 301, AF_INET, DAC, r.buf, r.len, out,
					  sizeof(out), &res), 0);
	assert_int_equal(radius_das_stats(d)->stale, 2);
	assert_false(T.s[1].gone);
	assert_int_equal(radius_das_stats(d)->requests, 0);
	assert_true(radius_das_input(d, NOW + 300, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
				     &res) > 0);
	assert_int_equal(out[0], RADIUS_DISCONNECT_ACK);
	assert_true(T.s[1].gone);
	radius_das_free(d);
	/* allowed to be absent when the administrator says so */
	cfg.allow_no_event_timestamp = true;
	d = radius_das_new(&cfg, &ops);
	T.s[1].gone = false;
	begin(&r, RADIUS_DISCONNECT_REQUEST, 3);
	radius_put_str(&r.w, RADIUS_USER_NAME, "bob");
	finish(&r, SECRET, false, true);
	assert_true(radius_das_input(d, NOW, AF_INET, DAC, r.buf, r.len, out, sizeof(out),
				     &res) > 0);
	assert_true(T.s[1].gone);
	radius_das_free(d);
}

static void a_configuration_without_secrets_is_refused(void **state)
{
	struct radius_das_config cfg = { .n_clients = 1 };
	struct radius_das_ops ops = { .find = find, .describe = describe,
				      .disconnect = disconnect, .change = change };

	(void)state;
	cfg.clients[0].family = AF_INET;
	assert_null(radius_das_new(&cfg, &ops));
	cfg.clients[0].secret = "";
	assert_null(radius_das_new(&cfg, &ops));
	assert_string_equal(radius_error_cause_name(503), "Session-Context-Not-Found");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_disconnect_by_acct_session_id_ends_that_session),
		cmocka_unit_test(every_key_given_must_match),
		cmocka_unit_test(a_coa_changes_timeouts_and_filter_of_a_live_session),
		cmocka_unit_test(what_we_cannot_do_is_refused_with_its_error_cause),
		cmocka_unit_test(proxy_state_comes_back_in_order),
		cmocka_unit_test(strangers_forgeries_and_stale_requests_get_no_answer),
		cmocka_unit_test(malformed_packets_are_counted_and_dropped),
		cmocka_unit_test(a_retransmission_gets_the_same_answer_and_is_not_acted_on_twice),
		cmocka_unit_test(a_long_answer_is_cached_like_a_short_one),
		cmocka_unit_test(event_timestamp_is_required_by_default),
		cmocka_unit_test(calling_and_called_station_id_identify_sessions),
		cmocka_unit_test(a_configuration_without_secrets_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
