/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test harness for ppp-core: sessions wired to in-memory outboxes, a fake
 * clock, deterministic "random" bytes, an event log and a scripted
 * authenticator.  Header-only so every test executable can include it.
 */
#ifndef PPP_TEST_HARNESS_H
#define PPP_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "ppp/mschap.h"
#include "ppp/ppp.h"

#define OUTBOX_MAX 64
#define EVENTS_MAX 64

struct frame {
	uint8_t b[PPP_MAX_FRAME + 16];
	size_t len;
};

struct rec_event {
	enum ppp_event_type type;
	struct ppp_event ev;		/* pointers inside are stale */
	char text[300];			/* identity / lcp text copied */
	uint8_t eap[300];
	size_t eap_len;
};

enum auth_mode {
	AUTH_LOCAL,		/* answer LOCAL with the user table */
	AUTH_EXTERNAL,		/* compute S= ourselves, answer ACCEPT */
	AUTH_REJECT,		/* answer REJECT with reject_code */
	AUTH_DEFER,		/* keep the request, answer later by hand */
};

struct endpoint {
	struct ppp_session s;
	struct ppp_config cfg;
	struct ppp_client_credentials cred;
	uint64_t rng;
	struct frame out[OUTBOX_MAX];
	size_t nout;
	struct rec_event events[EVENTS_MAX];
	size_t nevents;
	uint64_t timer;
	unsigned timer_calls;
	/* authenticator behaviour (server) */
	enum auth_mode mode;
	const char *user, *password;	/* the one account it knows */
	enum ppp_auth_failure reject_code;
	const char *reject_text;
	struct ppp_profile profile;
	int answers;
	/* EAP: the external EAP-MD5 authenticator's state */
	uint8_t eap_challenge[16];
	int eap_round;
	/* a failing random source (ep_random returns -1) */
	bool random_fails;
	unsigned random_failures;
};

static inline void ep_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct endpoint *e = ctx;

	assert_true(len <= sizeof(e->out[0].b));
	assert_true(e->nout < OUTBOX_MAX);
	memcpy(e->out[e->nout].b, frame, len);
	e->out[e->nout].len = len;
	e->nout++;
}

static inline int ep_random(void *ctx, uint8_t *buf, size_t len)
{
	struct endpoint *e = ctx;

	if (e->random_fails) {
		e->random_failures++;
		memset(buf, 0, len);	/* what a careless caller would send */
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		/* xorshift64: deterministic, different per endpoint seed */
		e->rng ^= e->rng << 13;
		e->rng ^= e->rng >> 7;
		e->rng ^= e->rng << 17;
		buf[i] = (uint8_t)(e->rng >> 24);
	}
	return 0;
}

static inline void ep_set_timer(void *ctx, uint64_t deadline)
{
	struct endpoint *e = ctx;

	e->timer = deadline;
	e->timer_calls++;
}

static uint64_t ep_now_for_answer;

static inline void ep_answer(struct endpoint *e, const struct ppp_auth_request *r);

static inline void ep_event(void *ctx, const struct ppp_event *ev)
{
	struct endpoint *e = ctx;
	struct rec_event *re;
	const uint8_t *text = NULL;
	size_t tlen = 0;

	assert_true(e->nevents < EVENTS_MAX);
	re = &e->events[e->nevents++];
	memset(re, 0, sizeof(*re));
	re->type = ev->type;
	re->ev = *ev;
	switch (ev->type) {
	case PPP_EVENT_AUTH_REQUEST:
		text = ev->u.auth_request.identity;
		tlen = ev->u.auth_request.identity_len;
		if (ev->u.auth_request.method == PPP_AUTH_EAP) {
			re->eap_len = ev->u.auth_request.u.eap.packet_len;
			if (re->eap_len > sizeof(re->eap))
				re->eap_len = sizeof(re->eap);
			memcpy(re->eap, ev->u.auth_request.u.eap.packet,
			       re->eap_len);
		}
		break;
	case PPP_EVENT_AUTH_RESULT:
		text = ev->u.auth_result.identity;
		tlen = ev->u.auth_result.identity_len;
		break;
	case PPP_EVENT_IDENTIFICATION:
	case PPP_EVENT_TIME_REMAINING:
		text = ev->u.lcp_info.text;
		tlen = ev->u.lcp_info.text_len;
		break;
	case PPP_EVENT_LINK_DOWN:
		text = (const uint8_t *)ev->u.link_down.text;
		tlen = strlen(ev->u.link_down.text);
		break;
	default:
		break;
	}
	if (tlen >= sizeof(re->text))
		tlen = sizeof(re->text) - 1;
	if (text)
		memcpy(re->text, text, tlen);
	if (ev->type == PPP_EVENT_AUTH_REQUEST)
		ep_answer(e, &ev->u.auth_request);
}

