/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPv6 Router Advertisements on the clients' links (router_adv.h). */
#include "router_adv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipv6_ll.h"
#include "log.h"
#include "net.h"
#include "ra.h"
#include "routes.h"
#include "server.h"
#include "u32_htab.h"

#define RX_BURST		32	/* solicitations read per wake-up (kernel plane) */
#define RS_MAX_LEN		1280	/* the IPv6 minimum MTU: an RS is far smaller */
#define PPP_PROTO_IPV6_HI	0x00
#define PPP_PROTO_IPV6_LO	0x57	/* RFC 5072 section 3 */
/* RFC 8106 section 5.1: by default at least 3 * MaxRtrAdvInterval */
#define RDNSS_LIFETIME		(3 * RA_MAX_INTERVAL_MS / 1000)
/* the hop limit a client uses for its own packets (RFC 4861 section
 * 6.2.1 AdvCurHopLimit: the Internet's current value) */
#define CUR_HOP_LIMIT		64

/* One session's link, made at the grant when the session has IPv6. */
struct ra_link {
	struct u32_hnode node;		/* kernel plane: keyed by ifindex */
	struct timer_node timer;	/* kind SERVER_TIMER_RA */
	struct session *s;
	bool indexed, up, routed, joined, has_lease;
	bool answer_due;		/* the timer answers a solicitation (counted so) */
	uint8_t sent;			/* advertisements so far, up to RA_MAX_INITIAL_ADVERTS */
	int ifindex;
	uint64_t last_ms;		/* the last advertisement; 0: none */
	uint64_t local_ifid;
	struct policy_prefix prefix;	/* the leased prefix, routed to the link */
	/* the profile's, by value (a reload frees the policy) */
	bool managed, other;
	uint16_t router_lifetime;
	uint32_t prefix_lifetime;
	uint8_t n_dns;
	uint8_t dns[RA_MAX_RDNSS][16];
};

struct router_adv {
	struct server *srv;
	int fd;				/* kernel plane: raw ICMPv6; -1 none */
	sd_event_source *src;
	struct u32_htab by_ifindex;
	uint64_t rnd;			/* xorshift64 state for the intervals */
	uint64_t c[RAC_COUNT_MAX];
};

const char *router_adv_count_name(enum router_adv_count c)
{
	static const char *const names[RAC_COUNT_MAX] = {
		[RAC_SENT] = "sent",
		[RAC_SENT_SOLICITED] = "sent-solicited",
		[RAC_RS_RECEIVED] = "solicitation",
		[RAC_RS_MALFORMED] = "solicitation-malformed",
		[RAC_RS_NO_SESSION] = "solicitation-no-session",
		[RAC_SEND_FAILED] = "send-failed",
	};
	return (unsigned)c < RAC_COUNT_MAX ? names[c] : "?";
}

const uint64_t *router_adv_counters(const struct router_adv *ra)
{
	return ra->c;
}

static uint32_t next_rnd(struct router_adv *ra)
{
	ra->rnd ^= ra->rnd << 13;
	ra->rnd ^= ra->rnd >> 7;
	ra->rnd ^= ra->rnd << 17;
	return (uint32_t)(ra->rnd >> 32);
}

/* ---- send -------------------------------------------------------------------- */

static void params(const struct ra_link *l, struct ra_params *p)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

	memset(p, 0, sizeof(*p));
	ipv6_link_local(l->local_ifid, p->src);
	/* RFC 4861 section 6.2.6 lets a solicited answer go to all-nodes
	 * too; a point-to-point link has one listener either way. */
	memcpy(p->dst, all_nodes, 16);
	p->cur_hop_limit = CUR_HOP_LIMIT;
	p->managed = l->managed;
	p->other = l->other;
	p->router_lifetime = l->router_lifetime;
	/* RFC 4862 section 5.5.3 d): SLAAC forms addresses in a /64 only; a
	 * shorter leased prefix announces its first /64 (the rest is the
	 * client's to route), a longer one none (no SLAAC address, the
	 * link-local still works) */
	if (l->prefix.ip.family == AF_INET6 && l->prefix.len <= 64) {
		p->has_prefix = true;
		memcpy(p->prefix, l->prefix.ip.bytes, 16);
		p->prefix_len = 64;
		p->valid_lifetime = p->preferred_lifetime = l->prefix_lifetime;
	}
	memcpy(p->rdnss, l->dns, sizeof(p->rdnss));
	p->n_rdnss = l->n_dns;
	p->rdnss_lifetime = RDNSS_LIFETIME;
}

