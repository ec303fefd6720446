/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Figures for the L2TP control plane (never pass/fail on time):
 *   - per-tunnel and per-session control state (sizeof), and the transport
 *     queue cost per unacknowledged message;
 *   - heap growth and wall time to bring up T tunnels x S calls between an
 *     LNS ctx and a LAC ctx over a clean in-memory link (default 1000 x 100
 *     = 100,000 sessions), and the cost of one idle timer pass.
 * Usage: bench_l2tp [tunnels] [sessions-per-tunnel]
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "l2tp.h"
#include "l2tp_transport.h"

struct dgram {
	struct dgram *next;
	int to;
	struct l2tp_addr from;
	size_t len;
	uint8_t data[];
};

struct node {
	struct l2tp_ctx *ctx;
	struct l2tp_addr addr;
	int idx;
	unsigned long long up;
};

static struct node nodes[2];
static struct dgram *head, *tail;
static uint64_t rnd_state = 88172645463325252ULL;

static int bench_random(void *arg, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)arg;
	for (size_t i = 0; i < len; i++) {
		rnd_state ^= rnd_state << 13;
		rnd_state ^= rnd_state >> 7;
		rnd_state ^= rnd_state << 17;
		p[i] = (uint8_t)rnd_state;
	}
	return 0;
}

static void link_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		      const uint8_t *buf, size_t len)
{
	struct node *n = arg;
	struct dgram *d = malloc(sizeof(*d) + len);

	if (!d)
		abort();
	d->next = NULL;
	d->to = 1 - n->idx;
	d->from = n->addr;
	d->len = len;
	memcpy(d->data, buf, len);
	if (tail)
		tail->next = d;
	else
		head = d;
	tail = d;
}

static void node_event(void *arg, const struct l2tp_event *ev)
{
	struct node *n = arg;

	if (ev->type == L2TP_EV_SESSION_UP)
		n->up++;
}

static const struct l2tp_ops ops = {link_send, node_event, NULL, NULL};

static void pump(uint64_t now)
{
	while (head) {
		struct dgram *d = head;

		head = d->next;
		if (!head)
			tail = NULL;
		l2tp_ctx_input(nodes[d->to].ctx, &d->from, &nodes[d->to].addr, d->data, d->len, now);
		free(d);
	}
}

static double secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned tunnels = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	unsigned per = argc > 2 ? (unsigned)atoi(argv[2]) : 100;
	size_t heap0, heap1;
	double t0, t1, t2;
	uint64_t now = 1000;

	printf("sizeof per tunnel:          %zu bytes (budget 4096)\n", l2tp_sizeof_tunnel());
	printf("sizeof per session:         %zu bytes (budget 1024)\n", l2tp_sizeof_session());
	printf("retransmit queue entry:     %zu bytes + message (ICRP ~30, SCCRP ~90)\n",
	       sizeof(struct l2tp_pkt));

	for (int i = 0; i < 2; i++) {
		struct l2tp_config cfg;

		l2tp_config_defaults(&cfg);
		cfg.random = bench_random;
		cfg.max_tunnels = tunnels + 1;
		cfg.max_sessions = tunnels * per + 1;
		cfg.max_sessions_per_tunnel = per;
		cfg.new_tunnel_burst = tunnels + 1; /* one LAC host opens them all */
		nodes[i].idx = i;
		nodes[i].addr.family = AF_INET;
		nodes[i].addr.port = 1701;
		nodes[i].addr.addr[0] = 127;
		nodes[i].addr.addr[3] = (uint8_t)(1 + i);
		nodes[i].ctx = l2tp_ctx_new(&cfg, &ops, &nodes[i]);
		if (!nodes[i].ctx)
			return 1;
	}
	heap0 = mallinfo2().uordblks;
	t0 = secs();
	for (unsigned t = 0; t < tunnels; t++) {
		uint16_t tid, sid;

		if (l2tp_tunnel_open(nodes[1].ctx, &nodes[0].addr, &nodes[1].addr, now, &tid) != 0)
			return 1;
		for (unsigned s = 0; s < per; s++)
			if (l2tp_session_open(nodes[1].ctx, tid, now, &sid) != 0)
				return 1;
		pump(now);
	}
	t1 = secs();
	heap1 = mallinfo2().uordblks;
	printf("established:                %llu/%u calls (LNS side) in %u tunnels\n",
	       nodes[0].up, tunnels * per, tunnels);
	printf("setup time:                 %.3f s, %.1f us per call (both ends, one core)\n",
	       t1 - t0, (t1 - t0) * 1e6 / (tunnels * per));
	if (heap1 > heap0)
		printf("heap growth, both ends:     %.1f MiB, %.0f bytes per call per end "
		       "(tunnels included)\n", (heap1 - heap0) / 1048576.0,
		       (double)(heap1 - heap0) / (2.0 * tunnels * per));
	else
		printf("heap growth:                n/a (allocator without mallinfo2, e.g. ASan)\n");
	/* one pass over the timers when nothing is due: O(1) per pass */
	t1 = secs();
	for (int i = 0; i < 1000; i++)
		l2tp_ctx_run_timers(nodes[0].ctx, now + 1);
	t2 = secs();
	printf("idle timer pass:            %.3f us (next deadline in %llu ms)\n",
	       (t2 - t1) * 1e6 / 1000,
	       (unsigned long long)(l2tp_ctx_next_deadline(nodes[0].ctx) - now));
	t1 = secs();
	l2tp_ctx_close_all(nodes[1].ctx, now);
	pump(now);
	t2 = secs();
	printf("teardown (StopCCN x %u):    %.3f s\n", tunnels, t2 - t1);
	l2tp_ctx_free(nodes[0].ctx);
	l2tp_ctx_free(nodes[1].ctx);
	return 0;
}
