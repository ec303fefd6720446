/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 Prefix Delegation on the clients' links (dhcp6_pd.h). */
#include "dhcp6_pd.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-id128.h>

#include "acct.h"
#include "ipv6_ll.h"
#include "log.h"
#include "net.h"
#include "policy_cache.h"
#include "routes.h"
#include "server.h"
#include "text.h"
#include "u32_htab.h"

#define RX_BURST		32	/* messages read per wake-up (kernel plane) */
#define PPP_PROTO_IPV6_HI	0x00
#define PPP_PROTO_IPV6_LO	0x57	/* RFC 5072 section 3 */
#define DUID_UUID		4	/* RFC 6355 section 4 */
#define DUID_LEN		18
#define REPLY_HOP_LIMIT		255	/* link-scoped: never crosses a router */

/* Our DUID-UUID's application id: the machine's id, hashed with this
 * (sd_id128_get_machine_app_specific), stays the same across restarts
 * without telling clients the machine id itself. */
#define DUID_APP_ID	SD_ID128_MAKE(6d,1c,4b,2e,93,07,4f,88,a1,5e,0c,d2,77,31,b9,40)

static const uint8_t all_servers[16] = { 0xff, 0x02, [13] = 0x01, [15] = 0x02 };

/* One policy's settings, shared by its sessions (reference counted): the
 * pool names, so that a reload in between leases from the new file's
 * pools of those names. */
struct pd_profile {
	unsigned refs;
	uint32_t lifetime;		/* the prefix's preferred and valid lifetime */
	uint8_t n_dns;
	uint8_t dns[DHCP6_MAX_DNS][16];
	size_t n_pools;
	char names[];			/* n_pools NUL-terminated names */
};

struct dhcp6_link {
	struct u32_hnode node;		/* kernel plane: keyed by ifindex */
	struct session *s;
	struct pd_profile *prof;
	struct dhcp6_binding b;
	bool indexed, joined, up, routed, warned;
	/* the server's Delegated-IPv6-Prefix: delegated instead of a pool's,
	 * held (leased: out of our pool) until the session ends */
	bool has_fixed, fixed_leased;
	struct policy_prefix fixed;
	int ifindex;
	uint8_t local_ll[16];		/* our end of the link (fe80::local_ifid) */
	uint64_t tat_ms;		/* dhcp6_pd_allow */
};

struct dhcp6_pd {
	struct server *srv;
	int fd;				/* kernel plane: [::]:547; -1 none */
	sd_event_source *src;
	struct u32_htab by_ifindex;
	struct policy_cache cache;	/* struct pd_profile by policy index, this generation */
	uint8_t duid[DUID_LEN];
	uint64_t c[D6_COUNT_MAX];
};

const char *dhcp6_pd_count_name(enum dhcp6_pd_count c)
{
	static const char *const names[D6_COUNT_MAX] = {
		[D6_ANSWERED] = "answered",
		[D6_DELEGATED] = "delegated",
		[D6_RELEASED] = "released",
		[D6_NO_PREFIX] = "no-prefix",
		[D6_MALFORMED] = "malformed",
		[D6_REFUSED] = "refused",
		[D6_WRONG_SOURCE] = "wrong-source",
		[D6_RATE_LIMITED] = "rate-limited",
		[D6_NO_SESSION] = "no-session",
		[D6_SEND_FAILED] = "send-failed",
	};
	return (unsigned)c < D6_COUNT_MAX ? names[c] : "?";
}

const uint64_t *dhcp6_pd_counters(const struct dhcp6_pd *pd)
{
	return pd->c;
}

/* ---- pure ---------------------------------------------------------------- */

static bool is_link_local(const uint8_t a[16])
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;	/* fe80::/10 */
}

bool dhcp6_pd_addressed_to_us(const uint8_t *pkt, size_t len, const uint8_t local_ll[16])
{
	/* RFC 8415 section 7.1: clients send to All_DHCP_Relay_Agents_and_
	 * Servers, or by unicast to a server's address when told to; the
	 * destination is octets 24-39 of the IPv6 header */
	if (len < 40 || (pkt[0] >> 4) != 6)
		return false;
	return memcmp(pkt + 24, all_servers, 16) == 0 || memcmp(pkt + 24, local_ll, 16) == 0;
}

