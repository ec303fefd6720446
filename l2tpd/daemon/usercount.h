/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sessions up per user name (for a profile's max_sessions): an open
 * addressing hash table, O(1) per login and logout whatever the number of
 * users. Names compare case-insensitively, as user lookup does.
 */
#ifndef L2TPD_USERCOUNT_H
#define L2TPD_USERCOUNT_H

#include <stdint.h>

struct usercount_slot;

struct usercount {
	struct usercount_slot *slots;
	uint32_t cap, used;	/* used counts live entries and tombstones */
	uint32_t seed;		/* hash start: client-chosen names (lib/fnv.h) */
};

void usercount_init(struct usercount *u);
void usercount_free(struct usercount *u);
uint32_t usercount_get(const struct usercount *u, const char *name);
/* Returns the new count, or -1 on allocation failure. */
int usercount_inc(struct usercount *u, const char *name);
void usercount_dec(struct usercount *u, const char *name);

#endif
