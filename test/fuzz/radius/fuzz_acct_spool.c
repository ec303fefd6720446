/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: a spool file as a previous run (or a damaged disk)
 * left it: radius_spool_read, then the engine restoring from it. Every
 * entry handed out lies inside the input; what a good entry says is
 * encoded back to the same octets.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "accounting.h"

static const uint8_t *in_base;
static size_t in_len;

static void check(void *arg, const struct radius_spool_entry *e)
{
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY];
	size_t n;

	(void)arg;
	if (e->kind == RADIUS_SPOOL_RECORD) {
		assert(e->attrs >= in_base && e->attrs + e->attrs_len <= in_base + in_len);
		n = radius_spool_encode(buf, sizeof(buf), e);
		assert(n == RADIUS_SPOOL_ENTRY_OVERHEAD + RADIUS_SPOOL_RECORD_FIXED + e->attrs_len);
		assert(memcmp(buf + 17, e->attrs, e->attrs_len) == 0);
	} else {
		assert(e->kind == RADIUS_SPOOL_DONE);
	}
}

static void no_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct radius_packet p;

	(void)ctx;
	(void)server;
	/* what the engine sends from a restored record is a packet */
	assert(radius_parse(pkt, len, &p) == RADIUS_OK);
}

static int no_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	memset(buf, 7, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct radius_spool_read_stats st;
	struct radius_client_config ccfg = { .n_servers = 1, .secrets = { "fuzz" },
					     .timeout_ms = 1000, .tries = 1, .dead_time_ms = 1000 };
	struct radius_acct_config cfg = { .max_records = 16, .window = 4, .retry_ms = 1000 };
	struct radius_acct_ops ops = { .send = no_send, .random = no_random };
	struct radius_acct *a;
	unsigned good;

	in_base = data;
	in_len = size;
	good = radius_spool_read(data, size, check, NULL, &st);
	assert(good == st.records + st.done);
	assert(st.skipped_octets <= size);
	a = radius_acct_new(&ccfg, &cfg, &ops);
	if (a) {
		radius_acct_restore(a, 0, 1700000000, data, size, &st);
		assert(radius_acct_stats(a)->queued + radius_acct_stats(a)->in_flight <= 16);
		radius_acct_free(a);
	}
	return 0;
}
