/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Loading, freeing, and the evaluation of remote-access policies with an
 * explanation of every step. Semantics (docs/policy.md, "Evaluation"):
 * policies in file order, the first whose conditions ALL match decides, no
 * match rejects; a user's dial_in allow/deny wins over the policy's
 * permission, "policy" defers to it. Fail closed: a condition that cannot
 * be evaluated (a pattern at its match limit) is neither a match nor a
 * no-match; it refuses the login rather than skip a deny policy.
 */
#include "conf.h"
#include "policy_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

/* Pattern limits: a pathological pattern or subject gives up after this
 * much work instead of stalling the daemon's event loop. */
#define PATTERN_MATCH_LIMIT 100000
#define PATTERN_DEPTH_LIMIT 1000
#define PATTERN_HEAP_LIMIT_KIB 1024

static void free_patterns(struct policy *p)
{
	for (size_t i = 0; i < p->n_rules; i++) {
		struct rule *r = &p->rules[i];
		for (size_t k = 0; k < r->n_conds; k++) {
			struct condition *c = &r->conds[k];
			switch (c->kind) {
			case COND_USER:
			case COND_IKE_IDENTITY:
			case COND_CERT_SUBJECT:
			case COND_CERT_ISSUER:
				for (size_t j = 0; c->u.str && j < c->n; j++)
					if (c->u.str[j].re)
						pcre2_code_free(c->u.str[j].re);
				break;
			default:
				break;
			}
		}
	}
}

void policy_free(policy_t *p)
{
	if (!p)
		return;
	free_patterns(p);
	free(p->tz_at);
	free(p->tz_off);
	pcre2_match_data_free(p->mdata);
	pcre2_match_context_free(p->mctx);
	arena_free(&p->arena);
	free(p);
}

static struct policy *policy_new(struct policy_error *err)
{
	struct policy *p = calloc(1, sizeof(*p));

	if (p) {
		arena_init(&p->arena);
		p->mctx = pcre2_match_context_create(NULL);
		p->mdata = pcre2_match_data_create(1, NULL);
		if (p->mctx && p->mdata) {
			pcre2_set_match_limit(p->mctx, PATTERN_MATCH_LIMIT);
			pcre2_set_depth_limit(p->mctx, PATTERN_DEPTH_LIMIT);
			pcre2_set_heap_limit(p->mctx, PATTERN_HEAP_LIMIT_KIB);
			return p;
		}
		policy_free(p);
	}
	conf_set_error(err, POLICY_ERR_NOMEM, "", 0, 0, "out of memory");
	return NULL;
}

static void conf_opts_from(struct policy *p, const struct policy_load_opts *o,
			   struct conf_opts *c)
{
	memset(c, 0, sizeof(*c));
	p->max_pool_slots = 1ull << 24;
	if (o && o->max_pool_slots && o->max_pool_slots < p->max_pool_slots)
		p->max_pool_slots = o->max_pool_slots;
	if (o) {
		c->no_include = o->no_include;
		c->max_include_depth = o->max_include_depth;
		c->max_file_size = o->max_file_size;
	}
}

static int finish(struct policy *p, int rc, struct conf_node *root,
		  policy_t **out, struct policy_error *err)
{
	if (rc == 0)
		rc = policy_build(p, root, err);
	if (rc != 0) {
		policy_free(p);
		return -1;
	}
	/* the parse tree stays in the arena: strings of the model point into it */
	*out = p;
	if (err) {
		memset(err, 0, sizeof(*err));
		err->code = POLICY_OK;
	}
	return 0;
}

int policy_load_opts(const char *path, const struct policy_load_opts *opts,
		     policy_t **out, struct policy_error *err)
{
	struct policy *p = policy_new(err);
	struct conf_node *root = NULL;
	struct conf_opts co;
	int rc;

	if (!p)
		return -1;
	conf_opts_from(p, opts, &co);
	rc = conf_parse_file(&p->arena, path, &co, &root, err);
	return finish(p, rc, root, out, err);
}

int policy_load(const char *path, policy_t **out, struct policy_error *err)
{
	return policy_load_opts(path, NULL, out, err);
}

int policy_load_buffer(const char *name, const void *buf, size_t len,
		       const struct policy_load_opts *opts, policy_t **out,
		       struct policy_error *err)
{
	struct policy *p = policy_new(err);
	struct conf_node *root = NULL;
	struct conf_opts co;
	int rc;

	if (!p)
		return -1;
	conf_opts_from(p, opts, &co);
	rc = conf_parse_buffer(&p->arena, name, buf, len, &co, &root, err);
	return finish(p, rc, root, out, err);
}

void policy_get_counts(const policy_t *p, struct policy_counts *c)
{
	c->users = p->n_users;
	c->groups = p->n_groups;
	c->pools = p->n_pools;
	c->policies = p->n_rules;
}

size_t policy_warnings(const policy_t *p,
		       void (*warn)(const char *msg, void *ctx), void *ctx)
{
	size_t n = 0;
	char msg[512], a[64], b[64], c[64];

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		const struct conf_node *ls = r->link_size;

		/* LCP has settled the MRU before any policy decides (the login
		 * comes after it), and the link's MTU is made with the session:
		 * a profile's value would be silently ignored. */
		if (!ls)
			continue;
		snprintf(msg, sizeof(msg), "%s:%u: policy '%s': the profile's %s is not applied: "
			 "LCP's MRU and the link's MTU come from l2tpd.conf (ppp { mru path_mtu }), "
			 "settled before a policy decides", ls->file, ls->line, r->name, ls->name);
		if (warn)
			warn(msg, ctx);
		n++;
	}
	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		uint32_t off = r->profile.auth & ~p->auth_enabled;

		/* the default methods are a conflict only when none is left */
		if (!off || (!r->auth_file && (r->profile.auth & p->auth_enabled)))
			continue;
		if (!(r->profile.auth & p->auth_enabled))
			snprintf(msg, sizeof(msg), "%s:%u: policy '%s': the profile allows "
				 "only %s, all disabled on the server (server.auth_methods = %s): "
				 "a login this policy grants is refused (auth-method-disabled)",
				 r->auth_file ? r->auth_file : r->file,
				 r->auth_file ? r->auth_line : r->line, r->name,
				 policy_auth_format(r->profile.auth, a, sizeof(a)),
				 policy_auth_format(p->auth_enabled, b, sizeof(b)));
		else
			snprintf(msg, sizeof(msg), "%s:%u: policy '%s': the profile allows "
				 "%s, disabled on the server (server.auth_methods = %s): "
				 "only %s can be used",
				 r->auth_file, r->auth_line, r->name,
				 policy_auth_format(off, a, sizeof(a)),
				 policy_auth_format(p->auth_enabled, b, sizeof(b)),
				 policy_auth_format(r->profile.auth & p->auth_enabled, c,
						    sizeof(c)));
		if (warn)
			warn(msg, ctx);
		n++;
	}
	return n;
}

