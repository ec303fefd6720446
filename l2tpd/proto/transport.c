/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery of control messages, RFC 2661 section 5.8.
 */
#include "l2tp_transport.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

/* Sequence numbers are 16-bit and wrap (section 5.8): compare by the
 * signed distance. */
static inline int16_t seq_diff(uint16_t a, uint16_t b)
{
	return (int16_t)(uint16_t)(a - b);
}

void l2tp_xport_init(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg)
{
	memset(x, 0, sizeof(*x));
	x->rtx_deadline = L2TP_NEVER;
	x->rto_ms = cfg->rto_initial_ms;
	x->peer_rws = 4; /* 4.4.3: absent Receive Window Size means 4 */
}

static void free_list(struct l2tp_pkt *p)
{
	while (p) {
		struct l2tp_pkt *n = p->next;
		free(p);
		p = n;
	}
}

void l2tp_xport_clear(struct l2tp_xport *x)
{
	free_list(x->txq);
	free_list(x->rxq);
	x->txq = x->txq_tail = x->rxq = NULL;
	x->txq_len = 0;
	x->rxq_len = 0;
	x->rtx_deadline = L2TP_NEVER;
}

bool l2tp_xport_queue(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
		      const uint8_t *msg, size_t len)
{
	struct l2tp_pkt *p;

	if (len < L2TP_CTRL_HDR_LEN || len > L2TP_MAX_CTRL || x->txq_len >= cfg->max_queue)
		return false;
	p = malloc(sizeof(*p) + len);
	if (!p)
		return false;
	p->next = NULL;
	p->len = (uint16_t)len;
	p->ns = x->ns_next++;
	memcpy(p->data, msg, len);
	wire_put_u16(p->data + 8, p->ns);
	if (x->txq_tail)
		x->txq_tail->next = p;
	else
		x->txq = p;
	x->txq_tail = p;
	x->txq_len++;
	return true;
}

static void transmit(struct l2tp_xport *x, struct l2tp_pkt *p, l2tp_xport_out_fn out,
		     void *arg)
{
	/* Nr is always the latest: every message acknowledges what we have
	 * received so far (piggy-backed ack, section 5.8). */
	wire_put_u16(p->data + 10, x->nr);
	out(arg, p->data, p->len);
	x->ack_pending = false;
}

unsigned l2tp_xport_flush(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
			  uint16_t peer_tunnel_id, uint64_t now,
			  l2tp_xport_out_fn out, void *arg)
{
	unsigned sent = 0;

	for (struct l2tp_pkt *p = x->txq; p; p = p->next) {
		if (seq_diff(p->ns, x->ns_tx) < 0)
			continue; /* already in flight */
		/* Section 5.8: no more than the peer's Receive Window Size
		 * unacknowledged messages outstanding. */
		if (seq_diff(p->ns, x->una) >= (int)x->peer_rws)
			break;
		transmit(x, p, out, arg);
		x->ns_tx = (uint16_t)(p->ns + 1);
		sent++;
	}
	if (x->txq && x->rtx_deadline == L2TP_NEVER && seq_diff(x->ns_tx, x->una) > 0)
		x->rtx_deadline = now + x->rto_ms;
	if (x->ack_pending) {
		/* Zero-Length Body: the header alone, Ns = next to send
		 * (not consumed), Nr = next expected (section 5.8). */
		uint8_t zlb[L2TP_CTRL_HDR_LEN];

		l2tp_ctrl_header_write(zlb, sizeof(zlb), peer_tunnel_id, 0, x->ns_next, x->nr);
		out(arg, zlb, sizeof(zlb));
		x->ack_pending = false;
		sent++;
	}
	(void)cfg;
	return sent;
}

