/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Authentication, both roles, behind one interface: PAP (RFC 1334 2),
 * CHAP-MD5 (RFC 1994), MS-CHAPv2 (RFC 2759) and EAP (RFC 3748) relayed to
 * an external authenticator.  The server never decides alone: it emits
 * PPP_EVENT_AUTH_REQUEST and waits for ppp_auth_answer(), which carries
 * either credentials to verify here or an outside verdict, and on success
 * the profile that lets the NCPs start in the same call as the Success.
 */
#include "internal.h"
#include "ppp/mschap.h"

#include <stdio.h>

enum auth_state {
	AUTH_IDLE,
	AUTH_WAIT_PEER,		/* server: challenge/identity request out */
	AUTH_WAIT_VERDICT,	/* server: AUTH_REQUEST emitted */
	AUTH_VERIFIED,		/* server: ppp_auth_verify matched, verdict due */
	AUTH_WAIT_EAP,		/* server: relayed EAP request out */
	AUTH_SUCCEEDED,
	AUTH_FAILED,
	AUTH_CLIENT_WAIT,	/* client: waiting for a challenge/request */
	AUTH_CLIENT_SENT,	/* client: our request/response out */
};

/* PAP codes (RFC 1334 2.2), CHAP codes (RFC 1994 4), EAP (RFC 3748 4). */
enum { PAP_REQ = 1, PAP_ACK = 2, PAP_NAK = 3 };
enum { CHAP_CHALLENGE = 1, CHAP_RESPONSE = 2, CHAP_SUCCESS = 3,
       CHAP_FAILURE = 4 };
enum { EAP_REQUEST = 1, EAP_RESPONSE = 2, EAP_SUCCESS = 3, EAP_FAILURE = 4 };
enum { EAP_TYPE_IDENTITY = 1, EAP_TYPE_NOTIFICATION = 2, EAP_TYPE_NAK = 3,
       EAP_TYPE_MD5 = 4 };

#define MSCHAPV2_RESPONSE_LEN 49	/* RFC 2759 4: Value-Size */
#define SUCCESS_TEXT "Access granted"

void ppp_session_settle(struct ppp_session *s);

bool ppp_auth_method_allowed(const struct ppp_session *s,
			     enum ppp_auth_method m)
{
	if (m <= PPP_AUTH_NONE || m >= PPP_AUTH_NMETHODS)
		return false;
	if (s->auth_order_len == 0)
		return s->role == PPP_CLIENT;	/* a client takes any */
	for (size_t i = 0; i < s->auth_order_len; i++)
		if (s->auth_order[i] == m)
			return true;
	return false;
}

static uint16_t auth_proto(enum ppp_auth_method m)
{
	switch (m) {
	case PPP_AUTH_PAP: return PPP_PROTO_PAP;
	case PPP_AUTH_CHAP_MD5:
	case PPP_AUTH_MSCHAPV2: return PPP_PROTO_CHAP;
	case PPP_AUTH_EAP: return PPP_PROTO_EAP;
	default: return 0;
	}
}

static const char *default_failure_text(enum ppp_auth_failure code)
{
	switch (code) {
	case PPP_AUTH_FAIL_RESTRICTED_HOURS: return "Restricted logon hours";
	case PPP_AUTH_FAIL_ACCOUNT_DISABLED: return "Account disabled";
	case PPP_AUTH_FAIL_PASSWORD_EXPIRED: return "Password expired";
	case PPP_AUTH_FAIL_NO_DIALIN: return "No dial-in permission";
	default: return "Authentication failed";
	}
}

static void wipe(void *p, size_t n)
{
	volatile uint8_t *v = p;

	while (n--)
		*v++ = 0;
}

void ppp_auth_reset(struct ppp_session *s)
{
	wipe(&s->auth, sizeof(s->auth));
}

/* LCP left Opened (tld).  Everything is wiped but, after our refusal, what
 * it takes to say it again while LCP is Closing (RFC 1994 4.2): method,
 * Identifier, code and our challenge (sent in clear anyway). */
void ppp_auth_layer_down(struct ppp_session *s)
{
	struct ppp_auth_state keep = { 0 };

	if (s->role == PPP_SERVER && s->auth.state == AUTH_FAILED) {
		keep.method = s->auth.method;
		keep.state = AUTH_FAILED;
		keep.id = s->auth.id;
		keep.result = s->auth.result;
		memcpy(keep.challenge, s->auth.challenge, sizeof(keep.challenge));
	}
	wipe(&s->auth, sizeof(s->auth));
	s->auth.method = keep.method;
	s->auth.state = keep.state;
	s->auth.id = keep.id;
	s->auth.result = keep.result;
	memcpy(s->auth.challenge, keep.challenge, sizeof(keep.challenge));
}

static const uint8_t *client_user(const struct ppp_session *s, size_t *len)
{
	const char *u = s->cfg->client && s->cfg->client->user
				? s->cfg->client->user : "";

	*len = strlen(u);
	if (*len > PPP_IDENTITY_MAX)
		*len = PPP_IDENTITY_MAX;
	return (const uint8_t *)u;
}

static const char *client_password(const struct ppp_session *s)
{
	return s->cfg->client && s->cfg->client->password
		       ? s->cfg->client->password : "";
}

static void emit_result(struct ppp_session *s, bool success,
			enum ppp_auth_failure code)
{
	struct ppp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_AUTH_RESULT;
	ev.u.auth_result.method = (enum ppp_auth_method)s->auth.method;
	if (s->role == PPP_CLIENT) {
		ev.u.auth_result.identity = client_user(s,
					&ev.u.auth_result.identity_len);
	} else {
		ev.u.auth_result.identity = s->auth.identity;
		ev.u.auth_result.identity_len = s->auth.identity_len;
	}
	ev.u.auth_result.success = success;
	ev.u.auth_result.code = code;
	ppp_emit(s, &ev);
}

