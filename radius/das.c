/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dynamic authorization server, RFC 5176 (das.h). */
#include "das.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PROXY_STATE		33	/* RFC 2865 5.33 */
#define ACCT_MULTI_SESSION_ID	50
#define CHARGEABLE_USER_ID	89	/* RFC 4372 */
#define SERVICE_TYPE_FRAMED	2	/* RFC 2865 5.6 */
#define SERVICE_TYPE_AUTHORIZE_ONLY 17	/* RFC 5176 section 3.2 */
#define MAX_PROXY_STATE		8
#define DEFAULT_WINDOW_S	300

struct cached {
	bool used;
	unsigned client;
	uint8_t id;
	uint8_t auth[RADIUS_AUTH_LEN];
	uint32_t when;
	uint16_t len;
	/* RFC 5080 section 2.2.2: the answer to a retransmission is the
	 * answer sent, whatever its length (Proxy-State alone may add two
	 * kilobytes) */
	uint8_t answer[RADIUS_DAS_MAX_ANSWER];
};
_Static_assert(RADIUS_DAS_MAX_ANSWER >= RADIUS_MAX_LEN, "a cache slot holds any answer");

struct radius_das {
	struct radius_das_config cfg;
	struct radius_das_ops ops;
	struct cached cache[RADIUS_DAS_CACHE];
	unsigned next_cache;
	struct radius_das_stats st;
};

const char *radius_error_cause_name(uint32_t cause)
{
	switch (cause) {
	case RADIUS_EC_RESIDUAL_CONTEXT_REMOVED: return "Residual-Session-Context-Removed";
	case RADIUS_EC_UNSUPPORTED_ATTRIBUTE: return "Unsupported-Attribute";
	case RADIUS_EC_MISSING_ATTRIBUTE: return "Missing-Attribute";
	case RADIUS_EC_NAS_ID_MISMATCH: return "NAS-Identification-Mismatch";
	case RADIUS_EC_INVALID_REQUEST: return "Invalid-Request";
	case RADIUS_EC_UNSUPPORTED_SERVICE: return "Unsupported-Service";
	case RADIUS_EC_INVALID_ATTRIBUTE_VALUE: return "Invalid-Attribute-Value";
	case RADIUS_EC_ADMIN_PROHIBITED: return "Administratively-Prohibited";
	case RADIUS_EC_SESSION_NOT_FOUND: return "Session-Context-Not-Found";
	case RADIUS_EC_SESSION_NOT_REMOVABLE: return "Session-Context-Not-Removable";
	case RADIUS_EC_RESOURCES_UNAVAILABLE: return "Resources-Unavailable";
	case RADIUS_EC_MULTIPLE_SESSIONS_UNSUPPORTED: return "Multiple-Session-Selection-Unsupported";
	default: return "Error-Cause";
	}
}

struct radius_das *radius_das_new(const struct radius_das_config *cfg,
				  const struct radius_das_ops *ops)
{
	struct radius_das *d;

	if (cfg->n_clients > RADIUS_DAS_MAX_CLIENTS || !ops->find || !ops->describe ||
	    !ops->disconnect || !ops->change)
		return NULL;
	for (unsigned i = 0; i < cfg->n_clients; i++)
		if (!cfg->clients[i].secret || !cfg->clients[i].secret[0] ||
		    (cfg->clients[i].family != AF_INET && cfg->clients[i].family != AF_INET6))
			return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->cfg = *cfg;
	if (!d->cfg.window_s)
		d->cfg.window_s = DEFAULT_WINDOW_S;
	d->ops = *ops;
	return d;
}

void radius_das_free(struct radius_das *d)
{
	free(d);
}

const struct radius_das_stats *radius_das_stats(const struct radius_das *d)
{
	return &d->st;
}

