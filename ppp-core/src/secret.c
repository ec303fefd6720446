/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stored secrets (ppp/secret.h): the PAP password check against each form
 * a user table may keep. The NT-hash and its UTF-16 conversion are
 * mschap.c's, used here, never written twice.
 */
#include "ppp/secret.h"

#include "ppp/mschap.h"
#include "ppp/ppp.h"

#include <nettle/pbkdf2.h>
#include <string.h>

void ppp_pbkdf2_sha256(const char *password, size_t len, uint32_t iterations,
		       const uint8_t *salt, size_t salt_len,
		       uint8_t dk[PPP_PBKDF2_DK_LEN])
{
	pbkdf2_hmac_sha256(len, (const uint8_t *)password, iterations, salt_len,
			   salt, PPP_PBKDF2_DK_LEN, dk);
}

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

bool ppp_secret_check_password(const struct ppp_secret *secret,
			       const char *password, size_t len)
{
	uint8_t buf[PPP_PBKDF2_DK_LEN];
	bool ok;

	if (!secret)
		return false;
	if (secret->kdf && secret->kdf->dk && secret->kdf->iterations) {
		ppp_pbkdf2_sha256(password, len, secret->kdf->iterations,
				  secret->kdf->salt, secret->kdf->salt_len, buf);
		ok = ppp_mem_equal(buf, secret->kdf->dk, PPP_PBKDF2_DK_LEN);
		wipe(buf, sizeof(buf));
		return ok;
	}
	if (secret->nt_hash) {
		/* Only the hash is stored: hash what the peer sent (not
		 * UTF-8, or past 256 characters: it cannot match). */
		if (ppp_nt_password_hash(password, len, buf) < 0)
			return false;
		ok = ppp_mem_equal(buf, secret->nt_hash, PPP_NT_HASH_LEN);
		wipe(buf, sizeof(buf));
		return ok;
	}
	if (secret->cleartext)
		return secret->cleartext_len == len &&
		       ppp_mem_equal(secret->cleartext, password, len);
	return false;
}

bool ppp_secret_usable(const struct ppp_secret *secret, int method)
{
	if (!secret)
		return false;
	switch (method) {
	case PPP_AUTH_PAP:
		return (secret->kdf && secret->kdf->dk) || secret->nt_hash ||
		       secret->cleartext;
	case PPP_AUTH_CHAP_MD5:
		return secret->cleartext != NULL;
	case PPP_AUTH_MSCHAPV2:
		return secret->nt_hash || secret->cleartext;
	default:
		return false;	/* EAP: only an external authenticator */
	}
}
