/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The test client's PEAP (test/tools/l2tp-client/peap.c) against a PEAP
 * server of this test, in memory: an OpenSSL TLS 1.2 server on memory
 * BIOs with certificates made here, speaking PEAPv0 as FreeRADIUS does
 * (its whole Identity Request, compressed EAP-MSCHAPv2, the Extensions
 * packet whole). What the integration test cannot reach: our own
 * fragmenting (a small MRU), a bad S=, a Result Success before MS-CHAPv2,
 * a chain of another CA, broken framing; ASan checks that a session's
 * state is freed whatever the point it stopped at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "peap.h"
#include "peap_frame.h"
#include "ppp/mschap.h"

#define USER "alice"
#define PASSWORD "correct horse"
#define SERVER_NAME "radius.example"

/* Certificates made once: our CA, the server's, and another CA's. */
static EVP_PKEY *ca_key, *srv_key, *other_key;
static X509 *ca_cert, *srv_cert, *other_cert;
static char ca_file[64] = "/tmp/test_peap_ca_XXXXXX";

static void add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	assert_non_null(e);
	assert_int_equal(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	if (!issuer) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_ext_key_usage, "serverAuth");
		add_ext(x, issuer, NID_subject_alt_name, "DNS:" SERVER_NAME);
	}
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	return x;
}

static int group_setup(void **state)
{
	FILE *f;
	int fd;

	(void)state;
	ca_key = EVP_EC_gen("P-256");
	srv_key = EVP_EC_gen("P-256");
	other_key = EVP_EC_gen("P-256");
	if (!ca_key || !srv_key || !other_key)
		return -1;
	ca_cert = make_cert(ca_key, "Test PEAP CA", NULL, NULL);
	other_cert = make_cert(other_key, "Other CA", NULL, NULL);
	srv_cert = make_cert(srv_key, SERVER_NAME, ca_cert, ca_key);
	fd = mkstemp(ca_file);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || PEM_write_X509(f, ca_cert) != 1)
		return -1;
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unlink(ca_file);
	X509_free(ca_cert);
	X509_free(srv_cert);
	X509_free(other_cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(srv_key);
	EVP_PKEY_free(other_key);
	return 0;
}

/* One conversation: the client's config and session, our server. */
struct conv {
	struct peap_config pc;
	struct peap_session *ps;
	size_t cap;			/* room for the client's Type-Data (MRU) */
	size_t srv_frag;		/* our fragments' size */
	uint8_t id;
	SSL_CTX *sctx;
	SSL *ssl;
	BIO *rb, *wb;
	uint8_t out[65536];		/* our TLS message being sent */
	size_t out_len, out_off;
	size_t last_len;		/* the client's last whole message */
	int client_fragments;		/* its Responses with M set */
};

static void conv_init(struct conv *c, const char *server_name, bool other_chain)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	assert_int_equal(peap_config_init(&c->pc, ca_file, server_name, err, sizeof(err)), 0);
	c->cap = 1395;
	c->srv_frag = 1024;
	c->id = 10;
	c->sctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(c->sctx);
	SSL_CTX_set_max_proto_version(c->sctx, TLS1_2_VERSION);
	if (other_chain) {
		/* a server certificate the client's CA never signed */
		X509 *x = make_cert(srv_key, SERVER_NAME, other_cert, other_key);

		assert_int_equal(SSL_CTX_use_certificate(c->sctx, x), 1);
		X509_free(x);
	} else {
		assert_int_equal(SSL_CTX_use_certificate(c->sctx, srv_cert), 1);
	}
	assert_int_equal(SSL_CTX_use_PrivateKey(c->sctx, srv_key), 1);
	c->ssl = SSL_new(c->sctx);
	c->rb = BIO_new(BIO_s_mem());
	c->wb = BIO_new(BIO_s_mem());
	SSL_set_bio(c->ssl, c->rb, c->wb);
	SSL_set_accept_state(c->ssl);
}

static void conv_free(struct conv *c)
{
	peap_session_free(c->ps);
	peap_config_free(&c->pc);
	SSL_free(c->ssl);
	SSL_CTX_free(c->sctx);
}