static inline void ep_init(struct endpoint *e, enum ppp_role role,
			   uint64_t seed)
{
	memset(e, 0, sizeof(*e));
	ppp_config_defaults(&e->cfg);
	e->cfg.cb.send = ep_send;
	e->cfg.cb.event = ep_event;
	e->cfg.cb.set_timer = ep_set_timer;
	e->cfg.cb.random = ep_random;
	e->rng = seed ? seed : 0x9E3779B97F4A7C15ull;
	e->cred.user = "alice";
	e->cred.password = "correct horse";
	e->cfg.client = &e->cred;
	e->user = "alice";
	e->password = "correct horse";
	e->mode = AUTH_LOCAL;
	e->profile.local_addr = 0xC0000201;	/* 192.0.2.1 */
	e->profile.peer_addr = 0xC000020A;	/* 192.0.2.10 */
	e->profile.dns[0] = 0xC6336401;		/* 198.51.100.1 */
	e->profile.dns[1] = 0xC6336402;
	e->profile.nbns[0] = 0xCB007101;	/* 203.0.113.1 */
	e->profile.nbns[1] = 0xCB007102;
	e->profile.ipcp = true;
	ppp_session_init(&e->s, &e->cfg, role, e);
}

static inline bool ident_is(const struct ppp_auth_request *r, const char *u)
{
	return r->identity_len == strlen(u) &&
	       memcmp(r->identity, u, r->identity_len) == 0;
}