static int send_kernel(struct router_adv *ra, struct ra_link *l, const struct ra_params *p)
{
	uint8_t msg[RA_MAX_LEN];
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };
	size_t n = ra_build_icmp(p, msg, sizeof(msg));

	if (!n || ra->fd < 0 || l->ifindex <= 0)
		return -1;
	memcpy(&to.sin6_addr, p->dst, 16);
	to.sin6_scope_id = (uint32_t)l->ifindex;
	/* out through the client's link, from our link-local address
	 * (RFC 4861 section 6.1.2: the client drops any other source) */
	return net_send6_on_link(ra->fd, &to, p->src, l->ifindex, msg, n);
}

static int send_ppp(struct router_adv *ra, struct ra_link *l, const struct ra_params *p)
{
	struct server *srv = ra->srv;
	uint8_t frame[2 + RA_MAX_LEN];
	size_t n = ra_build(p, frame + 2, sizeof(frame) - 2);

	if (!n || !l->s->dp)
		return -1;
	frame[0] = PPP_PROTO_IPV6_HI;
	frame[1] = PPP_PROTO_IPV6_LO;
	return srv->dp_ops->session_send_ppp(srv->dp, l->s->dp, frame, n + 2);
}

static void send_now(struct router_adv *ra, struct ra_link *l, uint64_t now, bool solicited)
{
	struct ra_params p;
	int rc;

	params(l, &p);
	rc = ra->fd >= 0 ? send_kernel(ra, l, &p) : send_ppp(ra, l, &p);
	if (rc) {
		ra->c[RAC_SEND_FAILED]++;
		log_debug("session %u/%u: router advertisement not sent", l->s->tunnel_id,
			  l->s->session_id);
		return;
	}
	ra->c[solicited ? RAC_SENT_SOLICITED : RAC_SENT]++;
	l->answer_due = false;
	l->last_ms = now;
	if (l->sent < RA_MAX_INITIAL_ADVERTS)
		l->sent++;
}

/* The next unsolicited one (section 6.2.4), counted from now. */
static void schedule(struct router_adv *ra, struct ra_link *l, uint64_t now)
{
	struct server *srv = ra->srv;

	if (timerheap_set(&srv->timers, &l->timer, now + ra_interval_ms(l->sent, next_rnd(ra))))
		log_warn("session %u/%u: no memory for the router advertisement timer",
			 l->s->tunnel_id, l->s->session_id);
	server_rearm_heap(srv);
}

void router_adv_timer_fired(struct server *srv, struct timer_node *n, uint64_t now)
{
	struct router_adv *ra = srv->ra;
	struct ra_link *l = container_of(n, struct ra_link, timer);

	if (!ra || !l->up)
		return;
	send_now(ra, l, now, l->answer_due);
	schedule(ra, l, now);
}

/* A valid solicitation on l's link (section 6.2.6). */
static void solicited(struct router_adv *ra, struct ra_link *l)
{
	struct server *srv = ra->srv;
	uint64_t now = server_now_ms(srv), at = ra_solicited_at(now, l->last_ms);

	ra->c[RAC_RS_RECEIVED]++;
	if (at <= now) {
		send_now(ra, l, now, true);
		schedule(ra, l, now);
		return;
	}
	/* too soon after the last: the advertisement due at `at` answers
	 * it, unless the schedule has one sooner */
	if (!l->timer.index || l->timer.deadline > at) {
		(void)timerheap_set(&srv->timers, &l->timer, at);
		server_rearm_heap(srv);
	}
	l->answer_due = true;
}

