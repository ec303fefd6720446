/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting engine (accounting.h) against in-memory servers and an
 * in-memory spool: time is a number the test moves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accounting.h"

static const char *SECRETS[] = { "acct-one", "acct-two" };

struct sent {
	unsigned server;
	uint8_t pkt[RADIUS_MAX_LEN];
	size_t len;
};

/* The spool as the file would hold it, carrying out the engine's ops. */
struct mem_spool {
	uint8_t buf[1 << 16], next[1 << 16];
	size_t len, next_len;
	bool rewriting;
	bool fail_resets;		/* as the file when it cannot write a new one */
	unsigned resets, rewrites;
};

static struct {
	struct sent sent[256];
	unsigned n_sent;
	char log[16][256];
	unsigned n_log;
	struct mem_spool spool;
	uint8_t rnd;
} T;

static void on_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct sent *s = &T.sent[T.n_sent++ % 256];

	(void)ctx;
	s->server = server;
	memcpy(s->pkt, pkt, len);
	s->len = len;
}

static int on_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(T.rnd++ * 37 + 11);
	return 0;
}

static void on_log(void *ctx, const char *line)
{
	(void)ctx;
	snprintf(T.log[T.n_log++ % 16], sizeof(T.log[0]), "%s", line);
}

static void on_spool(void *ctx, enum radius_spool_op op, const uint8_t *b, size_t n)
{
	struct mem_spool *s = &T.spool;

	(void)ctx;
	switch (op) {
	case RADIUS_SPOOL_APPEND:
		if (s->rewriting) {
			memcpy(s->next + s->next_len, b, n);
			s->next_len += n;
		} else {
			memcpy(s->buf + s->len, b, n);
			s->len += n;
		}
		break;
	case RADIUS_SPOOL_RESET:
		if (s->fail_resets)
			break;	/* the old file stays as it was */
		s->len = RADIUS_SPOOL_HEADER_LEN;
		s->resets++;
		break;
	case RADIUS_SPOOL_REWRITE_BEGIN:
		s->rewriting = true;
		memcpy(s->next, RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN);
		s->next_len = RADIUS_SPOOL_HEADER_LEN;
		break;
	case RADIUS_SPOOL_REWRITE_COMMIT:
		s->rewriting = false;
		memcpy(s->buf, s->next, s->next_len);
		s->len = s->next_len;
		s->rewrites++;
		break;
	}
}

static size_t engine_reset_bytes;	/* radius_acct_config.reset_bytes of engine() */

static struct radius_acct *engine(unsigned max_records, size_t compact)
{
	struct radius_client_config ccfg = {
		.n_servers = 2, .secrets = { SECRETS[0], SECRETS[1] },
		.timeout_ms = 1000, .max_timeout_ms = 4000, .tries = 3, .dead_time_ms = 30000,
	};
	struct radius_acct_config cfg = { .max_records = max_records, .window = 4,
					  .retry_ms = 60000, .compact_bytes = compact,
					  .reset_bytes = engine_reset_bytes };
	struct radius_acct_ops ops = { .send = on_send, .random = on_random, .spool = on_spool,
				       .log = on_log };

	return radius_acct_new(&ccfg, &cfg, &ops);
}

static void reset(void)
{
	memset(&T, 0, sizeof(T));
	memcpy(T.spool.buf, RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN);
	T.spool.len = RADIUS_SPOOL_HEADER_LEN;
}

static struct radius_nas_session session(const char *id)
{
	static char ids[8][32];
	static unsigned k;
	struct radius_nas_session s = {
		.user = "alice", .nas_ipv4 = 0x010200c0 /* 192.0.2.1 */, .nas_port = 7,
		.calling_station = "198.51.100.7", .called_station = "192.0.2.1",
	};

	snprintf(ids[k % 8], sizeof(ids[0]), "%s", id);
	s.acct_session_id = ids[k++ % 8];
	return s;
}

static uint32_t u32_attr(const struct radius_packet *p, uint8_t type)
{
	struct radius_attr a;

	if (!radius_find(p, type, &a) || a.len != 4)
		return 0xFFFFFFFFu;
	return (uint32_t)a.value[0] << 24 | (uint32_t)a.value[1] << 16 | a.value[2] << 8 | a.value[3];
}

static void session_id(const struct radius_packet *p, char *out)
{
	struct radius_attr a;

	out[0] = 0;
	if (radius_find(p, RADIUS_ACCT_SESSION_ID, &a)) {
		memcpy(out, a.value, a.len);
		out[a.len] = 0;
	}
}

