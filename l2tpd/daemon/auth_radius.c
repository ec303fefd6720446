/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The `radius` authentication provider (auth_radius.h). */
#include "auth_radius.h"
#include "auth_radius_eap.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "log.h"
#include "radius_io.h"
#include "radius_nas.h"
#include "reply.h"
#include "request.h"
#include "server.h"
#include "text.h"

/* One login on its way to a server: what the Access-Request says, copied
 * (the request is built again for every server it goes to: User-Password
 * depends on the secret). */
struct radius_login {
	struct radius_login *prev, *next;	/* ar->logins: all of them */
	struct radius_login *wait_next;		/* ar->wait_head: not yet submitted */
	bool waiting;
	bool parked;				/* EAP: between round trips, the client's turn */
	struct eap_relay *eap;			/* EAP: the conversation (auth_radius_eap.h) */
	struct auth_radius *ar;
	void *ctx;				/* the daemon's (its session) */
	enum ppp_auth_method method;
	uint8_t chap_id;
	uint8_t challenge_len, response_len, password_len;
	uint8_t challenge[16];
	uint8_t response[49];			/* CHAP 16; MS-CHAPv2's Response value 49 */
	uint8_t password[RADIUS_MAX_PASSWORD];
	uint16_t link_mtu;			/* EAP's Framed-MTU, 0 none */
	char user[PPP_IDENTITY_MAX + 1];
	struct radius_nas_facts nas;		/* as the session's accounting says (radius_nas.h) */
	char *ike_identity;			/* copied, NULL none */
};

struct auth_radius {
	struct auth_provider base;		/* first: the seam's view */
	struct server *srv;
	struct radius_conf *conf;		/* the engine's secrets point into it */
	char nas_identifier[64];
	struct radius_client *client;
	struct server_timer timer;		/* the engine's next deadline */
	struct radius_login *logins;
	struct radius_login *wait_head, **wait_tail;
	bool alive[L2TPD_RADIUS_MAX_SERVERS];	/* as last logged */
	struct auth_radius_stats st;
};

static const struct auth_provider_ops radius_ops;

/* ---- the engine ---------------------------------------------------------------- */

static void rearm(struct auth_radius *ar)
{
	uint64_t next = ar->client ? radius_client_next_timer(ar->client) : UINT64_MAX;

	if (next == UINT64_MAX) {
		timerheap_cancel(&ar->srv->timers, &ar->timer.node);
		return;
	}
	if (timerheap_set(&ar->srv->timers, &ar->timer.node, next))
		log_err("radius: no memory for the retransmission timer: requests wait for the "
			"next one");
}

/* A server that stopped or started answering: one line each way. */
static void log_server_states(struct auth_radius *ar)
{
	char a[64];

	for (unsigned i = 0; i < ar->conf->n_servers; i++) {
		const struct radius_server_stats *st = radius_client_stats(ar->client, i);

		if (!st || st->alive == ar->alive[i])
			continue;
		ar->alive[i] = st->alive;
		radius_io_server_str(ar->srv->radius_io, RADIUS_IO_AUTH, i, a, sizeof(a));
		if (st->alive)
			log_notice("radius: server '%s' (%s) answers again", ar->conf->servers[i].name,
				   a);
		else
			log_warn("radius: server '%s' (%s) does not answer: %s, probed with "
				 "Status-Server every %ums", ar->conf->servers[i].name, a,
				 i + 1 < ar->conf->n_servers ? "logins go to the next one"
							     : "logins fail over to the others",
				 ar->conf->dead_time_ms);
	}
}

static void engine_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct auth_radius *ar = ctx;

	radius_io_send(ar->srv->radius_io, RADIUS_IO_AUTH, server, pkt, len);
}

static int engine_random(void *ctx, uint8_t *buf, size_t len)
{
	struct auth_radius *ar = ctx;

	return server_random(ar->srv, buf, len);
}

