/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared set-up for the ppp-core fuzz targets: sessions driven in memory to
 * the phase a target needs, deterministic randomness, sends captured (and
 * read, so the sanitizers see every byte we emit).
 */
#ifndef PPP_FUZZ_COMMON_H
#define PPP_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp/mschap.h"
#include "ppp/ppp.h"

struct fz {
	struct ppp_session s;
	struct ppp_config cfg;
	struct ppp_client_credentials cred;
	struct ppp_profile profile;
	uint64_t rng;
	uint8_t out[16][PPP_MAX_FRAME + 16];
	size_t out_len[16];
	size_t nout;
	unsigned sum;
	bool answer;		/* answer auth requests with local creds */
};

static inline void fz_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct fz *z = ctx;

	for (size_t i = 0; i < len; i++)
		z->sum += frame[i];
	if (z->nout < 16 && len <= sizeof(z->out[0])) {
		memcpy(z->out[z->nout], frame, len);
		z->out_len[z->nout++] = len;
	}
}

static inline int fz_random(void *ctx, uint8_t *buf, size_t len)
{
	struct fz *z = ctx;

	for (size_t i = 0; i < len; i++) {
		z->rng ^= z->rng << 13;
		z->rng ^= z->rng >> 7;
		z->rng ^= z->rng << 17;
		buf[i] = (uint8_t)(z->rng >> 24);
	}
	return 0;
}

static inline void fz_timer(void *ctx, uint64_t deadline)
{
	(void)ctx;
	(void)deadline;
}

static inline void fz_event(void *ctx, const struct ppp_event *ev)
{
	struct fz *z = ctx;

	if (ev->type == PPP_EVENT_AUTH_REQUEST) {
		const struct ppp_auth_request *r = &ev->u.auth_request;

		for (size_t i = 0; i < r->identity_len; i++)
			z->sum += r->identity[i];
		if (r->method == PPP_AUTH_EAP)
			for (size_t i = 0; i < r->u.eap.packet_len; i++)
				z->sum += r->u.eap.packet[i];
		if (z->answer) {
			struct ppp_auth_answer a;
			uint8_t h[16];

			memset(&a, 0, sizeof(a));
			a.kind = PPP_ANSWER_LOCAL;
			a.secret = "secret";
			a.secret_len = 6;
			if (ppp_nt_password_hash("secret", 6, h) == 0 &&
			    r->method != PPP_AUTH_CHAP_MD5)
				a.nt_hash = h;
			a.profile = &z->profile;
			if (r->method == PPP_AUTH_EAP) {
				a.kind = PPP_ANSWER_REJECT;
				a.failure = PPP_AUTH_FAIL_NO_DIALIN;
			} else if (z->sum & 1) {
				/* the daemon's way: verify, then the post-auth
				 * decision (accept, or refuse with its code) */
				struct ppp_secret sec = { .nt_hash = a.nt_hash, .cleartext = "secret",
							  .cleartext_len = 6 };
				struct ppp_auth_request p;

				if (ppp_auth_pending(&z->s, &p) == 0)
					z->sum += p.identity_len;
				if (ppp_auth_verify(&z->s, &sec) != PPP_VERIFY_MATCH) {
					a.kind = PPP_ANSWER_REJECT;
					a.failure = PPP_AUTH_FAIL_CREDENTIALS;
				} else if (z->sum & 2) {
					a.kind = PPP_ANSWER_REJECT;
					a.failure = PPP_AUTH_FAIL_NO_DIALIN;
				} else {
					a.kind = PPP_ANSWER_ACCEPT;
				}
			}
			(void)ppp_auth_answer(&z->s, z->s.now, &a);
		}
	} else if (ev->type == PPP_EVENT_IDENTIFICATION ||
		   ev->type == PPP_EVENT_TIME_REMAINING) {
		for (size_t i = 0; i < ev->u.lcp_info.text_len; i++)
			z->sum += ev->u.lcp_info.text[i];
	}
}