/* Sent packet k as the server that got it checks it (RFC 2866 section 3). */
static void parse_sent(unsigned k, struct radius_packet *p)
{
	assert_int_equal(radius_parse(T.sent[k].pkt, T.sent[k].len, p), RADIUS_OK);
	assert_int_equal(p->code, RADIUS_ACCOUNTING_REQUEST);
	assert_int_equal(radius_verify_hashed_request(p, SECRETS[T.sent[k].server], false), RADIUS_OK);
}

/* The server's Accounting-Response to sent packet k. */
static void ack(struct radius_acct *a, uint64_t now, unsigned k)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_writer w;
	size_t n;

	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_RESPONSE, T.sent[k].pkt[1], NULL);
	n = radius_finish_response(&w, SECRETS[T.sent[k].server], T.sent[k].pkt + 4);
	radius_acct_input(a, now, T.sent[k].server, buf, n);
}

static void put(struct radius_acct *a, uint64_t now, uint32_t wall, const char *id,
		enum radius_acct_status st)
{
	struct radius_nas_session s = session(id);
	struct radius_acct_record r = { .status = st, .in_octets = 1000, .out_octets = 2000,
					.in_packets = 10, .out_packets = 20, .session_time = 60,
					.terminate_cause = RADIUS_TC_USER_REQUEST };

	assert_int_equal(radius_acct_record(a, now, wall, &s, &r), 0);
}

/* ---- records ---------------------------------------------------------------- */

static void start_interim_and_stop_carry_what_the_session_did(void **state)
{
	struct radius_acct *a;
	struct radius_nas_session s = session("sess-1");
	static const uint8_t cls[] = "grp=staff";
	const uint8_t *classes[1] = { cls };
	uint8_t class_len[1] = { sizeof(cls) - 1 };
	struct radius_acct_record stop = {
		.status = RADIUS_ACCT_STOP, .in_octets = 5ull << 30, .out_octets = (1ull << 32) + 7,
		.in_packets = 4000000, .out_packets = 3000000, .session_time = 3600,
		.terminate_cause = radius_acct_terminate_cause(RADIUS_END_IDLE_TIMEOUT),
		.class = classes, .class_len = class_len, .n_class = 1,
	};
	struct radius_packet p;
	struct radius_attr at;

	(void)state;
	reset();
	a = engine(100, 0);
	assert_non_null(a);
	assert_int_equal(radius_acct_record(a, 0, 1700000000, &s, &stop), 0);
	assert_int_equal(T.n_sent, 1);
	parse_sent(0, &p);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_STATUS_TYPE), RADIUS_ACCT_STOP);
	/* RFC 2869 5.1/5.2: 5 GiB is 1 Gigaword and 1 GiB */
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_INPUT_GIGAWORDS), 1);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_INPUT_OCTETS), 1u << 30);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_OUTPUT_GIGAWORDS), 1);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_OUTPUT_OCTETS), 7);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_INPUT_PACKETS), 4000000);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_OUTPUT_PACKETS), 3000000);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_SESSION_TIME), 3600);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_TERMINATE_CAUSE), RADIUS_TC_IDLE_TIMEOUT);
	assert_int_equal(u32_attr(&p, RADIUS_EVENT_TIMESTAMP), 1700000000);
	/* sent at once: no Acct-Delay-Time */
	assert_false(radius_find(&p, RADIUS_ACCT_DELAY_TIME, &at));
	/* the Access-Accept's Class, echoed (RFC 2865 5.25) */
	assert_true(radius_find(&p, RADIUS_CLASS, &at));
	assert_int_equal(at.len, 9);
	assert_memory_equal(at.value, "grp=staff", 9);
	ack(a, 30, 0);
	assert_int_equal(radius_acct_stats(a)->acknowledged, 1);
	assert_int_equal(radius_acct_stats(a)->in_flight, 0);
	/* nothing outstanding: the spool is its header again */
	assert_int_equal(T.spool.len, RADIUS_SPOOL_HEADER_LEN);
	assert_int_equal(T.spool.resets, 1);
	radius_acct_free(a);
}

static void accounting_on_and_off_carry_the_nas_only(void **state)
{
	struct radius_acct *a;
	struct radius_nas_session s = { .nas_ipv4 = 0x010200c0, .nas_identifier = "lns-1",
					.acct_session_id = "0000000100000000" };
	struct radius_acct_record on = { .status = RADIUS_ACCT_ON };
	struct radius_packet p;
	struct radius_attr at;

	(void)state;
	reset();
	a = engine(100, 0);
	assert_int_equal(radius_acct_record(a, 0, 1700000000, &s, &on), 0);
	parse_sent(0, &p);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_STATUS_TYPE), RADIUS_ACCT_ON);
	assert_false(radius_find(&p, RADIUS_USER_NAME, &at));
	assert_false(radius_find(&p, RADIUS_NAS_PORT, &at));
	assert_true(radius_find(&p, RADIUS_NAS_IDENTIFIER, &at));
	radius_acct_free(a);
}

