/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

#include "l2tp_ipsec_msg.h"
#include "../wire.h"

#include <string.h>

/** Attribute value kinds, for size checks. */
enum kind {
	K_NONE,		/* unknown: skipped */
	K_U8,
	K_U16,
	K_U32,
	K_ADDR,
	K_STR,
};

static const uint8_t attr_kind[L2TP_IPSEC_A_MAX] = {
	[L2TP_IPSEC_A_SOFTWARE] = K_STR,
	[L2TP_IPSEC_A_IKE_ID] = K_U32,
	[L2TP_IPSEC_A_CHILD_ID] = K_U32,
	[L2TP_IPSEC_A_PEER_ADDR] = K_ADDR,
	[L2TP_IPSEC_A_PEER_PORT] = K_U16,
	[L2TP_IPSEC_A_LOCAL_ADDR] = K_ADDR,
	[L2TP_IPSEC_A_LOCAL_PORT] = K_U16,
	[L2TP_IPSEC_A_IKE_VERSION] = K_U8,
	[L2TP_IPSEC_A_LOCAL_ID] = K_STR,
	[L2TP_IPSEC_A_REMOTE_ID] = K_STR,
	[L2TP_IPSEC_A_CERT_SUBJECT] = K_STR,
	[L2TP_IPSEC_A_CERT_ISSUER] = K_STR,
	[L2TP_IPSEC_A_MARK_IN] = K_U32,
	[L2TP_IPSEC_A_MARK_OUT] = K_U32,
	[L2TP_IPSEC_A_ENCAP] = K_U8,
	[L2TP_IPSEC_A_NAME] = K_STR,
	[L2TP_IPSEC_A_OLD_IKE_ID] = K_U32,
};

#define BIT(a) (1u << (a))

/** Attributes each message type cannot do without. */
static uint32_t required(unsigned type)
{
	switch (type)
	{
		case L2TP_IPSEC_HELLO:
		case L2TP_IPSEC_REPLAY_END:
			return 0;
		case L2TP_IPSEC_IKE_UP:
			return BIT(L2TP_IPSEC_A_IKE_ID) | BIT(L2TP_IPSEC_A_PEER_ADDR) |
				   BIT(L2TP_IPSEC_A_LOCAL_ADDR) | BIT(L2TP_IPSEC_A_IKE_VERSION);
		case L2TP_IPSEC_IKE_DOWN:
		case L2TP_IPSEC_DELETE_IKE_SA:
			return BIT(L2TP_IPSEC_A_IKE_ID);
		case L2TP_IPSEC_CHILD_UP:
			return BIT(L2TP_IPSEC_A_IKE_ID) | BIT(L2TP_IPSEC_A_CHILD_ID) |
				   BIT(L2TP_IPSEC_A_PEER_ADDR);
		case L2TP_IPSEC_CHILD_DOWN:
			return BIT(L2TP_IPSEC_A_IKE_ID) | BIT(L2TP_IPSEC_A_CHILD_ID);
		default:
			return UINT32_MAX;
	}
}

const char *l2tp_ipsec_reason_name(enum l2tp_ipsec_reason r)
{
	static const char *const names[L2TP_IPSEC_R_MAX] = {
		[L2TP_IPSEC_OK] = "ok",
		[L2TP_IPSEC_R_TRUNCATED_HEADER] = "truncated header",
		[L2TP_IPSEC_R_BAD_VERSION] = "unsupported protocol version",
		[L2TP_IPSEC_R_BAD_LENGTH] = "length field disagrees with the packet",
		[L2TP_IPSEC_R_TOO_LONG] = "message too long",
		[L2TP_IPSEC_R_UNKNOWN_TYPE] = "unknown message type",
		[L2TP_IPSEC_R_ATTR_TRUNCATED] = "attribute past the end",
		[L2TP_IPSEC_R_ATTR_BAD_SIZE] = "attribute value of the wrong size",
		[L2TP_IPSEC_R_ATTR_DUPLICATE] = "duplicate attribute",
		[L2TP_IPSEC_R_BAD_STRING] = "invalid string",
		[L2TP_IPSEC_R_BAD_VALUE] = "invalid attribute value",
		[L2TP_IPSEC_R_MISSING_ATTR] = "missing attribute",
		[L2TP_IPSEC_R_WRONG_DIRECTION] = "message type not sent in this direction",
	};

	return (unsigned)r < L2TP_IPSEC_R_MAX ? names[r] : "?";
}

const char *l2tp_ipsec_type_name(unsigned type)
{
	switch (type)
	{
		case L2TP_IPSEC_HELLO: return "HELLO";
		case L2TP_IPSEC_IKE_UP: return "IKE_UP";
		case L2TP_IPSEC_IKE_DOWN: return "IKE_DOWN";
		case L2TP_IPSEC_CHILD_UP: return "CHILD_UP";
		case L2TP_IPSEC_CHILD_DOWN: return "CHILD_DOWN";
		case L2TP_IPSEC_REPLAY_END: return "REPLAY_END";
		case L2TP_IPSEC_DELETE_IKE_SA: return "DELETE_IKE_SA";
		default: return "?";
	}
}