/* radius_build_fn: the Access-Request for one server (request.h). */
static int build(void *cookie, struct radius_writer *w, const char *secret)
{
	struct radius_login *l = cookie;
	struct auth_radius *ar = l->ar;
	struct radius_nas_session s;
	struct radius_credentials c = { .chap_id = l->chap_id };

	radius_nas_session_make(&s, &l->nas, ar->conf, ar->nas_identifier, l->user,
				l->ike_identity);
	switch (l->method) {
	case PPP_AUTH_PAP:
		c.kind = RADIUS_AUTH_PAP;
		c.password = l->password;
		c.password_len = l->password_len;
		break;
	case PPP_AUTH_CHAP_MD5:
		c.kind = RADIUS_AUTH_CHAP;
		c.challenge = l->challenge;
		c.challenge_len = l->challenge_len;
		c.response = l->response;
		c.response_len = l->response_len;
		break;
	case PPP_AUTH_MSCHAPV2:
		c.kind = RADIUS_AUTH_MSCHAPV2;
		c.challenge = l->challenge;
		c.challenge_len = l->challenge_len;
		c.response = l->response;
		c.response_len = l->response_len;
		break;
	case PPP_AUTH_EAP:
		/* RFC 3579 2.1: the client's Response in EAP-Message, the
		 * last Challenge's State; the engine adds the
		 * Message-Authenticator (3.2) */
		eap_relay_credentials(l->eap, &c);
		c.framed_mtu = l->link_mtu;
		break;
	default:
		return -1;
	}
	return radius_put_access_request(w, &s, &c, secret);
}

/* ---- logins ---------------------------------------------------------------------- */

static void unlink_login(struct auth_radius *ar, struct radius_login *l)
{
	if (l->waiting) {
		struct radius_login **pp = &ar->wait_head;

		while (*pp && *pp != l)
			pp = &(*pp)->wait_next;
		if (*pp) {
			*pp = l->wait_next;
			if (ar->wait_tail == &l->wait_next)
				ar->wait_tail = pp;
		}
		l->waiting = false;
		ar->st.waiting--;
	} else if (!l->parked) {
		ar->st.in_flight--;
	}
	if (l->prev)
		l->prev->next = l->next;
	else
		ar->logins = l->next;
	if (l->next)
		l->next->prev = l->prev;
}

static void free_login(struct radius_login *l)
{
	eap_relay_free(l->eap);
	free(l->ike_identity);
	free(l);
}

static void enqueue(struct auth_radius *ar, struct radius_login *l)
{
	l->waiting = true;
	l->wait_next = NULL;
	*ar->wait_tail = l;
	ar->wait_tail = &l->wait_next;
	ar->st.waiting++;
}

/* Into the engine, or into the queue when every Identifier of every server
 * is taken (256 a server): the queue moves as answers free them. */
static void submit(struct auth_radius *ar, struct radius_login *l)
{
	if (radius_client_submit(ar->client, server_now_ms(ar->srv), RADIUS_ACCESS_REQUEST, build,
				 l) == 0) {
		ar->st.in_flight++;
		return;
	}
	enqueue(ar, l);
}

static void submit_waiting(struct auth_radius *ar)
{
	while (ar->wait_head) {
		struct radius_login *l = ar->wait_head;

		ar->wait_head = l->wait_next;
		if (!ar->wait_head)
			ar->wait_tail = &ar->wait_head;
		l->waiting = false;
		ar->st.waiting--;
		if (radius_client_submit(ar->client, server_now_ms(ar->srv), RADIUS_ACCESS_REQUEST,
					 build, l) != 0) {
			/* still full: back to the front, in order */
			l->waiting = true;
			l->wait_next = ar->wait_head;
			ar->wait_head = l;
			if (!l->wait_next)
				ar->wait_tail = &l->wait_next;
			ar->st.waiting++;
			return;
		}
		ar->st.in_flight++;
	}
}

/* The verdict goes to the daemon; the login is gone before it hears it
 * (the daemon may cancel or ask again inside the call). */
static void answer(struct auth_radius *ar, struct radius_login *l, const struct auth_reply *r)
{
	void *ctx = l->ctx;

	unlink_login(ar, l);
	free_login(l);
	ar->base.reply(ctx, r);
}