static void every_session_end_has_a_terminate_cause(void **state)
{
	static const struct {
		enum radius_session_end end;
		enum radius_terminate_cause cause;
	} table[] = {
		/* the table in docs/radius.md */
		{ RADIUS_END_USER_REQUEST, RADIUS_TC_USER_REQUEST },
		{ RADIUS_END_PEER_LOST, RADIUS_TC_LOST_CARRIER },
		{ RADIUS_END_IPSEC_DOWN, RADIUS_TC_LOST_CARRIER },
		{ RADIUS_END_IDLE_TIMEOUT, RADIUS_TC_IDLE_TIMEOUT },
		{ RADIUS_END_SESSION_TIMEOUT, RADIUS_TC_SESSION_TIMEOUT },
		{ RADIUS_END_ADMIN_DISCONNECT, RADIUS_TC_ADMIN_RESET },
		{ RADIUS_END_ADMIN_REBOOT, RADIUS_TC_ADMIN_REBOOT },
		{ RADIUS_END_NAS_REBOOT, RADIUS_TC_NAS_REBOOT },
		{ RADIUS_END_PORT_ERROR, RADIUS_TC_PORT_ERROR },
		{ RADIUS_END_NAS_ERROR, RADIUS_TC_NAS_ERROR },
		{ RADIUS_END_NAS_REQUEST, RADIUS_TC_NAS_REQUEST },
		{ RADIUS_END_LOST_SERVICE, RADIUS_TC_LOST_SERVICE },
		{ RADIUS_END_SERVICE_UNAVAILABLE, RADIUS_TC_SERVICE_UNAVAILABLE },
		{ RADIUS_END_USER_ERROR, RADIUS_TC_USER_ERROR },
	};

	(void)state;
	assert_int_equal(sizeof(table) / sizeof(table[0]), RADIUS_END_MAX);
	for (unsigned i = 0; i < RADIUS_END_MAX; i++) {
		assert_int_equal(radius_acct_terminate_cause(table[i].end), table[i].cause);
		assert_string_not_equal(radius_session_end_name(table[i].end), "unknown");
	}
}

/* ---- retransmission and failover ----------------------------------------------- */

static void an_unanswered_record_is_sent_again_unchanged(void **state)
{
	struct radius_acct *a;

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "s1", RADIUS_ACCT_START);
	assert_int_equal(radius_acct_next_timer(a), 1000);
	radius_acct_timer(a, 1000);
	assert_int_equal(T.n_sent, 2);
	/* RFC 5080 2.2.1: the same packet to the same server */
	assert_int_equal(T.sent[1].server, 0);
	assert_int_equal(T.sent[1].len, T.sent[0].len);
	assert_memory_equal(T.sent[1].pkt, T.sent[0].pkt, T.sent[0].len);
	ack(a, 1100, 1);
	assert_int_equal(radius_acct_stats(a)->acknowledged, 1);
	radius_acct_free(a);
}

static void a_silent_server_is_failed_over_with_the_delay_counted(void **state)
{
	struct radius_acct *a;
	struct radius_packet p;

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "s1", RADIUS_ACCT_START);
	radius_acct_timer(a, 1000);
	radius_acct_timer(a, 3000);
	assert_int_equal(T.n_sent, 3);
	radius_acct_timer(a, 7000);
	/* the second server gets a packet of its own, signed with its
	 * secret, saying the record waited 7 s (RFC 2866 5.2); the first
	 * is probed with Status-Server */
	assert_int_equal(T.n_sent, 5);
	assert_int_equal(T.sent[3].server, 1);
	assert_int_equal(T.sent[4].server, 0);
	assert_int_equal(T.sent[4].pkt[0], RADIUS_STATUS_SERVER);
	parse_sent(3, &p);
	assert_int_equal(u32_attr(&p, RADIUS_ACCT_DELAY_TIME), 7);
	assert_false(radius_acct_server_stats(a, 0)->alive);
	ack(a, 7200, 3);
	assert_int_equal(radius_acct_stats(a)->acknowledged, 1);
	radius_acct_free(a);
}

/* Every server silent: the records wait (one tried at a time), and go when a
 * server answers its Status-Server probe. */
