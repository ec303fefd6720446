/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCP pool's lease engine (dhcp/lease_client.h) against a scripted
 * server and a fake clock: a block leased with our client ids, RFC 2131's
 * exchanges, timers and back-off, the refill threshold, release, and
 * every answer that must be dropped. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp.h"
#include "lease_client.h"

static const uint8_t MAC[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 };
/* R % 2001 == 1000: the +-1 s jitter is 0, so deadlines are exact */
#define RANDOM (2001u * 1000000u + 1000u)

static uint32_t ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a.s_addr;
}

struct sent {
	uint8_t buf[DHCP_MAX_LEN];
	size_t len;
	uint32_t dst;
	struct dhcp_msg m;
};

struct fx {
	struct dhcp_lc lc;
	uint64_t now;
	struct sent sent[512];
	size_t n_sent;
	int events[16];		/* by enum dhcp_lc_event */
	uint32_t last_event_addr;
};

static void fx_send(void *ctx, const uint8_t *buf, size_t len, uint32_t dst)
{
	struct fx *f = ctx;
	struct sent *s = &f->sent[f->n_sent % 512];

	assert_true(len <= sizeof(s->buf));
	memcpy(s->buf, buf, len);
	s->len = len;
	s->dst = dst;
	assert_int_equal(dhcp_parse(s->buf, len, &s->m), DHCP_OK);
	f->n_sent++;
}

static void fx_event(void *ctx, enum dhcp_lc_event ev, struct dhcp_lease *l)
{
	struct fx *f = ctx;

	f->events[ev]++;
	f->last_event_addr = l ? l->addr : 0;
}

/* Values that are all RANDOM modulo 2001 (no jitter) and differ above the
 * xid's index bits (steps of 2001 * 1024 are over 2^20): new xids differ. */
static uint32_t fx_random(void *ctx)
{
	static unsigned n;

	(void)ctx;
	return RANDOM + 2001u * 1024u * (n++ % 1000);
}

static const struct dhcp_lc_ops ops = { fx_send, fx_event, fx_random };

static struct fx *setup(uint32_t block, uint32_t refill_at, uint32_t max)
{
	static struct fx f;
	struct dhcp_lc_config c;

	memset(&f, 0, sizeof(f));
	memset(&c, 0, sizeof(c));
	memcpy(c.chaddr, MAC, 6);
	c.giaddr = ip("192.0.2.1");
	c.netmask = ip("255.255.255.0");
	c.block = block;
	c.refill_at = refill_at;
	c.max_leases = max;
	memcpy(c.cid_prefix, "l2tpd:020005e10001:lan:", 23);
	c.cid_prefix_len = 23;
	f.now = 1000000;
	assert_int_equal(dhcp_lc_init(&f.lc, &c, &ops, &f), 0);
	return &f;
}

static void teardown(struct fx *f)
{
	dhcp_lc_free(&f->lc);
}

static struct sent *last(struct fx *f)
{
	assert_true(f->n_sent > 0);
	return &f->sent[(f->n_sent - 1) % 512];
}

static struct sent *nth(struct fx *f, size_t i)
{
	return &f->sent[i % 512];
}

/* Run the clock to t, firing every deadline on the way. */
static void advance_to(struct fx *f, uint64_t t)
{
	uint64_t d;

	while ((d = dhcp_lc_next_deadline(&f->lc)) <= t) {
		f->now = d;
		dhcp_lc_run_timers(&f->lc, f->now);
	}
	f->now = t;
}

struct reply {
	uint8_t type;
	uint32_t xid, yiaddr, server_id, lease, t1, t2;
	const uint8_t *cid;
	size_t cid_len;
	const uint8_t *chaddr;
	uint8_t op;
};

