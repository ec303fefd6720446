/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The random seed of network-facing hash tables: see fnv.h. */
#include "fnv.h"

#include <sys/random.h>
#include <time.h>

uint64_t hash_random_seed(void)
{
	uint64_t seed = 0;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* early boot: not secret, but still not known before the daemon ran */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return hash_mix64((uint64_t)(uintptr_t)&seed ^ (uint64_t)ts.tv_nsec ^
			  ((uint64_t)ts.tv_sec << 32));
}