static void on_accept(struct auth_radius *ar, struct radius_login *l,
		      const struct radius_packet *resp, const char *server, const uint8_t *eap,
		      size_t eap_len)
{
	struct auth_reply r = { .kind = AUTH_REPLY_ACCEPT, .eap = eap, .eap_len = eap_len };
	struct radius_reply rep;
	char why[200], s[43];

	if (radius_reply_read(resp, &rep, why, sizeof(why)) != 0) {
		char line[400];

		/* RFC 2865 5.44's way out: refused, with the attribute named */
		ar->st.not_honoured++;
		snprintf(line, sizeof(line), "the Access-Accept of RADIUS server %s cannot be "
			 "honoured: %s", server, why);
		r = (struct auth_reply){ .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_NO_DIALIN,
					 .message = "the server's answer cannot be carried out",
					 .why = line };
		answer(ar, l, &r);
		return;
	}
	if (l->method == PPP_AUTH_MSCHAPV2) {
		if (radius_ms_chap2_success(&rep, s) != 0) {
			char line[256];

			ar->st.not_honoured++;
			snprintf(line, sizeof(line), "RADIUS server %s accepted without a valid "
				 "MS-CHAP2-Success (the client would refuse our Success)", server);
			r = (struct auth_reply){ .kind = AUTH_REPLY_REJECT,
						 .failure = PPP_AUTH_FAIL_CREDENTIALS,
						 .message = "authentication failed", .why = line };
			answer(ar, l, &r);
			return;
		}
		/* the server's S= goes to the client unchanged (RFC 2759 5) */
		r.authenticator_response = s;
	}
	ar->st.accepts++;
	r.attributes = &rep;
	answer(ar, l, &r);
}

static void on_reject(struct auth_radius *ar, struct radius_login *l,
		      const struct radius_packet *resp, const char *server, const uint8_t *eap,
		      size_t eap_len)
{
	struct radius_reject rej;
	char line[400], msg[TEXT_SAFE_SIZE];
	struct auth_reply r = { .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_CREDENTIALS,
				.eap = eap, .eap_len = eap_len };

	radius_reject_read(resp, &rej);
	ar->st.rejects++;
	/* RFC 2548 2.1.5: the code and text the server chose reach the
	 * client as sent (Windows shows 691/649/646/647/648 by them) */
	if (rej.error)
		r.failure = (enum ppp_auth_failure)rej.error;
	r.message = rej.message[0] ? rej.message : rej.reply_message[0] ? rej.reply_message : NULL;
	snprintf(line, sizeof(line), "rejected by RADIUS server %s%s%s%s", server,
		 rej.reply_message[0] ? " (Reply-Message '" : "",
		 rej.reply_message[0] ? text_escape(msg, sizeof(msg), rej.reply_message,
						    strlen(rej.reply_message), TEXT_ESC_QUOTES)
				      : "",
		 rej.reply_message[0] ? "')" : "");
	r.why = line;
	answer(ar, l, &r);
}

/* ---- EAP relay (docs/radius.md "EAP relay") ---------------------------------------- */

/* An answer to an EAP Response: a Challenge's Request goes to the client
 * and the login waits, parked, for its next Response; an Accept or Reject
 * ends it with the server's Success or Failure passed through. */
static void eap_done(struct auth_radius *ar, struct radius_login *l,
		     const struct radius_packet *resp, const char *server)
{
	uint8_t pkt[RADIUS_MAX_LEN];
	struct radius_eap e;
	struct auth_reply r;
	char why[160], line[400];

	if (eap_relay_answer(l->eap, resp, pkt, &e, why, sizeof(why))) {
		if (resp->code == RADIUS_ACCESS_REJECT) {
			/* refused either way; the client gets our Failure */
			on_reject(ar, l, resp, server, NULL, 0);
			return;
		}
		/* RFC 3579 2.2 would have it discarded, but the request is
		 * answered: a refusal that names the fault beats a wait */
		ar->st.not_honoured++;
		snprintf(line, sizeof(line), "the %s of RADIUS server %s cannot be relayed: %s",
			 resp->code == RADIUS_ACCESS_ACCEPT ? "Access-Accept" : "Access-Challenge",
			 server, why);
		r = (struct auth_reply){ .kind = AUTH_REPLY_REJECT,
					 .failure = PPP_AUTH_FAIL_CREDENTIALS,
					 .message = "authentication failed", .why = line };
		answer(ar, l, &r);
		return;
	}
	switch (resp->code) {
	case RADIUS_ACCESS_CHALLENGE:
		ar->st.challenges++;
		ar->st.in_flight--;
		l->parked = true;
		r = (struct auth_reply){ .kind = AUTH_REPLY_EAP_REQUEST, .eap = pkt,
					 .eap_len = e.eap_len };
		/* the session may cancel inside (l is gone then) */
		ar->base.reply(l->ctx, &r);
		return;
	case RADIUS_ACCESS_ACCEPT:
		if (!e.eap_len) {
			/* RFC 3579 2.6.3: the client would get a Success the
			 * server never sent */
			ar->st.not_honoured++;
			snprintf(line, sizeof(line), "RADIUS server %s accepted an EAP login "
				 "without an EAP-Success", server);
			r = (struct auth_reply){ .kind = AUTH_REPLY_REJECT,
						 .failure = PPP_AUTH_FAIL_CREDENTIALS,
						 .message = "authentication failed", .why = line };
			answer(ar, l, &r);
			return;
		}
		on_accept(ar, l, resp, server, pkt, e.eap_len);
		return;
	default:
		on_reject(ar, l, resp, server, e.eap_len ? pkt : NULL, e.eap_len);
		return;
	}
}