static void records_wait_while_servers_are_down_and_go_when_one_returns(void **state)
{
	struct radius_acct *a;
	unsigned before, probe = ~0u;
	uint64_t now;
	char id[64];

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "s1", RADIUS_ACCT_START);
	for (uint64_t t = 1000; t <= 14000; t += 1000)
		radius_acct_timer(a, t);
	assert_int_equal(radius_acct_stats(a)->timeouts, 1);
	assert_int_equal(radius_acct_stats(a)->queued, 1);
	put(a, 15000, 1700000015, "s2", RADIUS_ACCT_START);
	put(a, 16000, 1700000016, "s3", RADIUS_ACCT_START);
	/* nothing sent while held back: both servers are dead */
	before = T.n_sent;
	radius_acct_timer(a, 17000);
	for (unsigned k = before; k < T.n_sent; k++)
		assert_int_not_equal(T.sent[k].pkt[0], RADIUS_ACCOUNTING_REQUEST);
	assert_int_equal(radius_acct_stats(a)->queued, 3);
	/* the probe (Status-Server, RFC 5997) is answered: the server is back */
	now = radius_acct_next_timer(a);
	assert_int_equal(now, 38000);	/* server 0: dead at 7000, probed every 30 s */
	radius_acct_timer(a, now);
	for (unsigned k = before; k < T.n_sent; k++)
		if (T.sent[k].pkt[0] == RADIUS_STATUS_SERVER)
			probe = k;
	assert_int_not_equal(probe, ~0u);
	{
		uint8_t buf[RADIUS_MAX_LEN];
		struct radius_writer w;
		size_t n;
		unsigned first = T.n_sent;

		radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_RESPONSE, T.sent[probe].pkt[1],
			     NULL);
		radius_put_message_authenticator(&w);
		n = radius_finish_response(&w, SECRETS[T.sent[probe].server], T.sent[probe].pkt + 4);
		radius_acct_input(a, now + 100, T.sent[probe].server, buf, n);
		/* all three go, oldest first, with the time they waited */
		assert_int_equal(T.n_sent - first, 3);
		for (unsigned k = first; k < T.n_sent; k++) {
			struct radius_packet p;

			parse_sent(k, &p);
			session_id(&p, id);
			assert_string_equal(id, k == first ? "s1" : k == first + 1 ? "s2" : "s3");
			assert_int_equal(u32_attr(&p, RADIUS_ACCT_DELAY_TIME),
					 k == first ? 38 : k == first + 1 ? 23 : 22);
			ack(a, now + 200, k);
		}
	}
	assert_int_equal(radius_acct_stats(a)->acknowledged, 3);
	assert_int_equal(radius_acct_stats(a)->dropped, 0);
	radius_acct_free(a);
}

/* With every server dead and a record in flight, the hold's deadline had
 * passed and was still returned: the daemon's timer loop popped it again
 * and again without end (l2tpd hung at its stop). Every deadline is after
 * the time of the call that asked for it. */
static void a_deadline_is_never_in_the_past_while_servers_are_dead(void **state)
{
	struct radius_acct *a;
	uint64_t now = 0, next;

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "s1", RADIUS_ACCT_START);
	put(a, 0, 1700000000, "s2", RADIUS_ACCT_STOP);
	while (now < 400000) {
		next = radius_acct_next_timer(a);
		assert_true(next > now);
		now = next;
		radius_acct_timer(a, now);
	}
	/* tried again and again, never acknowledged, never dropped */
	assert_true(radius_acct_stats(a)->timeouts >= 3);
	assert_int_equal(radius_acct_stats(a)->queued + radius_acct_stats(a)->in_flight, 2);
	radius_acct_free(a);
}

/* A reload (other timers here; other servers work the same): the record
 * in flight goes again, through the new engine, and its acknowledgement
 * counts. */
static void a_reload_sends_the_records_in_flight_to_the_new_servers(void **state)
{
	struct radius_client_config next = {
		.n_servers = 2, .secrets = { SECRETS[0], SECRETS[1] },
		.timeout_ms = 2000, .max_timeout_ms = 8000, .tries = 2, .dead_time_ms = 10000,
	};
	struct radius_acct *a;
	struct radius_packet p;
	unsigned before, again;
	char id[64];

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "s1", RADIUS_ACCT_START);
	before = T.n_sent;
	assert_int_equal(radius_acct_stats(a)->in_flight, 1);
	assert_int_equal(radius_acct_reconfigure(a, 500, &next), 0);
	assert_int_equal(T.n_sent, before + 1);
	again = T.n_sent - 1;
	parse_sent(again, &p);
	session_id(&p, id);
	assert_string_equal(id, "s1");
	/* the new engine's first retransmission is after its own timeout */
	assert_int_equal(radius_acct_next_timer(a), 2500);
	ack(a, 700, again);
	assert_int_equal(radius_acct_stats(a)->acknowledged, 1);
	assert_int_equal(radius_acct_stats(a)->in_flight, 0);
	radius_acct_free(a);
}

