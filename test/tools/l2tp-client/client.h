/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp-client: an LAC (l2tp proto library in LAC role) with a ppp-core
 * client on every session, a userspace data path (PPP in L2TP data
 * messages on the same UDP socket) and ICMP echo to prove IP end to end.
 * One thread, one epoll loop; timers in one min-heap. See
 * docs/test-client.md.
 */
#ifndef L2TP_CLIENT_H
#define L2TP_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "dhcp.h"
#include "ra.h"
#include "frames.h"
#include "heap.h"
#include "l2tp.h"
#include "options.h"
#include "peap.h"
#include "ppp/ppp.h"

enum cl_tunnel_state { CT_IDLE, CT_OPENING, CT_UP, CT_DOWN };

struct cl_tunnel {
	uint16_t id, peer_id;
	uint8_t state;			/* enum cl_tunnel_state */
	bool close_requested;		/* StopCCN asked for (deferred) */
	bool stopccn_sent, done;	/* done: StopCCN acked, or no ack to wait for */
	uint16_t stopccn_ns;
	uint8_t cause;			/* enum l2tp_down_cause */
	uint16_t result_code, error_code;
	uint32_t live_sessions;		/* opened and not yet down at L2TP level */
	int fd;
	struct l2tp_addr local, peer;
};

/* Where a failed session stopped. */
enum cl_stage {
	STAGE_NONE,
	STAGE_L2TP,	/* tunnel or ICRQ/ICRP/ICCN */
	STAGE_LCP,
	STAGE_AUTH,
	STAGE_IPCP,
	STAGE_PING,	/* up, but echo replies missing */
	STAGE_UP,	/* was up, then dropped by the peer */
};

struct client;

/* The server's DHCPACK to our DHCPINFORM, as text for the report. */
struct cl_inform {
	uint32_t dns[2];
	char domain[DHCP_DOMAIN_MAX + 1];
	char routes[DHCP_INFORM_MAX_ROUTES * 34 + 1];	/* option 121: "dst/len>router,..." */
	char routes_ms[DHCP_INFORM_MAX_ROUTES * 34 + 1];	/* option 249 */
};

struct cl_session {
	struct ppp_session ppp;
	struct client *cl;
	struct cl_tunnel *tunnel;
	uint32_t index;			/* 0-based; printed 1-based */
	uint16_t sid, peer_sid;
	uint16_t peer_tid;		/* copied from SESSION_UP, for the data path */
	bool opened, l2tp_up, l2tp_down;
	bool ppp_started, ppp_down, ipcp_up, ipv6cp_up;
	bool reported, success, dropped, cdn_pending, closing, timed_out;
	bool start_pending;		/* L2TP up, PPP waits for our ICCN to leave */
	bool iccn_sent;
	uint8_t stage;			/* enum cl_stage reached (failures: where) */
	uint8_t ppp_reason;		/* enum ppp_down_reason */
	uint8_t l2tp_cause;		/* enum l2tp_down_cause */
	uint8_t auth_method;
	bool auth_done, auth_ok;
	uint16_t auth_code;
	uint16_t l2tp_result, l2tp_error;
	uint32_t addr, peer_addr, dns[2], nbns[2];
	uint32_t ping_sent, ping_recv;
	uint32_t inform_sent;		/* --dhcp-inform: DHCPINFORMs sent */
	struct cl_inform *inform;	/* what the DHCPACK said, once it came */
	uint32_t rs_sent, ra_recv;	/* --ipv6-ra: solicitations sent, advertisements taken */
	struct ra_info *ra;		/* the first advertisement after our solicitation */
	uint8_t ll[16];			/* our link-local address (IPV6CP) */
	uint8_t peer_ll[16];		/* the server's, from its identifier */
	uint64_t ppp_deadline, ping_deadline;	/* ms, 0: none */
	uint64_t ping_start;			/* ms, first request */
	uint64_t t_open_us, t_up_us;
	const struct ppp_config *cfg;
	char auth_message[64];		/* MS-CHAPv2 M= text */
	/* --auth peap: the method's state, from the server's Start until
	 * the authentication's outcome or the link's end; what the report
	 * needs of it stays after */
	struct peap_session *peap;
	uint8_t peap_status;		/* enum peap_status */
	uint16_t peap_code;		/* MS-CHAPv2 Failure E= */
	const char *peap_detail;	/* static text */
};

