/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP pools in the daemon (dhcppool.h, docs/addresses.md). The engine
 * does the protocol; this file owns the socket, the timer, the log lines
 * and the link to the policy and the sessions.
 *
 * The socket: UDP port 67 on 0.0.0.0, bound to the LAN interface
 * (SO_BINDTODEVICE), broadcast allowed. We speak as a BOOTP relay agent
 * (giaddr = the interface's address), so the server answers to port 67 of
 * our address whatever the state of the lease, and the host's own DHCP
 * client on port 68 is left alone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp.h"
#include "dhcppool.h"
#include "lease_client.h"
#include "log.h"
#include "metrics_text.h"
#include "server.h"
#include "session.h"

#define RETRY_MS	10000	/* interface missing or without an address */
#define CDN_GENERAL_ERROR 2	/* RFC 2661 4.4.2 */

struct dhcppool {
	struct server *srv;
	struct dhcppool *next;
	char name[64];
	char ifname[IF_NAMESIZE];
	uint32_t server;		/* dhcp_server, network order; 0: broadcast */
	uint32_t block;
	int fd;
	sd_event_source *src;
	struct timer_node timer;	/* kind SERVER_TIMER_DHCP */
	struct dhcp_lc lc;
	bool started;			/* socket open, engine running */
	bool retired;			/* gone from the policy */
	bool warned;			/* the interface problem is logged */
	bool keep;			/* in the policy being synced */
	uint64_t rnd;
	uint64_t send_errors;
};

static void addr_str(uint32_t a, char *buf, size_t len)
{
	struct in_addr in = { a };

	inet_ntop(AF_INET, &in, buf, (socklen_t)len);
}

/* ---- the engine's ops ------------------------------------------------------------ */

static void pool_send(void *ctx, const uint8_t *buf, size_t len, uint32_t dst)
{
	struct dhcppool *dp = ctx;
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT),
				   .sin_addr.s_addr = dst };

	if (sendto(dp->fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		/* a full queue or a vanished interface: the engine's
		 * retransmission covers it */
		if (dp->send_errors++ % 1000 == 0)
			log_warn("dhcp pool '%s': cannot send on %s: %s", dp->name, dp->ifname,
				 strerror(errno));
	}
}

static uint32_t pool_random(void *ctx)
{
	struct dhcppool *dp = ctx;

	/* xorshift64*: xids and jitter need no more */
	dp->rnd ^= dp->rnd >> 12;
	dp->rnd ^= dp->rnd << 25;
	dp->rnd ^= dp->rnd >> 27;
	return (uint32_t)((dp->rnd * 0x2545f4914f6cdd1dull) >> 32);
}

/* The lease of a session is gone (NAK or expiry): the address may be
 * someone else's soon, so the session ends. Rare: a walk is fine. */
static void lease_lost(struct dhcppool *dp, uint32_t addr)
{
	for (struct session *s = dp->srv->sessions; s; s = s->next)
		if (s->has_lease4 && s->lease4.family == AF_INET &&
		    memcmp(s->lease4.bytes, &addr, 4) == 0) {
			s->has_lease4 = false;	/* the engine let it go already */
			session_request_close(s, "DHCP lease lost", CDN_GENERAL_ERROR, 0);
		}
}

