/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lease engine of a DHCP pool (lease_client.h, docs/addresses.md).
 * One state machine per lease, RFC 2131 section 4.4 (figure 5) seen from
 * the client: SELECTING -> REQUESTING -> BOUND -> RENEWING -> REBINDING,
 * with INIT folded into FREE (a slot whose client id is unused).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"
#include "lease_client.h"

enum { TIMER_LEASE = 0, TIMER_REFILL = 1 };

#define ACQUIRE_TRIES		4	/* 4+8+16+32 s: a minute, then give up */
#define RENEW_RETRY_MIN_MS	60000	/* RFC 2131 4.4.5: "down to a minimum of 60 seconds" */
#define BACKOFF_FIRST_MS	10000	/* a refill after a silent server */
#define BACKOFF_MAX_MS		300000
#define XID_INDEX_MASK		(DHCP_LC_MAX_LEASES - 1)

static const uint8_t param_list[] = {
	DHCP_OPT_SUBNET_MASK, DHCP_OPT_ROUTER, DHCP_OPT_DNS, DHCP_OPT_DOMAIN_NAME,
	DHCP_OPT_NBNS, DHCP_OPT_LEASE_TIME, DHCP_OPT_RENEWAL_TIME, DHCP_OPT_REBINDING_TIME,
};

const char *dhcp_lease_state_name(enum dhcp_lease_state s)
{
	switch (s) {
	case DHCP_LS_FREE: return "free";
	case DHCP_LS_SELECTING: return "selecting";
	case DHCP_LS_REQUESTING: return "requesting";
	case DHCP_LS_BOUND: return "bound";
	case DHCP_LS_RENEWING: return "renewing";
	case DHCP_LS_REBINDING: return "rebinding";
	}
	return "?";
}

/* ---- address index ----------------------------------------------------------- */

static uint32_t addr_hash(uint32_t a)
{
	a ^= a >> 16;
	a *= 0x45d9f3bu;
	a ^= a >> 16;
	return a;
}

static int by_addr_grow(struct dhcp_lc *lc)
{
	uint32_t cap = lc->by_addr_cap ? lc->by_addr_cap * 2 : 64;
	uint32_t *t = calloc(cap, sizeof(*t));

	if (!t)
		return -1;
	for (uint32_t i = 0; i < lc->by_addr_cap; i++) {
		uint32_t v = lc->by_addr[i];
		if (!v)
			continue;
		uint32_t h = addr_hash(lc->leases[v - 1]->addr) & (cap - 1);
		while (t[h])
			h = (h + 1) & (cap - 1);
		t[h] = v;
	}
	free(lc->by_addr);
	lc->by_addr = t;
	lc->by_addr_cap = cap;
	return 0;
}

static int by_addr_add(struct dhcp_lc *lc, struct dhcp_lease *l)
{
	if ((lc->by_addr_len + 1) * 2 > lc->by_addr_cap && by_addr_grow(lc))
		return -1;
	uint32_t h = addr_hash(l->addr) & (lc->by_addr_cap - 1);
	while (lc->by_addr[h])
		h = (h + 1) & (lc->by_addr_cap - 1);
	lc->by_addr[h] = l->index + 1;
	lc->by_addr_len++;
	return 0;
}

static uint32_t by_addr_slot(const struct dhcp_lc *lc, uint32_t addr, bool *found)
{
	uint32_t mask = lc->by_addr_cap - 1;
	uint32_t h = addr_hash(addr) & mask;

	*found = false;
	if (!lc->by_addr_cap)
		return 0;
	while (lc->by_addr[h]) {
		if (lc->leases[lc->by_addr[h] - 1]->addr == addr) {
			*found = true;
			return h;
		}
		h = (h + 1) & mask;
	}
	return h;
}

struct dhcp_lease *dhcp_lc_find(const struct dhcp_lc *lc, uint32_t addr)
{
	bool found;
	uint32_t h = by_addr_slot(lc, addr, &found);

