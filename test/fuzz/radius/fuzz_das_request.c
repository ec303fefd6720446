/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what reaches the dynamic authorization port
 * (radius_das_input). Each input is tried as it is (a fuzzer cannot sign,
 * so it is discarded unless it is a seed), and then re-signed with the
 * client's secret, so that the attribute reader, the matcher and the
 * answer are fuzzed too. Every answer must parse and verify.
 */
#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "das.h"

#define SECRET "fuzz-das"

static const uint8_t DAC[4] = { 192, 0, 2, 10 };
static char sessions[3][2][16] = { { "alice", "00000001" }, { "bob", "00000002" },
				   { "alice", "00000003" } };

static size_t find(void *ctx, enum radius_das_key key, const struct radius_das_match *m,
		   void **out, size_t max)
{
	size_t n = 0;

	(void)ctx;
	(void)key;
	(void)m;
	for (unsigned i = 0; i < 3 && n < max; i++)
		out[n++] = sessions[i];
	return m->nas_port == 0xFFFFFFFFu ? max + 1 : n;
}

static void describe(void *ctx, void *session, struct radius_das_session *s)
{
	char (*x)[16] = session;

	(void)ctx;
	s->user = x[0];
	s->acct_session_id = x[1];
	s->calling_station_id = x == sessions[1] ? "198.51.100.9:4500" : "203.0.113.7";
	s->called_station_id = "192.0.2.1";
	s->framed_ip = 0;
	s->nas_port = (uint32_t)(x - sessions[0]);
}

static uint32_t disconnect(void *ctx, void *session)
{
	(void)ctx;
	(void)session;
	return 0;
}

static uint32_t change(void *ctx, void *session, const struct radius_das_change *c)
{
	(void)ctx;
	(void)session;
	if (c->filter_id)
		assert(strlen(c->filter_id) <= RADIUS_MAX_VALUE);
	return c->filter_id && !strcmp(c->filter_id, "bad") ? RADIUS_EC_INVALID_ATTRIBUTE_VALUE : 0;
}

static void check_answer(const uint8_t *req, const uint8_t *out, size_t n)
{
	struct radius_packet p;

	if (!n)
		return;
	assert(radius_parse(out, n, &p) == RADIUS_OK);
	assert(radius_verify_response(&p, req[1], req + 4, SECRET, true) == RADIUS_OK);
	assert(p.code == req[0] + 1 || p.code == req[0] + 2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct radius_das_config cfg = { .n_clients = 1, .nas_ipv4 = 0x010200c0,
					 .nas_identifier = "lns-1" };
	struct radius_das_ops ops = { .find = find, .describe = describe,
				      .disconnect = disconnect, .change = change };
	static uint8_t out[RADIUS_MAX_LEN], first[RADIUS_MAX_LEN], signed_buf[RADIUS_MAX_LEN];
	struct radius_das_result res;
	struct radius_packet p;
	struct radius_das *d;
	size_t n;
	uint32_t now = 1700000000;

	cfg.clients[0].family = AF_INET;
	memcpy(cfg.clients[0].addr, DAC, 4);
	cfg.clients[0].secret = SECRET;
	d = radius_das_new(&cfg, &ops);
	assert(d);
	n = radius_das_input(d, now, AF_INET, DAC, data, size, out, sizeof(out), &res);
	check_answer(data, out, n);
	if (radius_parse(data, size, &p) == RADIUS_OK) {
		struct radius_writer w;
		struct radius_attr a;
		size_t off = 0;
		bool bad_ts = false;
		unsigned n_ts = 0;

		/* the same packet, signed as the client would sign it */
		radius_begin(&w, signed_buf, sizeof(signed_buf), p.code, p.id, NULL);
		while (radius_next_attr(&p, &off, &a)) {
			if (a.type == RADIUS_MESSAGE_AUTHENTICATOR)
				radius_put_message_authenticator(&w);
			else
				radius_put(&w, a.type, a.value, a.len);
			/* one Event-Timestamp of 4 octets, or the request is
			 * discarded */
			bad_ts |= a.type == RADIUS_EVENT_TIMESTAMP && (a.len != 4 || n_ts++);
			if (a.type == RADIUS_EVENT_TIMESTAMP && a.len == 4)
				now = (uint32_t)a.value[0] << 24 | (uint32_t)a.value[1] << 16 |
				      (uint32_t)a.value[2] << 8 | a.value[3];
		}
		n = radius_finish_hashed(&w, SECRET);
		if (n) {
			size_t m = radius_das_input(d, now, AF_INET, DAC, signed_buf, n, out,
						    sizeof(out), &res);

			check_answer(signed_buf, out, m);
			/* authentic, current (Event-Timestamp required by
			 * default): always answered */
			if (!bad_ts && n_ts == 1 && (signed_buf[0] == RADIUS_DISCONNECT_REQUEST ||
						     signed_buf[0] == RADIUS_COA_REQUEST))
				assert(m > 0);
			memcpy(first, out, m);
			/* and again: the cached answer, byte for byte (RFC
			 * 5080 section 2.2.2), whatever its length */
			{
				size_t m2 = radius_das_input(d, now, AF_INET, DAC, signed_buf, n, out,
							     sizeof(out), &res);

				check_answer(signed_buf, out, m2);
				assert(m2 == m && (m == 0 || memcmp(first, out, m) == 0));
			}
		}
	}
	radius_das_free(d);
	return 0;
}
