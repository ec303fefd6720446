/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c: the command line of l2tp-client. */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

static struct client_opts o;
static char err[256];

#define PARSE(...) parse((const char *[]){"l2tp-client", __VA_ARGS__, NULL})

static int parse(const char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	return client_opts_parse(argc, (char **)argv, &o, err, sizeof(err));
}

#define BASE "--server", "192.0.2.1", "--user", "alice", "--password", "pw"

static void test_minimal_command_line_gets_the_defaults(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE), OPTS_OK);
	assert_int_equal(o.server.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&o.server)->sin_port), 1701);
	assert_int_equal(o.auth, PPP_AUTH_MSCHAPV2);
	assert_int_equal(o.sessions, 1);
	assert_int_equal(o.tunnels, 1);
	assert_int_equal(o.per_tunnel, 1);
	assert_false(o.ping);
	assert_false(o.templated);
	assert_int_equal(o.timeout_ms, 60000);
}

static void test_server_user_and_password_are_required(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--user", "a", "--password", "b"), OPTS_USAGE);
	assert_non_null(strstr(err, "--server"));
	assert_int_equal(PARSE("--server", "192.0.2.1", "--user", "a"), OPTS_USAGE);
	assert_int_equal(PARSE("--server", "not-an-address", "--user", "a", "--password", "b"), OPTS_USAGE);
}

static void test_ipv6_server_and_port(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--server", "2001:db8::1", "--port", "1702", "--user", "a",
			       "--password", "b"), OPTS_OK);
	assert_int_equal(o.server.ss_family, AF_INET6);
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&o.server)->sin6_port), 1702);
	assert_int_equal(o.bind.ss_family, AF_INET6);
}

static void test_bind_family_must_match_server(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--bind", "2001:db8::2"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--bind", "192.0.2.2", "--local-port", "1701"), OPTS_OK);
	assert_true(o.has_bind);
	assert_int_equal(ntohs(((struct sockaddr_in *)&o.bind)->sin_port), 1701);
}

static void test_auth_methods(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--auth", "pap"), OPTS_OK);
	assert_int_equal(o.auth, PPP_AUTH_PAP);
	assert_int_equal(PARSE(BASE, "--auth", "chap"), OPTS_OK);
	assert_int_equal(o.auth, PPP_AUTH_CHAP_MD5);
	assert_int_equal(PARSE(BASE, "--auth", "any"), OPTS_OK);
	assert_int_equal(o.auth, PPP_AUTH_NONE);
	assert_int_equal(PARSE(BASE, "--auth", "eap-tls"), OPTS_USAGE);
}

static void test_peap_needs_a_ca(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--auth", "peap"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--auth", "peap", "--ca", "ca.pem"), OPTS_OK);
	assert_int_equal(o.auth, PPP_AUTH_EAP);
	assert_true(o.peap);
	assert_string_equal(o.ca_file, "ca.pem");
	assert_null(o.server_name);
	assert_int_equal(PARSE(BASE, "--auth", "peap", "--ca", "ca.pem",
			       "--server-name", "radius.example"), OPTS_OK);
	assert_string_equal(o.server_name, "radius.example");
	/* --ca is PEAP's alone; plain EAP is not PEAP */
	assert_int_equal(PARSE(BASE, "--auth", "eap", "--ca", "ca.pem"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--auth", "eap"), OPTS_OK);
	assert_false(o.peap);
}

static void test_sessions_spread_over_tunnels(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--sessions", "5", "--tunnels", "3"), OPTS_OK);
	assert_int_equal(o.sessions, 5);
	assert_int_equal(o.tunnels, 3);
	assert_int_equal(o.per_tunnel, 2);
	assert_int_equal(PARSE(BASE, "--tunnels", "100", "--sessions-per-tunnel", "100"), OPTS_OK);
	assert_int_equal(o.sessions, 10000);
	assert_int_equal(PARSE(BASE, "--sessions", "10", "--sessions-per-tunnel", "4"), OPTS_OK);
	assert_int_equal(o.tunnels, 3);
	assert_int_equal(PARSE(BASE, "--sessions", "5"), OPTS_OK);
	assert_int_equal(o.tunnels, 1);
	assert_int_equal(o.per_tunnel, 5);
}

static void test_inconsistent_counts_are_refused(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--sessions", "10", "--tunnels", "2", "--sessions-per-tunnel", "4"),
			 OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions", "2", "--tunnels", "3"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions", "0"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions", "-1"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions", "12x"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions", "70000"), OPTS_USAGE);
}

static void test_ping_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--ping", "198.51.100.1", "--ping-count", "5"), OPTS_OK);
	assert_true(o.ping);
	assert_int_equal(o.ping_dst, 0xC6336401u);
	assert_int_equal(o.ping_count, 5);
	/* ping -c 5 -w 10: requests every 200 ms until 5 replies or 10 s */
	assert_int_equal(o.ping_max_requests, 5 + 10000 / 200);
	assert_int_equal(PARSE(BASE, "--ping", "2001:db8::1"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--ping", "198.51.100.1", "--ping-count", "0"), OPTS_USAGE);
}

static void test_dhcp_inform_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--dhcp-inform"), OPTS_OK);
	assert_true(o.dhcp_inform);
	assert_int_equal(o.dhcp_type, 8);		/* DHCPINFORM */
	/* asked again every 200 ms for 10 s, without pings */
	assert_int_equal(o.ping_max_requests, 10000 / 200 + 1);
	assert_int_equal(PARSE(BASE, "--dhcp-inform", "--dhcp-type", "discover"), OPTS_OK);
	assert_int_equal(o.dhcp_type, 1);
	assert_int_equal(PARSE(BASE, "--dhcp-inform", "--dhcp-type", "offer"), OPTS_USAGE);
	assert_string_equal(err, "--dhcp-type: expected inform, discover or request, got 'offer'");
	assert_int_equal(PARSE(BASE, "--dhcp-type", "request"), OPTS_USAGE);
	assert_string_equal(err, "--dhcp-type needs --dhcp-inform");
}

static void test_ipv6_ra_options(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE), OPTS_OK);
	assert_false(o.ipv6_ra);
	assert_int_equal(PARSE(BASE, "--ipv6-ra"), OPTS_OK);
	assert_true(o.ipv6_ra);
	/* solicited every 200 ms for 10 s, without pings */
	assert_int_equal(o.ping_max_requests, 10000 / 200 + 1);
	assert_int_equal(PARSE(BASE, "--ipv6-ra", "--ping", "198.51.100.1"), OPTS_OK);
	assert_true(o.ipv6_ra && o.ping);
	/* an IPv6-only client: the RA is what it waits for, nothing IPv4 */
	assert_int_equal(PARSE(BASE, "--ipv6-ra", "--no-ipcp"), OPTS_OK);
	assert_true(o.no_ipcp);
	assert_int_equal(PARSE(BASE, "--no-ipcp"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--ipv6-ra", "--no-ipcp", "--ping", "198.51.100.1"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--ipv6-ra", "--no-ipcp", "--dhcp-inform"), OPTS_USAGE);
}

