/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * From the parse tree to the model: every key checked against the keys its
 * section allows, every value against its form, every reference (group,
 * pool, user) resolved. The first problem stops the load with
 * file:line:col and what was expected.
 */
#include "conf.h"
#include "policy_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "fnv.h"

#define MAX_PATTERN_LEN 1024

struct B {
	struct policy *p;
	struct policy_error *err;
};

/* ---- errors ---------------------------------------------------------------- */

__attribute__((format(printf, 4, 5)))
static int fail_node(struct B *b, const struct conf_node *n,
		     enum policy_errcode code, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	conf_set_error(b->err, code, n->file, n->line, n->col, "%s", text);
	return -1;
}

__attribute__((format(printf, 5, 6)))
static int fail_item(struct B *b, const struct conf_node *n,
		     const struct conf_item *it, enum policy_errcode code,
		     const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	conf_set_error(b->err, code, n->file, it->line, it->col, "%s", text);
	return -1;
}

static int nomem(struct B *b)
{
	conf_set_error(b->err, POLICY_ERR_NOMEM, "", 0, 0, "out of memory");
	return -1;
}

/* Show a value in a message, shortened. */
static const char *shown(const struct conf_item *it, char *buf, size_t len)
{
	snprintf(buf, len, "%s'%.60s%s'", it->pattern ? "~" : "", it->text,
		 it->len > 60 ? "..." : "");
	return buf;
}

/* Check that each child of `sec` is one of `keys` ("name" a value, "name{"
 * a section, "*{" any section). */
static int check_keys(struct B *b, const struct conf_node *sec,
		      const char *where, const char *const *keys)
{
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *c = sec->child[i];
		bool ok = false;
		char list[400];
		size_t off = 0;

		for (const char *const *k = keys; *k; k++) {
			size_t kl = strlen(*k);
			bool is_sec = kl && (*k)[kl - 1] == '{';
			size_t nl = is_sec ? kl - 1 : kl;
			if (is_sec != (c->kind == CONF_SECTION))
				continue;
			if ((nl == 1 && (*k)[0] == '*') ||
			    (strlen(c->name) == nl && strncmp(c->name, *k, nl) == 0)) {
				ok = true;
				break;
			}
		}
		if (ok)
			continue;
		list[0] = '\0';
		for (const char *const *k = keys; *k; k++) {
			size_t kl = strlen(*k);
			bool is_sec = kl && (*k)[kl - 1] == '{';
			int n = !is_sec ? snprintf(list + off, sizeof(list) - off, "%s%s",
						   off ? ", " : "", *k)
				: (kl == 2 && (*k)[0] == '*')
				? snprintf(list + off, sizeof(list) - off, "%sNAME { }",
					   off ? ", " : "")
				: snprintf(list + off, sizeof(list) - off, "%s%.*s { }",
					   off ? ", " : "", (int)(kl - 1), *k);
			if (n < 0 || (size_t)n >= sizeof(list) - off)
				break;
			off += (size_t)n;
		}
		return fail_node(b, c, POLICY_ERR_UNKNOWN_KEY,
				 "expected one of %s in %s, got %s '%s'", list,
				 where, c->kind == CONF_SECTION ? "section" : "key",
				 c->name);
	}
	return 0;
}

/* ---- values ----------------------------------------------------------------- */

static const struct conf_item *one_item(struct B *b, const struct conf_node *n,
					const char *what)
{
	if (n->n_items != 1) {
		fail_node(b, n, POLICY_ERR_VALUE, "expected one %s for '%s', got %u values",
			  what, n->name, n->n_items);
		return NULL;
	}
	if (n->items[0].pattern) {
		fail_item(b, n, &n->items[0], POLICY_ERR_VALUE,
			  "expected %s for '%s', got a pattern", what, n->name);
		return NULL;
	}
	return &n->items[0];
}

static int need_items(struct B *b, const struct conf_node *n, const char *what,
		      bool patterns_ok)
{
	if (n->n_items == 0)
		return fail_node(b, n, POLICY_ERR_VALUE,
				 "expected %s for '%s', got an empty value", what, n->name);
	if (!patterns_ok)
		for (uint32_t i = 0; i < n->n_items; i++)
			if (n->items[i].pattern)
				return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
						 "expected %s for '%s', got a pattern (only "
						 "string conditions take ~patterns)",
						 what, n->name);
	return 0;
}

static int get_bool(struct B *b, const struct conf_node *n, bool *out)
{
	const struct conf_item *it = one_item(b, n, "yes or no");
	char s[80];

	if (!it)
		return -1;
	if (!strcasecmp(it->text, "yes") || !strcasecmp(it->text, "true") ||
	    !strcasecmp(it->text, "on"))
		*out = true;
	else if (!strcasecmp(it->text, "no") || !strcasecmp(it->text, "false") ||
		 !strcasecmp(it->text, "off"))
		*out = false;
	else
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected yes or no for '%s', got %s", n->name,
				 shown(it, s, sizeof(s)));
	return 0;
}

static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int get_uint(struct B *b, const struct conf_node *n, uint64_t lo,
		    uint64_t hi, uint64_t *out)
{
	const struct conf_item *it = one_item(b, n, "number");
	char s[80];

	if (!it)
		return -1;
	if (parse_uint(it->text, hi, out) || *out < lo)
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected a number from %llu to %llu for '%s', got %s",
				 (unsigned long long)lo, (unsigned long long)hi,
				 n->name, shown(it, s, sizeof(s)));
	return 0;
}

/* Seconds, or a number with unit s, m, h or d: "30m", "8h". */
static int get_duration(struct B *b, const struct conf_node *n, uint32_t *out)
{
	const struct conf_item *it = one_item(b, n, "duration");
	uint64_t v, mult = 1;
	char num[32], s[80];
	size_t len;

	if (!it)
		return -1;
	len = it->len;
	if (len && strchr("smhd", it->text[len - 1])) {
		mult = it->text[len - 1] == 's' ? 1 : it->text[len - 1] == 'm' ? 60
		       : it->text[len - 1] == 'h' ? 3600 : 86400;
		len--;
	}
	if (len == 0 || len >= sizeof(num))
		goto bad;
	memcpy(num, it->text, len);
	num[len] = '\0';
	if (parse_uint(num, 0x7fffffff, &v) || v * mult > 0x7fffffff)
		goto bad;
	*out = (uint32_t)(v * mult);
	return 0;
bad:
	return fail_item(b, n, it, POLICY_ERR_VALUE,
			 "expected a duration (seconds, or with unit s, m, h, d) "
			 "for '%s', got %s", n->name, shown(it, s, sizeof(s)));
}

static int get_ip(struct B *b, const struct conf_node *n,
		  const struct conf_item *it, int family, struct policy_ip *ip)
{
	char s[80];

	if (!policy_ip_parse(it->text, ip) || (family && ip->family != family))
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected an %s address for '%s', got %s",
				 family == AF_INET ? "IPv4" : family == AF_INET6 ? "IPv6" : "IP",
				 n->name, shown(it, s, sizeof(s)));
	return 0;
}

static int get_prefix(struct B *b, const struct conf_node *n,
		      const struct conf_item *it, int family,
		      struct policy_prefix *pfx)
{
	char s[80];

	if (!policy_prefix_parse(it->text, pfx) ||
	    (family && pfx->ip.family != family))
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected %s prefix (address/length, host bits zero) "
				 "for '%s', got %s",
				 family == AF_INET ? "an IPv4" : family == AF_INET6 ? "an IPv6" : "an IP",
				 n->name, shown(it, s, sizeof(s)));
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int unhex(const char *s, size_t len, uint8_t *out, size_t max)
{
	if (len % 2 || len / 2 > max)
		return -1;
	for (size_t i = 0; i < len; i += 2) {
		int h = hexval(s[i]), l = hexval(s[i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i / 2] = (uint8_t)(h << 4 | l);
	}
	return (int)(len / 2);
}

/* ---- server ------------------------------------------------------------------- */

static int auth_list(struct B *b, const struct conf_node *n, uint32_t *mask)
{
	char s[80];

	if (need_items(b, n, "authentication methods", false))
		return -1;
	*mask = 0;
	for (uint32_t i = 0; i < n->n_items; i++) {
		uint32_t m = policy_auth_parse(n->items[i].text);
		if (!m)
			return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
					 "expected pap, chap, mschapv2 or eap for '%s', got %s",
					 n->name, shown(&n->items[i], s, sizeof(s)));
		*mask |= m;
	}
	return 0;
}

