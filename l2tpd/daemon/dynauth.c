/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Dynamic authorization in the daemon, RFC 5176 (dynauth.h). */
#include "dynauth.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "acct.h"
#include "das.h"
#include "dynauth_index.h"
#include "filter.h"
#include "fnv.h"
#include "ipsec.h"
#include "log.h"
#include "log_ratelimit.h"
#include "metrics_text.h"
#include "radius_nas.h"
#include "server.h"
#include "session.h"
#include "strbuf.h"
#include "text.h"

#define RX_BATCH 64		/* datagrams per wake-up: bounded, fair to the rest */

struct dynauth {
	struct server *srv;
	struct das_conf conf;		/* a copy: the DAS's secrets point into it */
	struct radius_das *das;
	int fd[L2TPD_DAS_MAX_LISTEN];
	sd_event_source *src[L2TPD_DAS_MAX_LISTEN];
	struct sockaddr_storage bound[L2TPD_DAS_MAX_LISTEN];	/* fd[i]'s address */
	unsigned n_fd;
	struct das_index ix;
	struct radius_das_stats base;	/* the counters of DAS instances a reload replaced */
	struct dynauth_stats st;
	struct log_rl rl_dropped;	/* anyone can make us drop datagrams */
	const char *client;		/* the request's client, for the log lines of act */
	char asid[24], called[48];	/* describe's strings, used before the next call */
};

/* ---- the index (dynauth_index.h) ---------------------------------------------- */

void dynauth_session_up(struct server *srv, struct session *s)
{
	struct dynauth *d = srv->dynauth;
	char calling[64];

	if (!d || das_index_owner(&d->ix, s, s->serial))
		return;
	radius_nas_station(&s->peer, ipsec_tunnel_natt_port(srv, s->tunnel), calling,
			    sizeof(calling));
	if (!das_index_add(&d->ix, s, s->serial, session_nas_port(s), htonl(s->peer_addr), s->user,
			   calling))
		log_err("session %u/%u: no memory for the dynamic authorization index: RADIUS "
			"Disconnect- and CoA-Requests will not find it", s->tunnel_id, s->session_id);
}

void dynauth_session_address(struct server *srv, struct session *s, uint32_t peer_addr)
{
	struct dynauth *d = srv->dynauth;
	struct das_index_entry *e;

	if (d && (e = das_index_owner(&d->ix, s, s->serial)))
		das_index_set_framed_ip(&d->ix, e, htonl(peer_addr));
}

void dynauth_session_gone(struct server *srv, struct session *s)
{
	struct dynauth *d = srv->dynauth;
	struct das_index_entry *e;

	if (d && (e = das_index_owner(&d->ix, s, s->serial)))
		das_index_remove(&d->ix, e);
}

/* Our Acct-Session-Id is the run's prefix and the serial in 16 upper-case
 * hex digits (session_acct_session_id): anything else names no session of
 * this run. */