static void arm_retransmit(struct ppp_session *s)
{
	s->auth.deadline = s->now + s->cfg->restart_ms;
}

/* ---------------- server side ---------------- */

static void send_challenge(struct ppp_session *s)
{
	uint8_t data[1 + 16 + 64];
	size_t nlen = strlen(s->cfg->name ? s->cfg->name : "");

	if (nlen > 64)
		nlen = 64;
	/* RFC 1994 4.1 / RFC 2759 3: Value-Size, Value, Name. */
	data[0] = 16;
	memcpy(data + 1, s->auth.challenge, 16);
	memcpy(data + 17, s->cfg->name, nlen);
	ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_CHALLENGE, s->auth.id, data,
			17 + nlen);
	arm_retransmit(s);
}

static void send_eap_identity_request(struct ppp_session *s)
{
	uint8_t type = EAP_TYPE_IDENTITY;

	/* RFC 3748 5.1: Request/Identity; the identity stays local. */
	ppp_send_packet(s, PPP_PROTO_EAP, EAP_REQUEST, s->auth.id, &type, 1);
	arm_retransmit(s);
}

static void client_send_pap(struct ppp_session *s);

void ppp_auth_start(struct ppp_session *s)
{
	uint8_t method = s->lcp_st.auth;

	ppp_auth_reset(s);
	s->auth.method = method;
	if (s->cfg->auth_timeout_ms)
		s->auth.phase_deadline = s->now + s->cfg->auth_timeout_ms;
	if (s->role == PPP_CLIENT) {
		s->auth.state = AUTH_CLIENT_WAIT;
		if (method == PPP_AUTH_PAP)
			client_send_pap(s);
		return;
	}
	s->auth.state = AUTH_WAIT_PEER;
	/* RFC 1994 2.3: the challenge must be unpredictable; without
	 * random bytes there is none to send: close, never use a fixed one. */
	if (!ppp_random_bytes(s, &s->auth.id, 1) ||
	    ((method == PPP_AUTH_CHAP_MD5 || method == PPP_AUTH_MSCHAPV2) &&
	     !ppp_random_bytes(s, s->auth.challenge, 16))) {
		s->auth.state = AUTH_FAILED;
		ppp_link_close(s, PPP_DOWN_NO_RANDOM);
		return;
	}
	switch (method) {
	case PPP_AUTH_CHAP_MD5:
	case PPP_AUTH_MSCHAPV2:
		send_challenge(s);
		break;
	case PPP_AUTH_EAP:
		send_eap_identity_request(s);
		break;
	default:
		break;	/* PAP: the peer speaks first (RFC 1334 2.1) */
	}
}

static void server_send_success(struct ppp_session *s)
{
	uint8_t data[128];
	size_t n;

	switch (s->auth.method) {
	case PPP_AUTH_PAP:
		/* RFC 1334 2.2.2: Msg-Length, Message. */
		n = strlen(SUCCESS_TEXT);
		data[0] = (uint8_t)n;
		memcpy(data + 1, SUCCESS_TEXT, n);
		ppp_send_packet(s, PPP_PROTO_PAP, PAP_ACK, s->auth.id, data,
				n + 1);
		break;
	case PPP_AUTH_CHAP_MD5:
		ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_SUCCESS, s->auth.id,
				(const uint8_t *)SUCCESS_TEXT,
				strlen(SUCCESS_TEXT));
		break;
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 5: "S=<auth_string> M=<message>". */
		n = (size_t)snprintf((char *)data, sizeof(data), "%s M=%s",
				     s->auth.m.chap.auth_response, SUCCESS_TEXT);
		ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_SUCCESS, s->auth.id,
				data, n < sizeof(data) ? n : sizeof(data) - 1);
		break;
	case PPP_AUTH_EAP:
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_SUCCESS, s->auth.id,
				NULL, 0);
		break;
	default:
		break;
	}
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void server_send_failure(struct ppp_session *s,
				enum ppp_auth_failure code, const char *text)
{
	uint8_t data[256];
	char chal[33];
	size_t n;
	int w;

	switch (s->auth.method) {
	case PPP_AUTH_PAP:
		n = strlen(text);
		if (n > 200)
			n = 200;
		data[0] = (uint8_t)n;
		memcpy(data + 1, text, n);
		ppp_send_packet(s, PPP_PROTO_PAP, PAP_NAK, s->auth.id, data,
				n + 1);
		break;
	case PPP_AUTH_CHAP_MD5:
		n = strlen(text);
		if (n > 200)
			n = 200;
		ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_FAILURE, s->auth.id,
				(const uint8_t *)text, n);
		break;
	case PPP_AUTH_MSCHAPV2:
		/* RFC 2759 6: E=code R=retry C=challenge V=version M=text;
		 * R=0: we end the link, no retry on this one. */
		to_hex(s->auth.challenge, 16, chal);
		w = snprintf((char *)data, sizeof(data),
			     "E=%d R=0 C=%s V=3 M=%.180s", (int)code, chal,
			     text);
		n = w < 0 ? 0 : (size_t)w;
		if (n >= sizeof(data))
			n = sizeof(data) - 1;
		ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_FAILURE, s->auth.id,
				data, n);
		break;
	case PPP_AUTH_EAP:
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_FAILURE, s->auth.id,
				NULL, 0);
		break;
	default:
		break;
	}
}

/* The Failure again for a repeated Response/Authenticate-Request: the same
 * code; the text is the code's default (RFC 1994 4.2: the message portion
 * MAY differ), the caller's own text is not kept past the verdict. */
static void server_resend_failure(struct ppp_session *s)
{
	enum ppp_auth_failure code = (enum ppp_auth_failure)s->auth.result;

	server_send_failure(s, code, default_failure_text(code));
}

bool ppp_auth_failed_as_server(const struct ppp_session *s)
{
	return s->role == PPP_SERVER && s->auth.state == AUTH_FAILED;
}