static void the_queue_bound_drops_the_oldest_with_one_log_line(void **state)
{
	struct radius_acct *a;
	char names[5][8] = { "s0", "s1", "s2", "s3", "s4" };

	(void)state;
	reset();
	a = engine(3, 0);
	put(a, 0, 1700000000, names[0], RADIUS_ACCT_START);
	for (uint64_t t = 1000; t <= 14000; t += 1000)
		radius_acct_timer(a, t);
	assert_int_equal(T.n_log, 0);	/* waiting is not worth a log line */
	for (unsigned i = 1; i < 5; i++)
		put(a, 15000 + i, 1700000015, names[i], RADIUS_ACCT_START);
	assert_int_equal(radius_acct_stats(a)->dropped, 2);
	assert_int_equal(radius_acct_stats(a)->queued, 3);
	assert_int_equal(T.n_log, 1);
	assert_non_null(strstr(T.log[0], "dropping the oldest"));
	/* what the spool holds is what the engine holds: s2, s3, s4 */
	radius_acct_free(a);
	{
		struct radius_spool_read_stats st;
		struct radius_acct *b;
		struct mem_spool copy = T.spool;
		char id[64];

		reset();
		b = engine(3, 0);
		assert_int_equal(radius_acct_restore(b, 0, 1700000100, copy.buf, copy.len, &st), 3);
		assert_int_equal(T.n_sent, 3);
		for (unsigned k = 0; k < 3; k++) {
			struct radius_packet p;

			parse_sent(k, &p);
			session_id(&p, id);
			assert_string_equal(id, names[k + 2]);
		}
		radius_acct_free(b);
	}
}

/* 100,000 sessions' records while the servers are down: held up to the
 * bound, each further one costs the oldest, and the log says it once. */
static void a_long_outage_at_scale_keeps_the_newest_records(void **state)
{
	struct radius_client_config ccfg = {
		.n_servers = 1, .secrets = { SECRETS[0] }, .timeout_ms = 1000,
		.max_timeout_ms = 1000, .tries = 1, .dead_time_ms = 30000,
	};
	struct radius_acct_config cfg = { .max_records = 100000, .window = 4, .retry_ms = 60000 };
	struct radius_acct_ops ops = { .send = on_send, .random = on_random, .log = on_log };
	struct radius_acct *a;
	char id[16];

	(void)state;
	reset();
	a = radius_acct_new(&ccfg, &cfg, &ops);
	put(a, 0, 1700000000, "first", RADIUS_ACCT_START);
	radius_acct_timer(a, 1000);	/* the only server is dead */
	for (unsigned i = 1; i < 150000; i++) {
		snprintf(id, sizeof(id), "%08x", i);
		put(a, 2000, 1700000002, id, RADIUS_ACCT_INTERIM);
	}
	assert_int_equal(radius_acct_stats(a)->made, 150000);
	assert_int_equal(radius_acct_stats(a)->queued + radius_acct_stats(a)->in_flight, 100000);
	assert_int_equal(radius_acct_stats(a)->dropped, 50000);
	assert_int_equal(T.n_log, 1);
	radius_acct_free(a);
}

/* ---- the spool ---------------------------------------------------------------- */

