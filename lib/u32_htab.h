/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small intrusive hash table keyed by a 32-bit integer: the node lives in
 * the object (no allocation per insert), buckets double when the table is
 * fuller than one node per bucket, so a lookup is O(1) at any size.
 */
#ifndef L2TPD_LIB_U32_HTAB_H
#define L2TPD_LIB_U32_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct u32_hnode {
	struct u32_hnode *next;
	uint32_t key;
};

struct u32_htab {
	struct u32_hnode **buckets;
	unsigned bits;
	size_t count;
};

int u32_htab_init(struct u32_htab *h, unsigned bits);
void u32_htab_fini(struct u32_htab *h);
struct u32_hnode *u32_htab_find(const struct u32_htab *h, uint32_t key);
/* Insert n (its key set); -ENOMEM when growing failed (n is inserted anyway). */
int u32_htab_insert(struct u32_htab *h, struct u32_hnode *n);
void u32_htab_remove(struct u32_htab *h, struct u32_hnode *n);

#define u32_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#endif