static size_t build(uint8_t *buf, const struct reply *r)
{
	struct dhcp_writer w;

	dhcp_begin(&w, buf, DHCP_MAX_LEN, r->op ? r->op : DHCP_BOOTREPLY, r->xid,
		   r->chaddr ? r->chaddr : MAC, 6, r->type);
	dhcp_set_addrs(&w, 0, r->yiaddr, 0, ip("192.0.2.1"));
	if (r->server_id)
		dhcp_put_addr(&w, DHCP_OPT_SERVER_ID, r->server_id);
	if (r->lease)
		dhcp_put_u32(&w, DHCP_OPT_LEASE_TIME, r->lease);
	if (r->t1)
		dhcp_put_u32(&w, DHCP_OPT_RENEWAL_TIME, r->t1);
	if (r->t2)
		dhcp_put_u32(&w, DHCP_OPT_REBINDING_TIME, r->t2);
	if (r->cid)
		dhcp_put(&w, DHCP_OPT_CLIENT_ID, r->cid, r->cid_len);
	dhcp_put_addr(&w, DHCP_OPT_SUBNET_MASK, ip("255.255.255.0"));
	return dhcp_finish(&w);
}

static void deliver(struct fx *f, const struct reply *r)
{
	uint8_t buf[DHCP_MAX_LEN];
	size_t n = build(buf, r);

	assert_true(n > 0);
	dhcp_lc_input(&f->lc, buf, n, f->now);
}

#define SERVER ip("192.0.2.2")

/* The server's answer to request s (DISCOVER -> OFFER, REQUEST -> ACK). */
static struct reply answer(const struct sent *s, uint8_t type, const char *addr, uint32_t lease)
{
	struct reply r = {
		.type = type, .xid = s->m.xid, .yiaddr = addr ? ip(addr) : 0,
		.server_id = SERVER, .lease = lease, .cid = s->m.client_id,
		.cid_len = s->m.client_id_len,
	};
	return r;
}

/* Lease every outstanding DISCOVER of the last `n` sent: addresses
 * .100, .101, ... of the LAN, lease seconds `lease`. */
static void lease_block(struct fx *f, size_t n, unsigned first, uint32_t lease)
{
	size_t base = f->n_sent - n;

	for (size_t i = 0; i < n; i++) {
		char a[32];
		struct sent d = *nth(f, base + i);

		assert_int_equal(d.m.type, DHCPDISCOVER);
		snprintf(a, sizeof(a), "192.0.2.%u", first + (unsigned)i);
		struct reply o = answer(&d, DHCPOFFER, a, lease);
		deliver(f, &o);
		struct sent rq = *last(f);
		assert_int_equal(rq.m.type, DHCPREQUEST);
		struct reply ack = answer(&rq, DHCPACK, a, lease);
		deliver(f, &ack);
	}
}

static void start_sends_a_block_of_discovers_with_own_client_ids(void **state)
{
	struct fx *f = setup(0, 0, 0);

	assert_int_equal(f->n_sent, 0);		/* nothing before start */
	dhcp_lc_start(&f->lc, f->now);
	assert_int_equal(f->n_sent, DHCP_LC_DEFAULT_BLOCK);
	for (size_t i = 0; i < f->n_sent; i++) {
		struct sent *s = nth(f, i);
		char cid[64];
		int n = snprintf(cid, sizeof(cid), "%cl2tpd:020005e10001:lan:%zu", 0, i);

		assert_int_equal(s->m.type, DHCPDISCOVER);
		assert_int_equal(s->dst, htonl(INADDR_BROADCAST));
		assert_int_equal(s->m.giaddr, ip("192.0.2.1"));	/* relay form */
		assert_int_equal(s->m.ciaddr, 0);
		assert_memory_equal(s->m.chaddr, MAC, 6);
		assert_int_equal(s->m.client_id_len, n);
		assert_memory_equal(s->m.client_id, cid, (size_t)n);
		assert_int_equal(s->m.xid & (DHCP_LC_MAX_LEASES - 1), i);
	}
	assert_int_equal(f->lc.n_acquiring, 10);
	teardown(f);
}

