/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCP messages (dhcp.h). */
#include "dhcp.h"

#include <arpa/inet.h>
#include <string.h>

#define OFF_SNAME	44
#define OFF_FILE	108
#define OFF_COOKIE	236
#define OFF_OPTIONS	240
#define BOOTP_MIN	300	/* RFC 1542 section 2.1 */

static const uint8_t cookie[4] = { 99, 130, 83, 99 };	/* RFC 2131 section 3 */

const char *dhcp_err_name(enum dhcp_err e)
{
	static const char *const names[DHCP_E_MAX] = {
		[DHCP_OK] = "ok",
		[DHCP_E_SHORT] = "shorter than 240 octets",
		[DHCP_E_COOKIE] = "no DHCP magic cookie",
		[DHCP_E_HEADER] = "bad op, hardware type or length",
		[DHCP_E_OPTION] = "malformed options",
		[DHCP_E_DUPLICATE] = "single-valued option repeated",
		[DHCP_E_MSG_TYPE] = "no valid DHCP message type",
	};
	return (unsigned)e < DHCP_E_MAX ? names[e] : "?";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t raw32(const uint8_t *p)	/* an address, kept in network order */
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

typedef int (*option_fn)(void *ctx, uint8_t code, const uint8_t *v, uint8_t len);

/* One option area: code, length, value ... END. need_end: the main area
 * must end with END (RFC 2131 section 4.1); sname/file may just fill up.
 * Returns the overload value seen (option 52), or -1 when malformed. */
static int walk_area(const uint8_t *p, size_t len, bool need_end, option_fn fn, void *ctx)
{
	int overload = 0;
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i], olen;

		if (code == DHCP_OPT_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPT_END)
			return overload;
		if (len - i < 2 || (olen = p[i + 1]) > len - i - 2)
			return -1;
		if (code == DHCP_OPT_OVERLOAD) {
			if (olen != 1 || p[i + 2] < 1 || p[i + 2] > 3)
				return -1;
			overload = p[i + 2];
		}
		if (fn && fn(ctx, code, p + i + 2, olen) != 0)
			return -1;
		i += 2u + olen;
	}
	return need_end ? -1 : overload;
}

/* All options, with option overload (RFC 2132 section 9.3): the options
 * field, then file, then sname. */
static int walk(const uint8_t *buf, size_t len, option_fn fn, void *ctx)
{
	int ov = walk_area(buf + OFF_OPTIONS, len - OFF_OPTIONS, true, fn, ctx);

	if (ov < 0)
		return -1;
	if ((ov & 1) && walk_area(buf + OFF_FILE, 128, false, fn, ctx) < 0)
		return -1;
	if ((ov & 2) && walk_area(buf + OFF_SNAME, 64, false, fn, ctx) < 0)
		return -1;
	return 0;
}

static int check_header(const uint8_t *buf, size_t len)
{
	if (len < DHCP_MIN_LEN)
		return DHCP_E_SHORT;
	if (memcmp(buf + OFF_COOKIE, cookie, 4) != 0)
		return DHCP_E_COOKIE;
	if ((buf[0] != DHCP_BOOTREQUEST && buf[0] != DHCP_BOOTREPLY) || buf[2] > 16 || buf[3] > 16)
		return DHCP_E_HEADER;
	return DHCP_OK;
}

struct seen {
	struct dhcp_msg *m;
	bool dup;		/* a single-valued option came twice */
	bool have_53, have_server_id, have_requested_ip, have_mask;
};