static int client(struct conv *c, const uint8_t *req, size_t n, uint8_t *resp)
{
	struct ppp_eap_method_request r = {
		.id = c->id++, .type = EAP_TYPE_PEAP, .data = req, .len = n,
	};
	int k = peap_respond(&c->pc, &c->ps, USER, PASSWORD, &r, resp, c->cap);

	assert_true(k <= (int)c->cap);
	return k;
}

static void take_server_output(struct conv *c)
{
	int n = (int)BIO_ctrl_pending(c->wb);

	assert_true(n >= 0 && (size_t)n <= sizeof(c->out));
	c->out_len = n ? (size_t)BIO_read(c->wb, c->out, n) : 0;
	c->out_off = 0;
}

/*
 * Send our pending TLS output (its fragments, each acknowledged), or the
 * Start, then take the client's whole answer (acknowledging its
 * fragments) into our read BIO. -1: the client declined somewhere.
 */
static int round_trip(struct conv *c, bool start)
{
	uint8_t req[2048], resp[2048];
	struct peap_frag f;
	int n;

	if (start) {
		req[0] = PEAP_FLAG_S;
		n = client(c, req, 1, resp);
	} else {
		for (;;) {
			int k = peap_frag_build(c->out, c->out_len, &c->out_off, req,
						c->srv_frag);

			assert_true(k > 0);
			n = client(c, req, (size_t)k, resp);
			if (n < 0)
				return -1;
			if (c->out_off == c->out_len)
				break;
			/* an ack of our fragment: Flags only */
			assert_int_equal(n, 1);
			assert_int_equal(resp[0], 0);
		}
		c->out_len = c->out_off = 0;
	}
	c->last_len = 0;
	for (;;) {
		if (n < 0)
			return -1;
		assert_int_equal(peap_frag_parse(resp, (size_t)n, &f), PEAP_F_OK);
		assert_int_equal(f.version, 0);
		if (f.len)
			assert_int_equal(BIO_write(c->rb, f.data, (int)f.len), (int)f.len);
		c->last_len += f.len;
		if (!(f.flags & PEAP_FLAG_M))
			return 0;
		c->client_fragments++;
		req[0] = 0;	/* our ack (RFC 5216 3.1) */
		n = client(c, req, 1, resp);
	}
}

static void handshake(struct conv *c)
{
	assert_int_equal(round_trip(c, true), 0);	/* ClientHello */
	for (int i = 0; i < 10; i++) {
		SSL_do_handshake(c->ssl);
		take_server_output(c);
		assert_true(c->out_len > 0);
		assert_int_equal(round_trip(c, false), 0);
		/* the client's empty answer to our Finished: tunnel up */
		if (SSL_is_init_finished(c->ssl) && c->last_len == 0)
			break;
	}
	assert_true(SSL_is_init_finished(c->ssl));
	assert_int_equal(peap_session_status(c->ps), PEAP_ST_PHASE2);
}

/* One tunnelled packet each way; returns the client's plaintext length,
 * 0 for none, -1 when it declined. */
static int tunnel(struct conv *c, const uint8_t *p, size_t n, uint8_t *reply, size_t cap)
{
	int r;

	assert_int_equal(SSL_write(c->ssl, p, (int)n), (int)n);
	take_server_output(c);
	if (round_trip(c, false) < 0)
		return -1;
	r = SSL_read(c->ssl, reply, (int)cap);
	return r > 0 ? r : 0;
}

static const uint8_t auth_challenge[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28,
};

/* Identity (whole, as FreeRADIUS sends it) and the MS-CHAPv2 Challenge;
 * checks the client's answers and leaves its NT-Response and peer
 * challenge for the S=. */