static void server_succeed(struct ppp_session *s, const struct ppp_profile *p)
{
	if (s->auth.method == PPP_AUTH_PAP)
		wipe(s->auth.m.secret, sizeof(s->auth.m.secret));
	s->profile = *p;
	s->profile_set = true;
	s->auth.state = AUTH_SUCCEEDED;
	s->auth.result = PPP_AUTH_OK;
	s->auth.deadline = 0;
	s->auth.phase_deadline = 0;
	server_send_success(s);
	/* NCPs up in the same call as Success: see ppp_enter_network. */
	ppp_enter_network(s);
	emit_result(s, true, PPP_AUTH_OK);
}

static void server_fail(struct ppp_session *s, enum ppp_auth_failure code,
			const char *text)
{
	if (code == PPP_AUTH_OK)
		code = PPP_AUTH_FAIL_CREDENTIALS;
	if (!text)
		text = default_failure_text(code);
	if (s->auth.method == PPP_AUTH_PAP)
		wipe(s->auth.m.secret, sizeof(s->auth.m.secret));
	s->auth.state = AUTH_FAILED;
	s->auth.result = (uint16_t)code;
	server_send_failure(s, code, text);
	emit_result(s, false, code);
	ppp_link_close(s, PPP_DOWN_AUTH_FAILED);
}

static void emit_request(struct ppp_session *s, const uint8_t *eap,
			 size_t eap_len)
{
	struct ppp_event ev;
	struct ppp_auth_request *r = &ev.u.auth_request;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPP_EVENT_AUTH_REQUEST;
	r->method = (enum ppp_auth_method)s->auth.method;
	r->identity = s->auth.identity;
	r->identity_len = s->auth.identity_len;
	switch (s->auth.method) {
	case PPP_AUTH_PAP:
		r->u.pap.password = s->auth.m.secret;
		r->u.pap.password_len = s->auth.secret_len;
		break;
	case PPP_AUTH_CHAP_MD5:
		r->u.chap.id = s->auth.id;
		r->u.chap.challenge = s->auth.challenge;
		r->u.chap.challenge_len = 16;
		r->u.chap.response = s->auth.m.chap.md5_response;
		r->u.chap.response_len = 16;
		break;
	case PPP_AUTH_MSCHAPV2:
		r->u.mschapv2.id = s->auth.id;
		r->u.mschapv2.authenticator_challenge = s->auth.challenge;
		r->u.mschapv2.peer_challenge = s->auth.m.chap.peer_challenge;
		r->u.mschapv2.nt_response = s->auth.m.chap.nt_response;
		break;
	case PPP_AUTH_EAP:
		r->u.eap.packet = eap;
		r->u.eap.packet_len = eap_len;
		break;
	default:
		break;
	}
	s->auth.state = AUTH_WAIT_VERDICT;
	s->auth.deadline = 0;	/* no retransmission while the caller decides */
	ppp_emit(s, &ev);
}

static bool store_identity(struct ppp_session *s, const uint8_t *p, size_t n)
{
	if (n > PPP_IDENTITY_MAX) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return false;
	}
	memcpy(s->auth.identity, p, n);
	s->auth.identity_len = (uint8_t)n;
	return true;
}

static void server_pap(struct ppp_session *s, uint8_t code, uint8_t id,
		       struct ppp_reader *rd)
{
	uint8_t idlen, pwlen;
	const uint8_t *peer_id, *pw;

	if (code != PAP_REQ) {
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	if (id == s->auth.id && s->auth.state == AUTH_SUCCEEDED) {
		/* RFC 1334 2.2.1: our Ack was lost; say it again. */
		server_send_success(s);
		return;
	}
	if (id == s->auth.id && s->auth.state == AUTH_FAILED) {
		/* The same for a lost Nak, while LCP is still closing. */
		server_resend_failure(s);
		return;
	}
	if (s->auth.state != AUTH_WAIT_PEER)
		return;	/* a retransmission while we decide: ignore */
	/* RFC 1334 2.2.1: Peer-ID Length, Peer-ID, Passwd-Length, Password */
	if (!ppp_get_u8(rd, &idlen) || !ppp_get_bytes(rd, idlen, &peer_id) ||
	    !ppp_get_u8(rd, &pwlen) || !ppp_get_bytes(rd, pwlen, &pw)) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return;
	}
	if (!store_identity(s, peer_id, idlen))
		return;
	memcpy(s->auth.m.secret, pw, pwlen);
	s->auth.secret_len = pwlen;
	s->auth.id = id;
	emit_request(s, NULL, 0);
}

static void server_chap(struct ppp_session *s, uint8_t code, uint8_t id,
			struct ppp_reader *rd)
{
	uint8_t vlen;
	const uint8_t *value, *name;
	size_t nlen;

	if (code != CHAP_RESPONSE) {
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	/* RFC 1994 4.1: the Response's Identifier copies the Challenge's. */
	if (id != s->auth.id) {
		ppp_count_bad(s, PPP_BAD_ID_MISMATCH);
		return;
	}
	if (s->auth.state == AUTH_SUCCEEDED) {
		/* RFC 1994 4.2: resend the Success for a repeated Response. */
		server_send_success(s);
		return;
	}
	if (s->auth.state == AUTH_FAILED) {
		/* RFC 1994 4.2: "the same reply Code previously returned";
		 * the peer repeats its Response when our Failure was lost. */
		server_resend_failure(s);
		return;
	}
	if (s->auth.state != AUTH_WAIT_PEER)
		return;
	if (!ppp_get_u8(rd, &vlen) || !ppp_get_bytes(rd, vlen, &value)) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return;
	}
	nlen = ppp_reader_left(rd);
	(void)ppp_get_bytes(rd, nlen, &name);
	if (s->auth.method == PPP_AUTH_CHAP_MD5) {
		if (vlen != 16) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		if (!store_identity(s, name, nlen))
			return;
		memcpy(s->auth.m.chap.md5_response, value, 16);
	} else {
		/* RFC 2759 4: Peer-Challenge 16, Reserved 8, NT-Response
		 * 24, Flags 1. */
		if (vlen != MSCHAPV2_RESPONSE_LEN) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		if (!store_identity(s, name, nlen))
			return;
		memcpy(s->auth.m.chap.peer_challenge, value, 16);
		memcpy(s->auth.m.chap.nt_response, value + 24, 24);
	}
	emit_request(s, NULL, 0);
}

