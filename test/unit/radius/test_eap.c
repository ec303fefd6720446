/* SPDX-License-Identifier: GPL-2.0-or-later */
/* EAP over RADIUS, the NAS reading a server's answer (eap.h): the EAP
 * packet put together from its EAP-Message pieces, State, and every
 * malformed answer refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eap.h"
#include "request.h"

static uint8_t buf[RADIUS_MAX_LEN];
static uint8_t eap[RADIUS_MAX_LEN];
static struct radius_writer W;
static struct radius_packet P;
static const uint8_t RA[16] = "request-auth-16o";

/* An EAP packet of len octets: code, id, Length, Type 13 (EAP-TLS), a
 * recognisable body. */
static void make_eap(uint8_t *p, uint8_t code, uint8_t id, size_t len)
{
	p[0] = code;
	p[1] = id;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	for (size_t i = 4; i < len; i++)
		p[i] = (uint8_t)(i * 7);
	if (len > 4)
		p[4] = 13;
}

static void begin(uint8_t code, bool msg_auth)
{
	radius_begin(&W, buf, sizeof(buf), code, 9, RA);
	if (msg_auth)
		radius_put_message_authenticator(&W);
}

/* The EAP packet in pieces of `piece` octets. */
static void put_pieces(const uint8_t *p, size_t len, size_t piece)
{
	for (size_t off = 0; off < len; off += piece)
		radius_put(&W, RADIUS_EAP_MESSAGE, p + off, len - off < piece ? len - off : piece);
}

static int read_answer(struct radius_eap *e, char *why, size_t wl)
{
	size_t n = radius_finish(&W, "s");

	assert_true(n > 0);
	assert_int_equal(radius_parse(buf, n, &P), RADIUS_OK);
	memset(eap, 0xee, sizeof(eap));
	return radius_eap_read(&P, eap, sizeof(eap), e, why, wl);
}

static void a_challenge_in_253_octet_pieces_is_put_together(void **state)
{
	uint8_t pkt[1100];
	struct radius_eap e;
	char why[128];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 42, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_STATE, "st-1", 4);
	put_pieces(pkt, sizeof(pkt), RADIUS_MAX_VALUE);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, sizeof(pkt));
	assert_int_equal(e.eap_code, RADIUS_EAP_REQUEST);
	assert_int_equal(e.eap_id, 42);
	assert_memory_equal(eap, pkt, sizeof(pkt));
	assert_non_null(e.state);
	assert_int_equal(e.state_len, 4);
	assert_memory_equal(e.state, "st-1", 4);
}

static void pieces_of_any_size_are_put_together_in_order(void **state)
{
	uint8_t pkt[300];
	struct radius_eap e;
	char why[128];

	(void)state;
	/* RFC 3579 3.1 fixes no piece size: a server may cut anywhere */
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	put_pieces(pkt, sizeof(pkt), 7);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, sizeof(pkt));
	assert_memory_equal(eap, pkt, sizeof(pkt));
	assert_null(e.state);
}

static void what_a_request_splits_is_what_the_reader_joins(void **state)
{
	uint8_t pkt[700], req_buf[RADIUS_MAX_LEN];
	struct radius_nas_session s = { .user = "alice", .nas_identifier = "vpn1",
					.calling_station = "203.0.113.7" };
	struct radius_credentials c = { .kind = RADIUS_AUTH_EAP, .eap = pkt, .eap_len = sizeof(pkt),
					.state = (const uint8_t *)"st-2", .state_len = 4,
					.framed_mtu = 1400 };
	struct radius_packet req;
	struct radius_attr a;
	size_t off = 0, n;
	struct radius_eap e;
	char why[128];

	(void)state;
	/* the request side's pieces (request.c, 253 octets each) carried
	 * back in a Challenge read as the same packet */
	make_eap(pkt, RADIUS_EAP_REQUEST, 3, sizeof(pkt));
	radius_begin(&W, req_buf, sizeof(req_buf), RADIUS_ACCESS_REQUEST, 1, RA);
	radius_put_message_authenticator(&W);
	assert_int_equal(radius_put_access_request(&W, &s, &c, "s"), 0);
	n = radius_finish(&W, "s");
	assert_int_equal(radius_parse(req_buf, n, &req), RADIUS_OK);
	assert_true(radius_find(&req, RADIUS_STATE, &a));	/* echoed as given */
	assert_memory_equal(a.value, "st-2", 4);
	/* RFC 3579 2.4: the link's MTU for the server's fragment size */
	assert_true(radius_find(&req, RADIUS_FRAMED_MTU, &a));
	assert_int_equal(a.len, 4);
	assert_int_equal(a.value[2] << 8 | a.value[3], 1400);
	begin(RADIUS_ACCESS_CHALLENGE, true);
	while (radius_next_attr(&req, &off, &a))
		if (a.type == RADIUS_EAP_MESSAGE)
			radius_put(&W, RADIUS_EAP_MESSAGE, a.value, a.len);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, sizeof(pkt));
	assert_memory_equal(eap, pkt, sizeof(pkt));
}