static void offer_request_ack_makes_a_ready_lease(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct sent d = *last(f);
	struct reply o = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct sent *rq = last(f);
	assert_int_equal(rq->m.type, DHCPREQUEST);
	assert_int_equal(rq->m.xid, d.m.xid);
	assert_int_equal(rq->m.requested_ip, ip("192.0.2.100"));	/* RFC 2131 4.3.2 */
	assert_int_equal(rq->m.server_id, SERVER);
	assert_int_equal(rq->m.ciaddr, 0);
	assert_int_equal(rq->dst, htonl(INADDR_BROADCAST));
	assert_null(dhcp_lc_take(&f->lc, f->now));	/* offered is not leased */
	assert_int_equal(f->events[DHCP_LC_EXHAUSTED], 1);

	struct reply a = answer(rq, DHCPACK, "192.0.2.100", 3600);
	deliver(f, &a);
	assert_int_equal(f->events[DHCP_LC_BOUND], 1);
	assert_int_equal(f->lc.n_ready, 1);
	struct dhcp_lease *l = dhcp_lc_take(&f->lc, f->now);
	assert_non_null(l);
	assert_int_equal(l->addr, ip("192.0.2.100"));
	assert_ptr_equal(dhcp_lc_find(&f->lc, ip("192.0.2.100")), l);
	assert_int_equal(l->t1_ms, f->now + 1800000);	/* defaults: 1/2, 7/8 */
	assert_int_equal(l->t2_ms, f->now + 3150000);
	assert_int_equal(l->expiry_ms, f->now + 3600000);
	teardown(f);
}

static void answers_not_ours_are_dropped(void **state)
{
	struct fx *f = setup(1, 1, 0);
	uint8_t other_mac[6] = { 2, 0, 0, 0, 0, 9 };
	uint8_t junk[300];

	dhcp_lc_start(&f->lc, f->now);
	struct sent d = *last(f);
	size_t sent = f->n_sent;

	struct reply r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.xid ^= 0x00100000;				/* wrong xid */
	deliver(f, &r);
	r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.xid = (d.m.xid & ~(DHCP_LC_MAX_LEASES - 1)) | 7;	/* no such lease */
	deliver(f, &r);
	r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.cid = (const uint8_t *)"\0someone-else";	/* wrong client id */
	r.cid_len = 13;
	deliver(f, &r);
	r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.chaddr = other_mac;
	deliver(f, &r);
	r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.server_id = 0;				/* no server id */
	deliver(f, &r);
	r = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	r.op = DHCP_BOOTREQUEST;			/* our own broadcast */
	deliver(f, &r);
	r = answer(&d, DHCPACK, "192.0.2.100", 3600);	/* ACK while selecting */
	deliver(f, &r);
	memset(junk, 0xff, sizeof(junk));
	dhcp_lc_input(&f->lc, junk, sizeof(junk), f->now);
	dhcp_lc_input(&f->lc, junk, 10, f->now);
	assert_int_equal(f->lc.stats.dropped, 9);
	assert_int_equal(f->n_sent, sent);		/* no REQUEST for any */
	assert_int_equal(f->lc.leases[0]->state, DHCP_LS_SELECTING);
	teardown(f);
}