/* ---- reading: lib/wire.h, the cursor that fails instead of reading past
 * the end ---- */

/** UTF-8 text without NUL or other C0 controls and DEL: it reaches logs. */
static bool string_ok(const uint8_t *v, size_t n)
{
	if (n > L2TP_IPSEC_STR_MAX)
	{
		return false;
	}
	for (size_t i = 0; i < n; i++)
	{
		if (v[i] < 0x20 || v[i] == 0x7f)
		{
			return false;
		}
	}
	return true;
}

static enum l2tp_ipsec_reason store(struct l2tp_ipsec_msg *m, unsigned a,
									const uint8_t *v, size_t n)
{
	struct l2tp_ipsec_str s = { (const char *)v, (uint16_t)n };
	uint32_t u32 = 0;

	switch (attr_kind[a])
	{
		case K_U8:
			if (n != 1)
			{
				return L2TP_IPSEC_R_ATTR_BAD_SIZE;
			}
			break;
		case K_U16:
			if (n != 2)
			{
				return L2TP_IPSEC_R_ATTR_BAD_SIZE;
			}
			break;
		case K_U32:
			if (n != 4)
			{
				return L2TP_IPSEC_R_ATTR_BAD_SIZE;
			}
			u32 = (uint32_t)wire_get_u16(v) << 16 | wire_get_u16(v + 2);
			break;
		case K_ADDR:
			if (n != 4 && n != 16)
			{
				return L2TP_IPSEC_R_ATTR_BAD_SIZE;
			}
			break;
		case K_STR:
			if (!string_ok(v, n))
			{
				return L2TP_IPSEC_R_BAD_STRING;
			}
			break;
		default:
			return L2TP_IPSEC_OK;
	}
	switch (a)
	{
		case L2TP_IPSEC_A_SOFTWARE: m->software = s; break;
		case L2TP_IPSEC_A_IKE_ID: m->ike_id = u32; break;
		case L2TP_IPSEC_A_CHILD_ID: m->child_id = u32; break;
		case L2TP_IPSEC_A_OLD_IKE_ID: m->old_ike_id = u32; break;
		case L2TP_IPSEC_A_MARK_IN: m->mark_in = u32; break;
		case L2TP_IPSEC_A_MARK_OUT: m->mark_out = u32; break;
		case L2TP_IPSEC_A_PEER_PORT: m->peer_port = (uint16_t)(v[0] << 8 | v[1]); break;
		case L2TP_IPSEC_A_LOCAL_PORT: m->local_port = (uint16_t)(v[0] << 8 | v[1]); break;
		case L2TP_IPSEC_A_PEER_ADDR:
			m->peer.family = n == 4 ? 4 : 6;
			memcpy(m->peer.addr, v, n);
			break;
		case L2TP_IPSEC_A_LOCAL_ADDR:
			m->local.family = n == 4 ? 4 : 6;
			memcpy(m->local.addr, v, n);
			break;
		case L2TP_IPSEC_A_IKE_VERSION:
			if (v[0] != 1 && v[0] != 2)
			{
				return L2TP_IPSEC_R_BAD_VALUE;
			}
			m->ike_version = v[0];
			break;
		case L2TP_IPSEC_A_ENCAP:
			if (v[0] > 1)
			{
				return L2TP_IPSEC_R_BAD_VALUE;
			}
			m->encap = v[0];
			break;
		case L2TP_IPSEC_A_LOCAL_ID: m->local_id = s; break;
		case L2TP_IPSEC_A_REMOTE_ID: m->remote_id = s; break;
		case L2TP_IPSEC_A_CERT_SUBJECT: m->cert_subject = s; break;
		case L2TP_IPSEC_A_CERT_ISSUER: m->cert_issuer = s; break;
		case L2TP_IPSEC_A_NAME: m->name = s; break;
	}
	return L2TP_IPSEC_OK;
}

enum l2tp_ipsec_reason l2tp_ipsec_parse(const uint8_t *buf, size_t len,
										struct l2tp_ipsec_msg *m)
{
	struct wire_rd c;
	const uint8_t *hdr, *v;
	uint16_t total, a, n;
	enum l2tp_ipsec_reason r;

