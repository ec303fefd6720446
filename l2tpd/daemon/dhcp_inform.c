/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPINFORM on the clients' links (dhcp_inform.h, docs/addresses.md). */
#include "dhcp_inform.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "u32_htab.h"
#include "log.h"
#include "net.h"
#include "policy_cache.h"
#include "server.h"

#define RX_BURST	32	/* datagrams read per wake-up (kernel plane) */
#define PPP_PROTO_IP_HI	0x00
#define PPP_PROTO_IP_LO	0x21

/* One policy's options, shared by its sessions. */
struct inform_profile {
	unsigned refs;
	struct dhcp_inform_opts o;
};

struct dhcp_inform_link {
	struct u32_hnode node;		/* kernel plane: keyed by ifindex */
	bool indexed;
	struct session *s;
	struct inform_profile *prof;
	uint64_t tat_ms;		/* dhcp_inform_allow */
};

struct dhcp_inform {
	struct server *srv;
	int fd;				/* kernel plane: port 67; -1 none */
	sd_event_source *src;
	struct u32_htab by_ifindex;
	struct policy_cache cache;	/* struct inform_profile by policy index, this generation */
	uint64_t c[DI_COUNT_MAX];
};

const char *dhcp_inform_count_name(enum dhcp_inform_count c)
{
	static const char *const names[DI_COUNT_MAX] = {
		[DI_ANSWERED] = "answered",
		[DI_MALFORMED] = "malformed",
		[DI_NOT_INFORM] = "not-inform",
		[DI_WRONG_SOURCE] = "wrong-source",
		[DI_RATE_LIMITED] = "rate-limited",
		[DI_NO_SESSION] = "no-session",
		[DI_SEND_FAILED] = "send-failed",
	};
	return (unsigned)c < DI_COUNT_MAX ? names[c] : "?";
}

const uint64_t *dhcp_inform_counters(const struct dhcp_inform *di)
{
	return di->c;
}

/* ---- pure ---------------------------------------------------------------- */

void dhcp_inform_opts_from_profile(const struct policy_profile *pr, struct dhcp_inform_opts *o)
{
	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < pr->n_dns && i < 2; i++)
		if (pr->dns[i].family == AF_INET)
			memcpy(&o->dns[o->n_dns++], pr->dns[i].bytes, 4);
	for (size_t i = 0; i < pr->n_wins && i < 2; i++)
		if (pr->wins[i].family == AF_INET)
			memcpy(&o->nbns[o->n_nbns++], pr->wins[i].bytes, 4);
	if (pr->dns_domain) {
		size_t n = strnlen(pr->dns_domain, DHCP_DOMAIN_MAX);
		memcpy(o->domain, pr->dns_domain, n);
		o->domain_len = (uint8_t)n;
	}
	/* the policy checked these are IPv4 and fit one option */
	for (size_t i = 0; i < pr->n_split_routes && o->n_routes < DHCP_INFORM_MAX_ROUTES; i++) {
		const struct policy_prefix *p = &pr->split_routes[i];
		if (p->ip.family != AF_INET)
			continue;
		memcpy(&o->routes[o->n_routes].dest, p->ip.bytes, 4);
		o->routes[o->n_routes].prefix_len = p->len;
		o->n_routes++;
	}
}

enum dhcp_inform_count dhcp_inform_decide(const struct dhcp_inform_opts *o, uint32_t src,
					  uint16_t sport, uint32_t client, uint32_t server,
					  const uint8_t *dhcp, size_t len, uint8_t *out,
					  size_t cap, size_t *out_len)
{
	struct dhcp_msg m;

	*out_len = 0;
	/* RFC 2131 section 4.4.3: the client already has its address and
	 * sends from it; a link carries one client, so anything else is
	 * spoofed (or a DHCP client that should not run here). */
	if (src != client || sport != DHCP_CLIENT_PORT || !client)
		return DI_WRONG_SOURCE;
	if (len > DHCP_MAX_LEN || dhcp_parse(dhcp, len, &m) != DHCP_OK)
		return DI_MALFORMED;
	switch (dhcp_inform_answer(o, &m, len, client, server, out, cap, out_len)) {
	case DHCP_INFORM_ANSWER:
		return DI_ANSWERED;
	case DHCP_INFORM_NOT_INFORM:
		return DI_NOT_INFORM;
	case DHCP_INFORM_WRONG_CLIENT:
		return DI_WRONG_SOURCE;
	default:
		return DI_MALFORMED;
	}
}

bool dhcp_inform_allow(uint64_t *tat_ms, uint64_t now_ms)
{
	const uint64_t burst = (uint64_t)(DHCP_INFORM_BURST - 1) * DHCP_INFORM_INTERVAL_MS;
	uint64_t tat = *tat_ms > now_ms ? *tat_ms : now_ms;

	if (tat - now_ms > burst)
		return false;
	*tat_ms = tat + DHCP_INFORM_INTERVAL_MS;
	return true;
}

/* ---- per session ------------------------------------------------------------ */