static void server_eap(struct ppp_session *s, uint8_t code, uint8_t id,
		       struct ppp_reader *rd, const uint8_t *pkt, size_t len)
{
	uint8_t type;

	if (code != EAP_RESPONSE) {
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	/* RFC 3748 4.1: a Response matches the outstanding Request's id. */
	if (id != s->auth.id) {
		ppp_count_bad(s, PPP_BAD_ID_MISMATCH);
		return;
	}
	if (s->auth.state != AUTH_WAIT_PEER && s->auth.state != AUTH_WAIT_EAP)
		return;
	if (!ppp_get_u8(rd, &type)) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return;
	}
	if (s->auth.state == AUTH_WAIT_PEER && type == EAP_TYPE_IDENTITY) {
		size_t n = ppp_reader_left(rd);
		const uint8_t *ident;

		(void)ppp_get_bytes(rd, n, &ident);
		if (!store_identity(s, ident, n))
			return;
	}
	/* Everything past Identity is the external authenticator's; the
	 * Request is answered: the caller's copy is no longer ours */
	s->auth.m.eap.request = NULL;
	s->auth.m.eap.request_len = 0;
	emit_request(s, pkt, len);
}

/* ---------------- client side ---------------- */

static void client_send_pap(struct ppp_session *s)
{
	uint8_t data[2 + 2 * 255];
	size_t ulen, plen;
	const uint8_t *user = client_user(s, &ulen);
	const char *pw = client_password(s);

	plen = strlen(pw);
	if (plen > 255)
		plen = 255;
	data[0] = (uint8_t)ulen;
	memcpy(data + 1, user, ulen);
	data[1 + ulen] = (uint8_t)plen;
	memcpy(data + 2 + ulen, pw, plen);
	s->auth.id++;
	ppp_send_packet(s, PPP_PROTO_PAP, PAP_REQ, s->auth.id, data,
			2 + ulen + plen);
	s->auth.state = AUTH_CLIENT_SENT;
	arm_retransmit(s);
}

static void client_succeed(struct ppp_session *s)
{
	s->auth.state = AUTH_SUCCEEDED;
	s->auth.deadline = 0;
	s->auth.phase_deadline = 0;
	ppp_enter_network(s);
	emit_result(s, true, PPP_AUTH_OK);
}

static void client_fail(struct ppp_session *s, enum ppp_auth_failure code)
{
	s->auth.state = AUTH_FAILED;
	s->auth.result = (uint16_t)code;
	s->auth.deadline = 0;
	emit_result(s, false, code);
	ppp_link_close(s, PPP_DOWN_AUTH_FAILED);
}

/* The E= code of an MS-CHAPv2 Failure message (RFC 2759 6). */
static enum ppp_auth_failure parse_failure_code(const uint8_t *m, size_t n)
{
	unsigned v = 0;
	size_t i;

	if (n < 3 || m[0] != 'E' || m[1] != '=')
		return PPP_AUTH_FAIL_CREDENTIALS;
	for (i = 2; i < n && i < 12 && m[i] >= '0' && m[i] <= '9'; i++)
		v = v * 10 + (unsigned)(m[i] - '0');
	if (i == 2 || v == 0)
		return PPP_AUTH_FAIL_CREDENTIALS;
	return (enum ppp_auth_failure)v;
}

/* Send the Response we computed for the current Challenge, from what we
 * kept of it: the first time, when the same Challenge arrives again, and on
 * the restart timer while no Success/Failure came back. */
static void client_send_chap_response(struct ppp_session *s)
{
	uint8_t data[1 + MSCHAPV2_RESPONSE_LEN + PPP_IDENTITY_MAX];
	size_t ulen, vsize;
	const uint8_t *user = client_user(s, &ulen);

	if (s->auth.method == PPP_AUTH_CHAP_MD5) {
		vsize = 16;
		memcpy(data + 1, s->auth.m.chap.md5_response, 16);
	} else {
		uint8_t *v = data + 1;

		/* RFC 2759 4: Peer-Challenge 16, Reserved 8 (zero),
		 * NT-Response 24, Flags 1 (zero). */
		vsize = MSCHAPV2_RESPONSE_LEN;
		memcpy(v, s->auth.m.chap.peer_challenge, 16);
		memset(v + 16, 0, 8);
		memcpy(v + 24, s->auth.m.chap.nt_response, 24);
		v[48] = 0;
	}
	data[0] = (uint8_t)vsize;
	memcpy(data + 1 + vsize, user, ulen);
	ppp_send_packet(s, PPP_PROTO_CHAP, CHAP_RESPONSE, s->auth.id, data,
			1 + vsize + ulen);
	arm_retransmit(s);
}

static void client_chap_challenge(struct ppp_session *s, uint8_t id,
				  struct ppp_reader *rd)
{
	uint8_t vlen;
	const uint8_t *value;
	size_t ulen;
	const uint8_t *user = client_user(s, &ulen);
	const char *pw = client_password(s);