	memset(m, 0, sizeof(*m));
	wire_rd_init(&c, buf, len);
	if (!wire_rd_bytes(&c, L2TP_IPSEC_HDR_LEN, &hdr))
	{
		return L2TP_IPSEC_R_TRUNCATED_HEADER;
	}
	m->version = hdr[0];
	m->type = hdr[1];
	total = (uint16_t)(hdr[2] << 8 | hdr[3]);
	if (m->version != L2TP_IPSEC_VERSION)
	{
		return L2TP_IPSEC_R_BAD_VERSION;
	}
	if (len > L2TP_IPSEC_MSG_MAX)
	{
		return L2TP_IPSEC_R_TOO_LONG;
	}
	if (total != len)
	{
		return L2TP_IPSEC_R_BAD_LENGTH;
	}
	if (required(m->type) == UINT32_MAX)
	{
		return L2TP_IPSEC_R_UNKNOWN_TYPE;
	}
	while (wire_rd_left(&c))
	{
		if (!wire_rd_u16(&c, &a) || !wire_rd_u16(&c, &n) || !wire_rd_bytes(&c, n, &v))
		{
			return L2TP_IPSEC_R_ATTR_TRUNCATED;
		}
		if (a >= L2TP_IPSEC_A_MAX || attr_kind[a] == K_NONE)
		{
			m->unknown_attrs++;
			continue;
		}
		if (m->present & BIT(a))
		{
			return L2TP_IPSEC_R_ATTR_DUPLICATE;
		}
		r = store(m, a, v, n);
		if (r != L2TP_IPSEC_OK)
		{
			return r;
		}
		m->present |= BIT(a);
	}
	if ((m->present & required(m->type)) != required(m->type))
	{
		return L2TP_IPSEC_R_MISSING_ATTR;
	}
	return L2TP_IPSEC_OK;
}

enum l2tp_ipsec_reason l2tp_ipsec_parse_request(const uint8_t *buf, size_t len,
												struct l2tp_ipsec_msg *m)
{
	enum l2tp_ipsec_reason r;

	r = l2tp_ipsec_parse(buf, len, m);
	if (r != L2TP_IPSEC_OK)
	{
		return r;
	}
	if (m->type != L2TP_IPSEC_DELETE_IKE_SA)
	{
		return L2TP_IPSEC_R_WRONG_DIRECTION;
	}
	if (m->ike_id == 0)
	{
		return L2TP_IPSEC_R_BAD_VALUE;
	}
	return L2TP_IPSEC_OK;
}

/* ---- writing ---- */

void l2tp_ipsec_begin(struct l2tp_ipsec_writer *w, uint8_t *buf, size_t cap,
					  enum l2tp_ipsec_type type)
{
	w->buf = buf;
	w->cap = cap < L2TP_IPSEC_MSG_MAX ? cap : L2TP_IPSEC_MSG_MAX;
	w->len = 0;
	w->error = w->cap < L2TP_IPSEC_HDR_LEN;
	if (!w->error)
	{
		buf[0] = L2TP_IPSEC_VERSION;
		buf[1] = (uint8_t)type;
		buf[2] = buf[3] = 0;
		w->len = L2TP_IPSEC_HDR_LEN;
	}
}

static uint8_t *put_attr(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, size_t n)
{
	uint8_t *p;

	if (w->error || n > UINT16_MAX ||
		w->cap - w->len < L2TP_IPSEC_ATTR_HDR_LEN + n)
	{
		w->error = true;
		return NULL;
	}
	p = w->buf + w->len;
	p[0] = (uint8_t)(a >> 8);
	p[1] = (uint8_t)a;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
	w->len += L2TP_IPSEC_ATTR_HDR_LEN + n;
	return p + L2TP_IPSEC_ATTR_HDR_LEN;
}

void l2tp_ipsec_put_u8(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint8_t v)
{
	uint8_t *p = put_attr(w, a, 1);

	if (p)
	{
		p[0] = v;
	}
}

void l2tp_ipsec_put_u16(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint16_t v)
{
	uint8_t *p = put_attr(w, a, 2);

	if (p)
	{
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

void l2tp_ipsec_put_u32(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint32_t v)
{
	uint8_t *p = put_attr(w, a, 4);

	if (p)
	{
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void l2tp_ipsec_put_addr(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a,
						 int family, const void *addr)
{
	size_t n = family == 6 ? 16 : 4;
	uint8_t *p;

	if (family != 4 && family != 6)
	{
		w->error = true;
		return;
	}
	p = put_attr(w, a, n);
	if (p)
	{
		memcpy(p, addr, n);
	}
}

void l2tp_ipsec_put_str(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, const char *s)
{
	size_t n;
	uint8_t *p;

	if (!s || !*s)
	{
		return;
	}
	n = strlen(s);
	if (n > L2TP_IPSEC_STR_MAX)
	{
		n = L2TP_IPSEC_STR_MAX;
		/* do not cut a UTF-8 sequence: back up over continuation octets */
		while (n > 0 && ((uint8_t)s[n] & 0xc0) == 0x80)
		{
			n--;
		}
	}
	p = put_attr(w, a, n);
	if (p)
	{
		for (size_t i = 0; i < n; i++)
		{
			uint8_t ch = (uint8_t)s[i];
			p[i] = (ch < 0x20 || ch == 0x7f) ? '?' : ch;
		}
	}
}

size_t l2tp_ipsec_end(struct l2tp_ipsec_writer *w)
{
	if (w->error)
	{
		return 0;
	}
	w->buf[2] = (uint8_t)(w->len >> 8);
	w->buf[3] = (uint8_t)w->len;
	return w->len;
}
