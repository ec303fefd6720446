/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "usercount.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnv.h"

#define TOMBSTONE ((char *)1)

struct usercount_slot {
	char *name;		/* NULL: empty, TOMBSTONE: deleted */
	uint32_t count;
};

void usercount_init(struct usercount *u)
{
	u->slots = NULL;
	u->cap = u->used = 0;
	u->seed = fnv1a32_seeded(hash_random_seed());
}

void usercount_free(struct usercount *u)
{
	for (uint32_t i = 0; i < u->cap; i++)
		if (u->slots[i].name && u->slots[i].name != TOMBSTONE)
			free(u->slots[i].name);
	free(u->slots);
	usercount_init(u);
}

static uint32_t hash_name(const struct usercount *u, const char *s)
{
	return fnv1a32_lower(u->seed, s);
}

static struct usercount_slot *find(const struct usercount *u, const char *name)
{
	if (!u->cap)
		return NULL;
	for (uint32_t i = hash_name(u, name) & (u->cap - 1), n = 0; n < u->cap;
	     i = (i + 1) & (u->cap - 1), n++) {
		struct usercount_slot *s = &u->slots[i];
		if (!s->name)
			return NULL;
		if (s->name != TOMBSTONE && strcasecmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Rehash without tombstones; double only when live entries need it, so
 * logins and logouts of ever new names do not grow the table forever. */
static int grow(struct usercount *u)
{
	struct usercount_slot *old = u->slots;
	uint32_t old_cap = u->cap, live = 0, cap;

	for (uint32_t i = 0; i < old_cap; i++)
		if (old[i].name && old[i].name != TOMBSTONE)
			live++;
	cap = old_cap ? old_cap : 64;
	if ((live + 1) * 2 >= cap)
		cap *= 2;

	u->slots = calloc(cap, sizeof(*u->slots));
	if (!u->slots) {
		u->slots = old;
		return -1;
	}
	u->cap = cap;
	u->used = 0;
	for (uint32_t i = 0; i < old_cap; i++) {
		char *name = old[i].name;
		if (!name || name == TOMBSTONE)
			continue;
		uint32_t j = hash_name(u, name) & (cap - 1);
		while (u->slots[j].name)
			j = (j + 1) & (cap - 1);
		u->slots[j] = old[i];
		u->used++;
	}
	free(old);
	return 0;
}

uint32_t usercount_get(const struct usercount *u, const char *name)
{
	const struct usercount_slot *s = find(u, name);
	return s ? s->count : 0;
}

int usercount_inc(struct usercount *u, const char *name)
{
	struct usercount_slot *s = find(u, name);
	uint32_t i;

	if (s)
		return (int)++s->count;
	if ((u->used + 1) * 4 >= u->cap * 3 && grow(u))
		return -1;
	i = hash_name(u, name) & (u->cap - 1);
	while (u->slots[i].name && u->slots[i].name != TOMBSTONE)
		i = (i + 1) & (u->cap - 1);
	if (!u->slots[i].name)
		u->used++;
	u->slots[i].name = strdup(name);
	if (!u->slots[i].name)
		return -1;
	u->slots[i].count = 1;
	return 1;
}

void usercount_dec(struct usercount *u, const char *name)
{
	struct usercount_slot *s = find(u, name);

	if (!s)
		return;
	if (--s->count == 0) {
		free(s->name);
		s->name = TOMBSTONE;
	}
}