/* The time allowed ran out (on the heap, srv->cfg.auth_timeout): a login
 * whose request waits for a server is answered now; one whose client has
 * the turn is refused at its next Response (ppp-core's own auth_timeout
 * closes a client that stays silent). */
static void eap_expired(void *ctx, uint64_t now)
{
	struct radius_login *l = ctx;
	struct auth_radius *ar = l->ar;
	struct auth_reply r = { .kind = AUTH_REPLY_UNAVAILABLE,
				.why = "the EAP conversation with the RADIUS server ran out of time" };

	(void)now;
	if (l->parked) {
		l->eap->expired = true;
		return;
	}
	if (!l->waiting)
		radius_client_cancel(ar->client, l);
	ar->st.timeouts++;
	answer(ar, l, &r);
	submit_waiting(ar);
	rearm(ar);
}

static struct radius_login *find_parked(struct auth_radius *ar, void *ctx)
{
	/* linear over the logins in progress, once a round trip */
	for (struct radius_login *l = ar->logins; l; l = l->next)
		if (l->ctx == ctx && l->parked)
			return l;
	return NULL;
}

static void link_login(struct auth_radius *ar, struct radius_login *l)
{
	l->prev = NULL;
	l->next = ar->logins;
	if (l->next)
		l->next->prev = l;
	ar->logins = l;
}

static int fill_login(struct radius_login *l, const struct auth_query *q, char *why, size_t wl);

/* One EAP Response from the client (RFC 3579 2.1): a Response/Identity
 * starts a conversation (its identity is the User-Name, the session's
 * user), every other one continues the session's parked one. */
static int eap_verify(struct auth_radius *ar, const struct auth_query *q)
{
	const uint8_t *pkt = q->request->u.eap.packet;
	size_t len = q->request->u.eap.packet_len;
	bool identity = pkt && len >= 5 && pkt[4] == 1;	/* RFC 3748 5.1 */
	struct radius_login *l = find_parked(ar, q->ctx);
	struct auth_reply r = { .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_CREDENTIALS,
				.message = "authentication failed" };
	char why[120];
	int rc;

	if (l && identity) {
		/* the link authenticates again (LCP renegotiated) */
		unlink_login(ar, l);
		free_login(l);
		l = NULL;
	}
	if (!l) {
		if (!identity) {
			r.why = "an EAP Response outside a conversation";
			ar->base.reply(q->ctx, &r);
			return 0;
		}
		if (!(l = calloc(1, sizeof(*l))))
			return -1;
		l->ar = ar;
		l->ctx = q->ctx;
		l->parked = true;
		if (fill_login(l, q, why, sizeof(why)) ||
		    !(l->eap = eap_relay_new(ar->srv, server_now_ms(ar->srv),
					     (uint64_t)ar->srv->cfg.auth_timeout * 1000, eap_expired,
					     l))) {
			free_login(l);
			return -1;
		}
		ar->st.logins++;
		link_login(ar, l);
	}
	rc = eap_relay_response(l->eap, pkt, len, why, sizeof(why));
	if (rc) {
		unlink_login(ar, l);
		free_login(l);
		if (rc == -2)
			return -1;
		r.why = why;
		ar->base.reply(q->ctx, &r);
		return 0;
	}
	l->parked = false;
	submit(ar, l);
	log_server_states(ar);
	rearm(ar);
	return 0;
}