static bool parse_acct_session_id(const struct server *srv, const char *v, uint32_t *serial)
{
	char prefix[9];

	if (strlen(v) != 16)
		return false;
	snprintf(prefix, sizeof(prefix), "%08X", srv->acct_prefix);
	if (memcmp(v, prefix, 8) != 0)
		return false;
	*serial = 0;
	for (int i = 8; i < 16; i++) {
		char c = v[i];

		if (c >= '0' && c <= '9')
			*serial = *serial << 4 | (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			*serial = *serial << 4 | (uint32_t)(c - 'A' + 10);
		else
			return false;
	}
	return true;
}

struct candidates {
	void **out;
	size_t max, n;
};

/* A session closing already is not acted on again: not found. Past max
 * the lookup stops (the request is refused with 508 then). */
static bool add_candidate(void *ctx, struct das_index_entry *e)
{
	struct candidates *c = ctx;
	const struct session *s = e->owner;

	if (s->close_requested || s->state != SESSION_UP)
		return true;
	if (c->n < c->max)
		c->out[c->n] = e;
	c->n++;
	return c->n <= c->max;
}

/* radius_das_ops.find: one chain of one index. */
static size_t op_find(void *ctx, enum radius_das_key key, const struct radius_das_match *m,
		      void **out, size_t max)
{
	struct dynauth *d = ctx;
	struct candidates c = { .out = out, .max = max };
	uint32_t serial;

	switch (key) {
	case RADIUS_DAS_KEY_ACCT_SESSION_ID:
		if (parse_acct_session_id(d->srv, m->acct_session_id, &serial))
			das_index_lookup_u32(&d->ix, DAS_IX_SERIAL, serial, add_candidate, &c);
		break;
	case RADIUS_DAS_KEY_NAS_PORT:
		das_index_lookup_u32(&d->ix, DAS_IX_NAS_PORT, m->nas_port, add_candidate, &c);
		break;
	case RADIUS_DAS_KEY_FRAMED_IP:
		/* 0: the key of sessions whose IPCP is down, not an address */
		if (m->framed_ip)
			das_index_lookup_u32(&d->ix, DAS_IX_FRAMED_IP, m->framed_ip, add_candidate,
					     &c);
		break;
	case RADIUS_DAS_KEY_USER_NAME:
		das_index_lookup_str(&d->ix, DAS_IX_USER, m->user, add_candidate, &c);
		break;
	case RADIUS_DAS_KEY_CALLING_STATION_ID:
		das_index_lookup_str(&d->ix, DAS_IX_CALLING, m->calling_station_id, add_candidate,
				     &c);
		break;
	case RADIUS_DAS_KEY_CALLED_STATION_ID:
	default:
		/* Called-Station-Id alone: our address, every session on it.
		 * The one walk, stopped past max (describe() compares). */
		das_index_walk(&d->ix, add_candidate, &c);
		break;
	}
	return c.n;
}

static void op_describe(void *ctx, void *handle, struct radius_das_session *out)
{
	struct dynauth *d = ctx;
	struct das_index_entry *e = handle;
	struct session *s = e->owner;

	out->user = s->user;
	out->acct_session_id = session_acct_session_id(s, d->asid, sizeof(d->asid));
	out->calling_station_id = e->calling;
	out->called_station_id = NULL;
	if (s->tunnel) {
		radius_nas_station(&s->tunnel->local, 0, d->called, sizeof(d->called));
		out->called_station_id = d->called;
	}
	/* the address it has now, as the index has it (IPCP up and its
	 * renegotiations set it, IPCP down clears it: session.c), so that
	 * a request found by another key and naming an address the session
	 * no longer has does not act on it */
	out->framed_ip = e->framed_ip;
	out->nas_port = session_nas_port(s);
}

/* RFC 5176 section 3: end the session as l2tpctl disconnect does (the
 * IPsec SA as ipsec_delete_on_disconnect says, LCP Terminate-Request, CDN
 * result 3), with a close reason of its own. The ACK leaves after the
 * close has started; the session ends in sessions_run_pending. */
static uint32_t op_disconnect(void *ctx, void *handle)
{
	struct dynauth *d = ctx;
	struct session *s = (struct session *)((struct das_index_entry *)handle)->owner;

	log_notice("session %u/%u: user '%s' disconnected by a RADIUS Disconnect-Request from "
		   "DAS client '%s'", s->tunnel_id, s->session_id, SAFE_STR(s->user), d->client);
	acct_session_end(s, RADIUS_END_ADMIN_DISCONNECT);	/* Stop: Admin-Reset */
	ipsec_admin_disconnect(d->srv, s);
	session_request_close(s, DYNAUTH_CLOSE_REASON, L2TP_CDN_ADMIN, 0);
	d->st.disconnects++;
	return 0;
}

/* Filter-Id: the named policy's filters instead of the session's, as in an
 * Access-Accept (radius_attrs.c). Make before break (filters_replace): the
 * new chains exist first, then one nftables transaction swaps the
 * session's map elements, so its packets are never unfiltered. When the
 * new filter cannot be installed, nothing changed: the session keeps the
 * filter it had (it is never left without one) and the answer says 506
 * (RFC 5176 3.5: the NAS could not do it; a CoA-NAK means the session's
 * authorization is as before, section 3). The session is not closed: it
 * is as authorized as before the request, and the server, told by the
 * NAK, may end it with a Disconnect-Request. */
static uint32_t change_filter(struct dynauth *d, struct session *s, const char *name)
{
	struct server *srv = d->srv;
	const struct policy_profile *prof;
	const char *ifname = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : NULL;
	int index = policy_find_policy(srv->policy, name, &prof);
	bool needed;
	char err[256];

	if (index < 0)
		return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;	/* RFC 5176 3.5: 407 */
	needed = filter_needed(&prof->filter_in) || filter_needed(&prof->filter_out);
	if (!needed && !s->filter_in && !s->filter_out)
		return 0;
	if (needed && (!(srv->dp_caps.flags & DP_CAP_SESSION_NETDEV) || !ifname))
		snprintf(err, sizeof(err), "%s cannot tell sessions apart for nftables",
			 srv->dp_caps.no_netdev_why);
	else if (filters_replace(srv->filters, ifname, index, &prof->filter_in, &prof->filter_out,
				 &s->filter_in, &s->filter_out, err, sizeof(err)) == 0)
		return 0;
	log_err("session %u/%u: user '%s': the packet filter of policy '%s' (CoA-Request "
		"Filter-Id) not installed: %s: nothing changed, the session keeps its %s",
		s->tunnel_id, s->session_id, SAFE_STR(s->user), SAFE_STR(name), err,
		s->filter_in || s->filter_out ? "filters" : "(no) filters");
	return RADIUS_EC_RESOURCES_UNAVAILABLE;
}

/* The limit timer at the earlier of the two deadlines, as the session's
 * own timer code computes them (session.c session_timer_fired), which
 * ends the session when it fires. */
static uint32_t rearm_limits(struct server *srv, struct session *s)
{
	uint64_t d = UINT64_MAX;

	if (s->session_timeout)
		d = s->up_ms + (uint64_t)s->session_timeout * 1000;
	if (s->idle_timeout && s->last_activity_ms + (uint64_t)s->idle_timeout * 1000 < d)
		d = s->last_activity_ms + (uint64_t)s->idle_timeout * 1000;
	if (d == UINT64_MAX) {
		timerheap_cancel(&srv->timers, &s->limit_timer);
		return 0;
	}
	return timerheap_set(&srv->timers, &s->limit_timer, d) ? RADIUS_EC_RESOURCES_UNAVAILABLE
							       : 0;
}

/* RFC 5176 section 3.1: a CoA-Request changes the session's authorization.
 * Session-Timeout counts from the session's start, as in an Access-Accept
 * (RFC 2865 5.27): a value the session has passed ends it at once; 0
 * removes the limit. Idle-Timeout counts from the last traffic. */
static uint32_t op_change(void *ctx, void *handle, const struct radius_das_change *c)
{
	struct dynauth *d = ctx;
	struct server *srv = d->srv;
	struct session *s = (struct session *)((struct das_index_entry *)handle)->owner;
	uint32_t cause;

	if (c->filter_id && (cause = change_filter(d, s, c->filter_id)))
		return cause;
	if (c->session_timeout_set)
		s->session_timeout = c->session_timeout;
	if (c->idle_timeout_set) {
		if (!s->idle_timeout && c->idle_timeout) {
			/* the idle clock starts now: the baseline of traffic */
			struct dp_stats st;

			s->seen_packets = session_packets(srv, s, &st);
			s->last_activity_ms = server_now_ms(srv);
		}
		s->idle_timeout = c->idle_timeout;
	}
	if ((c->session_timeout_set || c->idle_timeout_set) && (cause = rearm_limits(srv, s)))
		return cause;
	log_notice("session %u/%u: user '%s' changed by a RADIUS CoA-Request from DAS client '%s':"
		   " session timeout %us, idle timeout %us%s%s%s", s->tunnel_id, s->session_id,
		   SAFE_STR(s->user), d->client, s->session_timeout, s->idle_timeout,
		   c->filter_id ? ", filters of policy '" : "",
		   c->filter_id ? SAFE_STR(c->filter_id) : "", c->filter_id ? "'" : "");
	d->st.changes++;
	return 0;
}

/* ---- requests ---------------------------------------------------------------------- */

static const char *client_name(const struct dynauth *d, const struct sockaddr_storage *from)
{
	for (unsigned i = 0; i < d->conf.n_clients; i++) {
		const struct sockaddr_storage *a = &d->conf.clients[i].addr;

		if (a->ss_family != from->ss_family)
			continue;
		if (a->ss_family == AF_INET &&
		    ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
			    ((const struct sockaddr_in *)from)->sin_addr.s_addr)
			return d->conf.clients[i].name;
		if (a->ss_family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			    &((const struct sockaddr_in6 *)from)->sin6_addr, 16))
			return d->conf.clients[i].name;
	}
	return "?";
}

