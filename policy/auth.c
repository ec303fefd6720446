/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Password material of local users: NT hash, PBKDF2, cleartext (opt-in). */
#include "policy_int.h"

#include <nettle/hmac.h>
#include <nettle/md4.h>
#include <nettle/memops.h>
#include <nettle/pbkdf2.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

/* Decode one UTF-8 code point; -1 on malformed input. */
static long utf8_next(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	long cp;
	int extra;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if ((c & 0xe0) == 0xc0) {
		cp = c & 0x1f;
		extra = 1;
	} else if ((c & 0xf0) == 0xe0) {
		cp = c & 0x0f;
		extra = 2;
	} else if ((c & 0xf8) == 0xf0) {
		cp = c & 0x07;
		extra = 3;
	} else {
		return -1;
	}
	if (len - *i <= (size_t)extra)
		return -1;
	for (int k = 1; k <= extra; k++) {
		if ((s[*i + k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[*i + k] & 0x3f);
	}
	/* overlong forms, surrogates and values past U+10FFFF are invalid */
	if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
	    (extra == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*i += (size_t)extra + 1;
	return cp;
}

/* RFC 2759 section 8.2: NtPasswordHash = MD4(password in UTF-16LE). */
bool policy_nt_hash(const char *pw, size_t len, uint8_t out[16])
{
	struct md4_ctx ctx;
	size_t i = 0;

	md4_init(&ctx);
	while (i < len) {
		long cp = utf8_next((const unsigned char *)pw, len, &i);
		uint8_t u[4];
		if (cp < 0)
			return false;
		if (cp < 0x10000) {
			u[0] = (uint8_t)cp;
			u[1] = (uint8_t)(cp >> 8);
			md4_update(&ctx, 2, u);
		} else {
			long v = cp - 0x10000;
			unsigned hi = 0xd800 | (unsigned)(v >> 10);
			unsigned lo = 0xdc00 | (unsigned)(v & 0x3ff);
			u[0] = (uint8_t)hi;
			u[1] = (uint8_t)(hi >> 8);
			u[2] = (uint8_t)lo;
			u[3] = (uint8_t)(lo >> 8);
			md4_update(&ctx, 4, u);
		}
	}
	md4_digest(&ctx, 16, out);
	return true;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[b[i] >> 4];
		out[2 * i + 1] = d[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void derive(const char *pw, size_t len, unsigned iter,
		   const uint8_t *salt, size_t salt_len, uint8_t dk[32])
{
	pbkdf2_hmac_sha256(len, (const uint8_t *)pw, iter, salt_len, salt, 32, dk);
}

bool policy_password_hash(const char *pw, size_t len, unsigned iterations,
			  char *buf, size_t buflen)
{
	uint8_t salt[16], dk[32];
	char hs[33], hd[65];
	int n;

	if (iterations == 0)
		iterations = POLICY_PBKDF2_DEFAULT_ITER;
	if (getrandom(salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
		return false;
	derive(pw, len, iterations, salt, sizeof(salt), dk);
	hex(salt, sizeof(salt), hs);
	hex(dk, sizeof(dk), hd);
	n = snprintf(buf, buflen, "pbkdf2-sha256$%u$%s$%s", iterations, hs, hd);
	return n > 0 && (size_t)n < buflen;
}

const char *policy_user_name(const struct policy_user *u)
{
	return u->name;
}

bool policy_user_nt_hash(const struct policy_user *u, uint8_t out[16])
{
	if (u->has_nt_hash) {
		memcpy(out, u->nt_hash, 16);
		return true;
	}
	if (u->password)
		return policy_nt_hash(u->password, u->password_len, out);
	return false;
}

const char *policy_user_cleartext(const struct policy_user *u, size_t *len)
{
	if (!u->password)
		return NULL;
	if (len)
		*len = u->password_len;
	return u->password;
}

bool policy_user_check_password(const struct policy_user *u, const char *pw,
				size_t len)
{
	uint8_t dk[32], nt[16];

	/* constant-time comparisons: the timing must not leak the hash */
	if (u->has_pbkdf2) {
		derive(pw, len, u->pbkdf2_iter, u->pbkdf2_salt, u->pbkdf2_salt_len, dk);
		return memeql_sec(dk, u->pbkdf2_dk, 32) != 0;
	}
	if (u->has_nt_hash) {
		if (!policy_nt_hash(pw, len, nt))
			return false;
		return memeql_sec(nt, u->nt_hash, 16) != 0;
	}
	if (u->password)
		return len == u->password_len &&
		       memeql_sec(pw, u->password, len) != 0;
	return false;
}