	return found ? lc->leases[lc->by_addr[h] - 1] : NULL;
}

/* Backward-shift deletion keeps probe chains whole without tombstones. */
static void by_addr_del(struct dhcp_lc *lc, uint32_t addr)
{
	uint32_t mask = lc->by_addr_cap - 1;
	bool found;
	uint32_t i = by_addr_slot(lc, addr, &found), j = i;

	if (!found)
		return;
	lc->by_addr[i] = 0;
	lc->by_addr_len--;
	for (;;) {
		j = (j + 1) & mask;
		if (!lc->by_addr[j])
			return;
		uint32_t k = addr_hash(lc->leases[lc->by_addr[j] - 1]->addr) & mask;
		/* move j back into the hole i unless its home k lies in (i, j] */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		lc->by_addr[i] = lc->by_addr[j];
		lc->by_addr[j] = 0;
		i = j;
	}
}

/* ---- the ready list ------------------------------------------------------------- */

static void ready_push(struct dhcp_lc *lc, struct dhcp_lease *l)
{
	l->next = NULL;
	l->prev = lc->ready_tail;
	if (lc->ready_tail)
		lc->ready_tail->next = l;
	else
		lc->ready_head = l;
	lc->ready_tail = l;
	lc->n_ready++;
}

static void ready_del(struct dhcp_lc *lc, struct dhcp_lease *l)
{
	if (l->prev)
		l->prev->next = l->next;
	else
		lc->ready_head = l->next;
	if (l->next)
		l->next->prev = l->prev;
	else
		lc->ready_tail = l->prev;
	l->prev = l->next = NULL;
	lc->n_ready--;
}

/* ---- sending ------------------------------------------------------------------ */

static bool is_bound(const struct dhcp_lease *l)
{
	return l->state == DHCP_LS_BOUND || l->state == DHCP_LS_RENEWING ||
	       l->state == DHCP_LS_REBINDING;
}

static void new_xid(struct dhcp_lc *lc, struct dhcp_lease *l)
{
	l->xid = (lc->ops->random(lc->ctx) & ~XID_INDEX_MASK) | l->index;
}

static void begin(struct dhcp_lc *lc, struct dhcp_writer *w, uint8_t *buf,
		  struct dhcp_lease *l, uint8_t type, uint32_t ciaddr, uint64_t now)
{
	uint64_t secs = (now - l->started_ms) / 1000;

	dhcp_begin(w, buf, DHCP_MAX_LEN, DHCP_BOOTREQUEST, l->xid, lc->cfg.chaddr, 6, type);
	/* relay-agent form: the answer comes to giaddr, port 67 (RFC 2131 4.1) */
	dhcp_set_addrs(w, ciaddr, 0, 0, lc->cfg.giaddr);
	if (!w->error) {
		if (secs > UINT16_MAX)
			secs = UINT16_MAX;
		buf[8] = (uint8_t)(secs >> 8);	/* secs: since the exchange began */
		buf[9] = (uint8_t)secs;
	}
	dhcp_put(w, DHCP_OPT_CLIENT_ID, l->cid, l->cid_len);
}

static void finish(struct dhcp_lc *lc, struct dhcp_writer *w, uint32_t dst)
{
	size_t n = dhcp_finish(w);

	if (!n)
		return;
	lc->stats.sent++;
	lc->ops->send(lc->ctx, w->buf, n, dst);
}

static uint32_t lan_dst(const struct dhcp_lc *lc)
{
	return lc->cfg.server ? lc->cfg.server : htonl(INADDR_BROADCAST);
}

static void send_discover(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_writer w;

	begin(lc, &w, buf, l, DHCPDISCOVER, 0, now);
	dhcp_put(&w, DHCP_OPT_PARAM_LIST, param_list, sizeof(param_list));
	finish(lc, &w, lan_dst(lc));
}

/* RFC 2131 4.3.2: SELECTING names the server and the address; RENEWING
 * and REBINDING carry the address in ciaddr and name neither. */