static int find_client(const struct radius_das *d, int family, const uint8_t *addr)
{
	size_t n = family == AF_INET ? 4 : 16;

	if (family != AF_INET && family != AF_INET6)
		return -1;
	for (unsigned i = 0; i < d->cfg.n_clients; i++)
		if (d->cfg.clients[i].family == family && memcmp(d->cfg.clients[i].addr, addr, n) == 0)
			return (int)i;
	return -1;
}

static uint32_t get_u32(const struct radius_attr *a)
{
	return (uint32_t)a->value[0] << 24 | (uint32_t)a->value[1] << 16 |
	       (uint32_t)a->value[2] << 8 | a->value[3];
}

/* A text value: 1..253 octets without NUL (it becomes a C string). */
static bool text(const struct radius_attr *a, char *out)
{
	if (a->len == 0 || memchr(a->value, 0, a->len))
		return false;
	memcpy(out, a->value, a->len);
	out[a->len] = 0;
	return true;
}

struct request {
	struct radius_das_match m;
	struct radius_das_change c;
	char filter[RADIUS_MAX_VALUE + 1];
	struct radius_attr proxy_state[MAX_PROXY_STATE];
	unsigned n_proxy_state;
	bool changes;
};

/* Read the request's attributes: 0, or the Error-Cause of a NAK. */
static uint32_t read_request(const struct radius_das *d, const struct radius_packet *p,
			     struct request *rq)
{
	bool coa = p->code == RADIUS_COA_REQUEST;
	struct radius_attr a;
	size_t off = 0;

