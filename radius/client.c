/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RADIUS request engine (client.h). */
#include "client.h"

#include <stdlib.h>
#include <string.h>

#define IDS 256

struct pending {
	bool used;
	bool probe;			/* a Status-Server of ours, no cookie */
	void *cookie;
	radius_build_fn build;
	uint8_t code;
	unsigned first_server;		/* failover goes round the servers once */
	unsigned servers_tried;
	unsigned tries;			/* sends to the current server */
	uint32_t timeout_ms;
	uint64_t due_ms, sent_ms;
	uint8_t auth[RADIUS_AUTH_LEN];
	uint8_t *pkt;			/* the packet as sent to the current server */
	size_t len;
};

struct server {
	struct pending slot[IDS];	/* by Identifier */
	unsigned in_flight;
	uint8_t next_id;
	bool probing;
	uint64_t probe_due_ms;
	struct radius_server_stats st;
};

struct radius_client {
	struct radius_client_config cfg;
	struct radius_client_ops ops;
	struct server srv[RADIUS_CLIENT_MAX_SERVERS];
};

struct radius_client *radius_client_new(const struct radius_client_config *cfg,
					const struct radius_client_ops *ops)
{
	struct radius_client *c;

	if (cfg->n_servers == 0 || cfg->n_servers > RADIUS_CLIENT_MAX_SERVERS || cfg->tries == 0 ||
	    cfg->timeout_ms == 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (c->cfg.max_timeout_ms < c->cfg.timeout_ms)
		c->cfg.max_timeout_ms = c->cfg.timeout_ms;
	c->ops = *ops;
	for (unsigned i = 0; i < cfg->n_servers; i++)
		c->srv[i].st.alive = true;	/* until it fails to answer */
	return c;
}

static void release(struct server *s, struct pending *p)
{
	free(p->pkt);
	memset(p, 0, sizeof(*p));
	s->in_flight--;
}

void radius_client_free(struct radius_client *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->cfg.n_servers; i++)
		for (unsigned id = 0; id < IDS; id++)
			if (c->srv[i].slot[id].used)
				release(&c->srv[i], &c->srv[i].slot[id]);
	free(c);
}

static int free_id(struct server *s)
{
	for (unsigned k = 0; k < IDS; k++) {
		uint8_t id = (uint8_t)(s->next_id + k);

		if (!s->slot[id].used) {
			s->next_id = (uint8_t)(id + 1);
			return id;
		}
	}
	return -1;
}

/* Build and send the request to server `si` under a new Identifier: the
 * first send there. 0, or -1 (no Identifier, no randomness, build failed). */
static int start_on(struct radius_client *c, unsigned si, const struct pending *from,
		    uint64_t now)
{
	struct server *s = &c->srv[si];
	uint8_t buf[RADIUS_MAX_LEN];
	const char *secret = c->cfg.secrets[si];
	struct radius_writer w;
	struct pending p = *from;
	size_t n;
	int id = free_id(s);
	bool hashed = from->code == RADIUS_ACCOUNTING_REQUEST;

	if (id < 0)
		return -1;
	p.pkt = NULL;
	if (!hashed && c->ops.random(c->ops.ctx, p.auth, RADIUS_AUTH_LEN) != 0)
		return -1;
	radius_begin(&w, buf, sizeof(buf), p.code, (uint8_t)id, hashed ? NULL : p.auth);
	/* every Access-Request and Status-Server carries one (RFC 3579 3.2,
	 * RFC 5997 section 3; against BlastRADIUS even without EAP) */
	if (!hashed)
		radius_put_message_authenticator(&w);
	if (p.build && p.build(p.cookie, &w, secret) != 0)
		return -1;
	n = hashed ? radius_finish_hashed(&w, secret) : radius_finish(&w, secret);
	if (n == 0 || !(p.pkt = malloc(n)))
		return -1;
	memcpy(p.pkt, buf, n);
	if (hashed)
		memcpy(p.auth, buf + 4, RADIUS_AUTH_LEN);
	p.len = n;
	p.used = true;
	p.tries = 1;
	p.servers_tried++;
	p.timeout_ms = c->cfg.timeout_ms;
	p.sent_ms = now;
	p.due_ms = now + p.timeout_ms;
	s->slot[id] = p;
	s->in_flight++;
	if (!p.probe)
		s->st.requests++;
	c->ops.send(c->ops.ctx, si, s->slot[id].pkt, n);
	return 0;
}

