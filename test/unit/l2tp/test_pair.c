/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An LNS ctx and a LAC ctx over a simulated link that drops, duplicates and
 * reorders datagrams (seeded, many seeds): every tunnel and call comes up,
 * everything is torn down from both ends, both sides end with nothing held
 * and no timer armed, and LeakSanitizer finds nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "l2tp.h"

#define NTUN 3
#define NSESS 4
#define MAXS (NTUN * NSESS)

struct dgram {
	struct dgram *next;
	uint64_t at;
	int to;
	struct l2tp_addr from;
	size_t len;
	uint8_t data[];
};

struct sim;

struct node {
	struct sim *sim;
	int idx;
	struct l2tp_ctx *ctx;
	struct l2tp_addr addr;
	unsigned tunnel_up, tunnel_down, session_up, session_down, bad_down;
	uint16_t up_tid[MAXS], up_sid[MAXS], up_peer_sid[MAXS];
};

struct sim {
	struct node n[2];	/* 0: LNS, 1: LAC */
	uint64_t now, rnd;
	unsigned loss_pct, dup_pct, reorder_pct;
	struct dgram *q;
	uint64_t sent, dropped, duplicated;
};

static uint32_t rnd(struct sim *s)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 7;
	s->rnd ^= s->rnd << 17;
	return (uint32_t)(s->rnd >> 16);
}

static int node_random(void *arg, void *buf, size_t len)
{
	struct node *n = arg;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)rnd(n->sim);
	return 0;
}

static void enqueue(struct sim *s, int to, const struct l2tp_addr *from, const uint8_t *buf,
		    size_t len, uint64_t at)
{
	struct dgram *d = malloc(sizeof(*d) + len), **pp;

	assert_non_null(d);
	d->at = at;
	d->to = to;
	d->from = *from;
	d->len = len;
	memcpy(d->data, buf, len);
	for (pp = &s->q; *pp && (*pp)->at <= at; pp = &(*pp)->next)
		;
	d->next = *pp;
	*pp = d;
}

static void link_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		      const uint8_t *buf, size_t len)
{
	struct node *n = arg;
	struct sim *s = n->sim;
	int copies = 1;

	s->sent++;
	if (rnd(s) % 100 < s->loss_pct) {
		s->dropped++;
		return;
	}
	if (rnd(s) % 100 < s->dup_pct) {
		copies = 2;
		s->duplicated++;
	}
	for (int i = 0; i < copies; i++) {
		uint64_t delay = 5 + (rnd(s) % 100 < s->reorder_pct ? rnd(s) % 300 : 0);

		enqueue(s, 1 - n->idx, &n->addr, buf, len, s->now + delay);
	}
}

static void node_event(void *arg, const struct l2tp_event *ev)
{
	struct node *n = arg;

	switch (ev->type) {
	case L2TP_EV_TUNNEL_UP:
		n->tunnel_up++;
		break;
	case L2TP_EV_TUNNEL_DOWN:
		n->tunnel_down++;
		if (ev->cause != L2TP_DOWN_PEER && ev->cause != L2TP_DOWN_LOCAL)
			n->bad_down++;
		break;
	case L2TP_EV_SESSION_UP:
		assert_true(n->session_up < MAXS);
		n->up_tid[n->session_up] = ev->tunnel_id;
		n->up_sid[n->session_up] = ev->session_id;
		n->up_peer_sid[n->session_up] = ev->peer_session_id;
		n->session_up++;
		break;
	case L2TP_EV_SESSION_DOWN:
		n->session_down++;
		if (ev->cause != L2TP_DOWN_PEER && ev->cause != L2TP_DOWN_LOCAL)
			n->bad_down++;
		break;
	default:
		break;
	}
}

static const struct l2tp_ops link_ops = {link_send, node_event, NULL, NULL};

