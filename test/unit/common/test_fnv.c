/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/fnv.h: the published FNV-1a test vectors, the case-folding and
 * string forms agree with the byte form, and a seed moves every key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fnv.h"

/* Vectors of the FNV reference test suite (empty, "a", "foobar"). */
static void matches_the_reference_vectors(void **state)
{
	assert_int_equal(fnv1a32(FNV32_OFFSET, "", 0), 0x811c9dc5u);
	assert_int_equal(fnv1a32(FNV32_OFFSET, "a", 1), 0xe40c292cu);
	assert_int_equal(fnv1a32(FNV32_OFFSET, "foobar", 6), 0xbf9cf968u);
	assert_true(fnv1a64(FNV64_OFFSET, "", 0) == 0xcbf29ce484222325ull);
	assert_true(fnv1a64(FNV64_OFFSET, "a", 1) == 0xaf63dc4c8601ec8cull);
	assert_true(fnv1a64(FNV64_OFFSET, "foobar", 6) == 0x85944171f73967e8ull);
}

static void string_forms_agree_with_bytes(void **state)
{
	assert_int_equal(fnv1a32_str(FNV32_OFFSET, "foobar"), 0xbf9cf968u);
	assert_int_equal(fnv1a32_lower(FNV32_OFFSET, "FooBAR"), 0xbf9cf968u);
	assert_true(fnv1a64_lower(FNV64_OFFSET, "FOOBAR") == 0x85944171f73967e8ull);
	/* only ASCII letters fold: '@' (0x40) and '[' (0x5b) stay */
	assert_int_equal(fnv1a32_lower(FNV32_OFFSET, "@["), fnv1a32(FNV32_OFFSET, "@[", 2));
	/* a hash continues: two halves equal the whole */
	assert_int_equal(fnv1a32(fnv1a32(FNV32_OFFSET, "foo", 3), "bar", 3), 0xbf9cf968u);
}

/* A network-facing table: the bucket of a key depends on the seed, so a
 * client that does not know it cannot aim keys at one bucket. */
static void a_seed_moves_the_keys(void **state)
{
	uint32_t a = fnv1a32_seeded(1), b = fnv1a32_seeded(2);
	unsigned same = 0;

	assert_int_not_equal(a, b);
	assert_int_not_equal(a, FNV32_OFFSET);
	for (uint32_t k = 0; k < 256; k++)
		same += (fnv1a32(a, &k, 4) & 63) == (fnv1a32(b, &k, 4) & 63);
	assert_true(same < 32);	/* ~4 expected by chance, 256 if the seed did nothing */
	assert_true(fnv1a64_seeded(1) != fnv1a64_seeded(2));
	/* two draws from the kernel differ */
	assert_true(hash_random_seed() != hash_random_seed());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matches_the_reference_vectors),
		cmocka_unit_test(string_forms_agree_with_bytes),
		cmocka_unit_test(a_seed_moves_the_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