static void pool_event(void *ctx, enum dhcp_lc_event ev, struct dhcp_lease *l)
{
	struct dhcppool *dp = ctx;
	char a[INET_ADDRSTRLEN] = "", sid[INET_ADDRSTRLEN] = "";

	if (l) {
		addr_str(l->addr, a, sizeof(a));
		addr_str(l->server_id, sid, sizeof(sid));
	}
	switch (ev) {
	case DHCP_LC_BOUND:
		log_info("dhcp pool '%s': leased %s from %s (client id %u, %u ready)", dp->name, a,
			 sid, l->index, dp->lc.n_ready);
		break;
	case DHCP_LC_LOST:
		log_warn("dhcp pool '%s': lease of %s lost (server %s); its session ends",
			 dp->name, a, sid);
		lease_lost(dp, l->addr);
		break;
	case DHCP_LC_EXPIRED:
		log_warn("dhcp pool '%s': lease of %s lost (server %s)", dp->name, a, sid);
		break;
	case DHCP_LC_SERVER_DOWN:
		log_warn("dhcp pool '%s': no answer from a DHCP server on %s; new sessions are "
			 "refused while no leased address is ready", dp->name, dp->ifname);
		break;
	case DHCP_LC_SERVER_UP:
		log_notice("dhcp pool '%s': the DHCP server on %s answers again", dp->name,
			   dp->ifname);
		break;
	case DHCP_LC_EXHAUSTED:
		log_notice("dhcp pool '%s': no leased address ready for a session (%u in use, %u "
			   "being requested%s)", dp->name, dp->lc.n_in_use, dp->lc.n_acquiring,
			   dp->lc.server_down ? ", the DHCP server does not answer" : "");
		break;
	}
}

static const struct dhcp_lc_ops lc_ops = { pool_send, pool_event, pool_random };

/* ---- socket and timer --------------------------------------------------------------- */

static void pool_rearm(struct dhcppool *dp, uint64_t now)
{
	struct server *srv = dp->srv;
	uint64_t d = dp->started ? dhcp_lc_next_deadline(&dp->lc) : now + RETRY_MS;

	if (d == UINT64_MAX || timerheap_set(&srv->timers, &dp->timer, d))
		timerheap_cancel(&srv->timers, &dp->timer);
	server_rearm_heap(srv);
}

static void pool_settle(struct dhcppool *dp, uint64_t now);

/* After a reload renamed or moved a pool, the retired one and its
 * successor share the interface, and the kernel gives a unicast answer to
 * one of their two sockets: it goes to the engine whose exchange it is. */
static struct dhcppool *claimant(struct dhcppool *dp, const uint8_t *buf, size_t len)
{
	if (dhcp_lc_claims(&dp->lc, buf, len))
		return dp;
	for (struct dhcppool *o = dp->srv->dhcppools; o; o = o->next)
		if (o != dp && o->started && strcmp(o->ifname, dp->ifname) == 0 &&
		    dhcp_lc_claims(&o->lc, buf, len))
			return o;
	return dp;
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct dhcppool *dp = arg;
	struct server *srv = dp->srv;
	uint64_t now = server_now_ms(srv);
	uint8_t buf[DHCP_MAX_LEN + 1];

	/* a bounded batch: a LAN full of DHCP traffic cannot hold the loop */
	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			break;
		/* requests on the LAN's port 67 (clients' broadcasts, our
		 * own looped back) are not answers: not even counted */
		if (n > 0 && buf[0] == DHCP_BOOTREQUEST)
			continue;
		if ((size_t)n > DHCP_MAX_LEN) {
			dp->lc.stats.received++;
			dp->lc.stats.dropped++;
			continue;
		}
		dhcp_lc_input(&claimant(dp, buf, (size_t)n)->lc, buf, (size_t)n, now);
	}
	/* the other pools on the interface ran too: settle them all */
	for (struct dhcppool *o = srv->dhcppools, *next; o; o = next) {
		next = o->next;
		if (o != dp && strcmp(o->ifname, dp->ifname) == 0)
			pool_settle(o, now);
	}
	pool_settle(dp, now);
	server_flush(srv);
	return 0;
}

