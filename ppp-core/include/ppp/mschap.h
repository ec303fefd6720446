/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CHAP-MD5 (RFC 1994) and MS-CHAPv2 (RFC 2759) computations, on nettle.
 * Pure functions: tested against RFC 2759 section 9 vectors.
 */
#ifndef PPP_MSCHAP_H
#define PPP_MSCHAP_H

#include <stddef.h>
#include <stdint.h>

#define PPP_NT_HASH_LEN 16
#define PPP_MSCHAPV2_AUTH_RESPONSE_LEN 42	/* "S=" + 40 hex digits */

/* RFC 1994 4.1: MD5(Identifier || secret || Challenge). */
void ppp_chap_md5_response(uint8_t id, const uint8_t *secret, size_t secret_len,
			   const uint8_t *challenge, size_t challenge_len,
			   uint8_t out[16]);

/* RFC 2759 8.3 NtPasswordHash: MD4 of the UTF-16LE password.  The password
 * is UTF-8 (ASCII is the common case); returns -1 if it is not valid UTF-8
 * or longer than 256 characters (RFC 2759 section 4). */
int ppp_nt_password_hash(const char *password, size_t len,
			 uint8_t hash[PPP_NT_HASH_LEN]);

/* RFC 2759 8.2 ChallengeHash; user name with any "DOMAIN\" prefix removed
 * (as Windows and pppd do). */
void ppp_mschapv2_challenge_hash(const uint8_t peer_challenge[16],
				 const uint8_t auth_challenge[16],
				 const uint8_t *user, size_t user_len,
				 uint8_t out[8]);

/* RFC 2759 8.1 GenerateNTResponse, from the NT-hash. */
void ppp_mschapv2_nt_response(const uint8_t auth_challenge[16],
			      const uint8_t peer_challenge[16],
			      const uint8_t *user, size_t user_len,
			      const uint8_t nt_hash[PPP_NT_HASH_LEN],
			      uint8_t out[24]);

/* RFC 2759 8.7 GenerateAuthenticatorResponse: out gets "S=" + 40 upper-case
 * hex digits and a NUL. */
void ppp_mschapv2_authenticator_response(const uint8_t nt_hash[PPP_NT_HASH_LEN],
					 const uint8_t nt_response[24],
					 const uint8_t peer_challenge[16],
					 const uint8_t auth_challenge[16],
					 const uint8_t *user, size_t user_len,
					 char out[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1]);

/* Constant-time comparison for secrets. */
int ppp_mem_equal(const void *a, const void *b, size_t len);

#endif