static void send_request(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_writer w;
	bool selecting = l->state == DHCP_LS_REQUESTING;

	begin(lc, &w, buf, l, DHCPREQUEST, selecting ? 0 : l->addr, now);
	if (selecting) {
		dhcp_put_addr(&w, DHCP_OPT_REQUESTED_IP, l->addr);
		dhcp_put_addr(&w, DHCP_OPT_SERVER_ID, l->server_id);
	}
	dhcp_put(&w, DHCP_OPT_PARAM_LIST, param_list, sizeof(param_list));
	finish(lc, &w, l->state == DHCP_LS_RENEWING ? l->server_id : lan_dst(lc));
}

static void send_release(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	uint8_t buf[DHCP_MAX_LEN];
	struct dhcp_writer w;

	/* RFC 2131 4.4.6: unicast to the server, ciaddr the address */
	begin(lc, &w, buf, l, DHCPRELEASE, l->addr, now);
	dhcp_put_addr(&w, DHCP_OPT_SERVER_ID, l->server_id);
	finish(lc, &w, l->server_id);
}

/* ---- timers --------------------------------------------------------------------- */

static void arm(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t deadline)
{
	if (deadline == UINT64_MAX) {
		timerheap_cancel(&lc->heap, &l->timer);
	} else if (timerheap_set(&lc->heap, &l->timer, deadline)) {
		/* no memory for the heap's array: the lease has no timer; at
		 * worst it is not renewed and the server takes it back */
		lc->stats.dropped++;
	}
}

/* RFC 2131 4.1: 4 s before the first retransmission, doubling up to 64 s,
 * each randomized by a uniform number in -1..+1 s. */
static uint64_t backoff_deadline(struct dhcp_lc *lc, uint8_t tries, uint64_t now)
{
	uint64_t delay = 4000ull << (tries > 5 ? 4 : tries - 1);
	int64_t jitter = (int64_t)(lc->ops->random(lc->ctx) % 2001) - 1000;

	if (delay > 64000)
		delay = 64000;
	return now + (uint64_t)((int64_t)delay + jitter);
}

/* RFC 2131 4.4.5: wait half the time left to T2 (renewing) or to the
 * expiry (rebinding), at least 60 s, never past that point. */
static uint64_t renew_deadline(uint64_t now, uint64_t until)
{
	uint64_t wait = until > now ? (until - now) / 2 : 0;

	if (wait < RENEW_RETRY_MIN_MS)
		wait = RENEW_RETRY_MIN_MS;
	return now + wait < until ? now + wait : until;
}

/* ---- life of a lease -------------------------------------------------------------- */

static void set_free(struct dhcp_lc *lc, struct dhcp_lease *l)
{
	if (is_bound(l)) {
		by_addr_del(lc, l->addr);
		lc->n_bound--;
		if (l->in_use)
			lc->n_in_use--;
		else
			ready_del(lc, l);
	} else if (l->state == DHCP_LS_SELECTING || l->state == DHCP_LS_REQUESTING) {
		lc->n_acquiring--;
	}
	timerheap_cancel(&lc->heap, &l->timer);
	l->state = DHCP_LS_FREE;
	l->in_use = false;
	l->user = NULL;
	l->addr = l->server_id = 0;
	/* its client id is taken again first; no memory: a new one is made */
	if (lc->n_free == lc->free_cap) {
		uint32_t cap = lc->free_cap ? lc->free_cap * 2 : 16;
		uint32_t *t = realloc(lc->free_stack, cap * sizeof(*t));
		if (!t)
			return;
		lc->free_stack = t;
		lc->free_cap = cap;
	}
	lc->free_stack[lc->n_free++] = l->index;
}

static void refill(struct dhcp_lc *lc, uint64_t now);