static int dial_in_value(struct B *b, const struct conf_node *n, enum dial_in *d)
{
	const struct conf_item *it = one_item(b, n, "allow, deny or policy");
	char s[80];

	if (!it)
		return -1;
	if (!strcasecmp(it->text, "allow"))
		*d = DIAL_IN_ALLOW;
	else if (!strcasecmp(it->text, "deny"))
		*d = DIAL_IN_DENY;
	else if (!strcasecmp(it->text, "policy"))
		*d = DIAL_IN_POLICY;
	else
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected allow, deny or policy for '%s', got %s",
				 n->name, shown(it, s, sizeof(s)));
	return 0;
}

static int build_server(struct B *b, const struct conf_node *sec)
{
	static const char *const keys[] = { "timezone", "auth_methods",
		"cleartext_passwords", "default_dial_in", "pool", NULL };
	struct policy *p = b->p;
	const struct conf_node *n;
	char s[80];

	p->auth_enabled = POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_EAP;
	p->default_dial_in = DIAL_IN_DENY;
	if (!sec)
		return 0;
	if (check_keys(b, sec, "server", keys))
		return -1;
	if ((n = conf_find(sec, "timezone"))) {
		const struct conf_item *it = one_item(b, n, "time zone name");
		if (!it)
			return -1;
		if (!policy_tz_valid(it->text))
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected a time zone of the tz database "
					 "(e.g. Europe/Berlin) for 'timezone', got %s",
					 shown(it, s, sizeof(s)));
		p->timezone = it->text;
	}
	if ((n = conf_find(sec, "auth_methods")) && auth_list(b, n, &p->auth_enabled))
		return -1;
	if ((n = conf_find(sec, "cleartext_passwords")) &&
	    get_bool(b, n, &p->cleartext_passwords))
		return -1;
	if ((n = conf_find(sec, "default_dial_in")) &&
	    dial_in_value(b, n, &p->default_dial_in))
		return -1;
	return 0;
}

/* ---- groups --------------------------------------------------------------------- */

static int group_id(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int build_groups(struct B *b, const struct conf_node *sec)
{
	static const char *const keys[] = { "*{", NULL };
	struct policy *p = b->p;

	if (!sec)
		return 0;
	if (check_keys(b, sec, "groups", keys))
		return -1;
	p->groups = arena_alloc(&p->arena, (sec->n_child + 1) * sizeof(*p->groups));
	if (!p->groups)
		return nomem(b);
	for (uint32_t i = 0; i < sec->n_child; i++) {
		static const char *const gkeys[] = { "members", "description", NULL };
		char where[300];
		snprintf(where, sizeof(where), "groups.%s", sec->child[i]->name);
		if (check_keys(b, sec->child[i], where, gkeys))
			return -1;
		p->groups[i].name = sec->child[i]->name;
	}
	p->n_groups = sec->n_child;
	p->group_words = (p->n_groups + 63) / 64;
	return 0;
}

/* ---- pools ------------------------------------------------------------------------ */

static uint32_t v4(const struct policy_ip *ip)
{
	return ((uint32_t)ip->bytes[0] << 24) | ((uint32_t)ip->bytes[1] << 16) |
	       ((uint32_t)ip->bytes[2] << 8) | ip->bytes[3];
}

static int cmp_range(const void *x, const void *y)
{
	const struct pool_range *a = x, *b = y;

	return memcmp(a->start.bytes, b->start.bytes, 16);
}

static int pool_v4(struct B *b, const struct conf_node *n, struct addr_pool *ap)
{
	char s[80];

	if (need_items(b, n, "IPv4 ranges", false))
		return -1;
	ap->family = AF_INET;
	ap->ranges = arena_alloc(&b->p->arena, n->n_items * sizeof(*ap->ranges));
	if (!ap->ranges)
		return nomem(b);
	for (uint32_t i = 0; i < n->n_items; i++) {
		const struct conf_item *it = &n->items[i];
		struct pool_range *r = &ap->ranges[i];
		const char *dash = strchr(it->text, '-');
		struct policy_ip last;

		if (dash) {
			char first[64];
			size_t fl = (size_t)(dash - it->text);
			if (fl >= sizeof(first))
				goto bad;
			memcpy(first, it->text, fl);
			first[fl] = '\0';
			while (fl && first[fl - 1] == ' ')
				first[--fl] = '\0';
			const char *second = dash + 1;
			while (*second == ' ')
				second++;
			if (!policy_ip_parse(first, &r->start) || r->start.family != AF_INET ||
			    !policy_ip_parse(second, &last) || last.family != AF_INET)
				goto bad;
			if (v4(&last) < v4(&r->start))
				return fail_item(b, n, it, POLICY_ERR_VALUE,
						 "expected start <= end in range %s",
						 shown(it, s, sizeof(s)));
			r->count = (uint64_t)v4(&last) - v4(&r->start) + 1;
		} else {
			struct policy_prefix pfx;
			if (!policy_prefix_parse(it->text, &pfx) || pfx.ip.family != AF_INET)
				goto bad;
			r->start = pfx.ip;
			r->count = 1ull << (32 - pfx.len);
		}
		if (r->count > b->p->max_pool_slots)
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected at most %llu addresses in a range, got %llu",
					 (unsigned long long)b->p->max_pool_slots,
					 (unsigned long long)r->count);
		continue;
bad:
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected an IPv4 range (192.0.2.10-192.0.2.200) or "
				 "prefix (192.0.2.0/25) for 'ipv4', got %s",
				 shown(it, s, sizeof(s)));
	}
	ap->n_ranges = n->n_items;
	qsort(ap->ranges, ap->n_ranges, sizeof(*ap->ranges), cmp_range);
	for (size_t i = 1; i < ap->n_ranges; i++)
		if ((uint64_t)v4(&ap->ranges[i - 1].start) + ap->ranges[i - 1].count >
		    v4(&ap->ranges[i].start))
			return fail_node(b, n, POLICY_ERR_CONFLICT,
					 "ranges of 'ipv4' overlap");
	return 0;
}

static int pool_v6(struct B *b, const struct conf_node *n, unsigned deleg,
		   struct addr_pool *ap)
{
	char s[80];

	if (need_items(b, n, "IPv6 prefixes", false))
		return -1;
	ap->family = AF_INET6;
	ap->deleg_len = (uint8_t)deleg;
	ap->ranges = arena_alloc(&b->p->arena, n->n_items * sizeof(*ap->ranges));
	if (!ap->ranges)
		return nomem(b);
	for (uint32_t i = 0; i < n->n_items; i++) {
		const struct conf_item *it = &n->items[i];
		struct policy_prefix pfx;
		struct pool_range *r = &ap->ranges[i];

		if (get_prefix(b, n, it, AF_INET6, &pfx))
			return -1;
		if (pfx.len > deleg)
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected a prefix no longer than ipv6_prefix_length "
					 "/%u, got %s", deleg, shown(it, s, sizeof(s)));
		r->start = pfx.ip;
		r->prefix_len = pfx.len;
		/* a /48 with /64 leases: 65536 slots; only the first
		 * max_pool_slots prefixes of a huge prefix are used */
		r->count = deleg - pfx.len >= 62 ? b->p->max_pool_slots
						 : 1ull << (deleg - pfx.len);
		if (r->count > b->p->max_pool_slots)
			r->count = b->p->max_pool_slots;
	}
	ap->n_ranges = n->n_items;
	qsort(ap->ranges, ap->n_ranges, sizeof(*ap->ranges), cmp_range);
	for (size_t i = 1; i < ap->n_ranges; i++) {
		unsigned len = ap->ranges[i - 1].prefix_len < ap->ranges[i].prefix_len
				       ? ap->ranges[i - 1].prefix_len : ap->ranges[i].prefix_len;
		struct policy_prefix pp = { .ip = ap->ranges[i - 1].start, .len = (uint8_t)len };
		if (policy_prefix_contains(&pp, &ap->ranges[i].start))
			return fail_node(b, n, POLICY_ERR_CONFLICT,
					 "prefixes of 'ipv6' overlap");
	}
	return 0;
}

