/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpd's side of the charon plugin link (docs/ipsec.md): a unix
 * SOCK_SEQPACKET socket the plugin connects to, the table of IPsec SAs it
 * reports (ipsec_table.h), and the hooks the server calls:
 *
 *   - a new SCCRQ: ipsec_accept_tunnel() (require_ipsec: refuse peers
 *     without an L2TP CHILD_SA, stay silent while that cannot be told yet);
 *   - tunnel up/free: bind the tunnel to its IKE SA, so the IKE SA going
 *     down closes it, and policy conditions see its identities;
 *   - an administrator's disconnect: when the tunnel ends, ask charon to
 *     delete the IKE SA (ipsec_delete_on_disconnect).
 */
#ifndef L2TPD_IPSEC_H
#define L2TPD_IPSEC_H

#include <stdbool.h>
#include <stdint.h>

#include "l2tp.h"

struct server;
struct tunnel;
struct session;
struct policy_request;

/* Per tunnel, embedded in struct tunnel. */
struct ipsec_binding {
	uint32_t ike_id;		/* charon's IKE_SA unique id; 0: none */
	bool delete_on_end;		/* an administrator disconnected it */
};

/* Open the socket (cfg.ipsec_socket). With require_ipsec a failure stops
 * start-up (-1, logged); without, it is a warning. */
int ipsec_init(struct server *srv);
void ipsec_free(struct server *srv);

/* l2tp_ops.accept_tunnel */
enum l2tp_accept ipsec_accept_tunnel(void *srv, const struct l2tp_addr *peer,
				     const struct l2tp_addr *local);
/* The tunnel is up / its control connection has closed (L2TP_EV_TUNNEL_CLOSED,
 * after the StopCCN exchange), or the daemon stops (inside L2TP event callbacks: these
 * never call into the control plane). */
void ipsec_tunnel_up(struct server *srv, struct tunnel *t);
void ipsec_tunnel_free(struct server *srv, struct tunnel *t);
/* An administrator disconnected this session (l2tpctl disconnect). */
void ipsec_admin_disconnect(struct server *srv, struct session *s);
/* A session of t was destroyed (t->sessions already decremented); not
 * inside a control-plane callback. May close (and free) t. */
void ipsec_session_gone(struct server *srv, struct tunnel *t);
/* Identities of the tunnel's IKE SA for policy conditions. */
void ipsec_fill_request(struct server *srv, const struct tunnel *t, struct policy_request *req);
/* The peer's IKE identity, or NULL. */
const char *ipsec_tunnel_identity(struct server *srv, const struct tunnel *t);
/* The client's IKE port when it is behind a NAT (NAT-T: not 500), 0
 * otherwise or without an SA: RADIUS's Calling-Station-Id carries it. */
uint16_t ipsec_tunnel_natt_port(struct server *srv, const struct tunnel *t);
/* The peer certificate's subject and issuer DNs of the tunnel's IKE SA (when
 * it authenticated with a certificate), else NULL; for `l2tpctl sessions`. */
void ipsec_tunnel_cert(struct server *srv, const struct tunnel *t, const char **subject,
		       const char **issuer);
/* One status line ("charon link: connected, 3 IKE SAs, ...") into buf. */
void ipsec_status(struct server *srv, char *buf, size_t len);
/* SAs charon reported, and whether the plugin is connected with its
 * replay done (metrics.c). */
void ipsec_counts(struct server *srv, uint32_t *ike, uint32_t *child, bool *connected);

#endif