static inline void fz_init(struct fz *z, enum ppp_role role, uint64_t seed)
{
	memset(z, 0, sizeof(*z));
	ppp_config_defaults(&z->cfg);
	z->cfg.cb.send = fz_send;
	z->cfg.cb.event = fz_event;
	z->cfg.cb.set_timer = fz_timer;
	z->cfg.cb.random = fz_random;
	z->cred.user = "alice";
	z->cred.password = "secret";
	z->cfg.client = &z->cred;
	z->rng = seed;
	z->profile.local_addr = 0xC0000201;
	z->profile.peer_addr = 0xC000020A;
	z->profile.dns[0] = 0xC6336401;
	z->profile.nbns[0] = 0xCB007101;
	z->profile.ipcp = true;
	z->profile.ipv6cp = true;
	ppp_session_init(&z->s, &z->cfg, role, z);
}

/* Deliver a's captured frames to b (and clear them). */
static inline void fz_deliver(struct fz *a, struct fz *b, uint64_t now,
		       bool lcp_only)
{
	size_t n = a->nout;
	uint8_t q[16][PPP_MAX_FRAME + 16];
	size_t ql[16];

	memcpy(q, a->out, sizeof(q));
	memcpy(ql, a->out_len, sizeof(ql));
	a->nout = 0;
	for (size_t i = 0; i < n; i++) {
		if (lcp_only && !(q[i][2] == 0xC0 && q[i][3] == 0x21))
			continue;
		ppp_input(&b->s, now, q[i], ql[i], NULL);
	}
}

/* Server and client through LCP only: both in the authentication phase
 * (the client waiting for a challenge, the server for a response). */
static inline void fz_pair_to_auth(struct fz *srv, struct fz *cli,
			    enum ppp_auth_method m)
{
	fz_init(srv, PPP_SERVER, 0x1234);
	fz_init(cli, PPP_CLIENT, 0x5678);
	ppp_set_auth_methods(&srv->s, &m, 1);
	ppp_start(&srv->s, 1000);
	ppp_start(&cli->s, 1000);
	for (int i = 0; i < 8; i++) {
		fz_deliver(srv, cli, 1000, true);
		fz_deliver(cli, srv, 1000, true);
	}
	srv->nout = cli->nout = 0;
}

/* Frame a packet of `proto` around fuzz bytes. */
static inline size_t fz_frame(uint8_t *buf, size_t cap, uint16_t proto,
		       const uint8_t *data, size_t len)
{
	if (len > cap - 4)
		len = cap - 4;
	buf[0] = 0xFF;
	buf[1] = 0x03;
	buf[2] = (uint8_t)(proto >> 8);
	buf[3] = (uint8_t)proto;
	memcpy(buf + 4, data, len);
	return len + 4;
}

/*
 * One auth protocol's packet parsing, both roles: the first byte chooses the
 * role (bit 0: client) and whether the Identifier is forced to the expected
 * one (bit 1); the rest is the packet from its Code field on. The server
 * answers any auth request at once with local credentials.
 */
static inline int fz_auth_packet(const uint8_t *data, size_t size,
				 enum ppp_auth_method method, uint16_t protocol)
{
	struct fz *srv, *cli;
	struct ppp_session *s;
	uint8_t pkt[1600], frame[1700];
	size_t len, flen;

	if (size < 1)
		return 0;
	srv = calloc(1, sizeof(*srv));
	cli = calloc(1, sizeof(*cli));
	if (!srv || !cli)
		goto out;
	fz_pair_to_auth(srv, cli, method);
	srv->answer = true;
	s = (data[0] & 1) ? &cli->s : &srv->s;
	len = size - 1 > 1500 ? 1500 : size - 1;
	memcpy(pkt, data + 1, len);
	if ((data[0] & 2) && len >= 2)
		pkt[1] = s->auth.id;
	flen = fz_frame(frame, sizeof(frame), protocol, pkt, len);
	ppp_input(s, 1000, frame, flen, NULL);
	ppp_input(s, 1001, frame, flen, NULL);
	ppp_timer_expired(s, 5000);
out:
	free(srv);
	free(cli);
	return 0;
}

#endif