	if (!ppp_get_u8(rd, &vlen) || !ppp_get_bytes(rd, vlen, &value)) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return;
	}
	if (s->auth.method == PPP_AUTH_CHAP_MD5) {
		if (vlen == 0) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		/* MD5 over (Identifier, secret, Challenge) is the same for
		 * the same Challenge: a repeat is answered identically. */
		ppp_chap_md5_response(id, (const uint8_t *)pw, strlen(pw),
				      value, vlen, s->auth.m.chap.md5_response);
	} else {
		uint8_t nt_hash[PPP_NT_HASH_LEN];

		/* RFC 2759 3: the Challenge's Value-Size is 16. */
		if (vlen != 16) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		/* RFC 1994 4.1: the Challenge we already answered, again
		 * (duplicated on the way, or resent because our Response
		 * or the Success was lost): the identical Response, same
		 * Peer-Challenge.  A fresh Peer-Challenge would change the
		 * authenticator response the server computes from the
		 * first copy, and we would refuse its Success. */
		if (s->auth.state == AUTH_CLIENT_SENT && id == s->auth.id &&
		    memcmp(value, s->auth.challenge, 16) == 0) {
			client_send_chap_response(s);
			return;
		}
		if (ppp_nt_password_hash(pw, strlen(pw), nt_hash) < 0) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		memcpy(s->auth.challenge, value, 16);
		/* RFC 2759 4: the Peer-Challenge is random too; without
		 * randomness no response at all (never a predictable one) */
		if (!ppp_random_bytes(s, s->auth.m.chap.peer_challenge, 16)) {
			wipe(nt_hash, sizeof(nt_hash));
			s->auth.state = AUTH_FAILED;
			ppp_link_close(s, PPP_DOWN_NO_RANDOM);
			return;
		}
		ppp_mschapv2_nt_response(s->auth.challenge,
					 s->auth.m.chap.peer_challenge, user,
					 ulen, nt_hash, s->auth.m.chap.nt_response);
		/* RFC 2759 8.7: what the server must prove it knows. */
		ppp_mschapv2_authenticator_response(nt_hash,
				s->auth.m.chap.nt_response,
				s->auth.m.chap.peer_challenge,
				s->auth.challenge, user, ulen,
				s->auth.m.chap.auth_response);
		wipe(nt_hash, sizeof(nt_hash));
	}
	if (s->auth.state != AUTH_CLIENT_SENT || id != s->auth.id)
		s->auth.tries = 0;	/* a new Challenge: a new count */
	s->auth.id = id;
	s->auth.state = AUTH_CLIENT_SENT;
	client_send_chap_response(s);
}

static bool hex_equal_nocase(const uint8_t *a, const char *b, size_t n)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t x = a[i], y = (uint8_t)b[i];

		if (x >= 'a' && x <= 'f')
			x = (uint8_t)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'f')
			y = (uint8_t)(y - 'a' + 'A');
		diff |= x ^ y;
	}
	return diff == 0;
}

static void client_chap(struct ppp_session *s, uint8_t code, uint8_t id,
			struct ppp_reader *rd)
{
	size_t n = ppp_reader_left(rd);
	const uint8_t *msg;

	(void)ppp_get_bytes(rd, n, &msg);
	switch (code) {
	case CHAP_CHALLENGE:
		if (s->auth.state == AUTH_CLIENT_WAIT ||
		    s->auth.state == AUTH_CLIENT_SENT) {
			struct ppp_reader again;

			ppp_reader_init(&again, msg, n);
			client_chap_challenge(s, id, &again);
		}
		return;
	case CHAP_SUCCESS:
		if (s->auth.state != AUTH_CLIENT_SENT)
			return;
		if (id != s->auth.id) {
			ppp_count_bad(s, PPP_BAD_ID_MISMATCH);
			return;
		}
		if (s->auth.method == PPP_AUTH_MSCHAPV2) {
			/* RFC 2759 8.7 / 5: the server proves it knew the
			 * password; a wrong or missing S= ends the link. */
			if (n < PPP_MSCHAPV2_AUTH_RESPONSE_LEN ||
			    !hex_equal_nocase(msg, s->auth.m.chap.auth_response,
					      PPP_MSCHAPV2_AUTH_RESPONSE_LEN)) {
				ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
				client_fail(s, PPP_AUTH_FAIL_CREDENTIALS);
				return;
			}
		}
		client_succeed(s);
		return;
	case CHAP_FAILURE:
		if (s->auth.state != AUTH_CLIENT_SENT)
			return;
		if (id != s->auth.id) {
			ppp_count_bad(s, PPP_BAD_ID_MISMATCH);
			return;
		}
		client_fail(s, s->auth.method == PPP_AUTH_MSCHAPV2
				       ? parse_failure_code(msg, n)
				       : PPP_AUTH_FAIL_CREDENTIALS);
		return;
	default:
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
}

static void client_pap(struct ppp_session *s, uint8_t code, uint8_t id)
{
	if (code != PAP_ACK && code != PAP_NAK) {
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	if (s->auth.state != AUTH_CLIENT_SENT)
		return;
	if (id != s->auth.id) {
		ppp_count_bad(s, PPP_BAD_ID_MISMATCH);
		return;
	}
	if (code == PAP_ACK)
		client_succeed(s);
	else
		client_fail(s, PPP_AUTH_FAIL_CREDENTIALS);
}

/* Is a Request of this type for the caller's method (ppp_config.client_eap)?
 * Its own type always; with type 0, any the core does not answer itself
 * (Nak is a Response only, RFC 3748 5.3: never offered). */
static const struct ppp_eap_method *client_eap_method(const struct ppp_session *s,
						      uint8_t type)
{
	const struct ppp_eap_method *m = s->cfg->client_eap;

	if (!m || !m->respond)
		return NULL;
	if (m->type)
		return type == m->type ? m : NULL;
	switch (type) {
	case EAP_TYPE_IDENTITY:
	case EAP_TYPE_NOTIFICATION:
	case EAP_TYPE_NAK:
	case EAP_TYPE_MD5:
		return NULL;
	default:
		return m;
	}
}

/* The caller's method answers (true), or declines (false: the caller Naks).
 * The Response's Type-Data may fill what the peer's MRU allows (RFC 1661
 * 6.1: the MRU counts the Information field, here the whole EAP packet). */
static bool client_eap_external(struct ppp_session *s,
				const struct ppp_eap_method *m, uint8_t id,
				uint8_t type, struct ppp_reader *rd)
{
	uint8_t out[PPP_MAX_FRAME - 4];	/* FF 03 and the protocol field */
	struct ppp_eap_method_request req;
	size_t cap = s->lcp_st.peer_mru;
	int n;

	if (cap > sizeof(out))
		cap = sizeof(out);
	/* 4 octets of EAP header and the Type */
	cap = cap > 5 ? cap - 5 : 0;
	req.id = id;
	req.type = type;
	req.len = ppp_reader_left(rd);
	if (!ppp_get_bytes(rd, req.len, &req.data))
		return false;
	n = m->respond(m->opaque, s->ctx, &req, out + 1, cap);
	if (n < 0 || (size_t)n > cap)
		return false;
	out[0] = type;
	ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, out, (size_t)n + 1);
	return true;
}

static void client_eap(struct ppp_session *s, uint8_t code, uint8_t id,
		       struct ppp_reader *rd)
{
	const struct ppp_eap_method *m;
	uint8_t type;
	uint8_t data[1 + 1 + 16 + PPP_IDENTITY_MAX];
	size_t ulen;
	const uint8_t *user = client_user(s, &ulen);
	const char *pw = client_password(s);