bool dhcp6_pd_allow(uint64_t *tat_ms, uint64_t now_ms)
{
	const uint64_t burst = (uint64_t)(DHCP6_PD_BURST - 1) * DHCP6_PD_INTERVAL_MS;
	uint64_t tat = *tat_ms > now_ms ? *tat_ms : now_ms;

	if (tat - now_ms > burst)
		return false;
	*tat_ms = tat + DHCP6_PD_INTERVAL_MS;
	return true;
}

enum dhcp6_pd_count dhcp6_pd_decide(const struct dhcp6_server_params *sp,
				    struct dhcp6_binding *b, dhcp6_pd_lease_fn lease, void *ctx,
				    const uint8_t src[16], const uint8_t *msg, size_t len,
				    uint8_t *out, size_t cap, size_t *out_len, unsigned *effects)
{
	struct dhcp6_msg m;
	bool no_prefix = false;

	*out_len = 0;
	*effects = DHCP6_E_NONE;
	/* RFC 8415 section 13.1: a client on the link sends from its
	 * link-local address; anything else came from elsewhere */
	if (!is_link_local(src))
		return D6_WRONG_SOURCE;
	if (dhcp6_parse(msg, len, &m) != DHCP6_OK)
		return D6_MALFORMED;
	if (dhcp6_server_check(&m, sp) != DHCP6_V_ANSWER)
		return D6_REFUSED;
	if (dhcp6_server_wants_prefix(&m) && !b->has_prefix) {
		struct policy_prefix p;

		if (lease && lease(ctx, &p) == 0 && p.ip.family == AF_INET6) {
			b->has_prefix = true;
			b->committed = false;
			memcpy(b->prefix, p.ip.bytes, 16);
			b->prefix_len = p.len;
		} else {
			no_prefix = true;
		}
	}
	if (dhcp6_server_answer(&m, sp, b, out, cap, out_len, effects) != DHCP6_V_ANSWER)
		return D6_REFUSED;
	return no_prefix ? D6_NO_PREFIX : D6_ANSWERED;
}

/* ---- per session ------------------------------------------------------------ */

static void profile_put(struct pd_profile *p)
{
	if (p && --p->refs == 0)
		free(p);
}

static struct pd_profile *profile_make(const struct server *srv,
				       const struct policy_profile *pr)
{
	size_t names = 0;
	struct pd_profile *p;
	char *at;

	for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++)
		names += strlen(policy_pool_name(srv->policy, pr->ipv6_pd_pools[i])) + 1;
	p = calloc(1, sizeof(*p) + names);
	if (!p)
		return NULL;
	p->refs = 1;
	p->lifetime = pr->ipv6_prefix_lifetime;
	for (size_t i = 0; i < pr->n_ipv6_dns && p->n_dns < DHCP6_MAX_DNS; i++)
		if (pr->ipv6_dns[i].family == AF_INET6)
			memcpy(p->dns[p->n_dns++], pr->ipv6_dns[i].bytes, 16);
	at = p->names;
	for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++) {
		const char *n = policy_pool_name(srv->policy, pr->ipv6_pd_pools[i]);
		size_t l = strlen(n) + 1;

		memcpy(at, n, l);
		at += l;
	}
	p->n_pools = pr->n_ipv6_pd_pools;
	return p;
}

static void profile_release(void *p)
{
	profile_put(p);
}

static struct pd_profile *profile_get(struct dhcp6_pd *pd, int policy_index,
				      const struct policy_profile *pr)
{
	struct pd_profile *p = policy_cache_find(&pd->cache, policy_index);

	if (p) {
		p->refs++;
		return p;
	}
	p = profile_make(pd->srv, pr);
	if (p && policy_cache_store(&pd->cache, policy_index, p))
		p->refs++;			/* the cache's */
	return p;
}

void dhcp6_pd_new_generation(struct dhcp6_pd *pd)
{
	if (pd)
		policy_cache_clear(&pd->cache, profile_release);
}

