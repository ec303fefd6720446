/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderings of a decision and its explanation: text for people and logs,
 * JSON for scripts (l2tpctl policy test --json). */
#include "policy_int.h"
#include "strbuf.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_name(enum policy_verdict v)
{
	switch (v) {
	case POLICY_V_MATCH: return "match";
	case POLICY_V_NOMATCH: return "no-match";
	case POLICY_V_UNKNOWN: return "unknown";
	case POLICY_V_SKIPPED: return "skipped";
	case POLICY_V_ERROR: return "error";
	case POLICY_V_INFO: break;
	}
	return "info";
}

static const char *verdict_mark(enum policy_verdict v)
{
	switch (v) {
	case POLICY_V_MATCH: return "+";
	case POLICY_V_NOMATCH: return "-";
	case POLICY_V_UNKNOWN: return "?";
	case POLICY_V_SKIPPED: return ".";
	case POLICY_V_ERROR: return "!";
	case POLICY_V_INFO: break;
	}
	return " ";
}


/* A DHCP pool's address in a dry run: known only when the session starts. */
static void format_dhcp_source(struct strbuf *b, const policy_t *p, unsigned pool)
{
	struct policy_dhcp_pool d;

	if (policy_pool_dhcp(p, pool, &d))
		sb_printf(b, "  ipv4 address:    from the DHCP server on %s (pool %s)\n",
			  d.interface, policy_pool_name(p, pool));
}

/* Where the address comes from, as the administrator looks for it:
 * "user static", "profile pool office", "server DHCP pool lan". */
static void text_source(struct strbuf *b, const policy_t *p, const char *label, uint8_t src,
			int pool, bool dhcp)
{
	const char *what = policy_addr_source_name((enum policy_addr_source)src);

	if (pool < 0) {
		sb_printf(b, "  %s%s\n", label, what);
		return;
	}
	/* "server pool" -> "server DHCP pool" */
	sb_printf(b, "  %s%.*s%s%s %s\n", label, (int)(strlen(what) - 5), what,
		  dhcp ? " DHCP" : "", " pool", policy_pool_name(p, (unsigned)pool));
}

/* The pool's proxy_arp (docs/addresses.md "Clients on the LAN subnet"):
 * `auto` is decided by the daemon from the host's subnets, which a dry
 * run does not read; l2tpd --check shows that decision. */
static void format_proxy_arp(struct strbuf *b, const policy_t *p,
			     const struct policy_decision *d)
{
	enum policy_proxy_arp m = d->ipv4_pool >= 0
				  ? policy_pool_proxy_arp(p, (unsigned)d->ipv4_pool)
				  : POLICY_PROXY_ARP_AUTO;

	if (m == POLICY_PROXY_ARP_YES)
		sb_printf(b, "  proxy arp:       yes\n");
	else if (m == POLICY_PROXY_ARP_NO)
		sb_printf(b, "  proxy arp:       no\n");
	else if (d->ipv4_dhcp)
		sb_printf(b, "  proxy arp:       auto (on: a DHCP pool)\n");
	else
		sb_printf(b, "  proxy arp:       auto (on if the address is in a subnet of the "
			  "host's LAN; l2tpd --check)\n");
}

