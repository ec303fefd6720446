/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A session's life: L2TP incoming call -> PPP (ppp-core) -> pre-auth policy
 * picks the auth methods -> the authentication provider hands out the
 * user's secret and ppp-core verifies it (or the provider verifies;
 * auth_provider.h) -> post-auth policy decision -> IPCP with the profile's address and
 * DNS/WINS -> the data plane carries IP. Refusals reach the client with the
 * right code and one log line. See docs/l2tpd.md.
 */
#ifndef L2TPD_SESSION_H
#define L2TPD_SESSION_H

#include "server.h"

void session_fill_ppp_config(struct server *srv);
/* The authentication provider l2tpd.conf chose (auth_provider.h): 0 or -1. */
int session_auth_init(struct server *srv);
/* L2TP_EV_SESSION_ACCEPTED (ICRP about to leave): the session and its
 * data-plane session are made now, PPP starts at the ICCN. */
void session_l2tp_accepted(struct server *srv, const struct l2tp_event *ev);
void session_l2tp_up(struct server *srv, const struct l2tp_event *ev);
void session_l2tp_down(struct server *srv, const struct l2tp_event *ev);
void session_ppp_input(struct server *srv, struct session *s, const uint8_t *frame, size_t len);
void session_timer_fired(struct server *srv, struct timer_node *n, uint64_t now);
/* Ask for a session's end (PPP Terminate, then CDN with result/error);
 * safe inside callbacks: the work runs in sessions_run_pending(). */
void session_request_close(struct session *s, const char *reason, uint16_t result, uint16_t error);
void sessions_run_pending(struct server *srv);
/* Free at once (server shutdown): no messages sent. */
void session_destroy(struct server *srv, struct session *s);
/* Proxy ARP for the session's address on (the LAN answers ARP for it) or
 * off, now if IPCP is up, else when it comes up (proxyarp.h, at a
 * reload). 0 or the data plane's -errno (then off). */
int session_set_proxy_arp(struct session *s, bool on);
uint64_t session_packets(struct server *srv, struct session *s, struct dp_stats *st);
/* RADIUS NAS-Port (unique among the sessions up) and Acct-Session-Id
 * (unique across restarts: the run's random prefix and a serial). */
uint32_t session_nas_port(const struct session *s);
const char *session_acct_session_id(const struct session *s, char *buf, size_t len);
/* What the authentication provider is told of the session (its
 * Access-Request), for its accounting too; asid: room for the
 * Acct-Session-Id that f points to. */
struct auth_session_facts;
void session_auth_facts(struct session *s, struct auth_session_facts *f, char *asid, size_t len);

#endif
