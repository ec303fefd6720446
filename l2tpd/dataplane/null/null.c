/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The null data plane: records what it is asked, delivers injected frames
 * (dp_null.h). No I/O, no fds: the daemon's watch_fd is never called.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp_null.h"

struct dataplane {
	struct dp_callbacks cb;
	struct dp_null_config cfg;
	struct dp_tunnel *tunnels;
	struct dp_session *sessions;
	unsigned live_sessions, next_unit;
	struct dp_null_rx rx;
};

static int null_probe(char *reason, size_t reason_len)
{
	snprintf(reason, reason_len, "always available (it moves no packets)");
	return 0;
}

int dp_null_create(const struct dp_callbacks *cb, const struct dp_null_config *cfg,
		   struct dataplane **out)
{
	struct dataplane *dp;

	*out = NULL;
	if (!cb || !cb->ppp_control_rx)
		return -EINVAL;
	dp = calloc(1, sizeof(*dp));
	if (!dp)
		return -ENOMEM;
	dp->cb = *cb;
	if (cfg)
		dp->cfg = *cfg;
	*out = dp;
	return 0;
}

static int null_create(const struct dp_callbacks *cb, const struct dp_config *cfg,
		       struct dataplane **out)
{
	(void)cfg;
	return dp_null_create(cb, NULL, out);
}

static void null_destroy(struct dataplane *dp)
{
	if (!dp)
		return;
	while (dp->sessions) {
		struct dp_session *s = dp->sessions;
		dp->sessions = s->next;
		free(s);
	}
	while (dp->tunnels) {
		struct dp_tunnel *t = dp->tunnels;
		dp->tunnels = t->next;
		free(t);
	}
	free(dp);
}

static void null_caps(const struct dataplane *dp, struct dp_caps *out)
{
	memset(out, 0, sizeof(*out));
	out->flags = dp->cfg.caps;
	out->fds_per_tunnel = dp->cfg.fds_per_tunnel;
	out->fds_per_session = dp->cfg.fds_per_session;
	out->fds_session_early = dp->cfg.fds_session_early;
	if (!(out->flags & DP_CAP_SESSION_NETDEV))
		out->no_netdev_why = "the null data plane (no devices)";
}

static int null_tunnel_create(struct dataplane *dp, const struct dp_tunnel_params *p,
			      struct dp_tunnel **out)
{
	struct dp_tunnel *t;

	*out = NULL;
	/* RFC 2661 section 3.1: Tunnel ID 0 is reserved. */
	if (!p || !p->local_tunnel_id || !p->peer_tunnel_id)
		return -EINVAL;
	if (dp->cfg.refuse_tunnel) {
		if (p->why && p->why_len && dp->cfg.refuse_tunnel_why)
			snprintf(p->why, p->why_len, "%s", dp->cfg.refuse_tunnel_why);
		return dp->cfg.refuse_tunnel;
	}
	for (t = dp->tunnels; t; t = t->next)
		if (!t->deleted && t->params.local_tunnel_id == p->local_tunnel_id)
			return -EEXIST;
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->params = *p;
	t->params.why = NULL;
	t->params.why_len = 0;
	t->next = dp->tunnels;
	dp->tunnels = t;
	*out = t;
	return 0;
}

static void null_session_delete(struct dataplane *dp, struct dp_session *s)
{
	if (!s || s->deleted)
		return;
	s->deleted = true;
	s->netdev = false;
	s->tunnel->n_sessions--;
	dp->live_sessions--;
}

static void null_tunnel_delete(struct dataplane *dp, struct dp_tunnel *t)
{
	if (!t || t->deleted)
		return;
	/* Sessions the daemon left behind go first, as in every backend. */
	for (struct dp_session *s = dp->sessions; s; s = s->next)
		if (s->tunnel == t)
			null_session_delete(dp, s);
	t->deleted = true;
}

static int null_tunnel_fd(struct dataplane *dp, struct dp_tunnel *t)
{
	(void)dp;
	(void)t;
	return -1;
}

static int null_session_create(struct dataplane *dp, struct dp_tunnel *t,
			       const struct dp_session_params *p, void *cookie,
			       struct dp_session **out)
{
	struct dp_session *s;

	*out = NULL;
	/* RFC 2661 section 3.1: Session ID 0 is reserved for the tunnel. */
	if (!t || t->deleted || !p || !p->local_session_id || !p->peer_session_id)
		return -EINVAL;
	if (dp->cfg.refuse_session)
		return dp->cfg.refuse_session;
	for (s = dp->sessions; s; s = s->next)
		if (!s->deleted && s->tunnel == t &&
		    s->params.local_session_id == p->local_session_id)
			return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->tunnel = t;
	s->cookie = cookie;
	s->params = *p;
	s->seq = -1;
	if (p->ifname_hint) {
		snprintf(s->hint, sizeof(s->hint), "%s", p->ifname_hint);
		s->params.ifname_hint = s->hint;
	}
	if (s->hint[0])
		snprintf(s->ifname, sizeof(s->ifname), "%s", s->hint);
	else
		snprintf(s->ifname, sizeof(s->ifname), "null%u", dp->next_unit);
	dp->next_unit++;
	/* As the userspace plane: with session_netdev offered, defer_netdev
	 * leaves the device to it; otherwise the device exists now. */
	s->netdev = !(dp->cfg.defer_netdev && p->defer_netdev);
	s->next = dp->sessions;
	dp->sessions = s;
	t->n_sessions++;
	dp->live_sessions++;
	*out = s;
	return 0;
}