/* A DHCP pool (docs/addresses.md): IPv4 from the server on one LAN
 * interface; one DHCP pool per interface, since both would lease the same
 * addresses under one MAC address. */
static int pool_dhcp(struct B *b, const struct conf_node *ps, const char *where, uint32_t i)
{
	struct pool *pl = &b->p->pools[i];
	const struct conf_node *n;
	struct policy_ip ip;
	uint64_t block = 10;

	if (!(n = conf_find(ps, "dhcp_interface"))) {
		if ((n = conf_find(ps, "dhcp_block")) || (n = conf_find(ps, "dhcp_server")))
			return fail_node(b, n, POLICY_ERR_VALUE,
					 "'%s' needs 'dhcp_interface' in %s", n->name, where);
		return 0;
	}
	if (need_items(b, n, "an interface name", false))
		return -1;
	if (n->n_items > 1)
		return fail_item(b, n, &n->items[1], POLICY_ERR_VALUE,
				 "expected one interface name for 'dhcp_interface'");
	if (strlen(n->items[0].text) == 0 || strlen(n->items[0].text) >= 16 ||
	    strchr(n->items[0].text, '/'))
		return fail_item(b, n, &n->items[0], POLICY_ERR_VALUE,
				 "expected an interface name for 'dhcp_interface'");
	if (pl->v4.family)
		return fail_node(b, n, POLICY_ERR_CONFLICT,
				 "%s: a DHCP pool takes its IPv4 addresses from the server, "
				 "not from 'ipv4'", where);
	pl->dhcp_interface = n->items[0].text;
	for (uint32_t j = 0; j < i; j++)
		if (b->p->pools[j].dhcp_interface &&
		    strcmp(b->p->pools[j].dhcp_interface, pl->dhcp_interface) == 0)
			return fail_node(b, n, POLICY_ERR_CONFLICT,
					 "pool '%s' uses DHCP on %s too (%s:%u): one DHCP pool "
					 "per interface", b->p->pools[j].name, pl->dhcp_interface,
					 b->p->pools[j].file, b->p->pools[j].line);
	if ((n = conf_find(ps, "dhcp_block")) && get_uint(b, n, 1, 1000, &block))
		return -1;
	pl->dhcp_block = (uint32_t)block;
	if ((n = conf_find(ps, "dhcp_server"))) {
		if (need_items(b, n, "an IPv4 address", false) ||
		    get_ip(b, n, &n->items[0], AF_INET, &ip))
			return -1;
		memcpy(&pl->dhcp_server, ip.bytes, 4);
	}
	return 0;
}

/* proxy_arp = yes|no|auto (docs/addresses.md): whether the host answers
 * ARP on the LAN for this pool's clients. `auto` is decided by the daemon,
 * which sees the host's interfaces; the policy only keeps the word. */
static int pool_proxy_arp(struct B *b, const struct conf_node *n, struct pool *pl)
{
	const struct conf_item *it = one_item(b, n, "yes, no or auto");
	bool on;
	char s[80];

	if (!it)
		return -1;
	if (!strcasecmp(it->text, "auto")) {
		pl->proxy_arp = POLICY_PROXY_ARP_AUTO;
		return 0;
	}
	if (strcasecmp(it->text, "yes") && strcasecmp(it->text, "no") &&
	    strcasecmp(it->text, "true") && strcasecmp(it->text, "false") &&
	    strcasecmp(it->text, "on") && strcasecmp(it->text, "off"))
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected yes, no or auto for 'proxy_arp', got %s",
				 shown(it, s, sizeof(s)));
	if (get_bool(b, n, &on))
		return -1;
	pl->proxy_arp = on ? POLICY_PROXY_ARP_YES : POLICY_PROXY_ARP_NO;
	return 0;
}

static int build_pools(struct B *b, const struct conf_node *sec)
{
	static const char *const keys[] = { "*{", NULL };
	static const char *const pkeys[] = { "ipv4", "ipv6", "ipv6_prefix_length",
		"description", "dhcp_interface", "dhcp_block", "dhcp_server", "proxy_arp", NULL };
	struct policy *p = b->p;

	if (!sec)
		return 0;
	if (check_keys(b, sec, "pools", keys))
		return -1;
	if (sec->n_child > 65535)
		return fail_node(b, sec, POLICY_ERR_VALUE, "expected at most 65535 pools");
	p->pools = arena_alloc(&p->arena, (sec->n_child + 1) * sizeof(*p->pools));
	if (!p->pools)
		return nomem(b);
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *ps = sec->child[i], *n;
		struct pool *pl = &p->pools[i];
		uint64_t deleg = 64;
		char where[300];

		snprintf(where, sizeof(where), "pools.%s", ps->name);
		if (check_keys(b, ps, where, pkeys))
			return -1;
		pl->name = ps->name;
		pl->file = ps->file;
		pl->line = ps->line;
		if ((n = conf_find(ps, "ipv6_prefix_length")) &&
		    get_uint(b, n, 1, 128, &deleg))
			return -1;
		if ((n = conf_find(ps, "ipv4")) && pool_v4(b, n, &pl->v4))
			return -1;
		if ((n = conf_find(ps, "ipv6")) && pool_v6(b, n, (unsigned)deleg, &pl->v6))
			return -1;
		if (pool_dhcp(b, ps, where, i))
			return -1;
		if ((n = conf_find(ps, "proxy_arp")) && pool_proxy_arp(b, n, pl))
			return -1;
		if (!pl->v4.family && !pl->v6.family && !pl->dhcp_interface)
			return fail_node(b, ps, POLICY_ERR_MISSING,
					 "expected 'ipv4', 'ipv6' or 'dhcp_interface' in %s", where);
		if (addr_pool_init(&p->arena, &pl->v4) || addr_pool_init(&p->arena, &pl->v6))
			return nomem(b);
		for (uint32_t j = 0; j < i; j++)
			if (addr_pool_overlaps(&p->pools[j].v4, &pl->v4) ||
			    addr_pool_overlaps(&p->pools[j].v6, &pl->v6))
				return fail_node(b, ps, POLICY_ERR_CONFLICT,
						 "pool '%s' overlaps pool '%s' (%s:%u)",
						 pl->name, p->pools[j].name,
						 p->pools[j].file, p->pools[j].line);
	}
	p->n_pools = sec->n_child;
	return 0;
}

/* `pool = a, b`: pool names, tried in order (a profile's and the
 * server's). Each must be defined in `pools`, and named once. */
static int pool_list(struct B *b, const struct conf_node *n, const uint16_t **out,
		     size_t *n_out)
{
	struct policy *p = b->p;
	uint16_t *ids;
	char s[80];

	if (need_items(b, n, "pool names", false))
		return -1;
	ids = arena_alloc(&p->arena, n->n_items * sizeof(*ids));
	if (!ids)
		return nomem(b);
	for (uint32_t i = 0; i < n->n_items; i++) {
		int id = policy_pool_find(p, n->items[i].text);
		if (id < 0)
			return fail_item(b, n, &n->items[i], POLICY_ERR_REFERENCE,
					 "expected a pool defined in 'pools', got %s",
					 shown(&n->items[i], s, sizeof(s)));
		for (uint32_t k = 0; k < i; k++)
			if (ids[k] == (uint16_t)id)
				return fail_item(b, n, &n->items[i], POLICY_ERR_DUPLICATE,
						 "pool %s is named twice in '%s'",
						 shown(&n->items[i], s, sizeof(s)), n->name);
		ids[i] = (uint16_t)id;
	}
	*out = ids;
	*n_out = n->n_items;
	return 0;
}