static void sim_init(struct sim *s, uint64_t seed, unsigned loss, unsigned dup, unsigned reorder)
{
	memset(s, 0, sizeof(*s));
	s->rnd = seed * 0x9e3779b97f4a7c15ULL + 0x1234567;
	s->now = 1000;
	s->loss_pct = loss;
	s->dup_pct = dup;
	s->reorder_pct = reorder;
	for (int i = 0; i < 2; i++) {
		struct node *n = &s->n[i];
		struct l2tp_config cfg;

		n->sim = s;
		n->idx = i;
		n->addr.family = AF_INET;
		n->addr.port = 1701;
		n->addr.addr[0] = 192;
		n->addr.addr[1] = 0;
		n->addr.addr[2] = 2;
		n->addr.addr[3] = (uint8_t)(1 + i);
		l2tp_config_defaults(&cfg);
		cfg.random = node_random;
		cfg.random_arg = n;
		/* 20% loss each way means a message and its ack both get
		 * through 64% of the time: give the transport more tries
		 * than the default 5 so that no seed loses a tunnel. */
		cfg.max_retries = 12;
		cfg.session_setup_timeout_ms = 600000;
		cfg.hello_interval_ms = 20000;
		cfg.host_name = i ? "lac.test" : "lns.test";
		cfg.secret = (const uint8_t *)"pair-secret";
		cfg.secret_len = 11;
		cfg.receive_window = 4;
		n->ctx = l2tp_ctx_new(&cfg, &link_ops, n);
		assert_non_null(n->ctx);
	}
}

static void sim_fini(struct sim *s)
{
	while (s->q) {
		struct dgram *d = s->q;

		s->q = d->next;
		free(d);
	}
	l2tp_ctx_free(s->n[0].ctx);
	l2tp_ctx_free(s->n[1].ctx);
}

/* Run the link and both timers until done(s) or sim time reaches limit. */
static bool sim_run(struct sim *s, bool (*done)(struct sim *), uint64_t limit)
{
	while (!done(s)) {
		uint64_t next = s->q ? s->q->at : UINT64_MAX;

		for (int i = 0; i < 2; i++) {
			uint64_t d = l2tp_ctx_next_deadline(s->n[i].ctx);

			if (d < next)
				next = d;
		}
		if (next == UINT64_MAX || next > limit)
			return false;
		if (next > s->now)
			s->now = next;
		while (s->q && s->q->at <= s->now) {
			struct dgram *d = s->q;
			struct node *to = &s->n[d->to];

			s->q = d->next;
			l2tp_ctx_input(to->ctx, &d->from, &to->addr, d->data, d->len, s->now);
			free(d);
		}
		for (int i = 0; i < 2; i++)
			l2tp_ctx_run_timers(s->n[i].ctx, s->now);
	}
	return true;
}

static bool all_up(struct sim *s)
{
	return s->n[1].tunnel_up == NTUN && s->n[0].tunnel_up == NTUN &&
	       s->n[1].session_up == MAXS && s->n[0].session_up == MAXS;
}

static bool calls_down(struct sim *s)
{
	return s->n[0].session_down == MAXS && s->n[1].session_down == MAXS;
}

static bool all_gone(struct sim *s)
{
	for (int i = 0; i < 2; i++) {
		const struct l2tp_stats *st = l2tp_ctx_stats(s->n[i].ctx);

		if (st->tunnels_active || st->tunnels_draining || st->sessions_active ||
		    st->sessions_draining)
			return false;
	}
	return s->q == NULL;
}

static uint64_t total_sent, total_dropped, total_duplicated, total_retransmits;

static void report(const char *what)
{
	printf("# %s: %llu datagrams, %llu dropped, %llu duplicated, %llu retransmitted\n", what,
	       (unsigned long long)total_sent, (unsigned long long)total_dropped,
	       (unsigned long long)total_duplicated, (unsigned long long)total_retransmits);
	total_sent = total_dropped = total_duplicated = total_retransmits = 0;
}