static void engine_done(void *ctx, void *cookie, enum radius_result res, unsigned server,
			const struct radius_packet *resp)
{
	struct auth_radius *ar = ctx;
	struct radius_login *l = cookie;
	char srv_name[80], addr[64];
	struct auth_reply r = { .kind = AUTH_REPLY_UNAVAILABLE };

	snprintf(srv_name, sizeof(srv_name), "'%s' (%s)",
		 server < ar->conf->n_servers ? ar->conf->servers[server].name : "?",
		 radius_io_server_str(ar->srv->radius_io, RADIUS_IO_AUTH, server, addr,
				      sizeof(addr)));
	if (res != RADIUS_RESULT_RESPONSE) {
		ar->st.timeouts++;
		r.why = res == RADIUS_RESULT_TIMEOUT ? "no RADIUS server answered"
						     : "every RADIUS server is dead";
		answer(ar, l, &r);
		return;
	}
	if (l->method == PPP_AUTH_EAP) {
		eap_done(ar, l, resp, srv_name);
		return;
	}
	switch (resp->code) {
	case RADIUS_ACCESS_ACCEPT:
		on_accept(ar, l, resp, srv_name, NULL, 0);
		break;
	case RADIUS_ACCESS_REJECT:
		on_reject(ar, l, resp, srv_name, NULL, 0);
		break;
	default:
		/* Access-Challenge: a server's extra question (one-time
		 * passwords), which PAP, CHAP and MS-CHAPv2 cannot carry */
		ar->st.challenges++;
		r = (struct auth_reply){ .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_CREDENTIALS,
					 .message = "authentication failed",
					 .why = "the RADIUS server sent an Access-Challenge, which "
						"PAP, CHAP and MS-CHAPv2 cannot answer" };
		answer(ar, l, &r);
		break;
	}
}

static void timer_fired(void *ctx, uint64_t now)
{
	struct auth_radius *ar = ctx;

	radius_client_timer(ar->client, now);
	log_server_states(ar);
	submit_waiting(ar);
	rearm(ar);
}

static void io_input(void *ctx, unsigned server, const uint8_t *buf, size_t len)
{
	struct auth_radius *ar = ctx;

	radius_client_input(ar->client, server_now_ms(ar->srv), server, buf, len);
	log_server_states(ar);
	submit_waiting(ar);
	rearm(ar);
}

/* ---- the seam's entry points ------------------------------------------------------- */

static int fill_login(struct radius_login *l, const struct auth_query *q, char *why, size_t wl)
{
	const struct ppp_auth_request *r = q->request;
	const struct auth_session_facts *f = q->facts;

	snprintf(l->user, sizeof(l->user), "%s", q->user);
	l->method = q->method;
	switch (q->method) {
	case PPP_AUTH_PAP:
		/* RFC 2865 5.2: at most 128 octets hidden */
		if (r->u.pap.password_len > RADIUS_MAX_PASSWORD) {
			snprintf(why, wl, "a PAP password longer than %d octets cannot be relayed",
				 RADIUS_MAX_PASSWORD);
			return -1;
		}
		memcpy(l->password, r->u.pap.password, r->u.pap.password_len);
		l->password_len = (uint8_t)r->u.pap.password_len;
		break;
	case PPP_AUTH_CHAP_MD5:
		if (r->u.chap.challenge_len == 0 || r->u.chap.challenge_len > sizeof(l->challenge) ||
		    r->u.chap.response_len != 16) {
			snprintf(why, wl, "a CHAP challenge or response of an unusual length");
			return -1;
		}
		l->chap_id = r->u.chap.id;
		memcpy(l->challenge, r->u.chap.challenge, r->u.chap.challenge_len);
		l->challenge_len = (uint8_t)r->u.chap.challenge_len;
		memcpy(l->response, r->u.chap.response, 16);
		l->response_len = 16;
		break;
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 4: the Response's Value: Peer-Challenge 16,
		 * Reserved 8 (zero), NT-Response 24, Flags 1 */
		l->chap_id = r->u.mschapv2.id;
		memcpy(l->challenge, r->u.mschapv2.authenticator_challenge, 16);
		l->challenge_len = 16;
		memcpy(l->response, r->u.mschapv2.peer_challenge, 16);
		memset(l->response + 16, 0, 8);
		memcpy(l->response + 24, r->u.mschapv2.nt_response, 24);
		l->response[48] = r->u.mschapv2.flags;
		l->response_len = 49;
		break;
	case PPP_AUTH_EAP:
		break;	/* the packets are the conversation's (eap_verify) */
	default:
		snprintf(why, wl, "%s is not relayed to RADIUS", ppp_auth_method_name(q->method));
		return -1;
	}
	if (f) {
		radius_nas_facts_fill(&l->nas, f);
		l->link_mtu = f->link_mtu;
		if (f->ike_identity && f->ike_identity[0]) {
			/* RADIUS text is at most 253 octets */
			l->ike_identity = strndup(f->ike_identity, RADIUS_MAX_VALUE);
			if (!l->ike_identity)
				return -2;
		}
	}
	return 0;
}