static int store(void *ctx, uint8_t code, const uint8_t *v, uint8_t len)
{
	struct seen *s = ctx;
	struct dhcp_msg *m = s->m;
	uint32_t *addr = NULL;
	bool *seen = NULL;

	switch (code) {
	case DHCP_OPT_MSG_TYPE:
		if (s->have_53) {
			s->dup = true;
			return -1;
		}
		if (len != 1)
			return -1;
		s->have_53 = true;
		m->type = v[0];
		return 0;
	case DHCP_OPT_SERVER_ID:
		addr = &m->server_id;
		seen = &s->have_server_id;
		break;
	case DHCP_OPT_REQUESTED_IP:
		addr = &m->requested_ip;
		seen = &s->have_requested_ip;
		break;
	case DHCP_OPT_SUBNET_MASK:
		addr = &m->subnet_mask;
		seen = &s->have_mask;
		break;
	case DHCP_OPT_LEASE_TIME:
		if (len != 4)
			return -1;
		m->lease_time = be32(v);
		return 0;
	case DHCP_OPT_RENEWAL_TIME:
		if (len != 4)
			return -1;
		m->t1 = be32(v);
		return 0;
	case DHCP_OPT_REBINDING_TIME:
		if (len != 4)
			return -1;
		m->t2 = be32(v);
		return 0;
	case DHCP_OPT_CLIENT_ID:
		if (len < 2)	/* RFC 2132 section 9.14: type and at least one octet */
			return -1;
		m->client_id = v;
		m->client_id_len = len;
		return 0;
	case DHCP_OPT_PARAM_LIST:
		m->param_list = v;
		m->param_list_len = len;
		return 0;
	case DHCP_OPT_MESSAGE:
		m->message = v;
		m->message_len = len;
		return 0;
	default:
		return 0;
	}
	if (*seen) {
		s->dup = true;
		return -1;
	}
	if (len != 4)
		return -1;
	*seen = true;
	*addr = raw32(v);
	return 0;
}

enum dhcp_err dhcp_parse(const uint8_t *buf, size_t len, struct dhcp_msg *m)
{
	struct seen s = { .m = m };
	int e;

	memset(m, 0, sizeof(*m));
	if ((e = check_header(buf, len)) != DHCP_OK)
		return (enum dhcp_err)e;
	m->op = buf[0];
	m->htype = buf[1];
	m->hlen = buf[2];
	m->hops = buf[3];
	m->xid = be32(buf + 4);
	m->secs = (uint16_t)(buf[8] << 8 | buf[9]);
	m->flags = (uint16_t)(buf[10] << 8 | buf[11]);
	m->ciaddr = raw32(buf + 12);
	m->yiaddr = raw32(buf + 16);
	m->siaddr = raw32(buf + 20);
	m->giaddr = raw32(buf + 24);
	memcpy(m->chaddr, buf + 28, 16);
	if (walk(buf, len, store, &s) != 0)
		return s.dup ? DHCP_E_DUPLICATE : DHCP_E_OPTION;
	if (!s.have_53 || m->type < DHCPDISCOVER || m->type > DHCPINFORM)
		return DHCP_E_MSG_TYPE;
	return DHCP_OK;
}

struct finder {
	uint8_t code;
	const uint8_t *v;
	uint8_t len;
};

static int find(void *ctx, uint8_t code, const uint8_t *v, uint8_t len)
{
	struct finder *f = ctx;

	if (code == f->code && !f->v) {
		f->v = v;
		f->len = len;
	}
	return 0;
}

const uint8_t *dhcp_find_option(const uint8_t *buf, size_t len, uint8_t code, uint8_t *vlen)
{
	struct finder f = { .code = code };

	if (check_header(buf, len) != DHCP_OK || walk(buf, len, find, &f) != 0 || !f.v)
		return NULL;
	*vlen = f.len;
	return f.v;
}

/* ---- building ------------------------------------------------------------ */

void dhcp_begin(struct dhcp_writer *w, uint8_t *buf, size_t cap, uint8_t op, uint32_t xid,
		const uint8_t *chaddr, uint8_t hlen, uint8_t msg_type)
{
	w->buf = buf;
	w->cap = cap < DHCP_MAX_LEN ? cap : DHCP_MAX_LEN;
	w->len = OFF_OPTIONS;
	w->error = w->cap < BOOTP_MIN || hlen > 16;
	if (w->error)
		return;
	memset(buf, 0, OFF_OPTIONS);
	buf[0] = op;
	buf[1] = 1;			/* Ethernet, RFC 1700 */
	buf[2] = hlen;
	buf[4] = (uint8_t)(xid >> 24);
	buf[5] = (uint8_t)(xid >> 16);
	buf[6] = (uint8_t)(xid >> 8);
	buf[7] = (uint8_t)xid;
	if (chaddr)
		memcpy(buf + 28, chaddr, hlen);
	memcpy(buf + OFF_COOKIE, cookie, 4);
	dhcp_put(w, DHCP_OPT_MSG_TYPE, &msg_type, 1);
}