	if (code == EAP_SUCCESS || code == EAP_FAILURE) {
		if (s->auth.state != AUTH_CLIENT_SENT)
			return;
		m = s->cfg->client_eap;
		if (code == EAP_SUCCESS && m && m->success_ok &&
		    !m->success_ok(m->opaque, s->ctx))
			code = EAP_FAILURE;	/* the method is not done */
		if (code == EAP_SUCCESS)
			client_succeed(s);
		else
			client_fail(s, PPP_AUTH_FAIL_CREDENTIALS);
		return;
	}
	if (code != EAP_REQUEST) {
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	if (!ppp_get_u8(rd, &type)) {
		ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
		return;
	}
	s->auth.id = id;
	m = client_eap_method(s, type);
	if (m) {
		if (!client_eap_external(s, m, id, type, rd)) {
			/* declined: RFC 3748 5.3.1 Nak. A method for every
			 * type (0) leaves MD5 to the core and proposes it; a
			 * peer set to one method has no alternative to
			 * propose (Type 0: none, RFC 3748 5.3.1) */
			data[0] = EAP_TYPE_NAK;
			data[1] = m->type ? 0 : EAP_TYPE_MD5;
			ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id,
					data, 2);
		}
		s->auth.state = AUTH_CLIENT_SENT;
		return;
	}
	m = s->cfg->client_eap;
	if (m && m->respond && m->type && type >= EAP_TYPE_MD5) {
		/* A peer set to a method of its own (PEAP) accepts no other
		 * authentication method: answering MD5-Challenge would hand
		 * a hash of the password to whoever asks first (RFC 3748
		 * 7.8, method negotiation as an attack). Nak proposing ours
		 * (5.3.1), as Windows does for a connection set to PEAP. */
		data[0] = EAP_TYPE_NAK;
		data[1] = m->type;
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, data, 2);
		s->auth.state = AUTH_CLIENT_SENT;
		return;
	}
	switch (type) {
	case EAP_TYPE_IDENTITY:
		data[0] = EAP_TYPE_IDENTITY;
		memcpy(data + 1, user, ulen);
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, data,
				1 + ulen);
		break;
	case EAP_TYPE_NOTIFICATION:
		/* RFC 3748 5.2: acknowledge with an empty Response. */
		data[0] = EAP_TYPE_NOTIFICATION;
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, data, 1);
		break;
	case EAP_TYPE_MD5: {
		uint8_t vlen;
		const uint8_t *value;

		/* RFC 3748 5.4: CHAP-style MD5 over id, secret, value. */
		if (!ppp_get_u8(rd, &vlen) || vlen == 0 ||
		    !ppp_get_bytes(rd, vlen, &value)) {
			ppp_count_bad(s, PPP_BAD_AUTH_PACKET);
			return;
		}
		data[0] = EAP_TYPE_MD5;
		data[1] = 16;
		ppp_chap_md5_response(id, (const uint8_t *)pw, strlen(pw),
				      value, vlen, data + 2);
		memcpy(data + 18, user, ulen);
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, data,
				18 + ulen);
		break;
	}
	default:
		/* RFC 3748 5.3.1: legacy Nak proposing the caller's method,
		 * or else MD5-Challenge. */
		m = s->cfg->client_eap;
		data[0] = EAP_TYPE_NAK;
		data[1] = m && m->respond && m->type ? m->type : EAP_TYPE_MD5;
		ppp_send_packet(s, PPP_PROTO_EAP, EAP_RESPONSE, id, data, 2);
		break;
	}
	s->auth.state = AUTH_CLIENT_SENT;
}

/* ---------------- common ---------------- */

void ppp_auth_input(struct ppp_session *s, uint16_t proto, const uint8_t *pkt,
		    size_t len)
{
	struct ppp_reader rd;
	uint16_t plen;

	/* PAP, CHAP and EAP share LCP's header (RFC 1334 2.2, RFC 1994 4,
	 * RFC 3748 4). */
	if (len < 4) {
		ppp_count_bad(s, PPP_BAD_HEADER_TRUNCATED);
		return;
	}
	plen = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (plen < 4) {
		ppp_count_bad(s, PPP_BAD_LENGTH_SHORT);
		return;
	}
	if (plen > len) {
		ppp_count_bad(s, PPP_BAD_LENGTH_PAST_FRAME);
		return;
	}
	len = plen;
	if (s->auth.method == PPP_AUTH_NONE ||
	    auth_proto((enum ppp_auth_method)s->auth.method) != proto) {
		/* Not the protocol we agreed on, or no authentication:
		 * RFC 1661 allows dropping it; count it. */
		ppp_count_bad(s, PPP_BAD_UNEXPECTED);
		return;
	}
	ppp_reader_init(&rd, pkt + 4, len - 4);
	if (s->role == PPP_SERVER) {
		switch (proto) {
		case PPP_PROTO_PAP:
			server_pap(s, pkt[0], pkt[1], &rd);
			break;
		case PPP_PROTO_CHAP:
			server_chap(s, pkt[0], pkt[1], &rd);
			break;
		default:
			server_eap(s, pkt[0], pkt[1], &rd, pkt, len);
			break;
		}
		return;
	}
	switch (proto) {
	case PPP_PROTO_PAP:
		client_pap(s, pkt[0], pkt[1]);
		break;
	case PPP_PROTO_CHAP:
		client_chap(s, pkt[0], pkt[1], &rd);
		break;
	default:
		client_eap(s, pkt[0], pkt[1], &rd);
		break;
	}
}

