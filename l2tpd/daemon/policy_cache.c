/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Per-policy shared entries of one generation (policy_cache.h). */
#include "policy_cache.h"

#include <stdlib.h>
#include <string.h>

void *policy_cache_find(const struct policy_cache *c, int policy_index)
{
	if (policy_index < 0 || (size_t)policy_index >= c->n)
		return NULL;
	return c->slot[policy_index];
}

bool policy_cache_store(struct policy_cache *c, int policy_index, void *entry)
{
	if (policy_index < 0)
		return false;
	if ((size_t)policy_index >= c->n) {
		size_t n = (size_t)policy_index + 1;
		void **s = realloc(c->slot, n * sizeof(*s));

		if (!s)
			return false;	/* not shared: still right */
		memset(s + c->n, 0, (n - c->n) * sizeof(*s));
		c->slot = s;
		c->n = n;
	}
	c->slot[policy_index] = entry;
	return true;
}

void policy_cache_clear(struct policy_cache *c, void (*release)(void *entry))
{
	for (size_t i = 0; i < c->n; i++)
		if (c->slot[i])
			release(c->slot[i]);
	free(c->slot);
	c->slot = NULL;
	c->n = 0;
}