static const char *sockaddr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	struct l2tp_addr a;

	net_to_l2tp_addr(ss, &a);
	return net_addr_str(&a, buf, len);
}

static const char *code_name(uint8_t code)
{
	switch (code) {
	case RADIUS_DISCONNECT_REQUEST: return "Disconnect-Request";
	case RADIUS_COA_REQUEST: return "CoA-Request";
	case RADIUS_DISCONNECT_ACK: return "Disconnect-ACK";
	case RADIUS_DISCONNECT_NAK: return "Disconnect-NAK";
	case RADIUS_COA_ACK: return "CoA-ACK";
	case RADIUS_COA_NAK: return "CoA-NAK";
	default: return "request";
	}
}

static void sync_stats(struct dynauth *d)
{
	const struct radius_das_stats *ls = radius_das_stats(d->das);
	struct dynauth_stats *st = &d->st;

	st->unknown_clients = d->base.unknown_clients + ls->unknown_clients;
	st->malformed = d->base.malformed + ls->malformed;
	st->bad_authenticators = d->base.bad_authenticators + ls->bad_authenticators;
	st->stale = d->base.stale + ls->stale;
	st->no_event_timestamp = d->base.no_event_timestamp + ls->no_event_timestamp;
	st->duplicates = d->base.duplicates + ls->duplicates;
	st->acks = d->base.acks + ls->acks;
	st->naks = d->base.naks + ls->naks;
}

