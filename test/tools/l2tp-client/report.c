/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output of l2tp-client: one line per session when it is up or failed (and
 * when one that was up is dropped), one summary line at the end. Text is
 * `event key=value ...`; --json gives one JSON object per line with the same
 * keys. Formats: docs/test-client.md.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

struct line {
	char buf[2048];
	size_t len;
	bool json, first;
};

static void put(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += (size_t)n < sizeof(l->buf) - l->len ? (size_t)n : sizeof(l->buf) - l->len - 1;
}

static void key(struct line *l, const char *k)
{
	if (l->json)
		put(l, "%s\"%s\":", l->first ? "" : ",", k);
	else
		put(l, " %s=", k);
	l->first = false;
}

/* A string value: JSON-escaped; in text mode quoted only when needed. */
static void quoted(struct line *l, const char *v)
{
	bool quote = l->json || !*v || strpbrk(v, " \"\\=") != NULL;

	if (quote)
		put(l, "\"");
	for (const char *p = v; *p; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\')
			put(l, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			put(l, "\\u%04x", c);
		else
			put(l, "%c", c);
	}
	if (quote)
		put(l, "\"");
}

static void kv_str(struct line *l, const char *k, const char *v)
{
	key(l, k);
	quoted(l, v);
}

static void kv_u(struct line *l, const char *k, unsigned long long v)
{
	key(l, k);
	put(l, "%llu", v);
}

static void kv_f(struct line *l, const char *k, double v)
{
	key(l, k);
	put(l, "%.3f", v);
}

static void kv_bool(struct line *l, const char *k, bool v)
{
	key(l, k);
	put(l, "%s", v ? "true" : "false");
}

static void ip_text(uint32_t a, char *out, size_t n)
{
	struct in_addr in = {.s_addr = htonl(a)};

	if (!inet_ntop(AF_INET, &in, out, (socklen_t)n))
		snprintf(out, n, "?");
}

static void kv_ip(struct line *l, const char *k, uint32_t a)
{
	char t[INET_ADDRSTRLEN];

	ip_text(a, t, sizeof(t));
	kv_str(l, k, t);
}

/* IPv6 addresses: a JSON list, or "a,b". */
static void kv_ip6_list(struct line *l, const char *k, const uint8_t (*v)[16], size_t n)
{
	char t[INET6_ADDRSTRLEN];

	key(l, k);
	put(l, "%s", l->json ? "[" : "");
	for (size_t i = 0; i < n; i++) {
		if (!inet_ntop(AF_INET6, v[i], t, sizeof(t)))
			snprintf(t, sizeof(t), "?");
		put(l, l->json ? "%s\"%s\"" : "%s%s", i ? "," : "", t);
	}
	put(l, "%s", l->json ? "]" : "");
}

/* What the RA kept (--ipv6-ra) said. */
static void kv_ra(struct line *l, const struct ra_info *ra)
{
	char t[INET6_ADDRSTRLEN + 4];

	if (ra->has_prefix && inet_ntop(AF_INET6, ra->prefix, t, INET6_ADDRSTRLEN)) {
		snprintf(t + strlen(t), sizeof(t) - strlen(t), "/%u", ra->prefix_len);
		kv_str(l, "ra_prefix", t);
		kv_bool(l, "ra_autonomous", ra->autonomous);
		kv_bool(l, "ra_on_link", ra->on_link);
		kv_u(l, "ra_valid_lifetime", ra->valid_lifetime);
		kv_u(l, "ra_preferred_lifetime", ra->preferred_lifetime);
	}
	kv_ip6_list(l, "ra_rdnss", (const uint8_t (*)[16])ra->rdnss, ra->n_rdnss);
	kv_u(l, "ra_router_lifetime", ra->router_lifetime);
	kv_bool(l, "ra_managed", ra->managed);
	kv_bool(l, "ra_other", ra->other);
	if (inet_ntop(AF_INET6, ra->src, t, sizeof(t)))
		kv_str(l, "ra_source", t);
}

/* The non-zero addresses of a pair (DNS, NBNS): a JSON list, or "a,b". */
static void kv_ip_list(struct line *l, const char *k, const uint32_t v[2])
{
	char t[INET_ADDRSTRLEN];
	bool any = false;

	key(l, k);
	put(l, "%s", l->json ? "[" : "");
	for (int i = 0; i < 2; i++) {
		if (!v[i])
			continue;
		ip_text(v[i], t, sizeof(t));
		if (l->json)
			put(l, "%s\"%s\"", any ? "," : "", t);
		else
			put(l, "%s%s", any ? "," : "", t);
		any = true;
	}
	put(l, "%s", l->json ? "]" : (any ? "" : "-"));
}

static void begin(struct line *l, const struct client *cl, const char *event)
{
	l->len = 0;
	l->json = cl->o->json;
	l->first = true;
	if (l->json) {
		put(l, "{");
		kv_str(l, "event", event);
	} else {
		put(l, "%s", event);
	}
}

static void end(struct line *l)
{
	if (l->json)
		put(l, "}");
	fwrite(l->buf, 1, l->len, stdout);
	fputc('\n', stdout);
}

const char *stage_name(enum cl_stage st)
{
	switch (st) {
	case STAGE_NONE: return "not_started";
	case STAGE_L2TP: return "l2tp";
	case STAGE_LCP: return "lcp";
	case STAGE_AUTH: return "auth";
	case STAGE_IPCP: return "ipcp";
	case STAGE_PING: return "ping";
	case STAGE_UP: return "up";
	}
	return "?";
}

static const char *auth_name(const struct client *cl, const struct cl_session *s)
{
	if (s->auth_done)
		return ppp_auth_method_name((enum ppp_auth_method)s->auth_method);
	return cl->o->auth == PPP_AUTH_NONE ? "any"
					     : ppp_auth_method_name(cl->o->auth);
}

/* Why a session failed or went down, in words. */
static const char *reason_text(const struct client *cl, const struct cl_session *s)
{
	if (s->timed_out && cl->abort_reason)
		return cl->abort_reason;
	if (s->stage == STAGE_NONE)
		return cl->abort_reason ? cl->abort_reason : "not opened";
	if (s->stage == STAGE_PING && s->reported)
		return "echo replies missing";
	if (s->ppp_down && s->ppp_reason != PPP_DOWN_LOWER_LAYER)
		return ppp_down_reason_text((enum ppp_down_reason)s->ppp_reason);
	if (s->l2tp_down || s->l2tp_cause)
		return l2tp_down_cause_name((enum l2tp_down_cause)s->l2tp_cause);
	return "unknown";
}

void report_session(struct client *cl, struct cl_session *s, const char *event)
{
	struct line l;
	bool up = !strcmp(event, "up");

	if (cl->o->quiet)
		return;
	begin(&l, cl, event);
	kv_u(&l, "n", s->index + 1ull);
	kv_str(&l, "user", s->cfg->client->user);
	kv_u(&l, "tunnel_id", s->tunnel->id);
	kv_u(&l, "peer_tunnel_id", s->tunnel->peer_id);
	kv_u(&l, "session_id", s->sid);
	kv_u(&l, "peer_session_id", s->peer_sid);
	if (s->ipcp_up) {
		kv_ip(&l, "addr", s->addr);
		kv_ip(&l, "peer_addr", s->peer_addr);
		kv_ip_list(&l, "dns", s->dns);
		kv_ip_list(&l, "nbns", s->nbns);
		kv_f(&l, "setup_ms", (double)(s->t_up_us - s->t_open_us) / 1000.0);
	}
	kv_str(&l, "auth", auth_name(cl, s));
	kv_str(&l, "auth_result", !s->auth_done ? "none" : s->auth_ok ? "ok" : "fail");
	if (s->auth_done && !s->auth_ok) {
		kv_u(&l, "auth_code", s->auth_code);
		kv_str(&l, "auth_message", s->auth_message);
	}
	if (cl->o->peap) {
		kv_str(&l, "peap", peap_status_name((enum peap_status)s->peap_status));
		if (s->peap_detail)
			kv_str(&l, "peap_detail", s->peap_detail);
		if (s->peap_code)
			kv_u(&l, "peap_code", s->peap_code);
	}
	if (cl->o->ping) {
		kv_u(&l, "ping_sent", s->ping_sent);
		kv_u(&l, "ping_recv", s->ping_recv);
	}
	if (cl->o->dhcp_inform) {
		kv_u(&l, "inform_sent", s->inform_sent);
		kv_bool(&l, "inform", s->inform != NULL);
		if (s->inform) {
			kv_ip_list(&l, "inform_dns", s->inform->dns);
			kv_str(&l, "inform_domain", s->inform->domain);
			kv_str(&l, "inform_routes", s->inform->routes);
			kv_str(&l, "inform_routes_ms", s->inform->routes_ms);
		}
	}
	if (cl->o->ipv6_ra) {
		kv_bool(&l, "ipv6cp", s->ipv6cp_up);
		if (s->ipv6cp_up) {
			char t[INET6_ADDRSTRLEN];

			if (inet_ntop(AF_INET6, s->ll, t, sizeof(t)))
				kv_str(&l, "ipv6_ll", t);
			if (inet_ntop(AF_INET6, s->peer_ll, t, sizeof(t)))
				kv_str(&l, "ipv6_peer_ll", t);
		}
		kv_u(&l, "rs_sent", s->rs_sent);
		kv_u(&l, "ra_recv", s->ra_recv);
		kv_bool(&l, "ra", s->ra != NULL);
		if (s->ra)
			kv_ra(&l, s->ra);
	}
	if (!up) {
		kv_str(&l, "stage", stage_name((enum cl_stage)s->stage));
		kv_str(&l, "reason", reason_text(cl, s));
		if (s->ppp_down)
			kv_str(&l, "ppp_down", ppp_down_reason_text((enum ppp_down_reason)s->ppp_reason));
		if (s->l2tp_down || s->l2tp_cause) {
			kv_str(&l, "l2tp_cause", l2tp_down_cause_name((enum l2tp_down_cause)s->l2tp_cause));
			kv_u(&l, "l2tp_result", s->l2tp_result);
			kv_u(&l, "l2tp_error", s->l2tp_error);
		}
	} else {
		kv_bool(&l, "ok", s->success);
	}
	end(&l);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array, in ms. */
static double pct_ms(const uint32_t *v, uint32_t n, double p)
{
	uint64_t rank;

	if (!n)
		return 0;
	rank = (uint64_t)(p * n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1] / 1000.0;
}

void report_echoes(struct client *cl, uint32_t answered)
{
	struct line l;

	if (cl->o->quiet)
		return;
	begin(&l, cl, "echoes");
	kv_u(&l, "answered", answered);
	end(&l);
}

void report_summary(struct client *cl)
{
	struct line l;
	const struct cl_counters *c = &cl->cnt;
	uint32_t n = cl->n_up;
	double span = cl->t_last_up_us > cl->t_first_open_us
			      ? (double)(cl->t_last_up_us - cl->t_first_open_us) / 1e6 : 0;
	uint64_t rej = 0;
	uint32_t tunnels_up = 0;

	qsort(cl->setup_us, n, sizeof(*cl->setup_us), cmp_u32);
	for (uint32_t i = 0; i < cl->o->tunnels; i++)
		tunnels_up += cl->tunnels[i].peer_id != 0;
	begin(&l, cl, "summary");
	kv_u(&l, "sessions", cl->o->sessions);
	kv_u(&l, "up", cl->n_up);
	kv_u(&l, "ok", cl->n_success);
	kv_u(&l, "failed", cl->n_failed);
	kv_u(&l, "dropped", cl->n_dropped);
	kv_u(&l, "tunnels", cl->o->tunnels);
	kv_u(&l, "tunnels_up", tunnels_up);
	kv_f(&l, "elapsed_s", (double)(mono_time_us() - cl->t0_us) / 1e6);
	kv_f(&l, "setup_span_s", span);
	kv_f(&l, "setup_rate", span > 0 ? n / span : 0);
	kv_f(&l, "setup_ms_min", n ? cl->setup_us[0] / 1000.0 : 0);
	kv_f(&l, "setup_ms_median", pct_ms(cl->setup_us, n, 0.5));
	kv_f(&l, "setup_ms_p99", pct_ms(cl->setup_us, n, 0.99));
	kv_f(&l, "setup_ms_max", n ? cl->setup_us[n - 1] / 1000.0 : 0);
	if (cl->o->ping) {
		kv_u(&l, "ping_sent", cl->ping_sent);
		kv_u(&l, "ping_recv", cl->ping_recv);
	}
	kv_u(&l, "tx_control", c->tx_control);
	kv_u(&l, "rx_control", c->rx_control);
	kv_u(&l, "tx_data", c->tx_data);
	kv_u(&l, "rx_data", c->rx_data);
	kv_u(&l, "retransmits", l2tp_ctx_stats(cl->ctx)->retransmits);
	kv_u(&l, "lcp_confreq_sent", c->lcp_confreq_sent);
	kv_u(&l, "lcp_confreq_retransmits", c->lcp_confreq_retransmits);
	kv_u(&l, "auth_gated", c->auth_gated);
	if (cl->o->tun) {
		kv_u(&l, "tun_rx", c->tun_rx);
		kv_u(&l, "tun_tx", c->tun_tx);
		kv_u(&l, "tun_dropped", c->tun_dropped);
	}
	{
		uint64_t echo_sent = 0, echo_lost = 0;

		for (uint32_t i = 0; i < cl->o->sessions; i++) {
			if (!cl->sessions[i].ppp_started)
				continue;
			echo_sent += ppp_session_stats(&cl->sessions[i].ppp)->echo_sent;
			echo_lost += ppp_session_stats(&cl->sessions[i].ppp)->echo_lost;
		}
		kv_u(&l, "lcp_echo_sent", echo_sent);
		kv_u(&l, "lcp_echo_lost", echo_lost);
	}
	if (cl->abort_reason)
		kv_str(&l, "aborted", cl->abort_reason);
	/* the orderly close: tunnels whose StopCCN the peer never acked */
	{
		uint32_t unacked = 0;

		for (uint32_t i = 0; i < cl->o->tunnels; i++)
			unacked += cl->tunnels[i].stopccn_sent && !cl->tunnels[i].done;
		kv_u(&l, "stopccn_unacked", unacked);
	}
	/* every reason a received frame was not used, counted */
	key(&l, "drops");
	put(&l, "%s", l.json ? "{" : "");
	for (int r = 1; r < L2TP_R_MAX; r++)
		if (c->data_rejects[r])
			put(&l, l.json ? "%s\"data_%s\":%llu" : "%sdata_%s:%llu", rej++ ? "," : "",
			    l2tp_reason_name((enum l2tp_reason)r), (unsigned long long)c->data_rejects[r]);
	for (int r = 1; r < ECHO_R_MAX; r++)
		if (c->echo_rejects[r])
			put(&l, l.json ? "%s\"echo_%s\":%llu" : "%secho_%s:%llu", rej++ ? "," : "",
			    echo_reject_name((enum echo_reject)r), (unsigned long long)c->echo_rejects[r]);
	if (c->inform_foreign)
		put(&l, l.json ? "%s\"inform_foreign\":%llu" : "%sinform_foreign:%llu", rej++ ? "," : "",
		    (unsigned long long)c->inform_foreign);
	if (c->ipv6_other)
		put(&l, l.json ? "%s\"ipv6_other\":%llu" : "%sipv6_other:%llu", rej++ ? "," : "",
		    (unsigned long long)c->ipv6_other);
	if (c->data_unknown_session)
		put(&l, l.json ? "%s\"unknown_session\":%llu" : "%sunknown_session:%llu", rej++ ? "," : "",
		    (unsigned long long)c->data_unknown_session);
	if (c->data_not_ip)
		put(&l, l.json ? "%s\"not_ipv4\":%llu" : "%snot_ipv4:%llu", rej++ ? "," : "",
		    (unsigned long long)c->data_not_ip);
	if (c->echo_foreign)
		put(&l, l.json ? "%s\"echo_foreign\":%llu" : "%secho_foreign:%llu", rej++ ? "," : "",
		    (unsigned long long)c->echo_foreign);
	if (c->echo_duplicate)
		put(&l, l.json ? "%s\"echo_duplicate\":%llu" : "%secho_duplicate:%llu", rej++ ? "," : "",
		    (unsigned long long)c->echo_duplicate);
	if (c->send_errors)
		put(&l, l.json ? "%s\"send_errors\":%llu" : "%ssend_errors:%llu", rej++ ? "," : "",
		    (unsigned long long)c->send_errors);
	if (c->recv_errors)
		put(&l, l.json ? "%s\"recv_errors\":%llu" : "%srecv_errors:%llu", rej++ ? "," : "",
		    (unsigned long long)c->recv_errors);
	put(&l, "%s", l.json ? "}" : (rej ? "" : "-"));
	end(&l);
}

void report_flush(void)
{
	fflush(stdout);
}
