/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPCP (RFC 1332, RFC 1877) and IPV6CP (RFC 5072) option handling on a
 * server whose link is up and authenticated, fed Windows' requests.
 */
#include "harness.h"
#include "fixtures.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static struct endpoint srv, cli;
static uint64_t now;

/* Bring a server up to the network phase with a real client, then keep
 * feeding the server by hand. */
static void up_with(void (*tweak)(struct ppp_profile *))
{
	ep_init(&srv, PPP_SERVER, 11);
	ep_init(&cli, PPP_CLIENT, 12);
	if (tweak)
		tweak(&srv.profile);
	/* Authenticate with a real client, then answer the verdict
	 * without letting the client hear it: the NCP negotiation is
	 * ours to drive by hand. */
	srv.mode = AUTH_DEFER;
	now = 1000;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	{
		struct ppp_auth_answer a;
		uint8_t h[16];

		memset(&a, 0, sizeof(a));
		a.kind = PPP_ANSWER_LOCAL;
		assert_int_equal(ppp_nt_password_hash("correct horse", 13, h), 0);
		a.nt_hash = h;
		a.profile = &srv.profile;
		assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	}
	assert_int_equal(srv.s.phase, PPP_PHASE_NETWORK);
	srv.nout = 0;
}

static const uint8_t *sent(uint16_t proto, uint8_t code)
{
	for (size_t i = srv.nout; i > 0; i--)
		if (frame_proto(&srv.out[i - 1]) == proto &&
		    srv.out[i - 1].b[4] == code)
			return frame_pkt(&srv.out[i - 1]);
	return NULL;
}

static void be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

static void test_windows_ipcp_request_is_naked_with_address_dns_and_wins(void **state)
{
	const uint8_t *nak;
	uint8_t v[4];

	up_with(NULL);
	feed(&srv, now, win_ipcp_req, sizeof(win_ipcp_req));
	nak = sent(PPP_PROTO_IPCP, 3);
	assert_non_null(nak);
	be32(v, 0xC000020A); assert_true(pkt_has_option(nak, 3, v, 4));
	be32(v, 0xC6336401); assert_true(pkt_has_option(nak, 129, v, 4));
	be32(v, 0xCB007101); assert_true(pkt_has_option(nak, 130, v, 4));
	be32(v, 0xC6336402); assert_true(pkt_has_option(nak, 131, v, 4));
	be32(v, 0xCB007102); assert_true(pkt_has_option(nak, 132, v, 4));
}

static void no_wins(struct ppp_profile *p)
{
	p->nbns[0] = p->nbns[1] = 0;
	p->dns[1] = 0;
}

static void test_unconfigured_name_servers_are_rejected(void **state)
{
	const uint8_t *rej;

	up_with(no_wins);
	feed(&srv, now, win_ipcp_req, sizeof(win_ipcp_req));
	rej = sent(PPP_PROTO_IPCP, 4);
	assert_non_null(rej);
	assert_true(pkt_has_type(rej, 130));
	assert_true(pkt_has_type(rej, 131));
	assert_true(pkt_has_type(rej, 132));
	assert_false(pkt_has_type(rej, 3));
	assert_false(pkt_has_type(rej, 129));
}

static void test_vj_compression_is_rejected(void **state)
{
	const uint8_t *rej;

	up_with(NULL);
	feed(&srv, now, win_ipcp_req_vj, sizeof(win_ipcp_req_vj));
	rej = sent(PPP_PROTO_IPCP, 4);
	assert_non_null(rej);
	assert_true(pkt_has_type(rej, 2));
	assert_int_equal((rej[2] << 8 | rej[3]), 4 + 6);
}

static void test_deprecated_ip_addresses_option_is_rejected(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 14,
			1, 10, 0, 0, 0, 0, 0, 0, 0, 0 };

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	assert_true(pkt_has_type(sent(PPP_PROTO_IPCP, 4), 1));
}