static void test_hold_seconds_and_forever_exclude_each_other(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--hold", "2.5"), OPTS_OK);
	assert_int_equal(o.hold_ms, 2500);
	assert_int_equal(PARSE(BASE, "--hold-forever"), OPTS_OK);
	assert_true(o.hold_forever);
	assert_int_equal(PARSE(BASE, "--hold", "1", "--hold-forever"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--hold", "soon"), OPTS_USAGE);
}

static void test_report_echoes_needs_a_hold_and_echoes(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--hold-forever", "--lcp-echo", "1", "--report-echoes", "2"), OPTS_OK);
	assert_int_equal(o.report_echoes, 2);
	/* nothing to wait for: no hold, or no echoes of our own */
	assert_int_equal(PARSE(BASE, "--report-echoes", "2"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--hold", "5", "--lcp-echo", "0", "--report-echoes", "2"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--hold", "5", "--report-echoes", "0"), OPTS_USAGE);
}

static void test_auth_gate_takes_a_file_name(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE), OPTS_OK);
	assert_null(o.auth_gate);
	assert_int_equal(PARSE(BASE, "--auth-gate", "/tmp/go"), OPTS_OK);
	assert_string_equal(o.auth_gate, "/tmp/go");
	assert_int_equal(PARSE(BASE, "--auth-gate", ""), OPTS_USAGE);
}

static void test_rate_and_timeout(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--rate", "250.5", "--timeout", "0.5"), OPTS_OK);
	assert_true(o.rate > 250.4 && o.rate < 250.6);
	assert_int_equal(o.timeout_ms, 500);
	assert_int_equal(PARSE(BASE, "--rate", "-3"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--timeout", "0"), OPTS_USAGE);
}

static void test_templated_credentials(void **state)
{
	(void)state;
	assert_int_equal(PARSE("--server", "192.0.2.1", "--user", "user{n}", "--password", "pw"), OPTS_OK);
	assert_true(o.templated);
}

static void test_separate_ports_with_fixed_port_is_refused(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--separate-ports"), OPTS_OK);
	assert_true(o.separate_ports);
	assert_int_equal(PARSE(BASE, "--separate-ports", "--local-port", "1701"), OPTS_USAGE);
}

static void test_unknown_options_and_stray_arguments(void **state)
{
	(void)state;
	assert_int_equal(PARSE(BASE, "--frobnicate"), OPTS_USAGE);
	assert_non_null(strstr(err, "--frobnicate"));
	assert_int_equal(PARSE(BASE, "extra"), OPTS_USAGE);
	assert_int_equal(PARSE(BASE, "--sessions"), OPTS_USAGE);
	assert_int_equal(PARSE("--help"), OPTS_HELP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_command_line_gets_the_defaults),
		cmocka_unit_test(test_server_user_and_password_are_required),
		cmocka_unit_test(test_ipv6_server_and_port),
		cmocka_unit_test(test_bind_family_must_match_server),
		cmocka_unit_test(test_auth_methods),
		cmocka_unit_test(test_peap_needs_a_ca),
		cmocka_unit_test(test_sessions_spread_over_tunnels),
		cmocka_unit_test(test_inconsistent_counts_are_refused),
		cmocka_unit_test(test_ping_options),
		cmocka_unit_test(test_dhcp_inform_options),
		cmocka_unit_test(test_ipv6_ra_options),
		cmocka_unit_test(test_hold_seconds_and_forever_exclude_each_other),
		cmocka_unit_test(test_report_echoes_needs_a_hold_and_echoes),
		cmocka_unit_test(test_auth_gate_takes_a_file_name),
		cmocka_unit_test(test_rate_and_timeout),
		cmocka_unit_test(test_templated_credentials),
		cmocka_unit_test(test_separate_ports_with_fixed_port_is_refused),
		cmocka_unit_test(test_unknown_options_and_stray_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
