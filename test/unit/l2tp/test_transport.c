/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reliable delivery (RFC 2661 section 5.8) on its own: sequence numbers,
 * the peer's window, ZLB acknowledgements, back-off, duplicates, held
 * out-of-order messages, wrap-around.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2tp_transport.h"
#include "wire.h"

static const struct l2tp_xport_cfg cfg = {1000, 8000, 5, 4, 8};

struct sent {
	unsigned n;
	uint16_t ns[64], nr[64];
	size_t len[64];
};

static void out(void *arg, const uint8_t *buf, size_t len)
{
	struct sent *s = arg;

	assert_true(s->n < 64);
	s->ns[s->n] = wire_get_u16(buf + 8);
	s->nr[s->n] = wire_get_u16(buf + 10);
	s->len[s->n] = len;
	s->n++;
}

/* A one-AVP control message (HELLO) with room for Ns/Nr. */
static size_t hello(uint8_t *buf)
{
	static const uint8_t m[] = {0xc8, 0x02, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0,
				    0x80, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06};
	memcpy(buf, m, sizeof(m));
	return sizeof(m);
}

static struct l2tp_header hdr(uint16_t ns, uint16_t nr)
{
	struct l2tp_header h;

	memset(&h, 0, sizeof(h));
	h.ns = ns;
	h.nr = nr;
	return h;
}

static void queue(struct l2tp_xport *x, unsigned n)
{
	uint8_t b[32];
	size_t len = hello(b);

	for (unsigned i = 0; i < n; i++)
		assert_true(l2tp_xport_queue(x, &cfg, b, len));
}

static void messages_get_consecutive_ns_and_current_nr(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};

	l2tp_xport_init(&x, &cfg);
	x.nr = 7;
	queue(&x, 3);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 1, 0, out, &s), 3);
	assert_int_equal(s.ns[0], 0);
	assert_int_equal(s.ns[2], 2);
	assert_int_equal(s.nr[1], 7);
	assert_int_equal(x.rtx_deadline, 1000);
	l2tp_xport_clear(&x);
}

static void peer_window_limits_what_is_in_flight(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h = hdr(0, 2);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	x.peer_rws = 2;
	queue(&x, 5);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 1, 0, out, &s), 2);
	/* a ZLB acknowledging both opens the window for two more */
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, true, NULL, 0, 10, &deliver, &bad_nr),
			 L2TP_OK);
	assert_false(bad_nr);
	assert_int_equal(x.txq_len, 3);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 1, 10, out, &s), 2);
	assert_int_equal(s.ns[3], 3);
	l2tp_xport_clear(&x);
}

static void in_order_message_is_delivered_and_acked_by_zlb(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h = hdr(0, 0);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr),
			 L2TP_OK);
	assert_true(deliver);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 9, 0, out, &s), 1);
	assert_int_equal(s.len[0], 12);	/* ZLB: header only */
	assert_int_equal(s.ns[0], 0);	/* Ns not consumed by a ZLB */
	assert_int_equal(s.nr[0], 1);
	assert_int_equal(x.ns_next, 0);
}

static void ack_is_piggybacked_on_a_message(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h = hdr(0, 0);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr);
	queue(&x, 1);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 9, 0, out, &s), 1); /* no extra ZLB */
	assert_int_equal(s.nr[0], 1);
	l2tp_xport_clear(&x);
}

static void duplicate_is_not_delivered_but_acked_again(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h = hdr(0, 0);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr);
	l2tp_xport_flush(&x, &cfg, 9, 0, out, &s);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr),
			 L2TP_R_DUPLICATE);
	assert_false(deliver);
	assert_int_equal(l2tp_xport_flush(&x, &cfg, 9, 0, out, &s), 1);
	assert_int_equal(s.nr[1], 1);
}

static void held_messages_are_released_in_order(void **state)
{
	struct l2tp_xport x;
	uint8_t b[32];
	size_t len = hello(b);
	struct l2tp_header h;
	bool deliver, bad_nr;
	struct l2tp_pkt *p;

	l2tp_xport_init(&x, &cfg);
	h = hdr(2, 0);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, b, len, 0, &deliver, &bad_nr), L2TP_OK);
	assert_false(deliver);
	h = hdr(1, 0);
	l2tp_xport_input(&x, &cfg, &h, false, b, len, 0, &deliver, &bad_nr);
	h = hdr(1, 0);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, b, len, 0, &deliver, &bad_nr),
			 L2TP_R_DUPLICATE); /* already held */
	assert_null(l2tp_xport_pop(&x));
	h = hdr(0, 0);
	l2tp_xport_input(&x, &cfg, &h, false, b, len, 0, &deliver, &bad_nr);
	assert_true(deliver);
	p = l2tp_xport_pop(&x);
	assert_int_equal(p->ns, 1);
	free(p);
	p = l2tp_xport_pop(&x);
	assert_int_equal(p->ns, 2);
	free(p);
	assert_null(l2tp_xport_pop(&x));
	assert_int_equal(x.nr, 3);
}

