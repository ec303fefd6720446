/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PEAPv0 / EAP-MSCHAPv2 client on OpenSSL memory BIOs: see peap.h.
 *
 * Phase 1 (draft-kamath-pppext-peapv0 3.1, RFC 5216 3.1-3.2 framing): the
 * server's Start (S) begins a TLS client handshake; TLS bytes cross in
 * fragments (L: TLS Message Length on the first of several, M: more);
 * a fragment with M set is acknowledged with an empty Response, and an
 * empty Request acknowledges ours. Phase 2 ([MS-PEAP] 3.1.5.6): EAP in
 * TLS application data, compressed (no header) for Identity and
 * EAP-MSCHAPv2, whole for the Extensions packet with its Result TLV.
 */
#include "peap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "peap_frame.h"
#include "ppp/mschap.h"

/* Plaintext of one tunnelled EAP packet: PPP-sized (RFC 1661 MRU) */
#define PEAP_INNER_MAX	1600

struct peap_session {
	SSL *ssl;			/* owns its two memory BIOs */
	BIO *rbio, *wbio;
	uint8_t *out;			/* a TLS message of ours being fragmented */
	size_t out_len, out_off;
	struct peap_reasm in;
	uint8_t status;			/* enum peap_status */
	bool handshake_done;
	bool mschap_verified;		/* the server's S= checked */
	const char *detail;		/* static text */
	unsigned failure_code;
	uint8_t auth_challenge[16];
	uint8_t peer_challenge[16];
	uint8_t nt_response[24];
	uint8_t nt_hash[PPP_NT_HASH_LEN];
};

const char *peap_status_name(enum peap_status st)
{
	switch (st) {
	case PEAP_ST_NONE: return "none";
	case PEAP_ST_TLS: return "tls";
	case PEAP_ST_PHASE2: return "phase2";
	case PEAP_ST_OK: return "ok";
	case PEAP_ST_CERT_REJECTED: return "server certificate rejected";
	case PEAP_ST_TLS_FAILED: return "tls failed";
	case PEAP_ST_MALFORMED: return "malformed";
	case PEAP_ST_MSCHAPV2_FAILURE: return "mschapv2 failure";
	case PEAP_ST_BAD_AUTHENTICATOR: return "bad authenticator response";
	case PEAP_ST_RESULT_FAILURE: return "result failure";
	case PEAP_ST_NO_MEMORY: return "out of memory";
	}
	return "?";
}

int peap_config_init(struct peap_config *pc, const char *ca_file,
		     const char *server_name, char *err, size_t errlen)
{
	SSL_CTX *c;

	memset(pc, 0, sizeof(*pc));
	c = SSL_CTX_new(TLS_client_method());
	if (!c) {
		snprintf(err, errlen, "SSL_CTX_new failed");
		return -1;
	}
	/* PEAPv0 as FreeRADIUS 3.2 and Windows run it is TLS 1.2: TLS 1.3
	 * changes how the tunnel's end and keys work (RFC 9427) */
	SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(c, TLS1_2_VERSION);
	/* every login is a full handshake: no tickets, no resumption */
	SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
	SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
	/* the server's chain must end at our CA (RFC 5216 5.3); OpenSSL
	 * also wants serverAuth where the extended key usage is present */
	SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(c, ca_file, NULL) != 1) {
		snprintf(err, errlen, "--ca %s: cannot load it as PEM certificates", ca_file);
		SSL_CTX_free(c);
		return -1;
	}
	pc->ssl_ctx = c;
	pc->server_name = server_name;
	return 0;
}

void peap_config_free(struct peap_config *pc)
{
	if (pc->ssl_ctx)
		SSL_CTX_free(pc->ssl_ctx);
	pc->ssl_ctx = NULL;
}

static void drop_tls(struct peap_session *ps)
{
	if (ps->ssl)
		SSL_free(ps->ssl);	/* frees the BIOs */
	ps->ssl = NULL;
	ps->rbio = ps->wbio = NULL;
	free(ps->out);
	ps->out = NULL;
	ps->out_len = ps->out_off = 0;
	memset(&ps->in, 0, sizeof(ps->in));
	ps->handshake_done = false;
}

void peap_session_free(struct peap_session *ps)
{
	if (!ps)
		return;
	drop_tls(ps);
	/* the NT-hash is password-equivalent */
	OPENSSL_cleanse(ps->nt_hash, sizeof(ps->nt_hash));
	free(ps);
}

enum peap_status peap_session_status(const struct peap_session *ps)
{
	return ps ? (enum peap_status)ps->status : PEAP_ST_NONE;
}

const char *peap_session_detail(const struct peap_session *ps)
{
	return ps ? ps->detail : NULL;
}

unsigned peap_session_failure_code(const struct peap_session *ps)
{
	return ps ? ps->failure_code : 0;
}