void ppp_auth_timer(struct ppp_session *s)
{
	if (s->auth.phase_deadline && s->auth.phase_deadline <= s->now) {
		s->auth.phase_deadline = 0;
		s->auth.deadline = 0;
		if (s->auth.state != AUTH_SUCCEEDED &&
		    s->auth.state != AUTH_FAILED)
			ppp_link_close(s, PPP_DOWN_AUTH_TIMEOUT);
		return;
	}
	if (!s->auth.deadline || s->auth.deadline > s->now)
		return;
	s->auth.deadline = 0;
	/* RFC 1994 4.1 / RFC 1334 2.2.1 / RFC 3748 4.3: retransmit our
	 * packet on the restart period, Max-Configure times. */
	if (s->auth.tries >= s->cfg->max_configure) {
		ppp_link_close(s, PPP_DOWN_AUTH_TIMEOUT);
		return;
	}
	s->auth.tries++;
	if (s->role == PPP_CLIENT) {
		if (s->auth.state != AUTH_CLIENT_SENT)
			return;
		if (s->auth.method == PPP_AUTH_PAP) {
			s->auth.id--;	/* same request, same Identifier */
			client_send_pap(s);
		} else if (s->auth.method == PPP_AUTH_CHAP_MD5 ||
			   s->auth.method == PPP_AUTH_MSCHAPV2) {
			/* RFC 1994 4.2: the authenticator answers a repeated
			 * Response with the reply it gave; so a lost Success
			 * or Failure comes back when we repeat ours. */
			client_send_chap_response(s);
		}
		return;
	}
	if (s->auth.state == AUTH_WAIT_EAP && s->auth.m.eap.request) {
		/* RFC 3748 4.3: the relayed Request, as the authenticator
		 * would retransmit it (the peer never does) */
		ppp_send_proto(s, PPP_PROTO_EAP, s->auth.m.eap.request,
			       s->auth.m.eap.request_len);
		arm_retransmit(s);
		return;
	}
	if (s->auth.state != AUTH_WAIT_PEER)
		return;
	if (s->auth.method == PPP_AUTH_EAP)
		send_eap_identity_request(s);
	else if (s->auth.method != PPP_AUTH_PAP)
		send_challenge(s);
}

static bool valid_authenticator_response(const char *r)
{
	if (!r || strlen(r) < PPP_MSCHAPV2_AUTH_RESPONSE_LEN ||
	    r[0] != 'S' || r[1] != '=')
		return false;
	for (int i = 2; i < PPP_MSCHAPV2_AUTH_RESPONSE_LEN; i++) {
		char c = r[i];

		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
		      (c >= 'a' && c <= 'f')))
			return false;
	}
	return true;
}

static bool verdict_due(const struct ppp_session *s)
{
	return s->role == PPP_SERVER && (s->auth.state == AUTH_WAIT_VERDICT ||
					 s->auth.state == AUTH_VERIFIED);
}

int ppp_auth_pending(const struct ppp_session *s, struct ppp_auth_request *out)
{
	if (!verdict_due(s) || !out)
		return -1;
	memset(out, 0, sizeof(*out));
	out->method = (enum ppp_auth_method)s->auth.method;
	out->identity = s->auth.identity;
	out->identity_len = s->auth.identity_len;
	switch (s->auth.method) {
	case PPP_AUTH_PAP:
		out->u.pap.password = s->auth.m.secret;
		out->u.pap.password_len = s->auth.secret_len;
		break;
	case PPP_AUTH_CHAP_MD5:
		out->u.chap.id = s->auth.id;
		out->u.chap.challenge = s->auth.challenge;
		out->u.chap.challenge_len = 16;
		out->u.chap.response = s->auth.m.chap.md5_response;
		out->u.chap.response_len = 16;
		break;
	case PPP_AUTH_MSCHAPV2:
		out->u.mschapv2.id = s->auth.id;
		out->u.mschapv2.authenticator_challenge = s->auth.challenge;
		out->u.mschapv2.peer_challenge = s->auth.m.chap.peer_challenge;
		out->u.mschapv2.nt_response = s->auth.m.chap.nt_response;
		break;
	default:
		break;	/* EAP: the packet was the event's only */
	}
	return 0;
}

/* The one credential check: the login waiting for a verdict against the
 * stored secret. MS-CHAPv2's authenticator response is kept on a match. */