static void profile_put(struct inform_profile *p)
{
	if (p && --p->refs == 0)
		free(p);
}

static void profile_release(void *p)
{
	profile_put(p);
}

static struct inform_profile *profile_get(struct dhcp_inform *di, int policy_index,
					  const struct policy_profile *pr)
{
	struct inform_profile *p = policy_cache_find(&di->cache, policy_index);

	if (p) {
		p->refs++;
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->refs = 1;
	dhcp_inform_opts_from_profile(pr, &p->o);
	if (policy_cache_store(&di->cache, policy_index, p))
		p->refs++;			/* the cache's */
	return p;
}

void dhcp_inform_new_generation(struct dhcp_inform *di)
{
	if (di)
		policy_cache_clear(&di->cache, profile_release);
}

void dhcp_inform_session_grant(struct dhcp_inform *di, struct session *s, int policy_index,
			       const struct policy_profile *pr)
{
	struct dhcp_inform_link *l;

	if (!di)
		return;
	dhcp_inform_session_end(di, s);
	l = calloc(1, sizeof(*l));
	if (!l || !(l->prof = profile_get(di, policy_index, pr))) {
		log_warn("session %u/%u: no memory: its DHCPINFORM will not be answered",
			 s->tunnel_id, s->session_id);
		free(l);
		return;
	}
	l->s = s;
	s->inform = l;
}

void dhcp_inform_session_up(struct dhcp_inform *di, struct session *s, const char *ifname)
{
	struct dhcp_inform_link *l = s->inform;
	int ifindex;

	if (!di || !l || di->fd < 0 || l->indexed || !ifname)
		return;
	ifindex = (int)if_nametoindex(ifname);
	if (ifindex <= 0) {
		log_warn("session %u/%u: no interface %s: its DHCPINFORM will not be answered",
			 s->tunnel_id, s->session_id, ifname);
		return;
	}
	l->node.key = (uint32_t)ifindex;
	u32_htab_insert(&di->by_ifindex, &l->node);	/* inserted even when growing failed */
	l->indexed = true;
}

void dhcp_inform_session_end(struct dhcp_inform *di, struct session *s)
{
	struct dhcp_inform_link *l = s->inform;

	if (!l)
		return;
	if (l->indexed && di)
		u32_htab_remove(&di->by_ifindex, &l->node);
	profile_put(l->prof);
	free(l);
	s->inform = NULL;
}

/* ---- receive ------------------------------------------------------------------ */

/* Decide and count; the answer in out (*out_len), or nothing. */
static void handle(struct dhcp_inform *di, struct dhcp_inform_link *l, uint32_t src,
		   uint16_t sport, const uint8_t *dhcp, size_t len, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	struct session *s = l->s;
	enum dhcp_inform_count c;

	*out_len = 0;
	c = dhcp_inform_decide(&l->prof->o, src, sport, htonl(s->peer_addr),
			       htonl(s->ppp.ipcp_st.local_addr), dhcp, len, out, cap, out_len);
	if (c == DI_ANSWERED && !dhcp_inform_allow(&l->tat_ms, server_now_ms(di->srv))) {
		c = DI_RATE_LIMITED;
		*out_len = 0;
	}
	if (c != DI_ANSWERED) {
		di->c[c]++;
		log_debug("session %u/%u: DHCP datagram dropped: %s", s->tunnel_id, s->session_id,
			  dhcp_inform_count_name(c));
		return;
	}
	log_debug("session %u/%u: DHCPINFORM answered (%u routes)", s->tunnel_id,
		  s->session_id, l->prof->o.n_routes);
}

bool dhcp_inform_addressed_to_us(const uint8_t *pkt, size_t len, uint32_t server)
{
	uint32_t dst;

	/* Ours: the limited broadcast a client uses (RFC 2131 section 4.4.3)
	 * or our end of the link; the destination is octets 16-19 of the IPv4
	 * header (RFC 791 section 3.1). */
	if (len < 20 || (pkt[0] >> 4) != 4)
		return false;
	memcpy(&dst, pkt + 16, sizeof(dst));
	return dst == INADDR_BROADCAST || dst == server;
}

bool dhcp_inform_rx(struct dhcp_inform *di, struct session *s, const uint8_t *pkt, size_t len)
{
	/* PPP protocol, IPv4, UDP, then the DHCP message */
	uint8_t frame[2 + 28 + DHCP_MAX_LEN];
	struct dhcp_inform_link *l = s->inform;
	struct server *srv = di->srv;
	struct dhcp_udp u;
	size_t n, ip_len;
	int rc;

	/* Anything not ours (a unicast to a DHCP server on the LAN, even a
	 * fragment or one with a bad checksum) is forwarded like any other
	 * packet: decided before the datagram is parsed. */
	if (!dhcp_inform_addressed_to_us(pkt, len, htonl(s->ppp.ipcp_st.local_addr)))
		return false;
	if (dhcp_udp_parse(pkt, len, &u) != DHCP_UDP_OK) {
		di->c[DI_MALFORMED]++;
		return true;
	}
	if (!l || !s->peer_addr) {
		di->c[DI_NO_SESSION]++;
		return true;
	}
	handle(di, l, u.src, u.sport, u.payload, u.len, frame + 30, sizeof(frame) - 30, &n);
	if (!n)
		return true;
	/* RFC 2131 section 4.3.5: to the client's address (ciaddr) */
	ip_len = dhcp_udp_build(frame + 2, sizeof(frame) - 2, htonl(s->ppp.ipcp_st.local_addr),
				htonl(s->peer_addr), DHCP_SERVER_PORT, DHCP_CLIENT_PORT, frame + 30,
				n);
	frame[0] = PPP_PROTO_IP_HI;
	frame[1] = PPP_PROTO_IP_LO;
	rc = ip_len && s->dp ? srv->dp_ops->session_send_ppp(srv->dp, s->dp, frame, ip_len + 2)
			     : -1;
	di->c[rc == 0 ? DI_ANSWERED : DI_SEND_FAILED]++;
	return true;
}

/* Kernel plane: the port 67 socket is readable. */
static void kernel_rx_one(struct dhcp_inform *di, const uint8_t *buf, size_t len,
			  const struct sockaddr_in *from, int ifindex)
{
	uint8_t out[DHCP_MAX_LEN];
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} ctl;
	struct dhcp_inform_link *l;
	struct u32_hnode *node;
	struct in_pktinfo *pi;
	struct sockaddr_in to;
	struct msghdr mh;
	struct iovec iov;
	size_t n;

	node = ifindex > 0 ? u32_htab_find(&di->by_ifindex, (uint32_t)ifindex) : NULL;
	if (!node) {
		di->c[DI_NO_SESSION]++;
		return;
	}
	l = u32_container_of(node, struct dhcp_inform_link, node);
	handle(di, l, from->sin_addr.s_addr, ntohs(from->sin_port), buf, len, out, sizeof(out),
	       &n);
	if (!n)
		return;
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(l->s->peer_addr);
	to.sin_port = htons(DHCP_CLIENT_PORT);
	iov.iov_base = out;
	iov.iov_len = n;
	memset(&ctl, 0, sizeof(ctl));
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &to;
	mh.msg_namelen = sizeof(to);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.b;
	mh.msg_controllen = sizeof(ctl.b);
	/* out through the client's own link, from our end of it */
	ctl.h.cmsg_level = IPPROTO_IP;
	ctl.h.cmsg_type = IP_PKTINFO;
	ctl.h.cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(&ctl.h);
	pi->ipi_ifindex = ifindex;
	pi->ipi_spec_dst.s_addr = htonl(l->s->ppp.ipcp_st.local_addr);
	di->c[sendmsg(di->fd, &mh, MSG_DONTWAIT) == (ssize_t)n ? DI_ANSWERED : DI_SEND_FAILED]++;
}