	while (radius_next_attr(p, &off, &a)) {
		unsigned key = 0;

		switch (a.type) {
		case RADIUS_MESSAGE_AUTHENTICATOR:
		case RADIUS_EVENT_TIMESTAMP:
			break;		/* checked before */
		case PROXY_STATE:
			/* RFC 5176 section 3.1: echoed in order in the answer */
			if (rq->n_proxy_state == MAX_PROXY_STATE)
				return RADIUS_EC_RESOURCES_UNAVAILABLE;
			rq->proxy_state[rq->n_proxy_state++] = a;
			break;
		/* NAS identification (RFC 5176 section 3): must be us */
		case RADIUS_NAS_IP_ADDRESS:
			if (a.len != 4)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			if (memcmp(a.value, &d->cfg.nas_ipv4, 4) != 0)
				return RADIUS_EC_NAS_ID_MISMATCH;
			break;
		case RADIUS_NAS_IPV6_ADDRESS:
			if (a.len != 16)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			if (memcmp(a.value, d->cfg.nas_ipv6, 16) != 0)
				return RADIUS_EC_NAS_ID_MISMATCH;
			break;
		case RADIUS_NAS_IDENTIFIER:
			if (!d->cfg.nas_identifier || a.len != strlen(d->cfg.nas_identifier) ||
			    memcmp(a.value, d->cfg.nas_identifier, a.len) != 0)
				return RADIUS_EC_NAS_ID_MISMATCH;
			break;
		/* session identification: the keys we match on */
		case RADIUS_USER_NAME:
			key = RADIUS_DAS_KEY_USER_NAME;
			if (!text(&a, rq->m.user))
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			break;
		case RADIUS_ACCT_SESSION_ID:
			key = RADIUS_DAS_KEY_ACCT_SESSION_ID;
			if (!text(&a, rq->m.acct_session_id))
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			break;
		case RADIUS_FRAMED_IP_ADDRESS:
			key = RADIUS_DAS_KEY_FRAMED_IP;
			if (a.len != 4)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			memcpy(&rq->m.framed_ip, a.value, 4);
			break;
		case RADIUS_CALLING_STATION_ID:
			key = RADIUS_DAS_KEY_CALLING_STATION_ID;
			if (!text(&a, rq->m.calling_station_id))
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			break;
		case RADIUS_CALLED_STATION_ID:
			key = RADIUS_DAS_KEY_CALLED_STATION_ID;
			if (!text(&a, rq->m.called_station_id))
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			break;
		case RADIUS_NAS_PORT:
			key = RADIUS_DAS_KEY_NAS_PORT;
			if (a.len != 4)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			rq->m.nas_port = get_u32(&a);
			break;
		case RADIUS_SERVICE_TYPE:
			if (a.len != 4)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			/* section 3.2: we do not re-authorize a session */
			if (get_u32(&a) == SERVICE_TYPE_AUTHORIZE_ONLY)
				return RADIUS_EC_UNSUPPORTED_SERVICE;
			if (get_u32(&a) != SERVICE_TYPE_FRAMED)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			break;
		/* what a CoA-Request may change (section 3.6: not in a
		 * Disconnect-Request) */
		case RADIUS_SESSION_TIMEOUT:
		case RADIUS_IDLE_TIMEOUT:
			if (!coa)
				return RADIUS_EC_UNSUPPORTED_ATTRIBUTE;
			if (a.len != 4)
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			if (a.type == RADIUS_SESSION_TIMEOUT) {
				if (rq->c.session_timeout_set)
					return RADIUS_EC_INVALID_REQUEST;
				rq->c.session_timeout_set = true;
				rq->c.session_timeout = get_u32(&a);
			} else {
				if (rq->c.idle_timeout_set)
					return RADIUS_EC_INVALID_REQUEST;
				rq->c.idle_timeout_set = true;
				rq->c.idle_timeout = get_u32(&a);
			}
			rq->changes = true;
			break;
		case RADIUS_FILTER_ID:
			if (!coa)
				return RADIUS_EC_UNSUPPORTED_ATTRIBUTE;
			if (rq->c.filter_id)
				return RADIUS_EC_INVALID_REQUEST;
			if (!text(&a, rq->filter))
				return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;
			rq->c.filter_id = rq->filter;
			rq->changes = true;
			break;
		case RADIUS_ERROR_CAUSE:
			return RADIUS_EC_INVALID_REQUEST;	/* only in answers */
		default:
			/* other session identification (Acct-Multi-Session-Id,
			 * NAS-Port-Id, Chargeable-User-Identity...), State, vendor
			 * attributes: not supported here, said so (3.5) */
			return RADIUS_EC_UNSUPPORTED_ATTRIBUTE;
		}
		if (key) {
			if (rq->m.keys & key)
				return RADIUS_EC_INVALID_REQUEST;	/* which one? */
			rq->m.keys |= key;
		}
	}
	if (!rq->m.keys)
		return RADIUS_EC_MISSING_ATTRIBUTE;
	if (coa && !rq->changes)
		return RADIUS_EC_MISSING_ATTRIBUTE;	/* nothing to change */
	return 0;
}

/* Does the session carry every key the request gave? */
static bool matches(const struct radius_das_match *m, const struct radius_das_session *s)
{
	if ((m->keys & RADIUS_DAS_KEY_USER_NAME) && (!s->user || strcmp(s->user, m->user) != 0))
		return false;
	if ((m->keys & RADIUS_DAS_KEY_ACCT_SESSION_ID) &&
	    (!s->acct_session_id || strcmp(s->acct_session_id, m->acct_session_id) != 0))
		return false;
	if ((m->keys & RADIUS_DAS_KEY_FRAMED_IP) && s->framed_ip != m->framed_ip)
		return false;
	if ((m->keys & RADIUS_DAS_KEY_NAS_PORT) && s->nas_port != m->nas_port)
		return false;
	if ((m->keys & RADIUS_DAS_KEY_CALLING_STATION_ID) &&
	    (!s->calling_station_id || strcmp(s->calling_station_id, m->calling_station_id) != 0))
		return false;
	if ((m->keys & RADIUS_DAS_KEY_CALLED_STATION_ID) &&
	    (!s->called_station_id || strcmp(s->called_station_id, m->called_station_id) != 0))
		return false;
	return true;
}