void dhcp_set_addrs(struct dhcp_writer *w, uint32_t ciaddr, uint32_t yiaddr, uint32_t siaddr,
		    uint32_t giaddr)
{
	if (w->error)
		return;
	memcpy(w->buf + 12, &ciaddr, 4);
	memcpy(w->buf + 16, &yiaddr, 4);
	memcpy(w->buf + 20, &siaddr, 4);
	memcpy(w->buf + 24, &giaddr, 4);
}

void dhcp_set_flags(struct dhcp_writer *w, uint16_t flags)
{
	if (w->error)
		return;
	w->buf[10] = (uint8_t)(flags >> 8);
	w->buf[11] = (uint8_t)flags;
}

void dhcp_put(struct dhcp_writer *w, uint8_t code, const void *value, size_t len)
{
	/* room for this and the END */
	if (w->error || len > 255 || w->len + 2 + len + 1 > w->cap) {
		w->error = true;
		return;
	}
	w->buf[w->len] = code;
	w->buf[w->len + 1] = (uint8_t)len;
	memcpy(w->buf + w->len + 2, value, len);
	w->len += 2 + len;
}

void dhcp_put_u32(struct dhcp_writer *w, uint8_t code, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	dhcp_put(w, code, b, 4);
}

void dhcp_put_addr(struct dhcp_writer *w, uint8_t code, uint32_t net_order)
{
	dhcp_put(w, code, &net_order, 4);
}

void dhcp_put_routes(struct dhcp_writer *w, uint8_t code, const struct dhcp_route *r, size_t n)
{
	uint8_t v[255];
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		/* RFC 3442 section 4: width, the significant octets of the
		 * destination, the router */
		size_t sig = (r[i].prefix_len + 7u) / 8u;

		if (r[i].prefix_len > 32 || len + 1 + sig + 4 > sizeof(v)) {
			w->error = true;
			return;
		}
		v[len++] = r[i].prefix_len;
		memcpy(v + len, &r[i].dest, sig);
		len += sig;
		memcpy(v + len, &r[i].gateway, 4);
		len += 4;
	}
	dhcp_put(w, code, v, len);
}

size_t dhcp_finish(struct dhcp_writer *w)
{
	if (w->error || w->len + 1 > w->cap)
		return 0;
	w->buf[w->len++] = DHCP_OPT_END;
	if (w->len < BOOTP_MIN) {
		memset(w->buf + w->len, 0, BOOTP_MIN - w->len);
		w->len = BOOTP_MIN;
	}
	return w->len;
}

int dhcp_parse_routes(const uint8_t *v, size_t len, struct dhcp_route *out, size_t max)
{
	size_t i = 0;
	int n = 0;

	while (i < len) {
		uint8_t width = v[i];
		size_t sig = (width + 7u) / 8u;
		uint32_t dest = 0, mask;

		if (width > 32 || len - i < 1 + sig + 4)
			return -1;
		memcpy(&dest, v + i + 1, sig);
		/* bits past the prefix must be zero (RFC 3442 section 4) */
		mask = htonl(width == 32 ? 0xffffffffu : ~(0xffffffffu >> width));
		if ((dest & ~mask) != 0)
			return -1;
		if ((size_t)n < max) {
			out[n].dest = dest;
			out[n].prefix_len = width;
			memcpy(&out[n].gateway, v + i + 1 + sig, 4);
		}
		n++;
		i += 1 + sig + 4;
	}
	return n;
}