static void run_scenario(uint64_t seed, unsigned loss, unsigned dup, unsigned reorder)
{
	struct sim s;
	uint16_t tids[NTUN];
	struct node *lns = &s.n[0], *lac = &s.n[1];

	sim_init(&s, seed, loss, dup, reorder);
	for (int t = 0; t < NTUN; t++) {
		assert_int_equal(l2tp_tunnel_open(lac->ctx, &lns->addr, &lac->addr, s.now, &tids[t]), 0);
		for (int k = 0; k < NSESS; k++) {
			uint16_t sid;

			/* calls placed at once wait for the tunnel (7.2.1) */
			assert_int_equal(l2tp_session_open(lac->ctx, tids[t], s.now, &sid), 0);
		}
	}
	if (!sim_run(&s, all_up, s.now + 3600 * 1000)) {
		fprintf(stderr, "seed %llu: tunnels %u/%u sessions %u/%u\n",
			(unsigned long long)seed, lac->tunnel_up, lns->tunnel_up, lac->session_up,
			lns->session_up);
		fail();
	}
	/* Hang up half the calls from each end. */
	for (unsigned i = 0; i < MAXS; i++) {
		if (lac->up_sid[i] % 2 == 0)
			assert_int_equal(l2tp_session_close(lac->ctx, lac->up_tid[i], lac->up_sid[i],
							    L2TP_CDN_ADMIN, 0, s.now), 0);
		if (lns->up_peer_sid[i] % 2 == 1)
			assert_int_equal(l2tp_session_close(lns->ctx, lns->up_tid[i], lns->up_sid[i],
							    L2TP_CDN_LOST_CARRIER, 0, s.now), 0);
	}
	assert_true(sim_run(&s, calls_down, s.now + 3600 * 1000));
	/* Close the tunnels, the last one from the LNS end. */
	for (int t = 0; t < NTUN - 1; t++)
		assert_int_equal(l2tp_tunnel_close(lac->ctx, tids[t], L2TP_STOPCCN_CLEAR, 0, s.now), 0);
	{
		struct l2tp_tunnel_info ti;

		assert_int_equal(l2tp_tunnel_get(lac->ctx, tids[NTUN - 1], &ti), 0);
		assert_int_equal(l2tp_tunnel_close(lns->ctx, ti.peer_id, L2TP_STOPCCN_CLEAR, 0, s.now), 0);
	}
	assert_true(sim_run(&s, all_gone, s.now + 3600 * 1000));
	for (int i = 0; i < 2; i++) {
		const struct l2tp_stats *st = l2tp_ctx_stats(s.n[i].ctx);

		assert_int_equal(s.n[i].bad_down, 0);
		assert_int_equal(s.n[i].tunnel_down, NTUN);
		assert_int_equal(st->tunnels_freed, st->tunnels_created);
		assert_int_equal(st->sessions_freed, st->sessions_created);
		assert_int_equal(st->rejects[L2TP_R_BAD_STATE], 0);
		assert_int_equal(st->rejects[L2TP_R_AUTH_FAILED], 0);
		assert_int_equal(l2tp_ctx_next_deadline(s.n[i].ctx), UINT64_MAX);
	}
	assert_int_equal(l2tp_ctx_stats(lns->ctx)->tunnels_created, NTUN);
	assert_int_equal(l2tp_ctx_stats(lns->ctx)->sessions_created, MAXS);
	if (loss)
		assert_true(s.dropped > 0);
	total_sent += s.sent;
	total_dropped += s.dropped;
	total_duplicated += s.duplicated;
	total_retransmits += l2tp_ctx_stats(lns->ctx)->retransmits +
			     l2tp_ctx_stats(lac->ctx)->retransmits;
	sim_fini(&s);
}

static void clean_link_brings_everything_up_and_down(void **state)
{
	run_scenario(1, 0, 0, 0);
	assert_int_equal(total_retransmits, 0);
	report("clean");
}

static void link_that_duplicates_and_reorders_changes_nothing(void **state)
{
	for (uint64_t seed = 1; seed <= 20; seed++)
		run_scenario(seed, 0, 30, 50);
	report("dup+reorder, 20 seeds");
}

static void link_with_20_percent_loss_dups_and_reordering_over_many_seeds(void **state)
{
	for (uint64_t seed = 1; seed <= 60; seed++)
		run_scenario(seed, 20, 10, 30);
	report("20% loss, 60 seeds");
}

static void link_with_40_percent_loss_still_converges(void **state)
{
	for (uint64_t seed = 100; seed <= 110; seed++)
		run_scenario(seed, 40, 5, 20);
	report("40% loss, 11 seeds");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_link_brings_everything_up_and_down),
		cmocka_unit_test(link_that_duplicates_and_reorders_changes_nothing),
		cmocka_unit_test(link_with_20_percent_loss_dups_and_reordering_over_many_seeds),
		cmocka_unit_test(link_with_40_percent_loss_still_converges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
