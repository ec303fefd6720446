/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Failed-login back-off (docs/l2tpd.md, "Failed logins"). Two budgets:
 *
 *   (user, peer address)  `pair_limit` failures, then each further failure
 *                         doubles a back-off from `backoff_ms` up to
 *                         `backoff_max_ms`; keyed by the pair, so failures
 *                         from peer A never throttle the same user from B;
 *   peer address          `peer_limit` failures across all user names
 *                         (password spraying), same back-off.
 *
 * While a key is backed off, a login from it is refused without looking at
 * the credentials (so the attempt tests nothing). Bounded memory: a fixed
 * table of AUTHTHROTTLE_SLOTS entries, 4-way set associative by a keyed
 * hash (a random seed: a client cannot aim at one set), the least recently
 * used entry of a full set is replaced; an entry idle for `forget_ms`
 * counts as empty. O(1) per call. Time is passed in (milliseconds).
 */
#ifndef L2TPD_AUTHTHROTTLE_H
#define L2TPD_AUTHTHROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUTHTHROTTLE_SLOTS 8192		/* 32 bytes each: 256 KiB */
#define AUTHTHROTTLE_WAYS 4

struct auththrottle_entry {
	uint64_t key;		/* 0: empty */
	uint64_t last_ms;	/* last failure */
	uint64_t blocked_until;
	uint32_t failures;
	uint32_t logged;	/* the current back-off was logged once */
};

struct auththrottle {
	struct auththrottle_entry *slots;
	uint64_t seed;
	uint32_t pair_limit, peer_limit;	/* 0: that budget is off */
	uint64_t backoff_ms, backoff_max_ms, forget_ms;
};

/* What a check found. */
enum auththrottle_verdict {
	AUTHTHROTTLE_ALLOW,
	AUTHTHROTTLE_PAIR,	/* (user, peer) backed off */
	AUTHTHROTTLE_PEER,	/* the peer address backed off */
};

struct auththrottle_result {
	enum auththrottle_verdict verdict;
	uint64_t remaining_ms;	/* of the back-off */
	bool first;		/* first refusal of this back-off: log it */
};

/* 0 or -1 (no memory). seed: random, from the caller. */
int auththrottle_init(struct auththrottle *t, uint64_t seed, uint32_t pair_limit,
		      uint32_t peer_limit, uint64_t backoff_ms, uint64_t backoff_max_ms);
void auththrottle_free(struct auththrottle *t);
/* Change the limits (reload); what was counted is kept. */
void auththrottle_configure(struct auththrottle *t, uint32_t pair_limit, uint32_t peer_limit,
			    uint64_t backoff_ms, uint64_t backoff_max_ms);

/* May `user` (compared case-insensitively) try to log in from `peer`
 * (its address octets)? */
struct auththrottle_result auththrottle_check(struct auththrottle *t, const char *user,
					      const uint8_t *peer, size_t peer_len, uint64_t now);
/* A failed login. Returns the back-off it started in ms (0: none yet);
 * *peer_blocked tells which budget it was when nonzero. */
uint64_t auththrottle_fail(struct auththrottle *t, const char *user, const uint8_t *peer,
			   size_t peer_len, uint64_t now, bool *peer_blocked);
/* A successful login clears its (user, peer) entry (the peer's budget
 * is left to expire: one known account must not reset a sprayer's). */
void auththrottle_success(struct auththrottle *t, const char *user, const uint8_t *peer,
			  size_t peer_len);

/* The back-off after `failures` failures against a limit (pure). */
uint64_t auththrottle_backoff(uint32_t failures, uint32_t limit, uint64_t backoff_ms,
			      uint64_t backoff_max_ms);

#endif
