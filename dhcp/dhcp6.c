/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 messages and their IPv6/UDP framing, no I/O (dhcp6.h). */
#include "dhcp6.h"

#include <string.h>

#include "inet_csum.h"
#include "wire.h"

#define IPPROTO_UDP_NUM	17

const char *dhcp6_type_name(uint8_t type)
{
	static const char *const names[] = {
		[DHCP6_SOLICIT] = "solicit",
		[DHCP6_ADVERTISE] = "advertise",
		[DHCP6_REQUEST] = "request",
		[DHCP6_CONFIRM] = "confirm",
		[DHCP6_RENEW] = "renew",
		[DHCP6_REBIND] = "rebind",
		[DHCP6_REPLY] = "reply",
		[DHCP6_RELEASE] = "release",
		[DHCP6_DECLINE] = "decline",
		[DHCP6_RECONFIGURE] = "reconfigure",
		[DHCP6_INFORMATION_REQUEST] = "information-request",
		[DHCP6_RELAY_FORW] = "relay-forward",
		[DHCP6_RELAY_REPL] = "relay-reply",
	};
	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}

const char *dhcp6_result_name(enum dhcp6_result r)
{
	static const char *const names[DHCP6_R_MAX] = {
		[DHCP6_OK] = "ok",
		[DHCP6_R_TRUNCATED] = "truncated",
		[DHCP6_R_TOO_LONG] = "too-long",
		[DHCP6_R_RELAY] = "relay",
		[DHCP6_R_BAD_TYPE] = "bad-type",
		[DHCP6_R_BAD_OPTION] = "bad-option",
		[DHCP6_R_BAD_LENGTH] = "bad-length",
		[DHCP6_R_BAD_DUID] = "bad-duid",
		[DHCP6_R_DUPLICATE] = "duplicate",
		[DHCP6_R_BAD_PREFIX] = "bad-prefix",
	};
	return (unsigned)r < DHCP6_R_MAX ? names[r] : "?";
}

/* ---- parse ------------------------------------------------------------------ */

struct opt {
	uint16_t code, len;
	const uint8_t *v;
};

/* The next option of a container (section 21.1: code, length, value):
 * 1 and *o, 0 at the end, -1 when its header or value runs past the end. */
static int next_opt(struct wire_rd *r, struct opt *o)
{
	if (wire_rd_left(r) == 0)
		return 0;
	if (!wire_rd_u16(r, &o->code) || !wire_rd_u16(r, &o->len) ||
	    !wire_rd_bytes(r, o->len, &o->v))
		return -1;
	return 1;
}

static uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A Status Code option (section 21.13): the code; the message is not kept
 * (it is UTF-8 for a human, and we log no client text). */
static enum dhcp6_result status_opt(const struct opt *o, bool *has, uint16_t *code)
{
	if (o->len < 2)
		return DHCP6_R_BAD_LENGTH;
	if (*has)
		return DHCP6_R_DUPLICATE;
	*has = true;
	*code = wire_get_u16(o->v);
	return DHCP6_OK;
}

/* An IA Prefix option (section 21.22): preferred and valid lifetimes,
 * prefix length, prefix, then its own options. */
static enum dhcp6_result iaprefix_opt(const struct opt *o, struct dhcp6_prefix *p)
{
	struct wire_rd r;
	struct opt sub;
	int rc;

	if (o->len < 25)
		return DHCP6_R_BAD_LENGTH;
	memset(p, 0, sizeof(*p));
	p->preferred = get_u32(o->v);
	p->valid = get_u32(o->v + 4);
	p->len = o->v[8];
	if (p->len > 128)
		return DHCP6_R_BAD_PREFIX;
	memcpy(p->prefix, o->v + 9, 16);
	wire_rd_init(&r, o->v + 25, o->len - 25u);
	while ((rc = next_opt(&r, &sub)) > 0) {
		if (sub.code == DHCP6_OPT_STATUS_CODE) {
			enum dhcp6_result e = status_opt(&sub, &p->has_status, &p->status);
			if (e != DHCP6_OK)
				return e;
		}
	}
	return rc < 0 ? DHCP6_R_BAD_OPTION : DHCP6_OK;
}

/* An IA_PD (section 21.21) or IA_NA (section 21.4): IAID, T1, T2, then
 * options; prefixes are kept for an IA_PD, addresses are skipped. */
static enum dhcp6_result ia_opt(const struct opt *o, bool pd, struct dhcp6_ia *ia)
{
	struct wire_rd r;
	struct opt sub;
	int rc;