static void text_profile(struct strbuf *b, const policy_t *p,
			 const struct policy_decision *d)
{
	const struct policy_profile *pr = &d->profile;
	char buf[64];

	sb_printf(b, "profile:\n");
	sb_printf(b, "  auth methods:    %s\n", policy_auth_format(pr->auth, buf, sizeof(buf)));
	sb_printf(b, "  idle timeout:    %u s\n", pr->idle_timeout);
	sb_printf(b, "  session timeout: %u s\n", pr->session_timeout);
	sb_printf(b, "  max sessions:    %u%s\n", pr->max_sessions,
		  pr->max_sessions ? "" : " (unlimited)");
	/* no mtu/mru line: a profile's are not applied (LCP and the link
	 * are settled before a policy decides; policy_warnings says so) */
	for (size_t i = 0; i < pr->n_dns; i++)
		sb_printf(b, "  dns:             %s\n", policy_ip_format(&pr->dns[i], buf, sizeof(buf)));
	for (size_t i = 0; i < pr->n_wins; i++)
		sb_printf(b, "  wins:            %s\n", policy_ip_format(&pr->wins[i], buf, sizeof(buf)));
	if (pr->dns_domain)
		sb_printf(b, "  dns domain:      %s\n", pr->dns_domain);
	for (size_t i = 0; i < pr->n_split_routes; i++)
		sb_printf(b, "  split route:     %s\n",
			  policy_prefix_format(&pr->split_routes[i], buf, sizeof(buf)));
	sb_printf(b, "  ipv6:            %s\n", pr->ipv6 ? "on" : "off");
	if (pr->ipv6) {
		/* what the Router Advertisements will say (docs/addresses.md "IPv6") */
		for (size_t i = 0; i < pr->n_ipv6_dns; i++)
			sb_printf(b, "  ipv6 dns:        %s\n",
				  policy_ip_format(&pr->ipv6_dns[i], buf, sizeof(buf)));
		sb_printf(b, "  ipv6 ra:         router lifetime %u s, prefix lifetime %u s%s%s\n",
			  pr->ipv6_router_lifetime, pr->ipv6_prefix_lifetime,
			  pr->ipv6_managed_config ? ", managed (M)" : "",
			  pr->ipv6_other_config ? ", other config (O)" : "");
	}
	sb_printf(b, "  filters:         in %zu rules (default %s), out %zu rules (default %s)\n",
		  pr->filter_in.n_rules, pr->filter_in.default_permit ? "permit" : "deny",
		  pr->filter_out.n_rules, pr->filter_out.default_permit ? "permit" : "deny");
	if (d->has_ipv4)
		sb_printf(b, "  ipv4 address:    %s%s%s%s\n",
			  policy_ip_format(&d->ipv4, buf, sizeof(buf)),
			  d->ipv4_pool >= 0 ? " (pool " : " (static",
			  d->ipv4_pool >= 0 ? policy_pool_name(p, (unsigned)d->ipv4_pool) : "",
			  ")");
	else if (d->ipv4_dhcp && d->ipv4_pool >= 0)
		format_dhcp_source(b, p, (unsigned)d->ipv4_pool);
	if (d->ipv4_source != POLICY_SRC_NONE)
		text_source(b, p, "ipv4 source:     ", d->ipv4_source, d->ipv4_pool, d->ipv4_dhcp);
	if (d->has_ipv4 || d->ipv4_dhcp)
		format_proxy_arp(b, p, d);
	if (d->has_ipv6) {
		sb_printf(b, "  ipv6 prefix:     %s\n", policy_prefix_format(&d->ipv6, buf, sizeof(buf)));
		text_source(b, p, "ipv6 source:     ", d->ipv6_source, d->ipv6_pool, false);
		/* DHCPv6 Prefix Delegation: leased when the client asks */
		for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++)
			sb_printf(b, "  ipv6 delegation: pool %s (on request)\n",
				  policy_pool_name(p, pr->ipv6_pd_pools[i]));
	}
	for (size_t i = 0; i < d->n_routes; i++)
		sb_printf(b, "  route:           %s\n", policy_prefix_format(&d->routes[i], buf, sizeof(buf)));
}

char *policy_format_text(const policy_t *p, uint32_t offered,
			 const struct policy_decision *dec,
			 const struct policy_explain *x)
{
	struct strbuf b = {0};
	char buf[64];

	if (dec) {
		if (dec->reason == POLICY_GRANTED)
			sb_printf(&b, "decision: GRANT by policy '%s'\n", dec->policy_name);
		else
			sb_printf(&b, "decision: DENY %s: %s (MS-CHAPv2 E=%d, L2TP result code %d)%s%s%s\n",
				  policy_reason_name(dec->reason), policy_reason_text(dec->reason),
				  policy_reason_mschap_error(dec->reason),
				  policy_reason_l2tp_result(dec->reason),
				  dec->policy_name ? " [policy '" : "",
				  dec->policy_name ? dec->policy_name : "",
				  dec->policy_name ? "']" : "");
	}
	sb_printf(&b, "offered auth methods: %s\n", policy_auth_format(offered, buf, sizeof(buf)));
	if (x) {
		sb_printf(&b, "explanation:\n");
		for (size_t i = 0; i < x->n; i++) {
			const struct policy_explain_line *l = &x->lines[i];
			switch (l->kind) {
			case POLICY_X_STEP:
				sb_printf(&b, "  %s %-10s %s\n", verdict_mark(l->verdict), l->key, l->text);
				break;
			case POLICY_X_POLICY:
				sb_printf(&b, "  %s policy #%d '%s': %s\n", verdict_mark(l->verdict),
					  l->policy_index + 1, l->policy, l->text);
				break;
			case POLICY_X_CONDITION:
				sb_printf(&b, "      %s %-16s %s\n", verdict_mark(l->verdict),
					  l->key, l->text);
				break;
			}
		}
		if (x->truncated)
			sb_printf(&b, "  (explanation truncated: out of memory)\n");
	}
	if (dec && dec->reason == POLICY_GRANTED)
		text_profile(&b, p, dec);
	return sb_take(&b);
}