/* server.pool, read after `pools` (build_server runs first: the time
 * zone is needed by users' password_expires). */
static int build_server_pools(struct B *b, const struct conf_node *sec)
{
	const struct conf_node *n = sec ? conf_find(sec, "pool") : NULL;

	if (!n)
		return 0;
	return pool_list(b, n, &b->p->server_pools, &b->p->n_server_pools);
}

/* A static address inside a pool is reserved: never leased to another. An
 * IPv6 address reserves the delegated prefix that contains it. */
static void reserve_static(struct policy *p, const struct policy_ip *ip)
{
	for (size_t i = 0; i < p->n_pools; i++) {
		struct addr_pool *ap = ip->family == AF_INET ? &p->pools[i].v4
							     : &p->pools[i].v6;
		struct policy_ip slot_ip = *ip;

		if (!ap->family)
			continue;
		if (ip->family == AF_INET6)
			for (unsigned bit = ap->deleg_len; bit < 128; bit++)
				slot_ip.bytes[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
		if (addr_pool_reserve(ap, &slot_ip) >= 0)
			return;
	}
}

/* ---- users --------------------------------------------------------------------------- */

uint32_t policy_name_hash(const char *s)
{
	return fnv1a32_lower(FNV32_OFFSET, s);
}

static int pbkdf2_value(struct B *b, const struct conf_node *n,
			const struct conf_item *it, struct policy_user *u)
{
	/* pbkdf2-sha256$ITER$SALTHEX$HASHHEX */
	const char *s = it->text, *d1, *d2, *d3;
	char num[16], sh[80];
	uint64_t iter;
	int sl;

	if (strncmp(s, "pbkdf2-sha256$", 14) != 0)
		goto bad;
	d1 = s + 13;
	d2 = strchr(d1 + 1, '$');
	if (!d2 || (size_t)(d2 - d1 - 1) >= sizeof(num))
		goto bad;
	memcpy(num, d1 + 1, (size_t)(d2 - d1 - 1));
	num[d2 - d1 - 1] = '\0';
	if (parse_uint(num, 100000000, &iter) || iter < 1000)
		goto bad;
	d3 = strchr(d2 + 1, '$');
	if (!d3)
		goto bad;
	sl = unhex(d2 + 1, (size_t)(d3 - d2 - 1), u->pbkdf2_salt, sizeof(u->pbkdf2_salt));
	if (sl < 8 || unhex(d3 + 1, strlen(d3 + 1), u->pbkdf2_dk, 32) != 32)
		goto bad;
	u->pbkdf2_salt_len = (size_t)sl;
	u->pbkdf2_iter = (uint32_t)iter;
	u->has_pbkdf2 = true;
	u->kdf = (struct ppp_pbkdf2){ .iterations = u->pbkdf2_iter, .salt = u->pbkdf2_salt,
				      .salt_len = u->pbkdf2_salt_len, .dk = u->pbkdf2_dk };
	return 0;
bad:
	return fail_item(b, n, it, POLICY_ERR_VALUE,
			 "expected pbkdf2-sha256$ITERATIONS(>=1000)$SALT(hex, 8-32 bytes)$"
			 "HASH(hex, 32 bytes) for 'password_hash' (make one with "
			 "'l2tpctl policy hash'), got %s", shown(it, sh, sizeof(sh)));
}

static int date_value(struct B *b, const struct conf_node *n, time_t *out)
{
	const struct conf_item *it = one_item(b, n, "date");
	char s[80];

	if (!it)
		return -1;
	if (!policy_parse_time(b->p, it->text, out))
		return fail_item(b, n, it, POLICY_ERR_VALUE,
				 "expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM for '%s', got %s",
				 n->name, shown(it, s, sizeof(s)));
	return 0;
}

static int build_user(struct B *b, const struct conf_node *us,
		      struct policy_user *u, uint64_t *bits)
{
	static const char *const keys[] = { "nt_hash", "password_hash", "password",
		"disabled", "password_expires", "dial_in", "static_ipv4",
		"static_ipv6", "routes", "groups", "description", NULL };
	struct policy *p = b->p;
	const struct conf_node *n;
	char where[300], s[80];

	snprintf(where, sizeof(where), "users.%s", us->name);
	if (check_keys(b, us, where, keys))
		return -1;
	u->name = us->name;
	u->hash = policy_name_hash(us->name);
	u->file = us->file;
	u->line = us->line;
	u->groups = bits;
	u->dial_in = p->default_dial_in;
	if ((n = conf_find(us, "nt_hash"))) {
		const struct conf_item *it = one_item(b, n, "NT hash");
		if (!it)
			return -1;
		if (unhex(it->text, it->len, u->nt_hash, 16) != 16)
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected 32 hex digits for 'nt_hash', got %s",
					 shown(it, s, sizeof(s)));
		u->has_nt_hash = true;
	}
	if ((n = conf_find(us, "password_hash"))) {
		const struct conf_item *it = one_item(b, n, "password hash");
		if (!it || pbkdf2_value(b, n, it, u))
			return -1;
	}
	if ((n = conf_find(us, "password"))) {
		const struct conf_item *it = one_item(b, n, "password");
		if (!it)
			return -1;
		if (!p->cleartext_passwords)
			return fail_node(b, n, POLICY_ERR_CONFLICT,
					 "a cleartext 'password' needs 'server { "
					 "cleartext_passwords = yes }' (prefer nt_hash / "
					 "password_hash from 'l2tpctl policy hash')");
		u->password = it->text;
		u->password_len = it->len;
	}
	if ((n = conf_find(us, "disabled")) && get_bool(b, n, &u->disabled))
		return -1;
	if ((n = conf_find(us, "password_expires")) &&
	    date_value(b, n, &u->password_expires))
		return -1;
	if ((n = conf_find(us, "dial_in"))) {
		if (dial_in_value(b, n, &u->dial_in))
			return -1;
		u->dial_in_explicit = true;
	}
	if ((n = conf_find(us, "static_ipv4"))) {
		const struct conf_item *it = one_item(b, n, "IPv4 address");
		if (!it || get_ip(b, n, it, AF_INET, &u->static_ipv4))
			return -1;
		u->has_static_ipv4 = true;
	}
	if ((n = conf_find(us, "static_ipv6"))) {
		const struct conf_item *it = one_item(b, n, "IPv6 prefix");
		if (!it || get_prefix(b, n, it, AF_INET6, &u->static_ipv6))
			return -1;
		u->has_static_ipv6 = true;
	}
	if ((n = conf_find(us, "routes"))) {
		if (need_items(b, n, "prefixes", false))
			return -1;
		u->routes = arena_alloc(&p->arena, n->n_items * sizeof(*u->routes));
		if (!u->routes)
			return nomem(b);
		for (uint32_t i = 0; i < n->n_items; i++)
			if (get_prefix(b, n, &n->items[i], 0, &u->routes[i]))
				return -1;
		u->n_routes = n->n_items;
	}
	if ((n = conf_find(us, "groups"))) {
		if (need_items(b, n, "group names", false))
			return -1;
		for (uint32_t i = 0; i < n->n_items; i++) {
			int g = group_id(p, n->items[i].text);
			if (g < 0)
				return fail_item(b, n, &n->items[i], POLICY_ERR_REFERENCE,
						 "expected a group defined in 'groups', got %s",
						 shown(&n->items[i], s, sizeof(s)));
			bits[g / 64] |= 1ull << (g % 64);
		}
	}
	return 0;
}

static int user_insert(struct policy *p, size_t pos)
{
	size_t mask = p->user_index_cap - 1;
	size_t h = p->users[pos].hash & mask;

	while (p->user_index[h]) {
		const struct policy_user *o = &p->users[p->user_index[h] - 1];
		if (o->hash == p->users[pos].hash &&
		    strcasecmp(o->name, p->users[pos].name) == 0)
			return (int)(p->user_index[h] - 1);
		h = (h + 1) & mask;
	}
	p->user_index[h] = (uint32_t)pos + 1;
	return -1;
}

