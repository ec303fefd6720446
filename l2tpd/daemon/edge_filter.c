/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Internet-side filter through nftables (edge_filter.h). */
#include "edge_filter.h"

#include <nftables/libnftables.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft_util.h"
#include "strbuf.h"

struct edge_filter {
	struct nft_ctx *ctx;
	bool active;
};

bool edge_filter_ifname_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= EDGE_FILTER_IFNAMSIZ)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("_.:@-", *p)))
			return false;
	return true;
}

int edge_filter_render(const struct edge_filter_config *c, char *buf, size_t len)
{
	struct strbuf t;

	sb_init_fixed(&t, buf, len);
	/* "add" first so that "delete" never fails: one transaction replaces
	 * the old table, there is no moment without it. */
	sb_printf(&t, "add table inet " EDGE_FILTER_TABLE "\ndelete table inet " EDGE_FILTER_TABLE "\n");
	if (c->n_interfaces == 0)
		return t.oom ? -1 : (int)t.n;
	sb_printf(&t, "table inet " EDGE_FILTER_TABLE " {\n  counter dropped { }\n");
	/* before other filters (priority filter - 5): a drop here is final */
	sb_printf(&t, "  chain input { type filter hook input priority -5; policy accept;\n"
		"    iifname { ");
	for (unsigned i = 0; i < c->n_interfaces; i++)
		sb_printf(&t, "%s\"%s\"", i ? ", " : "", c->interfaces[i]);
	sb_printf(&t, " } jump internet; }\n  chain internet {\n");
	/* replies to the host's own connections, and ICMP errors about them
	 * (fragmentation needed: path MTU discovery must keep working) */
	sb_printf(&t, "    ct state established,related accept\n");
	/* IKE and NAT-T (RFC 3947/3948), ESP */
	sb_printf(&t, "    udp dport { 500, 4500 } accept\n    meta l4proto esp accept\n");
	/* L2TP (RFC 3193): after ESP decapsulation the datagram carries a
	 * secpath; without require_ipsec plain L2TP is allowed too */
	sb_printf(&t, "    udp dport %u %saccept\n", c->l2tp_port,
	    c->l2tp_needs_ipsec ? "meta ipsec exists " : "");
	/* a server whose Internet address comes from DHCP (RFC 2131: replies
	 * to port 68; conntrack cannot pair them with the broadcast request) */
	sb_printf(&t, "    udp sport 67 udp dport 68 accept\n    udp sport 547 udp dport 546 accept\n");
	/* IPv6 does not work without neighbour discovery (RFC 4861) */
	sb_printf(&t, "    icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert, "
		"nd-redirect } accept\n");
	if (c->icmp)
		sb_printf(&t, "    icmp type echo-request accept\n    icmpv6 type echo-request accept\n");
	sb_printf(&t, "    counter name \"dropped\" drop\n  }\n}\n");
	return t.oom ? -1 : (int)t.n;
}

static int run(struct edge_filter *ef, const char *cmds, char *err, size_t errlen)
{
	return nft_util_run(ef->ctx, cmds, err, errlen);
}

int edge_filter_apply(struct edge_filter **efp, const struct edge_filter_config *c, char *err,
		      size_t errlen)
{
	struct edge_filter *ef = *efp;
	char cmds[2048];

	for (unsigned i = 0; i < c->n_interfaces; i++)
		if (!edge_filter_ifname_ok(c->interfaces[i])) {
			snprintf(err, errlen, "internet_filter: bad interface name");
			return -1;
		}
	if (edge_filter_render(c, cmds, sizeof(cmds)) < 0) {
		snprintf(err, errlen, "internet_filter: rules too long");
		return -1;
	}
	if (!ef) {
		/* made even without interfaces: a table a killed daemon left
		 * must go when the filter was turned off since */
		ef = calloc(1, sizeof(*ef));
		if (!ef || !(ef->ctx = nft_util_new())) {
			free(ef);
			snprintf(err, errlen, "internet_filter: out of memory");
			return -1;
		}
		*efp = ef;
	}
	if (run(ef, cmds, err, errlen))
		return -1;
	ef->active = c->n_interfaces > 0;
	return 0;
}

bool edge_filter_active(const struct edge_filter *ef)
{
	return ef && ef->active;
}

int edge_filter_dropped(struct edge_filter *ef, uint64_t *packets)
{
	const char *out, *p;
	char err[256];

	if (!edge_filter_active(ef))
		return -1;
	if (run(ef, "list counter inet " EDGE_FILTER_TABLE " dropped\n", err, sizeof(err)))
		return -1;
	out = nft_ctx_get_output_buffer(ef->ctx);
	p = out ? strstr(out, "packets ") : NULL;
	if (!p)
		return -1;
	*packets = strtoull(p + 8, NULL, 10);
	return 0;
}

void edge_filter_free(struct edge_filter *ef)
{
	char err[256];

	if (!ef)
		return;
	if (ef->active)
		(void)run(ef, "delete table inet " EDGE_FILTER_TABLE "\n", err, sizeof(err));
	nft_ctx_free(ef->ctx);
	free(ef);
}
