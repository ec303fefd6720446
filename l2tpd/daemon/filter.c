/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile packet filters through nftables (filter.h, docs/l2tpd.md). */
#include "filter.h"

#include <arpa/inet.h>
#include <nftables/libnftables.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strbuf.h"

struct filter_chain {
	struct filter_chain *next;
	uint32_t gen;
	int policy_index;
	bool out;
	uint32_t refs;			/* sessions jumping here */
	char name[40];
};

struct filters {
	struct nft_ctx *ctx;		/* libnftables (package libnftables-dev) */
	char unavailable[160];		/* why filters cannot be installed, or "" */
	bool table_made;
	bool guard;			/* the cleartext guard is installed */
	uint32_t gen;
	/* Chains: at most two per policy per live generation, so a list is
	 * enough; sessions never walk it per packet. */
	struct filter_chain *chains;
};

/* ---- text ----------------------------------------------------------------- */

/* The network address of a prefix (nft refuses host bits in a prefix). */
static void prefix_text(const struct policy_prefix *p, char *buf, size_t len)
{
	uint8_t a[16];
	char s[INET6_ADDRSTRLEN];
	unsigned bits = p->len;

	memcpy(a, p->ip.bytes, 16);
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = bits >= 8 ? 8 : bits;
		a[i] &= (uint8_t)(0xff00u >> keep);
		bits -= keep;
	}
	inet_ntop(p->ip.family, a, s, sizeof(s));
	snprintf(buf, len, "%s/%u", s, p->len);
}

/* Rule names go into a comment: keep the characters nft takes quoted. */
static void safe_name(const char *in, char *out, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; in && in[i] && j + 1 < len; i++) {
		char c = in[i];
		out[j++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
					   c == '-' || c == '_' || c == '.'
				   ? c
				   : '_';
	}
	out[j] = '\0';
}

bool filter_needed(const struct policy_filter *flt)
{
	return flt && (flt->n_rules > 0 || !flt->default_permit);
}

int filter_render_chain(const struct policy_filter *flt, const char *chain, char *buf,
			size_t len, char *err, size_t errlen)
{
	struct strbuf b;

	sb_init_fixed(&b, buf, len);
	sb_printf(&b, "add chain inet %s %s\n", FILTER_TABLE, chain);
	for (size_t i = 0; i < flt->n_rules; i++) {
		const struct policy_filter_rule *r = &flt->rules[i];
		int fam = r->has_src ? r->src.ip.family : r->has_dst ? r->dst.ip.family : 0;
		char p[INET6_ADDRSTRLEN + 8], name[64];

		if (r->has_src && r->has_dst && r->src.ip.family != r->dst.ip.family) {
			snprintf(err, errlen, "rule '%s' mixes IPv4 and IPv6", r->name ? r->name : "?");
			return -1;
		}
		sb_printf(&b, "add rule inet %s %s", FILTER_TABLE, chain);
		if (r->has_src) {
			prefix_text(&r->src, p, sizeof(p));
			sb_printf(&b, " %s saddr %s", fam == AF_INET6 ? "ip6" : "ip", p);
		}
		if (r->has_dst) {
			prefix_text(&r->dst, p, sizeof(p));
			sb_printf(&b, " %s daddr %s", fam == AF_INET6 ? "ip6" : "ip", p);
		}
		if (r->proto >= 0)
			sb_printf(&b, " meta l4proto %d", r->proto);
		for (size_t k = 0; k < r->n_ports; k++) {
			const struct policy_port_range *pr = &r->ports[k];
			sb_printf(&b, "%s", k == 0 ? " th dport { " : ", ");
			if (pr->lo == pr->hi)
				sb_printf(&b, "%u", pr->lo);
			else
				sb_printf(&b, "%u-%u", pr->lo, pr->hi);
			if (k + 1 == r->n_ports)
				sb_printf(&b, " }");
		}
		safe_name(r->name, name, sizeof(name));
		/* permit: return to the base chain, so a packet between two
		 * sessions meets the other one's filter_out as well */
		sb_printf(&b, " %s comment \"%s\"\n", r->permit ? "return" : "drop", name);
	}
	sb_printf(&b, "add rule inet %s %s %s comment \"default\"\n", FILTER_TABLE, chain,
		  flt->default_permit ? "return" : "drop");
	if (b.oom) {
		snprintf(err, errlen, "filter too large");
		return -1;
	}
	return (int)b.n;
}

/* ---- nftables ------------------------------------------------------------- */