const struct policy_user *policy_find_user(const policy_t *p, const char *name)
{
	uint32_t hash;
	size_t mask, h;

	if (!p->n_users || !name)
		return NULL;
	hash = policy_name_hash(name);
	mask = p->user_index_cap - 1;
	for (h = hash & mask; p->user_index[h]; h = (h + 1) & mask) {
		const struct policy_user *u = &p->users[p->user_index[h] - 1];
		if (u->hash == hash && strcasecmp(u->name, name) == 0)
			return u;
	}
	return NULL;
}

struct static_ref {
	struct policy_ip ip;
	uint32_t user;
};

static int cmp_static(const void *x, const void *y)
{
	const struct static_ref *a = x, *b = y;
	int c = policy_ip_cmp(&a->ip, &b->ip);

	return c ? c : (a->user < b->user ? -1 : a->user > b->user);
}

static int check_statics(struct B *b)
{
	struct policy *p = b->p;
	struct static_ref *refs;
	size_t n = 0;
	int rc = 0;

	refs = malloc((p->n_users * 2 + 1) * sizeof(*refs));
	if (!refs)
		return nomem(b);
	for (size_t i = 0; i < p->n_users; i++) {
		if (p->users[i].has_static_ipv4)
			refs[n++] = (struct static_ref){ p->users[i].static_ipv4, (uint32_t)i };
		if (p->users[i].has_static_ipv6)
			refs[n++] = (struct static_ref){ p->users[i].static_ipv6.ip, (uint32_t)i };
	}
	qsort(refs, n, sizeof(*refs), cmp_static);
	for (size_t i = 1; i < n && rc == 0; i++) {
		if (policy_ip_cmp(&refs[i - 1].ip, &refs[i].ip) == 0) {
			const struct policy_user *a = &p->users[refs[i - 1].user];
			const struct policy_user *u = &p->users[refs[i].user];
			char ip[64];
			conf_set_error(b->err, POLICY_ERR_CONFLICT, u->file, u->line, 1,
				       "static address %s of user '%s' is also the static "
				       "address of user '%s' (%s:%u)",
				       policy_ip_format(&refs[i].ip, ip, sizeof(ip)),
				       u->name, a->name, a->file, a->line);
			rc = -1;
		}
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		reserve_static(p, &refs[i].ip);
	free(refs);
	return rc;
}

static int build_users(struct B *b, const struct conf_node *sec,
		       const struct conf_node *groups)
{
	static const char *const keys[] = { "*{", NULL };
	struct policy *p = b->p;
	uint64_t *bits;
	size_t words;

	if (sec) {
		if (check_keys(b, sec, "users", keys))
			return -1;
		p->n_users = sec->n_child;
	}
	words = p->group_words ? p->group_words : 1;
	p->users = arena_alloc(&p->arena, (p->n_users + 1) * sizeof(*p->users));
	bits = arena_alloc(&p->arena, (p->n_users + 1) * words * sizeof(uint64_t));
	p->user_index_cap = 16;
	while (p->user_index_cap < p->n_users * 2 + 2)
		p->user_index_cap *= 2;
	p->user_index = arena_alloc(&p->arena, p->user_index_cap * sizeof(uint32_t));
	if (!p->users || !bits || !p->user_index)
		return nomem(b);
	for (size_t i = 0; i < p->n_users; i++) {
		int dup;
		if (build_user(b, sec->child[i], &p->users[i], bits + i * words))
			return -1;
		dup = user_insert(p, i);
		if (dup >= 0)
			return fail_node(b, sec->child[i], POLICY_ERR_DUPLICATE,
					 "user '%s' is already defined as '%s' at %s:%u "
					 "(user names ignore case)",
					 p->users[i].name, p->users[dup].name,
					 p->users[dup].file, p->users[dup].line);
	}
	/* groups { staff { members = alice, bob } }: the other direction */
	for (uint32_t g = 0; groups && g < groups->n_child; g++) {
		const struct conf_node *n = conf_find(groups->child[g], "members");
		char s[80];
		if (!n)
			continue;
		for (uint32_t i = 0; i < n->n_items; i++) {
			const struct policy_user *u = policy_find_user(p, n->items[i].text);
			if (!u || n->items[i].pattern)
				return fail_item(b, n, &n->items[i], POLICY_ERR_REFERENCE,
						 "expected a user defined in 'users', got %s",
						 shown(&n->items[i], s, sizeof(s)));
			u->groups[g / 64] |= 1ull << (g % 64);
		}
	}
	return check_statics(b);
}

/* ---- profile ------------------------------------------------------------------------------ */

static int filter_proto(const char *s)
{
	static const struct { const char *name; int num; } protos[] = {
		{ "any", -1 }, { "icmp", 1 }, { "tcp", 6 }, { "udp", 17 },
		{ "gre", 47 }, { "esp", 50 }, { "icmpv6", 58 },
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcasecmp(s, protos[i].name))
			return protos[i].num;
	if (parse_uint(s, 255, &v) == 0)
		return (int)v;
	return -2;
}

static int build_filter(struct B *b, const struct conf_node *sec,
			struct policy_filter *f, const char *where)
{
	static const char *const keys[] = { "default", "*{", NULL };
	static const char *const rkeys[] = { "action", "source", "destination",
		"protocol", "ports", NULL };
	struct policy *p = b->p;
	const struct conf_node *n;
	struct policy_filter_rule *rules;
	size_t count = 0;
	char s[80], w[400];

	f->default_permit = true;
	if (check_keys(b, sec, where, keys))
		return -1;
	if ((n = conf_find(sec, "default"))) {
		const struct conf_item *it = one_item(b, n, "permit or deny");
		if (!it)
			return -1;
		if (!strcasecmp(it->text, "permit"))
			f->default_permit = true;
		else if (!strcasecmp(it->text, "deny"))
			f->default_permit = false;
		else
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected permit or deny for 'default', got %s",
					 shown(it, s, sizeof(s)));
	}
	rules = arena_alloc(&p->arena, (sec->n_child + 1) * sizeof(*rules));
	if (!rules)
		return nomem(b);
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *rs = sec->child[i];
		struct policy_filter_rule *r = &rules[count];
		if (rs->kind != CONF_SECTION)
			continue;
		snprintf(w, sizeof(w), "%s.%s", where, rs->name);
		if (check_keys(b, rs, w, rkeys))
			return -1;
		r->name = rs->name;
		r->proto = -1;
		n = conf_find(rs, "action");
		if (!n)
			return fail_node(b, rs, POLICY_ERR_MISSING,
					 "expected 'action = permit|deny' in %s", w);
		const struct conf_item *it = one_item(b, n, "permit or deny");
		if (!it)
			return -1;
		if (!strcasecmp(it->text, "permit"))
			r->permit = true;
		else if (strcasecmp(it->text, "deny"))
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected permit or deny for 'action', got %s",
					 shown(it, s, sizeof(s)));
		if ((n = conf_find(rs, "source"))) {
			if (!(it = one_item(b, n, "prefix")) || get_prefix(b, n, it, 0, &r->src))
				return -1;
			r->has_src = true;
		}
		if ((n = conf_find(rs, "destination"))) {
			if (!(it = one_item(b, n, "prefix")) || get_prefix(b, n, it, 0, &r->dst))
				return -1;
			r->has_dst = true;
		}
		if ((n = conf_find(rs, "protocol"))) {
			if (!(it = one_item(b, n, "protocol")))
				return -1;
			r->proto = filter_proto(it->text);
			if (r->proto < -1)
				return fail_item(b, n, it, POLICY_ERR_VALUE,
						 "expected any, tcp, udp, icmp, icmpv6, gre, esp "
						 "or a number 0-255 for 'protocol', got %s",
						 shown(it, s, sizeof(s)));
		}
		if ((n = conf_find(rs, "ports"))) {
			struct policy_port_range *pr;
			if (need_items(b, n, "ports", false))
				return -1;
			if (r->proto != 6 && r->proto != 17)
				return fail_node(b, n, POLICY_ERR_CONFLICT,
						 "'ports' needs 'protocol = tcp' or 'udp' in %s", w);
			pr = arena_alloc(&p->arena, n->n_items * sizeof(*pr));
			if (!pr)
				return nomem(b);
			for (uint32_t k = 0; k < n->n_items; k++) {
				const char *t = n->items[k].text, *dash = strchr(t, '-');
				char lo[16];
				uint64_t a, z;
				size_t ll = dash ? (size_t)(dash - t) : strlen(t);
				if (ll >= sizeof(lo))
					goto badport;
				memcpy(lo, t, ll);
				lo[ll] = '\0';
				if (parse_uint(lo, 65535, &a))
					goto badport;
				z = a;
				if (dash && (parse_uint(dash + 1, 65535, &z) || z < a))
					goto badport;
				pr[k].lo = (uint16_t)a;
				pr[k].hi = (uint16_t)z;
				continue;
badport:
				return fail_item(b, n, &n->items[k], POLICY_ERR_VALUE,
						 "expected a port or port range (1000-2000) for "
						 "'ports', got %s", shown(&n->items[k], s, sizeof(s)));
			}
			r->ports = pr;
			r->n_ports = n->n_items;
		}
		count++;
	}
	f->rules = rules;
	f->n_rules = count;
	return 0;
}