enum cl_phase { PH_SETUP, PH_HOLD, PH_CLOSING, PH_DONE };

struct cl_counters {
	uint64_t rx_data, rx_control, tx_data, tx_control;
	uint64_t data_rejects[L2TP_R_MAX];	/* l2tp_data_header_parse reasons */
	uint64_t data_unknown_session;
	uint64_t data_not_ip;			/* PPP_INPUT_DATA of another protocol */
	uint64_t echo_rejects[ECHO_R_MAX];
	uint64_t echo_foreign;			/* valid reply, not ours */
	uint64_t echo_duplicate;
	uint64_t inform_foreign;		/* a DHCP answer not for us (--dhcp-inform) */
	uint64_t ipv6_other;			/* IPv6 that is no valid RA (--ipv6-ra) */
	uint64_t tun_rx, tun_tx, tun_dropped;	/* --tun: IPv6 read from it, written to it,
						 * read while IPV6CP was down */
	uint64_t send_errors, recv_errors;
	/* our LCP Configure-Requests, and those sent again with the same
	 * Identifier: a retransmission after the restart timer (RFC 1661
	 * 4.6), i.e. the LNS never answered the first one */
	uint64_t lcp_confreq_sent, lcp_confreq_retransmits;
	uint64_t auth_gated;		/* authentication frames held back (--auth-gate) */
};

struct client {
	const struct client_opts *o;
	struct l2tp_ctx *ctx;
	struct ppp_config pcfg;
	struct ppp_client_credentials creds;
	struct peap_config peap;		/* --auth peap: CA and name, shared */
	struct ppp_eap_method peap_method;
	struct ppp_config *cfgs;		/* per session, with --user "{n}" */
	struct ppp_client_credentials *cred_list;
	char *cred_strings;
	struct cl_tunnel *tunnels;
	struct cl_session *sessions;
	uint8_t *ping_seen;			/* ping_max_requests bits per session */
	size_t ping_seen_stride;
	struct dheap heap;
	uint32_t *deferred;			/* sessions with start_ or cdn_pending */
	uint32_t n_deferred;
	uint32_t *iccn_hash;			/* (tunnel, peer session id) -> index + 1 */
	uint32_t iccn_mask;
	uint32_t *tid_map;			/* our tunnel id -> index + 1 */
	uint32_t *peer_tid_map;			/* peer's tunnel id -> index + 1 */
	int *port_fd;				/* local port -> fd (separate ports) */
	struct l2tp_addr *fd_local;		/* fd -> its bound address */
	int fd_local_cap;
	int epfd, sigfd, shared_fd;
	int tun_fd;				/* --tun: -1 none */
	enum cl_phase phase;
	uint64_t now;				/* ms: time of the current step */
	const char *abort_reason;		/* "timeout", "interrupted" */
	bool tunnels_dirty;			/* some tunnel has close_requested */
	uint8_t *rxbuf;
	uint32_t next_open;			/* sessions opened so far */
	uint64_t t0_ms, t0_us, setup_deadline, hold_until, close_deadline;
	uint64_t t_first_open_us, t_last_up_us;
	uint32_t n_up, n_failed, n_reported, n_dropped, n_success;
	uint64_t ping_sent, ping_recv;
	uint32_t *setup_us;			/* set-up times of the sessions that came up */
	uint32_t interrupted;			/* signals seen */
	bool echoes_reported;			/* --report-echoes said its line */
	uint64_t rng[2];
	struct cl_counters cnt;
};

int client_init(struct client *cl, const struct client_opts *o);
/* Runs to the end; returns the exit status (0 or 1). */
int client_run(struct client *cl);
void client_free(struct client *cl);

/* Monotonic clock in microseconds. */
uint64_t mono_time_us(void);

/* report.c */
void report_session(struct client *cl, struct cl_session *s, const char *event);
void report_summary(struct client *cl);
void report_echoes(struct client *cl, uint32_t answered);
void report_flush(void);
const char *stage_name(enum cl_stage st);

#endif