static void identity_and_challenge(struct conv *c, uint8_t nt[24], uint8_t pc[16])
{
	static const uint8_t ident[] = { 1, 0x21, 0, 5, 1 };
	uint8_t ch[1 + 4 + 1 + 16 + 3] = { EAP_TYPE_MSCHAPV2, MSCHAPV2_OP_CHALLENGE, 0x42, 0, 4 + 1 + 16 + 3, 16 };
	uint8_t reply[512], hash[16], expect[24];
	int n;

	n = tunnel(c, ident, sizeof(ident), reply, sizeof(reply));
	/* compressed: Type and the name */
	assert_int_equal(n, 1 + 5);
	assert_int_equal(reply[0], 1);
	assert_memory_equal(reply + 1, USER, 5);
	memcpy(ch + 6, auth_challenge, 16);
	memcpy(ch + 22, "srv", 3);
	n = tunnel(c, ch, 1 + 4 + 1 + 16 + 3, reply, sizeof(reply));
	assert_int_equal(n, 1 + 54 + 5);
	assert_int_equal(reply[0], EAP_TYPE_MSCHAPV2);
	assert_int_equal(reply[1], MSCHAPV2_OP_RESPONSE);
	assert_int_equal(reply[2], 0x42);
	assert_int_equal(reply[3] << 8 | reply[4], 54 + 5);
	assert_int_equal(reply[5], 49);
	memcpy(pc, reply + 6, 16);
	memcpy(nt, reply + 30, 24);
	assert_int_equal(ppp_nt_password_hash(PASSWORD, strlen(PASSWORD), hash), 0);
	ppp_mschapv2_nt_response(auth_challenge, pc, (const uint8_t *)USER, 5, hash, expect);
	assert_memory_equal(nt, expect, 24);
	assert_memory_equal(reply + 55, USER, 5);
}

static int success(struct conv *c, const uint8_t nt[24], const uint8_t pc[16], bool good,
		   uint8_t *reply, size_t cap)
{
	/* MS-Length: OpCode to the end of " M=welcome" (10 octets) */
	uint8_t pkt[1 + 4 + 42 + 11] = { EAP_TYPE_MSCHAPV2, MSCHAPV2_OP_SUCCESS, 0x42, 0,
					 4 + 42 + 10 };
	char s[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	uint8_t hash[16];

	assert_int_equal(ppp_nt_password_hash(PASSWORD, strlen(PASSWORD), hash), 0);
	ppp_mschapv2_authenticator_response(hash, nt, pc, auth_challenge,
					    (const uint8_t *)USER, 5, s);
	if (!good)
		s[10] = s[10] == '0' ? '1' : '0';
	memcpy(pkt + 5, s, 42);
	memcpy(pkt + 47, " M=welcome", 11);
	return tunnel(c, pkt, sizeof(pkt) - 1, reply, cap);
}

static int result(struct conv *c, uint16_t status, uint8_t *reply, size_t cap)
{
	uint8_t pkt[11] = { 1, 0x31, 0, 11, EAP_TYPE_EXTENSIONS, 0x80, 3, 0, 2, 0, 0 };

	pkt[10] = (uint8_t)status;
	return tunnel(c, pkt, sizeof(pkt), reply, cap);
}

static void full_login(size_t cap, size_t srv_frag, int *client_fragments)
{
	struct conv c;
	uint8_t nt[24], pc[16], reply[512];
	static const uint8_t tlv_ok[] = { 2, 0x31, 0, 11, 33, 0x80, 3, 0, 2, 0, 1 };
	int n;

	conv_init(&c, SERVER_NAME, false);
	c.cap = cap;
	c.srv_frag = srv_frag;
	handshake(&c);
	identity_and_challenge(&c, nt, pc);
	n = success(&c, nt, pc, true, reply, sizeof(reply));
	assert_int_equal(n, 2);
	assert_int_equal(reply[0], EAP_TYPE_MSCHAPV2);
	assert_int_equal(reply[1], MSCHAPV2_OP_SUCCESS);
	n = result(&c, PEAP_RESULT_SUCCESS, reply, sizeof(reply));
	assert_int_equal(n, sizeof(tlv_ok));
	assert_memory_equal(reply, tlv_ok, sizeof(tlv_ok));
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_OK);
	assert_null(peap_session_detail(c.ps));
	*client_fragments = c.client_fragments;
	conv_free(&c);
}