static void fail(struct peap_session *ps, enum peap_status st, const char *detail)
{
	/* the first failure is the one that explains */
	if (ps->status == PEAP_ST_TLS || ps->status == PEAP_ST_PHASE2 ||
	    ps->status == PEAP_ST_NONE) {
		ps->status = (uint8_t)st;
		ps->detail = detail;
	}
}

static bool failed(const struct peap_session *ps)
{
	return ps->status > PEAP_ST_OK;
}

/* Failures after which nothing more is answered. A refused password
 * (MS-CHAPv2 Failure, Result Failure) is not one: the tunnel still
 * carries the acknowledgements the server waits for. */
static bool fatal(const struct peap_session *ps)
{
	return failed(ps) && ps->status != PEAP_ST_MSCHAPV2_FAILURE &&
	       ps->status != PEAP_ST_RESULT_FAILURE;
}

static int start_tls(const struct peap_config *pc, struct peap_session *ps)
{
	drop_tls(ps);
	ps->ssl = SSL_new(pc->ssl_ctx);
	ps->rbio = BIO_new(BIO_s_mem());
	ps->wbio = BIO_new(BIO_s_mem());
	if (!ps->ssl || !ps->rbio || !ps->wbio) {
		BIO_free(ps->rbio);
		BIO_free(ps->wbio);
		ps->rbio = ps->wbio = NULL;
		return -1;
	}
	SSL_set_bio(ps->ssl, ps->rbio, ps->wbio);
	if (pc->server_name && SSL_set1_host(ps->ssl, pc->server_name) != 1)
		return -1;
	SSL_set_connect_state(ps->ssl);
	ps->status = PEAP_ST_TLS;
	return 0;
}

/* What TLS wrote becomes our next message to fragment. */
static int take_output(struct peap_session *ps)
{
	size_t n = BIO_ctrl_pending(ps->wbio);
	uint8_t *p;

	if (!n)
		return 0;
	if (n > PEAP_MAX_MESSAGE)
		return -1;
	p = realloc(ps->out, n);
	if (!p)
		return -1;
	ps->out = p;
	if (BIO_read(ps->wbio, p, (int)n) != (int)n)
		return -1;
	ps->out_len = n;
	ps->out_off = 0;
	return 0;
}

static int send_next(struct peap_session *ps, uint8_t *out, size_t cap)
{
	int n = peap_frag_build(ps->out, ps->out_len, &ps->out_off, out, cap);

	if (n < 0)
		return -1;
	if (ps->out_off == ps->out_len) {
		free(ps->out);
		ps->out = NULL;
		ps->out_len = ps->out_off = 0;
	}
	return n;
}

/* An empty Response: Flags only, version 0 (RFC 5216 3.1: the ack of a
 * fragment; also our answer when TLS has nothing to say). */
static int ack(uint8_t *out, size_t cap)
{
	if (cap < 1)
		return -1;
	out[0] = 0;
	return 1;
}

static int tunnel_write(struct peap_session *ps, const uint8_t *p, size_t n)
{
	if (SSL_write(ps->ssl, p, (int)n) != (int)n) {
		fail(ps, PEAP_ST_TLS_FAILED, "SSL_write failed");
		return -1;
	}
	return 0;
}

static void mschapv2_challenge(struct peap_session *ps, const char *user,
			       const char *password, const struct peap_mschapv2 *m)
{
	uint8_t resp[1 + PEAP_MSCHAPV2_RESPONSE_LEN(PPP_IDENTITY_MAX)];
	size_t ulen = strlen(user);
	int n;

	if (ulen > PPP_IDENTITY_MAX) {
		fail(ps, PEAP_ST_MALFORMED, "user name too long");
		return;
	}
	if (RAND_bytes(ps->peer_challenge, sizeof(ps->peer_challenge)) != 1) {
		fail(ps, PEAP_ST_TLS_FAILED, "no random bytes");
		return;
	}
	if (ppp_nt_password_hash(password, strlen(password), ps->nt_hash) < 0) {
		fail(ps, PEAP_ST_MALFORMED, "password not usable for MS-CHAPv2");
		return;
	}
	memcpy(ps->auth_challenge, m->challenge, 16);
	/* RFC 2759 8.1, the user name as sent in the Response */
	ppp_mschapv2_nt_response(ps->auth_challenge, ps->peer_challenge,
				 (const uint8_t *)user, ulen, ps->nt_hash,
				 ps->nt_response);
	resp[0] = EAP_TYPE_MSCHAPV2;	/* compressed: Type, then Type-Data */
	n = peap_mschapv2_response(m->ms_id, ps->peer_challenge, ps->nt_response,
				   (const uint8_t *)user, ulen, resp + 1,
				   sizeof(resp) - 1);
	if (n < 0) {
		fail(ps, PEAP_ST_MALFORMED, "response does not fit");
		return;
	}
	tunnel_write(ps, resp, (size_t)n + 1);
}