size_t dynauth_input(struct server *srv, uint32_t now_wall, const struct sockaddr_storage *from,
		     const uint8_t *buf, size_t len, uint8_t *out, size_t cap)
{
	struct dynauth *d = srv->dynauth;
	struct radius_das_result res;
	const uint8_t *addr;
	char a[64];
	size_t n;

	if (!d)
		return 0;
	d->st.received++;
	addr = from->ss_family == AF_INET6
		       ? (const uint8_t *)&((const struct sockaddr_in6 *)from)->sin6_addr
		       : (const uint8_t *)&((const struct sockaddr_in *)from)->sin_addr;
	d->client = client_name(d, from);
	memset(&res, 0, sizeof(res));
	n = radius_das_input(d->das, now_wall, from->ss_family, addr, buf, len, out, cap, &res);
	sync_stats(d);
	if (!n) {
		/* RFC 5176 section 3: silently discarded; whoever can reach
		 * the port can make this happen, so the line is rate-limited
		 * and names only the source address and the library's reason */
		d->st.dropped++;
		log_rl_msg(&d->rl_dropped, server_now_ms(srv), LOG_LVL_NOTICE,
			   "radius das: dropped a datagram from %s: %s",
			   sockaddr_str(from, a, sizeof(a)),
			   res.discarded ? res.discarded : "discarded");
		return 0;
	}
	if (res.duplicate)
		log_debug("radius das: a retransmission from '%s' (%s) answered again",
			  d->client, sockaddr_str(from, a, sizeof(a)));
	else if (res.error_cause)
		log_notice("radius das: %s from '%s' (%s): %s %u %s", code_name(res.code), d->client,
			   sockaddr_str(from, a, sizeof(a)), code_name(res.answer),
			   res.error_cause, radius_error_cause_name(res.error_cause));
	else
		log_info("radius das: %s from '%s' (%s): %s, %u session(s)", code_name(res.code),
			 d->client, sockaddr_str(from, a, sizeof(a)), code_name(res.answer),
			 res.sessions);
	return n;
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct server *srv = arg;
	uint8_t buf[RADIUS_MAX_LEN + 1], out[RADIUS_MAX_LEN];

	(void)src;
	(void)revents;
	for (int i = 0; i < RX_BATCH && srv->dynauth; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t got = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				       &fl);
		size_t n;

		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				break;
			continue;
		}
		/* the wall clock: Event-Timestamp is seconds since 1970 */
		n = dynauth_input(srv, (uint32_t)time(NULL), &from, buf, (size_t)got, out,
				  sizeof(out));
		if (n && sendto(fd, out, n, MSG_DONTWAIT, (const struct sockaddr *)&from, fl) < 0)
			srv->dynauth->st.send_errors++;
	}
	/* the closes queued (session_request_close) run now */
	server_flush(srv);
	return 0;
}