/* Find the sessions and act: 0, or an Error-Cause. */
static uint32_t act(struct radius_das *d, uint8_t code, const struct request *rq,
		    unsigned *acted)
{
	void *cand[RADIUS_DAS_MAX_SESSIONS];
	enum radius_das_key key = RADIUS_DAS_KEY_ACCT_SESSION_ID;
	size_t n;
	unsigned hit = 0;

	/* the most selective key the request has */
	while (!(rq->m.keys & key))
		key <<= 1;
	n = d->ops.find(d->ops.ctx, key, &rq->m, cand, RADIUS_DAS_MAX_SESSIONS);
	if (n > RADIUS_DAS_MAX_SESSIONS)
		return RADIUS_EC_MULTIPLE_SESSIONS_UNSUPPORTED;
	for (size_t i = 0; i < n; i++) {
		struct radius_das_session s = { 0 };

		d->ops.describe(d->ops.ctx, cand[i], &s);
		cand[hit] = cand[i];
		hit += matches(&rq->m, &s);
	}
	if (!hit)
		return RADIUS_EC_SESSION_NOT_FOUND;
	for (unsigned i = 0; i < hit; i++) {
		uint32_t e = code == RADIUS_DISCONNECT_REQUEST ? d->ops.disconnect(d->ops.ctx, cand[i])
							       : d->ops.change(d->ops.ctx, cand[i], &rq->c);

		if (e)
			return e;
		(*acted)++;
	}
	return 0;
}

static struct cached *cache_find(struct radius_das *d, unsigned client,
				 const struct radius_packet *p, uint32_t now)
{
	for (unsigned i = 0; i < RADIUS_DAS_CACHE; i++) {
		struct cached *c = &d->cache[i];

		if (c->used && c->client == client && c->id == p->id &&
		    memcmp(c->auth, p->authenticator, RADIUS_AUTH_LEN) == 0 &&
		    (now >= c->when ? now - c->when : c->when - now) <= d->cfg.window_s)
			return c;
	}
	return NULL;
}

static void cache_put(struct radius_das *d, unsigned client, const struct radius_packet *p,
		      uint32_t now, const uint8_t *answer, size_t len)
{
	struct cached *c = &d->cache[d->next_cache];

	if (len > sizeof(c->answer))
		return;		/* cannot happen: the answer was written into RADIUS_MAX_LEN */
	d->next_cache = (d->next_cache + 1) % RADIUS_DAS_CACHE;
	c->used = true;
	c->client = client;
	c->id = p->id;
	memcpy(c->auth, p->authenticator, RADIUS_AUTH_LEN);
	c->when = now;
	c->len = (uint16_t)len;
	memcpy(c->answer, answer, len);
}

static size_t discard(struct radius_das_result *res, uint64_t *counter, const char *why)
{
	(*counter)++;
	res->discarded = why;
	return 0;
}

size_t radius_das_input(struct radius_das *d, uint32_t now_wall, int family, const uint8_t *addr,
			const uint8_t *buf, size_t len, uint8_t *out, size_t cap,
			struct radius_das_result *res)
{
	struct radius_packet p;
	struct radius_attr a;
	struct request *rq;
	struct radius_writer w;
	struct cached *c;
	int ci = find_client(d, family, addr);
	const char *secret;
	uint32_t cause;
	unsigned acted = 0;
	size_t n;