void dhcp6_pd_session_grant(struct dhcp6_pd *pd, struct session *s, int policy_index,
			    const struct policy_profile *pr)
{
	struct dhcp6_link *l;

	if (!pd)
		return;
	dhcp6_pd_session_end(pd, s);
	if (!pr->ipv6)
		return;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->prof = profile_get(pd, policy_index, pr))) {
		log_warn("session %u/%u: no memory: its DHCPv6 will not be answered",
			 s->tunnel_id, s->session_id);
		free(l);
		return;
	}
	l->s = s;
	s->dhcp6 = l;
}

void dhcp6_pd_session_delegated(struct dhcp6_pd *pd, struct session *s,
				const struct policy_decision *dec)
{
	struct dhcp6_link *l = s->dhcp6;

	if (!dec->has_delegated)
		return;
	if (!pd || !l) {
		/* no DHCPv6 on this session: the lease is ours, never lost */
		if (dec->delegated_leased)
			policy_pool_release(s->srv->policy, &dec->delegated.ip);
		return;
	}
	l->fixed = dec->delegated;
	l->has_fixed = true;
	l->fixed_leased = dec->delegated_leased;
}

/* Kernel plane: find the link by its ifindex, and hear ff02::1:2 on it. */
static void index_link(struct dhcp6_pd *pd, struct dhcp6_link *l)
{
	struct ipv6_mreq mr;

	if (pd->fd < 0 || l->indexed || l->ifindex <= 0)
		return;
	l->node.key = (uint32_t)l->ifindex;
	u32_htab_insert(&pd->by_ifindex, &l->node);	/* inserted even when growing failed */
	l->indexed = true;
	/* RFC 8415 section 7.1: clients send to ff02::1:2. A socket's
	 * memberships are bounded (net.core.optmem_max): a failure is logged
	 * at debug level, that client gets no answer. */
	memset(&mr, 0, sizeof(mr));
	memcpy(&mr.ipv6mr_multiaddr, all_servers, 16);
	mr.ipv6mr_interface = (unsigned)l->ifindex;
	l->joined = setsockopt(pd->fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) == 0;
	if (!l->joined)
		log_debug("session %u/%u: ff02::1:2 not joined: %s", l->s->tunnel_id,
			  l->s->session_id, strerror(errno));
}

void dhcp6_pd_session_up(struct dhcp6_pd *pd, struct session *s, uint64_t local_ifid,
			 const char *ifname)
{
	struct dhcp6_link *l = s->dhcp6;

	if (!pd || !l)
		return;
	/* the shared TUN carries no IPv6 (router_adv.c says so in the log) */
	if (!(pd->srv->dp_caps.flags & DP_CAP_SESSION_NETDEV))
		return;
	if (!l->ifindex && ifname)
		l->ifindex = (int)if_nametoindex(ifname);
	ipv6_link_local(local_ifid, l->local_ll);
	index_link(pd, l);
	l->up = true;
}

void dhcp6_pd_session_down(struct dhcp6_pd *pd, struct session *s)
{
	(void)pd;
	if (s->dhcp6)
		s->dhcp6->up = false;
}

static void prefix_text(const struct dhcp6_binding *b, char *buf, size_t len)
{
	struct policy_prefix p = { .ip = { .family = AF_INET6 }, .len = b->prefix_len };

	memcpy(p.ip.bytes, b->prefix, 16);
	policy_prefix_format(&p, buf, len);
}

/* Unroute the prefix and return it to its pool (a Release, the end). */
static void give_back(struct dhcp6_pd *pd, struct dhcp6_link *l, const struct dhcp6_binding *b)
{
	struct server *srv = pd->srv;
	struct policy_prefix p = { .ip = { .family = AF_INET6 }, .len = b->prefix_len };
	char err[160];

	memcpy(p.ip.bytes, b->prefix, 16);
	if (l->routed && srv->routes &&
	    routes_apply(srv->routes, l->ifindex, &p, 1, false, err, sizeof(err)) != 1)
		log_warn("session %u/%u: delegated prefix route not removed: %s",
			 l->s->tunnel_id, l->s->session_id, err);
	l->routed = false;
	/* the server's prefix stays held until the session ends (a client
	 * that asks again gets it again); a pool's goes back now, once: the
	 * binding forgets it below or was cleared by the Release */
	if (!l->has_fixed)
		policy_pool_release(srv->policy, &p.ip);
}