/* ---- per session ------------------------------------------------------------- */

void router_adv_session_grant(struct router_adv *ra, struct session *s,
			      const struct policy_decision *dec)
{
	const struct policy_profile *pr = &dec->profile;
	struct ra_link *l;

	router_adv_session_end(ra, s);
	if (!dec->has_ipv6 || !pr->ipv6)
		return;
	l = calloc(1, sizeof(*l));
	if (!l || !ra) {
		/* the lease is ours from here on: never lost */
		if (dec->ipv6_leased)
			policy_pool_release(s->srv->policy, &dec->ipv6.ip);
		log_warn("session %u/%u: %s: no IPv6 prefix for it", s->tunnel_id, s->session_id,
			 l ? "no router advertisements" : "no memory");
		free(l);
		return;
	}
	l->s = s;
	l->timer.kind = SERVER_TIMER_RA;
	l->prefix = dec->ipv6;
	l->has_lease = dec->ipv6_leased;
	l->managed = pr->ipv6_managed_config;
	l->other = pr->ipv6_other_config;
	l->router_lifetime = (uint16_t)(pr->ipv6_router_lifetime > RA_MAX_ROUTER_LIFETIME
					? RA_MAX_ROUTER_LIFETIME : pr->ipv6_router_lifetime);
	l->prefix_lifetime = pr->ipv6_prefix_lifetime;
	for (size_t i = 0; i < pr->n_ipv6_dns && l->n_dns < RA_MAX_RDNSS; i++)
		if (pr->ipv6_dns[i].family == AF_INET6)
			memcpy(l->dns[l->n_dns++], pr->ipv6_dns[i].bytes, 16);
	s->ra = l;
}

/* Route the prefix to the link (both planes with a device per session). */
static void route_prefix(struct router_adv *ra, struct ra_link *l)
{
	struct server *srv = ra->srv;
	struct session *s = l->s;
	char err[160], pfx[64];

	if (l->routed || l->prefix.ip.family != AF_INET6 || l->ifindex <= 0)
		return;
	if (!srv->routes || !(srv->dp_caps.flags & DP_CAP_SESSION_NETDEV)) {
		log_warn("session %u/%u: IPv6 prefix not routed to the client: %s", s->tunnel_id,
			 s->session_id, srv->routes ? srv->dp_caps.no_netdev_why : "no rtnetlink");
		return;
	}
	routes_format(&l->prefix, pfx, sizeof(pfx));
	if (routes_apply(srv->routes, l->ifindex, &l->prefix, 1, true, err, sizeof(err)) != 1) {
		log_err("session %u/%u: IPv6 prefix %s not routed to the client: %s",
			s->tunnel_id, s->session_id, pfx, err);
		return;
	}
	l->routed = true;
	log_debug("session %u/%u: IPv6 prefix %s routed to the client", s->tunnel_id,
		  s->session_id, pfx);
}

/* Kernel plane: find the link by its ifindex, and hear ff02::2 on it. */
static void index_link(struct router_adv *ra, struct ra_link *l)
{
	struct ipv6_mreq mr = { .ipv6mr_multiaddr = { { { 0xff, 0x02, [15] = 2 } } } };

	if (ra->fd < 0 || l->indexed || l->ifindex <= 0)
		return;
	l->node.key = (uint32_t)l->ifindex;
	u32_htab_insert(&ra->by_ifindex, &l->node);	/* inserted even when growing failed */
	l->indexed = true;
	/* Solicitations go to all-routers (RFC 4861 section 6.3.7). With
	 * forwarding on, the device has joined it already; a socket's
	 * memberships are bounded (optmem_max), so a failure here is only
	 * logged: the unsolicited advertisements reach the client anyway. */
	mr.ipv6mr_interface = (unsigned)l->ifindex;
	l->joined = setsockopt(ra->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) == 0;
	if (!l->joined)
		log_debug("session %u/%u: ff02::2 not joined: %s", l->s->tunnel_id,
			  l->s->session_id, strerror(errno));
}

