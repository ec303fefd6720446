/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP MSS clamping on the session links through nftables (mss_clamp.h). */
#include "mss_clamp.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edge_filter.h"	/* edge_filter_ifname_ok */
#include "nft_util.h"

struct mss_clamp {
	struct nft_ctx *ctx;
	bool active;
};

#define SYN "tcp flags syn / syn,rst"

int mss_clamp_render(const struct mss_clamp_config *c, char *buf, size_t len)
{
	/* MSS = MTU - IP header - TCP header (RFC 879; 20 + 20, IPv6 40 + 20) */
	unsigned mss4 = c->link_mtu > 40 ? c->link_mtu - 40u : 0;
	unsigned mss6 = c->link_mtu > 60 ? c->link_mtu - 60u : 0;
	const char *names[3] = { "l2tp*", "ppp*", NULL };
	size_t off = 0;
	int n;

	if (c->shared_ifname && strncmp(c->shared_ifname, "l2tp", 4) != 0 &&
	    edge_filter_ifname_ok(c->shared_ifname))
		names[2] = c->shared_ifname;
#define ADD(...)                                                         \
	do {                                                             \
		n = snprintf(buf + off, len - off, __VA_ARGS__);         \
		if (n < 0 || (size_t)n >= len - off)                     \
			return -1;                                       \
		off += (size_t)n;                                        \
	} while (0)
	if (len == 0)
		return -1;
	ADD("add table inet " MSS_CLAMP_TABLE "\ndelete table inet " MSS_CLAMP_TABLE "\n");
	if (!c->on)
		return (int)off;
	ADD("table inet " MSS_CLAMP_TABLE " {\n"
	    "  map framed_mtu { type ifname : verdict; }\n"
	    "  chain forward {\n"
	    "    type filter hook forward priority mangle; policy accept;\n");
	for (int i = 0; i < 3 && names[i]; i++)
		ADD("    oifname \"%s\" " SYN " tcp option maxseg size set rt mtu\n", names[i]);
	/* a session device's own MTU first (mss_clamp_session) */
	ADD("    iifname vmap @framed_mtu\n");
	for (int i = 0; i < 3 && names[i]; i++) {
		ADD("    iifname \"%s\" meta nfproto ipv4 " SYN " tcp option maxseg size > %u "
		    "tcp option maxseg size set %u\n", names[i], mss4, mss4);
		ADD("    iifname \"%s\" meta nfproto ipv6 " SYN " tcp option maxseg size > %u "
		    "tcp option maxseg size set %u\n", names[i], mss6, mss6);
	}
	ADD("  }\n}\n");
#undef ADD
	return (int)off;
}

int mss_clamp_apply(struct mss_clamp **mcp, const struct mss_clamp_config *c, char *err,
		    size_t errlen)
{
	struct mss_clamp *mc = *mcp;
	char cmds[2048];

	if (mss_clamp_render(c, cmds, sizeof(cmds)) < 0) {
		snprintf(err, errlen, "mss clamp: rules too long");
		return -1;
	}
	if (!mc) {
		mc = calloc(1, sizeof(*mc));
		if (!mc || !(mc->ctx = nft_util_new())) {
			free(mc);
			snprintf(err, errlen, "mss clamp: out of memory");
			return -1;
		}
		*mcp = mc;
	}
	if (nft_util_run(mc->ctx, cmds, err, errlen))
		return -1;
	mc->active = c->on;
	return 0;
}

int mss_clamp_render_session(const char *ifname, uint16_t mtu, bool add, char *buf,
			     size_t len)
{
	unsigned mss4 = mtu > 40 ? mtu - 40u : 0, mss6 = mtu > 60 ? mtu - 60u : 0;
	int n;

	if (!ifname || !edge_filter_ifname_ok(ifname))
		return -1;
	if (!add)
		n = snprintf(buf, len, "delete element inet " MSS_CLAMP_TABLE " framed_mtu "
			     "{ \"%s\" }\n", ifname);
	else
		/* flush and fill in the same transaction: another session
		 * jumping here meets the old rules or the new (the same) */
		n = snprintf(buf, len,
			     "add chain inet " MSS_CLAMP_TABLE " mtu_%u\n"
			     "flush chain inet " MSS_CLAMP_TABLE " mtu_%u\n"
			     "add rule inet " MSS_CLAMP_TABLE " mtu_%u meta nfproto ipv4 " SYN
			     " tcp option maxseg size > %u tcp option maxseg size set %u\n"
			     "add rule inet " MSS_CLAMP_TABLE " mtu_%u meta nfproto ipv6 " SYN
			     " tcp option maxseg size > %u tcp option maxseg size set %u\n"
			     "add element inet " MSS_CLAMP_TABLE " framed_mtu { \"%s\" : jump "
			     "mtu_%u }\n",
			     mtu, mtu, mtu, mss4, mss4, mtu, mss6, mss6, ifname, mtu);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

int mss_clamp_session(struct mss_clamp *mc, const char *ifname, uint16_t mtu, bool add,
		      char *err, size_t errlen)
{
	char cmds[1024];

	if (!mc || !mc->active)
		return 0;
	if (mss_clamp_render_session(ifname, mtu, add, cmds, sizeof(cmds)) < 0) {
		snprintf(err, errlen, "mss clamp: interface name nft cannot take");
		return -1;
	}
	return nft_util_run(mc->ctx, cmds, err, errlen);
}

void mss_clamp_free(struct mss_clamp *mc)
{
	char err[256];

	if (!mc)
		return;
	if (mc->active)
		(void)nft_util_run(mc->ctx, "delete table inet " MSS_CLAMP_TABLE "\n", err,
				   sizeof(err));
	nft_ctx_free(mc->ctx);
	free(mc);
}