void dhcp6_pd_session_end(struct dhcp6_pd *pd, struct session *s)
{
	struct dhcp6_link *l = s->dhcp6;

	if (!l)
		return;
	if (pd) {
		if (l->indexed) {
			if (l->joined) {
				struct ipv6_mreq mr;

				memset(&mr, 0, sizeof(mr));
				memcpy(&mr.ipv6mr_multiaddr, all_servers, 16);
				mr.ipv6mr_interface = (unsigned)l->ifindex;
				(void)setsockopt(pd->fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr,
						 sizeof(mr));
			}
			u32_htab_remove(&pd->by_ifindex, &l->node);
		}
		if (l->b.has_prefix)
			give_back(pd, l, &l->b);
	}
	if (l->fixed_leased)
		policy_pool_release(s->srv->policy, &l->fixed.ip);
	profile_put(l->prof);
	free(l);
	s->dhcp6 = NULL;
}

bool dhcp6_pd_session_prefix(const struct session *s, struct policy_prefix *out)
{
	const struct dhcp6_link *l = s->dhcp6;

	if (!l || !l->b.has_prefix || !l->b.committed)
		return false;
	out->ip.family = AF_INET6;
	memcpy(out->ip.bytes, l->b.prefix, 16);
	out->len = l->b.prefix_len;
	return true;
}

/* ---- one message ------------------------------------------------------------- */

/* dhcp6_pd_lease_fn: the first of the profile's pools, by name in the
 * policy in use now, with a prefix free. */
static int lease_from_pools(void *ctx, struct policy_prefix *out)
{
	struct dhcp6_link *l = ctx;
	struct server *srv = l->s->srv;
	const char *name = l->prof->names;

	if (l->has_fixed) {
		/* Delegated-IPv6-Prefix: this one, held since the grant */
		*out = l->fixed;
		return 0;
	}

	for (size_t i = 0; i < l->prof->n_pools; i++, name += strlen(name) + 1) {
		int idx = policy_pool_find(srv->policy, name);

		if (idx >= 0 && policy_pool_lease_prefix(srv->policy, (unsigned)idx, out) == 0)
			return 0;
	}
	return -1;
}

static void route_prefix(struct dhcp6_pd *pd, struct dhcp6_link *l)
{
	struct server *srv = pd->srv;
	struct session *s = l->s;
	struct policy_prefix p = { .ip = { .family = AF_INET6 }, .len = l->b.prefix_len };
	char err[160], text[64];

	prefix_text(&l->b, text, sizeof(text));
	if (l->routed)
		return;
	memcpy(p.ip.bytes, l->b.prefix, 16);
	/* RFC 8415 section 6.3: the delegating router routes the prefix to
	 * the requesting router; on a point-to-point link the device is the
	 * next hop (the client's link-local address adds nothing) */
	if (!srv->routes || l->ifindex <= 0 ||
	    routes_apply(srv->routes, l->ifindex, &p, 1, true, err, sizeof(err)) != 1) {
		log_err("session %u/%u: delegated prefix %s not routed to the client: %s",
			s->tunnel_id, s->session_id, text,
			!srv->routes ? "no rtnetlink" : l->ifindex <= 0 ? "no device" : err);
		return;
	}
	l->routed = true;
	pd->c[D6_DELEGATED]++;
	log_info("session %u/%u: prefix %s delegated to user '%s' (DHCPv6)", s->tunnel_id,
		 s->session_id, text, SAFE_STR(s->user));
	acct_session_ipv6(s);	/* its accounting names it from now on, past a Release */
}

/* Decide and apply the binding's change; the answer in out (*out_len).
 * Returns what to count once the answer is sent (or not). */
