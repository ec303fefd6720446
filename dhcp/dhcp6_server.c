/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCPv6 server of one client's link, no I/O (dhcp6_server.h). */
#include "dhcp6_server.h"

#include <string.h>

#define PREFERENCE_MAX	255	/* RFC 8415 section 18.2.1: take it at once */
#define INFINITY_TIME	0xffffffffu

const char *dhcp6_verdict_name(enum dhcp6_verdict v)
{
	static const char *const names[DHCP6_V_MAX] = {
		[DHCP6_V_ANSWER] = "answered",
		[DHCP6_V_NO_CLIENT_ID] = "no-client-id",
		[DHCP6_V_SERVER_ID] = "server-id",
		[DHCP6_V_IA_IN_INFO] = "ia-in-information-request",
		[DHCP6_V_NOT_SERVED] = "not-served",
		[DHCP6_V_NOT_FOR_SERVER] = "not-for-server",
		[DHCP6_V_NOTHING] = "nothing-to-answer",
	};
	return (unsigned)v < DHCP6_V_MAX ? names[v] : "?";
}

static bool our_server_id(const struct dhcp6_msg *m, const struct dhcp6_server_params *sp)
{
	return m->server_id && m->server_id_len == sp->duid_len &&
	       memcmp(m->server_id, sp->duid, sp->duid_len) == 0;
}

enum dhcp6_verdict dhcp6_server_check(const struct dhcp6_msg *m,
				      const struct dhcp6_server_params *sp)
{
	switch (m->type) {
	case DHCP6_SOLICIT:		/* section 16.2 */
	case DHCP6_REBIND:		/* section 16.7 */
		if (!m->client_id)
			return DHCP6_V_NO_CLIENT_ID;
		if (m->server_id)
			return DHCP6_V_SERVER_ID;
		return DHCP6_V_ANSWER;
	case DHCP6_REQUEST:		/* section 16.4 */
	case DHCP6_RENEW:		/* section 16.6 */
	case DHCP6_RELEASE:		/* section 16.9 */
		if (!m->client_id)
			return DHCP6_V_NO_CLIENT_ID;
		if (!our_server_id(m, sp))
			return DHCP6_V_SERVER_ID;
		return DHCP6_V_ANSWER;
	case DHCP6_INFORMATION_REQUEST:	/* section 16.12 */
		if (m->server_id && !our_server_id(m, sp))
			return DHCP6_V_SERVER_ID;
		if (m->ia_pd_seen || m->ia_na_seen || m->ia_ta_seen)
			return DHCP6_V_IA_IN_INFO;
		return DHCP6_V_ANSWER;
	case DHCP6_CONFIRM:		/* section 18.3.3: addresses only */
	case DHCP6_DECLINE:		/* section 18.3.8: addresses only */
		return DHCP6_V_NOT_SERVED;
	default:			/* Advertise, Reply, Reconfigure */
		return DHCP6_V_NOT_FOR_SERVER;
	}
}

bool dhcp6_server_wants_prefix(const struct dhcp6_msg *m)
{
	/* Renew and Rebind extend what the session holds; one that holds
	 * nothing has nothing to extend (NoBinding, and the client starts
	 * over with a Solicit, RFC 8415 section 18.2.10.1) */
	return (m->type == DHCP6_SOLICIT || m->type == DHCP6_REQUEST) && m->n_ia_pd > 0;
}

void dhcp6_server_times(uint32_t preferred, uint32_t *t1, uint32_t *t2)
{
	if (preferred == INFINITY_TIME) {
		*t1 = *t2 = INFINITY_TIME;
		return;
	}
	*t1 = preferred / 2;
	*t2 = (uint32_t)((uint64_t)preferred * 4 / 5);
}

/* Does the IA name the binding's prefix (same length and bits)? */
static bool names_prefix(const struct dhcp6_ia *ia, const struct dhcp6_binding *b)
{
	for (uint8_t i = 0; i < ia->n_prefixes; i++) {
		const struct dhcp6_prefix *p = &ia->prefixes[i];
		uint8_t full = b->prefix_len / 8, rest = b->prefix_len % 8;

		if (p->len != b->prefix_len || memcmp(p->prefix, b->prefix, full) != 0)
			continue;
		if (rest && ((p->prefix[full] ^ b->prefix[full]) & (0xff00 >> rest)))
			continue;
		return true;
	}
	return false;
}

