/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SA table l2tpd keeps from the plugin's reports (ipsec_table.h): which
 * peers may open a tunnel under require_ipsec, and when tunnels must close.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ipsec_table.h"

static const uint8_t NAT[4] = { 203, 0, 113, 7 };
static const uint8_t OTHER[4] = { 203, 0, 113, 99 };
static const uint8_t SERVER[4] = { 192, 0, 2, 1 };

struct gone {
	uint32_t ike_id;
	enum ipsec_gone_reason why;
};

static struct ipsec_table T;
static struct gone gone[16];
static unsigned n_gone;
static uint32_t rekeyed_old, rekeyed_new;

static void on_gone(void *ctx, const struct ipsec_ike *ike, enum ipsec_gone_reason why)
{
	assert_true(ike->going || why == IPSEC_GONE_LAST_CHILD);
	assert_true(n_gone < 16);
	gone[n_gone].ike_id = ike->id;
	gone[n_gone].why = why;
	n_gone++;
}

static void on_rekeyed(void *ctx, uint32_t old_id, uint32_t new_id)
{
	rekeyed_old = old_id;
	rekeyed_new = new_id;
}

static int setup(void **state)
{
	struct ipsec_table_ops ops = { .sa_gone = on_gone, .ike_rekeyed = on_rekeyed };

	n_gone = 0;
	rekeyed_old = rekeyed_new = 0;
	assert_int_equal(ipsec_table_init(&T, &ops), 0);
	return 0;
}

static int teardown(void **state)
{
	ipsec_table_free(&T);
	return 0;
}

/* ---- messages, as the plugin writes them ---- */

static uint8_t buf[L2TP_IPSEC_MSG_MAX];

static enum ipsec_apply_reason feed(size_t n)
{
	enum ipsec_apply_reason apply;

	assert_true(n > 0);
	assert_int_equal(ipsec_table_input(&T, buf, n, &apply), L2TP_IPSEC_OK);
	return apply;
}

static enum ipsec_apply_reason simple(enum l2tp_ipsec_type type)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), type);
	return feed(l2tp_ipsec_end(&w));
}

static enum ipsec_apply_reason ike_up_rekey(uint32_t id, const uint8_t *peer, const char *remote,
					    uint32_t old_id)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_IKE_UP);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, id);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 4, peer);
	l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_PEER_PORT, 500);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_LOCAL_ADDR, 4, SERVER);
	l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_IKE_VERSION, 1);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_REMOTE_ID, remote);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_CERT_SUBJECT, "CN=laptop");
	if (old_id)
		l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_OLD_IKE_ID, old_id);
	return feed(l2tp_ipsec_end(&w));
}

static enum ipsec_apply_reason ike_up(uint32_t id, const uint8_t *peer, const char *remote)
{
	return ike_up_rekey(id, peer, remote, 0);
}

static enum ipsec_apply_reason ike_down(uint32_t id)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_IKE_DOWN);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, id);
	return feed(l2tp_ipsec_end(&w));
}

static enum ipsec_apply_reason child(enum l2tp_ipsec_type type, uint32_t ike, uint32_t id,
				     const uint8_t *peer, uint32_t mark)
{
	struct l2tp_ipsec_writer w;

	l2tp_ipsec_begin(&w, buf, sizeof(buf), type);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_CHILD_ID, id);
	if (type == L2TP_IPSEC_CHILD_UP) {
		l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 4, peer);
		l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_IN, mark);
		l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_MARK_OUT, mark);
	}
	return feed(l2tp_ipsec_end(&w));
}

static void synced(void)
{
	ipsec_table_connected(&T);
	assert_int_equal(simple(L2TP_IPSEC_HELLO), IPSEC_APPLY_OK);
	assert_int_equal(simple(L2TP_IPSEC_REPLAY_END), IPSEC_APPLY_OK);
}

static enum ipsec_verdict check(const uint8_t *addr, uint32_t mark, struct ipsec_ike **ike)
{
	struct ipsec_ike *dummy;

	return ipsec_table_check(&T, 4, addr, mark, ike ? ike : &dummy);
}

/* ---- tests ---- */

static void nothing_is_judged_before_the_first_replay_ends(void **state)
{
	assert_int_equal(check(NAT, 0, NULL), IPSEC_WAIT);
	ipsec_table_connected(&T);
	simple(L2TP_IPSEC_HELLO);
	ike_up(1, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_WAIT);
	simple(L2TP_IPSEC_REPLAY_END);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_OK);
}