static enum dhcp6_pd_count handle(struct dhcp6_pd *pd, struct dhcp6_link *l,
				  const uint8_t src[16], const uint8_t *msg, size_t len,
				  uint8_t *out, size_t cap, size_t *out_len)
{
	struct session *s = l->s;
	struct dhcp6_server_params sp;
	struct dhcp6_binding before = l->b;
	enum dhcp6_pd_count c;
	unsigned effects;

	*out_len = 0;
	if (!dhcp6_pd_allow(&l->tat_ms, server_now_ms(pd->srv)))
		return D6_RATE_LIMITED;
	memset(&sp, 0, sizeof(sp));
	sp.duid = pd->duid;
	sp.duid_len = sizeof(pd->duid);
	sp.preferred = sp.valid = l->prof->lifetime;
	sp.n_dns = l->prof->n_dns;
	memcpy(sp.dns, l->prof->dns, sizeof(sp.dns));
	c = dhcp6_pd_decide(&sp, &l->b, lease_from_pools, l, src, msg, len, out, cap, out_len,
			    &effects);
	if (c == D6_NO_PREFIX && !l->warned) {
		/* once per session: the client asks again and again */
		l->warned = true;
		log_warn("session %u/%u: no delegated prefix free for user '%s' (ipv6_pd_pool "
			 "exhausted, or none): NoPrefixAvail", s->tunnel_id, s->session_id,
			 SAFE_STR(s->user));
	}
	if (c != D6_ANSWERED && c != D6_NO_PREFIX) {
		log_debug("session %u/%u: DHCPv6 message dropped: %s", s->tunnel_id,
			  s->session_id, dhcp6_pd_count_name(c));
		return c;
	}
	if (effects & DHCP6_E_RELEASE) {
		char text[64];

		prefix_text(&before, text, sizeof(text));
		give_back(pd, l, &before);
		pd->c[D6_RELEASED]++;
		log_info("session %u/%u: delegated prefix %s released by user '%s'",
			 s->tunnel_id, s->session_id, text, SAFE_STR(s->user));
	}
	if (effects & DHCP6_E_COMMIT)
		route_prefix(pd, l);
	return c;
}

bool dhcp6_pd_rx(struct dhcp6_pd *pd, struct session *s, const uint8_t *pkt, size_t len)
{
	/* PPP protocol, IPv6, UDP, then the answer */
	uint8_t frame[2 + 48 + DHCP6_MAX_LEN];
	struct dhcp6_link *l = s->dhcp6;
	struct server *srv;
	struct dhcp6_udp u;
	enum dhcp6_pd_count c;
	size_t n, ip_len;
	int rc;

	if (!pd)
		return false;
	srv = pd->srv;
	if (!l || !l->up) {
		/* a link without IPv6 up has no address of ours: only the
		 * multicast one can be meant for us */
		if (!dhcp6_pd_addressed_to_us(pkt, len, all_servers))
			return false;
		pd->c[D6_NO_SESSION]++;
		return true;
	}
	/* Anything not ours (a unicast to a DHCPv6 server elsewhere) is
	 * forwarded like any other packet, decided before it is parsed. */
	if (!dhcp6_pd_addressed_to_us(pkt, len, l->local_ll))
		return false;
	if (dhcp6_udp_parse(pkt, len, &u) != DHCP6_UDP_OK) {
		pd->c[D6_MALFORMED]++;
		return true;
	}
	c = handle(pd, l, u.src, u.payload, u.len, frame + 50, sizeof(frame) - 50, &n);
	if (!n) {
		pd->c[c]++;
		return true;
	}
	/* RFC 8415 section 18.3: to the address and port it came from */
	ip_len = dhcp6_udp_build(frame + 2, sizeof(frame) - 2, l->local_ll, u.src,
				 REPLY_HOP_LIMIT, DHCP6_SERVER_PORT, u.sport, frame + 50, n);
	frame[0] = PPP_PROTO_IPV6_HI;
	frame[1] = PPP_PROTO_IPV6_LO;
	rc = ip_len && s->dp ? srv->dp_ops->session_send_ppp(srv->dp, s->dp, frame, ip_len + 2)
			     : -1;
	pd->c[rc ? D6_SEND_FAILED : c]++;
	return true;
}

/* ---- kernel plane ------------------------------------------------------------- */