static void unacknowledged_records_survive_a_restart(void **state)
{
	struct radius_acct *a, *b;
	struct radius_spool_read_stats st;
	struct mem_spool copy;
	char id[64];

	(void)state;
	reset();
	a = engine(100, 0);
	put(a, 0, 1700000000, "done", RADIUS_ACCT_START);
	ack(a, 10, 0);
	{
		/* the run's Accounting-Off, never acknowledged: left out at
		 * restore, the next run's Accounting-On says more */
		struct radius_nas_session nas = { .nas_ipv4 = 0x010200c0,
						  .acct_session_id = "nas-off" };
		struct radius_acct_record off = { .status = RADIUS_ACCT_OFF };

		assert_int_equal(radius_acct_record(a, 15, 1700000000, &nas, &off), 0);
	}
	put(a, 20, 1700000001, "start", RADIUS_ACCT_START);
	put(a, 30, 1700000002, "stop", RADIUS_ACCT_STOP);
	assert_int_equal(radius_acct_stats(a)->in_flight, 3);
	radius_acct_free(a);	/* the daemon stopped */
	copy = T.spool;

	reset();
	b = engine(100, 0);
	assert_int_equal(radius_acct_restore(b, 5, 1700000101, copy.buf, copy.len, &st), 2);
	assert_int_equal(st.refused, 0);
	assert_int_equal(st.records, 3);
	assert_non_null(strstr(T.log[0], "1 Accounting-On/Off of that run left out"));
	assert_int_equal(T.n_sent, 2);
	for (unsigned k = 0; k < 2; k++) {
		struct radius_packet p;

		parse_sent(k, &p);
		session_id(&p, id);
		assert_string_equal(id, k ? "stop" : "start");
		/* waited from its event time to now, by the wall clock */
		assert_int_equal(u32_attr(&p, RADIUS_ACCT_DELAY_TIME), k ? 99 : 100);
		/* the record is the one made before: same Event-Timestamp */
		assert_int_equal(u32_attr(&p, RADIUS_EVENT_TIMESTAMP), 1700000001 + k);
	}
	/* the spool was rewritten with the two */
	assert_int_equal(T.spool.rewrites, 1);
	ack(b, 100, 0);
	ack(b, 100, 1);
	assert_int_equal(T.spool.len, RADIUS_SPOOL_HEADER_LEN);
	/* new records follow the restored ones' sequence numbers */
	put(b, 200, 1700000200, "new", RADIUS_ACCT_START);
	{
		struct radius_spool_read_stats st2;
		struct radius_acct *c;
		struct mem_spool copy2 = T.spool;

		reset();
		c = engine(100, 0);
		assert_int_equal(radius_acct_restore(c, 0, 1700000300, copy2.buf, copy2.len, &st2), 1);
		radius_acct_free(c);
	}
	radius_acct_free(b);
}

/* The last acknowledgement before the queue empties is written as a "done"
 * entry before the spool is reset: when the reset cannot be carried out
 * (spool_file.c keeps the old file if it cannot write the new one), the
 * acknowledged record must not come back after a restart. It used to:
 * the reset stood in for the "done" entry. */
static void an_acknowledged_record_stays_done_when_the_reset_fails(void **state)
{
	struct radius_acct *a, *b;
	struct radius_spool_read_stats st;
	struct mem_spool copy;

	(void)state;
	reset();
	T.spool.fail_resets = true;
	a = engine(100, 0);
	put(a, 0, 1700000000, "acked", RADIUS_ACCT_START);
	ack(a, 10, 0);
	assert_int_equal(radius_acct_stats(a)->in_flight, 0);
	radius_acct_free(a);
	copy = T.spool;

	reset();
	b = engine(100, 0);
	assert_int_equal(radius_acct_restore(b, 0, 1700000100, copy.buf, copy.len, &st), 0);
	assert_int_equal(st.records, 1);
	assert_int_equal(st.done, 1);
	assert_int_equal(T.n_sent, 0);
	radius_acct_free(b);
}

/* Make a spool of n records (ids r0..) by hand. */
static size_t make_spool(uint8_t *buf, unsigned n, size_t *offsets)
{
	size_t len = RADIUS_SPOOL_HEADER_LEN;

	memcpy(buf, RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN);
	for (unsigned i = 0; i < n; i++) {
		uint8_t attrs[64];
		char id[8];
		struct radius_spool_entry e = { .kind = RADIUS_SPOOL_RECORD, .seq = i + 1,
						.event_time = 1700000000, .attrs = attrs };

		snprintf(id, sizeof(id), "r%u", i);
		attrs[0] = RADIUS_ACCT_STATUS_TYPE;
		attrs[1] = 6;
		memcpy(attrs + 2, "\0\0\0\1", 4);
		attrs[6] = RADIUS_ACCT_SESSION_ID;
		attrs[7] = (uint8_t)(2 + strlen(id));
		memcpy(attrs + 8, id, strlen(id));
		attrs[8 + strlen(id)] = RADIUS_NAS_IDENTIFIER;
		attrs[9 + strlen(id)] = 5;
		memcpy(attrs + 10 + strlen(id), "lns", 3);
		e.attrs_len = 13 + strlen(id);
		offsets[i] = len;
		len += radius_spool_encode(buf + len, 4096, &e);
	}
	offsets[n] = len;
	return len;
}

static void collect(void *arg, const struct radius_spool_entry *e)
{
	unsigned *seen = arg;

	seen[e->seq] = 1;
}

