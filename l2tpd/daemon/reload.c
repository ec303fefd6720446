/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reload.h"

#include <stdio.h>
#include <string.h>

#include "acct.h"
#include "auth_provider.h"
#include "log.h"
#include "radius_io.h"
#include "dynauth.h"
#include "server.h"
#include "session.h"

static void add(char *out, size_t outlen, const char *key)
{
	size_t n = strlen(out);

	snprintf(out + n, outlen - n, "%s%s", n ? ", " : "", key);
}

void config_restart_only_diff(const struct l2tpd_config *a, const struct l2tpd_config *b,
			      char *out, size_t outlen)
{
	bool listen = a->n_listen != b->n_listen;

	out[0] = 0;
	/* The UDP sockets are bound once; rebinding would need the
	 * capabilities dropped after start-up. */
	for (unsigned i = 0; !listen && i < a->n_listen; i++)
		listen = memcmp(&a->listen[i], &b->listen[i], sizeof(a->listen[i])) != 0;
	if (listen)
		add(out, outlen, "listen");
	if (a->port != b->port)
		add(out, outlen, "port");
	/* The data plane holds every session's interface. */
	if (a->dataplane != b->dataplane)
		add(out, outlen, "dataplane");
	if (a->userspace_tun != b->userspace_tun ||
	    strcmp(a->userspace_shared_interface, b->userspace_shared_interface))
		add(out, outlen, "userspace");
	/* Logins in flight hold the provider (auth_provider.h). */
	if (a->auth_provider != b->auth_provider)
		add(out, outlen, "auth.provider");
	/* the accounting engine and its spool are made once (the servers,
	 * secrets and timers reload: config_reload_apply) */
	if (a->radius.accounting != b->radius.accounting)
		add(out, outlen, "radius.accounting");
	if (strcmp(a->radius.accounting_spool, b->radius.accounting_spool))
		add(out, outlen, "radius.accounting_spool");
	/* Sockets opened once, and the lock is named after control_socket. */
	if (strcmp(a->control_socket, b->control_socket))
		add(out, outlen, "control_socket");
	if (strcmp(a->control_group, b->control_group))
		add(out, outlen, "control_group");
	if (strcmp(a->ipsec_socket, b->ipsec_socket))
		add(out, outlen, "ipsec_socket");
	/* Whether a missing plugin socket is fatal is decided at start. */
	if (a->require_ipsec != b->require_ipsec)
		add(out, outlen, "require_ipsec");
	/* The control plane copied the name and the secret at start. */
	if (strcmp(a->host_name, b->host_name))
		add(out, outlen, "host_name");
	if (strcmp(a->tunnel_secret, b->tunnel_secret))
		add(out, outlen, "tunnel_secret");
	/* nftables tables and the metrics socket are set up at start */
	if (memcmp(&a->internet_filter, &b->internet_filter, sizeof(a->internet_filter)))
		add(out, outlen, "internet_filter");
	if (a->mss_clamp != b->mss_clamp)
		add(out, outlen, "ppp.mss_clamp");
	if (memcmp(&a->metrics_listen, &b->metrics_listen, sizeof(a->metrics_listen)) ||
	    a->metrics_per_session != b->metrics_per_session)
		add(out, outlen, "metrics");
}

int config_reload_load(struct server *srv, struct l2tpd_config *next, char *err, size_t errlen)
{
	return config_load(srv->config_path, next, err, errlen);
}

/* The RADIUS servers, secrets and timers for requests from now on: the
 * sockets first (a new family, a new NAS address), then the provider,
 * which sends its waiting logins again to the new servers. On a failure
 * the running servers stay, said in the log. */
static void reload_radius(struct server *srv, const struct l2tpd_config *next)
{
	struct radius_conf *rc = &srv->cfg.radius;
	struct radius_conf keep = *rc;
	char err[256];

	if (!memcmp(rc, &next->radius, sizeof(*rc)) && !strcmp(srv->cfg.host_name, next->host_name))
		return;
	if (srv->radius_io && next->radius.n_servers &&
	    radius_io_reconfigure(srv->radius_io, &next->radius, err, sizeof(err))) {
		log_err("reload: %s: the running RADIUS servers are kept", err);
		return;
	}
	if (auth_provider_reconfigure(srv->auth, next, err, sizeof(err))) {
		log_err("reload: %s: the running RADIUS servers are kept", err);
		if (srv->radius_io)
			radius_io_reconfigure(srv->radius_io, rc, err, sizeof(err));
		return;
	}
	*rc = next->radius;
	/* these two wait for a restart (config_restart_only_diff) */
	rc->accounting = keep.accounting;
	snprintf(rc->accounting_spool, sizeof(rc->accounting_spool), "%s", keep.accounting_spool);
	acct_reconfigure(srv);	/* the accounting engine's servers (acct.h) */
}

void config_reload_apply(struct server *srv, const struct l2tpd_config *next, char *restart,
			 size_t restartlen)
{
	struct l2tpd_config *c = &srv->cfg;
	struct l2tp_config lc;

	config_restart_only_diff(c, next, restart, restartlen);
	c->log_level = next->log_level;
	log_set_level(next->log_level);
	c->ipsec_delete_on_disconnect = next->ipsec_delete_on_disconnect;
	c->local_address = next->local_address;		/* new sessions' IPCP */
	c->max_tunnels = next->max_tunnels;
	c->max_sessions = next->max_sessions;
	c->max_sessions_per_tunnel = next->max_sessions_per_tunnel;
	c->new_tunnel_rate = next->new_tunnel_rate;
	c->new_tunnel_burst = next->new_tunnel_burst;
	c->hello_interval = next->hello_interval;
	c->retransmit_initial = next->retransmit_initial;
	c->retransmit_max = next->retransmit_max;
	c->retransmit_tries = next->retransmit_tries;
	c->lcp_echo_interval = next->lcp_echo_interval;
	c->lcp_echo_failures = next->lcp_echo_failures;
	c->auth_timeout = next->auth_timeout;
	c->mru = next->mru;
	c->path_mtu = next->path_mtu;			/* new sessions' MRU (link_mtu.h) */
	c->control_connections = next->control_connections;
	c->control_idle = next->control_idle;		/* connections accepted from now on */
	c->login_failures = next->login_failures;
	c->peer_login_failures = next->peer_login_failures;
	c->login_backoff = next->login_backoff;
	c->login_backoff_max = next->login_backoff_max;
	c->max_half_open = next->max_half_open;
	c->half_open_timeout = next->half_open_timeout;
	c->max_preauth_sessions = next->max_preauth_sessions;
	c->max_preauth_per_tunnel = next->max_preauth_per_tunnel;
	auththrottle_configure(&srv->throttle, c->login_failures, c->peer_login_failures,
				(uint64_t)c->login_backoff * 1000,
				(uint64_t)c->login_backoff_max * 1000);
	server_l2tp_config(c, &lc);
	l2tp_ctx_set_limits(srv->l2tp, &lc);	/* timers validated by config_load */
	session_fill_ppp_config(srv);		/* sessions negotiated from now on */
	reload_radius(srv, next);
	dynauth_reload(srv, next);	/* radius.das: clients and secrets */
	if (restart[0])
		log_warn("reload: %s: not applied until restart: %s", srv->config_path, restart);
}
