/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a RADIUS request says about a session's place (radius_nas.h). */
#include "radius_nas.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

/* RFC 2865 5.30, 5.31 (radius_nas.h) */
void radius_nas_station(const struct l2tp_addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "";

	inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET, a->addr, ip, sizeof(ip));
	if (!port)
		snprintf(buf, len, "%s", ip);
	else if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
}

void radius_nas_facts_fill(struct radius_nas_facts *nf, const struct auth_session_facts *f)
{
	memset(nf, 0, sizeof(*nf));
	if (!f)
		return;
	nf->nas_port = f->nas_port;
	if (f->peer) {
		radius_nas_station(f->peer, f->natt_port, nf->calling, sizeof(nf->calling));
		/* RFC 2868 3.3: the tunnel's client end, an address alone */
		radius_nas_station(f->peer, 0, nf->client_endpoint, sizeof(nf->client_endpoint));
	}
	if (f->local)
		radius_nas_station(f->local, 0, nf->called, sizeof(nf->called));
	if (f->acct_session_id)
		snprintf(nf->acct_session_id, sizeof(nf->acct_session_id), "%s", f->acct_session_id);
}

void radius_nas_session_make(struct radius_nas_session *s, const struct radius_nas_facts *nf,
			     const struct radius_conf *rc, const char *nas_identifier,
			     const char *user, const char *ike_identity)
{
	*s = (struct radius_nas_session){
		.user = user,
		.nas_ipv4 = rc->has_nas_ipv4 ? rc->nas_ipv4.s_addr : 0,
		.nas_ipv6 = rc->has_nas_ipv6 ? rc->nas_ipv6.s6_addr : NULL,
		.nas_identifier = nas_identifier,
		.nas_port = nf->nas_port,
		.calling_station = nf->calling[0] ? nf->calling : NULL,
		.called_station = nf->called[0] ? nf->called : NULL,
		.tunnel_client_endpoint = nf->client_endpoint[0] ? nf->client_endpoint : NULL,
		.tunnel_server_endpoint = nf->called[0] ? nf->called : NULL,
		.ike_identity = ike_identity,
		.acct_session_id = nf->acct_session_id,
	};
}

void radius_nas_identifier(const struct l2tpd_config *cfg, char *buf, size_t len)
{
	snprintf(buf, len, "%s", cfg->radius.nas_identifier[0] ? cfg->radius.nas_identifier
							    : cfg->host_name);
}