/* The interface's first IPv4 address and mask, and its MAC address. */
static int interface_info(const char *ifname, int fd, uint32_t *addr, uint32_t *mask,
			  uint8_t mac[6], const char **why)
{
	struct ifaddrs *ifa, *i;
	struct ifreq ifr;

	*addr = 0;
	if (getifaddrs(&ifa) < 0) {
		*why = "cannot list interfaces";
		return -1;
	}
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && i->ifa_netmask &&
		    strcmp(i->ifa_name, ifname) == 0) {
			*addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
			*mask = ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr;
			break;
		}
	freeifaddrs(ifa);
	if (!*addr) {
		*why = "no such interface, or no IPv4 address on it";
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		*why = "cannot read its hardware address";
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static void pool_try_start(struct dhcppool *dp, uint64_t now)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(DHCP_SERVER_PORT) };
	struct dhcp_lc_config c;
	const char *why = NULL;
	char giaddr[INET_ADDRSTRLEN];
	int one = 1, rcvbuf = 1 << 20, fd;
	size_t nl;

	memset(&c, 0, sizeof(c));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		why = strerror(errno);
		goto fail;
	}
	if (interface_info(dp->ifname, fd, &c.giaddr, &c.netmask, c.chaddr, &why))
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dp->ifname, (socklen_t)strlen(dp->ifname)) ||
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    /* a block's answers come in a burst */
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		why = strerror(errno);
		goto fail;
	}
	/* client id: "l2tpd:<our MAC>:<pool>:<n>", unique on the LAN and the
	 * same after a restart, so the server's table does not grow */
	nl = strlen(dp->name);
	if (nl > 64)
		nl = 64;
	c.cid_prefix_len = (size_t)snprintf((char *)c.cid_prefix, sizeof(c.cid_prefix),
					    "l2tpd:%02x%02x%02x%02x%02x%02x:%.*s:", c.chaddr[0],
					    c.chaddr[1], c.chaddr[2], c.chaddr[3], c.chaddr[4],
					    c.chaddr[5], (int)nl, dp->name);
	c.server = dp->server;
	c.block = dp->block;
	if (dhcp_lc_init(&dp->lc, &c, &lc_ops, dp)) {
		why = "no memory";
		goto fail;
	}
	if (sd_event_add_io(dp->srv->event, &dp->src, fd, EPOLLIN, on_readable, dp) < 0) {
		dhcp_lc_free(&dp->lc);
		why = "cannot watch the socket";
		goto fail;
	}
	dp->fd = fd;
	dp->started = true;
	dp->warned = false;
	addr_str(c.giaddr, giaddr, sizeof(giaddr));
	log_notice("dhcp pool '%s': leasing from the DHCP server on %s as relay %s, %u at a time",
		   dp->name, dp->ifname, giaddr, dp->lc.cfg.block);
	dhcp_lc_start(&dp->lc, now);
	return;
fail:
	if (fd >= 0)
		close(fd);
	if (!dp->warned)
		log_warn("dhcp pool '%s': cannot use %s (%s); trying again every %u s, sessions "
			 "get no address from this pool meanwhile", dp->name, dp->ifname, why,
			 RETRY_MS / 1000);
	dp->warned = true;
}

static void pool_destroy(struct dhcppool *dp)
{
	struct server *srv = dp->srv;

	for (struct dhcppool **pp = &srv->dhcppools; *pp; pp = &(*pp)->next)
		if (*pp == dp) {
			*pp = dp->next;
			break;
		}
	timerheap_cancel(&srv->timers, &dp->timer);
	if (dp->started) {
		uint64_t now = server_now_ms(srv);

		dhcp_lc_stop(&dp->lc, now);
		/* at exit the sessions are gone first; any lease still in
		 * use is released all the same */
		for (uint32_t i = 0; i < dp->lc.n_slots; i++)
			if (dp->lc.leases[i]->in_use)
				dhcp_lc_give_back(&dp->lc, dp->lc.leases[i], now);
		dhcp_lc_free(&dp->lc);
		sd_event_source_disable_unref(dp->src);
		close(dp->fd);
	}
	free(dp);
}

static bool pool_done(const struct dhcppool *dp)
{
	return dp->retired && (!dp->started || dp->lc.n_in_use == 0);
}

