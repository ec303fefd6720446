/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * FNV-1a, the one non-cryptographic hash of the hash tables (32 and 64
 * bits). Fast and good enough for names and addresses; NOT collision
 * resistant: a client that knows the function can pick keys that all land
 * in one bucket and turn O(1) lookups into O(n). A table whose keys come
 * from the network (peer addresses and ports, tunnel ids, user names a
 * client sends) therefore starts from fnv1a32_seeded(seed) with a random
 * seed of its own (hash_random_seed()), so the bucket a key lands in cannot
 * be predicted. Tables of configuration names use FNV32_OFFSET.
 */
#ifndef COMMON_FNV_H
#define COMMON_FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV32_OFFSET 2166136261u
#define FNV32_PRIME 16777619u
#define FNV64_OFFSET 0xcbf29ce484222325ull
#define FNV64_PRIME 0x100000001b3ull

static inline uint32_t fnv1a32(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV32_PRIME;
	return h;
}

static inline uint64_t fnv1a64(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV64_PRIME;
	return h;
}

/* A NUL-terminated string; _lower folds ASCII letters to lower case (for
 * names compared case-insensitively). */
static inline uint32_t fnv1a32_str(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * FNV32_PRIME;
	return h;
}

static inline uint8_t fnv_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline uint32_t fnv1a32_lower(uint32_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ fnv_lower((uint8_t)*s)) * FNV32_PRIME;
	return h;
}

static inline uint64_t fnv1a64_lower(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ fnv_lower((uint8_t)*s)) * FNV64_PRIME;
	return h;
}

/* The splitmix64 finaliser: spreads every bit of a seed (or of a 64-bit
 * hash) over all 64, so nearby seeds give unrelated starting points. */
static inline uint64_t hash_mix64(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

/* The starting value of a table whose keys come from the network. */
static inline uint32_t fnv1a32_seeded(uint64_t seed)
{
	return FNV32_OFFSET ^ (uint32_t)hash_mix64(seed);
}

static inline uint64_t fnv1a64_seeded(uint64_t seed)
{
	return FNV64_OFFSET ^ hash_mix64(seed);
}

/* A random seed from the kernel (getrandom); falls back to the address of
 * a stack variable and the time if the kernel has none to give. */
uint64_t hash_random_seed(void);

#endif