static bool process_nr(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
		       uint16_t nr, uint64_t now)
{
	int16_t acked = seq_diff(nr, x->una);

	/* Nr may acknowledge up to what we transmitted, no further. */
	if (acked < 0 || acked > seq_diff(x->ns_tx, x->una))
		return false;
	if (acked == 0)
		return true;
	while (x->txq && seq_diff(x->txq->ns, nr) < 0) {
		struct l2tp_pkt *p = x->txq;

		x->txq = p->next;
		if (!x->txq)
			x->txq_tail = NULL;
		x->txq_len--;
		free(p);
	}
	x->una = nr;
	/* Progress: the back-off starts again for the next message. */
	x->retries = 0;
	x->rto_ms = cfg->rto_initial_ms;
	x->rtx_deadline = seq_diff(x->ns_tx, x->una) > 0 ? now + x->rto_ms : L2TP_NEVER;
	return true;
}

enum l2tp_reason l2tp_xport_input(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
				  const struct l2tp_header *h, bool zlb,
				  const uint8_t *buf, size_t len, uint64_t now,
				  bool *deliver, bool *bad_nr)
{
	int16_t d;
	struct l2tp_pkt **pp, *p;

	*deliver = false;
	*bad_nr = !process_nr(x, cfg, h->nr, now);
	if (zlb)
		return L2TP_OK; /* a ZLB carries only its Nr */
	d = seq_diff(h->ns, x->nr);
	if (d == 0) {
		x->nr++;
		x->ack_pending = true;
		*deliver = true;
		return L2TP_OK;
	}
	if (d < 0) {
		/* Section 5.8: a duplicate means our acknowledgement was
		 * lost; acknowledge again, do not deliver. */
		x->ack_pending = true;
		return L2TP_R_DUPLICATE;
	}
	if (d >= (int)cfg->rws)
		return L2TP_R_OUT_OF_WINDOW;
	/* Ahead of the next expected but inside our window: hold it, so a
	 * lost message costs one retransmission, not the whole window. */
	for (pp = &x->rxq; *pp && seq_diff((*pp)->ns, h->ns) < 0; pp = &(*pp)->next)
		;
	if (*pp && (*pp)->ns == h->ns)
		return L2TP_R_DUPLICATE; /* already held: no ack, Nr has not moved */
	if (x->rxq_len >= cfg->rws || len > L2TP_MAX_CTRL)
		return L2TP_R_RX_QUEUE_FULL;
	p = malloc(sizeof(*p) + len);
	if (!p)
		return L2TP_R_RX_QUEUE_FULL;
	p->len = (uint16_t)len;
	p->ns = h->ns;
	memcpy(p->data, buf, len);
	p->next = *pp;
	*pp = p;
	x->rxq_len++;
	return L2TP_OK;
}

struct l2tp_pkt *l2tp_xport_pop(struct l2tp_xport *x)
{
	struct l2tp_pkt *p = x->rxq;

	if (!p || p->ns != x->nr)
		return NULL;
	x->rxq = p->next;
	x->rxq_len--;
	x->nr++;
	x->ack_pending = true;
	p->next = NULL;
	return p;
}

bool l2tp_xport_timeout(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
			uint64_t now, l2tp_xport_out_fn out, void *arg,
			unsigned *retransmitted)
{
	*retransmitted = 0;
	if (x->rtx_deadline == L2TP_NEVER || now < x->rtx_deadline)
		return true;
	if (x->retries >= cfg->max_retries) {
		x->rtx_deadline = L2TP_NEVER;
		return false;
	}
	x->retries++;
	for (struct l2tp_pkt *p = x->txq; p && seq_diff(p->ns, x->ns_tx) < 0; p = p->next) {
		transmit(x, p, out, arg);
		(*retransmitted)++;
	}
	/* Exponential back-off, capped (section 5.8). */
	x->rto_ms = x->rto_ms * 2 > cfg->rto_max_ms ? cfg->rto_max_ms : x->rto_ms * 2;
	x->rtx_deadline = now + x->rto_ms;
	return true;
}

uint64_t l2tp_xport_cycle_ms(const struct l2tp_xport_cfg *cfg)
{
	uint64_t total = 0, rto = cfg->rto_initial_ms;

	for (unsigned i = 0; i <= cfg->max_retries; i++) {
		total += rto;
		rto = rto * 2 > cfg->rto_max_ms ? cfg->rto_max_ms : rto * 2;
	}
	return total;
}