/* Is this IA the one that holds (or may take over) the binding? */
static bool holds_binding(const struct dhcp6_ia *ia, const struct dhcp6_binding *b)
{
	return b->has_prefix && ((b->committed && ia->iaid == b->iaid) || names_prefix(ia, b));
}

/* The IA_PD of the reply that carries the session's prefix. */
static void give_prefix(struct dhcp6_ia *out, const struct dhcp6_ia *in,
			const struct dhcp6_server_params *sp, const struct dhcp6_binding *b)
{
	struct dhcp6_prefix *p = &out->prefixes[0];

	memset(out, 0, sizeof(*out));
	out->iaid = in->iaid;
	dhcp6_server_times(sp->preferred, &out->t1, &out->t2);
	p->preferred = sp->preferred;
	p->valid = sp->valid;
	p->len = b->prefix_len;
	memcpy(p->prefix, b->prefix, 16);
	out->n_prefixes = 1;
	/* section 18.3.4: prefixes the client named that are not its any
	 * more go back with lifetimes 0, so that it stops using them */
	for (uint8_t i = 0; i < in->n_prefixes && out->n_prefixes < DHCP6_MAX_PREFIXES; i++) {
		struct dhcp6_ia one = { .n_prefixes = 1, .prefixes = { in->prefixes[i] } };

		if (names_prefix(&one, b))
			continue;
		p = &out->prefixes[out->n_prefixes++];
		*p = in->prefixes[i];
		p->preferred = p->valid = 0;
		p->has_status = false;
	}
}

static void ia_status(struct dhcp6_ia *out, uint32_t iaid, uint16_t status)
{
	memset(out, 0, sizeof(*out));
	out->iaid = iaid;
	out->has_status = true;
	out->status = status;
}

/* Solicit and Request (sections 18.3.1, 18.3.2): the session's prefix to
 * the IA_PD that holds it, else to the first; NoPrefixAvail for the rest
 * (section 18.3.9); no addresses for IA_NAs. */
static bool assign(const struct dhcp6_msg *m, const struct dhcp6_server_params *sp,
		   const struct dhcp6_binding *b, struct dhcp6_out *o, uint32_t *iaid)
{
	int target = -1;

	for (uint8_t i = 0; i < m->n_ia_pd && target < 0; i++)
		if (holds_binding(&m->ia_pd[i], b))
			target = i;
	if (target < 0 && b->has_prefix && m->n_ia_pd)
		target = 0;
	for (uint8_t i = 0; i < m->n_ia_pd; i++) {
		if (i == target)
			give_prefix(&o->ia_pd[i], &m->ia_pd[i], sp, b);
		else
			ia_status(&o->ia_pd[i], m->ia_pd[i].iaid, DHCP6_NO_PREFIX_AVAIL);
	}
	o->n_ia_pd = m->n_ia_pd;
	for (uint8_t i = 0; i < m->n_ia_na; i++)
		ia_status(&o->ia_na[i], m->ia_na[i].iaid, DHCP6_NO_ADDRS_AVAIL);
	o->n_ia_na = m->n_ia_na;
	if (target >= 0)
		*iaid = m->ia_pd[target].iaid;
	return target >= 0;
}

/* Renew and Rebind (sections 18.3.4, 18.3.5). */
static bool extend(const struct dhcp6_msg *m, const struct dhcp6_server_params *sp,
		   const struct dhcp6_binding *b, struct dhcp6_out *o, uint32_t *iaid)
{
	bool given = false;

	for (uint8_t i = 0; i < m->n_ia_pd; i++) {
		const struct dhcp6_ia *in = &m->ia_pd[i];
		struct dhcp6_ia *out = &o->ia_pd[o->n_ia_pd];

		if (!given && holds_binding(in, b)) {
			give_prefix(out, in, sp, b);
			*iaid = in->iaid;
			given = true;
			o->n_ia_pd++;
		} else if (m->type == DHCP6_RENEW) {
			/* section 18.3.4: no client entry for the IA */
			ia_status(out, in->iaid, DHCP6_NO_BINDING);
			o->n_ia_pd++;
		} else if (in->n_prefixes) {
			/* section 18.3.5: prefixes not appropriate for the
			 * link, with lifetimes 0 */
			memset(out, 0, sizeof(*out));
			out->iaid = in->iaid;
			out->n_prefixes = in->n_prefixes;
			for (uint8_t k = 0; k < in->n_prefixes; k++) {
				out->prefixes[k] = in->prefixes[k];
				out->prefixes[k].preferred = out->prefixes[k].valid = 0;
				out->prefixes[k].has_status = false;
			}
			o->n_ia_pd++;
		}
	}
	if (m->type == DHCP6_RENEW) {
		for (uint8_t i = 0; i < m->n_ia_na; i++)
			ia_status(&o->ia_na[i], m->ia_na[i].iaid, DHCP6_NO_BINDING);
		o->n_ia_na = m->n_ia_na;
	}
	return given;
}