	if (o->len < 12)
		return DHCP6_R_BAD_LENGTH;
	memset(ia, 0, sizeof(*ia));
	ia->iaid = get_u32(o->v);
	ia->t1 = get_u32(o->v + 4);
	ia->t2 = get_u32(o->v + 8);
	wire_rd_init(&r, o->v + 12, o->len - 12u);
	while ((rc = next_opt(&r, &sub)) > 0) {
		enum dhcp6_result e = DHCP6_OK;

		if (sub.code == DHCP6_OPT_STATUS_CODE) {
			e = status_opt(&sub, &ia->has_status, &ia->status);
		} else if (pd && sub.code == DHCP6_OPT_IAPREFIX) {
			struct dhcp6_prefix p;

			e = iaprefix_opt(&sub, &p);
			if (e == DHCP6_OK && ia->n_prefixes < DHCP6_MAX_PREFIXES)
				ia->prefixes[ia->n_prefixes++] = p;
		}
		if (e != DHCP6_OK)
			return e;
	}
	return rc < 0 ? DHCP6_R_BAD_OPTION : DHCP6_OK;
}

/* Keep an IA (up to DHCP6_MAX_IA); two with one IAID break section 12.1's
 * rule that an IAID names one IA of a client. */
static enum dhcp6_result add_ia(const struct opt *o, bool pd, struct dhcp6_ia *arr,
				uint8_t *n, uint16_t *seen)
{
	struct dhcp6_ia ia;
	enum dhcp6_result e = ia_opt(o, pd, &ia);

	if (e != DHCP6_OK)
		return e;
	for (uint8_t i = 0; i < *n; i++)
		if (arr[i].iaid == ia.iaid)
			return DHCP6_R_DUPLICATE;
	if (*seen < UINT16_MAX)
		(*seen)++;
	if (*n < DHCP6_MAX_IA)
		arr[(*n)++] = ia;
	return DHCP6_OK;
}

static enum dhcp6_result duid_opt(const struct opt *o, const uint8_t **p, uint16_t *len)
{
	if (*p)
		return DHCP6_R_DUPLICATE;
	if (o->len < DHCP6_DUID_MIN || o->len > DHCP6_DUID_MAX)
		return DHCP6_R_BAD_DUID;
	*p = o->v;
	*len = o->len;
	return DHCP6_OK;
}

static enum dhcp6_result top_opt(const struct opt *o, struct dhcp6_msg *m)
{
	switch (o->code) {
	case DHCP6_OPT_CLIENTID:		/* section 21.2 */
		return duid_opt(o, &m->client_id, &m->client_id_len);
	case DHCP6_OPT_SERVERID:		/* section 21.3 */
		return duid_opt(o, &m->server_id, &m->server_id_len);
	case DHCP6_OPT_IA_PD:
		return add_ia(o, true, m->ia_pd, &m->n_ia_pd, &m->ia_pd_seen);
	case DHCP6_OPT_IA_NA:
		return add_ia(o, false, m->ia_na, &m->n_ia_na, &m->ia_na_seen);
	case DHCP6_OPT_IA_TA:			/* section 21.5: IAID, then options */
		if (o->len < 4)
			return DHCP6_R_BAD_LENGTH;
		if (m->ia_ta_seen < UINT16_MAX)
			m->ia_ta_seen++;
		return DHCP6_OK;
	case DHCP6_OPT_ORO:			/* section 21.7: 2 octets per code */
		if (o->len % 2)
			return DHCP6_R_BAD_LENGTH;
		if (m->has_oro)
			return DHCP6_R_DUPLICATE;
		m->has_oro = true;
		for (uint16_t i = 0; i < o->len && m->n_oro < DHCP6_MAX_ORO; i += 2)
			m->oro[m->n_oro++] = wire_get_u16(o->v + i);
		return DHCP6_OK;
	case DHCP6_OPT_ELAPSED_TIME:		/* section 21.9 */
		if (o->len != 2)
			return DHCP6_R_BAD_LENGTH;
		if (m->has_elapsed_time)
			return DHCP6_R_DUPLICATE;
		m->has_elapsed_time = true;
		m->elapsed_time = wire_get_u16(o->v);
		return DHCP6_OK;
	case DHCP6_OPT_PREFERENCE:		/* section 21.8 */
		if (o->len != 1)
			return DHCP6_R_BAD_LENGTH;
		if (m->has_preference)
			return DHCP6_R_DUPLICATE;
		m->has_preference = true;
		m->preference = o->v[0];
		return DHCP6_OK;
	case DHCP6_OPT_RAPID_COMMIT:		/* section 21.14: no value */
		if (o->len != 0)
			return DHCP6_R_BAD_LENGTH;
		m->rapid_commit = true;
		return DHCP6_OK;
	case DHCP6_OPT_RECONF_ACCEPT:		/* section 21.20: no value */
		if (o->len != 0)
			return DHCP6_R_BAD_LENGTH;
		m->reconf_accept = true;
		return DHCP6_OK;
	case DHCP6_OPT_STATUS_CODE:
		return status_opt(o, &m->has_status, &m->status);
	case DHCP6_OPT_DNS_SERVERS:		/* RFC 3646 section 3: 16 octets each */
		if (o->len % 16)
			return DHCP6_R_BAD_LENGTH;
		for (uint16_t i = 0; i < o->len && m->n_dns < DHCP6_MAX_DNS; i += 16)
			memcpy(m->dns[m->n_dns++], o->v + i, 16);
		return DHCP6_OK;
	default:
		return DHCP6_OK;		/* section 16: unknown options are ignored */
	}
}

