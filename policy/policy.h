/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy: the policy file (users, groups, address pools, ordered
 * remote-access policies) and its evaluation. See docs/policy.md.
 *
 * Life cycle, for the daemon:
 *   policy_t *next; struct policy_error err;
 *   if (policy_load(path, &next, &err) != 0) { log(err.msg); keep current; }
 *   else { policy_adopt_leases(next, current, on_orphan, ctx);
 *          policy_free(current); current = next; }
 *
 * A session, in two steps:
 *   offer = policy_pre_auth(p, &req, NULL);          // at L2TP session start
 *   ... authenticate with one of `offer` ...
 *   policy_post_auth(p, &req, POLICY_LEASE, &dec, NULL);
 *   ... on session end: policy_decision_release(p, &dec);
 *
 * Not thread-safe: one thread evaluates (the daemon's event loop). Time-zone
 * conversions briefly set the process's TZ variable.
 */
#ifndef POLICY_POLICY_H
#define POLICY_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "conf_error.h"
#include "ppp/secret.h"

typedef struct policy policy_t;

/* ---- errors ---------------------------------------------------------- */

/* enum policy_errcode and struct policy_error: lib/conf_error.h (the
 * swanctl-syntax parser in lib/ reports through them too). */

const char *policy_errcode_name(enum policy_errcode code);

/* ---- loading ----------------------------------------------------------- */

struct policy_load_opts {
	bool no_include;	/* `include` is an error (fuzzing, untrusted text) */
	unsigned max_include_depth;	/* 0: default 8 */
	size_t max_file_size;	/* 0: default 16 MiB */
	uint64_t max_pool_slots; /* per range/prefix; 0: default 2^24 */
};

/*
 * Parse and build a policy from a file into a fresh object. On error,
 * *out is untouched, err describes the first problem and -1 is returned.
 */
int policy_load(const char *path, policy_t **out, struct policy_error *err);
int policy_load_opts(const char *path, const struct policy_load_opts *opts,
		     policy_t **out, struct policy_error *err);
/* The same from memory; `name` stands for the file name in messages and
 * relative includes resolve against the current directory. */
int policy_load_buffer(const char *name, const void *buf, size_t len,
		       const struct policy_load_opts *opts, policy_t **out,
		       struct policy_error *err);
void policy_free(policy_t *p);

/*
 * Problems that do not stop a load but make a part of the file useless or
 * surprising (a profile allowing a method the server disables). Calls
 * warn(msg, ctx) per warning, msg "file:line: ..."; returns the count.
 */
size_t policy_warnings(const policy_t *p,
		       void (*warn)(const char *msg, void *ctx), void *ctx);

struct policy_counts {
	size_t users, groups, pools, policies;
};
void policy_get_counts(const policy_t *p, struct policy_counts *c);
/* The configured time zone, or NULL for the system's local time. */
const char *policy_timezone(const policy_t *p);

/* ---- addresses --------------------------------------------------------- */

struct policy_ip {
	uint8_t family;		/* 0 (unset), AF_INET or AF_INET6 */
	uint8_t bytes[16];	/* network order; IPv4 in bytes[0..3] */
};

struct policy_prefix {
	struct policy_ip ip;
	uint8_t len;		/* prefix length in bits */
};

/* Parse "192.0.2.1" / "2001:db8::1"; true on success. */
bool policy_ip_parse(const char *s, struct policy_ip *ip);
/* Parse "192.0.2.0/24", or an address alone (full length). */
bool policy_prefix_parse(const char *s, struct policy_prefix *pfx);
bool policy_prefix_contains(const struct policy_prefix *pfx,
			    const struct policy_ip *ip);
/* buf of at least 48 bytes; returns buf. */
char *policy_ip_format(const struct policy_ip *ip, char *buf, size_t len);
/* "2001:db8::/64"; buf of at least 52 bytes; returns buf. */
char *policy_prefix_format(const struct policy_prefix *p, char *buf, size_t len);

/* ---- authentication methods and tunnels --------------------------------- */

enum policy_auth {
	POLICY_AUTH_PAP = 1u << 0,
	POLICY_AUTH_CHAP = 1u << 1,	/* CHAP-MD5, RFC 1994 */
	POLICY_AUTH_MSCHAPV2 = 1u << 2,	/* RFC 2759 */
	POLICY_AUTH_EAP = 1u << 3,	/* RFC 3748 */
};
#define POLICY_AUTH_ALL 0xfu

const char *policy_auth_name(uint32_t one_method);
/* Parse a method name ("pap", "chap", "mschapv2", "eap"); 0 if unknown. */
uint32_t policy_auth_parse(const char *s);
/* "mschapv2, eap" into buf; returns buf. */
char *policy_auth_format(uint32_t mask, char *buf, size_t len);

enum policy_tunnel {
	POLICY_TUNNEL_UNKNOWN = 0,
	POLICY_TUNNEL_L2TP = 1,	/* L2TP over IPsec: what l2tpd serves */
	POLICY_TUNNEL_PPTP,
	POLICY_TUNNEL_PPPOE,
	POLICY_TUNNEL_SSTP,
	POLICY_TUNNEL_IKEV2,
};
const char *policy_tunnel_name(enum policy_tunnel t);
enum policy_tunnel policy_tunnel_parse(const char *s);

/* ---- users ------------------------------------------------------------- */

struct policy_user;

/* Case-insensitive (ASCII) lookup, O(1). NULL if unknown. The canonical
 * form of a name is its ASCII lower case: `user` conditions (exact and
 * `~` patterns) compare against it, so a pattern sees what the lookup
 * sees (docs/policy.md, "Conditions"). */
const struct policy_user *policy_find_user(const policy_t *p, const char *name);
const char *policy_user_name(const struct policy_user *u);
/* What a user stores (nt_hash, password_hash, the opt-in cleartext
 * password), handed out as it is, in the form the verifier takes: policy
 * does no crypto. ppp-core verifies (ppp_auth_verify, through the daemon's
 * local authentication provider, docs/auth.md) and hashes a cleartext
 * password itself where a method needs the NT hash. Absent forms are NULL.
 * The pointers live as long as the loaded policy (a reload frees them):
 * use them at once. */
void policy_user_secret(const struct policy_user *u, struct ppp_secret *out);

/* The iterations `l2tpctl policy hash` writes into a password_hash. */
#define POLICY_PBKDF2_DEFAULT_ITER 20000

/* ---- profile ----------------------------------------------------------- */

struct policy_port_range {
	uint16_t lo, hi;
};

/* A packet filter rule: parsed and exposed; the daemon enforces it. */
struct policy_filter_rule {
	const char *name;
	bool permit;
	bool has_src, has_dst;
	struct policy_prefix src, dst;
	int proto;			/* IP protocol number, -1 = any */
	const struct policy_port_range *ports;	/* destination ports */
	size_t n_ports;			/* 0 = any */
};

struct policy_filter {
	bool default_permit;		/* action when no rule matches */
	const struct policy_filter_rule *rules;
	size_t n_rules;
};

struct policy_profile {
	uint32_t auth;			/* POLICY_AUTH_* allowed */
	uint32_t idle_timeout;		/* seconds; 0 = none */
	uint32_t session_timeout;	/* seconds; 0 = none */
	uint32_t max_sessions;		/* per user; 0 = unlimited */
	const uint16_t *pools;		/* pool indexes, tried in order */
	size_t n_pools;
	bool has_static_ipv4;
	struct policy_ip static_ipv4;
	struct policy_ip dns[2];	/* IPCP, RFC 1877 */
	size_t n_dns;
	struct policy_ip wins[2];	/* IPCP, RFC 1877 */
	size_t n_wins;
	uint16_t mtu, mru;
	bool ipv6;
	/* The Router Advertisement on the client's link (docs/addresses.md
	 * "IPv6"): DNS servers in its RDNSS option (RFC 8106), the M and O
	 * flags (RFC 4861 section 4.2), the router and prefix lifetimes. */
	struct policy_ip ipv6_dns[3];
	size_t n_ipv6_dns;
	bool ipv6_managed_config, ipv6_other_config;
	uint32_t ipv6_router_lifetime;	/* seconds, 0-9000; 0: not a default router */
	uint32_t ipv6_prefix_lifetime;	/* seconds: the prefix's valid and preferred lifetime */
	/* DHCPv6 Prefix Delegation (docs/addresses.md): pools of prefixes
	 * delegated to a client that asks (a pool's `ipv6` cut into
	 * `ipv6_prefix_length` pieces), tried in order; leased when the
	 * client asks, not at the grant (policy_pool_lease_prefix). */
	const uint16_t *ipv6_pd_pools;
	size_t n_ipv6_pd_pools;
	struct policy_filter filter_in, filter_out;
	/* Answered to a client's DHCPINFORM on its link (docs/addresses.md):
	 * option 15, and the IPv4 prefixes routed through the tunnel
	 * (split tunnelling: options 121 and 249). */
	const char *dns_domain;		/* NULL: none */
	const struct policy_prefix *split_routes;
	size_t n_split_routes;		/* as many as one DHCP option holds */
};

const char *policy_pool_name(const policy_t *p, unsigned pool_index);
/* The index of the pool of that name, or -1. */
int policy_pool_find(const policy_t *p, const char *name);
/* server.pool: the server-wide address source, pool indexes in the order
 * they are tried when the deciding profile names no pool of a family
 * (docs/addresses.md, "Server-wide address assignment"). Returns the count. */
size_t policy_server_pools(const policy_t *p, const uint16_t **pools);

/* A DHCP pool (docs/addresses.md): its IPv4 addresses come from the DHCP
 * server on a LAN interface, leased by the daemon (l2tpd/daemon/dhcppool.c). */
struct policy_dhcp_pool {
	const char *interface;		/* dhcp_interface */
	uint32_t block;			/* dhcp_block: leases taken at once */
	uint32_t server;		/* dhcp_server, network order; 0: broadcast */
};
/* true and *out filled when pool_index is a DHCP pool. */
bool policy_pool_dhcp(const policy_t *p, unsigned pool_index, struct policy_dhcp_pool *out);

/* Proxy ARP for a pool's clients (docs/addresses.md "Clients on the LAN
 * subnet"): `proxy_arp = yes|no|auto`. The daemon decides `auto` once per
 * pool at load and reload (on for a DHCP pool, and for a static pool whose
 * IPv4 addresses lie inside a directly connected subnet, as RRAS does). */
enum policy_proxy_arp {
	POLICY_PROXY_ARP_AUTO = 0,
	POLICY_PROXY_ARP_YES,
	POLICY_PROXY_ARP_NO,
};
enum policy_proxy_arp policy_pool_proxy_arp(const policy_t *p, unsigned pool_index);
/* The i-th IPv4 range of a static pool as its first and last address (host
 * order); false past the last range, for a DHCP pool or an IPv6-only one. */
bool policy_pool_ipv4_range(const policy_t *p, unsigned pool_index, size_t i,
			    uint32_t *first, uint32_t *last);

/* Where a DHCP pool's addresses come from while the policy is in use: the
 * daemon's leases. lease() gives an address of the pool or -1 (none ready);
 * release() takes back an address it gave and says so. Without a source
 * (l2tpctl policy test), a DHCP pool grants without an address: the
 * server gives one when the session starts. */
struct policy_lease_source {
	int (*lease)(void *ctx, unsigned pool_index, const char *pool_name,
		     struct policy_ip *out);
	bool (*release)(void *ctx, const struct policy_ip *ip);
	void *ctx;
};
void policy_set_lease_source(policy_t *p, const struct policy_lease_source *src);

/* ---- evaluation ---------------------------------------------------------- */

/* What the daemon knows. Unknown fields: family 0, NULL, 0. */
struct policy_request {
	struct policy_ip peer;		/* calling station: client address */
	struct policy_ip server;	/* called station: our address */
	const char *ike_identity;	/* peer IKE identity of the SA */
	const char *cert_subject;	/* peer certificate subject DN */
	const char *cert_issuer;	/* peer certificate issuer DN */
	enum policy_tunnel tunnel;
	time_t now;
	/* known after authentication */
	const char *user;
	const char *const *groups;	/* extra groups (e.g. from RADIUS) */
	size_t n_groups;
	uint32_t auth_method;		/* the one POLICY_AUTH_* bit used */
	uint32_t sessions_in_use;	/* this user's sessions already up */
	/* An external authenticator (RADIUS) checked the credentials and
	 * answered (docs/radius.md "Local policy and the RADIUS answer"):
	 * the user need not be a local one (local users are not looked at:
	 * no account checks, no dial_in, no local groups, static addresses
	 * or routes); the policies decide as for a user with dial_in =
	 * policy. Its address, when it chose one, replaces the profile's and
	 * the user's: framed_ipv4 (Framed-IP-Address; taken out of the pool
	 * that holds it, refused when another session has it), or a pool
	 * of ours (Framed-Pool). */
	bool external_user;
	bool has_framed_ipv4, has_framed_pool;
	struct policy_ip framed_ipv4;
	uint16_t framed_pool;		/* pool index */
	/* Its IPv6, used only when the profile has ipv6 = yes (the server
	 * enables nothing the local policy forbids): the link's /64
	 * (Framed-IPv6-Prefix) or a pool of ours for it (Framed-IPv6-Pool),
	 * and the prefix DHCPv6-PD delegates (Delegated-IPv6-Prefix); a
	 * prefix inside a pool is taken out of it as framed_ipv4 is. */
	bool has_framed_ipv6_prefix, has_framed_ipv6_pool, has_delegated_prefix;
	struct policy_prefix framed_ipv6_prefix, delegated_prefix;
	uint16_t framed_ipv6_pool;	/* pool index */
};

enum policy_reason {
	POLICY_GRANTED = 0,
	POLICY_DENY_UNKNOWN_USER,	/* no such local user */
	POLICY_DENY_ACCOUNT_DISABLED,
	POLICY_DENY_PASSWORD_EXPIRED,
	POLICY_DENY_USER_DIAL_IN,	/* user's dial_in = deny */
	POLICY_DENY_NO_MATCHING_POLICY,
	POLICY_DENY_OUTSIDE_HOURS,	/* only the time window kept a policy off */
	POLICY_DENY_POLICY,		/* matching policy says deny */
	POLICY_DENY_AUTH_METHOD,	/* method used not allowed by profile */
	POLICY_DENY_AUTH_DISABLED,	/* profile allows only server-disabled methods */
	POLICY_DENY_NO_COMMON_AUTH,	/* pre-auth: nothing to offer */
	POLICY_DENY_TOO_MANY_SESSIONS,
	POLICY_DENY_POOL_EXHAUSTED,
	POLICY_DENY_NO_ADDRESS,		/* no pool and no static address */
	POLICY_DENY_CONDITION_ERROR,	/* a condition could not be evaluated
					 * (pattern match limit): fail closed */
	POLICY_REASON__COUNT
};

const char *policy_reason_name(enum policy_reason r);	/* "outside-hours" */
const char *policy_reason_text(enum policy_reason r);	/* a sentence */
/* MS-CHAPv2 failure code for "E=" (RFC 2759 section 6): 691, 649, 646, 647,
 * 648; 0 for POLICY_GRANTED. */
int policy_reason_mschap_error(enum policy_reason r);
/* L2TP CDN Result Code (RFC 2661 section 4.4.2); 0 for POLICY_GRANTED. */
int policy_reason_l2tp_result(enum policy_reason r);

/* Where a decision's address came from (l2tpctl policy test, logs). The
 * first that has one wins: the user's static address, the profile's, the
 * profile's pools, the server's pools (server.pool). A DHCP pool is a pool
 * of either list (ipv4_dhcp says which kind). */
enum policy_addr_source {
	POLICY_SRC_NONE = 0,
	POLICY_SRC_USER_STATIC,
	POLICY_SRC_PROFILE_STATIC,
	POLICY_SRC_PROFILE_POOL,
	POLICY_SRC_SERVER_POOL,
	POLICY_SRC_EXTERNAL,		/* the external authenticator's (RADIUS) */
};
/* "user static", "profile static", "profile pool", "server pool",
 * "external", "none" */
const char *policy_addr_source_name(enum policy_addr_source s);

struct policy_decision {
	enum policy_reason reason;
	int policy_index;		/* the deciding policy, -1 if none */
	const char *policy_name;	/* NULL if none */
	struct policy_profile profile;	/* resolved for this session */
	bool has_ipv4, ipv4_leased;	/* leased: return it on release */
	struct policy_ip ipv4;
	int ipv4_pool;			/* pool index or -1 */
	bool ipv4_dhcp;			/* from a DHCP pool (dry run: no address yet) */
	uint8_t ipv4_source;		/* enum policy_addr_source */
	uint8_t ipv6_source;
	bool has_ipv6, ipv6_leased;
	struct policy_prefix ipv6;	/* a delegated prefix (see docs) */
	int ipv6_pool;
	/* the external server's Delegated-IPv6-Prefix, held for DHCPv6-PD
	 * (leased: taken out of a pool, returned on release) */
	bool has_delegated, delegated_leased;
	struct policy_prefix delegated;
	const struct policy_prefix *routes;	/* user's framed routes */
	size_t n_routes;
};

/* Explanation of a decision: each step, each policy, each condition. */
enum policy_verdict {
	POLICY_V_INFO = 0,
	POLICY_V_MATCH,
	POLICY_V_NOMATCH,
	POLICY_V_UNKNOWN,	/* pre-auth: not known yet, could match */
	POLICY_V_SKIPPED,	/* not evaluated (an earlier one failed) */
	POLICY_V_ERROR,		/* could not be evaluated (pattern match
				 * limit): neither match nor no match */
};

enum policy_explain_kind {
	POLICY_X_STEP,		/* user lookup, account checks, permission... */
	POLICY_X_POLICY,	/* one policy's overall outcome */
	POLICY_X_CONDITION,	/* one condition of that policy */
};

struct policy_explain_line {
	enum policy_explain_kind kind;
	enum policy_verdict verdict;
	int policy_index;	/* -1 for steps */
	const char *policy;	/* policy name, or NULL */
	char key[32];		/* condition key or step name */
	char text[224];		/* why */
};

struct policy_explain {
	struct policy_explain_line *lines;
	size_t n, cap;
	bool truncated;		/* out of memory: lines missing */
};

void policy_explain_init(struct policy_explain *x);
void policy_explain_free(struct policy_explain *x);

/* Flags of policy_post_auth(). */
#define POLICY_LEASE 1u	/* take addresses from pools (else: dry run) */

/*
 * Before authentication: the auth methods to offer. The union, over policies
 * in order that could still match (conditions on user, group and auth method
 * are unknown yet), of profile methods enabled on the server; the walk stops
 * at the first policy that matches for certain. 0 = nothing to offer
 * (POLICY_DENY_NO_COMMON_AUTH).
 */
uint32_t policy_pre_auth(policy_t *p, const struct policy_request *req,
			 struct policy_explain *x);

/*
 * After authentication: the decision. With POLICY_LEASE, a granted decision
 * holds leased addresses that policy_decision_release() returns. Returns
 * dec->reason.
 */
enum policy_reason policy_post_auth(policy_t *p,
				    const struct policy_request *req,
				    unsigned flags,
				    struct policy_decision *dec,
				    struct policy_explain *x);

/* Counters of a loaded policy object (reset by a reload: the daemon adds
 * them up across reloads if it wants totals). */
struct policy_stats {
	uint64_t decisions[POLICY_REASON__COUNT];	/* post-auth, by reason */
	uint64_t pre_auth_nothing_offered;
	uint64_t pattern_limit_hits;	/* matches given up at the match limit */
};
void policy_get_stats(const policy_t *p, struct policy_stats *st);

/* The policy of that name and its profile (an external server's Filter-Id
 * names the policy whose packet filters a session gets: docs/radius.md).
 * Its index, or -1. Linear: policies are few, and this runs once per
 * login that carries a Filter-Id. */
int policy_find_policy(const policy_t *p, const char *name, const struct policy_profile **prof);

/* Take an address a client chose (IPCP, when an external server let it):
 * 0 taken out of the static pool that holds it (release it with
 * policy_pool_release), 1 in none of the pools (nothing to take), -1 in
 * a pool and in use, or reserved for a user. */
int policy_pool_claim(policy_t *p, const struct policy_ip *ip);

/* Where an IPv6 prefix an external server named (Framed-IPv6-Prefix,
 * Delegated-IPv6-Prefix) lies among our pools: in none (the server's to
 * keep unique), a free slot of one (*pool_index), a slot another session
 * holds (or reserved for a user), or inside a pool whose slots have another
 * length (it would overlap prefixes the pool hands out). */
enum policy_prefix_state {
	POLICY_PREFIX_OUTSIDE = 0,
	POLICY_PREFIX_FREE,
	POLICY_PREFIX_IN_USE,
	POLICY_PREFIX_MISFIT,
};
enum policy_prefix_state policy_prefix_lookup(const policy_t *p, const struct policy_prefix *pfx,
					      int *pool_index);

/* Return a decision's leases (idempotent for that decision). */
void policy_decision_release(policy_t *p, struct policy_decision *dec);

/* The max_sessions check alone, for the daemon's session counter: true if
 * one more session is allowed when `in_use` are up already. */
bool policy_sessions_allowed(const struct policy_profile *prof,
			     uint32_t in_use);

/* ---- pools --------------------------------------------------------------- */

enum policy_release_result {
	POLICY_RELEASED = 0,
	POLICY_RELEASE_DOUBLE,		/* was free: counted */
	POLICY_RELEASE_UNKNOWN,		/* in no pool (pool changed on reload) */
	POLICY_RELEASE_RESERVED,	/* a static address: never leased */
};

/* Lease from one pool. 0, or -1 when exhausted (or no such family). */
int policy_pool_lease(policy_t *p, unsigned pool_index, int family,
		      struct policy_ip *out);
enum policy_release_result policy_pool_release(policy_t *p,
					       const struct policy_ip *ip);
/* A delegated prefix (DHCPv6 Prefix Delegation) from one pool's `ipv6`:
 * 0 and *out (its length the pool's ipv6_prefix_length), or -1 when the
 * pool has none free (or no `ipv6`). Returned with policy_pool_release. */
int policy_pool_lease_prefix(policy_t *p, unsigned pool_index, struct policy_prefix *out);

struct policy_pool_stats {
	uint64_t size4, in_use4, reserved4;
	uint64_t size6, in_use6, reserved6;
	uint64_t double_releases, unknown_releases, exhausted;
};
bool policy_pool_stats(const policy_t *p, unsigned pool_index,
		       struct policy_pool_stats *st);
/* Double/unknown releases of addresses in no pool are counted here. */
uint64_t policy_unknown_releases(const policy_t *p);

/*
 * After a reload: carry the leases of `old` into `next`. A leased address
 * that lies in a pool of `next` (whatever its name) stays leased there; one
 * that lies in no pool, or on an address now reserved for a static user, is
 * reported to on_orphan (may be NULL) and not carried. Returns the number of
 * orphans.
 */
size_t policy_adopt_leases(policy_t *next, const policy_t *old,
			   void (*on_orphan)(const struct policy_ip *ip,
					     void *ctx),
			   void *ctx);

/* ---- formatting (l2tpctl, logs) -------------------------------------------- */

/* Human-readable and JSON renderings; malloc'd strings, NULL on ENOMEM. */
char *policy_format_text(const policy_t *p, uint32_t offered,
			 const struct policy_decision *dec,
			 const struct policy_explain *x);
char *policy_format_json(const policy_t *p, uint32_t offered,
			 const struct policy_decision *dec,
			 const struct policy_explain *x);
/* One log line: "policy: user alice denied by '2-night': outside-hours (E=646)" */
char *policy_format_log(const struct policy_request *req,
			const struct policy_decision *dec);

/* ---- time ---------------------------------------------------------------- */

/* Local time "YYYY-MM-DDTHH:MM[:SS]" in the policy's time zone (or "...Z"
 * for UTC) to time_t; false if malformed. */
bool policy_parse_time(const policy_t *p, const char *s, time_t *out);

#endif