static void an_accept_carries_the_success_as_sent(void **state)
{
	static const uint8_t success[4] = { RADIUS_EAP_SUCCESS, 77, 0, 4 };
	struct radius_eap e;
	char why[128];

	(void)state;
	begin(RADIUS_ACCESS_ACCEPT, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, success, 4);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, 4);
	assert_int_equal(e.eap_code, RADIUS_EAP_SUCCESS);
	assert_int_equal(e.eap_id, 77);
	assert_memory_equal(eap, success, 4);
}

static void a_reject_carries_the_failure(void **state)
{
	static const uint8_t failure[4] = { RADIUS_EAP_FAILURE, 5, 0, 4 };
	struct radius_eap e;
	char why[128];

	(void)state;
	begin(RADIUS_ACCESS_REJECT, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, failure, 4);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_code, RADIUS_EAP_FAILURE);
	assert_int_equal(e.eap_id, 5);
}

static void an_accept_or_reject_without_eap_has_none(void **state)
{
	struct radius_eap e;
	char why[128];

	(void)state;
	/* the caller decides what that means (the provider refuses an
	 * Accept without Success) */
	begin(RADIUS_ACCESS_REJECT, false);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, 0);
}

static void padding_past_the_eap_length_is_not_relayed(void **state)
{
	uint8_t pkt[40];
	struct radius_eap e;
	char why[128];

	(void)state;
	/* RFC 3748 4: octets past Length are padding, ignored */
	make_eap(pkt, RADIUS_EAP_REQUEST, 2, sizeof(pkt));
	pkt[3] = 30;
	begin(RADIUS_ACCESS_CHALLENGE, true);
	put_pieces(pkt, sizeof(pkt), 253);
	assert_int_equal(read_answer(&e, why, sizeof(why)), 0);
	assert_int_equal(e.eap_len, 30);
}

/* ---- malformed answers: refused, with the reason ---- */

static void refused(const char *what)
{
	struct radius_eap e;
	char why[128] = "";

	assert_int_equal(read_answer(&e, why, sizeof(why)), -1);
	if (!strstr(why, what))
		fail_msg("expected '%s' in '%s'", what, why);
}

static void a_challenge_without_eap_is_refused(void **state)
{
	(void)state;
	/* a server's own question (one-time passwords): nothing to relay */
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_STATE, "st", 2);
	radius_put_str(&W, RADIUS_REPLY_MESSAGE, "Enter your token");
	refused("without EAP-Message");
}

static void eap_without_message_authenticator_is_refused(void **state)
{
	uint8_t pkt[20];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, false);
	put_pieces(pkt, sizeof(pkt), 253);
	refused("without Message-Authenticator");
}

static void pieces_that_are_not_consecutive_are_refused(void **state)
{
	uint8_t pkt[300];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, pkt, 253);
	radius_put(&W, RADIUS_STATE, "st", 2);
	radius_put(&W, RADIUS_EAP_MESSAGE, pkt + 253, 47);
	refused("not consecutive");
}

static void an_empty_piece_is_refused(void **state)
{
	uint8_t pkt[20];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, pkt, 10);
	radius_put(&W, RADIUS_EAP_MESSAGE, pkt, 0);
	radius_put(&W, RADIUS_EAP_MESSAGE, pkt + 10, 10);
	refused("empty EAP-Message");
}

static void a_length_beyond_what_came_is_refused(void **state)
{
	uint8_t pkt[20];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	pkt[3] = 21;
	begin(RADIUS_ACCESS_CHALLENGE, true);
	put_pieces(pkt, sizeof(pkt), 253);
	refused("EAP Length of 21 in 20");
}

static void a_length_below_the_header_is_refused(void **state)
{
	uint8_t pkt[8];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	pkt[3] = 3;
	begin(RADIUS_ACCESS_CHALLENGE, true);
	put_pieces(pkt, sizeof(pkt), 253);
	refused("EAP Length of 3");
}