/* A lease the server took back (NAK) or that ran out. */
static void lose(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	if (l->in_use) {
		lc->stats.lost++;
		lc->ops->event(lc->ctx, DHCP_LC_LOST, l);	/* the session must end */
	} else {
		lc->stats.expired++;
		lc->ops->event(lc->ctx, DHCP_LC_EXPIRED, l);
	}
	set_free(lc, l);
	refill(lc, now);
}

static void release(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	/* REQUESTING too: the server may have bound it already */
	if (is_bound(l) || l->state == DHCP_LS_REQUESTING) {
		send_release(lc, l, now);
		lc->stats.released++;
	}
	set_free(lc, l);
}

/* Nobody answered the exchange: the slot is free again and new blocks
 * wait, longer each time the server stays silent. */
static void give_up(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	lc->stats.no_answer++;
	set_free(lc, l);
	if (now >= lc->refill_after_ms) {
		/* the first give-up of a round; the others of the same block
		 * fall inside the pause it sets */
		lc->backoff_ms = lc->backoff_ms ? lc->backoff_ms * 2 : BACKOFF_FIRST_MS;
		if (lc->backoff_ms > BACKOFF_MAX_MS)
			lc->backoff_ms = BACKOFF_MAX_MS;
		lc->refill_after_ms = now + lc->backoff_ms;
	}
	if (!lc->server_down) {
		lc->server_down = true;
		lc->ops->event(lc->ctx, DHCP_LC_SERVER_DOWN, l);
	}
	refill(lc, now);
}

static struct dhcp_lease *new_slot(struct dhcp_lc *lc)
{
	/* client ids are reused before new ones are made, so the server's
	 * lease table does not grow with every outage */
	while (lc->n_free) {
		struct dhcp_lease *f = lc->leases[lc->free_stack[--lc->n_free]];
		if (f->state == DHCP_LS_FREE)
			return f;
	}
	if (lc->n_slots >= lc->cfg.max_leases)
		return NULL;
	if (lc->n_slots == lc->cap) {
		uint32_t cap = lc->cap ? lc->cap * 2 : 16;
		struct dhcp_lease **t = realloc(lc->leases, cap * sizeof(*t));
		if (!t)
			return NULL;
		lc->leases = t;
		lc->cap = cap;
	}
	struct dhcp_lease *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->index = lc->n_slots;
	l->timer.kind = TIMER_LEASE;
	/* RFC 2132 9.14: type 0, then our own octets */
	l->cid[0] = 0;
	memcpy(l->cid + 1, lc->cfg.cid_prefix, lc->cfg.cid_prefix_len);
	char num[12];
	int n = snprintf(num, sizeof(num), "%u", l->index);
	memcpy(l->cid + 1 + lc->cfg.cid_prefix_len, num, (size_t)n);
	l->cid_len = (uint8_t)(1 + lc->cfg.cid_prefix_len + (size_t)n);
	lc->leases[lc->n_slots++] = l;
	return l;
}

static void acquire(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	l->state = DHCP_LS_SELECTING;
	l->started_ms = now;
	l->tries = 1;
	l->addr = l->server_id = 0;
	lc->n_acquiring++;
	new_xid(lc, l);
	send_discover(lc, l, now);
	arm(lc, l, backoff_deadline(lc, l->tries, now));
}

/* Take the next block when fewer than refill_at are ready or on the way:
 * the last ready address is never the one the next session waits on. */
static void refill(struct dhcp_lc *lc, uint64_t now)
{
	if (lc->stopping || lc->n_ready + lc->n_acquiring >= lc->cfg.refill_at)
		return;
	if (now < lc->refill_after_ms) {
		timerheap_set(&lc->heap, &lc->refill_timer, lc->refill_after_ms);
		return;
	}
	timerheap_cancel(&lc->heap, &lc->refill_timer);
	for (uint32_t i = 0; i < lc->cfg.block; i++) {
		struct dhcp_lease *l = new_slot(lc);
		if (!l)
			break;
		acquire(lc, l, now);
	}
}