/* The server a new request goes to: the first live one (failover), or the
 * live one with the fewest requests in flight (load sharing). With none
 * alive, the first that can take it: a dead server may be back, and a
 * login tried is better than one refused unasked. */
static int pick_server(const struct radius_client *c)
{
	int best = -1;

	for (unsigned i = 0; i < c->cfg.n_servers; i++) {
		const struct server *s = &c->srv[i];

		if (!s->st.alive || s->in_flight >= IDS)
			continue;
		if (!c->cfg.load_share)
			return (int)i;
		if (best < 0 || s->in_flight < c->srv[best].in_flight)
			best = (int)i;
	}
	if (best >= 0)
		return best;
	for (unsigned i = 0; i < c->cfg.n_servers; i++)
		if (c->srv[i].in_flight < IDS)
			return (int)i;
	return -1;
}

int radius_client_submit(struct radius_client *c, uint64_t now_ms, uint8_t code,
			 radius_build_fn build, void *cookie)
{
	struct pending p = { .cookie = cookie, .build = build, .code = code };
	int si = pick_server(c);

	if (si < 0)
		return -1;
	p.first_server = (unsigned)si;
	return start_on(c, (unsigned)si, &p, now_ms);
}

void radius_client_cancel(struct radius_client *c, void *cookie)
{
	for (unsigned i = 0; i < c->cfg.n_servers; i++)
		for (unsigned id = 0; id < IDS; id++) {
			struct pending *p = &c->srv[i].slot[id];

			if (p->used && !p->probe && p->cookie == cookie)
				release(&c->srv[i], p);
		}
}

/* Which codes answer which request (RFC 2865 section 4, 2866 section 4,
 * RFC 5997 section 3: Status-Server to an authentication port gets an
 * Access-Accept, to an accounting port an Accounting-Response). */
static bool answers(uint8_t req, uint8_t resp)
{
	switch (req) {
	case RADIUS_ACCESS_REQUEST:
		return resp == RADIUS_ACCESS_ACCEPT || resp == RADIUS_ACCESS_REJECT ||
		       resp == RADIUS_ACCESS_CHALLENGE;
	case RADIUS_ACCOUNTING_REQUEST:
		return resp == RADIUS_ACCOUNTING_RESPONSE;
	case RADIUS_STATUS_SERVER:
		return resp == RADIUS_ACCESS_ACCEPT || resp == RADIUS_ACCOUNTING_RESPONSE;
	default:
		return false;
	}
}

void radius_client_input(struct radius_client *c, uint64_t now_ms, unsigned server,
			 const uint8_t *buf, size_t len)
{
	struct radius_packet resp;
	struct server *s;
	struct pending *p;
	enum radius_err e;

	if (server >= c->cfg.n_servers)
		return;
	s = &c->srv[server];
	if (radius_parse(buf, len, &resp) != RADIUS_OK) {
		s->st.malformed++;
		return;
	}
	p = &s->slot[resp.id];
	if (!p->used) {
		s->st.unknown_ids++;	/* late, duplicated, or not ours */
		return;
	}
	e = radius_verify_response(&resp, resp.id, p->auth, c->cfg.secrets[server],
				   c->cfg.require_message_authenticator);
	if (e != RADIUS_OK) {
		/* a forgery (or a wrong secret) must not end the request:
		 * the real answer may still come */
		s->st.bad_authenticators++;
		return;
	}
	if (!answers(p->code, resp.code)) {
		s->st.malformed++;
		return;
	}
	s->st.responses++;
	s->st.alive = true;
	s->probing = false;
	/* Karn: only an answer to a packet sent once times the path */
	if (p->tries == 1) {
		uint32_t rtt = (uint32_t)(now_ms - p->sent_ms);

		s->st.rtt_ms = s->st.rtt_ms ? (7 * s->st.rtt_ms + rtt) / 8 : (rtt ? rtt : 1);
		s->st.rtt_last_ms = rtt;
	}
	if (p->probe) {
		release(s, p);
		return;
	}
	{
		void *cookie = p->cookie;

		release(s, p);
		c->ops.done(c->ops.ctx, cookie, RADIUS_RESULT_RESPONSE, server, &resp);
	}
}

