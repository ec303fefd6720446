/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp-client --auth peap: PEAPv0 with EAP-MSCHAPv2 inside, as Windows
 * and FreeRADIUS do it (draft-kamath-pppext-peapv0, [MS-PEAP],
 * draft-kamath-pppext-eap-mschapv2), answering through ppp-core's client
 * EAP method seam (ppp_config.client_eap). TLS is OpenSSL's on memory
 * BIOs: the TLS records go in and out only inside EAP packets.
 *
 * One peap_config is shared by every session (the SSL_CTX: the CA and the
 * expected server name); each session owns its struct peap_session, made
 * on the server's PEAP Start and freed by the session's owner
 * (peap_session_free) when the session ends.
 */
#ifndef L2TP_CLIENT_PEAP_H
#define L2TP_CLIENT_PEAP_H

#include <stddef.h>
#include <stdint.h>

#include "ppp/ppp.h"

struct ssl_ctx_st;

struct peap_config {
	struct ssl_ctx_st *ssl_ctx;
	const char *server_name;	/* checked against the certificate; NULL: any */
};

/* Load the CA that must have issued the server's certificate. 0, or -1
 * with err set. */
int peap_config_init(struct peap_config *pc, const char *ca_file,
		     const char *server_name, char *err, size_t errlen);
void peap_config_free(struct peap_config *pc);

enum peap_status {
	PEAP_ST_NONE = 0,	/* no PEAP Start seen */
	PEAP_ST_TLS,		/* handshake under way */
	PEAP_ST_PHASE2,		/* inside the tunnel */
	PEAP_ST_OK,		/* MS-CHAPv2 verified both ways, Result Success sent */
	PEAP_ST_CERT_REJECTED,	/* the server's certificate did not verify */
	PEAP_ST_TLS_FAILED,	/* any other TLS failure */
	PEAP_ST_MALFORMED,	/* the server's framing or tunnelled EAP was bad */
	PEAP_ST_MSCHAPV2_FAILURE,	/* the server refused the password (E=) */
	PEAP_ST_BAD_AUTHENTICATOR,	/* the server's S= did not verify */
	PEAP_ST_RESULT_FAILURE,	/* the server's Result TLV said Failure */
	PEAP_ST_NO_MEMORY,
};

const char *peap_status_name(enum peap_status st);

struct peap_session;

/* The answer to one EAP-PEAP Request (ppp_eap_method.respond's contract:
 * Type-Data into out[0, cap), its length, or -1 to decline). *ps is the
 * session's state, made here on Start. */
int peap_respond(const struct peap_config *pc, struct peap_session **ps,
		 const char *user, const char *password,
		 const struct ppp_eap_method_request *req, uint8_t *out,
		 size_t cap);

enum peap_status peap_session_status(const struct peap_session *ps);
/* Static text saying more about a failure (OpenSSL's verify error, the
 * malformation), or NULL. Never bytes from the peer. */
const char *peap_session_detail(const struct peap_session *ps);
/* The E= code of an MS-CHAPv2 Failure, 0 if none. */
unsigned peap_session_failure_code(const struct peap_session *ps);

void peap_session_free(struct peap_session *ps);

#endif