static void test_a_whole_login_as_freeradius_runs_it(void **state)
{
	int frags;

	(void)state;
	full_login(1395, 1024, &frags);
	assert_int_equal(frags, 0);	/* ours fit one frame */
}

static void test_a_small_mru_makes_the_client_fragment(void **state)
{
	int frags;

	(void)state;
	/* 60 octets of Type-Data: ClientHello and our key exchange go in
	 * several fragments, each acknowledged (RFC 5216 3.1) */
	full_login(60, 100, &frags);
	assert_true(frags >= 3);
}

static void test_a_wrong_s_is_refused(void **state)
{
	struct conv c;
	uint8_t nt[24], pc[16], reply[512];

	(void)state;
	conv_init(&c, NULL, false);
	handshake(&c);
	identity_and_challenge(&c, nt, pc);
	assert_int_equal(success(&c, nt, pc, false, reply, sizeof(reply)), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_BAD_AUTHENTICATOR);
	conv_free(&c);
}

static void test_result_success_before_mschapv2_is_answered_with_failure(void **state)
{
	struct conv c;
	uint8_t reply[512];
	static const uint8_t tlv_fail[] = { 2, 0x31, 0, 11, 33, 0x80, 3, 0, 2, 0, 2 };

	(void)state;
	conv_init(&c, NULL, false);
	handshake(&c);
	assert_int_equal(result(&c, PEAP_RESULT_SUCCESS, reply, sizeof(reply)),
			 sizeof(tlv_fail));
	assert_memory_equal(reply, tlv_fail, sizeof(tlv_fail));
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_BAD_AUTHENTICATOR);
	conv_free(&c);
}

static void test_a_refused_password_is_acknowledged_then_failed(void **state)
{
	struct conv c;
	uint8_t nt[24], pc[16], reply[512];
	static const uint8_t fail_pkt[] = { EAP_TYPE_MSCHAPV2, MSCHAPV2_OP_FAILURE, 0x42, 0, 13,
					    'E', '=', '6', '9', '1', ' ', 'R', '=', '1' };
	static const uint8_t tlv_fail[] = { 2, 0x31, 0, 11, 33, 0x80, 3, 0, 2, 0, 2 };

	(void)state;
	conv_init(&c, NULL, false);
	handshake(&c);
	identity_and_challenge(&c, nt, pc);
	assert_int_equal(tunnel(&c, fail_pkt, sizeof(fail_pkt), reply, sizeof(reply)), 2);
	assert_int_equal(reply[1], MSCHAPV2_OP_FAILURE);
	assert_int_equal(result(&c, PEAP_RESULT_FAILURE, reply, sizeof(reply)),
			 sizeof(tlv_fail));
	assert_memory_equal(reply, tlv_fail, sizeof(tlv_fail));
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MSCHAPV2_FAILURE);
	assert_int_equal(peap_session_failure_code(c.ps), 691);
	conv_free(&c);
}

static void test_a_chain_of_another_ca_is_refused_with_an_alert(void **state)
{
	struct conv c;
	uint8_t resp[2048];
	struct peap_frag f;
	int n;

	(void)state;
	conv_init(&c, NULL, true);
	assert_int_equal(round_trip(&c, true), 0);
	SSL_do_handshake(c.ssl);
	take_server_output(&c);
	/* our whole flight, and the client's answer to its last fragment */
	for (;;) {
		uint8_t req[2048];
		int k = peap_frag_build(c.out, c.out_len, &c.out_off, req, c.srv_frag);

		n = client(&c, req, (size_t)k, resp);
		if (c.out_off == c.out_len)
			break;
	}
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_CERT_REJECTED);
	assert_non_null(peap_session_detail(c.ps));
	/* a TLS alert record (content type 21) tells the server why */
	assert_true(n > 1);
	assert_int_equal(peap_frag_parse(resp, (size_t)n, &f), PEAP_F_OK);
	assert_true(f.len >= 7);
	assert_int_equal(f.data[0], 21);
	/* and nothing more is answered */
	{
		static const uint8_t ack[] = { 0 };

		assert_int_equal(client(&c, ack, 1, resp), -1);
	}
	conv_free(&c);
}