static void kernel_rx_one(struct dhcp6_pd *pd, const uint8_t *buf, size_t len,
			  const struct sockaddr_in6 *from, int ifindex)
{
	uint8_t out[DHCP6_MAX_LEN];
	struct dhcp6_link *l;
	struct u32_hnode *node;
	struct sockaddr_in6 to;
	enum dhcp6_pd_count c;
	size_t n;

	node = ifindex > 0 ? u32_htab_find(&pd->by_ifindex, (uint32_t)ifindex) : NULL;
	if (!node) {
		pd->c[D6_NO_SESSION]++;		/* the LAN's, or a link without IPv6 */
		return;
	}
	l = u32_container_of(node, struct dhcp6_link, node);
	if (!l->up) {
		pd->c[D6_NO_SESSION]++;
		return;
	}
	c = handle(pd, l, from->sin6_addr.s6_addr, buf, len, out, sizeof(out), &n);
	if (!n) {
		pd->c[c]++;
		return;
	}
	memset(&to, 0, sizeof(to));
	to.sin6_family = AF_INET6;
	to.sin6_addr = from->sin6_addr;
	to.sin6_port = from->sin6_port;
	to.sin6_scope_id = (uint32_t)ifindex;
	/* out through the client's own link, from our end of it */
	pd->c[net_send6_on_link(pd->fd, &to, l->local_ll, ifindex, out, n) ? D6_SEND_FAILED : c]++;
}

static int on_kernel_socket(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct dhcp6_pd *pd = arg;

	(void)src;
	(void)revents;
	for (int i = 0; i < RX_BURST; i++) {
		uint8_t buf[DHCP6_MAX_LEN];
		struct sockaddr_in6 from;
		int ifindex;
		ssize_t n = net_recv_on_link(fd, buf, sizeof(buf), &from, sizeof(from), &ifindex);

		if (n == NET_RECV_NONE)
			break;
		if (n == NET_RECV_TOO_LONG) {
			pd->c[D6_MALFORMED]++;
			continue;
		}
		kernel_rx_one(pd, buf, (size_t)n, &from, ifindex);
	}
	return 0;
}

static int open_socket(struct dhcp6_pd *pd)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(DHCP6_SERVER_PORT) };
	int one = 1, fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* IPV6_RECVPKTINFO: the ifindex a message came in on, i.e. the
	 * session; IPv6 only (no v4-mapped traffic on this socket) */
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	/* our own multicast must not come back to us */
	one = 0;
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &one, sizeof(one));
	if (sd_event_add_io(pd->srv->event, &pd->src, fd, EPOLLIN, on_kernel_socket, pd) < 0) {
		close(fd);
		return -ENOMEM;
	}
	pd->fd = fd;
	return 0;
}

/* DUID-UUID (RFC 6355): type 4 and 16 octets, the same on every start of
 * this machine; from the random source when it has no machine id. */
static void make_duid(struct dhcp6_pd *pd)
{
	sd_id128_t id;

	pd->duid[0] = 0;
	pd->duid[1] = DUID_UUID;
	if (sd_id128_get_machine_app_specific(DUID_APP_ID, &id) == 0)
		memcpy(pd->duid + 2, id.bytes, 16);
	else if (server_random(pd->srv, pd->duid + 2, 16) != 0)
		memset(pd->duid + 2, 0x5a, 16);
}

struct dhcp6_pd *dhcp6_pd_open(struct server *srv, bool kernel_socket)
{
	struct dhcp6_pd *pd = calloc(1, sizeof(*pd));
	int rc;

	if (!pd)
		return NULL;
	pd->srv = srv;
	pd->fd = -1;
	if (u32_htab_init(&pd->by_ifindex, 6)) {
		free(pd);
		return NULL;
	}
	make_duid(pd);
	if (kernel_socket && (rc = open_socket(pd)) < 0)
		log_warn("DHCPv6 from clients (prefix delegation) will not be answered: UDP port "
			 "547: %s (a DHCPv6 server on this host?)", strerror(-rc));
	return pd;
}

void dhcp6_pd_close(struct dhcp6_pd *pd)
{
	if (!pd)
		return;
	dhcp6_pd_new_generation(pd);
	if (pd->src)
		sd_event_source_disable_unref(pd->src);
	if (pd->fd >= 0)
		close(pd->fd);
	u32_htab_fini(&pd->by_ifindex);
	free(pd);
}