static void json_ip(struct strbuf *b, const struct policy_ip *ip)
{
	char buf[64];

	sb_json_str(b, policy_ip_format(ip, buf, sizeof(buf)));
}

static void json_methods(struct strbuf *b, uint32_t mask)
{
	bool first = true;

	sb_printf(b, "[");
	for (unsigned i = 0; i < 4; i++)
		if (mask & (1u << i)) {
			sb_printf(b, "%s", first ? "" : ",");
			sb_json_str(b, policy_auth_name(1u << i));
			first = false;
		}
	sb_printf(b, "]");
}

static void json_filter(struct strbuf *b, const struct policy_filter *f)
{
	char buf[64];

	sb_printf(b, "{\"default\":\"%s\",\"rules\":[", f->default_permit ? "permit" : "deny");
	for (size_t i = 0; i < f->n_rules; i++) {
		const struct policy_filter_rule *r = &f->rules[i];
		sb_printf(b, "%s{\"name\":", i ? "," : "");
		sb_json_str(b, r->name);
		sb_printf(b, ",\"action\":\"%s\",\"protocol\":%d", r->permit ? "permit" : "deny",
			  r->proto);
		if (r->has_src) {
			sb_printf(b, ",\"source\":");
			sb_json_str(b, policy_prefix_format(&r->src, buf, sizeof(buf)));
		}
		if (r->has_dst) {
			sb_printf(b, ",\"destination\":");
			sb_json_str(b, policy_prefix_format(&r->dst, buf, sizeof(buf)));
		}
		sb_printf(b, ",\"ports\":[");
		for (size_t k = 0; k < r->n_ports; k++)
			sb_printf(b, "%s[%u,%u]", k ? "," : "", r->ports[k].lo, r->ports[k].hi);
		sb_printf(b, "]}");
	}
	sb_printf(b, "]}");
}