static void test_request_with_the_assigned_values_is_acked_and_ipcp_opens(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 9, 0, 0x22,
			3, 6, 0xC0, 0x00, 0x02, 0x0A,
			129, 6, 0xC6, 0x33, 0x64, 0x01,
			130, 6, 0xCB, 0x00, 0x71, 0x01,
			131, 6, 0xC6, 0x33, 0x64, 0x02,
			132, 6, 0xCB, 0x00, 0x71, 0x02 };
	const uint8_t *req;
	uint8_t ack[PPP_MAX_FRAME];
	size_t len;
	const struct rec_event *up;

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	assert_non_null(sent(PPP_PROTO_IPCP, 2));
	/* ack our own request (our address) */
	req = NULL;
	for (size_t i = 0; i < srv.nout; i++)
		if (frame_proto(&srv.out[i]) == PPP_PROTO_IPCP && srv.out[i].b[4] == 1)
			req = frame_pkt(&srv.out[i]);
	if (!req) {
		/* our request went out before the reset of the outbox */
		now = srv.timer;
		ppp_timer_expired(&srv.s, now);
		req = sent(PPP_PROTO_IPCP, 1);
	}
	assert_non_null(req);
	len = (size_t)(req[2] << 8 | req[3]);
	ack[0] = 0xFF; ack[1] = 0x03; ack[2] = 0x80; ack[3] = 0x21;
	memcpy(ack + 4, req, len);
	ack[4] = 2;
	feed(&srv, now, ack, len + 4);
	assert_true(ppp_fsm_is_opened(&srv.s.ipcp));
	up = find_event(&srv, PPP_EVENT_NCP_UP, 0);
	assert_non_null(up);
	assert_int_equal(up->ev.u.ncp.peer_addr, 0xC000020A);
	assert_int_equal(up->ev.u.ncp.local_addr, 0xC0000201);
	assert_int_equal(up->ev.u.ncp.dns[0], 0xC6336401);
	assert_false(up->ev.u.ncp.peer_chose_address);
}

static void test_clients_own_address_is_naked_unless_policy_allows_it(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 10,
			3, 6, 0xC0, 0x00, 0x02, 0x63 };
	uint8_t v[4];

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	be32(v, 0xC000020A);
	assert_true(pkt_has_option(sent(PPP_PROTO_IPCP, 3), 3, v, 4));
}

static void allow_own(struct ppp_profile *p)
{
	p->allow_peer_address = true;
}

static void test_clients_own_address_is_acked_when_policy_allows_it(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 10,
			3, 6, 0xC0, 0x00, 0x02, 0x63 };

	up_with(allow_own);
	feed(&srv, now, f, sizeof(f));
	assert_non_null(sent(PPP_PROTO_IPCP, 2));
	assert_int_equal(srv.s.ipcp_st.peer_addr, 0xC0000263);
	assert_true(srv.s.ipcp_st.peer_chose_address);
}

static void test_request_without_address_is_naked_to_add_the_assignment(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 4 };
	uint8_t v[4];

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	be32(v, 0xC000020A);
	assert_true(pkt_has_option(sent(PPP_PROTO_IPCP, 3), 3, v, 4));
}

static void test_duplicate_ipcp_option_is_rejected_and_counted(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 16,
			3, 6, 0, 0, 0, 0, 3, 6, 0, 0, 0, 0 };

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	assert_true(pkt_has_type(sent(PPP_PROTO_IPCP, 4), 3));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_DUPLICATE], 1);
}

static void test_truncated_ipcp_option_discards_the_request(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x21, 1, 1, 0, 8, 3, 6, 0, 0 };

	up_with(NULL);
	feed(&srv, now, f, sizeof(f));
	assert_null(sent(PPP_PROTO_IPCP, 2));
	assert_null(sent(PPP_PROTO_IPCP, 3));
	assert_null(sent(PPP_PROTO_IPCP, 4));
	assert_int_equal(srv.s.stats.malformed[PPP_BAD_OPTION_TRUNCATED], 1);
}