enum dhcp6_result dhcp6_parse(const uint8_t *buf, size_t len, struct dhcp6_msg *out)
{
	struct wire_rd r;
	struct opt o;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < 4)
		return DHCP6_R_TRUNCATED;
	if (len > DHCP6_MAX_LEN)
		return DHCP6_R_TOO_LONG;
	out->type = buf[0];
	out->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	/* section 9: relay messages have another layout; the link is the
	 * client's own, with no relay on it */
	if (out->type == DHCP6_RELAY_FORW || out->type == DHCP6_RELAY_REPL)
		return DHCP6_R_RELAY;
	if (out->type < DHCP6_SOLICIT || out->type > DHCP6_INFORMATION_REQUEST)
		return DHCP6_R_BAD_TYPE;
	wire_rd_init(&r, buf + 4, len - 4);
	while ((rc = next_opt(&r, &o)) > 0) {
		enum dhcp6_result e = top_opt(&o, out);
		if (e != DHCP6_OK)
			return e;
	}
	return rc < 0 ? DHCP6_R_BAD_OPTION : DHCP6_OK;
}

bool dhcp6_requested(const struct dhcp6_msg *m, uint16_t code)
{
	for (uint8_t i = 0; i < m->n_oro; i++)
		if (m->oro[i] == code)
			return true;
	return false;
}

/* ---- build ------------------------------------------------------------------ */

static const char *status_text(uint16_t code)
{
	switch (code) {
	case DHCP6_SUCCESS:
		return "success";
	case DHCP6_NO_ADDRS_AVAIL:
		return "no addresses are assigned on this link";
	case DHCP6_NO_BINDING:
		return "no binding for this IA";
	case DHCP6_NO_PREFIX_AVAIL:
		return "no prefix available";
	default:
		return "failure";
	}
}

/* Begin an option whose length is known at its end: the length's offset. */
static size_t opt_begin(struct wire_wr *w, uint16_t code)
{
	size_t at;

	wire_wr_u16(w, code);
	at = w->len;
	wire_wr_u16(w, 0);
	return at;
}

static void opt_end(struct wire_wr *w, size_t at)
{
	if (!w->overflow)
		wire_wr_put_u16_at(w, at, (uint16_t)(w->len - at - 2));
}

static void put_status(struct wire_wr *w, uint16_t code, const char *text)
{
	size_t n = strnlen(text, DHCP6_STATUS_TEXT_MAX);
	size_t at = opt_begin(w, DHCP6_OPT_STATUS_CODE);

	wire_wr_u16(w, code);
	wire_wr_bytes(w, text, n);
	opt_end(w, at);
}

static void put_duid(struct wire_wr *w, uint16_t code, const uint8_t *d, uint16_t len)
{
	if (!d)
		return;
	wire_wr_u16(w, code);
	wire_wr_u16(w, len);
	wire_wr_bytes(w, d, len);
}

static void put_prefix(struct wire_wr *w, const struct dhcp6_prefix *p)
{
	uint8_t pfx[16] = { 0 };
	size_t at = opt_begin(w, DHCP6_OPT_IAPREFIX);

	/* the bits past the prefix length are zero on the wire */
	memcpy(pfx, p->prefix, p->len / 8);
	if (p->len % 8)
		pfx[p->len / 8] = (uint8_t)(p->prefix[p->len / 8] & (0xff00 >> (p->len % 8)));
	wire_wr_u32(w, p->preferred);
	wire_wr_u32(w, p->valid);
	wire_wr_u8(w, p->len);
	wire_wr_bytes(w, pfx, 16);
	if (p->has_status)
		put_status(w, p->status, status_text(p->status));
	opt_end(w, at);
}

