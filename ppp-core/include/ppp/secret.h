/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A user's stored secret, in the forms a user table keeps, and the one
 * check of a cleartext password (PAP) against it. The PPP crypto of the
 * challenge methods (CHAP-MD5, MS-CHAPv2) is in ppp/mschap.h; the session
 * uses both through ppp_auth_verify() (ppp/ppp.h). docs/ppp-core.md,
 * "Verifying against a stored secret".
 */
#ifndef PPP_SECRET_H
#define PPP_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PPP_PBKDF2_DK_LEN 32

/* PBKDF2-HMAC-SHA256 (RFC 8018 section 5.2) of the password: salted and
 * slow, so it answers a PAP password only (a challenge needs the password
 * or its NT-hash). */
struct ppp_pbkdf2 {
	uint32_t iterations;
	const uint8_t *salt;
	size_t salt_len;
	const uint8_t *dk;		/* PPP_PBKDF2_DK_LEN octets */
};

/* Any form may be absent (NULL). Which method can use which:
 *   PAP        kdf, else nt_hash, else cleartext
 *   CHAP-MD5   cleartext only (RFC 1994 hashes the secret itself)
 *   MS-CHAPv2  nt_hash, else the NT-hash of cleartext (RFC 2759 8.3) */
struct ppp_secret {
	const uint8_t *nt_hash;		/* 16 octets: MD4 of the UTF-16LE password */
	const char *cleartext;
	size_t cleartext_len;
	const struct ppp_pbkdf2 *kdf;	/* password_hash (PBKDF2) */
};

/* RFC 8018 5.2 with HMAC-SHA256, 32 octets out. */
void ppp_pbkdf2_sha256(const char *password, size_t len, uint32_t iterations,
		       const uint8_t *salt, size_t salt_len,
		       uint8_t dk[PPP_PBKDF2_DK_LEN]);

/* A cleartext password (PAP's) against the stored forms, in the order
 * above, in constant time per form. false when nothing usable is stored. */
bool ppp_secret_check_password(const struct ppp_secret *secret,
			       const char *password, size_t len);

/* Can this secret answer this method (enum ppp_auth_method)? */
bool ppp_secret_usable(const struct ppp_secret *secret, int method);

#endif