/* Release (section 18.3.7): Success; NoBinding in each IA we do not hold. */
static bool release(const struct dhcp6_msg *m, const struct dhcp6_binding *b,
		    struct dhcp6_out *o)
{
	bool released = false;

	o->has_status = true;
	o->status = DHCP6_SUCCESS;
	for (uint8_t i = 0; i < m->n_ia_pd; i++) {
		if (!released && holds_binding(&m->ia_pd[i], b)) {
			released = true;
			continue;
		}
		ia_status(&o->ia_pd[o->n_ia_pd++], m->ia_pd[i].iaid, DHCP6_NO_BINDING);
	}
	for (uint8_t i = 0; i < m->n_ia_na; i++)
		ia_status(&o->ia_na[i], m->ia_na[i].iaid, DHCP6_NO_BINDING);
	o->n_ia_na = m->n_ia_na;
	return released;
}

enum dhcp6_verdict dhcp6_server_answer(const struct dhcp6_msg *m,
				       const struct dhcp6_server_params *sp,
				       struct dhcp6_binding *b, uint8_t *out, size_t cap,
				       size_t *out_len, unsigned *effects)
{
	enum dhcp6_verdict v = dhcp6_server_check(m, sp);
	struct dhcp6_out o;
	uint32_t iaid = 0;
	bool commit = false;

	*out_len = 0;
	*effects = DHCP6_E_NONE;
	if (v != DHCP6_V_ANSWER)
		return v;
	memset(&o, 0, sizeof(o));
	o.type = DHCP6_REPLY;
	o.xid = m->xid;
	/* section 18.3: our identifier, the client's echoed */
	o.client_id = m->client_id;
	o.client_id_len = m->client_id_len;
	o.server_id = sp->duid;
	o.server_id_len = sp->duid_len;
	if (m->type != DHCP6_RELEASE) {
		/* RFC 3646 section 3; sent whether or not the ORO asked
		 * (section 18.3 lets a server add options) */
		o.n_dns = sp->n_dns > DHCP6_MAX_DNS ? DHCP6_MAX_DNS : sp->n_dns;
		memcpy(o.dns, sp->dns, sizeof(o.dns));
	}
	switch (m->type) {
	case DHCP6_SOLICIT: {
		bool given = assign(m, sp, b, &o, &iaid);

		if (m->rapid_commit) {
			/* section 18.3.1: a Reply that commits, with Rapid
			 * Commit: one server on a point-to-point link */
			o.rapid_commit = true;
			commit = given;
		} else {
			o.type = DHCP6_ADVERTISE;
			o.has_preference = true;
			o.preference = PREFERENCE_MAX;
		}
		break;
	}
	case DHCP6_REQUEST:
		commit = assign(m, sp, b, &o, &iaid);
		break;
	case DHCP6_RENEW:
	case DHCP6_REBIND:
		commit = extend(m, sp, b, &o, &iaid);
		if (m->type == DHCP6_REBIND && !o.n_ia_pd && (m->n_ia_pd || m->n_ia_na))
			return DHCP6_V_NOTHING;
		break;
	case DHCP6_RELEASE:
		if (release(m, b, &o)) {
			b->has_prefix = false;
			b->committed = false;
			b->iaid = 0;
			*effects |= DHCP6_E_RELEASE;
		}
		break;
	default:			/* Information-request: options only */
		break;
	}
	*out_len = dhcp6_build(&o, out, cap);
	if (!*out_len) {
		if (*effects & DHCP6_E_RELEASE)
			return DHCP6_V_ANSWER;	/* released all the same */
		return DHCP6_V_NOTHING;
	}
	if (commit) {
		b->committed = true;
		b->iaid = iaid;
		*effects |= DHCP6_E_COMMIT;
	}
	return DHCP6_V_ANSWER;
}
