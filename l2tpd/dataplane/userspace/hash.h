/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small intrusive hash table keyed by a 32-bit integer: the node lives in
 * the object (no allocation per insert), buckets double when the table is
 * fuller than one node per bucket, so a lookup is O(1) at any size.
 */
#ifndef L2TPD_DP_USER_HASH_H
#define L2TPD_DP_USER_HASH_H

#include <stddef.h>
#include <stdint.h>

struct dp_hnode {
	struct dp_hnode *next;
	uint32_t key;
};

struct dp_htab {
	struct dp_hnode **buckets;
	unsigned bits;
	size_t count;
};

int dp_htab_init(struct dp_htab *h, unsigned bits);
void dp_htab_fini(struct dp_htab *h);
struct dp_hnode *dp_htab_find(const struct dp_htab *h, uint32_t key);
/* Insert n (its key set); -ENOMEM when growing failed (n is inserted anyway). */
int dp_htab_insert(struct dp_htab *h, struct dp_hnode *n);
void dp_htab_remove(struct dp_htab *h, struct dp_hnode *n);

#define dp_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