static void peer_without_any_sa_has_no_sa(void **state)
{
	synced();
	assert_int_equal(check(NAT, 0, NULL), IPSEC_NO_SA);
}

static void peer_with_l2tp_child_sa_is_ok_and_names_its_ike_sa(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(5, NAT, "C=CH, CN=laptop");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0);
	assert_int_equal(check(NAT, 0, &ike), IPSEC_OK);
	assert_int_equal(ike->id, 5);
	assert_string_equal(ike->remote_id, "C=CH, CN=laptop");
	assert_string_equal(ike->cert_subject, "CN=laptop");
	assert_null(ike->cert_issuer);
	assert_int_equal(check(OTHER, 0, NULL), IPSEC_NO_SA);
}

static void peer_with_ike_sa_but_no_child_sa_yet_waits(void **state)
{
	synced();
	ike_up(5, NAT, "client");
	assert_int_equal(check(NAT, 0, NULL), IPSEC_WAIT);
}

static void marked_child_sa_matches_only_its_mark(void **state)
{
	synced();
	ike_up(5, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0x1);
	assert_int_equal(check(NAT, 0x1, NULL), IPSEC_OK);
	/* an unmarked datagram did not come through the SA: cleartext */
	assert_int_equal(check(NAT, 0, NULL), IPSEC_CLEARTEXT);
	/* marked by an SA we have not heard of yet */
	assert_int_equal(check(NAT, 0x3, NULL), IPSEC_UNKNOWN_MARK);
}

static void two_clients_behind_one_nat_are_told_apart_by_mark(void **state)
{
	struct ipsec_ike *a, *b;

	synced();
	ike_up(1, NAT, "alice-laptop");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0x1);
	ike_up(2, NAT, "bob-laptop");
	child(L2TP_IPSEC_CHILD_UP, 2, 2, NAT, 0x2);
	assert_int_equal(check(NAT, 0x1, &a), IPSEC_OK);
	assert_int_equal(check(NAT, 0x2, &b), IPSEC_OK);
	assert_string_equal(a->remote_id, "alice-laptop");
	assert_string_equal(b->remote_id, "bob-laptop");
}

static void unmarked_child_sa_accepts_any_datagram_mark(void **state)
{
	synced();
	ike_up(5, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0);
	assert_int_equal(check(NAT, 0x77, NULL), IPSEC_OK);
}

static void ike_down_closes_the_tunnels_bound_to_it(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(5, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0);
	assert_int_equal(check(NAT, 0, &ike), IPSEC_OK);
	ipsec_table_bind(&T, ike);
	child(L2TP_IPSEC_CHILD_DOWN, 5, 9, NULL, 0);
	ike_down(5);
	/* the child went first ("last CHILD_SA"); this test does not unbind
	 * as the daemon's closing would, so the IKE SA's end is told too */
	assert_int_equal(n_gone, 2);
	assert_int_equal(gone[0].why, IPSEC_GONE_LAST_CHILD);
	assert_int_equal(gone[1].why, IPSEC_GONE_IKE_DOWN);
	assert_null(ipsec_table_ike(&T, 5));
	assert_int_equal(check(NAT, 0, NULL), IPSEC_NO_SA);
}

static void ike_down_without_tunnels_closes_nothing(void **state)
{
	synced();
	ike_up(5, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0);
	ike_down(5);
	assert_int_equal(n_gone, 0);
	assert_int_equal(ipsec_table_ike_count(&T), 0);
	assert_int_equal(ipsec_table_child_count(&T), 0);
}

static void child_rekey_keeps_the_tunnels(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(5, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 5, 9, NAT, 0);
	check(NAT, 0, &ike);
	ipsec_table_bind(&T, ike);
	child(L2TP_IPSEC_CHILD_UP, 5, 10, NAT, 0);	/* the new one first */
	child(L2TP_IPSEC_CHILD_DOWN, 5, 9, NULL, 0);
	assert_int_equal(n_gone, 0);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_OK);
}

