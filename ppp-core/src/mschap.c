/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP-MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759) computations on nettle.
 */
#include "ppp/mschap.h"

#include <nettle/des.h>
#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <string.h>

int ppp_mem_equal(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

void ppp_chap_md5_response(uint8_t id, const uint8_t *secret, size_t secret_len,
			   const uint8_t *challenge, size_t challenge_len,
			   uint8_t out[16])
{
	struct md5_ctx md5;

	md5_init(&md5);
	md5_update(&md5, 1, &id);
	md5_update(&md5, secret_len, secret);
	md5_update(&md5, challenge_len, challenge);
	md5_digest(&md5, MD5_DIGEST_SIZE, out);
}

/* Decode one UTF-8 code point; returns bytes used, 0 on invalid input. */
static size_t utf8_decode(const uint8_t *p, size_t left, uint32_t *cp)
{
	size_t n;
	uint32_t c;

	if (left == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		c = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		c = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3F);
	}
	/* Reject overlong forms, surrogates and values past Unicode. */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) ||
	    (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int ppp_nt_password_hash(const char *password, size_t len,
			 uint8_t hash[PPP_NT_HASH_LEN])
{
	/* RFC 2759 section 4: at most 256 Unicode characters. */
	uint8_t unicode[2 * 256 * 2];
	size_t ulen = 0, chars = 0, off = 0;
	const uint8_t *p = (const uint8_t *)password;
	struct md4_ctx md4;

	while (off < len) {
		uint32_t cp;
		size_t n = utf8_decode(p + off, len - off, &cp);

		if (n == 0 || ++chars > 256)
			return -1;
		off += n;
		if (cp >= 0x10000) {
			/* UTF-16 surrogate pair. */
			uint32_t v = cp - 0x10000;
			uint16_t hi = (uint16_t)(0xD800 | (v >> 10));
			uint16_t lo = (uint16_t)(0xDC00 | (v & 0x3FF));

			unicode[ulen++] = (uint8_t)hi;
			unicode[ulen++] = (uint8_t)(hi >> 8);
			unicode[ulen++] = (uint8_t)lo;
			unicode[ulen++] = (uint8_t)(lo >> 8);
		} else {
			unicode[ulen++] = (uint8_t)cp;
			unicode[ulen++] = (uint8_t)(cp >> 8);
		}
	}
	md4_init(&md4);
	md4_update(&md4, ulen, unicode);
	md4_digest(&md4, MD4_DIGEST_SIZE, hash);
	memset(unicode, 0, sizeof(unicode));
	return 0;
}

/* RFC 2759 8.2 and pppd: the user name in the hash has no domain prefix. */
static void strip_domain(const uint8_t **user, size_t *len)
{
	for (size_t i = *len; i > 0; i--) {
		if ((*user)[i - 1] == '\\') {
			*user += i;
			*len -= i;
			return;
		}
	}
}

void ppp_mschapv2_challenge_hash(const uint8_t peer_challenge[16],
				 const uint8_t auth_challenge[16],
				 const uint8_t *user, size_t user_len,
				 uint8_t out[8])
{
	struct sha1_ctx sha;
	uint8_t digest[SHA1_DIGEST_SIZE];

	strip_domain(&user, &user_len);
	sha1_init(&sha);
	sha1_update(&sha, 16, peer_challenge);
	sha1_update(&sha, 16, auth_challenge);
	sha1_update(&sha, user_len, user);
	sha1_digest(&sha, SHA1_DIGEST_SIZE, digest);
	memcpy(out, digest, 8);
}

/* RFC 2759 8.6 DesEncrypt: 7 key octets spread over 8 with parity. */
static void des_encrypt_7(const uint8_t key7[7], const uint8_t clear[8],
			  uint8_t cypher[8])
{
	uint8_t key[8];
	struct des_ctx des;

	key[0] = key7[0];
	key[1] = (uint8_t)(key7[0] << 7 | key7[1] >> 1);
	key[2] = (uint8_t)(key7[1] << 6 | key7[2] >> 2);
	key[3] = (uint8_t)(key7[2] << 5 | key7[3] >> 3);
	key[4] = (uint8_t)(key7[3] << 4 | key7[4] >> 4);
	key[5] = (uint8_t)(key7[4] << 3 | key7[5] >> 5);
	key[6] = (uint8_t)(key7[5] << 2 | key7[6] >> 6);
	key[7] = (uint8_t)(key7[6] << 1);
	des_fix_parity(8, key, key);
	/* A weak key (returns 0) still yields a usable schedule; the
	 * protocol has no choice of key, so use it. */
	(void)des_set_key(&des, key);
	des_encrypt(&des, 8, cypher, clear);
	memset(&des, 0, sizeof(des));
	memset(key, 0, sizeof(key));
}

void ppp_mschapv2_nt_response(const uint8_t auth_challenge[16],
			      const uint8_t peer_challenge[16],
			      const uint8_t *user, size_t user_len,
			      const uint8_t nt_hash[PPP_NT_HASH_LEN],
			      uint8_t out[24])
{
	uint8_t challenge[8];
	uint8_t zhash[21];

	ppp_mschapv2_challenge_hash(peer_challenge, auth_challenge, user,
				    user_len, challenge);
	/* RFC 2759 8.5 ChallengeResponse: hash zero-padded to 21 octets. */
	memset(zhash, 0, sizeof(zhash));
	memcpy(zhash, nt_hash, PPP_NT_HASH_LEN);
	des_encrypt_7(zhash, challenge, out);
	des_encrypt_7(zhash + 7, challenge, out + 8);
	des_encrypt_7(zhash + 14, challenge, out + 16);
	memset(zhash, 0, sizeof(zhash));
}

void ppp_mschapv2_authenticator_response(const uint8_t nt_hash[PPP_NT_HASH_LEN],
					 const uint8_t nt_response[24],
					 const uint8_t peer_challenge[16],
					 const uint8_t auth_challenge[16],
					 const uint8_t *user, size_t user_len,
					 char out[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1])
{
	/* RFC 2759 8.7 Magic1/Magic2. */
	static const uint8_t magic1[39] = {
		0x4D, 0x61, 0x67, 0x69, 0x63, 0x20, 0x73, 0x65, 0x72, 0x76,
		0x65, 0x72, 0x20, 0x74, 0x6F, 0x20, 0x63, 0x6C, 0x69, 0x65,
		0x6E, 0x74, 0x20, 0x73, 0x69, 0x67, 0x6E, 0x69, 0x6E, 0x67,
		0x20, 0x63, 0x6F, 0x6E, 0x73, 0x74, 0x61, 0x6E, 0x74 };
	static const uint8_t magic2[41] = {
		0x50, 0x61, 0x64, 0x20, 0x74, 0x6F, 0x20, 0x6D, 0x61, 0x6B,
		0x65, 0x20, 0x69, 0x74, 0x20, 0x64, 0x6F, 0x20, 0x6D, 0x6F,
		0x72, 0x65, 0x20, 0x74, 0x68, 0x61, 0x6E, 0x20, 0x6F, 0x6E,
		0x65, 0x20, 0x69, 0x74, 0x65, 0x72, 0x61, 0x74, 0x69, 0x6F,
		0x6E };
	static const char hex[] = "0123456789ABCDEF";
	uint8_t hash_hash[MD4_DIGEST_SIZE];
	uint8_t digest[SHA1_DIGEST_SIZE];
	uint8_t challenge[8];
	struct md4_ctx md4;
	struct sha1_ctx sha;

	/* HashNtPasswordHash (RFC 2759 8.4). */
	md4_init(&md4);
	md4_update(&md4, PPP_NT_HASH_LEN, nt_hash);
	md4_digest(&md4, MD4_DIGEST_SIZE, hash_hash);

	sha1_init(&sha);
	sha1_update(&sha, sizeof(hash_hash), hash_hash);
	sha1_update(&sha, 24, nt_response);
	sha1_update(&sha, sizeof(magic1), magic1);
	sha1_digest(&sha, SHA1_DIGEST_SIZE, digest);

	ppp_mschapv2_challenge_hash(peer_challenge, auth_challenge, user,
				    user_len, challenge);
	sha1_init(&sha);
	sha1_update(&sha, sizeof(digest), digest);
	sha1_update(&sha, sizeof(challenge), challenge);
	sha1_update(&sha, sizeof(magic2), magic2);
	sha1_digest(&sha, SHA1_DIGEST_SIZE, digest);

	out[0] = 'S';
	out[1] = '=';
	for (int i = 0; i < SHA1_DIGEST_SIZE; i++) {
		out[2 + 2 * i] = hex[digest[i] >> 4];
		out[3 + 2 * i] = hex[digest[i] & 15];
	}
	out[PPP_MSCHAPV2_AUTH_RESPONSE_LEN] = '\0';
	memset(hash_hash, 0, sizeof(hash_hash));
}