void router_adv_session_up(struct router_adv *ra, struct session *s, uint64_t local_ifid,
			   uint64_t peer_ifid, const char *ifname)
{
	struct ra_link *l = s->ra;
	uint64_t now;

	(void)peer_ifid;
	if (!ra || !l)
		return;
	/* The shared TUN carries IPv4 alone (it dispatches by the IPv4
	 * destination): a prefix announced there would give the client an
	 * address nothing reaches. */
	if (!(ra->srv->dp_caps.flags & DP_CAP_SESSION_NETDEV)) {
		log_warn("session %u/%u: no router advertisements: %s carries no IPv6",
			 s->tunnel_id, s->session_id, ra->srv->dp_caps.no_netdev_why);
		return;
	}
	now = server_now_ms(ra->srv);
	if (!l->ifindex && ifname)
		l->ifindex = (int)if_nametoindex(ifname);
	l->local_ifid = local_ifid;
	route_prefix(ra, l);
	index_link(ra, l);
	/* a renegotiation starts the schedule over: the client may have
	 * lost what it had (RFC 4861 section 6.2.4 "interface becomes an
	 * advertising interface") */
	l->up = true;
	l->sent = 0;
	l->last_ms = 0;
	send_now(ra, l, now, false);
	schedule(ra, l, now);
}

bool router_adv_session_prefix(const struct session *s, struct policy_prefix *out)
{
	if (!s->ra || s->ra->prefix.ip.family != AF_INET6)
		return false;
	*out = s->ra->prefix;
	return true;
}

void router_adv_session_down(struct router_adv *ra, struct session *s)
{
	struct ra_link *l = s->ra;

	(void)ra;
	if (!l)
		return;
	l->up = false;
	l->answer_due = false;
	timerheap_cancel(&s->srv->timers, &l->timer);
}

void router_adv_session_end(struct router_adv *ra, struct session *s)
{
	struct ra_link *l = s->ra;
	struct server *srv = s->srv;
	char err[160];

	if (!l)
		return;
	timerheap_cancel(&srv->timers, &l->timer);
	if (l->indexed && ra) {
		if (l->joined) {
			struct ipv6_mreq mr = {
				.ipv6mr_multiaddr = { { { 0xff, 0x02, [15] = 2 } } },
				.ipv6mr_interface = (unsigned)l->ifindex,
			};
			(void)setsockopt(ra->fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof(mr));
		}
		u32_htab_remove(&ra->by_ifindex, &l->node);
	}
	if (l->routed && srv->routes &&
	    routes_apply(srv->routes, l->ifindex, &l->prefix, 1, false, err, sizeof(err)) != 1)
		log_warn("session %u/%u: IPv6 prefix route not removed: %s", s->tunnel_id,
			 s->session_id, err);
	/* the prefix returns to its pool exactly once */
	if (l->has_lease)
		policy_pool_release(srv->policy, &l->prefix.ip);
	free(l);
	s->ra = NULL;
}

/* ---- receive ------------------------------------------------------------------- */

bool router_adv_rx(struct router_adv *ra, struct session *s, const uint8_t *pkt, size_t len)
{
	struct ra_rs rs;
	enum ra_result r;

	if (!ra)
		return false;
	r = ra_rs_parse(pkt, len, &rs);
	if (r != RA_OK) {
		ra->c[RAC_RS_MALFORMED]++;
		log_debug("session %u/%u: router solicitation dropped: %s", s->tunnel_id,
			  s->session_id, ra_result_name(r));
		return true;
	}
	if (!s->ra || !s->ra->up) {
		ra->c[RAC_RS_NO_SESSION]++;
		return true;
	}
	solicited(ra, s->ra);
	return true;
}