/* RFC 2131 4.4.5: T1 defaults to half the lease, T2 to 7/8; times count
 * from when the request went out. */
static bool bind_lease(struct dhcp_lc *lc, struct dhcp_lease *l, const struct dhcp_msg *m,
		 uint64_t now)
{
	uint64_t base = l->sent_ms, lease = m->lease_time, t1 = m->t1, t2 = m->t2;
	bool was_acquiring = l->state == DHCP_LS_REQUESTING;

	if (!lease)
		return false;	/* RFC 2131 table 3: an ACK carries the lease time */
	if (was_acquiring && by_addr_add(lc, l))
		return false;	/* no memory: the offer times out as unanswered */
	if (lease == UINT32_MAX) {	/* infinite (RFC 2132 9.2) */
		l->t1_ms = l->t2_ms = l->expiry_ms = UINT64_MAX;
	} else {
		if (!(t1 && t2 && t1 < t2 && t2 < lease)) {
			t1 = lease / 2;
			t2 = lease * 7 / 8;
		}
		l->t1_ms = base + t1 * 1000;
		l->t2_ms = base + t2 * 1000;
		l->expiry_ms = base + lease * 1000;
	}
	l->server_id = m->server_id;
	l->state = DHCP_LS_BOUND;
	if (was_acquiring) {
		lc->n_acquiring--;
		lc->n_bound++;
		ready_push(lc, l);
		lc->stats.bound++;
		if (lc->server_down) {
			lc->server_down = false;
			lc->backoff_ms = 0;
			lc->refill_after_ms = 0;
			lc->ops->event(lc->ctx, DHCP_LC_SERVER_UP, l);
		}
		lc->ops->event(lc->ctx, DHCP_LC_BOUND, l);
	} else {
		lc->stats.renewed++;
	}
	arm(lc, l, l->t1_ms);
	(void)now;
	return true;
}

/* An offer we can hand a client: on the LAN subnet (we answer ARP for
 * it there), not its network or broadcast address, not ours, not one we
 * hold already. */
static bool offer_ok(const struct dhcp_lc *lc, uint32_t yiaddr)
{
	uint32_t mask = lc->cfg.netmask, host = ntohl(yiaddr) & ~ntohl(mask);

	if (!yiaddr || yiaddr == lc->cfg.giaddr)
		return false;
	if ((yiaddr & mask) != (lc->cfg.giaddr & mask))
		return false;
	if (ntohl(mask) < 0xfffffffeu && (host == 0 || host == (~ntohl(mask))))
		return false;
	return dhcp_lc_find(lc, yiaddr) == NULL;
}

/* RFC 2131 4.4.1: back to INIT, a new DISCOVER with a new xid; the tries
 * go on counting, so a server that keeps refusing ends the exchange. */
static void restart(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	l->state = DHCP_LS_SELECTING;
	l->addr = l->server_id = 0;
	new_xid(lc, l);
	l->tries++;
	send_discover(lc, l, now);
	arm(lc, l, backoff_deadline(lc, l->tries, now));
}