static int null_session_netdev(struct dataplane *dp, struct dp_session *s)
{
	if (!s || s->deleted)
		return -EINVAL;
	if (s->netdev)
		return 0;
	if (dp->cfg.refuse_netdev)
		return dp->cfg.refuse_netdev;
	s->netdev = true;
	return 0;
}

static int null_session_send_ppp(struct dataplane *dp, struct dp_session *s,
				 const uint8_t *frame, size_t len)
{
	struct dp_null_frame *f;

	(void)dp;
	if (!s || s->deleted)
		return -EINVAL;
	f = &s->sent[s->sent_count % DP_NULL_SENT_MAX];
	f->len = len < sizeof(f->data) ? len : sizeof(f->data);
	if (f->len < len)
		s->sent_truncated++;
	memcpy(f->data, frame, f->len);
	s->sent_count++;
	return 0;	/* control, not data: not in s->stats (session_stats) */
}

static int null_session_set_ip(struct dataplane *dp, struct dp_session *s,
			       const struct dp_ip_params *ip)
{
	if (!s || s->deleted || !ip)
		return -EINVAL;
	if (dp->cfg.refuse_set_ip)
		return dp->cfg.refuse_set_ip;
	s->netdev = true;	/* "session_set_ip makes it too" (dataplane.h) */
	s->ip = *ip;
	s->ip_set = true;
	s->set_ip_calls++;
	return 0;
}

static int null_session_stats(struct dataplane *dp, struct dp_session *s, struct dp_stats *st)
{
	(void)dp;
	if (!s || s->deleted)
		return -EINVAL;
	*st = s->stats;
	return 0;
}

static const char *null_session_ifname(struct dataplane *dp, struct dp_session *s)
{
	(void)dp;
	return s && !s->deleted && s->netdev ? s->ifname : NULL;
}

static int null_session_set_mtu(struct dataplane *dp, struct dp_session *s, uint16_t mtu)
{
	if (!s || s->deleted || !mtu)
		return -EINVAL;
	if (!(dp->cfg.caps & DP_CAP_SESSION_NETDEV))
		return -EOPNOTSUPP;
	s->mtu = mtu;
	return 0;
}

static int null_session_set_seq(struct dataplane *dp, struct dp_session *s, int on)
{
	(void)dp;
	if (!s || s->deleted)
		return -EINVAL;
	s->seq = on ? 1 : 0;
	return 0;
}

static void null_fd_ready(struct dataplane *dp, int fd)
{
	(void)dp;
	(void)fd;	/* it never asks for an fd to be watched */
}

static void null_data_rx(struct dataplane *dp, const uint8_t *msg, size_t len,
			 const struct dp_rx_meta *meta)
{
	(void)msg;
	dp->rx.count++;
	dp->rx.last_len = len;
	memset(&dp->rx.last_from, 0, sizeof(dp->rx.last_from));
	dp->rx.last_has_mark = false;
	dp->rx.last_mark = 0;
	if (meta && meta->from)
		dp->rx.last_from = *meta->from;
	if (meta && meta->has_mark) {
		dp->rx.last_has_mark = true;
		dp->rx.last_mark = meta->mark;
	}
}

struct dp_tunnel *dp_null_tunnels(struct dataplane *dp)
{
	return dp->tunnels;
}

struct dp_session *dp_null_sessions(struct dataplane *dp)
{
	return dp->sessions;
}

struct dp_session *dp_null_session_find(struct dataplane *dp, uint16_t tunnel_id,
					uint16_t session_id)
{
	for (struct dp_session *s = dp->sessions; s; s = s->next)
		if (!s->deleted && s->tunnel->params.local_tunnel_id == tunnel_id &&
		    s->params.local_session_id == session_id)
			return s;
	return NULL;
}

unsigned dp_null_live_sessions(const struct dataplane *dp)
{
	return dp->live_sessions;
}

const struct dp_null_rx *dp_null_rx(const struct dataplane *dp)
{
	return &dp->rx;
}

const struct dp_null_frame *dp_null_sent(const struct dp_session *s, unsigned back)
{
	if (back >= DP_NULL_SENT_MAX || back >= s->sent_count)
		return NULL;
	return &s->sent[(s->sent_count - 1 - back) % DP_NULL_SENT_MAX];
}

int dp_null_inject_ppp(struct dataplane *dp, struct dp_session *s, const uint8_t *frame,
		       size_t len)
{
	if (!s || s->deleted)
		return -ENOENT;
	dp->cb.ppp_control_rx(dp->cb.ctx, s, s->cookie, frame, len);
	return 0;
}

/* session_netdev is offered only when the config asks for it (defer_netdev):
 * the ops table has it, and null_session_netdev answers at once otherwise
 * (the device was made at session_create). */
const struct dataplane_ops dataplane_null = {
	.name = "null",
	.probe = null_probe,
	.create = null_create,
	.destroy = null_destroy,
	.caps = null_caps,
	.tunnel_create = null_tunnel_create,
	.tunnel_delete = null_tunnel_delete,
	.tunnel_fd = null_tunnel_fd,
	.session_create = null_session_create,
	.session_delete = null_session_delete,
	.session_send_ppp = null_session_send_ppp,
	.session_set_ip = null_session_set_ip,
	.session_stats = null_session_stats,
	.session_ifname = null_session_ifname,
	.session_netdev = null_session_netdev,
	.session_set_seq = null_session_set_seq,
	.session_set_mtu = null_session_set_mtu,
	.fd_ready = null_fd_ready,
	.data_rx = null_data_rx,
};
