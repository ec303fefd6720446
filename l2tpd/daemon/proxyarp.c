/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Proxy ARP per pool: the decision at load and reload (proxyarp.h). */
#include "proxyarp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"
#include "log.h"
#include "server.h"
#include "session.h"

static uint32_t mask_of(uint8_t plen)
{
	return plen == 0 ? 0 : plen >= 32 ? UINT32_MAX : UINT32_MAX << (32 - plen);
}

int proxyarp_subnet_of(const struct proxyarp_range *r, size_t nr, const struct rtnl_subnet *s,
		       size_t ns)
{
	uint32_t lo = UINT32_MAX, hi = 0;

	if (!nr)
		return -1;
	/* Every range inside one subnet is the span from the lowest to the
	 * highest address inside it: a subnet is contiguous. */
	for (size_t k = 0; k < nr; k++) {
		if (r[k].first < lo)
			lo = r[k].first;
		if (r[k].last > hi)
			hi = r[k].last;
	}
	return rtnl_subnet_of(s, ns, lo, hi);
}

struct proxyarp_choice proxyarp_decide(enum policy_proxy_arp mode, const char *dhcp_if,
				       const struct proxyarp_range *r, size_t nr,
				       const struct rtnl_subnet *s, size_t ns)
{
	struct proxyarp_choice c = { false, -1 };

	if (mode == POLICY_PROXY_ARP_NO)
		return c;
	if (dhcp_if) {
		/* A DHCP pool's addresses come from the LAN's own server, on
		 * that interface's subnet (offers outside it are refused):
		 * on the LAN by nature. */
		for (size_t i = 0; i < ns; i++)
			if (!strcmp(s[i].ifname, dhcp_if)) {
				c.subnet = (int)i;
				break;
			}
		c.on = true;
		return c;
	}
	c.subnet = proxyarp_subnet_of(r, nr, s, ns);
	c.on = mode == POLICY_PROXY_ARP_YES || c.subnet >= 0;
	return c;
}

/* Where the decisions go: the log (daemon) or stdout (l2tpd --check). */
struct reporter {
	void (*say)(void *ctx, enum log_level level, const char *line);
	void *ctx;
};

