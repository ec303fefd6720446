/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpd.conf: the daemon's own settings (listen addresses, limits, timers,
 * data plane, control socket, log level), in the same syntax as the policy
 * file (strongSwan's swanctl.conf). Every key, its default and its meaning:
 * docs/operations.md. A file with an error is refused with file:line:col.
 */
#ifndef L2TPD_CONFIG_H
#define L2TPD_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "edge_filter.h"
#include "log.h"

#define L2TPD_MAX_LISTEN 8

enum dataplane_choice { DP_AUTO, DP_KERNEL, DP_USERSPACE };
/* The userspace data path's devices (docs/dataplane-userspace.md). */
enum userspace_tun { USERSPACE_TUN_PER_SESSION, USERSPACE_TUN_SHARED };
/* Who knows the users (auth_provider.h, docs/auth.md). */
enum auth_provider_choice { AUTH_PROVIDER_LOCAL, AUTH_PROVIDER_RADIUS };

/* radius { NAME { ... } ... }: the RADIUS servers and how they are used
 * (docs/radius.md "Configuration"). As many servers as radius/client.h
 * takes; each secret is read at load (secret_file too), so a reload reads
 * a changed file again. */
#define L2TPD_RADIUS_MAX_SERVERS 8
#define L2TPD_RADIUS_SECRET_MAX 128	/* octets; RFC 2865 section 3 sets no limit */

/* A server's `transport = tls`: RadSec, RFC 6614 (radsec.h,
 * docs/radius.md "RadSec"). The files are checked at load, read by
 * radsec.c when the servers are (re)configured. */
struct radius_tls_conf {
	bool enabled;
	char ca_file[256];		/* the server's certificate is verified against it */
	char cert_file[256], key_file[256];	/* ours: RFC 6614 2.3 mutual authentication */
	char server_name[256];		/* empty: any name the CA vouches for */
};

struct radius_server_conf {
	char name[32];			/* the sub-block's name, for the log and l2tpctl */
	struct sockaddr_storage addr;	/* its address (port 0) */
	uint16_t auth_port, acct_port;	/* over TLS both are the one connection's */
	char secret[L2TPD_RADIUS_SECRET_MAX + 1];
	struct radius_tls_conf tls;
};

struct radius_conf {
	unsigned n_servers;		/* 0: no radius { } block */
	struct radius_server_conf servers[L2TPD_RADIUS_MAX_SERVERS];
	char nas_identifier[64];	/* empty: host_name */
	bool has_nas_ipv4, has_nas_ipv6;
	struct in_addr nas_ipv4;	/* NAS-IP-Address, and the source of requests */
	struct in6_addr nas_ipv6;	/* NAS-IPv6-Address, likewise */
	uint32_t timeout_ms, max_timeout_ms;	/* first retransmission, doubling up to max */
	uint32_t tries;			/* sends to one server before the next */
	uint32_t dead_time_ms;		/* a dead server is probed (Status-Server) this often */
	bool load_share;		/* spread logins over the live servers */
	bool require_message_authenticator;	/* in every Access-* answer (BlastRADIUS) */
	bool accounting;		/* send accounting records (RRAS: "RADIUS accounting") */
	uint32_t interim_interval;	/* seconds; 0: only the server's Acct-Interim-Interval */
	char accounting_spool[256];
};

/* radius { das { ... } }: the dynamic authorization server, RFC 5176
 * (dynauth.h, docs/radius.md "Dynamic authorization"); off without it. */
#define L2TPD_DAS_MAX_LISTEN 4
#define L2TPD_DAS_MAX_CLIENTS 16	/* radius/das.h's RADIUS_DAS_MAX_CLIENTS */

struct das_client_conf {
	char name[32];			/* the sub-block's name, for the log */
	struct sockaddr_storage addr;	/* requests are taken from this address only */
	char secret[L2TPD_RADIUS_SECRET_MAX + 1];
};

struct das_conf {
	bool enabled;			/* a das { } block was given */
	unsigned n_listen;		/* 0: nas_ip_address, else 0.0.0.0 */
	struct sockaddr_storage listen[L2TPD_DAS_MAX_LISTEN];
	uint16_t port;			/* 3799, RFC 5176 section 2.3 */
	uint32_t window_s;		/* Event-Timestamp tolerance either way (section 3.5) */
	bool allow_no_event_timestamp;
	bool require_message_authenticator;
	unsigned n_clients;
	struct das_client_conf clients[L2TPD_DAS_MAX_CLIENTS];
};

struct l2tpd_config {
	struct sockaddr_storage listen[L2TPD_MAX_LISTEN];
	unsigned n_listen;
	uint16_t port;
	enum dataplane_choice dataplane;
	enum userspace_tun userspace_tun;	/* userspace { tun = ... } */
	enum auth_provider_choice auth_provider;	/* auth { provider = local | radius } */
	struct radius_conf radius;		/* radius { } */
	struct das_conf das;			/* radius { das { } } */
	char userspace_shared_interface[16];	/* IFNAMSIZ; the shared TUN's name */
	char control_socket[108];
	char control_group[64];		/* empty: root only */
	enum log_level log_level;
	bool require_ipsec;
	char ipsec_socket[108];		/* the charon plugin connects here (docs/ipsec.md) */
	bool ipsec_delete_on_disconnect;	/* l2tpctl disconnect deletes the IKE SA */
	struct in_addr local_address;	/* our end of every PPP link */
	char host_name[64];
	char tunnel_secret[128];	/* L2TP tunnel authentication, 5.1.1 */
	/* limits */
	uint32_t max_tunnels, max_sessions, max_sessions_per_tunnel;
	uint32_t new_tunnel_rate, new_tunnel_burst;
	uint32_t control_connections;	/* open control-socket connections at once */
	uint32_t login_failures;	/* per (user, peer) before the back-off (auththrottle.h) */
	uint32_t peer_login_failures;	/* per peer address, all user names together */
	uint32_t max_half_open, half_open_timeout;	/* SCCRQ without SCCCN; seconds */
	uint32_t max_preauth_sessions;		/* 0: half of max_sessions */
	uint32_t max_preauth_per_tunnel;
	/* timers, seconds */
	uint32_t hello_interval, retransmit_initial, retransmit_max;
	uint32_t retransmit_tries;
	uint32_t lcp_echo_interval, lcp_echo_failures, auth_timeout;
	uint32_t control_idle;		/* a control connection silent this long is closed */
	uint32_t login_backoff, login_backoff_max;	/* first and longest login back-off */
	/* ppp */
	uint16_t mru;			/* 0: derived from path_mtu (link_mtu.h) */
	uint16_t path_mtu;		/* the clients' path to us, for that derivation */
	bool mss_clamp;			/* clamp TCP MSS on session links (mss_clamp.h) */
	/* internet_filter { interfaces, icmp } (edge_filter.h); no interfaces: off */
	struct edge_filter_config internet_filter;
	/* metrics { listen = ADDR:PORT  per_session = no } (metrics.h); off by default */
	struct sockaddr_storage metrics_listen;	/* ss_family 0: no endpoint */
	bool metrics_per_session;
};

void config_defaults(struct l2tpd_config *c);
/* 0 or -1 with a message "file:line:col: ..." in err. */
int config_load(const char *path, struct l2tpd_config *out, char *err, size_t errlen);
/* The same on text in memory named `name` (includes refused): for tests
 * and the fuzz target (test/fuzz/l2tpd). */
int config_load_buffer(const char *name, const void *buf, size_t len, struct l2tpd_config *out,
		       char *err, size_t errlen);

#endif
