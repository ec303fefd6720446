/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal model of a loaded policy: shared by the files of policy/ only. */
#ifndef POLICY_INT_H
#define POLICY_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "arena.h"
#include "policy.h"

struct conf_node;

enum dial_in { DIAL_IN_DENY = 0, DIAL_IN_ALLOW, DIAL_IN_POLICY };

struct policy_user {
	const char *name;
	uint32_t hash;			/* of the lower-cased name */
	enum dial_in dial_in;
	bool dial_in_explicit;		/* set in the user's section */
	bool disabled;
	bool has_nt_hash;
	uint8_t nt_hash[16];
	/* password_hash: PBKDF2-HMAC-SHA256 */
	bool has_pbkdf2;
	uint32_t pbkdf2_iter;
	uint8_t pbkdf2_salt[32];
	size_t pbkdf2_salt_len;
	uint8_t pbkdf2_dk[32];
	struct ppp_pbkdf2 kdf;		/* the above, as ppp-core verifies it */
	const char *password;		/* cleartext, opt-in only */
	size_t password_len;
	time_t password_expires;	/* 0: never */
	bool has_static_ipv4, has_static_ipv6;
	struct policy_ip static_ipv4;
	struct policy_prefix static_ipv6;
	struct policy_prefix *routes;
	size_t n_routes;
	uint64_t *groups;		/* bitset, p->group_words words */
	const char *file;
	unsigned line;
};

struct policy_group {
	const char *name;
};

/* A string condition alternative: exact text or a compiled pattern. */
struct matcher {
	const char *text;
	size_t len;
	pcre2_code *re;			/* NULL: exact match */
};

enum cond_kind {
	COND_USER,
	COND_GROUP,
	COND_TIME,
	COND_CALLING_STATION,
	COND_CALLED_STATION,
	COND_IKE_IDENTITY,
	COND_CERT_SUBJECT,
	COND_CERT_ISSUER,
	COND_TUNNEL_TYPE,
	COND_AUTH_METHOD,
	COND__COUNT
};

/* Day-and-time window: days bit 0 = Sunday (tm_wday); minutes of the day.
 * start >= end means the window crosses midnight into the next day. */
struct timewin {
	uint8_t days;
	uint16_t start, end;
};

struct condition {
	enum cond_kind kind;
	const char *key;
	size_t n;			/* alternatives (any of them matches) */
	union {
		struct matcher *str;	/* user, ike_identity, cert_* */
		uint32_t *group_ids;
		struct timewin *win;
		struct policy_prefix *net;	/* calling/called station */
		uint32_t mask;		/* tunnel types (1 << t), auth methods */
	} u;
};

struct rule {
	const char *name;
	const char *file;
	unsigned line;
	bool grant;
	struct condition *conds;
	size_t n_conds;
	struct policy_profile profile;
	const char *auth_file;		/* where profile.auth is set, or NULL */
	unsigned auth_line;
	const struct conf_node *link_size;	/* profile mtu or mru, if written: not applied */
};

/* One address family of a pool: a list of slots, a two-level bitmap. */
struct pool_range {
	struct policy_ip start;		/* first address / first prefix */
	uint64_t count;
	uint64_t base;			/* slot index of the first entry */
	uint8_t prefix_len;		/* IPv6: the configured prefix length */
};

struct addr_pool {
	int family;			/* 0 = none configured */
	uint8_t deleg_len;		/* IPv6: length of each leased prefix */
	struct pool_range *ranges;	/* sorted, disjoint */
	size_t n_ranges;
	uint64_t total;			/* slots */
	uint64_t *used;			/* bit per slot (leased or reserved) */
	uint64_t *full;			/* bit per `used` word that is full */
	uint64_t *reserved;		/* bit per slot reserved for statics */
	size_t n_words, n_full_words;
	size_t hint;			/* `full` word to search first */
	uint64_t in_use, n_reserved;
	uint64_t double_releases, exhausted;
};

struct pool {
	const char *name;
	const char *file;
	unsigned line;
	struct addr_pool v4, v6;
	const char *dhcp_interface;	/* a DHCP pool: its IPv4 from this LAN's server */
	uint32_t dhcp_block;
	uint32_t dhcp_server;		/* network order, 0: broadcast */
	uint8_t proxy_arp;		/* enum policy_proxy_arp */
};

struct policy {
	struct arena arena;
	/* server */
	const char *timezone;		/* NULL: system local time */
	uint32_t auth_enabled;
	bool cleartext_passwords;
	uint64_t max_pool_slots;	/* load option */
	enum dial_in default_dial_in;
	/* server.pool: the server-wide address source (RRAS "IP Address
	 * Assignment"), pool indexes tried in order when the deciding
	 * profile names no pool of the family */
	const uint16_t *server_pools;
	size_t n_server_pools;
	/* users: open addressing on lower-cased name hash */
	struct policy_user *users;
	size_t n_users;
	uint32_t *user_index;		/* user position + 1 */
	size_t user_index_cap;
	struct policy_group *groups;
	size_t n_groups, group_words;
	struct pool *pools;
	size_t n_pools;
	struct rule *rules;
	size_t n_rules;
	/* PCRE2, shared by all patterns: evaluation is single-threaded */
	pcre2_match_context *mctx;
	pcre2_match_data *mdata;
	uint64_t pattern_limit_hits;
	uint64_t reason_counts[POLICY_REASON__COUNT];
	uint64_t nothing_offered;
	uint64_t unknown_releases;
	struct policy_lease_source lease_src;	/* DHCP pools' addresses (daemon) */
	/* UTC offset transitions of the zone, built on first use */
	bool tz_built;
	time_t *tz_at;			/* offset tz_off[i] from tz_at[i] on */
	long *tz_off;
	size_t tz_n;
};

/* builder */
struct conf_node;
int policy_build(struct policy *p, const struct conf_node *root,
		 struct policy_error *err);

/* user table */
uint32_t policy_name_hash(const char *s);

/* time */
bool policy_tz_valid(const char *tz);
/* Local broken-down time in tz (NULL = system local). */
bool policy_localtime(const char *tz, time_t t, struct tm *out);
bool policy_mktime(const char *tz, struct tm *tm, time_t *out);
/* weekday (0 = Sunday) and minute of day of t in the policy's zone */
void policy_local_wmin(struct policy *p, time_t t, int *wday, int *minute);
bool timewin_match(const struct timewin *w, int wday, int minute);
char *timewin_format(const struct timewin *w, char *buf, size_t len);

/* pools */
int addr_pool_init(struct arena *a, struct addr_pool *ap);
int addr_pool_lease(struct addr_pool *ap, struct policy_ip *out);
int addr_pool_slot(const struct addr_pool *ap, const struct policy_ip *ip,
		   uint64_t *slot);
void addr_pool_addr(const struct addr_pool *ap, uint64_t slot,
		    struct policy_ip *out);
bool addr_pool_test(const struct addr_pool *ap, uint64_t slot);
void addr_pool_mark(struct addr_pool *ap, uint64_t slot);
int addr_pool_reserve(struct addr_pool *ap, const struct policy_ip *ip);
enum policy_release_result addr_pool_release(struct addr_pool *ap,
					     const struct policy_ip *ip);
int addr_pool_peek(const struct addr_pool *ap, struct policy_ip *out);
bool addr_pool_overlaps(const struct addr_pool *a, const struct addr_pool *b);

/* ip helpers */
int policy_ip_cmp(const struct policy_ip *a, const struct policy_ip *b);

#endif