char *policy_format_json(const policy_t *p, uint32_t offered,
			 const struct policy_decision *dec,
			 const struct policy_explain *x)
{
	struct strbuf b = {0};
	char buf[64];

	sb_printf(&b, "{\"offered\":");
	json_methods(&b, offered);
	if (dec) {
		const struct policy_profile *pr = &dec->profile;
		sb_printf(&b, ",\"decision\":{\"granted\":%s,\"reason\":\"%s\",\"mschap_error\":%d,"
			  "\"l2tp_result\":%d,\"policy\":",
			  dec->reason == POLICY_GRANTED ? "true" : "false",
			  policy_reason_name(dec->reason), policy_reason_mschap_error(dec->reason),
			  policy_reason_l2tp_result(dec->reason));
		if (dec->policy_name)
			sb_json_str(&b, dec->policy_name);
		else
			sb_printf(&b, "null");
		if (dec->reason == POLICY_GRANTED) {
			sb_printf(&b, ",\"profile\":{\"auth\":");
			json_methods(&b, pr->auth);
			sb_printf(&b, ",\"idle_timeout\":%u,\"session_timeout\":%u,\"max_sessions\":%u,"
				  "\"mtu\":%u,\"mru\":%u,\"ipv6\":%s,\"dns\":[",
				  pr->idle_timeout, pr->session_timeout, pr->max_sessions,
				  pr->mtu, pr->mru, pr->ipv6 ? "true" : "false");
			for (size_t i = 0; i < pr->n_dns; i++) {
				sb_printf(&b, "%s", i ? "," : "");
				json_ip(&b, &pr->dns[i]);
			}
			sb_printf(&b, "],\"wins\":[");
			for (size_t i = 0; i < pr->n_wins; i++) {
				sb_printf(&b, "%s", i ? "," : "");
				json_ip(&b, &pr->wins[i]);
			}
			sb_printf(&b, "]");
			if (pr->dns_domain) {
				sb_printf(&b, ",\"dns_domain\":");
				sb_json_str(&b, pr->dns_domain);
			}
			if (pr->n_split_routes) {
				sb_printf(&b, ",\"split_routes\":[");
				for (size_t i = 0; i < pr->n_split_routes; i++) {
					sb_printf(&b, "%s", i ? "," : "");
					sb_json_str(&b, policy_prefix_format(&pr->split_routes[i], buf,
									     sizeof(buf)));
				}
				sb_printf(&b, "]");
			}
			sb_printf(&b, ",\"filter_in\":");
			json_filter(&b, &pr->filter_in);
			sb_printf(&b, ",\"filter_out\":");
			json_filter(&b, &pr->filter_out);
			sb_printf(&b, "}");
			if (dec->has_ipv4) {
				sb_printf(&b, ",\"ipv4\":");
				json_ip(&b, &dec->ipv4);
				sb_printf(&b, ",\"ipv4_pool\":");
				if (dec->ipv4_pool >= 0)
					sb_json_str(&b, policy_pool_name(p, (unsigned)dec->ipv4_pool));
				else
					sb_printf(&b, "null");
			} else if (dec->ipv4_dhcp && dec->ipv4_pool >= 0) {
				/* dry run: the DHCP server gives it at the session's start */
				sb_printf(&b, ",\"ipv4\":null,\"ipv4_pool\":");
				sb_json_str(&b, policy_pool_name(p, (unsigned)dec->ipv4_pool));
			}
			if (dec->ipv4_source != POLICY_SRC_NONE) {
				sb_printf(&b, ",\"ipv4_source\":");
				sb_json_str(&b, policy_addr_source_name(
						(enum policy_addr_source)dec->ipv4_source));
				sb_printf(&b, ",\"ipv4_dhcp\":%s", dec->ipv4_dhcp ? "true" : "false");
			}
			if (dec->has_ipv6) {
				sb_printf(&b, ",\"ipv6_source\":");
				sb_json_str(&b, policy_addr_source_name(
						(enum policy_addr_source)dec->ipv6_source));
				sb_printf(&b, ",\"ipv6\":");
				sb_json_str(&b, policy_prefix_format(&dec->ipv6, buf, sizeof(buf)));
				sb_printf(&b, ",\"ipv6_pd_pools\":[");
				for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++) {
					sb_printf(&b, "%s", i ? "," : "");
					sb_json_str(&b, policy_pool_name(p, pr->ipv6_pd_pools[i]));
				}
				sb_printf(&b, "]");
			}
			sb_printf(&b, ",\"routes\":[");
			for (size_t i = 0; i < dec->n_routes; i++) {
				sb_printf(&b, "%s", i ? "," : "");
				sb_json_str(&b, policy_prefix_format(&dec->routes[i], buf, sizeof(buf)));
			}
			sb_printf(&b, "]");
		}
		sb_printf(&b, "}");
	}
	if (x) {
		static const char *const kinds[] = { "step", "policy", "condition" };
		sb_printf(&b, ",\"explanation\":[");
		for (size_t i = 0; i < x->n; i++) {
			const struct policy_explain_line *l = &x->lines[i];
			sb_printf(&b, "%s{\"kind\":\"%s\",\"verdict\":\"%s\"", i ? "," : "",
				  kinds[l->kind], verdict_name(l->verdict));
			if (l->policy) {
				sb_printf(&b, ",\"policy\":");
				sb_json_str(&b, l->policy);
				sb_printf(&b, ",\"index\":%d", l->policy_index);
			}
			sb_printf(&b, ",\"key\":");
			sb_json_str(&b, l->key);
			sb_printf(&b, ",\"text\":");
			sb_json_str(&b, l->text);
			sb_printf(&b, "}");
		}
		sb_printf(&b, "],\"truncated\":%s", x->truncated ? "true" : "false");
	}
	sb_printf(&b, "}\n");
	return sb_take(&b);
}

char *policy_format_log(const struct policy_request *req,
			const struct policy_decision *dec)
{
	struct strbuf b = {0};
	char ip[64];

	/* the user name is the client's: escaped (lib/text.h) */
	sb_printf(&b, "policy: user '%s' from %s ", SAFE_STR(req->user),
		  policy_ip_format(&req->peer, ip, sizeof(ip)));
	if (dec->reason == POLICY_GRANTED)
		sb_printf(&b, "granted by '%s'", dec->policy_name);
	else
		sb_printf(&b, "denied%s%s%s: %s (E=%d)", dec->policy_name ? " by '" : "",
			  dec->policy_name ? dec->policy_name : "",
			  dec->policy_name ? "'" : "", policy_reason_name(dec->reason),
			  policy_reason_mschap_error(dec->reason));
	return sb_take(&b);
}