void dhcp_lc_input(struct dhcp_lc *lc, const uint8_t *buf, size_t len, uint64_t now)
{
	struct dhcp_msg m;
	struct dhcp_lease *l;
	uint32_t index;

	lc->stats.received++;
	if (dhcp_parse(buf, len, &m) != DHCP_OK || m.op != DHCP_BOOTREPLY || m.hlen != 6 ||
	    memcmp(m.chaddr, lc->cfg.chaddr, 6) != 0)
		goto drop;
	index = m.xid & XID_INDEX_MASK;
	if (index >= lc->n_slots)
		goto drop;
	l = lc->leases[index];
	if (l->state == DHCP_LS_FREE || l->state == DHCP_LS_BOUND || m.xid != l->xid)
		goto drop;
	/* RFC 6842: a server that echoes the client id echoes ours */
	if (m.client_id && (m.client_id_len != l->cid_len ||
			    memcmp(m.client_id, l->cid, l->cid_len) != 0))
		goto drop;
	if (!m.server_id)
		goto drop;	/* RFC 2131 4.3.1: every answer names its server */

	switch (l->state) {
	case DHCP_LS_SELECTING:
		if (m.type != DHCPOFFER)
			goto drop;
		if (!offer_ok(lc, m.yiaddr) || !m.lease_time) {
			lc->stats.offers_refused++;
			return;	/* wait for another offer */
		}
		l->addr = m.yiaddr;
		l->server_id = m.server_id;
		l->state = DHCP_LS_REQUESTING;
		l->tries = 1;
		l->sent_ms = now;
		send_request(lc, l, now);
		arm(lc, l, backoff_deadline(lc, l->tries, now));
		return;
	case DHCP_LS_REQUESTING:
		if (m.server_id != l->server_id)
			goto drop;	/* another server's answer: not the one we chose */
		if (m.type == DHCPNAK) {
			lc->stats.naks++;
			restart(lc, l, now);
			return;
		}
		if (m.type == DHCPACK && m.yiaddr == l->addr && dhcp_lc_find(lc, l->addr)) {
			/* the server bound one address to two of our ids (both
			 * requested it off the same offer): this one starts over */
			lc->stats.offers_refused++;
			restart(lc, l, now);
			return;
		}
		if (m.type != DHCPACK || m.yiaddr != l->addr || !bind_lease(lc, l, &m, now))
			goto drop;
		return;
	case DHCP_LS_RENEWING:
	case DHCP_LS_REBINDING:
		if (l->state == DHCP_LS_RENEWING && m.server_id != l->server_id)
			goto drop;
		if (m.type == DHCPNAK) {
			lc->stats.naks++;
			lose(lc, l, now);	/* RFC 2131 4.4.5: the lease is gone */
			return;
		}
		if (m.type != DHCPACK || m.yiaddr != l->addr || !bind_lease(lc, l, &m, now))
			goto drop;
		return;
	default:
		goto drop;
	}
drop:
	lc->stats.dropped++;
}

static void lease_timer(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	switch (l->state) {
	case DHCP_LS_SELECTING:
	case DHCP_LS_REQUESTING:
		if (l->tries >= ACQUIRE_TRIES) {
			give_up(lc, l, now);
			return;
		}
		l->tries++;
		if (l->state == DHCP_LS_SELECTING)
			send_discover(lc, l, now);
		else
			send_request(lc, l, now);
		arm(lc, l, backoff_deadline(lc, l->tries, now));
		return;
	case DHCP_LS_BOUND:
		if (now >= l->expiry_ms) {
			lose(lc, l, now);
			return;
		}
		l->state = DHCP_LS_RENEWING;	/* T1 */
		l->started_ms = l->sent_ms = now;
		new_xid(lc, l);
		/* fall through */
	case DHCP_LS_RENEWING:
		if (now < l->t2_ms) {
			send_request(lc, l, now);
			arm(lc, l, renew_deadline(now, l->t2_ms));
			return;
		}
		l->state = DHCP_LS_REBINDING;	/* T2 */
		l->started_ms = l->sent_ms = now;
		new_xid(lc, l);
		/* fall through */
	case DHCP_LS_REBINDING:
		if (now >= l->expiry_ms) {
			lose(lc, l, now);
			return;
		}
		send_request(lc, l, now);
		arm(lc, l, renew_deadline(now, l->expiry_ms));
		return;
	default:
		return;
	}
}

/* ---- the API ------------------------------------------------------------------------ */