static void offers_outside_the_subnet_or_taken_are_refused(void **state)
{
	struct fx *f = setup(2, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct sent d0 = *nth(f, 0), d1 = *nth(f, 1);
	size_t sent = f->n_sent;
	static const char *const bad[] = {
		"198.51.100.7",		/* another subnet */
		"192.0.2.0",		/* the network's address */
		"192.0.2.255",		/* its broadcast */
		"192.0.2.1",		/* our own */
		"0.0.0.0",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct reply r = answer(&d0, DHCPOFFER, bad[i], 3600);
		deliver(f, &r);
	}
	struct reply nolease = answer(&d0, DHCPOFFER, "192.0.2.50", 0);
	deliver(f, &nolease);
	assert_int_equal(f->lc.stats.offers_refused, 6);
	assert_int_equal(f->n_sent, sent);

	/* lease 0 gets .100; the same address offered to lease 1 is refused */
	struct reply o = answer(&d0, DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct reply a = answer(last(f), DHCPACK, "192.0.2.100", 3600);
	deliver(f, &a);
	sent = f->n_sent;
	o = answer(&d1, DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	assert_int_equal(f->lc.stats.offers_refused, 7);
	assert_int_equal(f->n_sent, sent);
	assert_int_equal(f->lc.leases[1]->state, DHCP_LS_SELECTING);
	teardown(f);
}

static void ack_from_another_server_or_for_another_address_is_dropped(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct reply o = answer(last(f), DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct sent rq = *last(f);
	struct reply a = answer(&rq, DHCPACK, "192.0.2.100", 3600);
	a.server_id = ip("192.0.2.3");
	deliver(f, &a);
	a = answer(&rq, DHCPACK, "192.0.2.101", 3600);
	deliver(f, &a);
	a = answer(&rq, DHCPACK, "192.0.2.100", 0);		/* no lease time */
	deliver(f, &a);
	a = answer(&rq, DHCPNAK, NULL, 0);
	a.server_id = ip("192.0.2.3");				/* not the chosen one */
	deliver(f, &a);
	assert_int_equal(f->lc.stats.dropped, 4);
	assert_int_equal(f->lc.leases[0]->state, DHCP_LS_REQUESTING);
	assert_int_equal(f->lc.n_ready, 0);
	teardown(f);
}

static void nak_while_requesting_starts_over_with_a_new_xid(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct reply o = answer(last(f), DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct sent rq = *last(f);
	struct reply n = answer(&rq, DHCPNAK, NULL, 0);
	deliver(f, &n);
	assert_int_equal(f->lc.stats.naks, 1);
	struct sent *d = last(f);
	assert_int_equal(d->m.type, DHCPDISCOVER);
	assert_int_equal(f->lc.leases[0]->state, DHCP_LS_SELECTING);
	assert_int_equal(d->m.client_id_len, rq.m.client_id_len);
	assert_null(dhcp_lc_find(&f->lc, ip("192.0.2.100")));
	/* the old exchange's ACK is stale now */
	struct reply a = answer(&rq, DHCPACK, "192.0.2.100", 3600);
	deliver(f, &a);
	assert_int_equal(f->lc.n_ready, 0);
	teardown(f);
}

static void one_address_acked_to_two_of_our_ids_is_kept_once(void **state)
{
	struct fx *f = setup(2, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct sent d0 = *nth(f, 0), d1 = *nth(f, 1);
	/* the same offer to both (a server that does not hold offers) */
	struct reply o = answer(&d0, DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct sent r0 = *last(f);
	o = answer(&d1, DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	struct sent r1 = *last(f);
	assert_int_equal(r1.m.type, DHCPREQUEST);
	/* and a server that ACKs both */
	struct reply a = answer(&r0, DHCPACK, "192.0.2.100", 3600);
	deliver(f, &a);
	a = answer(&r1, DHCPACK, "192.0.2.100", 3600);
	deliver(f, &a);
	assert_int_equal(f->lc.n_bound, 1);
	assert_ptr_equal(dhcp_lc_find(&f->lc, ip("192.0.2.100")), f->lc.leases[0]);
	assert_int_equal(f->lc.leases[1]->state, DHCP_LS_SELECTING);
	assert_int_equal(last(f)->m.type, DHCPDISCOVER);	/* it starts over */
	assert_int_not_equal(last(f)->m.xid, r1.m.xid);
	teardown(f);
}

static void an_engine_claims_only_answers_to_its_exchanges(void **state)
{
	struct fx *f = setup(1, 1, 1);
	uint8_t buf[DHCP_MAX_LEN];

	dhcp_lc_start(&f->lc, f->now);
	struct sent d = *last(f);
	struct reply o = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	size_t n = build(buf, &o);
	assert_true(dhcp_lc_claims(&f->lc, buf, n));
	assert_false(dhcp_lc_claims(&f->lc, buf, 239));		/* short */
	o.xid ^= 0x00100000;
	n = build(buf, &o);
	assert_false(dhcp_lc_claims(&f->lc, buf, n));		/* not our xid */
	o = answer(&d, DHCPOFFER, "192.0.2.100", 3600);
	o.op = DHCP_BOOTREQUEST;
	n = build(buf, &o);
	assert_false(dhcp_lc_claims(&f->lc, buf, n));
	lease_block(f, 1, 100, 3600);
	o = answer(&d, DHCPACK, "192.0.2.100", 3600);
	n = build(buf, &o);
	assert_false(dhcp_lc_claims(&f->lc, buf, n));		/* bound: no exchange */
	teardown(f);
}

static void discover_backs_off_4_8_16_then_the_pool_waits(void **state)
{
	struct fx *f = setup(1, 1, 0);
	uint64_t t0 = f->now;

	dhcp_lc_start(&f->lc, t0);
	assert_int_equal(f->n_sent, 1);
	advance_to(f, t0 + 3999);
	assert_int_equal(f->n_sent, 1);
	advance_to(f, t0 + 4000);			/* RFC 2131 4.1: 4 s */
	assert_int_equal(f->n_sent, 2);
	advance_to(f, t0 + 4000 + 7999);
	assert_int_equal(f->n_sent, 2);
	advance_to(f, t0 + 12000);			/* then 8 s */
	assert_int_equal(f->n_sent, 3);
	advance_to(f, t0 + 28000);			/* then 16 s */
	assert_int_equal(f->n_sent, 4);
	for (size_t i = 1; i < 4; i++) {		/* same exchange: same xid */
		assert_int_equal(nth(f, i)->m.xid, nth(f, 0)->m.xid);
		assert_int_equal(nth(f, i)->m.type, DHCPDISCOVER);
	}
	assert_int_equal(nth(f, 3)->m.secs, 28);	/* seconds since it began */
	assert_int_equal(f->events[DHCP_LC_SERVER_DOWN], 0);
	advance_to(f, t0 + 60000 - 1);
	assert_int_equal(f->events[DHCP_LC_SERVER_DOWN], 0);
	advance_to(f, t0 + 60000);			/* 32 s more: given up */
	assert_int_equal(f->events[DHCP_LC_SERVER_DOWN], 1);
	assert_int_equal(f->lc.stats.no_answer, 1);
	assert_int_equal(f->lc.n_acquiring, 0);
	assert_int_equal(f->n_sent, 4);
	/* a session now is refused at once, not kept waiting */
	assert_null(dhcp_lc_take(&f->lc, f->now));
	assert_int_equal(f->n_sent, 4);			/* and no storm either */
	advance_to(f, t0 + 70000);			/* the pause: 10 s */
	assert_int_equal(f->n_sent, 5);
	assert_int_equal(last(f)->m.type, DHCPDISCOVER);
	assert_int_equal(last(f)->m.client_id_len, nth(f, 0)->m.client_id_len);	/* id reused */
	/* silent again: the pause doubles */
	advance_to(f, t0 + 130000);
	assert_int_equal(f->lc.stats.no_answer, 2);
	assert_int_equal(f->events[DHCP_LC_SERVER_DOWN], 1);	/* one line per outage */
	advance_to(f, t0 + 130000 + 19999);
	assert_int_equal(f->n_sent, 8);
	advance_to(f, t0 + 150000);
	assert_int_equal(f->n_sent, 9);
	/* the server is back */
	lease_block(f, 1, 100, 3600);
	assert_int_equal(f->events[DHCP_LC_SERVER_UP], 1);
	assert_non_null(dhcp_lc_take(&f->lc, f->now));
	teardown(f);
}

static void request_unanswered_gives_the_slot_back(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct reply o = answer(last(f), DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	uint64_t t = f->now;
	advance_to(f, t + 4000);
	assert_int_equal(last(f)->m.type, DHCPREQUEST);
	assert_int_equal(last(f)->m.requested_ip, ip("192.0.2.100"));
	advance_to(f, t + 60000);
	assert_int_equal(f->lc.stats.no_answer, 1);
	assert_int_equal(f->lc.leases[0]->state, DHCP_LS_FREE);
	teardown(f);
}

static void t1_renews_by_unicast_and_t2_rebinds_by_broadcast(void **state)
{
	struct fx *f = setup(1, 1, 1);	/* one lease: no next block in the way */

	dhcp_lc_start(&f->lc, f->now);
	struct reply o = answer(last(f), DHCPOFFER, "192.0.2.100", 1000);
	deliver(f, &o);
	uint64_t t = f->now;
	struct reply a = answer(last(f), DHCPACK, "192.0.2.100", 1000);
	a.t1 = 400;
	a.t2 = 800;
	deliver(f, &a);
	struct dhcp_lease *l = dhcp_lc_take(&f->lc, f->now);
	size_t sent = f->n_sent;

	advance_to(f, t + 400000 - 1);
	assert_int_equal(f->n_sent, sent);
	advance_to(f, t + 400000);			/* T1 */
	assert_int_equal(l->state, DHCP_LS_RENEWING);
	struct sent *r = last(f);
	assert_int_equal(r->m.type, DHCPREQUEST);
	assert_int_equal(r->dst, SERVER);		/* unicast (RFC 2131 4.4.5) */
	assert_int_equal(r->m.ciaddr, ip("192.0.2.100"));
	assert_int_equal(r->m.requested_ip, 0);		/* 4.3.2: not in RENEWING */
	assert_int_equal(r->m.server_id, 0);
	assert_int_equal(r->m.giaddr, ip("192.0.2.1"));	/* answer to us, not the client */
	/* retransmission: half the time left to T2, at least 60 s */
	advance_to(f, t + 600000 - 1);
	assert_int_equal(f->n_sent, sent + 1);
	advance_to(f, t + 600000);
	assert_int_equal(f->n_sent, sent + 2);
	advance_to(f, t + 700000 - 1);			/* 200 s left: 100 s */
	assert_int_equal(f->n_sent, sent + 2);
	advance_to(f, t + 700000);
	assert_int_equal(f->n_sent, sent + 3);
	advance_to(f, t + 760000);			/* half of 100 s is under 60 s */
	assert_int_equal(f->n_sent, sent + 4);
	advance_to(f, t + 800000);			/* T2 */
	assert_int_equal(l->state, DHCP_LS_REBINDING);
	r = last(f);
	assert_int_equal(r->dst, htonl(INADDR_BROADCAST));
	assert_int_equal(r->m.ciaddr, ip("192.0.2.100"));
	/* any server may answer a rebind */
	struct reply ack = answer(r, DHCPACK, "192.0.2.100", 1000);
	ack.server_id = ip("192.0.2.3");
	deliver(f, &ack);
	assert_int_equal(l->state, DHCP_LS_BOUND);
	assert_int_equal(l->server_id, ip("192.0.2.3"));
	assert_int_equal(l->t1_ms, t + 800000 + 500000);
	assert_int_equal(f->lc.stats.renewed, 1);
	assert_true(l->in_use);
	teardown(f);
}

static void renewal_ack_extends_the_lease(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 1, 100, 1000);
	struct dhcp_lease *l = f->lc.ready_head;
	uint64_t exp = l->expiry_ms;

	advance_to(f, l->t1_ms);
	struct reply a = answer(last(f), DHCPACK, "192.0.2.100", 1000);
	deliver(f, &a);
	assert_int_equal(l->state, DHCP_LS_BOUND);
	assert_int_equal(l->expiry_ms, exp + 500000);
	assert_int_equal(f->lc.n_ready, 1);		/* still ready, never lost */
	/* a late duplicate ACK of the same exchange is dropped */
	deliver(f, &a);
	assert_int_equal(f->lc.stats.dropped, 1);
	teardown(f);
}

static void expiry_loses_a_lease_in_use_and_a_ready_one(void **state)
{
	struct fx *f = setup(2, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 2, 100, 1000);
	struct dhcp_lease *used = dhcp_lc_take(&f->lc, f->now);
	uint32_t a = used->addr;
	uint64_t exp = used->expiry_ms;

	advance_to(f, exp - 1);
	assert_int_equal(f->events[DHCP_LC_LOST], 0);
	advance_to(f, exp);
	assert_int_equal(f->events[DHCP_LC_LOST], 1);
	assert_int_equal(f->events[DHCP_LC_EXPIRED], 1);
	assert_null(dhcp_lc_find(&f->lc, a));
	assert_int_equal(f->lc.n_bound, 0);
	assert_int_equal(f->lc.n_in_use, 0);
	/* both slots gone: the next block is under way */
	assert_int_equal(f->lc.n_acquiring, 2);
	teardown(f);
}

static void nak_while_renewing_loses_the_lease(void **state)
{
	struct fx *f = setup(1, 1, 1);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 1, 100, 1000);
	struct dhcp_lease *l = dhcp_lc_take(&f->lc, f->now);
	advance_to(f, l->t1_ms);
	struct reply n = answer(last(f), DHCPNAK, NULL, 0);
	deliver(f, &n);
	assert_int_equal(f->events[DHCP_LC_LOST], 1);
	assert_int_equal(f->last_event_addr, ip("192.0.2.100"));
	assert_int_equal(f->lc.n_in_use, 0);
	teardown(f);
}

static void the_next_block_starts_before_the_last_is_used(void **state)
{
	struct fx *f = setup(4, 2, 0);

	dhcp_lc_start(&f->lc, f->now);
	assert_int_equal(f->n_sent, 4);
	lease_block(f, 4, 100, 3600);
	size_t sent = f->n_sent;
	assert_non_null(dhcp_lc_take(&f->lc, f->now));
	assert_non_null(dhcp_lc_take(&f->lc, f->now));
	assert_int_equal(f->n_sent, sent);		/* 2 ready: not below 2 */
	assert_non_null(dhcp_lc_take(&f->lc, f->now));
	assert_int_equal(f->n_sent, sent + 4);		/* 1 ready: a block of 4 */
	assert_int_equal(f->lc.n_acquiring, 4);
	for (size_t i = sent; i < sent + 4; i++)
		assert_int_equal(nth(f, i)->m.type, DHCPDISCOVER);
	assert_non_null(dhcp_lc_take(&f->lc, f->now));	/* the last one */
	assert_int_equal(f->n_sent, sent + 4);		/* on the way already */
	assert_null(dhcp_lc_take(&f->lc, f->now));
	lease_block(f, 4, 110, 3600);
	assert_int_equal(f->lc.n_ready, 4);
	teardown(f);
}

static void a_reload_changes_the_next_block_not_the_leases(void **state)
{
	struct fx *f = setup(2, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 2, 100, 3600);
	size_t sent = f->n_sent;
	dhcp_lc_reconfigure(&f->lc, 5, 0, f->now);
	assert_int_equal(f->lc.n_ready, 2);		/* kept */
	assert_int_equal(f->lc.cfg.refill_at, 3);	/* half of 5, rounded up */
	assert_int_equal(f->n_sent, sent + 5);		/* 2 ready < 3: a block of 5 */
	teardown(f);
}

static void max_leases_caps_the_blocks(void **state)
{
	struct fx *f = setup(4, 2, 5);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 4, 100, 3600);
	for (int i = 0; i < 3; i++)
		dhcp_lc_take(&f->lc, f->now);
	assert_int_equal(f->lc.n_acquiring, 1);		/* 5 slots at most */
	assert_int_equal(f->lc.n_slots, 5);
	teardown(f);
}

static void stop_releases_ready_leases_and_in_use_ones_when_given_back(void **state)
{
	struct fx *f = setup(2, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 2, 100, 3600);
	struct dhcp_lease *used = dhcp_lc_take(&f->lc, f->now);
	size_t sent = f->n_sent;

	dhcp_lc_stop(&f->lc, f->now);
	assert_int_equal(f->n_sent, sent + 1);
	struct sent *r = last(f);
	assert_int_equal(r->m.type, DHCPRELEASE);
	assert_int_equal(r->dst, SERVER);		/* RFC 2131 4.4.6: unicast */
	assert_int_equal(r->m.server_id, SERVER);
	assert_int_equal(r->m.ciaddr, ip("192.0.2.101"));
	assert_non_null(r->m.client_id);
	assert_null(dhcp_lc_take(&f->lc, f->now));	/* stopping: nothing handed out */
	assert_int_equal(f->n_sent, sent + 1);		/* nor a new block */
	dhcp_lc_give_back(&f->lc, used, f->now);
	assert_int_equal(f->n_sent, sent + 2);
	assert_int_equal(last(f)->m.type, DHCPRELEASE);
	assert_int_equal(last(f)->m.ciaddr, ip("192.0.2.100"));
	assert_int_equal(f->lc.n_bound, 0);
	assert_int_equal(dhcp_lc_next_deadline(&f->lc), UINT64_MAX);
	teardown(f);
}

static void stop_releases_an_address_being_requested(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	struct reply o = answer(last(f), DHCPOFFER, "192.0.2.100", 3600);
	deliver(f, &o);
	dhcp_lc_stop(&f->lc, f->now);
	assert_int_equal(last(f)->m.type, DHCPRELEASE);
	assert_int_equal(last(f)->m.ciaddr, ip("192.0.2.100"));
	assert_int_equal(f->lc.n_acquiring, 0);
	teardown(f);
}

static void given_back_lease_is_handed_out_again(void **state)
{
	struct fx *f = setup(1, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	lease_block(f, 1, 100, 3600);
	struct dhcp_lease *l = dhcp_lc_take(&f->lc, f->now);
	dhcp_lc_give_back(&f->lc, l, f->now);
	dhcp_lc_give_back(&f->lc, l, f->now);		/* twice: no effect */
	assert_int_equal(f->lc.n_ready, 1);
	assert_ptr_equal(dhcp_lc_take(&f->lc, f->now), l);
	teardown(f);
}

static void many_leases_index_by_address(void **state)
{
	struct fx *f = setup(200, 1, 0);

	dhcp_lc_start(&f->lc, f->now);
	/* a /24 has 253 usable here: 200 leases .10-.209 */
	lease_block(f, 200, 10, 3600);
	assert_int_equal(f->lc.n_ready, 200);
	for (unsigned i = 10; i < 210; i++) {
		char a[32];
		snprintf(a, sizeof(a), "192.0.2.%u", i);
		assert_non_null(dhcp_lc_find(&f->lc, ip(a)));
	}
	/* half in use; stop releases the others at once, these when given back */
	for (unsigned i = 0; i < 100; i++)
		assert_non_null(dhcp_lc_take(&f->lc, f->now));
	dhcp_lc_stop(&f->lc, f->now);
	for (unsigned i = 10; i < 210; i++) {
		char a[32];
		snprintf(a, sizeof(a), "192.0.2.%u", i);
		struct dhcp_lease *l = dhcp_lc_find(&f->lc, ip(a));
		if (l) {
			assert_true(l->in_use);
			dhcp_lc_give_back(&f->lc, l, f->now);
			assert_null(dhcp_lc_find(&f->lc, ip(a)));
		}
	}
	assert_int_equal(f->lc.n_bound, 0);
	assert_int_equal(f->lc.by_addr_len, 0);
	teardown(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(start_sends_a_block_of_discovers_with_own_client_ids),
		cmocka_unit_test(offer_request_ack_makes_a_ready_lease),
		cmocka_unit_test(answers_not_ours_are_dropped),
		cmocka_unit_test(offers_outside_the_subnet_or_taken_are_refused),
		cmocka_unit_test(ack_from_another_server_or_for_another_address_is_dropped),
		cmocka_unit_test(nak_while_requesting_starts_over_with_a_new_xid),
		cmocka_unit_test(one_address_acked_to_two_of_our_ids_is_kept_once),
		cmocka_unit_test(an_engine_claims_only_answers_to_its_exchanges),
		cmocka_unit_test(discover_backs_off_4_8_16_then_the_pool_waits),
		cmocka_unit_test(request_unanswered_gives_the_slot_back),
		cmocka_unit_test(t1_renews_by_unicast_and_t2_rebinds_by_broadcast),
		cmocka_unit_test(renewal_ack_extends_the_lease),
		cmocka_unit_test(expiry_loses_a_lease_in_use_and_a_ready_one),
		cmocka_unit_test(nak_while_renewing_loses_the_lease),
		cmocka_unit_test(the_next_block_starts_before_the_last_is_used),
		cmocka_unit_test(a_reload_changes_the_next_block_not_the_leases),
		cmocka_unit_test(max_leases_caps_the_blocks),
		cmocka_unit_test(stop_releases_ready_leases_and_in_use_ones_when_given_back),
		cmocka_unit_test(stop_releases_an_address_being_requested),
		cmocka_unit_test(given_back_lease_is_handed_out_again),
		cmocka_unit_test(many_leases_index_by_address),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