static void say(const struct reporter *r, enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(const struct reporter *r, enum log_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->say(r->ctx, level, line);
}

/* The kernel answers a proxy entry only on an interface that forwards
 * (arp_process(): IN_DEV_FORWARD), and forwards the LAN host's packets to
 * the client only then: say so rather than leave the LAN host waiting. */
static void check_forwarding(const struct reporter *r, const char *ifname)
{
	char path[96];
	FILE *f;
	int v = -1;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding", ifname);
	if (!(f = fopen(path, "r")))
		return;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	if (v == 0)
		say(r, LOG_LVL_WARN, "proxy ARP on %s: forwarding is off there "
		    "(net.ipv4.conf.%s.forwarding = 0), the kernel will not answer ARP for the "
		    "clients", ifname, ifname);
}

static size_t pool_ranges(const policy_t *p, unsigned pool, struct proxyarp_range **out)
{
	size_t n = 0;
	uint32_t first, last;

	*out = NULL;
	while (policy_pool_ipv4_range(p, pool, n, &first, &last))
		n++;
	if (!n || !(*out = calloc(n, sizeof(**out))))
		return 0;
	for (size_t i = 0; i < n; i++)
		(void)policy_pool_ipv4_range(p, pool, i, &(*out)[i].first, &(*out)[i].last);
	return n;
}

static void report_choice(const struct reporter *r, const char *pool, enum policy_proxy_arp mode,
			  const char *dhcp_if, const struct proxyarp_choice *c,
			  const struct rtnl_subnet *s, bool have_host)
{
	char net[INET_ADDRSTRLEN];

	if (!c->on) {
		if (mode == POLICY_PROXY_ARP_NO)
			say(r, LOG_LVL_INFO, "pool '%s': no proxy ARP (proxy_arp = no)", pool);
		else
			say(r, LOG_LVL_INFO, "pool '%s': no proxy ARP (%s)", pool,
			    have_host ? "its IPv4 addresses are in no connected subnet of this host"
				      : "the host's subnets could not be read");
		return;
	}
	if (c->subnet >= 0) {
		const struct rtnl_subnet *sn = &s[c->subnet];
		struct in_addr a = { htonl(sn->addr & mask_of(sn->plen)) };

		inet_ntop(AF_INET, &a, net, sizeof(net));
		say(r, LOG_LVL_NOTICE, "pool '%s': proxy ARP for its clients on %s (%s/%u)%s", pool,
		    sn->ifname, net, sn->plen, dhcp_if ? ", a DHCP pool" : "");
		check_forwarding(r, sn->ifname);
	} else if (dhcp_if) {
		say(r, LOG_LVL_NOTICE, "pool '%s': proxy ARP for its clients on %s, a DHCP pool",
		    pool, dhcp_if);
	} else {
		say(r, LOG_LVL_WARN, "pool '%s': proxy_arp = yes, but its IPv4 addresses are in no "
		    "connected subnet of this host: ARP is answered for a client only where the "
		    "route to its address leads to a LAN", pool);
	}
}

/* Every pool of p decided against the host as it is now: on[i] for pool
 * i (NULL: only reported), each decision reported; the host's subnets
 * handed back in *keep (when not NULL). */
static void decide_all(const policy_t *p, uint8_t *on, const struct reporter *r,
		       struct rtnl_subnet **keep, size_t *n_keep)
{
	struct policy_counts counts;
	struct rtnl_subnet *subnets = NULL;
	struct nl_sock *sk;
	size_t ns = 0;
	bool have_host = false;
	int err;

	policy_get_counts(p, &counts);
	if ((sk = rtnl_open(&err))) {
		err = rtnl_connected_subnets(sk, &subnets, &ns);
		rtnl_close(sk);
	}
	if (err < 0)
		say(r, LOG_LVL_WARN, "proxy ARP: the host's subnets could not be read (%s); pools "
		    "with proxy_arp = auto answer no ARP", strerror(-err));
	else
		have_host = true;
	for (unsigned i = 0; i < counts.pools; i++) {
		struct policy_dhcp_pool d;
		const char *dhcp_if = policy_pool_dhcp(p, i, &d) ? d.interface : NULL;
		enum policy_proxy_arp mode = policy_pool_proxy_arp(p, i);
		struct proxyarp_range *rg;
		size_t nr = pool_ranges(p, i, &rg);
		struct proxyarp_choice c;

		/* an IPv6-only pool has no ARP to answer */
		if (!nr && !dhcp_if)
			continue;
		c = proxyarp_decide(mode, dhcp_if, rg, nr, subnets, ns);
		if (!have_host && mode == POLICY_PROXY_ARP_AUTO && !dhcp_if)
			c.on = false;
		if (on)
			on[i] = c.on;
		report_choice(r, policy_pool_name(p, i), mode, dhcp_if, &c, subnets, have_host);
		free(rg);
	}
	if (keep) {
		*keep = subnets;
		*n_keep = ns;
	} else {
		free(subnets);
	}
}

static void say_log(void *ctx, enum log_level level, const char *line)
{
	(void)ctx;
	log_msg(level, "%s", line);
}

static void say_file(void *ctx, enum log_level level, const char *line)
{
	/* the lines an administrator acts on; "no proxy ARP" is no news */
	if (level <= LOG_LVL_NOTICE)
		fprintf(ctx, "%s%s\n", level == LOG_LVL_WARN ? "warning: " : "", line);
}

void proxyarp_load(struct server *srv)
{
	struct policy_counts counts;
	struct reporter r = { say_log, NULL };
	uint8_t *on;

	policy_get_counts(srv->policy, &counts);
	proxyarp_free(srv);
	if (!(on = calloc(counts.pools ? counts.pools : 1, 1))) {
		log_err("proxy ARP: out of memory; no pool answers ARP");
		return;
	}
	decide_all(srv->policy, on, &r, &srv->lan_subnets, &srv->n_lan_subnets);
	srv->proxy_arp = on;
	srv->n_proxy_arp = counts.pools;
}

void proxyarp_check(const policy_t *p, FILE *out)
{
	struct reporter r = { say_file, out };

	decide_all(p, NULL, &r, NULL, NULL);
}

/* old pool index -> new pool index by name (PROXYARP_NO_POOL: gone), in
 * O(pools): an open-addressing table of the new names. NULL: no memory. */
static uint16_t *pool_map(const policy_t *old, const policy_t *next)
{
	struct policy_counts co, cn;
	uint16_t *map, *slot;
	size_t cap = 16;

	policy_get_counts(old, &co);
	policy_get_counts(next, &cn);
	while (cap < cn.pools * 2)
		cap *= 2;
	map = malloc((co.pools ? co.pools : 1) * sizeof(*map));
	slot = malloc(cap * sizeof(*slot));
	if (!map || !slot) {
		free(map);
		free(slot);
		return NULL;
	}
	for (size_t i = 0; i < cap; i++)
		slot[i] = PROXYARP_NO_POOL;
	for (unsigned j = 0; j < cn.pools && j < PROXYARP_NO_POOL; j++) {
		size_t k = fnv1a32_str(FNV32_OFFSET, policy_pool_name(next, j)) & (cap - 1);

		while (slot[k] != PROXYARP_NO_POOL)
			k = (k + 1) & (cap - 1);
		slot[k] = (uint16_t)j;
	}
	for (unsigned i = 0; i < co.pools; i++) {
		const char *name = policy_pool_name(old, i);
		size_t k = fnv1a32_str(FNV32_OFFSET, name) & (cap - 1);

		map[i] = PROXYARP_NO_POOL;
		for (; slot[k] != PROXYARP_NO_POOL; k = (k + 1) & (cap - 1))
			if (!strcmp(policy_pool_name(next, slot[k]), name)) {
				map[i] = slot[k];
				break;
			}
	}
	free(slot);
	return map;
}

void proxyarp_reload(struct server *srv, const policy_t *old)
{
	struct policy_counts co;
	uint16_t *map;
	char a[INET_ADDRSTRLEN];

	proxyarp_load(srv);
	policy_get_counts(old, &co);
	if (!(map = pool_map(old, srv->policy))) {
		log_err("reload: out of memory: sessions up keep their proxy ARP as it was");
		for (struct session *s = srv->sessions; s; s = s->next)
			s->pool4 = PROXYARP_NO_POOL;
		return;
	}
	for (struct session *s = srv->sessions; s; s = s->next) {
		bool want;
		int rc;

		if (s->pool4 == PROXYARP_NO_POOL)
			continue;
		s->pool4 = s->pool4 < co.pools ? map[s->pool4] : PROXYARP_NO_POOL;
		if (s->pool4 == PROXYARP_NO_POOL)
			continue;	/* its pool is gone: it keeps what it has */
		want = proxyarp_pool(srv, s->pool4);
		if (want == s->proxy_arp)
			continue;
		rc = session_set_proxy_arp(s, want);
		if (s->state != SESSION_UP || !s->ipv4_up)
			continue;	/* no IPv4 address yet (or IPv6 only) */
		a[0] = 0;
		inet_ntop(AF_INET, &(struct in_addr){ htonl(s->ppp.ipcp_st.peer_addr) }, a, sizeof(a));
		if (rc < 0)
			log_warn("session %u/%u: proxy ARP for %s not %s after the reload: %s",
				 s->tunnel_id, s->session_id, a, want ? "added" : "removed",
				 strerror(-rc));
		else
			log_info("session %u/%u: proxy ARP for %s %s after the reload (pool '%s')",
				 s->tunnel_id, s->session_id, a, want ? "on" : "off",
				 policy_pool_name(srv->policy, s->pool4));
	}
	free(map);
}

bool proxyarp_pool(const struct server *srv, int pool_index)
{
	return pool_index >= 0 && (size_t)pool_index < srv->n_proxy_arp &&
	       srv->proxy_arp[pool_index];
}

bool proxyarp_static(const struct server *srv, struct in_addr addr)
{
	return rtnl_subnet_holding(srv->lan_subnets, srv->n_lan_subnets, ntohl(addr.s_addr)) >= 0;
}

void proxyarp_free(struct server *srv)
{
	free(srv->proxy_arp);
	srv->proxy_arp = NULL;
	srv->n_proxy_arp = 0;
	free(srv->lan_subnets);
	srv->lan_subnets = NULL;
	srv->n_lan_subnets = 0;
}