static void message_beyond_our_window_is_dropped(void **state)
{
	struct l2tp_xport x;
	struct l2tp_header h = hdr(4, 0); /* window 4: 0..3 */
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr),
			 L2TP_R_OUT_OF_WINDOW);
	assert_int_equal(x.rxq_len, 0);
}

static void retransmission_backs_off_and_gives_up(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	unsigned n;
	const uint64_t at[] = {1000, 3000, 7000, 15000, 23000};

	l2tp_xport_init(&x, &cfg);
	queue(&x, 2);
	l2tp_xport_flush(&x, &cfg, 1, 0, out, &s);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(x.rtx_deadline, at[i]);
		assert_true(l2tp_xport_timeout(&x, &cfg, at[i], out, &s, &n));
		assert_int_equal(n, 2); /* everything in flight goes again */
	}
	assert_int_equal(x.rtx_deadline, 31000);
	assert_false(l2tp_xport_timeout(&x, &cfg, 31000, out, &s, &n));
	assert_int_equal(l2tp_xport_cycle_ms(&cfg), 31000);
	l2tp_xport_clear(&x);
}

static void progress_resets_the_back_off(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	unsigned n;
	struct l2tp_header h = hdr(0, 1);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	queue(&x, 2);
	l2tp_xport_flush(&x, &cfg, 1, 0, out, &s);
	l2tp_xport_timeout(&x, &cfg, 1000, out, &s, &n);
	l2tp_xport_timeout(&x, &cfg, 3000, out, &s, &n);
	assert_int_equal(x.retries, 2);
	l2tp_xport_input(&x, &cfg, &h, true, NULL, 0, 3500, &deliver, &bad_nr);
	assert_int_equal(x.retries, 0);
	assert_int_equal(x.rtx_deadline, 4500);
	l2tp_xport_clear(&x);
}

static void nr_acknowledging_unsent_messages_is_flagged(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h = hdr(0, 5);
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	queue(&x, 1);
	l2tp_xport_flush(&x, &cfg, 1, 0, out, &s);
	l2tp_xport_input(&x, &cfg, &h, true, NULL, 0, 0, &deliver, &bad_nr);
	assert_true(bad_nr);
	assert_int_equal(x.txq_len, 1); /* nothing released */
	l2tp_xport_clear(&x);
}

static void sequence_numbers_wrap_around(void **state)
{
	struct l2tp_xport x;
	struct sent s = {0};
	struct l2tp_header h;
	bool deliver, bad_nr;

	l2tp_xport_init(&x, &cfg);
	x.ns_next = x.una = x.ns_tx = 65535;
	x.nr = 65535;
	queue(&x, 2);
	l2tp_xport_flush(&x, &cfg, 1, 0, out, &s);
	assert_int_equal(s.ns[0], 65535);
	assert_int_equal(s.ns[1], 0);
	h = hdr(65535, 1);
	l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr);
	assert_false(bad_nr);
	assert_true(deliver);
	assert_int_equal(x.txq_len, 0);
	assert_int_equal(x.nr, 0);
	h = hdr(65535, 1);
	assert_int_equal(l2tp_xport_input(&x, &cfg, &h, false, NULL, 0, 0, &deliver, &bad_nr),
			 L2TP_R_DUPLICATE);
}

static void queue_is_bounded(void **state)
{
	struct l2tp_xport x;
	uint8_t b[32];
	size_t len = hello(b);

	l2tp_xport_init(&x, &cfg);
	for (int i = 0; i < cfg.max_queue; i++)
		assert_true(l2tp_xport_queue(&x, &cfg, b, len));
	assert_false(l2tp_xport_queue(&x, &cfg, b, len));
	assert_false(l2tp_xport_queue(&x, &cfg, b, 5)); /* not even a header */
	l2tp_xport_clear(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(messages_get_consecutive_ns_and_current_nr),
		cmocka_unit_test(peer_window_limits_what_is_in_flight),
		cmocka_unit_test(in_order_message_is_delivered_and_acked_by_zlb),
		cmocka_unit_test(ack_is_piggybacked_on_a_message),
		cmocka_unit_test(duplicate_is_not_delivered_but_acked_again),
		cmocka_unit_test(held_messages_are_released_in_order),
		cmocka_unit_test(message_beyond_our_window_is_dropped),
		cmocka_unit_test(retransmission_backs_off_and_gives_up),
		cmocka_unit_test(progress_resets_the_back_off),
		cmocka_unit_test(nr_acknowledging_unsent_messages_is_flagged),
		cmocka_unit_test(sequence_numbers_wrap_around),
		cmocka_unit_test(queue_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