static int nft_run(struct filters *f, const char *cmds, char *err, size_t errlen)
{
	if (!f->ctx) {
		snprintf(err, errlen, "%s", f->unavailable);
		return -1;
	}
	if (nft_run_cmd_from_buffer(f->ctx, cmds) == 0)
		return 0;
	const char *e = nft_ctx_get_error_buffer(f->ctx);
	size_t n;

	snprintf(err, errlen, "nftables: %s", e && *e ? e : "refused");
	n = strlen(err);
	while (n && (err[n - 1] == '\n' || err[n - 1] == ' '))
		err[--n] = '\0';
	for (char *c = err; *c; c++)
		if (*c == '\n')
			*c = ' ';
	return -1;
}

int filters_open(struct filters **out)
{
	struct filters *f = calloc(1, sizeof(*f));
	char err[256];

	*out = f;
	if (!f)
		return -1;
	f->gen = 1;
	f->ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!f->ctx) {
		snprintf(f->unavailable, sizeof(f->unavailable), "libnftables: no context (out of memory)");
		return 0;
	}
	nft_ctx_buffer_output(f->ctx);
	nft_ctx_buffer_error(f->ctx);
	/* A table left by a killed daemon names interfaces that a new
	 * session may reuse: start clean. Only our own table is touched. */
	(void)nft_run(f, "add table inet " FILTER_TABLE "\ndelete table inet " FILTER_TABLE "\n", err,
		      sizeof(err));
	return 0;
}

void filters_close(struct filters *f)
{
	char err[256];

	if (!f)
		return;
	if (f->table_made)
		(void)nft_run(f, "delete table inet " FILTER_TABLE "\n", err, sizeof(err));
	while (f->chains) {
		struct filter_chain *c = f->chains;
		f->chains = c->next;
		free(c);
	}
	if (f->ctx)
		nft_ctx_free(f->ctx);
	free(f);
}

void filters_new_generation(struct filters *f)
{
	if (f)
		f->gen++;
}

/* A client's DHCPINFORM to the host and our answer (dhcp_inform.h) pass
 * whatever the profile's filters say: they carry the very routes the
 * client needs and reach nothing but this daemon (RFC 2131: client port
 * 68, server port 67). So do its DHCPv6 messages (dhcp6_pd.h, RFC 8415
 * section 7.2: client port 546, server port 547): its delegated prefix.
 * Only this table's base chains accept them. */
static int make_table(struct filters *f, char *err, size_t errlen)
{
	static const char table[] =
		"add table inet " FILTER_TABLE "\n"
		"delete table inet " FILTER_TABLE "\n"
		"table inet " FILTER_TABLE " {\n"
		"  map sessions_in { type ifname : verdict; }\n"
		"  map sessions_out { type ifname : verdict; }\n"
		"  chain input { type filter hook input priority filter; policy accept;\n"
		"    udp sport 68 udp dport 67 accept;\n"
		"    udp sport 546 udp dport 547 accept;\n"
		"    iifname vmap @sessions_in; }\n"
		"  chain forward { type filter hook forward priority filter; policy accept;\n"
		"    iifname vmap @sessions_in; oifname vmap @sessions_out; }\n"
		"  chain output { type filter hook output priority filter; policy accept;\n"
		"    udp sport 67 udp dport 68 accept;\n"
		"    udp sport 547 udp dport 546 accept;\n"
		"    oifname vmap @sessions_out; }\n"
		"}\n";

	if (f->table_made)
		return 0;
	if (nft_run(f, table, err, errlen))
		return -1;
	f->table_made = true;
	return 0;
}