int dhcp_lc_init(struct dhcp_lc *lc, const struct dhcp_lc_config *cfg,
		 const struct dhcp_lc_ops *ops, void *ctx)
{
	memset(lc, 0, sizeof(*lc));
	lc->cfg = *cfg;
	if (lc->cfg.cid_prefix_len > DHCP_LC_CID_PREFIX_MAX)
		lc->cfg.cid_prefix_len = DHCP_LC_CID_PREFIX_MAX;
	if (!lc->cfg.max_leases || lc->cfg.max_leases > DHCP_LC_MAX_LEASES)
		lc->cfg.max_leases = DHCP_LC_MAX_LEASES;
	lc->ops = ops;
	lc->ctx = ctx;
	timerheap_init(&lc->heap);
	lc->refill_timer.kind = TIMER_REFILL;
	lc->stopping = true;	/* until dhcp_lc_start() */
	dhcp_lc_reconfigure(lc, cfg->block, cfg->refill_at, 0);
	return 0;
}

void dhcp_lc_reconfigure(struct dhcp_lc *lc, uint32_t block, uint32_t refill_at, uint64_t now)
{
	lc->cfg.block = block ? block : DHCP_LC_DEFAULT_BLOCK;
	lc->cfg.refill_at = refill_at ? refill_at : (lc->cfg.block + 1) / 2;
	refill(lc, now);
}

void dhcp_lc_start(struct dhcp_lc *lc, uint64_t now)
{
	lc->stopping = false;
	refill(lc, now);
}

void dhcp_lc_stop(struct dhcp_lc *lc, uint64_t now)
{
	lc->stopping = true;
	timerheap_cancel(&lc->heap, &lc->refill_timer);
	for (uint32_t i = 0; i < lc->n_slots; i++)
		if (lc->leases[i]->state != DHCP_LS_FREE && !lc->leases[i]->in_use)
			release(lc, lc->leases[i], now);
}

void dhcp_lc_free(struct dhcp_lc *lc)
{
	timerheap_free(&lc->heap);	/* first: it clears the leases' nodes */
	for (uint32_t i = 0; i < lc->n_slots; i++)
		free(lc->leases[i]);
	free(lc->leases);
	free(lc->by_addr);
	free(lc->free_stack);
	memset(lc, 0, sizeof(*lc));
}

bool dhcp_lc_claims(const struct dhcp_lc *lc, const uint8_t *buf, size_t len)
{
	uint32_t xid, index;
	const struct dhcp_lease *l;

	if (len < DHCP_MIN_LEN || buf[0] != DHCP_BOOTREPLY || memcmp(buf + 28, lc->cfg.chaddr, 6))
		return false;
	xid = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
	index = xid & XID_INDEX_MASK;
	if (index >= lc->n_slots)
		return false;
	l = lc->leases[index];
	return l->xid == xid && l->state != DHCP_LS_FREE && l->state != DHCP_LS_BOUND;
}

void dhcp_lc_run_timers(struct dhcp_lc *lc, uint64_t now)
{
	struct timer_node *n;

	while ((n = timerheap_pop_expired(&lc->heap, now)) != NULL) {
		if (n->kind == TIMER_REFILL)
			refill(lc, now);
		else
			lease_timer(lc, container_of(n, struct dhcp_lease, timer), now);
	}
}

uint64_t dhcp_lc_next_deadline(const struct dhcp_lc *lc)
{
	struct timer_node *n = timerheap_peek(&lc->heap);

	return n ? n->deadline : UINT64_MAX;
}

struct dhcp_lease *dhcp_lc_take(struct dhcp_lc *lc, uint64_t now)
{
	struct dhcp_lease *l = lc->stopping ? NULL : lc->ready_head;

	if (!l) {
		lc->stats.exhausted++;
		lc->ops->event(lc->ctx, DHCP_LC_EXHAUSTED, NULL);
		refill(lc, now);
		return NULL;
	}
	ready_del(lc, l);
	l->in_use = true;
	lc->n_in_use++;
	refill(lc, now);
	return l;
}

void dhcp_lc_give_back(struct dhcp_lc *lc, struct dhcp_lease *l, uint64_t now)
{
	if (!l->in_use)
		return;
	l->in_use = false;
	l->user = NULL;
	lc->n_in_use--;
	ready_push(lc, l);
	if (lc->stopping)
		release(lc, l, now);
}