static void kernel_rx_one(struct router_adv *ra, const uint8_t *buf, size_t len,
			  const struct sockaddr_in6 *from, int ifindex, int hops)
{
	struct u32_hnode *node;
	struct ra_link *l;
	struct ra_rs rs;
	enum ra_result r;

	r = ra_rs_parse_icmp(buf, len, (uint8_t)(hops < 0 || hops > 255 ? 0 : hops),
			     from->sin6_addr.s6_addr, &rs);
	if (r != RA_OK) {
		ra->c[RAC_RS_MALFORMED]++;
		return;
	}
	node = ifindex > 0 ? u32_htab_find(&ra->by_ifindex, (uint32_t)ifindex) : NULL;
	if (!node) {
		ra->c[RAC_RS_NO_SESSION]++;	/* the LAN's, or a link without IPv6 */
		return;
	}
	l = u32_container_of(node, struct ra_link, node);
	if (l->up)
		solicited(ra, l);
}

static int on_kernel_socket(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct router_adv *ra = arg;

	(void)src;
	(void)revents;
	for (int i = 0; i < RX_BURST; i++) {
		uint8_t buf[RS_MAX_LEN];
		union {
			struct cmsghdr h;
			uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) + CMSG_SPACE(sizeof(int))];
		} ctl;
		struct sockaddr_in6 from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		int ifindex = 0, hops = -1;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			break;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != IPPROTO_IPV6)
				continue;
			if (c->cmsg_type == IPV6_PKTINFO) {
				struct in6_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof(pi));
				ifindex = (int)pi.ipi6_ifindex;
			} else if (c->cmsg_type == IPV6_HOPLIMIT) {
				memcpy(&hops, CMSG_DATA(c), sizeof(hops));
			}
		}
		if (mh.msg_flags & MSG_TRUNC) {
			ra->c[RAC_RS_MALFORMED]++;
			continue;
		}
		kernel_rx_one(ra, buf, (size_t)n, &from, ifindex, hops);
	}
	return 0;
}

static int open_socket(struct router_adv *ra)
{
	struct icmp6_filter f;
	int one = 1, hops = 255;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);

	if (fd < 0)
		return -errno;
	/* only solicitations wake us (RFC 3542 section 3.2) */
	ICMP6_FILTER_SETBLOCKALL(&f);
	ICMP6_FILTER_SETPASS(ND_ROUTER_SOLICIT, &f);
	/* RFC 4861 section 6.1.2: the client drops an advertisement whose
	 * hop limit is not 255; the ifindex is the session, the hop limit
	 * received is checked as section 6.1.1 says */
	if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	/* our own advertisements must not come back to us */
	one = 0;
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
	if (sd_event_add_io(ra->srv->event, &ra->src, fd, EPOLLIN, on_kernel_socket, ra) < 0) {
		close(fd);
		return -ENOMEM;
	}
	ra->fd = fd;
	return 0;
}

struct router_adv *router_adv_open(struct server *srv, bool kernel_socket)
{
	struct router_adv *ra = calloc(1, sizeof(*ra));
	int rc;

	if (!ra)
		return NULL;
	ra->srv = srv;
	ra->fd = -1;
	if (server_random(srv, &ra->rnd, sizeof(ra->rnd)) != 0)
		ra->rnd = (uint64_t)server_now_ms(srv) * 0x9e3779b97f4a7c15ull;
	ra->rnd |= 1;
	if (u32_htab_init(&ra->by_ifindex, 6)) {
		free(ra);
		return NULL;
	}
	if (kernel_socket && (rc = open_socket(ra)) < 0)
		log_warn("IPv6 clients get no router advertisements: raw ICMPv6 socket: %s",
			 strerror(-rc));
	return ra;
}

void router_adv_close(struct router_adv *ra)
{
	if (!ra)
		return;
	if (ra->src)
		sd_event_source_disable_unref(ra->src);
	if (ra->fd >= 0)
		close(ra->fd);
	u32_htab_fini(&ra->by_ifindex);
	free(ra);
}