/* The scripted authenticator. */
static inline void ep_answer(struct endpoint *e, const struct ppp_auth_request *r)
{
	struct ppp_auth_answer a;
	uint8_t nt_hash[16];
	char sresp[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	uint64_t now = ep_now_for_answer;

	memset(&a, 0, sizeof(a));
	a.profile = &e->profile;
	if (e->mode == AUTH_DEFER)
		return;
	e->answers++;
	if (r->method == PPP_AUTH_EAP) {
		/* An external EAP-MD5 authenticator (what RADIUS would do). */
		const uint8_t *p = r->u.eap.packet;
		size_t n = r->u.eap.packet_len;

		if (e->mode == AUTH_REJECT) {
			a.kind = PPP_ANSWER_REJECT;
			a.failure = e->reject_code;
			assert_int_equal(ppp_auth_answer(&e->s, now, &a), 0);
			return;
		}
		if (n >= 5 && p[4] == 1) {	/* Response/Identity */
			uint8_t req[4 + 2 + 16];

			ep_random(e, e->eap_challenge, 16);
			req[0] = 1;
			req[1] = (uint8_t)(p[1] + 1);
			req[2] = 0;
			req[3] = sizeof(req);
			req[4] = 4;	/* MD5-Challenge */
			req[5] = 16;
			memcpy(req + 6, e->eap_challenge, 16);
			assert_int_equal(ppp_auth_eap_request(&e->s, now, req,
							      sizeof(req)), 0);
			return;
		}
		if (n >= 6 + 16 && p[4] == 4 && p[5] == 16) {
			uint8_t expect[16];

			ppp_chap_md5_response(p[1], (const uint8_t *)e->password,
					      strlen(e->password),
					      e->eap_challenge, 16, expect);
			a.kind = memcmp(expect, p + 6, 16) == 0
					 ? PPP_ANSWER_ACCEPT : PPP_ANSWER_REJECT;
			a.failure = PPP_AUTH_FAIL_CREDENTIALS;
			assert_int_equal(ppp_auth_answer(&e->s, now, &a), 0);
			return;
		}
		a.kind = PPP_ANSWER_REJECT;
		a.failure = PPP_AUTH_FAIL_CREDENTIALS;
		assert_int_equal(ppp_auth_answer(&e->s, now, &a), 0);
		return;
	}
	switch (e->mode) {
	case AUTH_REJECT:
		a.kind = PPP_ANSWER_REJECT;
		a.failure = e->reject_code;
		a.message = e->reject_text;
		break;
	case AUTH_EXTERNAL:
		/* Play RADIUS: verify and compute S= outside the library. */
		assert_int_equal(ppp_nt_password_hash(e->password,
					strlen(e->password), nt_hash), 0);
		a.kind = PPP_ANSWER_REJECT;
		a.failure = PPP_AUTH_FAIL_CREDENTIALS;
		if (r->method == PPP_AUTH_MSCHAPV2 && ident_is(r, e->user)) {
			uint8_t resp[24];

			ppp_mschapv2_nt_response(
				r->u.mschapv2.authenticator_challenge,
				r->u.mschapv2.peer_challenge, r->identity,
				r->identity_len, nt_hash, resp);
			if (memcmp(resp, r->u.mschapv2.nt_response, 24) == 0) {
				ppp_mschapv2_authenticator_response(nt_hash,
					resp, r->u.mschapv2.peer_challenge,
					r->u.mschapv2.authenticator_challenge,
					r->identity, r->identity_len, sresp);
				a.kind = PPP_ANSWER_ACCEPT;
				a.authenticator_response = sresp;
			}
		} else if (r->method != PPP_AUTH_MSCHAPV2) {
			a.kind = PPP_ANSWER_ACCEPT;
		}
		break;
	default:
		if (!ident_is(r, e->user)) {
			a.kind = PPP_ANSWER_REJECT;
			a.failure = PPP_AUTH_FAIL_CREDENTIALS;
			break;
		}
		a.kind = PPP_ANSWER_LOCAL;
		if (r->method == PPP_AUTH_CHAP_MD5) {
			a.secret = e->password;
			a.secret_len = strlen(e->password);
		} else {
			/* Stored as NT-hash only, as a user table would. */
			assert_int_equal(ppp_nt_password_hash(e->password,
					strlen(e->password), nt_hash), 0);
			a.nt_hash = nt_hash;
		}
		break;
	}
	assert_int_equal(ppp_auth_answer(&e->s, now, &a), 0);
}

/* Deliver every queued frame of a to b and of b to a until both are quiet. */
static inline void pump(struct endpoint *a, struct endpoint *b, uint64_t now)
{
	ep_now_for_answer = now;
	for (int round = 0; round < 200; round++) {
		struct frame q[OUTBOX_MAX];
		size_t n;
		bool moved = false;

		n = a->nout;
		memcpy(q, a->out, n * sizeof(q[0]));
		a->nout = 0;
		for (size_t i = 0; i < n; i++)
			ppp_input(&b->s, now, q[i].b, q[i].len, NULL);
		moved = moved || n;
		n = b->nout;
		memcpy(q, b->out, n * sizeof(q[0]));
		b->nout = 0;
		for (size_t i = 0; i < n; i++)
			ppp_input(&a->s, now, q[i].b, q[i].len, NULL);
		moved = moved || n;
		if (!moved)
			return;
	}
	fail_msg("pump: endpoints never went quiet");
}

/*
 * A lossy link: like pump(), but every frame goes through `copies`, which
 * says how many times to deliver it (0: lost, 1, 2: duplicated).  `from_a`
 * tells the direction.  NULL `copies` is a clean link.
 */
typedef int (*link_copies_fn)(const struct frame *f, bool from_a, void *arg);

static inline void pump_link(struct endpoint *a, struct endpoint *b,
			     uint64_t now, link_copies_fn copies, void *arg)
{
	ep_now_for_answer = now;
	for (int round = 0; round < 200; round++) {
		struct frame q[OUTBOX_MAX];
		size_t n;
		bool moved = false;

		for (int dir = 0; dir < 2; dir++) {
			struct endpoint *from = dir ? b : a, *to = dir ? a : b;

			n = from->nout;
			memcpy(q, from->out, n * sizeof(q[0]));
			from->nout = 0;
			for (size_t i = 0; i < n; i++) {
				int c = copies ? copies(&q[i], !dir, arg) : 1;

				while (c-- > 0)
					ppp_input(&to->s, now, q[i].b,
						  q[i].len, NULL);
			}
			moved = moved || n;
		}
		if (!moved)
			return;
	}
	fail_msg("pump_link: endpoints never went quiet");
}

/* tick() over a lossy link. */
static inline bool tick_link(struct endpoint *a, struct endpoint *b,
			     uint64_t *now, link_copies_fn copies, void *arg)
{
	uint64_t t = 0;

	if (a->timer)
		t = a->timer;
	if (b->timer && (!t || b->timer < t))
		t = b->timer;
	if (!t)
		return false;
	if (t > *now)
		*now = t;
	ep_now_for_answer = *now;
	if (a->timer && a->timer <= *now)
		ppp_timer_expired(&a->s, *now);
	if (b->timer && b->timer <= *now)
		ppp_timer_expired(&b->s, *now);
	pump_link(a, b, *now, copies, arg);
	return true;
}

/* Advance the clock to the earliest armed timer of a or b, fire it, pump. */
static inline bool tick(struct endpoint *a, struct endpoint *b, uint64_t *now)
{
	uint64_t t = 0;

	if (a && a->timer)
		t = a->timer;
	if (b && b->timer && (!t || b->timer < t))
		t = b->timer;
	if (!t)
		return false;
	if (t > *now)
		*now = t;
	ep_now_for_answer = *now;
	if (a && a->timer && a->timer <= *now)
		ppp_timer_expired(&a->s, *now);
	if (b && b->timer && b->timer <= *now)
		ppp_timer_expired(&b->s, *now);
	if (a && b)
		pump(a, b, *now);
	return true;
}

static inline const struct rec_event *find_event(const struct endpoint *e,
						 enum ppp_event_type type,
						 int nth)
{
	for (size_t i = 0; i < e->nevents; i++)
		if (e->events[i].type == type && nth-- == 0)
			return &e->events[i];
	return NULL;
}

static inline size_t count_events(const struct endpoint *e,
				  enum ppp_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nevents; i++)
		n += e->events[i].type == type;
	return n;
}