const char *policy_timezone(const policy_t *p)
{
	return p->timezone;
}

bool policy_sessions_allowed(const struct policy_profile *prof, uint32_t in_use)
{
	return prof->max_sessions == 0 || in_use < prof->max_sessions;
}

/* ---- explanation ----------------------------------------------------------- */

void policy_explain_init(struct policy_explain *x)
{
	memset(x, 0, sizeof(*x));
}

void policy_explain_free(struct policy_explain *x)
{
	free(x->lines);
	policy_explain_init(x);
}

__attribute__((format(printf, 7, 8)))
static void xadd(struct policy_explain *x, enum policy_explain_kind kind,
		 enum policy_verdict v, int idx, const char *policy,
		 const char *key, const char *fmt, ...)
{
	struct policy_explain_line *l;
	va_list ap;

	if (!x)
		return;
	if (x->n == x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 32;
		void *n = realloc(x->lines, cap * sizeof(*x->lines));
		if (!n) {
			x->truncated = true;
			return;
		}
		x->lines = n;
		x->cap = cap;
	}
	l = &x->lines[x->n++];
	l->kind = kind;
	l->verdict = v;
	l->policy_index = idx;
	l->policy = policy;
	snprintf(l->key, sizeof(l->key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
}

/* Reserve the header line of a policy so it prints before its conditions. */
static size_t xreserve(struct policy_explain *x, int idx, const char *policy)
{
	if (!x)
		return 0;
	xadd(x, POLICY_X_POLICY, POLICY_V_INFO, idx, policy, "policy", "%s", "");
	return x->n ? x->n - 1 : 0;
}

__attribute__((format(printf, 4, 5)))
static void xset(struct policy_explain *x, size_t slot, enum policy_verdict v,
		 const char *fmt, ...)
{
	struct policy_explain_line *l;
	va_list ap;

	if (!x || slot >= x->n || x->lines[slot].kind != POLICY_X_POLICY)
		return;
	l = &x->lines[slot];
	l->verdict = v;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
}

#define STEP(x, v, key, ...) xadd(x, POLICY_X_STEP, v, -1, NULL, key, __VA_ARGS__)

/* ---- conditions -------------------------------------------------------------- */

struct eval {
	struct policy *p;
	const struct policy_request *req;
	bool pre_auth;
	const uint64_t *groups;		/* effective membership bitset */
	const char *user;		/* canonical (lower-case) name, NULL:
					 * out of memory, `user` cannot be
					 * evaluated */
	bool have_local;		/* wday/minute computed */
	int wday, minute;
	bool explain;
};

/* The condition's values, for messages: "alice, ~^adm-". */
static void describe_cond(const struct policy *p, const struct condition *c,
			  char *buf, size_t len)
{
	size_t off = 0;
	char tmp[96];

	buf[0] = '\0';
	for (size_t i = 0; i < c->n && off < len; i++) {
		const char *item = tmp;
		switch (c->kind) {
		case COND_USER:
		case COND_IKE_IDENTITY:
		case COND_CERT_SUBJECT:
		case COND_CERT_ISSUER:
			snprintf(tmp, sizeof(tmp), "%s%s", c->u.str[i].re ? "~" : "",
				 c->u.str[i].text);
			break;
		case COND_GROUP:
			item = p->groups[c->u.group_ids[i]].name;
			break;
		case COND_TIME:
			timewin_format(&c->u.win[i], tmp, sizeof(tmp));
			break;
		case COND_CALLING_STATION:
		case COND_CALLED_STATION:
			policy_prefix_format(&c->u.net[i], tmp, sizeof(tmp));
			break;
		case COND_TUNNEL_TYPE:
		case COND_AUTH_METHOD:
		case COND__COUNT:
			i = c->n;	/* a mask: printed below */
			continue;
		}
		int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", item);
		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (c->kind == COND_AUTH_METHOD)
		policy_auth_format(c->u.mask, buf, len);
	if (c->kind == COND_TUNNEL_TYPE)
		for (int t = 1; t <= POLICY_TUNNEL_IKEV2; t++)
			if (c->u.mask & (1u << t)) {
				int n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
						 policy_tunnel_name((enum policy_tunnel)t));
				if (n < 0 || (size_t)n >= len - off)
					break;
				off += (size_t)n;
			}
}

static bool match_string(struct policy *p, const struct matcher *m,
			 const char *s, bool nocase, bool *limit)
{
	if (!m->re) {
		size_t len = strlen(s);
		return len == m->len &&
		       (nocase ? strcasecmp(s, m->text) : strcmp(s, m->text)) == 0;
	}
	int rc = pcre2_match(m->re, (PCRE2_SPTR)s, strlen(s), 0, 0, p->mdata, p->mctx);
	if (rc >= 0)
		return true;
	if (rc != PCRE2_ERROR_NOMATCH) {
		/* match/depth/heap limit: not an answer, counted */
		p->pattern_limit_hits++;
		*limit = true;	/* the caller fails closed */
	}
	return false;
}

static const char *const day_names[7] = { "Sun", "Mon", "Tue", "Wed", "Thu",
					   "Fri", "Sat" };

static enum policy_verdict eval_cond(struct eval *e, const struct condition *c,
				     char *why, size_t wl)
{
	const struct policy_request *req = e->req;
	const char *subject = NULL, *what = c->key;
	char vals[160], ip[64];
	bool limit = false;

	if (why) {
		describe_cond(e->p, c, vals, sizeof(vals));
		why[0] = '\0';
	}
	switch (c->kind) {
	case COND_USER:
		if (e->pre_auth)
			goto unknown;
		/* the canonical name, as the user lookup sees it: a pattern
		 * for "^ext-" must catch "EXT-FRANK" */
		subject = e->user;
		what = "user";
		if (!subject && req->user) {
			if (why)
				snprintf(why, wl, "cannot be evaluated (out of memory): refused");
			return POLICY_V_ERROR;
		}
		goto strings;
	case COND_IKE_IDENTITY:
		subject = req->ike_identity;
		what = "IKE identity";
		goto strings;
	case COND_CERT_SUBJECT:
		subject = req->cert_subject;
		what = "certificate subject";
		goto strings;
	case COND_CERT_ISSUER:
		subject = req->cert_issuer;
		what = "certificate issuer";
		goto strings;
	case COND_GROUP:
		if (e->pre_auth)
			goto unknown;
		for (size_t i = 0; i < c->n; i++) {
			uint32_t g = c->u.group_ids[i];
			if (e->groups && (e->groups[g / 64] >> (g % 64)) & 1) {
				if (why)
					snprintf(why, wl, "member of '%s'", e->p->groups[g].name);
				return POLICY_V_MATCH;
			}
		}
		if (why)
			snprintf(why, wl, "member of none of: %s", vals);
		return POLICY_V_NOMATCH;
	case COND_TIME:
		if (!e->have_local) {
			policy_local_wmin(e->p, req->now, &e->wday, &e->minute);
			e->have_local = true;
		}
		for (size_t i = 0; i < c->n; i++)
			if (timewin_match(&c->u.win[i], e->wday, e->minute)) {
				if (why) {
					char w[48];
					snprintf(why, wl, "%s %02d:%02d is within %s",
						 day_names[e->wday], e->minute / 60,
						 e->minute % 60,
						 timewin_format(&c->u.win[i], w, sizeof(w)));
				}
				return POLICY_V_MATCH;
			}
		if (why)
			snprintf(why, wl, "%s %02d:%02d (%s) is outside %s",
				 day_names[e->wday], e->minute / 60, e->minute % 60,
				 e->p->timezone ? e->p->timezone : "local time", vals);
		return POLICY_V_NOMATCH;
	case COND_CALLING_STATION:
	case COND_CALLED_STATION: {
		const struct policy_ip *a = c->kind == COND_CALLING_STATION ? &req->peer
									      : &req->server;
		what = c->kind == COND_CALLING_STATION ? "peer address" : "server address";
		if (!a->family) {
			if (why)
				snprintf(why, wl, "%s unknown", what);
			return POLICY_V_NOMATCH;
		}
		for (size_t i = 0; i < c->n; i++)
			if (policy_prefix_contains(&c->u.net[i], a)) {
				if (why)
					snprintf(why, wl, "%s %s is in %s", what,
						 policy_ip_format(a, ip, sizeof(ip)),
						 policy_prefix_format(&c->u.net[i], vals, sizeof(vals)));
				return POLICY_V_MATCH;
			}
		if (why)
			snprintf(why, wl, "%s %s is not in %s", what,
				 policy_ip_format(a, ip, sizeof(ip)), vals);
		return POLICY_V_NOMATCH;
	}
	case COND_TUNNEL_TYPE:
		if (req->tunnel != POLICY_TUNNEL_UNKNOWN && (c->u.mask & (1u << req->tunnel))) {
			if (why)
				snprintf(why, wl, "tunnel type %s", policy_tunnel_name(req->tunnel));
			return POLICY_V_MATCH;
		}
		if (why)
			snprintf(why, wl, "tunnel type %s is not %s",
				 policy_tunnel_name(req->tunnel), vals);
		return POLICY_V_NOMATCH;
	case COND_AUTH_METHOD:
		if (e->pre_auth)
			goto unknown;
		if (req->auth_method & c->u.mask) {
			if (why)
				snprintf(why, wl, "authenticated with %s",
					 policy_auth_name(req->auth_method));
			return POLICY_V_MATCH;
		}
		if (why)
			snprintf(why, wl, "authenticated with %s, not %s",
				 policy_auth_name(req->auth_method), vals);
		return POLICY_V_NOMATCH;
	case COND__COUNT:
		break;
	}
	return POLICY_V_NOMATCH;

strings:
	if (!subject) {
		if (why)
			snprintf(why, wl, "%s unknown", what);
		return POLICY_V_NOMATCH;
	}
	for (size_t i = 0; i < c->n; i++)
		if (match_string(e->p, &c->u.str[i], subject, c->kind == COND_USER, &limit)) {
			if (why)
				snprintf(why, wl, "%s '%.80s' matches %s%.80s", what, subject,
					 c->u.str[i].re ? "~" : "", c->u.str[i].text);
			return POLICY_V_MATCH;
		}
	if (limit) {
		if (why)
			snprintf(why, wl, "%s '%.80s' cannot be evaluated: a pattern of %s "
				 "hit its match limit (fail closed)", what, subject, vals);
		return POLICY_V_ERROR;
	}
	if (why)
		snprintf(why, wl, "%s '%.80s' matches none of: %s", what, subject, vals);
	return POLICY_V_NOMATCH;

unknown:
	if (why)
		snprintf(why, wl, "not known before authentication (%s)", vals);
	return POLICY_V_UNKNOWN;
}

/*
 * One policy: all conditions in order. Returns NOMATCH if a condition
 * failed; else ERROR if one could not be evaluated; else (pre-auth) UNKNOWN
 * when something is not known yet; else MATCH. *time_only is set when the
 * time window was the only condition that failed and none was in error.
 */
static enum policy_verdict eval_rule(struct eval *e, const struct rule *r,
				     int idx, struct policy_explain *x,
				     bool *time_only)
{
	enum policy_verdict all = POLICY_V_MATCH;
	unsigned failed = 0, failed_time = 0, errors = 0;
	char why[200];

	for (size_t k = 0; k < r->n_conds; k++) {
		const struct condition *c = &r->conds[k];
		enum policy_verdict v;

		/* without an explanation, stop at the first failure that is
		 * not a time window (whether only the time failed matters) */
		if (!x && (failed > failed_time || (failed && !time_only)))
			break;
		v = eval_cond(e, c, x ? why : NULL, sizeof(why));
		if (v == POLICY_V_NOMATCH) {
			failed++;
			if (c->kind == COND_TIME)
				failed_time++;
			all = POLICY_V_NOMATCH;
		} else if (v == POLICY_V_ERROR) {
			errors++;
			if (all != POLICY_V_NOMATCH)
				all = POLICY_V_ERROR;
		} else if (v == POLICY_V_UNKNOWN && all == POLICY_V_MATCH) {
			all = POLICY_V_UNKNOWN;
		}
		xadd(x, POLICY_X_CONDITION, v, idx, r->name, c->key, "%s", why);
	}
	if (time_only)
		*time_only = failed && failed == failed_time && !errors;
	return all;
}

/* ---- pre-auth ------------------------------------------------------------------- */

uint32_t policy_pre_auth(policy_t *p, const struct policy_request *req,
			 struct policy_explain *x)
{
	struct eval e = { .p = p, .req = req, .pre_auth = true };
	uint32_t offer = 0;
	char a[64], b[64], c[64];

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *r = &p->rules[i];
		size_t slot = xreserve(x, (int)i, r->name);
		enum policy_verdict v = eval_rule(&e, r, (int)i, x, NULL);
		uint32_t methods = r->profile.auth & p->auth_enabled;

		if (v == POLICY_V_NOMATCH) {
			xset(x, slot, v, "cannot match: offers nothing");
			continue;
		}
		/* ERROR counts as "could match": the decision after
		 * authentication meets the same condition and refuses */
		/* an auth_method condition narrows what this policy can accept */
		for (size_t k = 0; k < r->n_conds; k++)
			if (r->conds[k].kind == COND_AUTH_METHOD)
				methods &= r->conds[k].u.mask;
		offer |= methods;
		/* a deny policy counts too: a user with dial_in = allow
		 * overrides its permission and gets its profile */
		if (x)
			xset(x, slot, v, "%s: offers %s (profile allows %s, server enables %s)",
			     v == POLICY_V_MATCH ? "matches for certain, later policies are not reached"
			     : v == POLICY_V_ERROR ? "cannot be evaluated (the login will be refused)"
						   : "could match",
			     policy_auth_format(methods, a, sizeof(a)),
			     policy_auth_format(r->profile.auth, b, sizeof(b)),
			     policy_auth_format(p->auth_enabled, c, sizeof(c)));
		if (v == POLICY_V_MATCH)
			break;
	}
	if (!offer)
		p->nothing_offered++;
	if (x)
		STEP(x, offer ? POLICY_V_MATCH : POLICY_V_NOMATCH, "offer", "%s",
		     offer ? policy_auth_format(offer, a, sizeof(a))
			   : "nothing to offer: no-common-auth-method");
	return offer;
}

/* ---- post-auth ---------------------------------------------------------------------- */

static int group_by_name(const struct policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_groups; i++)
		if (strcmp(p->groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

static enum policy_reason deny(struct policy_decision *dec, enum policy_reason r,
			       struct policy_explain *x)
{
	dec->reason = r;
	STEP(x, POLICY_V_NOMATCH, "decision", "deny: %s (%s; MS-CHAPv2 E=%d, L2TP result %d)",
	     policy_reason_name(r), policy_reason_text(r), policy_reason_mschap_error(r),
	     policy_reason_l2tp_result(r));
	return r;
}

/* Does pool `idx` hand out addresses of this family? A DHCP pool's IPv4
 * addresses come from the LAN's server. */
static bool pool_has_family(const struct policy *p, unsigned idx, int family)
{
	const struct pool *pl = &p->pools[idx];

	if (family == AF_INET)
		return pl->dhcp_interface || pl->v4.family;
	return pl->v6.family != 0;
}

/* The pool list a family's address comes from: the profile's when it names
 * a pool of that family, else the server's (server.pool, RRAS's "IP
 * Address Assignment" page). As in RRAS, the profile's setting overrides
 * the server's: a profile whose pools are exhausted does not fall back to
 * the server's pools (the administrator chose them for that policy). */
static enum policy_addr_source pool_list_for(const struct policy *p,
					     const struct policy_profile *pr, int family,
					     const uint16_t **list, size_t *n)
{
	for (size_t i = 0; i < pr->n_pools; i++)
		if (pool_has_family(p, pr->pools[i], family)) {
			*list = pr->pools;
			*n = pr->n_pools;
			return POLICY_SRC_PROFILE_POOL;
		}
	*list = p->server_pools;
	*n = p->n_server_pools;
	return p->n_server_pools ? POLICY_SRC_SERVER_POOL : POLICY_SRC_NONE;
}

/* "profile pool" / "server pool" and, for a server pool, why the server's
 * list is used at all: the administrator asks "why this pool?" */
static const char *source_why(enum policy_addr_source src, const struct policy_profile *pr)
{
	if (src != POLICY_SRC_SERVER_POOL)
		return "";
	return pr->n_pools ? "profile names no pool of this family: "
			   : "profile names no pool: ";
}

/* "(12 of 254 leased)": addresses reserved for static users are not
 * counted, they can never be leased. */
static void pool_usage(const struct addr_pool *ap, char *buf, size_t len)
{
	snprintf(buf, len, "%llu of %llu leased",
		 (unsigned long long)(ap->in_use - ap->n_reserved),
		 (unsigned long long)(ap->total - ap->n_reserved));
}

/* A DHCP pool in the walk: an address the daemon leased ahead of need, or
 * (dry run, no lease source) a grant whose address the server gives at
 * the start of the session. */
static void take_dhcp(struct policy *p, unsigned idx, bool lease, enum policy_addr_source src,
		      struct policy_decision *dec, struct policy_explain *x)
{
	const struct pool *pl = &p->pools[idx];
	const char *why = source_why(src, &dec->profile);
	const char *kind = src == POLICY_SRC_SERVER_POOL ? "server" : "profile";
	char ip[64];

	if (!lease || !p->lease_src.lease) {
		dec->ipv4_dhcp = true;
		dec->ipv4_pool = (int)idx;
		dec->ipv4_source = (uint8_t)src;
		STEP(x, POLICY_V_MATCH, "address",
		     "%sfrom the DHCP server on %s (%s DHCP pool '%s'; leased when the session starts)",
		     why, pl->dhcp_interface, kind, pl->name);
		return;
	}
	if (p->lease_src.lease(p->lease_src.ctx, idx, pl->name, &dec->ipv4) == 0) {
		dec->has_ipv4 = dec->ipv4_leased = dec->ipv4_dhcp = true;
		dec->ipv4_pool = (int)idx;
		dec->ipv4_source = (uint8_t)src;
		STEP(x, POLICY_V_MATCH, "address", "%s%s from %s DHCP pool '%s' (server on %s)",
		     why, policy_ip_format(&dec->ipv4, ip, sizeof(ip)), kind, pl->name,
		     pl->dhcp_interface);
	} else {
		STEP(x, POLICY_V_NOMATCH, "address",
		     "%s%s DHCP pool '%s' has no leased address ready (server on %s)", why, kind,
		     pl->name, pl->dhcp_interface);
	}
}

static enum policy_reason assign_ipv4(struct policy *p, const struct policy_request *req,
				      bool lease, struct policy_decision *dec,
				      struct policy_explain *x)
{
	const struct policy_profile *pr = &dec->profile;
	const uint16_t *list;
	size_t n;
	enum policy_addr_source src = pool_list_for(p, pr, AF_INET, &list, &n);
	const char *why = source_why(src, pr);
	const char *kind = src == POLICY_SRC_SERVER_POOL ? "server" : "profile";

	/* the external authenticator named one of our pools (Framed-Pool):
	 * that pool only, no fall-back */
	if (req->has_framed_pool && req->framed_pool < p->n_pools) {
		list = &req->framed_pool;
		n = 1;
		src = POLICY_SRC_EXTERNAL;
		why = "";
		kind = "the server's (Framed-Pool)";
	}
	bool any_v4_pool = false;
	char ip[64], use[64];

	for (size_t i = 0; i < n && !dec->has_ipv4 && !dec->ipv4_dhcp; i++) {
		struct addr_pool *ap = &p->pools[list[i]].v4;
		const char *name = p->pools[list[i]].name;

		if (p->pools[list[i]].dhcp_interface) {
			any_v4_pool = true;
			take_dhcp(p, list[i], lease, src, dec, x);
			continue;
		}
		if (!ap->family)
			continue;
		any_v4_pool = true;
		pool_usage(ap, use, sizeof(use));
		if ((lease ? addr_pool_lease(ap, &dec->ipv4)
			   : addr_pool_peek(ap, &dec->ipv4)) == 0) {
			dec->has_ipv4 = true;
			dec->ipv4_leased = lease;
			dec->ipv4_pool = list[i];
			dec->ipv4_source = (uint8_t)src;
			STEP(x, POLICY_V_MATCH, "address", "%s%s from %s pool '%s' (%s)%s", why,
			     policy_ip_format(&dec->ipv4, ip, sizeof(ip)), kind, name, use,
			     lease ? "" : " (not leased: dry run)");
		} else {
			STEP(x, POLICY_V_NOMATCH, "address", "%s%s pool '%s' is exhausted (%s)%s",
			     why, kind, name, use, i + 1 < n ? ": the next one is tried" : "");
		}
	}
	if (dec->has_ipv4 || dec->ipv4_dhcp)
		return POLICY_GRANTED;
	if (any_v4_pool) {
		STEP(x, POLICY_V_NOMATCH, "address", "every %s pool is exhausted%s", kind,
		     src == POLICY_SRC_PROFILE_POOL && p->n_server_pools
			     ? " (the profile's pools override server.pool: no fall-back)" : "");
		return POLICY_DENY_POOL_EXHAUSTED;
	}
	if (src == POLICY_SRC_SERVER_POOL)
		STEP(x, POLICY_V_NOMATCH, "address", "no IPv4 pool and no static address in the "
		     "profile or user, and server.pool names no IPv4 pool");
	else
		STEP(x, POLICY_V_NOMATCH, "address", "no IPv4 pool and no static address in the "
		     "profile or user, and no server.pool");
	return POLICY_DENY_NO_ADDRESS;
}

/* The external authenticator's address (Framed-IP-Address): an address of
 * one of our static pools is taken out of it (so no lease hands it to
 * another session) and refused when a session holds it already; one in no
 * pool is the server's to keep unique. */
static enum policy_reason take_framed_ipv4(struct policy *p, bool lease,
					   const struct policy_ip *ip,
					   struct policy_decision *dec, struct policy_explain *x)
{
	char a[64];

	policy_ip_format(ip, a, sizeof(a));
	dec->ipv4 = *ip;
	dec->ipv4_source = POLICY_SRC_EXTERNAL;
	for (size_t i = 0; i < p->n_pools; i++) {
		struct addr_pool *ap = &p->pools[i].v4;
		uint64_t slot;

		if (!ap->family || addr_pool_slot(ap, ip, &slot))
			continue;
		if (addr_pool_test(ap, slot)) {
			STEP(x, POLICY_V_NOMATCH, "address", "%s (Framed-IP-Address) is in pool '%s' "
			     "and already in use", a, p->pools[i].name);
			return POLICY_DENY_NO_ADDRESS;
		}
		if (lease)
			addr_pool_mark(ap, slot);
		dec->has_ipv4 = true;
		dec->ipv4_leased = lease;
		dec->ipv4_pool = (int)i;
		STEP(x, POLICY_V_MATCH, "address", "%s (Framed-IP-Address), taken from pool '%s'%s",
		     a, p->pools[i].name, lease ? "" : " (not leased: dry run)");
		return POLICY_GRANTED;
	}
	dec->has_ipv4 = true;
	STEP(x, POLICY_V_MATCH, "address", "%s (Framed-IP-Address, in none of our pools)", a);
	return POLICY_GRANTED;
}

/* An IPv6 prefix the external server named (Framed-IPv6-Prefix for the
 * link, Delegated-IPv6-Prefix for DHCPv6-PD): as take_framed_ipv4, a
 * prefix that is a slot of one of our pools is taken out of it and
 * refused when a session holds it; one inside a pool but not one of its
 * slots (another length) is refused, it would overlap prefixes the pool
 * hands out; one outside every pool is the server's to keep unique (NPS:
 * the server owns the addresses it assigns). */
static enum policy_reason take_server_prefix(struct policy *p, bool lease, const char *attr,
					     const struct policy_prefix *pfx,
					     struct policy_prefix *out, bool *leased, int *pool,
					     struct policy_explain *x)
{
	char a[64];
	int idx;
	enum policy_prefix_state st = policy_prefix_lookup(p, pfx, &idx);

	policy_prefix_format(pfx, a, sizeof(a));
	switch (st) {
	case POLICY_PREFIX_OUTSIDE:
		*out = *pfx;
		STEP(x, POLICY_V_MATCH, "address6", "%s (%s, in none of our pools)", a, attr);
		return POLICY_GRANTED;
	case POLICY_PREFIX_FREE: {
		struct addr_pool *ap = &p->pools[idx].v6;
		uint64_t slot;

		if (lease && addr_pool_slot(ap, &pfx->ip, &slot) == 0)
			addr_pool_mark(ap, slot);
		*out = *pfx;
		*leased = lease;
		*pool = idx;
		STEP(x, POLICY_V_MATCH, "address6", "%s (%s), taken from pool '%s'%s", a, attr,
		     p->pools[idx].name, lease ? "" : " (not leased: dry run)");
		return POLICY_GRANTED;
	}
	case POLICY_PREFIX_IN_USE:
		STEP(x, POLICY_V_NOMATCH, "address6", "%s (%s) is in pool '%s' and already in use",
		     a, attr, p->pools[idx].name);
		return POLICY_DENY_NO_ADDRESS;
	case POLICY_PREFIX_MISFIT:
		break;
	}
	STEP(x, POLICY_V_NOMATCH, "address6", "%s (%s) lies in pool '%s', whose prefixes are /%u",
	     a, attr, p->pools[idx].name, p->pools[idx].v6.deleg_len);
	return POLICY_DENY_NO_ADDRESS;
}

/* Delegated-IPv6-Prefix (RFC 4818): held for the session from the
 * grant (the server assigned it to this user), delegated by DHCPv6 when
 * the client asks; the profile's ipv6_pd_pool is not used then. */
static enum policy_reason assign_delegated(struct policy *p, const struct policy_request *req,
					   bool lease, struct policy_decision *dec,
					   struct policy_explain *x)
{
	int pool = -1;
	enum policy_reason r;

	if (!req->has_delegated_prefix)
		return POLICY_GRANTED;
	r = take_server_prefix(p, lease, "Delegated-IPv6-Prefix", &req->delegated_prefix,
			       &dec->delegated, &dec->delegated_leased, &pool, x);
	if (r == POLICY_GRANTED)
		dec->has_delegated = true;
	return r;
}

static enum policy_reason assign_addresses(struct policy *p,
					   const struct policy_user *u,
					   const struct policy_request *req,
					   unsigned flags,
					   struct policy_decision *dec,
					   struct policy_explain *x)
{
	struct policy_profile *pr = &dec->profile;
	bool lease = flags & POLICY_LEASE;
	enum policy_addr_source src;
	const uint16_t *list;
	size_t n;
	char ip[64], use[64];

	if (req->has_framed_ipv4) {
		enum policy_reason r = take_framed_ipv4(p, lease, &req->framed_ipv4, dec, x);
		if (r != POLICY_GRANTED)
			return r;
	} else if (req->has_framed_pool) {
		enum policy_reason r = assign_ipv4(p, req, lease, dec, x);
		if (r != POLICY_GRANTED)
			return r;
	} else if (u->has_static_ipv4 || pr->has_static_ipv4) {
		dec->ipv4 = u->has_static_ipv4 ? u->static_ipv4 : pr->static_ipv4;
		dec->has_ipv4 = true;
		dec->ipv4_source = u->has_static_ipv4 ? POLICY_SRC_USER_STATIC
						      : POLICY_SRC_PROFILE_STATIC;
		STEP(x, POLICY_V_MATCH, "address", "%s (static, from the %s)",
		     policy_ip_format(&dec->ipv4, ip, sizeof(ip)),
		     u->has_static_ipv4 ? "user" : "profile");
	} else {
		enum policy_reason r = assign_ipv4(p, req, lease, dec, x);
		if (r != POLICY_GRANTED)
			return r;
	}
	if (!pr->ipv6)
		return POLICY_GRANTED;
	if (req->has_framed_ipv6_prefix) {
		enum policy_reason r = take_server_prefix(p, lease, "Framed-IPv6-Prefix",
							  &req->framed_ipv6_prefix, &dec->ipv6,
							  &dec->ipv6_leased, &dec->ipv6_pool, x);
		if (r != POLICY_GRANTED)
			return r;
		dec->has_ipv6 = true;
		dec->ipv6_source = POLICY_SRC_EXTERNAL;
		return assign_delegated(p, req, lease, dec, x);
	}
	/* IPv6 is optional for the session (IPV6CP may fail alone): no free
	 * prefix turns IPv6 off for this session, it does not refuse it */
	if (u->has_static_ipv6) {
		dec->ipv6 = u->static_ipv6;
		dec->has_ipv6 = true;
		dec->ipv6_source = POLICY_SRC_USER_STATIC;
		STEP(x, POLICY_V_MATCH, "address6", "%s (static, from the user)",
		     policy_prefix_format(&dec->ipv6, ip, sizeof(ip)));
		return POLICY_GRANTED;
	}
	src = pool_list_for(p, pr, AF_INET6, &list, &n);
	if (req->has_framed_ipv6_pool && req->framed_ipv6_pool < p->n_pools) {
		/* Framed-IPv6-Pool: that pool only, no fall-back (as Framed-Pool) */
		list = &req->framed_ipv6_pool;
		n = 1;
		src = POLICY_SRC_EXTERNAL;
	}
	for (size_t i = 0; i < n && !dec->has_ipv6; i++) {
		struct addr_pool *ap = &p->pools[list[i]].v6;
		if (!ap->family)
			continue;
		pool_usage(ap, use, sizeof(use));
		if ((lease ? addr_pool_lease(ap, &dec->ipv6.ip)
			   : addr_pool_peek(ap, &dec->ipv6.ip)) == 0) {
			dec->ipv6.len = ap->deleg_len;
			dec->has_ipv6 = true;
			dec->ipv6_leased = lease;
			dec->ipv6_pool = list[i];
			dec->ipv6_source = (uint8_t)src;
			STEP(x, POLICY_V_MATCH, "address6", "%s%s from %s pool '%s' (%s)%s",
			     source_why(src, pr), policy_prefix_format(&dec->ipv6, ip, sizeof(ip)),
			     src == POLICY_SRC_SERVER_POOL ? "server"
			     : src == POLICY_SRC_EXTERNAL ? "the server's (Framed-IPv6-Pool)"
			     : "profile",
			     p->pools[list[i]].name, use, lease ? "" : " (not leased: dry run)");
		}
	}
	if (!dec->has_ipv6) {
		pr->ipv6 = false;
		STEP(x, POLICY_V_NOMATCH, "address6",
		     "no IPv6 prefix free or configured: IPv6 off for this session%s",
		     pr->n_ipv6_pd_pools || req->has_delegated_prefix ? ", and no prefix delegation"
								       : "");
		return POLICY_GRANTED;
	}
	if (req->has_delegated_prefix)
		return assign_delegated(p, req, lease, dec, x);
	/* DHCPv6 Prefix Delegation: leased when the client asks, by the
	 * daemon (policy_pool_lease_prefix), never here */
	for (size_t i = 0; i < pr->n_ipv6_pd_pools; i++) {
		const struct pool *pl = &p->pools[pr->ipv6_pd_pools[i]];

		pool_usage(&pl->v6, use, sizeof(use));
		STEP(x, POLICY_V_INFO, "delegation", "a /%u from pool '%s' (%s) when the client "
		     "asks by DHCPv6%s", pl->v6.deleg_len, pl->name, use,
		     i + 1 < pr->n_ipv6_pd_pools ? ", else:" : "");
	}
	return POLICY_GRANTED;
}

static enum policy_reason post_auth(policy_t *p, const struct policy_request *req,
				    unsigned flags, struct policy_decision *dec,
				    struct policy_explain *x);

enum policy_reason policy_post_auth(policy_t *p, const struct policy_request *req,
				    unsigned flags, struct policy_decision *dec,
				    struct policy_explain *x)
{
	enum policy_reason r = post_auth(p, req, flags, dec, x);

	if ((unsigned)r < POLICY_REASON__COUNT)
		p->reason_counts[r]++;
	return r;
}

void policy_get_stats(const policy_t *p, struct policy_stats *st)
{
	memcpy(st->decisions, p->reason_counts, sizeof(st->decisions));
	st->pre_auth_nothing_offered = p->nothing_offered;
	st->pattern_limit_hits = p->pattern_limit_hits;
}

static enum policy_reason post_auth(policy_t *p, const struct policy_request *req,
				    unsigned flags, struct policy_decision *dec,
				    struct policy_explain *x)
{
	uint64_t stack_bits[8], *bits = stack_bits;
	struct eval e = { .p = p, .req = req };
	const struct policy_user *u;
	struct policy_user external;
	const struct rule *r = NULL, *broken = NULL;
	bool time_only_seen = false;
	char name_buf[128], *name = NULL;
	enum dial_in dial_in;
	enum policy_reason reason;
	size_t words = p->group_words;
	char a[64], b[64];

	memset(dec, 0, sizeof(*dec));
	dec->policy_index = -1;
	dec->ipv4_pool = -1;
	dec->ipv6_pool = -1;

	if (req->external_user) {
		/* authenticated by an external server: local users are not
		 * consulted (NPS: the RADIUS server owns the accounts), the
		 * policies decide as for dial_in = policy */
		memset(&external, 0, sizeof(external));
		external.name = req->user ? req->user : "";
		external.dial_in = DIAL_IN_POLICY;
		u = &external;
		STEP(x, POLICY_V_MATCH, "user", "'%s' authenticated by the external server "
		     "(local users not consulted)", external.name);
	} else {
		u = policy_find_user(p, req->user);
	}
	if (!u) {
		STEP(x, POLICY_V_NOMATCH, "user", "'%s' is not a local user",
		     req->user ? req->user : "(none)");
		return deny(dec, POLICY_DENY_UNKNOWN_USER, x);
	}
	if (!req->external_user)
		STEP(x, POLICY_V_MATCH, "user", "'%s' found (%s:%u)", u->name, u->file, u->line);
	if (u->disabled) {
		STEP(x, POLICY_V_NOMATCH, "account", "the account is disabled");
		return deny(dec, POLICY_DENY_ACCOUNT_DISABLED, x);
	}
	if (u->password_expires && req->now >= u->password_expires) {
		STEP(x, POLICY_V_NOMATCH, "password", "expired at %lld (now %lld)",
		     (long long)u->password_expires, (long long)req->now);
		return deny(dec, POLICY_DENY_PASSWORD_EXPIRED, x);
	}

	/* effective groups: the user's own plus those the request brings */
	if (words > sizeof(stack_bits) / sizeof(stack_bits[0])) {
		bits = malloc(words * sizeof(*bits));
		if (!bits)
			words = 0, bits = stack_bits;
	}
	if (words && u->groups)
		memcpy(bits, u->groups, words * sizeof(*bits));
	else if (words)
		memset(bits, 0, words * sizeof(*bits));
	for (size_t i = 0; i < req->n_groups; i++) {
		int g = group_by_name(p, req->groups[i]);
		if (g >= 0 && (size_t)g / 64 < words)
			bits[g / 64] |= 1ull << (g % 64);
		else
			STEP(x, POLICY_V_INFO, "group", "'%s' from the request is not a "
			     "defined group: ignored", req->groups[i]);
	}
	e.groups = words ? bits : NULL;

	/* the canonical name (ASCII lower case), as policy_find_user sees it */
	{
		size_t n = strlen(req->user);
		name = n < sizeof(name_buf) ? name_buf : malloc(n + 1);
		if (name) {
			for (size_t i = 0; i <= n; i++)
				name[i] = (char)tolower((unsigned char)req->user[i]);
		}
		e.user = name;
	}

	for (size_t i = 0; i < p->n_rules; i++) {
		const struct rule *ri = &p->rules[i];
		bool time_only = false;
		size_t slot = xreserve(x, (int)i, ri->name);
		enum policy_verdict v = eval_rule(&e, ri, (int)i, x, &time_only);
		if (v == POLICY_V_MATCH) {
			r = ri;
			dec->policy_index = (int)i;
			dec->policy_name = r->name;
			xset(x, slot, v, "matches: decides (permission %s)",
			     r->grant ? "grant" : "deny");
			break;
		}
		if (v == POLICY_V_ERROR) {
			/* fail closed: this policy might have matched (and
			 * denied); later policies must not decide instead */
			broken = ri;
			dec->policy_index = (int)i;
			dec->policy_name = ri->name;
			xset(x, slot, v, "cannot be evaluated: the login is refused");
			break;
		}
		/* outside-hours (E=646) only when the time window alone kept
		 * off a policy that would have admitted this user */
		if (time_only && (u->dial_in == DIAL_IN_ALLOW || ri->grant))
			time_only_seen = true;
		xset(x, slot, v, "%s", time_only ? "does not match: only the time window failed"
						 : "does not match");
	}
	if (bits != stack_bits)
		free(bits);
	if (name != name_buf)
		free(name);

	/* the user's dial-in setting wins over the policy's permission */
	dial_in = u->dial_in;
	if (dial_in == DIAL_IN_DENY) {
		STEP(x, POLICY_V_NOMATCH, "dial-in", "the user's dial_in is deny%s",
		     u->dial_in_explicit ? "" : " (not set: server.default_dial_in)");
		return deny(dec, POLICY_DENY_USER_DIAL_IN, x);
	}
	if (broken) {
		STEP(x, POLICY_V_ERROR, "policy", "policy '%s' (%s:%u) cannot be evaluated: "
		     "refuse rather than skip it", broken->name, broken->file, broken->line);
		return deny(dec, POLICY_DENY_CONDITION_ERROR, x);
	}
	if (!r) {
		STEP(x, POLICY_V_NOMATCH, "policy", "no policy matches: reject");
		return deny(dec, time_only_seen ? POLICY_DENY_OUTSIDE_HOURS
						: POLICY_DENY_NO_MATCHING_POLICY, x);
	}
	if (dial_in == DIAL_IN_ALLOW) {
		STEP(x, POLICY_V_MATCH, "dial-in", "the user's dial_in is allow: "
		     "overrides the policy's permission (%s)", r->grant ? "grant" : "deny");
	} else if (!r->grant) {
		STEP(x, POLICY_V_NOMATCH, "dial-in", "the user's dial_in is policy: "
		     "policy '%s' denies", r->name);
		return deny(dec, POLICY_DENY_POLICY, x);
	} else {
		STEP(x, POLICY_V_MATCH, "dial-in", "the user's dial_in is policy: "
		     "policy '%s' grants", r->name);
	}

	dec->profile = r->profile;
	if ((r->profile.auth & p->auth_enabled) == 0) {
		STEP(x, POLICY_V_NOMATCH, "profile", "allows %s, all disabled on the server (enabled: %s)",
		     policy_auth_format(r->profile.auth, a, sizeof(a)),
		     policy_auth_format(p->auth_enabled, b, sizeof(b)));
		return deny(dec, POLICY_DENY_AUTH_DISABLED, x);
	}
	dec->profile.auth = r->profile.auth & p->auth_enabled;
	if (req->auth_method && !(req->auth_method & dec->profile.auth)) {
		STEP(x, POLICY_V_NOMATCH, "profile", "authenticated with %s; the profile allows %s",
		     policy_auth_name(req->auth_method),
		     policy_auth_format(dec->profile.auth, a, sizeof(a)));
		return deny(dec, POLICY_DENY_AUTH_METHOD, x);
	}
	if (!policy_sessions_allowed(&dec->profile, req->sessions_in_use)) {
		STEP(x, POLICY_V_NOMATCH, "sessions", "%u in use, max_sessions %u",
		     req->sessions_in_use, dec->profile.max_sessions);
		return deny(dec, POLICY_DENY_TOO_MANY_SESSIONS, x);
	}
	dec->routes = u->routes;
	dec->n_routes = u->n_routes;
	reason = assign_addresses(p, u, req, flags, dec, x);
	if (reason != POLICY_GRANTED)
		return deny(dec, reason, x);
	dec->reason = POLICY_GRANTED;
	STEP(x, POLICY_V_MATCH, "decision", "grant by policy '%s'", r->name);
	return POLICY_GRANTED;
}

void policy_decision_release(policy_t *p, struct policy_decision *dec)
{
	if (dec->ipv4_leased) {
		policy_pool_release(p, &dec->ipv4);
		dec->ipv4_leased = false;
	}
	if (dec->ipv6_leased) {
		policy_pool_release(p, &dec->ipv6.ip);
		dec->ipv6_leased = false;
	}
	if (dec->delegated_leased) {
		policy_pool_release(p, &dec->delegated.ip);
		dec->delegated_leased = false;
	}
}

int policy_find_policy(const policy_t *p, const char *name, const struct policy_profile **prof)
{
	for (size_t i = 0; i < p->n_rules; i++)
		if (!strcmp(p->rules[i].name, name)) {
			if (prof)
				*prof = &p->rules[i].profile;
			return (int)i;
		}
	return -1;
}