static void sa_not_replayed_after_a_reconnect_is_gone(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(1, NAT, "kept");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	ike_up(2, OTHER, "lost");
	child(L2TP_IPSEC_CHILD_UP, 2, 2, OTHER, 0);
	check(OTHER, 0, &ike);
	ipsec_table_bind(&T, ike);

	ipsec_table_disconnected(&T);
	/* known, but not judged while the link is down */
	assert_int_equal(check(NAT, 0, NULL), IPSEC_WAIT);
	assert_int_equal(ipsec_table_ike_count(&T), 2);

	ipsec_table_connected(&T);
	simple(L2TP_IPSEC_HELLO);
	ike_up(1, NAT, "kept");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	assert_int_equal(n_gone, 0);
	simple(L2TP_IPSEC_REPLAY_END);
	assert_int_equal(n_gone, 1);
	assert_int_equal(gone[0].ike_id, 2);
	assert_int_equal(gone[0].why, IPSEC_GONE_NOT_REPLAYED);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_OK);
	assert_int_equal(check(OTHER, 0, NULL), IPSEC_NO_SA);
	assert_int_equal(T.stats.replays, 2);
}

static void child_not_replayed_is_gone_while_its_ike_sa_stays(void **state)
{
	synced();
	ike_up(1, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	ipsec_table_connected(&T);
	simple(L2TP_IPSEC_HELLO);
	ike_up(1, NAT, "client");
	simple(L2TP_IPSEC_REPLAY_END);
	assert_int_equal(ipsec_table_child_count(&T), 0);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_WAIT);
}

static void messages_before_hello_are_unexpected(void **state)
{
	ipsec_table_connected(&T);
	assert_int_equal(ike_up(1, NAT, "x"), IPSEC_APPLY_UNEXPECTED);
	assert_int_equal(simple(L2TP_IPSEC_HELLO), IPSEC_APPLY_OK);
	assert_int_equal(simple(L2TP_IPSEC_HELLO), IPSEC_APPLY_UNEXPECTED);
	assert_int_equal(T.stats.apply_rejects[IPSEC_APPLY_UNEXPECTED], 2);
	assert_int_equal(ipsec_table_ike_count(&T), 0);
}

static void delete_request_from_the_plugin_is_unexpected(void **state)
{
	struct l2tp_ipsec_writer w;

	synced();
	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_DELETE_IKE_SA);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, 1);
	assert_int_equal(feed(l2tp_ipsec_end(&w)), IPSEC_APPLY_UNEXPECTED);
}

static void child_reported_under_another_ike_sa_is_a_conflict(void **state)
{
	synced();
	ike_up(1, NAT, "a");
	ike_up(2, OTHER, "b");
	child(L2TP_IPSEC_CHILD_UP, 1, 7, NAT, 0);
	assert_int_equal(child(L2TP_IPSEC_CHILD_UP, 2, 7, OTHER, 0), IPSEC_APPLY_CHILD_CONFLICT);
	assert_int_equal(check(OTHER, 0, NULL), IPSEC_WAIT);
}

static void child_up_before_ike_up_still_admits_the_peer(void **state)
{
	struct ipsec_ike *ike;

	synced();
	child(L2TP_IPSEC_CHILD_UP, 3, 4, NAT, 0);
	assert_int_equal(check(NAT, 0, &ike), IPSEC_OK);
	assert_null(ike->remote_id);
	ike_up(3, NAT, "late");
	assert_string_equal(ike->remote_id, "late");
}