static void put_ia(struct wire_wr *w, uint16_t code, const struct dhcp6_ia *ia)
{
	size_t at = opt_begin(w, code);

	wire_wr_u32(w, ia->iaid);
	wire_wr_u32(w, ia->t1);
	wire_wr_u32(w, ia->t2);
	if (code == DHCP6_OPT_IA_PD)
		for (uint8_t i = 0; i < ia->n_prefixes; i++)
			put_prefix(w, &ia->prefixes[i]);
	if (ia->has_status)
		put_status(w, ia->status, status_text(ia->status));
	opt_end(w, at);
}

static bool consistent(const struct dhcp6_out *o)
{
	if (o->xid > 0xffffff || o->n_oro > DHCP6_MAX_ORO || o->n_ia_pd > DHCP6_MAX_IA ||
	    o->n_ia_na > DHCP6_MAX_IA || o->n_dns > DHCP6_MAX_DNS)
		return false;
	if ((o->client_id && (o->client_id_len < DHCP6_DUID_MIN ||
			      o->client_id_len > DHCP6_DUID_MAX)) ||
	    (o->server_id && (o->server_id_len < DHCP6_DUID_MIN ||
			      o->server_id_len > DHCP6_DUID_MAX)))
		return false;
	for (uint8_t i = 0; i < o->n_ia_pd; i++) {
		if (o->ia_pd[i].n_prefixes > DHCP6_MAX_PREFIXES)
			return false;
		for (uint8_t k = 0; k < o->ia_pd[i].n_prefixes; k++)
			if (o->ia_pd[i].prefixes[k].len > 128)
				return false;
	}
	return true;
}

size_t dhcp6_build(const struct dhcp6_out *o, uint8_t *out, size_t cap)
{
	struct wire_wr w;

	if (!consistent(o))
		return 0;
	wire_wr_init(&w, out, cap);
	/* section 8: msg-type, transaction-id (3 octets), options */
	wire_wr_u8(&w, o->type);
	wire_wr_u8(&w, (uint8_t)(o->xid >> 16));
	wire_wr_u16(&w, (uint16_t)o->xid);
	put_duid(&w, DHCP6_OPT_CLIENTID, o->client_id, o->client_id_len);
	put_duid(&w, DHCP6_OPT_SERVERID, o->server_id, o->server_id_len);
	if (o->has_status)
		put_status(&w, o->status, o->status_text ? o->status_text : status_text(o->status));
	if (o->has_preference) {
		wire_wr_u16(&w, DHCP6_OPT_PREFERENCE);
		wire_wr_u16(&w, 1);
		wire_wr_u8(&w, o->preference);
	}
	if (o->rapid_commit) {
		wire_wr_u16(&w, DHCP6_OPT_RAPID_COMMIT);
		wire_wr_u16(&w, 0);
	}
	if (o->reconf_accept) {
		wire_wr_u16(&w, DHCP6_OPT_RECONF_ACCEPT);
		wire_wr_u16(&w, 0);
	}
	if (o->has_elapsed_time) {
		wire_wr_u16(&w, DHCP6_OPT_ELAPSED_TIME);
		wire_wr_u16(&w, 2);
		wire_wr_u16(&w, o->elapsed_time);
	}
	if (o->n_oro) {
		wire_wr_u16(&w, DHCP6_OPT_ORO);
		wire_wr_u16(&w, (uint16_t)(2 * o->n_oro));
		for (uint8_t i = 0; i < o->n_oro; i++)
			wire_wr_u16(&w, o->oro[i]);
	}
	for (uint8_t i = 0; i < o->n_ia_na; i++)
		put_ia(&w, DHCP6_OPT_IA_NA, &o->ia_na[i]);
	for (uint8_t i = 0; i < o->n_ia_pd; i++)
		put_ia(&w, DHCP6_OPT_IA_PD, &o->ia_pd[i]);
	if (o->n_dns) {
		wire_wr_u16(&w, DHCP6_OPT_DNS_SERVERS);
		wire_wr_u16(&w, (uint16_t)(16 * o->n_dns));
		for (uint8_t i = 0; i < o->n_dns; i++)
			wire_wr_bytes(&w, o->dns[i], 16);
	}
	return w.overflow ? 0 : w.len;
}

/* ---- IPv6/UDP framing ---------------------------------------------------------- */