static void pool_retire(struct dhcppool *dp, uint64_t now)
{
	dp->retired = true;
	if (dp->started)
		dhcp_lc_stop(&dp->lc, now);	/* ready leases go back now */
	if (pool_done(dp)) {
		pool_destroy(dp);
		return;
	}
	log_notice("dhcp pool '%s': not in the policy any more; its %u lease(s) in use are "
		   "released when their sessions end", dp->name, dp->lc.n_in_use);
	pool_rearm(dp, now);
}

/* After the engine ran: a retired pool whose last lease in use was lost
 * (NAK, expiry) is done; any other waits for its next deadline. */
static void pool_settle(struct dhcppool *dp, uint64_t now)
{
	if (pool_done(dp))
		pool_destroy(dp);
	else
		pool_rearm(dp, now);
}

void dhcppool_timer_fired(struct server *srv, struct timer_node *n, uint64_t now)
{
	struct dhcppool *dp = container_of(n, struct dhcppool, timer);

	if (!dp->started && !dp->retired)
		pool_try_start(dp, now);
	else if (dp->started)
		dhcp_lc_run_timers(&dp->lc, now);
	pool_settle(dp, now);
	(void)srv;
}

/* ---- the policy's lease source -------------------------------------------------------- */

static int source_lease(void *ctx, unsigned pool_index, const char *name, struct policy_ip *out)
{
	struct server *srv = ctx;
	uint64_t now = server_now_ms(srv);

	(void)pool_index;
	for (struct dhcppool *dp = srv->dhcppools; dp; dp = dp->next) {
		if (dp->retired || strcmp(dp->name, name) != 0)
			continue;
		if (!dp->started) {
			log_notice("dhcp pool '%s': no address for a session: %s is not usable yet",
				   dp->name, dp->ifname);
			return -1;
		}
		struct dhcp_lease *l = dhcp_lc_take(&dp->lc, now);
		pool_rearm(dp, now);
		if (!l)
			return -1;
		memset(out, 0, sizeof(*out));
		out->family = AF_INET;
		memcpy(out->bytes, &l->addr, 4);
		return 0;
	}
	return -1;
}

static bool source_release(void *ctx, const struct policy_ip *ip)
{
	struct server *srv = ctx;
	uint64_t now = server_now_ms(srv);
	uint32_t a;

	if (ip->family != AF_INET)
		return false;
	memcpy(&a, ip->bytes, 4);
	for (struct dhcppool *dp = srv->dhcppools; dp; dp = dp->next) {
		struct dhcp_lease *l = dp->started ? dhcp_lc_find(&dp->lc, a) : NULL;
		if (!l || !l->in_use)
			continue;
		dhcp_lc_give_back(&dp->lc, l, now);
		pool_settle(dp, now);
		return true;
	}
	return false;
}

/* ---- life cycle ------------------------------------------------------------------------ */

void dhcppools_sync(struct server *srv)
{
	struct policy_lease_source src = { source_lease, source_release, srv };
	uint64_t now = server_now_ms(srv);
	struct policy_counts counts;
	struct dhcppool *dp, *next;

	for (dp = srv->dhcppools; dp; dp = dp->next)
		dp->keep = false;
	policy_get_counts(srv->policy, &counts);
	for (unsigned i = 0; i < counts.pools; i++) {
		struct policy_dhcp_pool d;
		const char *name = policy_pool_name(srv->policy, i);

		if (!policy_pool_dhcp(srv->policy, i, &d))
			continue;
		/* the same name on the same interface and server: the same
		 * pool, its leases kept across the reload */
		for (dp = srv->dhcppools; dp; dp = dp->next)
			if (!dp->retired && strcmp(dp->name, name) == 0 &&
			    strcmp(dp->ifname, d.interface) == 0 && dp->server == d.server)
				break;
		if (dp) {
			dp->keep = true;
			if (dp->block != d.block) {
				dp->block = d.block;
				if (dp->started)
					dhcp_lc_reconfigure(&dp->lc, d.block, 0, now);
				pool_rearm(dp, now);
			}
			continue;
		}
		dp = calloc(1, sizeof(*dp));
		if (!dp) {
			log_err("dhcp pool '%s': no memory", name);
			continue;
		}
		dp->srv = srv;
		dp->fd = -1;
		dp->keep = true;
		snprintf(dp->name, sizeof(dp->name), "%s", name);
		snprintf(dp->ifname, sizeof(dp->ifname), "%s", d.interface);
		dp->server = d.server;
		dp->block = d.block;
		dp->timer.kind = SERVER_TIMER_DHCP;
		if (server_random(srv, &dp->rnd, sizeof(dp->rnd)) != 0)
			dp->rnd = (uint64_t)now * 0x9e3779b97f4a7c15ull;
		dp->rnd |= 1;
		dp->next = srv->dhcppools;
		srv->dhcppools = dp;
		pool_try_start(dp, now);
		pool_rearm(dp, now);
	}
	for (dp = srv->dhcppools; dp; dp = next) {
		next = dp->next;
		if (!dp->keep && !dp->retired)
			pool_retire(dp, now);
	}
	policy_set_lease_source(srv->policy, &src);
}