static void test_ccp_is_protocol_rejected_and_ipcp_is_untouched(void **state)
{
	const uint8_t *pr;
	uint8_t before;

	up_with(NULL);
	before = srv.s.ipcp.state;
	feed(&srv, now, win_ccp_req, sizeof(win_ccp_req));
	pr = sent(PPP_PROTO_LCP, 8);
	assert_non_null(pr);
	assert_int_equal(pr[4], 0x80);
	assert_int_equal(pr[5], 0xFD);
	assert_memory_equal(pr + 6, win_ccp_req + 4, sizeof(win_ccp_req) - 4);
	assert_int_equal(srv.s.ipcp.state, before);
	assert_int_equal(srv.s.stats.protocol_rejects_sent, 1);
}

static void test_ipv6cp_is_protocol_rejected_when_not_granted(void **state)
{
	const uint8_t *pr;

	up_with(NULL);
	feed(&srv, now, win_ipv6cp_req, sizeof(win_ipv6cp_req));
	pr = sent(PPP_PROTO_LCP, 8);
	assert_non_null(pr);
	assert_int_equal(pr[4], 0x80);
	assert_int_equal(pr[5], 0x57);
}

static void with_v6(struct ppp_profile *p)
{
	p->ipv6cp = true;
}

static void test_ipv6cp_acks_a_distinct_interface_identifier(void **state)
{
	up_with(with_v6);
	feed(&srv, now, win_ipv6cp_req, sizeof(win_ipv6cp_req));
	assert_non_null(sent(PPP_PROTO_IPV6CP, 2));
	assert_memory_equal(srv.s.ipv6cp_st.peer_ifid, win_ipv6cp_req + 10, 8);
}

static void test_ipv6cp_naks_a_zero_identifier_with_a_fresh_one(void **state)
{
	uint8_t f[] = { 0xFF, 0x03, 0x80, 0x57, 1, 1, 0, 14,
			1, 10, 0, 0, 0, 0, 0, 0, 0, 0 };
	const uint8_t *nak;
	static const uint8_t zero[8] = { 0 };

	up_with(with_v6);
	feed(&srv, now, f, sizeof(f));
	nak = sent(PPP_PROTO_IPV6CP, 3);
	assert_non_null(nak);
	assert_true(pkt_has_type(nak, 1));
	assert_memory_not_equal(nak + 6, zero, 8);
	assert_memory_not_equal(nak + 6, srv.s.ipv6cp_st.local_ifid, 8);
}

static void test_ipv6cp_naks_an_identifier_equal_to_ours(void **state)
{
	uint8_t f[18] = { 0xFF, 0x03, 0x80, 0x57, 1, 1, 0, 14, 1, 10 };
	const uint8_t *nak;

	up_with(with_v6);
	memcpy(f + 10, srv.s.ipv6cp_st.local_ifid, 8);
	feed(&srv, now, f, sizeof(f));
	nak = sent(PPP_PROTO_IPV6CP, 3);
	assert_non_null(nak);
	assert_memory_not_equal(nak + 6, srv.s.ipv6cp_st.local_ifid, 8);
}

static void test_ipv6cp_end_to_end_both_sides_get_identifiers(void **state)
{
	const struct rec_event *e;

	ep_init(&srv, PPP_SERVER, 21);
	ep_init(&cli, PPP_CLIENT, 22);
	srv.profile.ipv6cp = true;
	cli.s.profile.ipv6cp = true;
	now = 1000;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_true(ppp_fsm_is_opened(&srv.s.ipv6cp));
	assert_true(ppp_fsm_is_opened(&cli.s.ipv6cp));
	e = find_event(&srv, PPP_EVENT_NCP_UP, 1);
	if (!e || e->ev.u.ncp.protocol != PPP_PROTO_IPV6CP)
		e = find_event(&srv, PPP_EVENT_NCP_UP, 0);
	assert_int_equal(e->ev.u.ncp.protocol, PPP_PROTO_IPV6CP);
	assert_memory_equal(srv.s.ipv6cp_st.peer_ifid, cli.s.ipv6cp_st.local_ifid, 8);
	assert_memory_equal(srv.s.ipv6cp_st.local_ifid, cli.s.ipv6cp_st.peer_ifid, 8);
}