/* Frames in an outbox: FF 03 + protocol + packet. */
static inline uint16_t frame_proto(const struct frame *f)
{
	return (uint16_t)(f->b[2] << 8 | f->b[3]);
}

static inline const uint8_t *frame_pkt(const struct frame *f)
{
	return f->b + 4;
}

static inline const struct frame *find_sent(const struct endpoint *e,
					    uint16_t proto, uint8_t code)
{
	for (size_t i = 0; i < e->nout; i++)
		if (frame_proto(&e->out[i]) == proto &&
		    e->out[i].b[4] == code)
			return &e->out[i];
	return NULL;
}

/* Does the packet (code onward) carry option `type` with these bytes? */
static inline bool pkt_has_option(const uint8_t *pkt, uint8_t type,
				  const uint8_t *val, size_t vlen)
{
	size_t len = (size_t)(pkt[2] << 8 | pkt[3]);

	for (size_t off = 4; off + 2 <= len && pkt[off + 1] >= 2;
	     off += pkt[off + 1]) {
		if (pkt[off] == type && (size_t)pkt[off + 1] == vlen + 2 &&
		    (vlen == 0 || memcmp(pkt + off + 2, val, vlen) == 0))
			return true;
	}
	return false;
}

static inline bool pkt_has_type(const uint8_t *pkt, uint8_t type)
{
	size_t len = (size_t)(pkt[2] << 8 | pkt[3]);

	for (size_t off = 4; off + 2 <= len && pkt[off + 1] >= 2;
	     off += pkt[off + 1])
		if (pkt[off] == type)
			return true;
	return false;
}

/* Feed a frame given as bytes. */
static inline enum ppp_input_result feed(struct endpoint *e, uint64_t now,
					 const uint8_t *b, size_t n)
{
	ep_now_for_answer = now;
	return ppp_input(&e->s, now, b, n, NULL);
}

/* Bring a server and client all the way up with the given methods. */
static inline void connect_pair(struct endpoint *srv, struct endpoint *cli,
				const enum ppp_auth_method *order, size_t n,
				uint64_t *now)
{
	ppp_set_auth_methods(&srv->s, order, n);
	ppp_start(&srv->s, *now);
	ppp_start(&cli->s, *now);
	pump(srv, cli, *now);
}

#endif