/* ---- set-up ------------------------------------------------------------------------ */

/* The library's configuration from ours: the secrets point into d->conf. */
static struct radius_das *make_das(struct dynauth *d, const struct l2tpd_config *cfg)
{
	struct radius_das_config dc;
	struct radius_das_ops ops = {
		.ctx = d,
		.find = op_find,
		.describe = op_describe,
		.disconnect = op_disconnect,
		.change = op_change,
	};

	memset(&dc, 0, sizeof(dc));
	for (unsigned i = 0; i < d->conf.n_clients && i < RADIUS_DAS_MAX_CLIENTS; i++) {
		const struct das_client_conf *c = &d->conf.clients[i];

		dc.clients[i].family = c->addr.ss_family;
		if (c->addr.ss_family == AF_INET6)
			memcpy(dc.clients[i].addr, &((const struct sockaddr_in6 *)&c->addr)->sin6_addr,
			       16);
		else
			memcpy(dc.clients[i].addr, &((const struct sockaddr_in *)&c->addr)->sin_addr,
			       4);
		dc.clients[i].secret = c->secret;
		dc.n_clients++;
	}
	dc.window_s = d->conf.window_s;
	dc.allow_no_event_timestamp = d->conf.allow_no_event_timestamp;
	dc.require_message_authenticator = d->conf.require_message_authenticator;
	/* RFC 5176 section 3: NAS-IP-Address / NAS-Identifier, when sent,
	 * must be what our Access-Requests say (auth_radius.c) */
	if (cfg->radius.has_nas_ipv4)
		dc.nas_ipv4 = cfg->radius.nas_ipv4.s_addr;
	if (cfg->radius.has_nas_ipv6)
		memcpy(dc.nas_ipv6, &cfg->radius.nas_ipv6, 16);
	dc.nas_identifier = cfg->radius.nas_identifier[0] ? cfg->radius.nas_identifier
							  : cfg->host_name;
	return radius_das_new(&dc, &ops);
}

/* The addresses to listen on: listen, else nas_ip_address (requests
 * reach the address the RADIUS server knows us by), else 0.0.0.0. */
static unsigned listen_addrs(const struct das_conf *dc, const struct radius_conf *rc,
			     struct sockaddr_storage *out)
{
	unsigned n = 0;

	if (dc->n_listen) {
		memcpy(out, dc->listen, dc->n_listen * sizeof(*out));
		n = dc->n_listen;
	} else {
		if (rc->has_nas_ipv4) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].ss_family = AF_INET;
			((struct sockaddr_in *)&out[n])->sin_addr = rc->nas_ipv4;
			n++;
		}
		if (rc->has_nas_ipv6) {
			memset(&out[n], 0, sizeof(out[n]));
			out[n].ss_family = AF_INET6;
			((struct sockaddr_in6 *)&out[n])->sin6_addr = rc->nas_ipv6;
			n++;
		}
		if (!n) {
			memset(&out[0], 0, sizeof(out[0]));
			out[0].ss_family = AF_INET;
			n = 1;
		}
	}
	for (unsigned i = 0; i < n; i++) {
		if (out[i].ss_family == AF_INET6)
			((struct sockaddr_in6 *)&out[i])->sin6_port = htons(dc->port);
		else
			((struct sockaddr_in *)&out[i])->sin_port = htons(dc->port);
	}
	return n;
}