static int addr_list(struct B *b, const struct conf_node *n,
		     struct policy_ip *out, size_t *count)
{
	if (need_items(b, n, "IPv4 addresses", false))
		return -1;
	if (n->n_items > 2)
		return fail_item(b, n, &n->items[2], POLICY_ERR_VALUE,
				 "expected at most 2 addresses for '%s' (IPCP has a "
				 "primary and a secondary), got %u", n->name, n->n_items);
	for (uint32_t i = 0; i < n->n_items; i++)
		if (get_ip(b, n, &n->items[i], AF_INET, &out[i]))
			return -1;
	*count = n->n_items;
	return 0;
}

/* The IPv6 DNS servers of a Router Advertisement's RDNSS option (RFC 8106
 * section 5.1): up to 3, as most hosts keep no more (RFC 8106 section
 * 5.3.1, MAXNS of resolv.conf). */
static int ipv6_dns(struct B *b, const struct conf_node *n, struct policy_profile *pr)
{
	if (need_items(b, n, "IPv6 addresses", false))
		return -1;
	if (n->n_items > 3)
		return fail_item(b, n, &n->items[3], POLICY_ERR_VALUE,
				 "expected at most 3 addresses for '%s', got %u", n->name,
				 n->n_items);
	for (uint32_t i = 0; i < n->n_items; i++)
		if (get_ip(b, n, &n->items[i], AF_INET6, &pr->ipv6_dns[i]))
			return -1;
	pr->n_ipv6_dns = n->n_items;
	return 0;
}

/* A DNS domain name in text, as DHCP option 15 carries it (RFC 2132
 * section 3.17): labels of letters, digits, '-' and '_' (RFC 1035 2.3.1,
 * with the underscore Active Directory names use), 1-63 octets each, at
 * most 253 in all; one trailing dot allowed and dropped. */
static int dns_domain(struct B *b, const struct conf_node *n, const char **out)
{
	const struct conf_item *it = one_item(b, n, "DNS domain name");
	size_t len, label = 0;
	char s[80];

	if (!it)
		return -1;
	len = strlen(it->text);
	if (len > 1 && it->text[len - 1] == '.')
		len--;
	for (size_t i = 0; i <= len && len <= 253; i++) {
		char c = i < len ? it->text[i] : '.';

		if (c == '.') {
			if (label == 0 || label > 63)
				break;
			label = 0;
			if (i == len) {
				*out = arena_strndup(&b->p->arena, it->text, len);
				return *out ? 0 : nomem(b);
			}
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			break;
		label++;
	}
	return fail_item(b, n, it, POLICY_ERR_VALUE,
			 "expected a DNS domain name for '%s' (labels of letters, digits, '-', '_', "
			 "1-63 characters, 253 in all), got %s", n->name, shown(it, s, sizeof(s)));
}

/* IPv4 prefixes a client routes through the tunnel, sent in DHCP
 * options 121/249: one option holds at most 255 octets (RFC 3442
 * section 4: 1 + significant octets + 4 per route). */
static int split_routes(struct B *b, const struct conf_node *n, struct policy_profile *pr)
{
	struct policy_prefix *r;
	size_t octets = 0;

	if (need_items(b, n, "IPv4 prefixes", false))
		return -1;
	r = arena_alloc(&b->p->arena, n->n_items * sizeof(*r));
	if (!r)
		return nomem(b);
	for (uint32_t i = 0; i < n->n_items; i++) {
		if (get_prefix(b, n, &n->items[i], AF_INET, &r[i]))
			return -1;
		octets += 1u + (r[i].len + 7u) / 8u + 4u;
		if (octets > 255)
			return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
					 "too many prefixes for '%s': DHCP option 121 holds "
					 "255 octets (%u prefixes fit here)", n->name, i);
	}
	pr->split_routes = r;
	pr->n_split_routes = n->n_items;
	return 0;
}

/* ipv6_pd_pool = NAME, ...: the pools whose `ipv6` prefixes are delegated
 * to clients that ask by DHCPv6 (docs/addresses.md). Each must have
 * `ipv6`, cut into pieces of /64 or shorter (a requesting router numbers
 * its own /64 links from it, RFC 8415 section 6.3), and the profile must
 * give IPv6 (`ipv6 = yes`, read before this): the request arrives over
 * IPV6CP's link. */
static int pd_pools(struct B *b, const struct conf_node *n, struct policy_profile *pr)
{
	if (pool_list(b, n, &pr->ipv6_pd_pools, &pr->n_ipv6_pd_pools))
		return -1;
	for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++) {
		const struct pool *pl = &b->p->pools[pr->ipv6_pd_pools[i]];

		if (pl->v6.family != AF_INET6)
			return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
					 "pool '%s' (%s:%u) has no 'ipv6' prefixes to delegate",
					 pl->name, pl->file, pl->line);
		if (pl->v6.deleg_len > 64)
			return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
					 "pool '%s' (%s:%u) delegates /%u: a delegated prefix "
					 "must be /64 or shorter (ipv6_prefix_length)",
					 pl->name, pl->file, pl->line, pl->v6.deleg_len);
	}
	if (!pr->ipv6)
		return fail_node(b, n, POLICY_ERR_VALUE,
				 "'ipv6_pd_pool' needs 'ipv6 = yes' in the same profile: prefixes "
				 "are delegated over the client's IPv6 link");
	return 0;
}

static int build_profile(struct B *b, const struct conf_node *sec,
			 struct policy_profile *pr, const char *where)
{
	static const char *const keys[] = { "auth", "idle_timeout", "session_timeout",
		"max_sessions", "pool", "static_ipv4", "dns", "wins", "mtu", "mru",
		"ipv6", "filter_in{", "filter_out{", "dns_domain", "split_routes", "ipv6_dns",
		"ipv6_managed_config", "ipv6_other_config", "ipv6_router_lifetime",
		"ipv6_prefix_lifetime", "ipv6_pd_pool", NULL };
	struct policy *p = b->p;
	const struct conf_node *n;
	uint64_t v;
	char w[400];

