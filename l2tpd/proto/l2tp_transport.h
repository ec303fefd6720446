/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery of control messages, RFC 2661 section 5.8: one per
 * tunnel. Sequence numbers (Ns/Nr), the peer's receive window, ZLB
 * acknowledgements, retransmission with exponential back-off and a cap, a
 * bounded number of retries, duplicates re-acknowledged, out-of-order
 * messages held (within our window) and released in order.
 *
 * No I/O: messages go out through a callback, time is passed in, and the
 * next deadline is read from the struct.
 */
#ifndef L2TP_TRANSPORT_H
#define L2TP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2tp_codec.h"

#define L2TP_NEVER UINT64_MAX

/* One queued control message (sent or waiting for the window), or one
 * received out of order. */
struct l2tp_pkt {
	struct l2tp_pkt *next;
	uint16_t len;
	uint16_t ns;
	uint8_t data[];
};

struct l2tp_xport_cfg {
	uint32_t rto_initial_ms;	/* first retransmission timeout */
	uint32_t rto_max_ms;		/* back-off cap */
	uint8_t max_retries;		/* retransmissions before giving up */
	uint16_t rws;			/* our receive window (out-of-order slots) */
	uint16_t max_queue;		/* unacked + waiting messages we hold */
};

struct l2tp_xport {
	struct l2tp_pkt *txq, *txq_tail;	/* unacked, in Ns order */
	struct l2tp_pkt *rxq;			/* held out of order, Ns order */
	uint64_t rtx_deadline;			/* L2TP_NEVER when nothing in flight */
	uint32_t rto_ms;
	uint16_t ns_next;	/* Ns of the next new message */
	uint16_t una;		/* oldest unacknowledged Ns */
	uint16_t ns_tx;		/* first Ns not transmitted yet (window) */
	uint16_t nr;		/* next Ns expected from the peer */
	uint16_t peer_rws;	/* section 4.4.3: default 4 */
	uint16_t txq_len;
	uint8_t retries;
	uint8_t rxq_len;
	bool ack_pending;	/* we owe the peer an acknowledgement */
};

typedef void (*l2tp_xport_out_fn)(void *arg, const uint8_t *buf, size_t len);

void l2tp_xport_init(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg);
/* Free everything held. */
void l2tp_xport_clear(struct l2tp_xport *x);

/*
 * Queue an encoded control message (header from l2tp_msg_encode). Its Ns
 * is assigned here; Nr is filled at each transmission. Returns false if
 * the queue is full or memory is short (the caller tears the tunnel down).
 */
bool l2tp_xport_queue(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
		      const uint8_t *msg, size_t len);

/*
 * Transmit what the peer's window allows, arm the retransmission timer,
 * and send a ZLB (to peer_tunnel_id) if an acknowledgement is owed and no
 * message carried it. Returns the number of datagrams sent.
 */
unsigned l2tp_xport_flush(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
			  uint16_t peer_tunnel_id, uint64_t now,
			  l2tp_xport_out_fn out, void *arg);

/*
 * Account for a received control message (its header h; zlb if it had no
 * AVPs). Returns:
 *   L2TP_OK with *deliver set: the message is the next in order; deliver
 *     it, then every message l2tp_xport_pop() hands out;
 *   L2TP_OK without *deliver: a ZLB, or a message held out of order;
 *   L2TP_R_DUPLICATE (an acknowledgement is now owed), L2TP_R_OUT_OF_WINDOW,
 *   L2TP_R_RX_QUEUE_FULL: not delivered.
 * *bad_nr is set when the Nr acknowledged something never sent (ignored).
 */
enum l2tp_reason l2tp_xport_input(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
				  const struct l2tp_header *h, bool zlb,
				  const uint8_t *buf, size_t len, uint64_t now,
				  bool *deliver, bool *bad_nr);

/* The next held message now in order, or NULL. The caller frees it. */
struct l2tp_pkt *l2tp_xport_pop(struct l2tp_xport *x);

/*
 * The retransmission timer fired (now >= rtx_deadline): resend what is in
 * flight and back off. Returns false once max_retries are used up: the
 * peer is unreachable (section 5.8: the tunnel MUST be cleaned up).
 */
bool l2tp_xport_timeout(struct l2tp_xport *x, const struct l2tp_xport_cfg *cfg,
			uint64_t now, l2tp_xport_out_fn out, void *arg,
			unsigned *retransmitted);

static inline bool l2tp_xport_idle(const struct l2tp_xport *x)
{
	return x->txq == NULL;
}

/* A full retransmission cycle: the time from the first transmission until
 * the transport gives up (1+2+4+8+8+8 = 31 s with the defaults, the
 * figure of section 5.7). */
uint64_t l2tp_xport_cycle_ms(const struct l2tp_xport_cfg *cfg);

#endif