void dhcppools_render_metrics(struct server *srv, struct strbuf *b)
{
	struct dhcppool *dp;

	if (!srv->dhcppools)
		return;
	prom_family(b, "l2tpd_dhcp_pool_leases", "gauge",
		    "Leases of each DHCP pool: ready, in use, being requested.");
	for (dp = srv->dhcppools; dp; dp = dp->next) {
		prom_sample(b, "l2tpd_dhcp_pool_leases", dp->lc.n_ready, "pool", dp->name, "state",
			    "ready", NULL);
		prom_sample(b, "l2tpd_dhcp_pool_leases", dp->lc.n_in_use, "pool", dp->name, "state",
			    "in_use", NULL);
		prom_sample(b, "l2tpd_dhcp_pool_leases", dp->lc.n_acquiring, "pool", dp->name,
			    "state", "requesting", NULL);
	}
	prom_family(b, "l2tpd_dhcp_pool_events_total", "counter",
		    "What happened to each DHCP pool's leases and messages.");
	for (dp = srv->dhcppools; dp; dp = dp->next) {
		const struct dhcp_lc_stats *st = &dp->lc.stats;
		const struct { const char *name; uint64_t v; } ev[] = {
			{ "sent", st->sent }, { "received", st->received },
			{ "dropped", st->dropped }, { "offer_refused", st->offers_refused },
			{ "bound", st->bound }, { "renewed", st->renewed }, { "nak", st->naks },
			{ "expired", st->expired }, { "lost", st->lost },
			{ "released", st->released }, { "no_answer", st->no_answer },
			{ "exhausted", st->exhausted },
		};
		for (size_t i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
			prom_sample(b, "l2tpd_dhcp_pool_events_total", ev[i].v, "pool", dp->name,
				    "event", ev[i].name, NULL);
	}
}

int dhcppools_check(const policy_t *p, FILE *out)
{
	struct policy_counts counts;
	int bad = 0;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	policy_get_counts(p, &counts);
	for (unsigned i = 0; i < counts.pools; i++) {
		struct policy_dhcp_pool d;
		uint32_t addr, mask;
		uint8_t mac[6];
		const char *why = "cannot open a socket";

		if (!policy_pool_dhcp(p, i, &d))
			continue;
		if (fd >= 0 && interface_info(d.interface, fd, &addr, &mask, mac, &why) == 0)
			continue;
		fprintf(out, "warning: pool '%s': dhcp_interface %s: %s; the pool gives no "
			"address until it has one\n", policy_pool_name(p, i), d.interface, why);
		bad++;
	}
	if (fd >= 0)
		close(fd);
	return bad;
}

void dhcppools_free(struct server *srv)
{
	if (srv->policy)
		policy_set_lease_source(srv->policy, NULL);
	while (srv->dhcppools)
		pool_destroy(srv->dhcppools);	/* releases every lease (RFC 2131 4.4.6) */
}