const char *dhcp6_udp_err_name(enum dhcp6_udp_err e)
{
	static const char *const names[DHCP6_UDP_E_MAX] = {
		[DHCP6_UDP_OK] = "ok",
		[DHCP6_UDP_SHORT] = "short",
		[DHCP6_UDP_NOT_UDP] = "not-udp",
		[DHCP6_UDP_CHECKSUM] = "checksum",
	};
	return (unsigned)e < DHCP6_UDP_E_MAX ? names[e] : "?";
}

/* The UDP checksum over RFC 8200 section 8.1's pseudo-header: source,
 * destination, upper-layer length, next header 17; then the UDP header
 * and payload (with the checksum field as it is). */
static uint16_t udp6_csum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *udp,
			  size_t len)
{
	uint32_t acc = inet_csum_add(0, src, 16);

	acc = inet_csum_add(acc, dst, 16);
	acc += (uint32_t)(len >> 16) + (uint32_t)(len & 0xffff) + IPPROTO_UDP_NUM;
	return inet_csum_fold(inet_csum_add(acc, udp, len));
}

bool dhcp6_udp_to_server(const uint8_t *pkt, size_t len)
{
	return len >= DHCP6_IP6_HDR_LEN + DHCP6_UDP_HDR_LEN && (pkt[0] >> 4) == 6 &&
	       pkt[6] == IPPROTO_UDP_NUM &&
	       wire_get_u16(pkt + DHCP6_IP6_HDR_LEN + 2) == DHCP6_SERVER_PORT;
}

enum dhcp6_udp_err dhcp6_udp_parse(const uint8_t *pkt, size_t len, struct dhcp6_udp *u)
{
	const uint8_t *udp;
	uint16_t plen, ulen;

	memset(u, 0, sizeof(*u));
	if (len < DHCP6_IP6_HDR_LEN)
		return DHCP6_UDP_SHORT;
	if ((pkt[0] >> 4) != 6 || pkt[6] != IPPROTO_UDP_NUM)
		return DHCP6_UDP_NOT_UDP;
	plen = wire_get_u16(pkt + 4);
	if (plen > len - DHCP6_IP6_HDR_LEN || plen < DHCP6_UDP_HDR_LEN)
		return DHCP6_UDP_SHORT;
	udp = pkt + DHCP6_IP6_HDR_LEN;
	ulen = wire_get_u16(udp + 4);
	if (ulen < DHCP6_UDP_HDR_LEN || ulen > plen)
		return DHCP6_UDP_SHORT;
	/* RFC 8200 section 8.1: a zero UDP checksum is not allowed over IPv6 */
	if (wire_get_u16(udp + 6) == 0 || udp6_csum(pkt + 8, pkt + 24, udp, ulen) != 0)
		return DHCP6_UDP_CHECKSUM;
	memcpy(u->src, pkt + 8, 16);
	memcpy(u->dst, pkt + 24, 16);
	u->hop_limit = pkt[7];
	u->sport = wire_get_u16(udp);
	u->dport = wire_get_u16(udp + 2);
	u->payload = udp + DHCP6_UDP_HDR_LEN;
	u->len = ulen - DHCP6_UDP_HDR_LEN;
	return DHCP6_UDP_OK;
}

size_t dhcp6_udp_build(uint8_t *out, size_t cap, const uint8_t src[16], const uint8_t dst[16],
		       uint8_t hop_limit, uint16_t sport, uint16_t dport, const uint8_t *payload,
		       size_t len)
{
	size_t ulen = DHCP6_UDP_HDR_LEN + len;
	uint8_t *udp = out + DHCP6_IP6_HDR_LEN;
	uint16_t csum;

	if (ulen > 0xffff || cap < DHCP6_IP6_HDR_LEN || cap - DHCP6_IP6_HDR_LEN < ulen)
		return 0;
	/* RFC 8200 section 3: version 6, traffic class and flow label 0 */
	memset(out, 0, 8);
	out[0] = 0x60;
	wire_put_u16(out + 4, (uint16_t)ulen);
	out[6] = IPPROTO_UDP_NUM;
	out[7] = hop_limit;
	memcpy(out + 8, src, 16);
	memcpy(out + 24, dst, 16);
	wire_put_u16(udp, sport);
	wire_put_u16(udp + 2, dport);
	wire_put_u16(udp + 4, (uint16_t)ulen);
	wire_put_u16(udp + 6, 0);
	memmove(udp + DHCP6_UDP_HDR_LEN, payload, len);
	csum = udp6_csum(src, dst, udp, ulen);
	/* RFC 768: a computed 0 is sent as all ones */
	wire_put_u16(udp + 6, csum ? csum : 0xffff);
	return DHCP6_IP6_HDR_LEN + ulen;
}