static void mark_dead(struct radius_client *c, unsigned si, uint64_t now)
{
	struct server *s = &c->srv[si];

	s->st.alive = false;
	s->probe_due_ms = now;		/* probe at the next timer */
}

/* The request gave up on server si: the next server not yet tried. */
static void fail_over(struct radius_client *c, unsigned si, struct pending *p, uint64_t now)
{
	struct pending copy = *p;

	copy.pkt = NULL;
	free(p->pkt);
	memset(p, 0, sizeof(*p));
	c->srv[si].in_flight--;
	while (copy.servers_tried < c->cfg.n_servers) {
		unsigned next = (copy.first_server + copy.servers_tried) % c->cfg.n_servers;

		if (start_on(c, next, &copy, now) == 0)
			return;
		copy.servers_tried++;	/* that one could not take it */
	}
	c->ops.done(c->ops.ctx, copy.cookie, RADIUS_RESULT_TIMEOUT, si, NULL);
}

static void probe(struct radius_client *c, unsigned si, uint64_t now)
{
	struct pending p = { .probe = true, .code = RADIUS_STATUS_SERVER, .first_server = si,
			     .servers_tried = c->cfg.n_servers - 1 };	/* never fails over */

	c->srv[si].probing = start_on(c, si, &p, now) == 0;
	if (!c->srv[si].probing)
		c->srv[si].probe_due_ms = now + c->cfg.dead_time_ms;
}

void radius_client_timer(struct radius_client *c, uint64_t now_ms)
{
	for (unsigned si = 0; si < c->cfg.n_servers; si++) {
		struct server *s = &c->srv[si];

		for (unsigned id = 0; id < IDS; id++) {
			struct pending *p = &s->slot[id];

			if (!p->used || p->due_ms > now_ms)
				continue;
			/* over a reliable transport the transport retransmits:
			 * a second send would be a duplicate (RFC 6613 2.4), so
			 * the first timeout is the server's failure */
			if (p->tries < (p->probe || c->cfg.reliable[si] ? 1 : c->cfg.tries)) {
				/* RFC 5080 2.2.1: the same packet again, later each time */
				p->tries++;
				p->timeout_ms = p->timeout_ms * 2 > c->cfg.max_timeout_ms
							? c->cfg.max_timeout_ms : p->timeout_ms * 2;
				p->due_ms = now_ms + p->timeout_ms;
				s->st.retransmits++;
				c->ops.send(c->ops.ctx, si, p->pkt, p->len);
				continue;
			}
			if (p->probe) {
				release(s, p);
				s->probing = false;
				s->probe_due_ms = now_ms + c->cfg.dead_time_ms;
				continue;
			}
			s->st.timeouts++;
			if (s->st.alive)
				mark_dead(c, si, now_ms);
			fail_over(c, si, p, now_ms);
		}
		if (!s->st.alive && !s->probing && s->probe_due_ms <= now_ms)
			probe(c, si, now_ms);
	}
}

uint64_t radius_client_next_timer(const struct radius_client *c)
{
	uint64_t next = UINT64_MAX;

	for (unsigned si = 0; si < c->cfg.n_servers; si++) {
		const struct server *s = &c->srv[si];

		if (!s->st.alive && !s->probing && s->probe_due_ms < next)
			next = s->probe_due_ms;
		if (!s->in_flight)
			continue;
		for (unsigned id = 0; id < IDS; id++)
			if (s->slot[id].used && s->slot[id].due_ms < next)
				next = s->slot[id].due_ms;
	}
	return next;
}

const struct radius_server_stats *radius_client_stats(const struct radius_client *c,
						      unsigned server)
{
	return server < c->cfg.n_servers ? &c->srv[server].st : NULL;
}
