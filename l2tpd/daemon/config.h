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

#include "log.h"

#define L2TPD_MAX_LISTEN 8

enum dataplane_choice { DP_AUTO, DP_KERNEL, DP_USERSPACE };
/* The userspace data path's devices (docs/dataplane-userspace.md). */
enum userspace_tun { USERSPACE_TUN_PER_SESSION, USERSPACE_TUN_SHARED };

struct l2tpd_config {
	struct sockaddr_storage listen[L2TPD_MAX_LISTEN];
	unsigned n_listen;
	uint16_t port;
	enum dataplane_choice dataplane;
	enum userspace_tun userspace_tun;	/* userspace { tun = ... } */
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
	uint32_t max_half_open, half_open_timeout;	/* SCCRQ without SCCCN; seconds */
	uint32_t max_preauth_sessions;		/* 0: half of max_sessions */
	uint32_t max_preauth_per_tunnel;
	/* timers, seconds */
	uint32_t hello_interval, retransmit_initial, retransmit_max;
	uint32_t retransmit_tries;
	uint32_t lcp_echo_interval, lcp_echo_failures, auth_timeout;
	/* ppp */
	uint16_t mru;
};

void config_defaults(struct l2tpd_config *c);
/* 0 or -1 with a message "file:line:col: ..." in err. */
int config_load(const char *path, struct l2tpd_config *out, char *err, size_t errlen);

#endif
