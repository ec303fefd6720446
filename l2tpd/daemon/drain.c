/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "drain.h"

#include "ipsec.h"
#include "log.h"
#include "net.h"
#include "server.h"

void server_set_draining(struct server *srv, bool on)
{
	if (srv->draining != on)
		log_notice(on ? "draining: new tunnels and sessions are refused, the %u session(s) "
				"up stay"
			      : "drain off: new tunnels and sessions are accepted again (%u up)",
			   srv->n_sessions);
	srv->draining = on;
	l2tp_ctx_refuse_calls(srv->l2tp, on);
}

enum l2tp_accept drain_accept_tunnel(void *arg, const struct l2tp_addr *peer,
				     const struct l2tp_addr *local)
{
	struct server *srv = arg;
	char a[64];

	if (srv->draining) {
		log_notice("tunnel from %s refused with StopCCN result 2, error 4: draining "
			   "(l2tpctl drain off accepts again)", net_addr_str(peer, a, sizeof(a)));
		return L2TP_ACCEPT_BUSY;
	}
	return ipsec_accept_tunnel(arg, peer, local);
}
