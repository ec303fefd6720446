/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A random source that fails (ppp_config.cb.random returns -1): no
 * challenge is ever sent (RFC 1994 2.3: it must be unpredictable), the
 * link closes with PPP_DOWN_NO_RANDOM, and nothing spins on the magic
 * number or the interface identifier.
 */
#include "harness.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static const enum ppp_auth_method only_chap[] = { PPP_AUTH_CHAP_MD5 };

static struct endpoint srv, cli;

static int setup(void **state)
{
	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	return 0;
}

static void assert_closed_for_no_random(const struct endpoint *e)
{
	const struct rec_event *down = find_event(e, PPP_EVENT_LINK_DOWN, 0);

	assert_non_null(down);
	assert_int_equal(down->ev.u.link_down.reason, PPP_DOWN_NO_RANDOM);
	assert_string_equal(ppp_down_reason_text(PPP_DOWN_NO_RANDOM), down->text);
}

static void server_without_randomness_sends_no_challenge(void **state)
{
	const enum ppp_auth_method *methods[] = { only_mschapv2, only_chap };

	for (int i = 0; i < 2; i++) {
		uint64_t now = 1000;

		setup(state);
		srv.random_fails = true;
		connect_pair(&srv, &cli, methods[i], 1, &now);
		assert_true(srv.random_failures > 0);
		/* the client never saw a challenge: it never answered one */
		assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
		assert_null(find_event(&cli, PPP_EVENT_AUTH_RESULT, 0));
		assert_null(find_event(&srv, PPP_EVENT_NCP_UP, 0));
		assert_closed_for_no_random(&srv);
	}
}

static void client_without_randomness_sends_no_mschapv2_response(void **state)
{
	uint64_t now = 1000;

	cli.random_fails = true;
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_true(cli.random_failures > 0);
	/* no Response with a predictable Peer-Challenge went out */
	assert_int_equal(count_events(&srv, PPP_EVENT_AUTH_REQUEST), 0);
	assert_null(find_event(&srv, PPP_EVENT_NCP_UP, 0));
	assert_closed_for_no_random(&cli);
}

static void randomness_back_means_a_normal_login(void **state)
{
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	assert_int_equal(srv.random_failures + cli.random_failures, 0);
	assert_non_null(find_event(&srv, PPP_EVENT_NCP_UP, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(server_without_randomness_sends_no_challenge, setup),
		cmocka_unit_test_setup(client_without_randomness_sends_no_mschapv2_response, setup),
		cmocka_unit_test_setup(randomness_back_means_a_normal_login, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