static int radius_verify(struct auth_provider *p, const struct auth_query *q)
{
	struct auth_radius *ar = (struct auth_radius *)p;
	struct radius_login *l;
	char why[120];
	int rc;

	if (q->method == PPP_AUTH_EAP)
		return eap_verify(ar, q);
	if (!(l = calloc(1, sizeof(*l))))
		return -1;
	l->ar = ar;
	l->ctx = q->ctx;
	rc = fill_login(l, q, why, sizeof(why));
	if (rc == -2) {
		free_login(l);
		return -1;
	}
	ar->st.logins++;
	if (rc < 0) {
		struct auth_reply r = { .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_CREDENTIALS,
					.message = "authentication failed", .why = why };

		free_login(l);
		p->reply(q->ctx, &r);
		return 0;
	}
	l->next = ar->logins;
	if (l->next)
		l->next->prev = l;
	ar->logins = l;
	submit(ar, l);
	log_server_states(ar);
	rearm(ar);
	return 0;
}

static void radius_cancel(struct auth_provider *p, void *ctx)
{
	struct auth_radius *ar = (struct auth_radius *)p;

	/* linear over the logins waiting for an answer (at most 256 a
	 * server, plus the queue), only when a session goes mid-login */
	for (struct radius_login *l = ar->logins; l; l = l->next) {
		if (l->ctx != ctx)
			continue;
		if (!l->waiting && !l->parked)
			radius_client_cancel(ar->client, l);
		unlink_login(ar, l);
		free_login(l);
		ar->st.cancelled++;
		break;
	}
	submit_waiting(ar);
	rearm(ar);
}

/* A new engine for conf (the old one's requests are dropped: the caller
 * submits its logins again). */
static struct radius_client *make_client(struct auth_radius *ar, const struct radius_conf *rc)
{
	struct radius_client_config cc = {
		.n_servers = rc->n_servers,
		.timeout_ms = rc->timeout_ms,
		.max_timeout_ms = rc->max_timeout_ms,
		.tries = rc->tries,
		.dead_time_ms = rc->dead_time_ms,
		.load_share = rc->load_share,
		.require_message_authenticator = rc->require_message_authenticator,
	};
	struct radius_client_ops ops = { .ctx = ar, .send = engine_send, .random = engine_random,
					 .done = engine_done };

	for (unsigned i = 0; i < rc->n_servers; i++) {
		cc.secrets[i] = rc->servers[i].secret;
		/* RadSec: one try, then the next server (RFC 6613 2.4) */
		cc.reliable[i] = rc->servers[i].tls.enabled;
	}
	return radius_client_new(&cc, &ops);
}

/* What the authentication engine uses of the radius block (accounting's
 * keys are the accounting engine's). */
static bool auth_settings_differ(const struct radius_conf *a, const struct radius_conf *b)
{
	return a->n_servers != b->n_servers ||
	       memcmp(a->servers, b->servers, sizeof(a->servers)) ||
	       strcmp(a->nas_identifier, b->nas_identifier) || a->has_nas_ipv4 != b->has_nas_ipv4 ||
	       a->has_nas_ipv6 != b->has_nas_ipv6 ||
	       memcmp(&a->nas_ipv4, &b->nas_ipv4, sizeof(a->nas_ipv4)) ||
	       memcmp(&a->nas_ipv6, &b->nas_ipv6, sizeof(a->nas_ipv6)) ||
	       a->timeout_ms != b->timeout_ms || a->max_timeout_ms != b->max_timeout_ms ||
	       a->tries != b->tries || a->dead_time_ms != b->dead_time_ms ||
	       a->load_share != b->load_share ||
	       a->require_message_authenticator != b->require_message_authenticator;
}

static void set_nas_identifier(struct auth_radius *ar, const struct l2tpd_config *cfg)
{
	radius_nas_identifier(cfg, ar->nas_identifier, sizeof(ar->nas_identifier));
}

/* A reload: new servers and secrets for every login from now on; the
 * logins waiting for an answer are sent again, to the new servers. */