static void ike_rekey_moves_children_and_tunnels_to_the_new_ike_sa(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(1, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	check(NAT, 0, &ike);
	ipsec_table_bind(&T, ike);
	ike_up_rekey(2, NAT, "client", 1);
	assert_int_equal(rekeyed_old, 1);
	assert_int_equal(rekeyed_new, 2);
	assert_int_equal(n_gone, 0);
	assert_null(ipsec_table_ike(&T, 1));
	assert_int_equal(check(NAT, 0, &ike), IPSEC_OK);
	assert_int_equal(ike->id, 2);
	assert_int_equal(ike->tunnels, 1);
}

static void down_of_an_unknown_sa_is_counted_and_harmless(void **state)
{
	synced();
	assert_int_equal(ike_down(77), IPSEC_APPLY_OK);
	assert_int_equal(child(L2TP_IPSEC_CHILD_DOWN, 77, 78, NULL, 0), IPSEC_APPLY_OK);
	assert_int_equal(T.stats.unknown_down, 2);
}

static void ike_sa_that_moved_is_found_at_its_new_address(void **state)
{
	synced();
	ike_up(1, NAT, "client");
	ike_up(1, OTHER, "client");	/* MOBIKE or a NAT mapping change */
	assert_int_equal(check(OTHER, 0, NULL), IPSEC_WAIT);
	assert_int_equal(check(NAT, 0, NULL), IPSEC_NO_SA);
	assert_int_equal(ipsec_table_ike_count(&T), 1);
}

static void unbind_after_the_ike_sa_is_gone_returns_null(void **state)
{
	struct ipsec_ike *ike;

	synced();
	ike_up(1, NAT, "client");
	child(L2TP_IPSEC_CHILD_UP, 1, 1, NAT, 0);
	check(NAT, 0, &ike);
	ipsec_table_bind(&T, ike);
	assert_ptr_equal(ipsec_table_unbind(&T, 1), ike);
	assert_int_equal(ike->tunnels, 0);
	ike_down(1);
	assert_null(ipsec_table_unbind(&T, 1));
}

static void malformed_message_is_counted_by_reason(void **state)
{
	enum ipsec_apply_reason apply;
	uint8_t bad[4] = { L2TP_IPSEC_VERSION, L2TP_IPSEC_HELLO, 0, 9 };

	assert_int_equal(ipsec_table_input(&T, bad, 4, &apply), L2TP_IPSEC_R_BAD_LENGTH);
	assert_int_equal(T.stats.parse_rejects[L2TP_IPSEC_R_BAD_LENGTH], 1);
}

static void ten_thousand_clients_are_each_found(void **state)
{
	uint8_t a[4] = { 10, 0, 0, 0 };
	struct ipsec_ike *ike;

	synced();
	for (uint32_t i = 1; i <= 10000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		ike_up(i, a, "c");
		child(L2TP_IPSEC_CHILD_UP, i, i, a, i);
	}
	for (uint32_t i = 1; i <= 10000; i++) {
		a[2] = (uint8_t)(i >> 8);
		a[3] = (uint8_t)i;
		assert_int_equal(check(a, i, &ike), IPSEC_OK);
		assert_int_equal(ike->id, i);
	}
	assert_int_equal(ipsec_table_child_count(&T), 10000);
}

static void every_verdict_and_reason_has_text(void **state)
{
	for (int v = IPSEC_OK; v <= IPSEC_UNKNOWN_MARK; v++)
		assert_string_not_equal(ipsec_verdict_text((enum ipsec_verdict)v), "?");
	for (int r = IPSEC_GONE_IKE_DOWN; r <= IPSEC_GONE_NOT_REPLAYED; r++)
		assert_string_not_equal(ipsec_gone_reason_text((enum ipsec_gone_reason)r), "?");
}

#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(nothing_is_judged_before_the_first_replay_ends),
		T_(peer_without_any_sa_has_no_sa),
		T_(peer_with_l2tp_child_sa_is_ok_and_names_its_ike_sa),
		T_(peer_with_ike_sa_but_no_child_sa_yet_waits),
		T_(marked_child_sa_matches_only_its_mark),
		T_(two_clients_behind_one_nat_are_told_apart_by_mark),
		T_(unmarked_child_sa_accepts_any_datagram_mark),
		T_(ike_down_closes_the_tunnels_bound_to_it),
		T_(ike_down_without_tunnels_closes_nothing),
		T_(child_rekey_keeps_the_tunnels),
		T_(sa_not_replayed_after_a_reconnect_is_gone),
		T_(child_not_replayed_is_gone_while_its_ike_sa_stays),
		T_(messages_before_hello_are_unexpected),
		T_(delete_request_from_the_plugin_is_unexpected),
		T_(child_reported_under_another_ike_sa_is_a_conflict),
		T_(child_up_before_ike_up_still_admits_the_peer),
		T_(ike_rekey_moves_children_and_tunnels_to_the_new_ike_sa),
		T_(down_of_an_unknown_sa_is_counted_and_harmless),
		T_(ike_sa_that_moved_is_found_at_its_new_address),
		T_(unbind_after_the_ike_sa_is_gone_returns_null),
		T_(malformed_message_is_counted_by_reason),
		T_(ten_thousand_clients_are_each_found),
		T_(every_verdict_and_reason_has_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