static void a_damaged_spool_loses_only_the_damaged_records(void **state)
{
	uint8_t buf[8192];
	size_t off[9];
	size_t len = make_spool(buf, 8, off);
	struct radius_spool_read_stats st;
	unsigned seen[16] = { 0 };

	(void)state;
	/* a bad checksum in record 2 (seq 3), a length cut in record 5
	 * (seq 6), and record 8 (seq 8) cut short by the end of the file */
	buf[off[2] + 20] ^= 0x40;
	buf[off[5] + 3] = 0x7f;
	len = off[7] + (off[8] - off[7]) / 2;
	assert_int_equal(radius_spool_read(buf, len, collect, seen, &st), 5);
	assert_int_equal(st.records, 5);
	for (unsigned s = 1; s <= 8; s++)
		assert_int_equal(seen[s], s != 3 && s != 6 && s != 8);
	assert_int_equal(st.refused, 3);
	assert_int_equal(st.bad_checksum, 1);
	assert_int_equal(st.truncated, 2);
	assert_false(st.bad_header);

	/* through the engine: the damaged records are refused with a log
	 * line, the others are sent */
	reset();
	{
		struct radius_acct *a = engine(100, 0);

		assert_int_equal(radius_acct_restore(a, 0, 1700000000, buf, len, &st), 5);
		assert_int_equal(T.n_log, 2);	/* the refusal and the restore */
		assert_non_null(strstr(T.log[0], "3 damaged entries refused"));
		radius_acct_free(a);
	}
}

static void a_spool_with_a_bad_header_still_gives_its_records(void **state)
{
	uint8_t buf[8192];
	size_t off[4];
	size_t len = make_spool(buf, 3, off);
	struct radius_spool_read_stats st;
	unsigned seen[8] = { 0 };

	(void)state;
	memcpy(buf, "garbage!", 8);
	assert_int_equal(radius_spool_read(buf, len, collect, seen, &st), 3);
	assert_true(st.bad_header);
	assert_int_equal(st.refused, 1);
	/* and an entry whose checksum holds but whose attributes do not */
	{
		uint8_t bad[64];
		uint8_t attrs[4] = { RADIUS_USER_NAME, 9, 'x', 'y' };	/* runs past the end */
		struct radius_spool_entry e = { .kind = RADIUS_SPOOL_RECORD, .seq = 1,
						.attrs = attrs, .attrs_len = 4 };
		size_t n;

		memcpy(bad, RADIUS_SPOOL_HEADER, 8);
		n = 8 + radius_spool_encode(bad + 8, sizeof(bad) - 8, &e);
		assert_int_equal(radius_spool_read(bad, n, collect, seen, &st), 0);
		assert_int_equal(st.malformed, 1);
	}
}

static void a_spooled_record_too_long_to_send_does_not_block_the_rest(void **state)
{
	static uint8_t buf[16384];
	static uint8_t attrs[RADIUS_SPOOL_MAX_ATTRS];
	uint8_t good[4096];
	size_t off[3], good_len = make_spool(good, 2, off), len, n = 0;
	struct radius_spool_read_stats st;
	struct radius_spool_entry e = { .kind = RADIUS_SPOOL_RECORD, .seq = 1,
					.event_time = 1700000000, .attrs = attrs };
	struct radius_acct *a;

	(void)state;
	/* seq 1: well-formed attributes filling the whole record, no room
	 * left for Acct-Delay-Time */
	while (n < sizeof(attrs)) {
		size_t k = sizeof(attrs) - n > 254 ? 254 : sizeof(attrs) - n;

		attrs[n] = RADIUS_CLASS;
		attrs[n + 1] = (uint8_t)k;
		n += k;
	}
	e.attrs_len = n;
	assert_true(n + 6 > RADIUS_MAX_LEN - RADIUS_HDR_LEN);
	memcpy(buf, RADIUS_SPOOL_HEADER, RADIUS_SPOOL_HEADER_LEN);
	len = RADIUS_SPOOL_HEADER_LEN;
	len += radius_spool_encode(buf + len, sizeof(buf) - len, &e);
	/* then r1 (seq 2) as make_spool wrote it */
	memcpy(buf + len, good + off[1], good_len - off[1]);
	len += good_len - off[1];
	reset();
	a = engine(100, 0);
	assert_int_equal(radius_acct_restore(a, 0, 1700000000, buf, len, &st), 1);
	assert_int_equal(st.records, 2);
	assert_int_equal(T.n_sent, 1);	/* seq 2 goes */
	assert_non_null(strstr(T.log[0], "too long"));
	radius_acct_free(a);
}

/* reset_bytes: with nothing outstanding the spool is reset only once it
 * is past the bound; until then it keeps the records and their done
 * entries, and a restart from it sends nothing again. */
