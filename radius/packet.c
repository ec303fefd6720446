/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS packets: building, checking, reading (radius.h). */
#include "radius.h"

#include <string.h>

#include <nettle/hmac.h>
#include <nettle/md5.h>

const char *radius_err_name(enum radius_err e)
{
	static const char *const names[RADIUS_E_ERR_MAX] = {
		[RADIUS_OK] = "ok",
		[RADIUS_E_SHORT] = "shorter than its header or Length field",
		[RADIUS_E_LENGTH] = "Length field out of 20-4096",
		[RADIUS_E_ATTR] = "malformed attribute",
		[RADIUS_E_MSG_AUTH_FORM] = "malformed or repeated Message-Authenticator",
		[RADIUS_E_MSG_AUTH_MISSING] = "no Message-Authenticator",
		[RADIUS_E_MSG_AUTH] = "Message-Authenticator does not verify (wrong secret?)",
		[RADIUS_E_AUTHENTICATOR] = "authenticator does not verify (wrong secret?)",
		[RADIUS_E_ID] = "Identifier of no request",
		[RADIUS_E_CODE] = "code that does not answer the request",
	};
	return (unsigned)e < RADIUS_E_ERR_MAX ? names[e] : "?";
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool same(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

/* MD5(packet with `auth` in the authenticator field, then secret). */
static void packet_md5(const uint8_t *pkt, size_t len, const uint8_t auth[RADIUS_AUTH_LEN],
		       const char *secret, uint8_t out[MD5_DIGEST_SIZE])
{
	struct md5_ctx ctx;

	md5_init(&ctx);
	md5_update(&ctx, 4, pkt);
	md5_update(&ctx, RADIUS_AUTH_LEN, auth);
	md5_update(&ctx, len - RADIUS_HDR_LEN, pkt + RADIUS_HDR_LEN);
	md5_update(&ctx, strlen(secret), (const uint8_t *)secret);
	md5_digest(&ctx, MD5_DIGEST_SIZE, out);
}

/* HMAC-MD5 keyed with the secret over the packet with `auth` in the
 * authenticator field and the Message-Authenticator's value zero (RFC 3579
 * section 3.2). */
static void packet_hmac(const uint8_t *pkt, size_t len, size_t msg_auth,
			const uint8_t auth[RADIUS_AUTH_LEN], const char *secret,
			uint8_t out[MD5_DIGEST_SIZE])
{
	static const uint8_t zero[16];
	struct hmac_md5_ctx ctx;

	hmac_md5_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_md5_update(&ctx, 4, pkt);
	hmac_md5_update(&ctx, RADIUS_AUTH_LEN, auth);
	hmac_md5_update(&ctx, msg_auth - RADIUS_HDR_LEN, pkt + RADIUS_HDR_LEN);
	hmac_md5_update(&ctx, 16, zero);
	hmac_md5_update(&ctx, len - msg_auth - 16, pkt + msg_auth + 16);
	hmac_md5_digest(&ctx, MD5_DIGEST_SIZE, out);
}

/* ---- writing -------------------------------------------------------------- */

void radius_begin(struct radius_writer *w, uint8_t *buf, size_t cap, uint8_t code, uint8_t id,
		  const uint8_t authenticator[RADIUS_AUTH_LEN])
{
	w->buf = buf;
	w->cap = cap < RADIUS_MAX_LEN ? cap : RADIUS_MAX_LEN;
	w->len = RADIUS_HDR_LEN;
	w->msg_auth = 0;
	w->error = w->cap < RADIUS_HDR_LEN;
	if (w->error)
		return;
	buf[0] = code;
	buf[1] = id;
	put_be16(buf + 2, RADIUS_HDR_LEN);
	if (authenticator)
		memcpy(buf + 4, authenticator, RADIUS_AUTH_LEN);
	else
		memset(buf + 4, 0, RADIUS_AUTH_LEN);
}

/* Room for one attribute of n value octets; NULL (and the error set) if none. */
static uint8_t *reserve(struct radius_writer *w, uint8_t type, size_t n)
{
	uint8_t *p;

	if (w->error || n > RADIUS_MAX_VALUE || w->len + 2 + n > w->cap) {
		w->error = true;
		return NULL;
	}
	p = w->buf + w->len;
	p[0] = type;
	p[1] = (uint8_t)(2 + n);
	w->len += 2 + n;
	return p + 2;
}

void radius_put(struct radius_writer *w, uint8_t type, const void *value, size_t len)
{
	uint8_t *p = reserve(w, type, len);

	if (p && len)
		memcpy(p, value, len);
}

void radius_put_u32(struct radius_writer *w, uint8_t type, uint32_t value)
{
	uint8_t v[4] = { (uint8_t)(value >> 24), (uint8_t)(value >> 16), (uint8_t)(value >> 8),
			 (uint8_t)value };

	radius_put(w, type, v, 4);
}

void radius_put_str(struct radius_writer *w, uint8_t type, const char *s)
{
	/* RFC 2865 section 5: a text attribute is never empty */
	if (!s[0]) {
		w->error = true;
		return;
	}
	radius_put(w, type, s, strlen(s));
}

void radius_put_vsa(struct radius_writer *w, uint32_t vendor, uint8_t vendor_type,
		    const void *value, size_t len)
{
	uint8_t *p = len <= RADIUS_MAX_VALUE - 6 ? reserve(w, RADIUS_VENDOR_SPECIFIC, 6 + len) : NULL;

	if (!p) {
		w->error = true;
		return;
	}
	p[0] = (uint8_t)(vendor >> 24);
	p[1] = (uint8_t)(vendor >> 16);
	p[2] = (uint8_t)(vendor >> 8);
	p[3] = (uint8_t)vendor;
	p[4] = vendor_type;
	p[5] = (uint8_t)(2 + len);
	memcpy(p + 6, value, len);
}

void radius_put_user_password(struct radius_writer *w, const void *password, size_t len,
			      const char *secret)
{
	const uint8_t *pw = password;
	size_t padded = len == 0 ? 16 : (len + 15) / 16 * 16;
	const uint8_t *prev;
	uint8_t *p;

	if (len > RADIUS_MAX_PASSWORD) {
		w->error = true;
		return;
	}
	p = reserve(w, RADIUS_USER_PASSWORD, padded);
	if (!p)
		return;
	/* c(1) = p(1) xor MD5(S + RA), c(i) = p(i) xor MD5(S + c(i-1)) */
	prev = w->buf + 4;
	for (size_t off = 0; off < padded; off += 16) {
		struct md5_ctx ctx;
		uint8_t b[MD5_DIGEST_SIZE];

		md5_init(&ctx);
		md5_update(&ctx, strlen(secret), (const uint8_t *)secret);
		md5_update(&ctx, 16, prev);
		md5_digest(&ctx, sizeof(b), b);
		for (size_t i = 0; i < 16; i++)
			p[off + i] = (uint8_t)((off + i < len ? pw[off + i] : 0) ^ b[i]);
		prev = p + off;
	}
}

void radius_put_message_authenticator(struct radius_writer *w)
{
	uint8_t *p;

	if (w->msg_auth) {	/* only one (RFC 3579 section 3.2) */
		w->error = true;
		return;
	}
	p = reserve(w, RADIUS_MESSAGE_AUTHENTICATOR, 16);
	if (!p)
		return;
	memset(p, 0, 16);
	w->msg_auth = (size_t)(p - w->buf);
}

static bool close_length(struct radius_writer *w)
{
	if (w->error)
		return false;
	put_be16(w->buf + 2, (uint16_t)w->len);
	return true;
}

size_t radius_finish(struct radius_writer *w, const char *secret)
{
	if (!close_length(w))
		return 0;
	if (w->msg_auth)
		packet_hmac(w->buf, w->len, w->msg_auth, w->buf + 4, secret, w->buf + w->msg_auth);
	return w->len;
}

size_t radius_finish_hashed(struct radius_writer *w, const char *secret)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t a[MD5_DIGEST_SIZE];

	if (!close_length(w))
		return 0;
	/* the Message-Authenticator first, over a zero authenticator (RFC
	 * 5176 section 3.3), then the authenticator over the whole packet */
	if (w->msg_auth)
		packet_hmac(w->buf, w->len, w->msg_auth, zero, secret, w->buf + w->msg_auth);
	packet_md5(w->buf, w->len, zero, secret, a);
	memcpy(w->buf + 4, a, RADIUS_AUTH_LEN);
	return w->len;
}

size_t radius_finish_response(struct radius_writer *w, const char *secret,
			      const uint8_t request_authenticator[RADIUS_AUTH_LEN])
{
	uint8_t a[MD5_DIGEST_SIZE];

	if (!close_length(w))
		return 0;
	if (w->msg_auth)
		packet_hmac(w->buf, w->len, w->msg_auth, request_authenticator, secret,
			    w->buf + w->msg_auth);
	packet_md5(w->buf, w->len, request_authenticator, secret, a);
	memcpy(w->buf + 4, a, RADIUS_AUTH_LEN);
	return w->len;
}

/* ---- reading -------------------------------------------------------------- */

enum radius_err radius_parse(const uint8_t *buf, size_t len, struct radius_packet *p)
{
	size_t off;
	uint16_t total;

	memset(p, 0, sizeof(*p));
	if (len < RADIUS_HDR_LEN)
		return RADIUS_E_SHORT;
	total = get_be16(buf + 2);
	if (total < RADIUS_HDR_LEN || total > RADIUS_MAX_LEN)
		return RADIUS_E_LENGTH;
	/* RFC 2865 section 3: fewer octets than Length: silently discarded;
	 * more: the rest is padding */
	if (len < total)
		return RADIUS_E_SHORT;
	for (off = RADIUS_HDR_LEN; off < total;) {
		uint8_t alen;

		if (total - off < 2)
			return RADIUS_E_ATTR;
		alen = buf[off + 1];
		if (alen < 2 || alen > total - off)
			return RADIUS_E_ATTR;
		if (buf[off] == RADIUS_MESSAGE_AUTHENTICATOR) {
			if (alen != 18 || p->msg_auth)
				return RADIUS_E_MSG_AUTH_FORM;
			p->msg_auth = off + 2;
		}
		off += alen;
	}
	p->buf = buf;
	p->len = total;
	p->code = buf[0];
	p->id = buf[1];
	p->authenticator = buf + 4;
	return RADIUS_OK;
}

static enum radius_err check_msg_auth(const struct radius_packet *p,
				      const uint8_t auth[RADIUS_AUTH_LEN], const char *secret,
				      bool required)
{
	uint8_t mac[MD5_DIGEST_SIZE];

	if (!p->msg_auth)
		return required ? RADIUS_E_MSG_AUTH_MISSING : RADIUS_OK;
	packet_hmac(p->buf, p->len, p->msg_auth, auth, secret, mac);
	return same(mac, p->buf + p->msg_auth, 16) ? RADIUS_OK : RADIUS_E_MSG_AUTH;
}

enum radius_err radius_verify_response(const struct radius_packet *p, uint8_t request_id,
				       const uint8_t request_authenticator[RADIUS_AUTH_LEN],
				       const char *secret, bool require_message_authenticator)
{
	uint8_t a[MD5_DIGEST_SIZE];
	enum radius_err e;

	if (p->id != request_id)
		return RADIUS_E_ID;
	/* BlastRADIUS (CVE-2024-3596): the Message-Authenticator, which an
	 * attacker who forges the MD5 authenticator cannot forge, is checked
	 * first and, by default, required */
	e = check_msg_auth(p, request_authenticator, secret, require_message_authenticator);
	if (e != RADIUS_OK)
		return e;
	packet_md5(p->buf, p->len, request_authenticator, secret, a);
	return same(a, p->authenticator, RADIUS_AUTH_LEN) ? RADIUS_OK : RADIUS_E_AUTHENTICATOR;
}

enum radius_err radius_verify_hashed_request(const struct radius_packet *p, const char *secret,
					     bool require_message_authenticator)
{
	static const uint8_t zero[RADIUS_AUTH_LEN];
	uint8_t a[MD5_DIGEST_SIZE];
	enum radius_err e;

	e = check_msg_auth(p, zero, secret, require_message_authenticator);
	if (e != RADIUS_OK)
		return e;
	packet_md5(p->buf, p->len, zero, secret, a);
	return same(a, p->authenticator, RADIUS_AUTH_LEN) ? RADIUS_OK : RADIUS_E_AUTHENTICATOR;
}

bool radius_next_attr(const struct radius_packet *p, size_t *off, struct radius_attr *a)
{
	/* radius_parse checked every attribute up to p->len */
	if (*off == 0)
		*off = RADIUS_HDR_LEN;
	if (!p->buf || *off + 2 > p->len)
		return false;
	a->type = p->buf[*off];
	a->len = (uint8_t)(p->buf[*off + 1] - 2);
	a->value = p->buf + *off + 2;
	*off += 2u + a->len;
	return true;
}

bool radius_find(const struct radius_packet *p, uint8_t type, struct radius_attr *a)
{
	size_t off = 0;

	while (radius_next_attr(p, &off, a))
		if (a->type == type)
			return true;
	return false;
}

bool radius_find_vsa(const struct radius_packet *p, uint32_t vendor, uint8_t vendor_type,
		     struct radius_attr *a)
{
	struct radius_attr v;
	size_t off = 0;

	while (radius_next_attr(p, &off, &v)) {
		size_t i = 4;

		if (v.type != RADIUS_VENDOR_SPECIFIC || v.len < 6 || get_be32(v.value) != vendor)
			continue;
		/* RFC 2865 section 5.26: vendor type, vendor length, value */
		while (v.len - i >= 2) {
			uint8_t t = v.value[i], l = v.value[i + 1];

			if (l < 2 || l > v.len - i)
				break;
			if (t == vendor_type) {
				a->type = t;
				a->len = (uint8_t)(l - 2);
				a->value = v.value + i + 2;
				return true;
			}
			i += l;
		}
	}
	return false;
}