	memset(res, 0, sizeof(*res));
	/* RFC 5176 section 6.1: only from the clients we know; others are
	 * silently discarded */
	if (ci < 0)
		return discard(res, &d->st.unknown_clients, "not a configured client");
	secret = d->cfg.clients[ci].secret;
	if (radius_parse(buf, len, &p) != RADIUS_OK)
		return discard(res, &d->st.malformed, "malformed packet");
	if (p.code != RADIUS_DISCONNECT_REQUEST && p.code != RADIUS_COA_REQUEST)
		return discard(res, &d->st.malformed, "not a Disconnect-Request or CoA-Request");
	/* section 2.3 (Request Authenticator as RFC 2866's) and 3.4
	 * (Message-Authenticator over a zero authenticator) */
	if (radius_verify_hashed_request(&p, secret, d->cfg.require_message_authenticator) !=
	    RADIUS_OK)
		return discard(res, &d->st.bad_authenticators,
			       "authenticator does not verify (wrong secret or forged)");
	if (cap < RADIUS_MAX_LEN)
		return discard(res, &d->st.malformed, "no room for the answer");
	/* section 6.4 and RFC 5080 section 2.2.2: a retransmission (same
	 * client, Identifier and Request Authenticator; the authenticator is
	 * an MD5 over the whole packet and the secret, so it stands for the
	 * packet) gets the answer again, and is not acted on twice. The
	 * source port is not part of the key: the same signed request from
	 * another port is the same request, and acting on it again is what
	 * the cache is there to prevent. */
	c = cache_find(d, (unsigned)ci, &p, now_wall);
	if (c) {
		d->st.duplicates++;
		memcpy(out, c->answer, c->len);
		res->code = p.code;
		res->answer = c->answer[0];
		res->duplicate = true;
		res->discarded = NULL;
		return c->len;
	}
	/* section 6.4: Event-Timestamp current within the window, else
	 * "MUST be silently discarded"; without one, discarded when so
	 * configured ("SHOULD be configurable to discard"), which is our
	 * default. Silence, not a NAK with an Error-Cause: the RFC says so,
	 * and an answer would tell a replaying attacker that the packet was
	 * authentic. */
	if (radius_find(&p, RADIUS_EVENT_TIMESTAMP, &a)) {
		struct radius_attr more;
		size_t off = 0;
		unsigned n_ts = 0;
		uint32_t ts;

		/* RFC 5176 section 3.6: at most one; which would count? */
		while (radius_next_attr(&p, &off, &more))
			n_ts += more.type == RADIUS_EVENT_TIMESTAMP;
		if (n_ts > 1)
			return discard(res, &d->st.malformed, "more than one Event-Timestamp");
		if (a.len != 4)
			return discard(res, &d->st.malformed, "Event-Timestamp not 4 octets");
		ts = get_u32(&a);
		if ((ts > now_wall ? ts - now_wall : now_wall - ts) > d->cfg.window_s)
			return discard(res, &d->st.stale, "Event-Timestamp outside the window");
	} else if (!d->cfg.allow_no_event_timestamp) {
		return discard(res, &d->st.no_event_timestamp, "no Event-Timestamp");
	}
	d->st.requests++;
	res->code = p.code;
	rq = calloc(1, sizeof(*rq));
	if (!rq) {
		cause = RADIUS_EC_RESOURCES_UNAVAILABLE;
	} else {
		cause = read_request(d, &p, rq);
		if (!cause)
			cause = act(d, p.code, rq, &acted);
	}
	res->sessions = acted;
	res->error_cause = cause;
	res->answer = (uint8_t)(p.code + (cause ? 2 : 1));	/* 40 -> 41/42, 43 -> 44/45 */
	radius_begin(&w, out, cap, res->answer, p.id, NULL);
	if (cause)
		radius_put_u32(&w, RADIUS_ERROR_CAUSE, cause);
	for (unsigned i = 0; rq && i < rq->n_proxy_state; i++)
		radius_put(&w, PROXY_STATE, rq->proxy_state[i].value, rq->proxy_state[i].len);
	/* signed twice over, as every answer of ours (BlastRADIUS) */
	radius_put_message_authenticator(&w);
	n = radius_finish_response(&w, secret, p.authenticator);
	free(rq);
	if (cause)
		d->st.naks++;
	else
		d->st.acks++;
	if (n)
		cache_put(d, (unsigned)ci, &p, now_wall, out, n);
	return n;
}
