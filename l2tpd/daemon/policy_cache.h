/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the sessions of one policy share, made once per policy file
 * ("generation") and found by the policy's index: DHCPINFORM's answer
 * options (dhcp_inform.c), DHCPv6's pools and DNS (dhcp6_pd.c). The
 * entries are the caller's and counted by it; the cache holds one
 * reference to each, dropped when a reload starts a new generation
 * (sessions keep theirs until they end).
 */
#ifndef L2TPD_POLICY_CACHE_H
#define L2TPD_POLICY_CACHE_H

#include <stdbool.h>
#include <stddef.h>

struct policy_cache {
	void **slot;		/* by policy index; NULL: not made yet */
	size_t n;
};

/* The entry of policy_index, NULL when none was stored (or the index is
 * negative: a decision that no policy made, which nothing shares). */
void *policy_cache_find(const struct policy_cache *c, int policy_index);
/* Store entry for policy_index: true when the cache took it (the caller
 * counts the cache's reference then); false when the index is negative
 * or there is no memory, and the entry stays the caller's alone. */
bool policy_cache_store(struct policy_cache *c, int policy_index, void *entry);
/* A new generation: release(entry) for each entry stored, then empty. */
void policy_cache_clear(struct policy_cache *c, void (*release)(void *entry));

#endif