static void close_sockets(int *fd, sd_event_source **src, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (src[i])
			sd_event_source_disable_unref(src[i]);
		if (fd[i] >= 0)
			close(fd[i]);
		src[i] = NULL;
		fd[i] = -1;
	}
}

static int open_sockets(struct server *srv, const struct sockaddr_storage *addr, unsigned n,
			int *fd, sd_event_source **src)
{
	char a[64];

	for (unsigned i = 0; i < n; i++) {
		int one = 1, r;

		fd[i] = socket(addr[i].ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		src[i] = NULL;
		if (fd[i] < 0 ||
		    (addr[i].ss_family == AF_INET6 &&
		     setsockopt(fd[i], IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0) ||
		    bind(fd[i], (const struct sockaddr *)&addr[i],
			 addr[i].ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in)) != 0) {
			log_err("radius das: cannot listen on %s: %s",
				sockaddr_str(&addr[i], a, sizeof(a)), strerror(errno));
			close_sockets(fd, src, i + 1);
			return -1;
		}
		if (srv->event &&
		    (r = sd_event_add_io(srv->event, &src[i], fd[i], EPOLLIN, on_readable, srv)) < 0) {
			log_err("radius das: cannot watch its socket: %s", strerror(-r));
			close_sockets(fd, src, i + 1);
			return -1;
		}
		log_info("radius das: listening on %s for Disconnect- and CoA-Requests (RFC 5176)",
			 sockaddr_str(&addr[i], a, sizeof(a)));
	}
	return 0;
}

int dynauth_open(struct server *srv)
{
	struct dynauth *d;

	if (!srv->cfg.das.enabled)
		return 0;
	d = calloc(1, sizeof(*d));
	if (!d) {
		log_err("radius das: no memory");
		return -1;
	}
	d->srv = srv;
	d->conf = srv->cfg.das;
	d->rl_dropped = (struct log_rl)LOG_RL_INIT("radius das: dropped datagrams", 5, 60000);
	das_index_init(&d->ix, fnv1a32_seeded(hash_random_seed()));
	for (unsigned i = 0; i < L2TPD_DAS_MAX_LISTEN; i++)
		d->fd[i] = -1;
	d->das = make_das(d, &srv->cfg);
	d->n_fd = listen_addrs(&d->conf, &srv->cfg.radius, d->bound);
	if (!d->das || open_sockets(srv, d->bound, d->n_fd, d->fd, d->src)) {
		if (!d->das)
			log_err("radius das: no memory");
		radius_das_free(d->das);
		free(d);
		return -1;
	}
	/* the descriptor budget's fixed part (fdbudget.h) */
	srv->fdb.fixed += d->n_fd;
	srv->dynauth = d;
	/* sessions up already (a DAS turned on by a reload); one whose IPCP
	 * is down now has no address (s->peer_addr keeps the last one) */
	for (struct session *s = srv->sessions; s; s = s->next)
		if (s->state == SESSION_UP) {
			dynauth_session_up(srv, s);
			if (s->ppp.ipcp.state != PPP_FSM_OPENED)
				dynauth_session_address(srv, s, 0);
		}
	return 0;
}

void dynauth_close(struct server *srv)
{
	struct dynauth *d = srv->dynauth;

	if (!d)
		return;
	srv->dynauth = NULL;
	close_sockets(d->fd, d->src, d->n_fd);
	srv->fdb.fixed -= d->n_fd;
	radius_das_free(d->das);
	das_index_free(&d->ix);
	free(d);
}

void dynauth_reload(struct server *srv, const struct l2tpd_config *next)
{
	struct dynauth *d = srv->dynauth;
	struct sockaddr_storage addr[L2TPD_DAS_MAX_LISTEN];
	struct das_conf keep;
	struct radius_das *das;
	unsigned n;

	if (!next->das.enabled) {
		if (d)
			log_notice("reload: radius das: off");
		dynauth_close(srv);
		server_fd_released(srv);
		srv->cfg.das = next->das;
		return;
	}
	if (!d) {
		struct das_conf was = srv->cfg.das;

		srv->cfg.das = next->das;
		if (dynauth_open(srv)) {
			log_err("reload: radius das: not started");
			srv->cfg.das = was;
		}
		return;
	}
	n = listen_addrs(&next->das, &srv->cfg.radius, addr);
	if (n != d->n_fd || memcmp(addr, d->bound, n * sizeof(addr[0]))) {
		/* the old sockets close first: the new set may bind the same
		 * address and port again. When the new ones cannot be had,
		 * the old ones are opened again. */
		close_sockets(d->fd, d->src, d->n_fd);
		server_fd_released(srv);
		if (open_sockets(srv, addr, n, d->fd, d->src)) {
			if (open_sockets(srv, d->bound, d->n_fd, d->fd, d->src)) {
				log_err("reload: radius das: neither the new nor the old sockets can "
					"be had: off");
				srv->fdb.fixed -= d->n_fd;
				d->n_fd = 0;
				dynauth_close(srv);
				srv->cfg.das.enabled = false;
				return;
			}
			log_err("reload: radius das: the running DAS is kept");
			return;
		}
		srv->fdb.fixed = srv->fdb.fixed - d->n_fd + n;
		memcpy(d->bound, addr, n * sizeof(addr[0]));
		d->n_fd = n;
	}
	/* new clients and secrets: a new DAS over a new copy (its secrets
	 * point into d->conf); its counters continue from the old one's */
	keep = d->conf;
	d->conf = next->das;
	das = make_das(d, &srv->cfg);	/* the NAS identification as reload_radius left it */
	if (!das) {
		d->conf = keep;
		log_err("reload: radius das: no memory: the running clients are kept");
		return;
	}
	{
		const struct radius_das_stats *ls = radius_das_stats(d->das);

		d->base.unknown_clients += ls->unknown_clients;
		d->base.malformed += ls->malformed;
		d->base.bad_authenticators += ls->bad_authenticators;
		d->base.stale += ls->stale;
		d->base.no_event_timestamp += ls->no_event_timestamp;
		d->base.duplicates += ls->duplicates;
		d->base.acks += ls->acks;
		d->base.naks += ls->naks;
	}
	radius_das_free(d->das);
	d->das = das;
	srv->cfg.das = next->das;
}

const struct dynauth_stats *dynauth_stats(const struct server *srv)
{
	return srv->dynauth ? &srv->dynauth->st : NULL;
}

void dynauth_render_metrics(struct server *srv, struct strbuf *b)
{
	const struct dynauth_stats *st = dynauth_stats(srv);

	if (!st)
		return;
	prom_family(b, "l2tpd_radius_das_requests_total", "counter",
		    "Datagrams to the dynamic authorization server (RFC 5176), by what became of "
		    "them.");
	prom_sample(b, "l2tpd_radius_das_requests_total", st->acks, "result", "ack", NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->naks, "result", "nak", NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->duplicates, "result", "duplicate",
		    NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->unknown_clients, "result",
		    "unknown_client", NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->bad_authenticators, "result",
		    "bad_authenticator", NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->malformed, "result", "malformed",
		    NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->stale, "result", "stale", NULL);
	prom_sample(b, "l2tpd_radius_das_requests_total", st->no_event_timestamp, "result",
		    "no_event_timestamp", NULL);
	prom_family(b, "l2tpd_radius_das_sessions_total", "counter",
		    "Sessions a Disconnect-Request ended or a CoA-Request changed.");
	prom_sample(b, "l2tpd_radius_das_sessions_total", st->disconnects, "action", "disconnect",
		    NULL);
	prom_sample(b, "l2tpd_radius_das_sessions_total", st->changes, "action", "change", NULL);
}