static void mschapv2_success(struct peap_session *ps, const char *user,
			     const struct peap_mschapv2 *m)
{
	char expect[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	static const uint8_t resp[] = { EAP_TYPE_MSCHAPV2, MSCHAPV2_OP_SUCCESS };

	/* draft-kamath-pppext-eap-mschapv2 2.4: "S=<40 hex> M=<msg>" */
	ppp_mschapv2_authenticator_response(ps->nt_hash, ps->nt_response,
					    ps->peer_challenge, ps->auth_challenge,
					    (const uint8_t *)user, strlen(user), expect);
	if (m->message_len < PPP_MSCHAPV2_AUTH_RESPONSE_LEN ||
	    !ppp_mem_equal(m->message, expect, PPP_MSCHAPV2_AUTH_RESPONSE_LEN)) {
		fail(ps, PEAP_ST_BAD_AUTHENTICATOR, "the server's S= does not match");
		return;
	}
	ps->mschap_verified = true;
	tunnel_write(ps, resp, sizeof(resp));
}

static void inner_mschapv2(struct peap_session *ps, const char *user,
			   const char *password, const struct peap_inner *in)
{
	static const uint8_t failure_ack[] = { EAP_TYPE_MSCHAPV2, MSCHAPV2_OP_FAILURE };
	struct peap_mschapv2 m;

	if (peap_mschapv2_parse(in->data, in->len, &m) != PEAP_M_OK) {
		fail(ps, PEAP_ST_MALFORMED, "bad EAP-MSCHAPv2 packet");
		return;
	}
	switch (m.opcode) {
	case MSCHAPV2_OP_CHALLENGE:
		mschapv2_challenge(ps, user, password, &m);
		break;
	case MSCHAPV2_OP_SUCCESS:
		mschapv2_success(ps, user, &m);
		break;
	case MSCHAPV2_OP_FAILURE:
		/* draft-kamath-pppext-eap-mschapv2 2.5: acknowledged */
		ps->failure_code = peap_failure_code(m.message, m.message_len);
		fail(ps, PEAP_ST_MSCHAPV2_FAILURE, "the server refused the password");
		tunnel_write(ps, failure_ack, sizeof(failure_ack));
		break;
	}
}

static void inner_extensions(struct peap_session *ps, const struct peap_inner *in)
{
	uint8_t resp[PEAP_RESULT_RESPONSE_LEN];
	uint16_t status;
	enum peap_tlv_err e = peap_tlv_result(in->data, in->len, &status);

	if (e != PEAP_T_OK) {
		fail(ps, PEAP_ST_MALFORMED, e == PEAP_T_UNKNOWN_MANDATORY ?
		     "a mandatory TLV we do not know" : "bad Result TLV");
		status = PEAP_RESULT_FAILURE;
	} else if (status == PEAP_RESULT_FAILURE) {
		fail(ps, PEAP_ST_RESULT_FAILURE, "the server's Result TLV says Failure");
	} else if (!ps->mschap_verified) {
		/* Success before MS-CHAPv2 proved the server: refuse it */
		fail(ps, PEAP_ST_BAD_AUTHENTICATOR, "Result Success before MS-CHAPv2 success");
		status = PEAP_RESULT_FAILURE;
	} else if (!failed(ps)) {
		ps->status = PEAP_ST_OK;
	}
	/* [MS-PEAP] 3.2.5.2.2: the Response carries the Result we agree to */
	peap_result_response(in->id, status, resp);
	tunnel_write(ps, resp, sizeof(resp));
}

/* One tunnelled EAP Request. */
static void inner(struct peap_session *ps, const char *user, const char *password,
		  const uint8_t *p, size_t n, uint8_t outer_id)
{
	struct peap_inner in;

	if (peap_inner_parse(p, n, outer_id, &in) != PEAP_I_OK) {
		fail(ps, PEAP_ST_MALFORMED, "bad tunnelled EAP packet");
		return;
	}
	switch (in.type) {
	case 1: {	/* Identity: RFC 3748 5.1 */
		uint8_t resp[1 + PPP_IDENTITY_MAX];
		size_t ulen = strlen(user);

		if (ulen > PPP_IDENTITY_MAX)
			ulen = PPP_IDENTITY_MAX;
		resp[0] = 1;
		memcpy(resp + 1, user, ulen);
		tunnel_write(ps, resp, 1 + ulen);
		break;
	}
	case EAP_TYPE_MSCHAPV2:
		inner_mschapv2(ps, user, password, &in);
		break;
	case EAP_TYPE_EXTENSIONS:
		inner_extensions(ps, &in);
		break;
	default: {
		/* RFC 3748 5.3.1 inside the tunnel: we do EAP-MSCHAPv2 */
		static const uint8_t nak[] = { 3, EAP_TYPE_MSCHAPV2 };

		tunnel_write(ps, nak, sizeof(nak));
		break;
	}
	}
}

/* After a whole TLS message came in: run the handshake on, or read the
 * tunnelled packets and answer them. */
static void advance(struct peap_session *ps, const char *user, const char *password,
		    uint8_t outer_id)
{
	if (!ps->handshake_done) {
		int r = SSL_do_handshake(ps->ssl);

		if (r == 1) {
			ps->handshake_done = true;
			ps->status = PEAP_ST_PHASE2;
		} else if (SSL_get_error(ps->ssl, r) != SSL_ERROR_WANT_READ) {
			long v = SSL_get_verify_result(ps->ssl);

			if (v != X509_V_OK)
				fail(ps, PEAP_ST_CERT_REJECTED,
				     X509_verify_cert_error_string(v));
			else
				fail(ps, PEAP_ST_TLS_FAILED, "TLS handshake failed");
			ERR_clear_error();
			return;	/* OpenSSL's alert, if any, is in wbio */
		}
	}
	while (ps->handshake_done && !fatal(ps)) {
		uint8_t buf[PEAP_INNER_MAX];
		int n = SSL_read(ps->ssl, buf, sizeof(buf));

		if (n <= 0) {
			int e = SSL_get_error(ps->ssl, n);

			if (e != SSL_ERROR_WANT_READ)
				fail(ps, PEAP_ST_TLS_FAILED, e == SSL_ERROR_ZERO_RETURN ?
				     "the server closed the tunnel" : "SSL_read failed");
			ERR_clear_error();
			break;
		}
		inner(ps, user, password, buf, (size_t)n, outer_id);
	}
}

int peap_respond(const struct peap_config *pc, struct peap_session **psp,
		 const char *user, const char *password,
		 const struct ppp_eap_method_request *req, uint8_t *out,
		 size_t cap)
{
	struct peap_session *ps = *psp;
	struct peap_frag f;
	enum peap_frame_err fe;
	bool done;

	fe = peap_frag_parse(req->data, req->len, &f);
	if (!ps) {
		ps = calloc(1, sizeof(*ps));
		if (!ps)
			return -1;
		*psp = ps;
	}
	if (fe != PEAP_F_OK) {
		fail(ps, PEAP_ST_MALFORMED, peap_frame_err_name(fe));
		return -1;
	}
	if (f.flags & PEAP_FLAG_S) {
		/* draft-kamath-pppext-peapv0 3.1: a (new) conversation;
		 * we answer version 0 whatever the server offers */
		ps->status = PEAP_ST_NONE;
		ps->detail = NULL;
		ps->mschap_verified = false;
		ps->failure_code = 0;
		if (start_tls(pc, ps) < 0) {
			fail(ps, PEAP_ST_NO_MEMORY, "cannot start TLS");
			return -1;
		}
		SSL_do_handshake(ps->ssl);	/* WANT_READ: ClientHello out */
		ERR_clear_error();
		if (take_output(ps) < 0 || !ps->out_len) {
			fail(ps, PEAP_ST_TLS_FAILED, "no ClientHello");
			return -1;
		}
		return send_next(ps, out, cap);
	}
	if (!ps->ssl || fatal(ps))
		return -1;	/* no Start seen, or given up: Nak */
	if (!f.len && !f.has_length && !(f.flags & PEAP_FLAG_M)) {
		/* an empty Request: the ack of our fragment (RFC 5216 3.1) */
		if (ps->out_len)
			return send_next(ps, out, cap);
		fail(ps, PEAP_ST_MALFORMED, "an ack with nothing of ours pending");
		return -1;
	}
	if (ps->out_len) {
		fail(ps, PEAP_ST_MALFORMED, "data while our fragments were pending");
		return -1;
	}
	fe = peap_reasm_add(&ps->in, &f, &done);
	if (fe != PEAP_F_OK) {
		fail(ps, PEAP_ST_MALFORMED, peap_frame_err_name(fe));
		return -1;
	}
	if (f.len && BIO_write(ps->rbio, f.data, (int)f.len) != (int)f.len) {
		fail(ps, PEAP_ST_NO_MEMORY, "BIO_write failed");
		return -1;
	}
	if (!done)
		return ack(out, cap);
	advance(ps, user, password, req->id);
	if (take_output(ps) < 0) {
		fail(ps, PEAP_ST_NO_MEMORY, "TLS output");
		return -1;
	}
	if (ps->out_len)
		return send_next(ps, out, cap);	/* a TLS alert too, on failure */
	if (fatal(ps))
		return -1;
	return ack(out, cap);
}
