/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bump allocator: a loaded policy owns one arena holding its parse tree and
 * its strings, freed in one call. Loading 10,000 users makes ~100,000 small
 * allocations; one arena makes that cheap and leak-proof.
 */
#ifndef COMMON_ARENA_H
#define COMMON_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;	/* bytes used in head */
	size_t size;	/* capacity of head */
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);
/* Zeroed memory, aligned for any type; NULL only when out of memory. */
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);

#endif