static int radius_reconfigure(struct auth_provider *p, const struct l2tpd_config *cfg,
			      char *err, size_t errlen)
{
	struct auth_radius *ar = (struct auth_radius *)p;
	struct radius_conf *conf;
	struct radius_client *client;

	if (!auth_settings_differ(ar->conf, &cfg->radius) &&
	    !strcmp(ar->nas_identifier, cfg->radius.nas_identifier[0] ? cfg->radius.nas_identifier
								       : cfg->host_name))
		return 0;
	if (cfg->radius.n_servers == 0) {
		snprintf(err, errlen, "auth.provider is radius: the radius block needs a server");
		return -1;
	}
	conf = malloc(sizeof(*conf));
	if (!conf) {
		snprintf(err, errlen, "no memory for the RADIUS settings");
		return -1;
	}
	*conf = cfg->radius;
	client = make_client(ar, conf);
	if (!client) {
		free(conf);
		snprintf(err, errlen, "no memory for the RADIUS request engine");
		return -1;
	}
	radius_client_free(ar->client);	/* its requests are forgotten, done not called */
	free(ar->conf);
	ar->client = client;
	ar->conf = conf;
	set_nas_identifier(ar, cfg);
	memset(ar->alive, 1, sizeof(ar->alive));
	ar->st.reconfigured++;
	/* everything in flight is submitted again, oldest first */
	{
		struct radius_login *l, *last = NULL;

		for (l = ar->logins; l; l = l->next)
			last = l;
		for (l = last; l; l = l->prev) {
			if (l->waiting || l->parked)
				continue;
			ar->st.in_flight--;
			enqueue(ar, l);
		}
	}
	submit_waiting(ar);
	rearm(ar);
	log_notice("radius: %u server(s) for logins from now on (%u logins sent again)",
		   conf->n_servers, ar->st.in_flight);
	return 0;
}

static void radius_destroy(struct auth_provider *p)
{
	struct auth_radius *ar = (struct auth_radius *)p;

	while (ar->logins) {
		struct radius_login *l = ar->logins;

		unlink_login(ar, l);
		free_login(l);
	}
	timerheap_cancel(&ar->srv->timers, &ar->timer.node);
	if (ar->srv->radius_io)
		radius_io_set_input(ar->srv->radius_io, RADIUS_IO_AUTH, NULL, NULL);
	radius_client_free(ar->client);
	free(ar->conf);
	free(ar);
}

static const struct auth_provider_ops radius_ops = {
	.name = "radius",
	.verify = radius_verify,
	.cancel = radius_cancel,
	.reconfigure = radius_reconfigure,
	.destroy = radius_destroy,
};

struct auth_provider *auth_radius_new(struct server *srv, auth_reply_fn reply)
{
	struct auth_radius *ar;

	if (!srv->radius_io || srv->cfg.radius.n_servers == 0) {
		log_err("auth.provider radius: no RADIUS server to ask");
		return NULL;
	}
	ar = calloc(1, sizeof(*ar));
	if (!ar || !(ar->conf = malloc(sizeof(*ar->conf)))) {
		free(ar);
		log_err("no memory for the radius authentication provider");
		return NULL;
	}
	ar->base.ops = &radius_ops;
	ar->base.reply = reply;
	ar->srv = srv;
	*ar->conf = srv->cfg.radius;
	set_nas_identifier(ar, &srv->cfg);
	ar->wait_tail = &ar->wait_head;
	ar->timer.node.kind = SERVER_TIMER_CALLBACK;
	ar->timer.fn = timer_fired;
	ar->timer.ctx = ar;
	memset(ar->alive, 1, sizeof(ar->alive));
	ar->client = make_client(ar, ar->conf);
	if (!ar->client) {
		free(ar->conf);
		free(ar);
		log_err("cannot make the RADIUS request engine (bad settings or no memory)");
		return NULL;
	}
	radius_io_set_input(srv->radius_io, RADIUS_IO_AUTH, io_input, ar);
	return &ar->base;
}

const struct auth_radius_stats *auth_radius_stats(const struct auth_provider *p)
{
	return p && p->ops == &radius_ops ? &((const struct auth_radius *)p)->st : NULL;
}

const struct radius_client *auth_radius_client(const struct auth_provider *p)
{
	return p && p->ops == &radius_ops ? ((const struct auth_radius *)p)->client : NULL;
}

const struct radius_conf *auth_radius_conf(const struct auth_provider *p)
{
	return p && p->ops == &radius_ops ? ((const struct auth_radius *)p)->conf : NULL;
}
