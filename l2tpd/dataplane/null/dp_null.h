/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The null data plane (dataplane_null): no kernel, no device, no packet
 * leaves. It accepts tunnels and sessions, records what the daemon asked of
 * it, and delivers PPP frames a test injects, so that unit tests (and the
 * daemon driven in memory) see the interface of dataplane.h exactly as a
 * real backend presents it. See docs/dataplane.md.
 *
 * Everything it records stays readable until destroy (deleted tunnels and
 * sessions are marked, not freed), so a test can check the close sequence.
 */
#ifndef L2TPD_DP_NULL_H
#define L2TPD_DP_NULL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane.h"

#define DP_NULL_FRAME_MAX 1500	/* longest PPP frame recorded (longer: truncated, counted) */
#define DP_NULL_SENT_MAX 16	/* PPP frames kept per session (the last ones) */

/* What the null backend does when asked; zero for "accept everything". */
struct dp_null_config {
	uint32_t caps;			/* enum dp_cap_flags it reports */
	uint8_t fds_per_tunnel, fds_per_session;
	uint8_t fds_session_early;	/* of fds_per_session, held before session_netdev */
	int refuse_tunnel;		/* tunnel_create fails with this -errno... */
	const char *refuse_tunnel_why;	/* ...and says this */
	int refuse_session;		/* session_create fails with this -errno */
	int refuse_netdev;		/* session_netdev fails with this -errno */
	int refuse_set_ip;		/* session_set_ip fails with this -errno */
	int defer_netdev;		/* offer session_netdev (as the userspace plane) */
};

struct dp_null_frame {
	size_t len;
	uint8_t data[DP_NULL_FRAME_MAX];
};

struct dp_tunnel {
	struct dp_tunnel *next;		/* every tunnel ever created, newest first */
	struct dp_tunnel_params params;	/* as given (why/why_len cleared) */
	bool deleted;
	unsigned n_sessions;		/* live ones */
};

struct dp_session {
	struct dp_session *next;	/* every session ever created, newest first */
	struct dp_tunnel *tunnel;
	void *cookie;
	struct dp_session_params params; /* ifname_hint copied into hint */
	char hint[IFNAMSIZ];
	char ifname[IFNAMSIZ];		/* hint, or "null<n>" */
	bool deleted;
	bool netdev;			/* the device exists (create or session_netdev) */
	bool ip_set;
	struct dp_ip_params ip;		/* the last session_set_ip */
	unsigned set_ip_calls;
	uint16_t mtu;			/* the last session_set_mtu, 0 never */
	int seq;			/* last session_set_seq: -1 never, 0 off, 1 on */
	uint64_t sent_count;		/* PPP frames the daemon sent */
	uint64_t sent_truncated;
	struct dp_null_frame sent[DP_NULL_SENT_MAX]; /* ring: sent_count % MAX is next */
	struct dp_stats stats;		/* session_stats answers this; tests may set it */
};

/* Received data messages (data_rx) and their metadata. */
struct dp_null_rx {
	uint64_t count;
	size_t last_len;
	struct sockaddr_storage last_from;
	bool last_has_mark;
	uint32_t last_mark;
};

/* Create with a config (NULL: accept everything, no capabilities). The
 * ops' create is this with NULL. */
int dp_null_create(const struct dp_callbacks *cb, const struct dp_null_config *cfg,
		   struct dataplane **out);

/* The recorded tunnels and sessions, newest first (deleted ones too). */
struct dp_tunnel *dp_null_tunnels(struct dataplane *dp);
struct dp_session *dp_null_sessions(struct dataplane *dp);
/* The live session with this local id in the tunnel with this id, or NULL. */
struct dp_session *dp_null_session_find(struct dataplane *dp, uint16_t tunnel_id,
					uint16_t session_id);
unsigned dp_null_live_sessions(const struct dataplane *dp);
const struct dp_null_rx *dp_null_rx(const struct dataplane *dp);
/* The n-th frame the daemon sent on s counting back from the last (0),
 * or NULL if not kept. */
const struct dp_null_frame *dp_null_sent(const struct dp_session *s, unsigned back);

/* A PPP frame (protocol field first) from the peer, as a real backend hands
 * one up: ppp_control_rx with the session's cookie. -ENOENT for a deleted
 * session. */
int dp_null_inject_ppp(struct dataplane *dp, struct dp_session *s, const uint8_t *frame,
		       size_t len);

#endif
