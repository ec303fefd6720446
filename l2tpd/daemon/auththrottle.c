/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Failed-login back-off: see auththrottle.h. */
#include "auththrottle.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fnv.h"

#define N_SETS (AUTHTHROTTLE_SLOTS / AUTHTHROTTLE_WAYS)

/* FNV-1a input folding started from the random seed, mixed again at the
 * end (lib/fnv.h): the set a key lands in cannot be chosen by a client
 * that does not know the seed. */
static uint64_t fold(uint64_t h, uint8_t c)
{
	return fnv1a64(h, &c, 1);
}

static uint64_t key_of(const struct auththrottle *t, const char *user, const uint8_t *peer,
		       size_t peer_len)
{
	uint64_t h = fnv1a64_seeded(t->seed);

	/* the kind first, so a peer key never equals a pair key's input */
	h = fold(h, user ? 'u' : 'p');
	h = fold(h, (uint8_t)peer_len);
	for (size_t i = 0; i < peer_len; i++)
		h = fold(h, peer[i]);
	if (user)
		h = fnv1a64_lower(h, user);
	h = hash_mix64(h);
	return h ? h : 1;	/* 0 marks an empty slot */
}

static bool expired(const struct auththrottle *t, const struct auththrottle_entry *e, uint64_t now)
{
	return e->key == 0 || (now > e->blocked_until && now - e->last_ms >= t->forget_ms);
}

/* The entry of `key`, or NULL. */
static struct auththrottle_entry *find(struct auththrottle *t, uint64_t key, uint64_t now)
{
	struct auththrottle_entry *set = t->slots + (key % N_SETS) * AUTHTHROTTLE_WAYS;

	for (unsigned i = 0; i < AUTHTHROTTLE_WAYS; i++)
		if (set[i].key == key) {
			if (expired(t, &set[i], now)) {
				memset(&set[i], 0, sizeof(set[i]));
				return NULL;
			}
			return &set[i];
		}
	return NULL;
}

/* The entry of `key`, made if missing: an empty or expired slot of its
 * set, else the least recently failed one. */
static struct auththrottle_entry *get(struct auththrottle *t, uint64_t key, uint64_t now)
{
	struct auththrottle_entry *set = t->slots + (key % N_SETS) * AUTHTHROTTLE_WAYS, *e;
	struct auththrottle_entry *victim = NULL;

	if ((e = find(t, key, now)) != NULL)
		return e;
	for (unsigned i = 0; i < AUTHTHROTTLE_WAYS; i++) {
		if (expired(t, &set[i], now)) {
			victim = &set[i];
			break;
		}
		if (!victim || set[i].last_ms < victim->last_ms)
			victim = &set[i];
	}
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

uint64_t auththrottle_backoff(uint32_t failures, uint32_t limit, uint64_t backoff_ms,
			      uint64_t backoff_max_ms)
{
	uint64_t d = backoff_ms;

	if (limit == 0 || failures < limit)
		return 0;
	for (uint32_t i = limit; i < failures && d < backoff_max_ms; i++)
		d *= 2;
	return d < backoff_max_ms ? d : backoff_max_ms;
}

void auththrottle_configure(struct auththrottle *t, uint32_t pair_limit, uint32_t peer_limit,
			    uint64_t backoff_ms, uint64_t backoff_max_ms)
{
	t->pair_limit = pair_limit;
	t->peer_limit = peer_limit;
	t->backoff_ms = backoff_ms ? backoff_ms : 1;
	t->backoff_max_ms = backoff_max_ms > t->backoff_ms ? backoff_max_ms : t->backoff_ms;
	/* Failures are forgotten after twice the longest back-off (and not
	 * before 10 minutes): slow guessing still reaches the limit. */
	t->forget_ms = 2 * t->backoff_max_ms > 600000 ? 2 * t->backoff_max_ms : 600000;
}

int auththrottle_init(struct auththrottle *t, uint64_t seed, uint32_t pair_limit,
		      uint32_t peer_limit, uint64_t backoff_ms, uint64_t backoff_max_ms)
{
	memset(t, 0, sizeof(*t));
	t->slots = calloc(AUTHTHROTTLE_SLOTS, sizeof(*t->slots));
	if (!t->slots)
		return -1;
	t->seed = seed;
	auththrottle_configure(t, pair_limit, peer_limit, backoff_ms, backoff_max_ms);
	return 0;
}

void auththrottle_free(struct auththrottle *t)
{
	free(t->slots);
	t->slots = NULL;
}

static bool blocked(struct auththrottle *t, uint64_t key, uint64_t now,
		    struct auththrottle_result *r)
{
	struct auththrottle_entry *e = find(t, key, now);

	if (!e || now >= e->blocked_until)
		return false;
	r->remaining_ms = e->blocked_until - now;
	r->first = !e->logged;
	e->logged = 1;
	return true;
}

struct auththrottle_result auththrottle_check(struct auththrottle *t, const char *user,
					      const uint8_t *peer, size_t peer_len, uint64_t now)
{
	struct auththrottle_result r = { AUTHTHROTTLE_ALLOW, 0, false };

	if (!t->slots)
		return r;
	if (t->pair_limit && blocked(t, key_of(t, user, peer, peer_len), now, &r))
		r.verdict = AUTHTHROTTLE_PAIR;
	else if (t->peer_limit && blocked(t, key_of(t, NULL, peer, peer_len), now, &r))
		r.verdict = AUTHTHROTTLE_PEER;
	return r;
}

static uint64_t count_failure(struct auththrottle *t, uint64_t key, uint32_t limit, uint64_t now)
{
	struct auththrottle_entry *e = get(t, key, now);
	uint64_t d;

	if (e->failures < UINT32_MAX)
		e->failures++;
	e->last_ms = now;
	d = auththrottle_backoff(e->failures, limit, t->backoff_ms, t->backoff_max_ms);
	if (d) {
		e->blocked_until = now + d;
		e->logged = 0;
	}
	return d;
}

uint64_t auththrottle_fail(struct auththrottle *t, const char *user, const uint8_t *peer,
			   size_t peer_len, uint64_t now, bool *peer_blocked)
{
	uint64_t pair = 0, per_peer = 0;

	if (peer_blocked)
		*peer_blocked = false;
	if (!t->slots)
		return 0;
	if (t->pair_limit)
		pair = count_failure(t, key_of(t, user, peer, peer_len), t->pair_limit, now);
	if (t->peer_limit)
		per_peer = count_failure(t, key_of(t, NULL, peer, peer_len), t->peer_limit, now);
	if (per_peer > pair) {
		if (peer_blocked)
			*peer_blocked = true;
		return per_peer;
	}
	return pair;
}

void auththrottle_success(struct auththrottle *t, const char *user, const uint8_t *peer,
			  size_t peer_len)
{
	struct auththrottle_entry *e;

	if (!t->slots)
		return;
	/* now = 0: find() must not expire anything here; a match is enough */
	e = find(t, key_of(t, user, peer, peer_len), 0);
	if (e)
		memset(e, 0, sizeof(*e));
}