static int on_kernel_socket(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct dhcp_inform *di = arg;

	for (int i = 0; i < RX_BURST; i++) {
		uint8_t buf[DHCP_MAX_LEN];
		struct sockaddr_in from;
		int ifindex;
		ssize_t n = net_recv_on_link(fd, buf, sizeof(buf), &from, sizeof(from), &ifindex);

		if (n == NET_RECV_NONE)
			break;
		if (n == NET_RECV_TOO_LONG) {	/* more than we accept */
			di->c[DI_MALFORMED]++;
			continue;
		}
		kernel_rx_one(di, buf, (size_t)n, &from, ifindex);
	}
	return 0;
}

static int open_socket(struct dhcp_inform *di)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	int one = 1, fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	/* IP_PKTINFO: the ifindex a datagram came in on, i.e. the session.
	 * SO_REUSEADDR: a DHCP pool's socket binds port 67 too, on its LAN
	 * interface (dhcppool.c); the kernel gives that socket what arrives
	 * on its device and this one the rest (LAN broadcasts that reach both
	 * are counted here as no-session). */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	if (sd_event_add_io(di->srv->event, &di->src, fd, EPOLLIN, on_kernel_socket, di) < 0) {
		close(fd);
		return -ENOMEM;
	}
	di->fd = fd;
	return 0;
}

struct dhcp_inform *dhcp_inform_open(struct server *srv, bool kernel_socket)
{
	struct dhcp_inform *di = calloc(1, sizeof(*di));
	int rc;

	if (!di)
		return NULL;
	di->srv = srv;
	di->fd = -1;
	if (u32_htab_init(&di->by_ifindex, 6)) {
		free(di);
		return NULL;
	}
	if (kernel_socket && (rc = open_socket(di)) < 0)
		log_warn("DHCPINFORM from clients will not be answered: UDP port 67: %s "
			 "(a DHCP server on this host?)", strerror(-rc));
	return di;
}

void dhcp_inform_close(struct dhcp_inform *di)
{
	if (!di)
		return;
	dhcp_inform_new_generation(di);
	if (di->src)
		sd_event_source_disable_unref(di->src);
	if (di->fd >= 0)
		close(di->fd);
	u32_htab_fini(&di->by_ifindex);
	free(di);
}