	memset(pr, 0, sizeof(*pr));
	pr->auth = POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_EAP;
	pr->mtu = 1400;
	pr->mru = 1400;
	pr->filter_in.default_permit = true;
	pr->filter_out.default_permit = true;
	/* RFC 4861 section 6.2.1: AdvDefaultLifetime defaults to three times
	 * MaxRtrAdvInterval (600 s). A prefix lives a day: the session's
	 * prefix is the client's only while it is connected, and a client
	 * that lost the link without noticing should not keep it for the
	 * RFC's 30 days. */
	pr->ipv6_router_lifetime = 1800;
	pr->ipv6_prefix_lifetime = 86400;
	if (!sec)
		return 0;
	if (check_keys(b, sec, where, keys))
		return -1;
	if ((n = conf_find(sec, "auth")) && auth_list(b, n, &pr->auth))
		return -1;
	if ((n = conf_find(sec, "idle_timeout")) && get_duration(b, n, &pr->idle_timeout))
		return -1;
	if ((n = conf_find(sec, "session_timeout")) &&
	    get_duration(b, n, &pr->session_timeout))
		return -1;
	if ((n = conf_find(sec, "max_sessions"))) {
		if (get_uint(b, n, 0, 1000000, &v))
			return -1;
		pr->max_sessions = (uint32_t)v;
	}
	if ((n = conf_find(sec, "pool")) && pool_list(b, n, &pr->pools, &pr->n_pools))
		return -1;
	if ((n = conf_find(sec, "static_ipv4"))) {
		const struct conf_item *it = one_item(b, n, "IPv4 address");
		if (!it || get_ip(b, n, it, AF_INET, &pr->static_ipv4))
			return -1;
		pr->has_static_ipv4 = true;
		reserve_static(p, &pr->static_ipv4);
	}
	if ((n = conf_find(sec, "dns")) && addr_list(b, n, pr->dns, &pr->n_dns))
		return -1;
	if ((n = conf_find(sec, "wins")) && addr_list(b, n, pr->wins, &pr->n_wins))
		return -1;
	/* RFC 1661 section 6.1: MRU; 576 is the smallest IPv4 datagram every
	 * host must accept, 1500 the Ethernet payload the tunnel rides on */
	if ((n = conf_find(sec, "mtu"))) {
		if (get_uint(b, n, 576, 1500, &v))
			return -1;
		pr->mtu = (uint16_t)v;
	}
	if ((n = conf_find(sec, "mru"))) {
		if (get_uint(b, n, 576, 1500, &v))
			return -1;
		pr->mru = (uint16_t)v;
	}
	if ((n = conf_find(sec, "ipv6")) && get_bool(b, n, &pr->ipv6))
		return -1;
	if ((n = conf_find(sec, "ipv6_dns")) && ipv6_dns(b, n, pr))
		return -1;
	if ((n = conf_find(sec, "ipv6_managed_config")) &&
	    get_bool(b, n, &pr->ipv6_managed_config))
		return -1;
	if ((n = conf_find(sec, "ipv6_other_config")) && get_bool(b, n, &pr->ipv6_other_config))
		return -1;
	if ((n = conf_find(sec, "ipv6_router_lifetime"))) {
		/* RFC 4861 section 6.2.1: 0, or at most 9000 s */
		if (get_duration(b, n, &pr->ipv6_router_lifetime))
			return -1;
		if (pr->ipv6_router_lifetime > 9000)
			return fail_item(b, n, &n->items[0], POLICY_ERR_VALUE,
					 "expected at most 9000 seconds (RFC 4861 section "
					 "6.2.1) for '%s', got %u", n->name,
					 pr->ipv6_router_lifetime);
	}
	if ((n = conf_find(sec, "ipv6_prefix_lifetime"))) {
		if (get_duration(b, n, &pr->ipv6_prefix_lifetime))
			return -1;
		/* a prefix that expires before the next advertisement
		 * (RFC 4861 section 6.2.1: MaxRtrAdvInterval 600 s) would
		 * leave the client without an address between them */
		if (pr->ipv6_prefix_lifetime < 600)
			return fail_item(b, n, &n->items[0], POLICY_ERR_VALUE,
					 "expected at least 600 seconds (the longest time "
					 "between two advertisements) for '%s', got %u",
					 n->name, pr->ipv6_prefix_lifetime);
	}
	if ((n = conf_find(sec, "ipv6_pd_pool")) && pd_pools(b, n, pr))
		return -1;
	if ((n = conf_find(sec, "dns_domain")) && dns_domain(b, n, &pr->dns_domain))
		return -1;
	if ((n = conf_find(sec, "split_routes")) && split_routes(b, n, pr))
		return -1;
	if ((n = conf_find(sec, "filter_in"))) {
		snprintf(w, sizeof(w), "%s.filter_in", where);
		if (build_filter(b, n, &pr->filter_in, w))
			return -1;
	}
	if ((n = conf_find(sec, "filter_out"))) {
		snprintf(w, sizeof(w), "%s.filter_out", where);
		if (build_filter(b, n, &pr->filter_out, w))
			return -1;
	}
	return 0;
}

/* ---- conditions ------------------------------------------------------------------------------ */

static int build_matchers(struct B *b, const struct conf_node *n,
			  struct condition *c)
{
	struct policy *p = b->p;
	char s[80];

	if (need_items(b, n, "values or ~patterns", true))
		return -1;
	c->u.str = arena_alloc(&p->arena, n->n_items * sizeof(*c->u.str));
	if (!c->u.str)
		return nomem(b);
	c->n = n->n_items;
	for (uint32_t i = 0; i < n->n_items; i++) {
		const struct conf_item *it = &n->items[i];
		struct matcher *m = &c->u.str[i];
		int ec;
		PCRE2_SIZE eoff;

		m->text = it->text;
		m->len = it->len;
		if (!it->pattern)
			continue;
		if (it->len > MAX_PATTERN_LEN)
			return fail_item(b, n, it, POLICY_ERR_PATTERN,
					 "expected a pattern of at most %d bytes, got %u",
					 MAX_PATTERN_LEN, it->len);
		m->re = pcre2_compile((PCRE2_SPTR)it->text, it->len, 0, &ec, &eoff, NULL);
		if (!m->re) {
			PCRE2_UCHAR msg[160];
			pcre2_get_error_message(ec, msg, sizeof(msg));
			return fail_item(b, n, it, POLICY_ERR_PATTERN,
					 "expected a valid PCRE2 pattern, got %s: %s at "
					 "offset %zu", shown(it, s, sizeof(s)), (char *)msg,
					 (size_t)eoff);
		}
		/* JIT where the platform has it; the interpreter otherwise */
		(void)pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE);
	}
	return 0;
}

static int day_index(const char *s, size_t len)
{
	static const char *const names[7] = { "sun", "mon", "tue", "wed", "thu",
					      "fri", "sat" };

	if (len != 3)
		return -1;
	for (int i = 0; i < 7; i++)
		if (!strncasecmp(s, names[i], 3))
			return i;
	return -1;
}

static int hhmm(const char *s, size_t len, bool end)
{
	int h, m;

	if (len != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[0] - '0') * 10 + s[1] - '0';
	m = (s[3] - '0') * 10 + s[4] - '0';
	if (m > 59 || h > 24 || (h == 24 && (m || !end)))
		return -1;
	return h * 60 + m;
}

/* "Mon-Fri 08:00-18:00", "Sat", "22:00-06:00", "Fri 22:00-02:00" */
static int parse_window(const char *t, struct timewin *w)
{
	const char *sp = strchr(t, ' ');
	const char *hours = t;

	w->days = 0x7f;
	w->start = 0;
	w->end = 1440;
	if (isalpha((unsigned char)t[0])) {
		size_t dl = sp ? (size_t)(sp - t) : strlen(t);
		const char *dash = memchr(t, '-', dl);
		int d1 = day_index(t, dash ? (size_t)(dash - t) : dl);
		int d2 = dash ? day_index(dash + 1, dl - (size_t)(dash - t) - 1) : d1;
		if (d1 < 0 || d2 < 0)
			return -1;
		w->days = 0;
		for (int d = d1;; d = (d + 1) % 7) {	/* Fri-Mon wraps */
			w->days |= (uint8_t)(1u << d);
			if (d == d2)
				break;
		}
		if (!sp)
			return 0;
		hours = sp;
		while (*hours == ' ')
			hours++;
	} else if (sp) {
		return -1;
	}
	const char *dash = strchr(hours, '-');
	if (!dash)
		return -1;
	int a = hhmm(hours, (size_t)(dash - hours), false);
	int z = hhmm(dash + 1, strlen(dash + 1), true);
	if (a < 0 || z < 0 || a == z)
		return -1;
	w->start = (uint16_t)a;
	w->end = (uint16_t)(z == 0 ? 1440 : z);
	if (w->start == 0 && w->end == 1440)
		return 0;
	if (z == 0)	/* "22:00-00:00": until midnight, same day */
		w->end = 1440;
	return 0;
}