static void test_a_wrong_server_name_is_refused(void **state)
{
	struct conv c;
	uint8_t resp[2048];
	int n = 0;

	(void)state;
	conv_init(&c, "nps.example", false);
	assert_int_equal(round_trip(&c, true), 0);
	SSL_do_handshake(c.ssl);
	take_server_output(&c);
	while (c.out_off < c.out_len) {
		uint8_t req[2048];
		int k = peap_frag_build(c.out, c.out_len, &c.out_off, req, c.srv_frag);

		n = client(&c, req, (size_t)k, resp);
	}
	assert_true(n > 1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_CERT_REJECTED);
	assert_string_equal(peap_session_detail(c.ps), "hostname mismatch");
	conv_free(&c);
}

static void test_broken_framing_is_refused(void **state)
{
	struct conv c;
	uint8_t resp[2048];
	/* L says 10 octets, 12 come */
	static const uint8_t overrun[] = { 0x80, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
					   11, 12 };
	static const uint8_t no_length[] = { 0x80, 0, 0 };
	static const uint8_t ack[] = { 0 };

	(void)state;
	conv_init(&c, NULL, false);
	/* before any Start: declined, nothing kept but the status */
	assert_int_equal(client(&c, ack, 1, resp), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_NONE);
	assert_int_equal(client(&c, NULL, 0, resp), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MALFORMED);
	peap_session_free(c.ps);
	c.ps = NULL;
	assert_int_equal(round_trip(&c, true), 0);
	assert_int_equal(client(&c, overrun, sizeof(overrun), resp), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MALFORMED);
	assert_string_equal(peap_session_detail(c.ps), "fragments past the TLS Message Length");
	peap_session_free(c.ps);
	c.ps = NULL;
	assert_int_equal(round_trip(&c, true), 0);
	assert_int_equal(client(&c, no_length, sizeof(no_length), resp), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MALFORMED);
	peap_session_free(c.ps);
	c.ps = NULL;
	/* an empty Request with nothing of ours pending */
	assert_int_equal(round_trip(&c, true), 0);
	assert_int_equal(client(&c, ack, 1, resp), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MALFORMED);
	conv_free(&c);
}

static void test_garbage_inside_the_tunnel_is_refused(void **state)
{
	struct conv c;
	uint8_t reply[512];
	/* a whole-header Extensions packet whose Length runs past the data */
	static const uint8_t bad[] = { 1, 0x31, 0, 40, EAP_TYPE_EXTENSIONS, 0x80, 3 };

	(void)state;
	conv_init(&c, NULL, false);
	handshake(&c);
	assert_int_equal(tunnel(&c, bad, sizeof(bad), reply, sizeof(reply)), -1);
	assert_int_equal(peap_session_status(c.ps), PEAP_ST_MALFORMED);
	conv_free(&c);
}

static void test_a_new_start_begins_again(void **state)
{
	struct conv c;

	(void)state;
	conv_init(&c, NULL, false);
	handshake(&c);
	/* the server restarts (new conversation): a fresh handshake */
	SSL_free(c.ssl);
	c.ssl = SSL_new(c.sctx);
	c.rb = BIO_new(BIO_s_mem());
	c.wb = BIO_new(BIO_s_mem());
	SSL_set_bio(c.ssl, c.rb, c.wb);
	SSL_set_accept_state(c.ssl);
	handshake(&c);
	conv_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_whole_login_as_freeradius_runs_it),
		cmocka_unit_test(test_a_small_mru_makes_the_client_fragment),
		cmocka_unit_test(test_a_wrong_s_is_refused),
		cmocka_unit_test(test_result_success_before_mschapv2_is_answered_with_failure),
		cmocka_unit_test(test_a_refused_password_is_acknowledged_then_failed),
		cmocka_unit_test(test_a_chain_of_another_ca_is_refused_with_an_alert),
		cmocka_unit_test(test_a_wrong_server_name_is_refused),
		cmocka_unit_test(test_broken_framing_is_refused),
		cmocka_unit_test(test_garbage_inside_the_tunnel_is_refused),
		cmocka_unit_test(test_a_new_start_begins_again),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
