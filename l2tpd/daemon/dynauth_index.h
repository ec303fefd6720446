/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sessions a RADIUS Disconnect- or CoA-Request can name (RFC 5176
 * section 3), indexed by each key a request may carry, so that finding
 * them costs one hash chain whatever the number of sessions (dynauth.h).
 * Pure: entries carry a copy of their keys and the owner's pointer; the
 * daemon adds a session when it is up and removes it at its end.
 *
 * Five chained hash tables share one entry per session (a `next` per
 * table) and one bucket count, doubled when the entries outnumber the
 * buckets. The keys come from clients (user names, addresses), so the
 * hash starts from a random seed (lib/fnv.h).
 */
#ifndef L2TPD_DYNAUTH_INDEX_H
#define L2TPD_DYNAUTH_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called-Station-Id has no table: our own address, the same for most
 * sessions, is not worth a chain (das_index_walk instead). */
enum das_index_key {
	DAS_IX_SERIAL,		/* Acct-Session-Id's serial (session_acct_session_id) */
	DAS_IX_NAS_PORT,
	DAS_IX_FRAMED_IP,	/* network order */
	DAS_IX_USER,		/* exact, as radius/das.c compares */
	DAS_IX_CALLING,		/* Calling-Station-Id as the Access-Request said it */
	DAS_IX_N
};

struct das_index_entry {
	void *owner;				/* the daemon's session */
	struct das_index_entry *next[DAS_IX_N];
	uint32_t hash[DAS_IX_N];
	uint32_t serial, nas_port, framed_ip;
	const char *user;			/* the owner's: alive until removed */
	char calling[64];
};

struct das_index {
	struct das_index_entry **bucket[DAS_IX_N];
	uint32_t n_buckets;			/* a power of two, 0 before the first entry */
	uint32_t n;
	uint32_t seed;
};

/* Returns false to stop the lookup. */
typedef bool (*das_index_visit_fn)(void *ctx, struct das_index_entry *e);

void das_index_init(struct das_index *ix, uint32_t seed);
void das_index_free(struct das_index *ix);
/* NULL without memory (the session is then not found). */
struct das_index_entry *das_index_add(struct das_index *ix, void *owner, uint32_t serial,
				      uint32_t nas_port, uint32_t framed_ip, const char *user,
				      const char *calling);
void das_index_remove(struct das_index *ix, struct das_index_entry *e);
/* The owner's Framed-IP-Address changed (IPCP renegotiated, or went down:
 * 0): the entry moves to the new key's chain, so a request naming the old
 * address no longer finds it and one naming the new address does. */
void das_index_set_framed_ip(struct das_index *ix, struct das_index_entry *e,
			     uint32_t framed_ip);
/* The entry of owner, added with this serial; NULL: none. */
struct das_index_entry *das_index_owner(const struct das_index *ix, const void *owner,
					uint32_t serial);
/* Every entry whose key k is v (the numeric keys) or s (user, calling),
 * until visit returns false. */
void das_index_lookup_u32(const struct das_index *ix, enum das_index_key k, uint32_t v,
			  das_index_visit_fn visit, void *ctx);
void das_index_lookup_str(const struct das_index *ix, enum das_index_key k, const char *s,
			  das_index_visit_fn visit, void *ctx);
/* Every entry, until visit returns false. */
void das_index_walk(const struct das_index *ix, das_index_visit_fn visit, void *ctx);

#endif