static void an_idle_spool_is_reset_only_past_its_bound(void **state)
{
	struct radius_acct *a;
	struct radius_spool_read_stats st;
	size_t before;
	unsigned n = 0;

	(void)state;
	reset();
	engine_reset_bytes = 400;
	a = engine(100, 0);
	engine_reset_bytes = 0;
	do {
		before = T.spool.len;
		put(a, n, 1700000000, "paced", RADIUS_ACCT_START);
		ack(a, n, T.n_sent - 1);
		n++;
		assert_int_equal(radius_acct_stats(a)->in_flight, 0);
	} while (!T.spool.resets && n < 50);
	/* the first records left the file as it was, the one past 400 reset it */
	assert_true(n > 1);
	assert_int_equal(T.spool.resets, 1);
	assert_true(before <= 400);
	assert_int_equal(T.spool.len, RADIUS_SPOOL_HEADER_LEN);
	/* one more: appended, not reset; a restart finds it done */
	put(a, n, 1700000000, "paced", RADIUS_ACCT_START);
	ack(a, n, T.n_sent - 1);
	assert_int_equal(T.spool.resets, 1);
	assert_true(T.spool.len > RADIUS_SPOOL_HEADER_LEN);
	radius_acct_free(a);
	{
		struct mem_spool copy = T.spool;
		struct radius_acct *b;

		reset();
		b = engine(100, 0);
		/* the record and its done entry: nothing to restore */
		assert_int_equal(radius_acct_restore(b, 0, 1700000010, copy.buf, copy.len, &st), 0);
		assert_int_equal(st.records, 1);
		assert_int_equal(st.done, 1);
		assert_int_equal(T.n_sent, 0);
		assert_int_equal(radius_acct_stats(b)->queued + radius_acct_stats(b)->in_flight, 0);
		radius_acct_free(b);
	}
}

static void the_spool_is_rewritten_when_it_grew_too_much(void **state)
{
	struct radius_acct *a;
	struct radius_spool_read_stats st;
	unsigned seen[64] = { 0 };

	(void)state;
	reset();
	a = engine(100, 600);
	/* one record stays unanswered, the others come and go */
	put(a, 0, 1700000000, "stuck", RADIUS_ACCT_START);
	for (unsigned i = 0; i < 20; i++) {
		put(a, 10 + i, 1700000000, "busy", RADIUS_ACCT_INTERIM);
		ack(a, 10 + i, T.n_sent - 1);
	}
	assert_true(T.spool.rewrites > 0);
	assert_true(T.spool.len < 600);
	/* what it holds: the stuck record, nothing acknowledged */
	assert_true(radius_spool_read(T.spool.buf, T.spool.len, collect, seen, &st) >= 1);
	assert_int_equal(st.refused, 0);
	assert_int_equal(seen[1], 1);
	assert_int_equal(radius_acct_stats(a)->in_flight, 1);
	radius_acct_free(a);
	{
		struct mem_spool copy = T.spool;
		struct radius_acct *b;

		reset();
		b = engine(100, 0);
		assert_int_equal(radius_acct_restore(b, 0, 1700000010, copy.buf, copy.len, &st), 1);
		radius_acct_free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_interim_and_stop_carry_what_the_session_did),
		cmocka_unit_test(accounting_on_and_off_carry_the_nas_only),
		cmocka_unit_test(every_session_end_has_a_terminate_cause),
		cmocka_unit_test(an_unanswered_record_is_sent_again_unchanged),
		cmocka_unit_test(a_silent_server_is_failed_over_with_the_delay_counted),
		cmocka_unit_test(records_wait_while_servers_are_down_and_go_when_one_returns),
		cmocka_unit_test(a_deadline_is_never_in_the_past_while_servers_are_dead),
		cmocka_unit_test(a_reload_sends_the_records_in_flight_to_the_new_servers),
		cmocka_unit_test(the_queue_bound_drops_the_oldest_with_one_log_line),
		cmocka_unit_test(a_long_outage_at_scale_keeps_the_newest_records),
		cmocka_unit_test(unacknowledged_records_survive_a_restart),
		cmocka_unit_test(an_acknowledged_record_stays_done_when_the_reset_fails),
		cmocka_unit_test(a_damaged_spool_loses_only_the_damaged_records),
		cmocka_unit_test(a_spool_with_a_bad_header_still_gives_its_records),
		cmocka_unit_test(a_spooled_record_too_long_to_send_does_not_block_the_rest),
		cmocka_unit_test(the_spool_is_rewritten_when_it_grew_too_much),
		cmocka_unit_test(an_idle_spool_is_reset_only_past_its_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