static struct filter_chain *chain_get(struct filters *f, int policy_index, bool out,
				      const struct policy_filter *flt, char *err, size_t errlen)
{
	struct filter_chain *c;
	char *cmds;
	size_t cap = 4096 + flt->n_rules * 512;
	int n;

	for (c = f->chains; c; c = c->next)
		if (c->gen == f->gen && c->policy_index == policy_index && c->out == out) {
			c->refs++;
			return c;
		}
	c = calloc(1, sizeof(*c));
	cmds = malloc(cap);
	if (!c || !cmds) {
		free(c);
		free(cmds);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->gen = f->gen;
	c->policy_index = policy_index;
	c->out = out;
	snprintf(c->name, sizeof(c->name), "g%u_p%d_%s", f->gen, policy_index, out ? "out" : "in");
	n = filter_render_chain(flt, c->name, cmds, cap, err, errlen);
	if (n < 0 || nft_run(f, cmds, err, errlen)) {
		free(cmds);
		free(c);
		return NULL;
	}
	free(cmds);
	c->refs = 1;
	c->next = f->chains;
	f->chains = c;
	return c;
}

static void chain_put(struct filters *f, struct filter_chain *c)
{
	char cmd[96], err[256];

	if (!c || --c->refs)
		return;
	snprintf(cmd, sizeof(cmd), "delete chain inet %s %s\n", FILTER_TABLE, c->name);
	if (nft_run(f, cmd, err, sizeof(err)))
		log_warn("packet filter chain %s not deleted: %s", c->name, err);
	for (struct filter_chain **pp = &f->chains; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

static int element(struct filters *f, bool add, bool out, const char *ifname,
		   const struct filter_chain *c, char *err, size_t errlen)
{
	char cmd[160];

	if (add)
		snprintf(cmd, sizeof(cmd), "add element inet %s sessions_%s { \"%s\" : jump %s }\n",
			 FILTER_TABLE, out ? "out" : "in", ifname, c->name);
	else
		snprintf(cmd, sizeof(cmd), "delete element inet %s sessions_%s { \"%s\" }\n",
			 FILTER_TABLE, out ? "out" : "in", ifname);
	return nft_run(f, cmd, err, errlen);
}

int filters_attach(struct filters *f, const char *ifname, int policy_index,
		   const struct policy_filter *filter_in, const struct policy_filter *filter_out,
		   struct filter_chain **in, struct filter_chain **out, char *err, size_t errlen)
{
	bool need_in = filter_needed(filter_in), need_out = filter_needed(filter_out);

	*in = *out = NULL;
	if (errlen)
		err[0] = '\0';
	if (!need_in && !need_out)
		return 0;
	if (!f) {
		snprintf(err, errlen, "no filter support");
		return -1;
	}
	if (!ifname || !*ifname || strpbrk(ifname, "\" \\") || make_table(f, err, errlen))
		goto fail;
	if (need_in && (!(*in = chain_get(f, policy_index, false, filter_in, err, errlen)) ||
			element(f, true, false, ifname, *in, err, errlen)))
		goto fail_in;
	if (need_out && (!(*out = chain_get(f, policy_index, true, filter_out, err, errlen)) ||
			 element(f, true, true, ifname, *out, err, errlen)))
		goto fail_out;
	return 0;
fail_out:
	if (*out)
		chain_put(f, *out);
	*out = NULL;
	if (*in)
		element(f, false, false, ifname, *in, err + strlen(err), 0);
fail_in:
	if (*in)
		chain_put(f, *in);
	*in = NULL;
fail:
	if (!*err)
		snprintf(err, errlen, "bad interface name");
	return -1;
}

static void render_element(struct strbuf *b, bool add, bool out, const char *ifname,
			   const char *chain)
{
	if (add)
		sb_printf(b, "add element inet %s sessions_%s { \"%s\" : jump %s }\n", FILTER_TABLE,
			  out ? "out" : "in", ifname, chain);
	else
		sb_printf(b, "delete element inet %s sessions_%s { \"%s\" }\n", FILTER_TABLE,
			  out ? "out" : "in", ifname);
}

int filter_render_replace(const char *ifname, bool had_in, const char *new_in, bool had_out,
			  const char *new_out, char *buf, size_t len)
{
	struct strbuf b;

	sb_init_fixed(&b, buf, len);
	/* A map holds one element per key: the old one leaves before the
	 * new one comes, inside the same transaction (the kernel applies
	 * the batch as a whole or not at all, so no packet sees the map
	 * without the session's element) */
	if (had_in)
		render_element(&b, false, false, ifname, NULL);
	if (new_in)
		render_element(&b, true, false, ifname, new_in);
	if (had_out)
		render_element(&b, false, true, ifname, NULL);
	if (new_out)
		render_element(&b, true, true, ifname, new_out);
	if (b.oom)
		return -1;
	return (int)b.n;
}

int filters_replace(struct filters *f, const char *ifname, int policy_index,
		    const struct policy_filter *filter_in, const struct policy_filter *filter_out,
		    struct filter_chain **in, struct filter_chain **out, char *err, size_t errlen)
{
	bool need_in = filter_needed(filter_in), need_out = filter_needed(filter_out);
	struct filter_chain *new_in = NULL, *new_out = NULL;
	char cmds[512];
	int n;

	if (errlen)
		err[0] = '\0';
	if (!*in && !*out && !need_in && !need_out)
		return 0;
	if (!f) {
		snprintf(err, errlen, "no filter support");
		return -1;
	}
	if (!ifname || !*ifname || strpbrk(ifname, "\" \\")) {
		snprintf(err, errlen, "bad interface name");
		return -1;
	}
	/* make: the chains the new elements jump to exist before them */
	if ((need_in || need_out) && make_table(f, err, errlen))
		return -1;
	if (need_in && !(new_in = chain_get(f, policy_index, false, filter_in, err, errlen)))
		return -1;
	if (need_out && !(new_out = chain_get(f, policy_index, true, filter_out, err, errlen)))
		goto undo;
	n = filter_render_replace(ifname, *in != NULL, new_in ? new_in->name : NULL, *out != NULL,
				  new_out ? new_out->name : NULL, cmds, sizeof(cmds));
	if (n < 0) {
		snprintf(err, errlen, "bad interface name");
		goto undo;
	}
	/* switch: one transaction */
	if (n > 0 && nft_run(f, cmds, err, errlen))
		goto undo;
	/* break: nothing jumps to the old chains for this session now */
	chain_put(f, *in);
	chain_put(f, *out);
	*in = new_in;
	*out = new_out;
	return 0;
undo:
	/* a chain made for this change alone goes again; one shared with
	 * other sessions (or the session's own) only loses a reference */
	chain_put(f, new_in);
	chain_put(f, new_out);
	return -1;
}

const char *filter_chain_name(const struct filter_chain *c)
{
	return c->name;
}

void filters_detach(struct filters *f, const char *ifname, struct filter_chain *in,
		    struct filter_chain *out)
{
	char err[256];

	if (!f || (!in && !out))
		return;
	/* Elements first: a chain a map still jumps to cannot be deleted. */
	if (in && element(f, false, false, ifname, in, err, sizeof(err)))
		log_warn("packet filter of %s (in) not removed: %s", ifname, err);
	if (out && element(f, false, true, ifname, out, err, sizeof(err)))
		log_warn("packet filter of %s (out) not removed: %s", ifname, err);
	chain_put(f, in);
	chain_put(f, out);
}

/* ---- nothing in clear (filter.h) ------------------------------------------ */

int filter_render_cleartext_guard(const uint16_t *ports, size_t n_ports, char *buf, size_t len)
{
	struct strbuf b;
	size_t shown = 0;

	sb_init_fixed(&b, buf, len);
	/* The output hook: a local datagram's route, IPsec bundle or not, is
	 * chosen before it (the xfrm lookup is part of the route lookup), so
	 * `rt ipsec missing` sees it, and a refused send fails at once with
	 * EPERM instead of leaving. The ESP packet that carries a protected
	 * datagram passes the hook again as protocol 50 (or UDP 4500 with
	 * NAT-T): not from an L2TP port, never matched. Verified on Debian
	 * 12 (nft 1.0.6, Linux 6.1) in the test VM. Priority -1, before
	 * the filter chains of other tables (l2tp-nat.nft drops unmarked
	 * L2TP too): what leaks is counted here, whoever else drops it. */
	sb_printf(&b, "add counter inet %s %s\n", FILTER_TABLE, FILTER_CLEARTEXT_COUNTER);
	sb_printf(&b, "add chain inet %s cleartext_guard { type filter hook output priority -1; "
		  "policy accept; }\n", FILTER_TABLE);
	sb_printf(&b, "add rule inet %s cleartext_guard udp sport { ", FILTER_TABLE);
	for (size_t i = 0; i < n_ports; i++) {
		bool dup = false;

		for (size_t k = 0; k < i; k++)
			dup |= ports[k] == ports[i];
		if (dup || !ports[i])
			continue;
		sb_printf(&b, "%s%u", shown++ ? ", " : "", ports[i]);
	}
	sb_printf(&b, " } rt ipsec missing counter name %s drop comment \"no IPsec SA\"\n",
		  FILTER_CLEARTEXT_COUNTER);
	if (b.oom || !shown)
		return -1;
	return (int)b.n;
}

int64_t filter_parse_counter_packets(const char *text)
{
	const char *p = text ? strstr(text, "packets ") : NULL;
	char *end;
	unsigned long long v;

	if (!p)
		return -1;
	p += strlen("packets ");
	if (*p < '0' || *p > '9')
		return -1;
	v = strtoull(p, &end, 10);
	if (end == p || v > INT64_MAX)
		return -1;
	return (int64_t)v;
}

int filters_guard_cleartext(struct filters *f, const uint16_t *ports, size_t n_ports, char *err,
			    size_t errlen)
{
	char cmds[1024];

	if (!f) {
		snprintf(err, errlen, "no nftables support");
		return -1;
	}
	if (filter_render_cleartext_guard(ports, n_ports, cmds, sizeof(cmds)) < 0) {
		snprintf(err, errlen, "no L2TP port to guard");
		return -1;
	}
	if (make_table(f, err, errlen) || nft_run(f, cmds, err, errlen))
		return -1;
	f->guard = true;
	return 0;
}

int64_t filters_cleartext_dropped(struct filters *f)
{
	char err[256];

	if (!f || !f->guard)
		return -1;
	if (nft_run(f, "list counter inet " FILTER_TABLE " " FILTER_CLEARTEXT_COUNTER "\n", err,
		    sizeof(err))) {
		log_warn("cleartext guard counter: %s", err);
		return -1;
	}
	return filter_parse_counter_packets(nft_ctx_get_output_buffer(f->ctx));
}