static void test_client_learns_address_and_name_servers_from_naks(void **state)
{
	ep_init(&srv, PPP_SERVER, 31);
	ep_init(&cli, PPP_CLIENT, 32);
	now = 1000;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_int_equal(cli.s.ipcp_st.local_addr, 0xC000020A);
	assert_int_equal(cli.s.ipcp_st.dns[0], 0xC6336401);
	assert_int_equal(cli.s.ipcp_st.dns[1], 0xC6336402);
	assert_int_equal(cli.s.ipcp_st.nbns[0], 0xCB007101);
	assert_int_equal(cli.s.ipcp_st.nbns[1], 0xCB007102);
}

static void test_client_re_requests_address_and_dns_only_when_wins_is_rejected(void **state)
{
	ep_init(&srv, PPP_SERVER, 41);
	ep_init(&cli, PPP_CLIENT, 42);
	no_wins(&srv.profile);
	now = 1000;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_true(ppp_fsm_is_opened(&cli.s.ipcp));
	assert_int_equal(cli.s.ipcp_st.want, 0x01 | 0x02);	/* addr + DNS1 */
}

static void test_data_frames_pass_only_once_ipcp_is_open(void **state)
{
	static const uint8_t ip[] = { 0xFF, 0x03, 0x00, 0x21, 0x45, 0, 0, 20 };
	static const uint8_t ip_pfc[] = { 0x21, 0x45, 0, 0, 20 };
	struct ppp_data d;

	ep_init(&srv, PPP_SERVER, 51);
	ep_init(&cli, PPP_CLIENT, 52);
	now = 1000;
	assert_int_equal(ppp_input(&srv.s, now, ip, sizeof(ip), &d),
			 PPP_INPUT_DROPPED);
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_int_equal(ppp_input(&srv.s, now, ip, sizeof(ip), &d),
			 PPP_INPUT_DATA);
	assert_int_equal(d.protocol, PPP_PROTO_IP);
	assert_int_equal(d.len, 4);
	assert_int_equal(d.payload[0], 0x45);
	/* protocol-field-compressed form */
	assert_int_equal(ppp_input(&srv.s, now, ip_pfc, sizeof(ip_pfc), &d),
			 PPP_INPUT_DATA);
	assert_int_equal(srv.s.stats.rx[PPP_CNT_IP], 3);
	assert_int_equal(srv.s.stats.drop[PPP_CNT_IP], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_ipcp_request_is_naked_with_address_dns_and_wins),
		cmocka_unit_test(test_unconfigured_name_servers_are_rejected),
		cmocka_unit_test(test_vj_compression_is_rejected),
		cmocka_unit_test(test_deprecated_ip_addresses_option_is_rejected),
		cmocka_unit_test(test_request_with_the_assigned_values_is_acked_and_ipcp_opens),
		cmocka_unit_test(test_clients_own_address_is_naked_unless_policy_allows_it),
		cmocka_unit_test(test_clients_own_address_is_acked_when_policy_allows_it),
		cmocka_unit_test(test_request_without_address_is_naked_to_add_the_assignment),
		cmocka_unit_test(test_duplicate_ipcp_option_is_rejected_and_counted),
		cmocka_unit_test(test_truncated_ipcp_option_discards_the_request),
		cmocka_unit_test(test_ccp_is_protocol_rejected_and_ipcp_is_untouched),
		cmocka_unit_test(test_ipv6cp_is_protocol_rejected_when_not_granted),
		cmocka_unit_test(test_ipv6cp_acks_a_distinct_interface_identifier),
		cmocka_unit_test(test_ipv6cp_naks_a_zero_identifier_with_a_fresh_one),
		cmocka_unit_test(test_ipv6cp_naks_an_identifier_equal_to_ours),
		cmocka_unit_test(test_ipv6cp_end_to_end_both_sides_get_identifiers),
		cmocka_unit_test(test_client_learns_address_and_name_servers_from_naks),
		cmocka_unit_test(test_client_re_requests_address_and_dns_only_when_wins_is_rejected),
		cmocka_unit_test(test_data_frames_pass_only_once_ipcp_is_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
