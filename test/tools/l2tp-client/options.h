/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Command line of l2tp-client: see docs/test-client.md. */
#ifndef L2TP_CLIENT_OPTIONS_H
#define L2TP_CLIENT_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ppp/ppp.h"

struct client_opts {
	struct sockaddr_storage server;	/* address and port of the LNS */
	socklen_t server_len;
	bool has_bind;
	struct sockaddr_storage bind;	/* our address (port from --local-port) */
	socklen_t bind_len;
	uint16_t local_port;		/* shared socket's port; 0: ephemeral */
	const char *user, *password;	/* "{n}" becomes the session number */
	bool templated;			/* user or password contains "{n}" */
	enum ppp_auth_method auth;	/* PPP_AUTH_NONE: any the server asks */
	bool peap;			/* --auth peap: EAP, answered by peap.c */
	const char *ca_file;		/* --ca: the CA of the PEAP server's certificate */
	const char *server_name;	/* --server-name: its expected name, or NULL */
	const char *secret;		/* L2TP tunnel secret (section 5.1.1) */
	uint32_t sessions, tunnels, per_tunnel;
	double rate;			/* sessions opened per second; 0: all at once */
	bool ping;
	uint32_t ping_dst;		/* host order */
	uint32_t ping_count;
	uint32_t ping_interval_ms;
	uint32_t ping_wait_ms;		/* deadline from the first request (ping -w) */
	uint32_t ping_max_requests;	/* ping_count + ping_wait_ms / ping_interval_ms */
	bool dhcp_inform;		/* after IPCP, ask for the server's options as Windows does */
	uint8_t dhcp_type;		/* what to send: DHCPINFORM (8), or 1/3 to test refusal */
	bool ipv6_ra;			/* open IPV6CP, send Router Solicitations, wait for an RA */
	bool no_ipcp;			/* refuse IPCP (Protocol-Reject): IPV6CP is the network layer */
	const char *tun;		/* --tun: the session's IPv6 to and from this TUN device */
	uint64_t hold_ms;
	bool hold_forever;
	/* Send no authentication frame (PAP, CHAP, EAP) until this file
	 * exists: holds sessions at the server's authentication phase for
	 * as long as a test wants, without a timer. NULL: no gate. */
	const char *auth_gate;
	bool separate_ports;
	bool json, quiet;
	uint64_t timeout_ms;		/* every session up (and pinged) by then */
	uint64_t close_timeout_ms;	/* orderly close: wait this long for acks */
	uint32_t lcp_echo_interval_ms;	/* 0: no LCP echo requests of our own */
	uint32_t report_echoes;		/* while holding: say when every session had this many answered */
};

enum { OPTS_OK = 0, OPTS_HELP = 1, OPTS_USAGE = -1 };

/* Parse argv; on OPTS_USAGE err holds the reason. */
int client_opts_parse(int argc, char **argv, struct client_opts *o, char *err, size_t errlen);
extern const char client_usage_text[];

#endif