static int build_condition(struct B *b, const struct conf_node *n,
			   struct condition *c)
{
	static const char *const names[COND__COUNT] = {
		[COND_USER] = "user", [COND_GROUP] = "group", [COND_TIME] = "time",
		[COND_CALLING_STATION] = "calling_station",
		[COND_CALLED_STATION] = "called_station",
		[COND_IKE_IDENTITY] = "ike_identity",
		[COND_CERT_SUBJECT] = "cert_subject",
		[COND_CERT_ISSUER] = "cert_issuer",
		[COND_TUNNEL_TYPE] = "tunnel_type",
		[COND_AUTH_METHOD] = "auth_method",
	};
	struct policy *p = b->p;
	char s[80];
	int k;

	for (k = 0; k < COND__COUNT; k++)
		if (!strcmp(n->name, names[k]))
			break;
	c->kind = (enum cond_kind)k;
	c->key = names[k];
	switch (c->kind) {
	case COND_USER:
	case COND_IKE_IDENTITY:
	case COND_CERT_SUBJECT:
	case COND_CERT_ISSUER:
		return build_matchers(b, n, c);
	case COND_GROUP:
		if (need_items(b, n, "group names", false))
			return -1;
		c->u.group_ids = arena_alloc(&p->arena, n->n_items * sizeof(uint32_t));
		if (!c->u.group_ids)
			return nomem(b);
		for (uint32_t i = 0; i < n->n_items; i++) {
			int g = group_id(p, n->items[i].text);
			if (g < 0)
				return fail_item(b, n, &n->items[i], POLICY_ERR_REFERENCE,
						 "expected a group defined in 'groups', got %s",
						 shown(&n->items[i], s, sizeof(s)));
			c->u.group_ids[i] = (uint32_t)g;
		}
		c->n = n->n_items;
		return 0;
	case COND_TIME:
		if (need_items(b, n, "day-and-time windows", false))
			return -1;
		c->u.win = arena_alloc(&p->arena, n->n_items * sizeof(*c->u.win));
		if (!c->u.win)
			return nomem(b);
		for (uint32_t i = 0; i < n->n_items; i++)
			if (parse_window(n->items[i].text, &c->u.win[i]))
				return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
						 "expected a window like 'Mon-Fri 08:00-18:00', "
						 "'Sat', or '22:00-06:00', got %s",
						 shown(&n->items[i], s, sizeof(s)));
		c->n = n->n_items;
		return 0;
	case COND_CALLING_STATION:
	case COND_CALLED_STATION:
		if (need_items(b, n, "addresses or prefixes", false))
			return -1;
		c->u.net = arena_alloc(&p->arena, n->n_items * sizeof(*c->u.net));
		if (!c->u.net)
			return nomem(b);
		for (uint32_t i = 0; i < n->n_items; i++)
			if (get_prefix(b, n, &n->items[i], 0, &c->u.net[i]))
				return -1;
		c->n = n->n_items;
		return 0;
	case COND_TUNNEL_TYPE:
		if (need_items(b, n, "tunnel types", false))
			return -1;
		for (uint32_t i = 0; i < n->n_items; i++) {
			enum policy_tunnel t = policy_tunnel_parse(n->items[i].text);
			if (t == POLICY_TUNNEL_UNKNOWN)
				return fail_item(b, n, &n->items[i], POLICY_ERR_VALUE,
						 "expected l2tp, pptp, pppoe, sstp or ikev2 for "
						 "'tunnel_type', got %s",
						 shown(&n->items[i], s, sizeof(s)));
			c->u.mask |= 1u << t;
		}
		c->n = n->n_items;
		return 0;
	case COND_AUTH_METHOD:
		c->n = n->n_items;
		return auth_list(b, n, &c->u.mask);
	case COND__COUNT:
		break;
	}
	return fail_node(b, n, POLICY_ERR_UNKNOWN_KEY, "unknown condition '%s'", n->name);
}

static int build_policies(struct B *b, const struct conf_node *sec)
{
	static const char *const keys[] = { "*{", NULL };
	static const char *const rkeys[] = { "conditions{", "permission", "profile{",
		"description", NULL };
	static const char *const ckeys[] = { "user", "group", "time",
		"calling_station", "called_station", "ike_identity", "cert_subject",
		"cert_issuer", "tunnel_type", "auth_method", NULL };
	struct policy *p = b->p;
	char where[300], s[80];

	if (!sec)
		return 0;
	if (check_keys(b, sec, "policies", keys))
		return -1;
	p->rules = arena_alloc(&p->arena, (sec->n_child + 1) * sizeof(*p->rules));
	if (!p->rules)
		return nomem(b);
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *rs = sec->child[i], *n, *cs;
		struct rule *r = &p->rules[i];

		snprintf(where, sizeof(where), "policies.%s", rs->name);
		if (check_keys(b, rs, where, rkeys))
			return -1;
		p->n_rules = i + 1;	/* compiled patterns are freed on error */
		r->name = rs->name;
		r->file = rs->file;
		r->line = rs->line;
		n = conf_find(rs, "permission");
		if (!n)
			return fail_node(b, rs, POLICY_ERR_MISSING,
					 "expected 'permission = grant|deny' in %s", where);
		const struct conf_item *it = one_item(b, n, "grant or deny");
		if (!it)
			return -1;
		if (!strcasecmp(it->text, "grant"))
			r->grant = true;
		else if (strcasecmp(it->text, "deny"))
			return fail_item(b, n, it, POLICY_ERR_VALUE,
					 "expected grant or deny for 'permission', got %s",
					 shown(it, s, sizeof(s)));
		if ((cs = conf_find(rs, "conditions"))) {
			char cw[320];
			snprintf(cw, sizeof(cw), "%s.conditions", where);
			if (check_keys(b, cs, cw, ckeys))
				return -1;
			r->conds = arena_alloc(&p->arena, (cs->n_child + 1) * sizeof(*r->conds));
			if (!r->conds)
				return nomem(b);
			for (uint32_t k = 0; k < cs->n_child; k++) {
				r->n_conds = k + 1;
				if (build_condition(b, cs->child[k], &r->conds[k]))
					return -1;
			}
		}
		char pw[320];
		snprintf(pw, sizeof(pw), "%s.profile", where);
		if (build_profile(b, conf_find(rs, "profile"), &r->profile, pw))
			return -1;
		const struct conf_node *prof = conf_find(rs, "profile");
		const struct conf_node *an = prof ? conf_find(prof, "auth") : NULL;
		if (an) {
			r->auth_file = an->file;
			r->auth_line = an->line;
		}
		if (prof && !(r->link_size = conf_find(prof, "mtu")))
			r->link_size = conf_find(prof, "mru");
	}
	p->n_rules = sec->n_child;
	return 0;
}

int policy_build(struct policy *p, const struct conf_node *root,
		 struct policy_error *err)
{
	static const char *const keys[] = { "server{", "users{", "groups{", "pools{",
		"policies{", NULL };
	struct B b = { .p = p, .err = err };
	const struct conf_node *users, *groups;

	if (check_keys(&b, root, "the top level", keys))
		return -1;
	groups = conf_find(root, "groups");
	users = conf_find(root, "users");
	if (build_server(&b, conf_find(root, "server")) ||
	    build_groups(&b, groups) ||
	    build_pools(&b, conf_find(root, "pools")) ||
	    build_server_pools(&b, conf_find(root, "server")) ||
	    build_users(&b, users, groups) ||
	    build_policies(&b, conf_find(root, "policies")))
		return -1;
	return 0;
}