enum ppp_verify_result ppp_auth_verify(struct ppp_session *s,
				       const struct ppp_secret *secret)
{
	uint8_t nt_hash[PPP_NT_HASH_LEN];
	uint8_t expect[24];
	bool ok;

	if (!verdict_due(s) || s->auth.method == PPP_AUTH_EAP)
		return PPP_VERIFY_NOT_PENDING;
	if (!ppp_secret_usable(secret, s->auth.method))
		return PPP_VERIFY_UNUSABLE;
	switch (s->auth.method) {
	case PPP_AUTH_PAP:
		/* RFC 1334 2.2.1: the password itself came in clear. */
		ok = ppp_secret_check_password(secret,
					       (const char *)s->auth.m.secret,
					       s->auth.secret_len);
		break;
	case PPP_AUTH_CHAP_MD5:
		/* RFC 1994 4.1: MD5(Identifier, secret, Challenge) with the
		 * Identifier and Challenge we sent. */
		ppp_chap_md5_response(s->auth.id,
				      (const uint8_t *)secret->cleartext,
				      secret->cleartext_len, s->auth.challenge,
				      16, expect);
		ok = ppp_mem_equal(expect, s->auth.m.chap.md5_response, 16);
		break;
	case PPP_AUTH_MSCHAPV2:
		if (secret->nt_hash)
			memcpy(nt_hash, secret->nt_hash, PPP_NT_HASH_LEN);
		else if (ppp_nt_password_hash(secret->cleartext,
					      secret->cleartext_len,
					      nt_hash) < 0)
			return PPP_VERIFY_UNUSABLE;
		/* RFC 2759 8.1: the NT-Response from the NT-hash. */
		ppp_mschapv2_nt_response(s->auth.challenge,
					 s->auth.m.chap.peer_challenge,
					 s->auth.identity, s->auth.identity_len,
					 nt_hash, expect);
		ok = ppp_mem_equal(expect, s->auth.m.chap.nt_response, 24);
		if (ok)	/* 8.7: proves to the client we know the hash too */
			ppp_mschapv2_authenticator_response(nt_hash,
				s->auth.m.chap.nt_response,
				s->auth.m.chap.peer_challenge,
				s->auth.challenge, s->auth.identity,
				s->auth.identity_len,
				s->auth.m.chap.auth_response);
		wipe(nt_hash, sizeof(nt_hash));
		break;
	default:
		return PPP_VERIFY_NOT_PENDING;
	}
	wipe(expect, sizeof(expect));
	if (!ok)
		return PPP_VERIFY_MISMATCH;
	s->auth.state = AUTH_VERIFIED;
	return PPP_VERIFY_MATCH;
}

int ppp_auth_answer(struct ppp_session *s, uint64_t now,
		    const struct ppp_auth_answer *a)
{
	struct ppp_secret secret;
	enum ppp_verify_result v;

	s->now = now;
	if (!verdict_due(s) || !a)
		return -1;
	switch (a->kind) {
	case PPP_ANSWER_REJECT:
		server_fail(s, a->failure, a->message);
		break;
	case PPP_ANSWER_ACCEPT:
		if (!a->profile)
			return -1;
		if (s->auth.method == PPP_AUTH_MSCHAPV2 &&
		    a->authenticator_response) {
			if (!valid_authenticator_response(a->authenticator_response))
				return -1;
			memcpy(s->auth.m.chap.auth_response,
			       a->authenticator_response,
			       PPP_MSCHAPV2_AUTH_RESPONSE_LEN);
			s->auth.m.chap.auth_response[PPP_MSCHAPV2_AUTH_RESPONSE_LEN] = 0;
		} else if (s->auth.method == PPP_AUTH_MSCHAPV2 &&
			   s->auth.state != AUTH_VERIFIED) {
			/* Neither an outside S= nor our own match: the
			 * client would refuse the Success anyway. */
			return -1;
		}
		server_succeed(s, a->profile);
		break;
	case PPP_ANSWER_LOCAL:
		/* Verify and decide in one call (no post-authentication
		 * step between): ppp_auth_verify, then ACCEPT or REJECT. */
		if (!a->profile)
			return -1;
		memset(&secret, 0, sizeof(secret));
		secret.nt_hash = a->nt_hash;
		secret.cleartext = a->secret;
		secret.cleartext_len = a->secret_len;
		if (s->auth.method == PPP_AUTH_PAP && a->secret)
			secret.nt_hash = NULL;	/* the cleartext is exact */
		v = s->auth.state == AUTH_VERIFIED ? PPP_VERIFY_MATCH
						   : ppp_auth_verify(s, &secret);
		if (v == PPP_VERIFY_MATCH)
			server_succeed(s, a->profile);
		else if (v == PPP_VERIFY_MISMATCH)
			server_fail(s, a->failure != PPP_AUTH_OK
					       ? a->failure
					       : PPP_AUTH_FAIL_CREDENTIALS,
				    a->message);
		else
			return -1;
		break;
	default:
		return -1;
	}
	ppp_session_settle(s);
	return 0;
}

int ppp_auth_eap_request(struct ppp_session *s, uint64_t now,
			 const uint8_t *eap, size_t len)
{
	uint16_t plen;

	s->now = now;
	if (s->role != PPP_SERVER || s->auth.method != PPP_AUTH_EAP ||
	    s->auth.state != AUTH_WAIT_VERDICT)
		return -1;
	/* RFC 3748 4: a Request has code 1, a Type, and a Length that
	 * covers exactly what we were given. */
	if (!eap || len < 5 || eap[0] != EAP_REQUEST)
		return -1;
	plen = (uint16_t)(eap[2] << 8 | eap[3]);
	if (plen != len || len > PPP_MAX_FRAME - 8)
		return -1;
	s->auth.id = eap[1];
	s->auth.state = AUTH_WAIT_EAP;
	s->auth.m.eap.request = eap;
	s->auth.m.eap.request_len = (uint16_t)len;
	s->auth.tries = 0;	/* Max-Configure counts per Request */
	ppp_send_proto(s, PPP_PROTO_EAP, eap, len);
	arm_retransmit(s);
	ppp_session_settle(s);
	return 0;
}

int ppp_auth_eap_final(struct ppp_session *s, const uint8_t *eap, size_t len)
{
	if (s->role != PPP_SERVER || s->auth.method != PPP_AUTH_EAP ||
	    s->auth.state != AUTH_WAIT_VERDICT)
		return -1;
	/* RFC 3748 4.2: Success and Failure are the header alone */
	if (!eap || len != 4 || (eap[0] != EAP_SUCCESS && eap[0] != EAP_FAILURE) ||
	    eap[2] != 0 || eap[3] != 4)
		return -1;
	/* its Identifier is the one of the Response it answers (4.2): a
	 * peer discards one that differs, so it goes out as it came */
	s->auth.id = eap[1];
	return 0;
}