static void fewer_octets_than_a_header_are_refused(void **state)
{
	(void)state;
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, "\x01\x02\x00", 3);
	refused("EAP packet of 3 octets");
}

static void a_request_without_a_type_is_refused(void **state)
{
	(void)state;
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, "\x01\x02\x00\x04", 4);
	refused("without a Type");
}

static void an_eap_code_the_radius_code_contradicts_is_refused(void **state)
{
	static const uint8_t failure[4] = { RADIUS_EAP_FAILURE, 5, 0, 4 };
	static const uint8_t success[4] = { RADIUS_EAP_SUCCESS, 5, 0, 4 };

	(void)state;
	/* RFC 3579 2.6.3: the client must not be told Success while the
	 * NAS refuses it, nor the other way round */
	begin(RADIUS_ACCESS_ACCEPT, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, failure, 4);
	refused("EAP code 4 in RADIUS code 2");
	begin(RADIUS_ACCESS_REJECT, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, success, 4);
	refused("EAP code 3 in RADIUS code 3");
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, success, 4);
	refused("EAP code 3 in RADIUS code 11");
}

static void a_success_with_data_is_refused(void **state)
{
	(void)state;
	/* RFC 3748 4.2: Success is the header alone */
	begin(RADIUS_ACCESS_ACCEPT, true);
	radius_put(&W, RADIUS_EAP_MESSAGE, "\x03\x05\x00\x05x", 5);
	refused("EAP Success of 5 octets");
}

static void two_states_are_refused(void **state)
{
	uint8_t pkt[20];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_STATE, "a", 1);
	put_pieces(pkt, sizeof(pkt), 253);
	radius_put(&W, RADIUS_STATE, "b", 1);
	refused("more than one State");
}

static void an_empty_state_is_refused(void **state)
{
	uint8_t pkt[20];

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	radius_put(&W, RADIUS_STATE, "", 0);
	put_pieces(pkt, sizeof(pkt), 253);
	refused("empty State");
}

static void a_packet_longer_than_the_buffer_is_refused(void **state)
{
	uint8_t pkt[600], small[512];
	struct radius_eap e;
	char why[128];
	size_t n;

	(void)state;
	make_eap(pkt, RADIUS_EAP_REQUEST, 1, sizeof(pkt));
	begin(RADIUS_ACCESS_CHALLENGE, true);
	put_pieces(pkt, sizeof(pkt), 253);
	n = radius_finish(&W, "s");
	assert_int_equal(radius_parse(buf, n, &P), RADIUS_OK);
	assert_int_equal(radius_eap_read(&P, small, sizeof(small), &e, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "longer than 512"));
}

static void a_code_that_carries_no_eap_is_refused(void **state)
{
	(void)state;
	begin(RADIUS_ACCOUNTING_RESPONSE, true);
	refused("carries no EAP");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_challenge_in_253_octet_pieces_is_put_together),
		cmocka_unit_test(pieces_of_any_size_are_put_together_in_order),
		cmocka_unit_test(what_a_request_splits_is_what_the_reader_joins),
		cmocka_unit_test(an_accept_carries_the_success_as_sent),
		cmocka_unit_test(a_reject_carries_the_failure),
		cmocka_unit_test(an_accept_or_reject_without_eap_has_none),
		cmocka_unit_test(padding_past_the_eap_length_is_not_relayed),
		cmocka_unit_test(a_challenge_without_eap_is_refused),
		cmocka_unit_test(eap_without_message_authenticator_is_refused),
		cmocka_unit_test(pieces_that_are_not_consecutive_are_refused),
		cmocka_unit_test(an_empty_piece_is_refused),
		cmocka_unit_test(a_length_beyond_what_came_is_refused),
		cmocka_unit_test(a_length_below_the_header_is_refused),
		cmocka_unit_test(fewer_octets_than_a_header_are_refused),
		cmocka_unit_test(a_request_without_a_type_is_refused),
		cmocka_unit_test(an_eap_code_the_radius_code_contradicts_is_refused),
		cmocka_unit_test(a_success_with_data_is_refused),
		cmocka_unit_test(two_states_are_refused),
		cmocka_unit_test(an_empty_state_is_refused),
		cmocka_unit_test(a_packet_longer_than_the_buffer_is_refused),
		cmocka_unit_test(a_code_that_carries_no_eap_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
