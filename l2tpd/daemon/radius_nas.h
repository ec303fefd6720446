/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a RADIUS request says about a session's place (radius/request.h's
 * struct radius_nas_session), made once from the daemon's facts
 * (auth_provider.h's struct auth_session_facts) and kept by value: the
 * Access-Request (auth_radius.c) and the session's accounting records
 * (acct.c) say the same NAS-Port, Calling/Called-Station-Id, Tunnel
 * endpoints and Acct-Session-Id (RFC 2866 5.5: the same id in the
 * Access-Request and the accounting of one session).
 */
#ifndef L2TPD_RADIUS_NAS_H
#define L2TPD_RADIUS_NAS_H

#include <stdint.h>

#include "auth_provider.h"
#include "config.h"
#include "request.h"

struct radius_nas_facts {
	uint32_t nas_port;
	char calling[64];		/* "203.0.113.7:4500": the NAT-T port, where one */
	char called[48];		/* our address, "" unknown */
	char client_endpoint[48];	/* the calling station without its port */
	char acct_session_id[24];
};

/* Calling-/Called-Station-Id as every request says them (RFC 2865 5.30,
 * 5.31): the address, with ":port" where port is not 0 (the client's
 * NAT-T port, "203.0.113.7:4500"); the DAS (dynauth.c) compares them with
 * what a Disconnect- or CoA-Request names. */
void radius_nas_station(const struct l2tp_addr *a, uint16_t port, char *buf, size_t len);

void radius_nas_facts_fill(struct radius_nas_facts *nf, const struct auth_session_facts *f);

/* *s for the session of nf (user, IKE identity: NULL none) at the NAS of
 * rc named nas_identifier; s points into nf, rc and the strings. */
void radius_nas_session_make(struct radius_nas_session *s, const struct radius_nas_facts *nf,
			     const struct radius_conf *rc, const char *nas_identifier,
			     const char *user, const char *ike_identity);

/* NAS-Identifier: radius.nas_identifier, else host_name. */
void radius_nas_identifier(const struct l2tpd_config *cfg, char *buf, size_t len);

#endif
