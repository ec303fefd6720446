/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2tpd.conf: defaults, every kind of value, and errors with file:line:col. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config_text.h"

static void empty_file_gives_the_defaults(void **state)
{
	struct l2tpd_config c, d;
	char err[512];

	assert_int_equal(conf_load_text("", &c, err, sizeof(err)), 0);
	config_defaults(&d);
	assert_int_equal(c.port, 1701);
	assert_int_equal(c.max_sessions, 128);
	assert_true(c.require_ipsec);
	assert_int_equal(c.dataplane, DP_AUTO);
	assert_int_equal(c.mru, 0);	/* derived from path_mtu (link_mtu.h) */
	assert_int_equal(c.path_mtu, 1500);
	assert_true(c.mss_clamp);
	assert_int_equal(c.userspace_tun, USERSPACE_TUN_PER_SESSION);
	assert_string_equal(c.userspace_shared_interface, "l2tp-shared");
	assert_memory_equal(&c, &d, sizeof(c));
}

static void every_kind_of_value_is_read(void **state)
{
	struct l2tpd_config c;
	char err[512];
	const char *text =
		"l2tpd {\n"
		"  listen = 192.0.2.1, 2001:db8::1\n"
		"  port = 11701\n"
		"  dataplane = userspace\n"
		"  control_socket = /tmp/x.sock\n"
		"  log_level = debug\n"
		"  require_ipsec = no\n"
		"  local_address = 198.51.100.1\n"
		"  host_name = vpn.example.com\n"
		"  limits { sessions = 5000\n tunnels = 300 }\n"
		"  timers { hello_interval = 2m\n lcp_echo_interval = 10s\n auth_timeout = 1h }\n"
		"  ppp { mru = 1380 }\n"
		"}\n";

	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_listen, 2);
	assert_int_equal(c.listen[0].ss_family, AF_INET);
	assert_int_equal(c.listen[1].ss_family, AF_INET6);
	assert_int_equal(c.port, 11701);
	assert_int_equal(c.dataplane, DP_USERSPACE);
	assert_string_equal(c.control_socket, "/tmp/x.sock");
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	assert_false(c.require_ipsec);
	assert_string_equal(c.host_name, "vpn.example.com");
	assert_int_equal(c.max_sessions, 5000);
	assert_int_equal(c.max_tunnels, 300);
	assert_int_equal(c.hello_interval, 120);
	assert_int_equal(c.lcp_echo_interval, 10);
	assert_int_equal(c.auth_timeout, 3600);
	assert_int_equal(c.mru, 1380);
}

static void preauth_limits_are_read_and_zero_is_refused(void **state)
{
	struct l2tpd_config c;
	char err[512];

	config_defaults(&c);
	assert_int_equal(c.max_half_open, 256);
	assert_int_equal(c.half_open_timeout, 10);
	assert_int_equal(c.max_preauth_sessions, 0);
	assert_int_equal(c.max_preauth_per_tunnel, 32);
	assert_int_equal(conf_load_text("l2tpd {\n limits {\n  half_open_tunnels = 64\n"
				   "  preauth_sessions = 100\n  preauth_sessions_per_tunnel = 2\n }\n"
				   " timers {\n  half_open_timeout = 5s\n }\n}\n",
				   &c, err, sizeof(err)), 0);
	assert_int_equal(c.max_half_open, 64);
	assert_int_equal(c.max_preauth_sessions, 100);
	assert_int_equal(c.max_preauth_per_tunnel, 2);
	assert_int_equal(c.half_open_timeout, 5);
	assert_int_equal(conf_load_text("l2tpd {\n limits {\n  half_open_tunnels = 0\n }\n}\n",
				   &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "half_open_tunnels and preauth_sessions_per_tunnel"));
	assert_int_equal(conf_load_text("l2tpd {\n limits {\n  preauth_sessions_per_tunnel = 0\n"
				   " }\n}\n", &c, err, sizeof(err)), -1);
	conf_expect_error("l2tpd {\n timers {\n  half_open_timeout = 2h\n }\n}\n", "3:23",
		     "too large");
}

static void unknown_key_is_an_error_with_its_position(void **state)
{
	conf_expect_error("l2tpd {\n  prot = 1701\n}\n", "2:3", "unknown setting 'prot'");
}

static void bad_values_are_errors_with_their_position(void **state)
{
	conf_expect_error("l2tpd {\n  port = 70000\n}\n", "2:10", "too large");
	conf_expect_error("l2tpd {\n  port = 17x\n}\n", "2:10", "expected a number");
	conf_expect_error("l2tpd {\n  dataplane = fast\n}\n", "2:15", "expected auto, kernel or userspace");
	conf_expect_error("l2tpd {\n  require_ipsec = maybe\n}\n", "2:19", "expected yes or no");
	conf_expect_error("l2tpd {\n  listen = 192.0.2.300\n}\n", "2:12", "expected an IPv4 or IPv6 address");
	conf_expect_error("l2tpd {\n timers {\n  hello_interval = 5d\n }\n}\n", "3:20", "expected a duration");
	conf_expect_error("l2tpd {\n  log_level = loud\n}\n", "2:15", "expected error, warning");
	conf_expect_error("l2tpd {\n  limits {\n    sessions = 1, 2\n  }\n}\n", "3:5", "exactly one value");
	conf_expect_error("l2tpd {\n  stuff { }\n}\n", "2:3", "unknown section 'stuff'");
	conf_expect_error("server {\n}\n", "1:1", "expected l2tpd { ... }");
}

static void preauth_limits_are_read_and_checked(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.control_connections, 32);
	assert_int_equal(c.control_idle, 60);
	assert_int_equal(c.login_failures, 5);
	assert_int_equal(c.peer_login_failures, 20);
	assert_int_equal(c.login_backoff, 2);
	assert_int_equal(c.login_backoff_max, 300);
	assert_int_equal(conf_load_text("l2tpd {\n limits {\n  control_connections = 4\n"
				   "  login_failures = 0\n  peer_login_failures = 50\n }\n"
				   " timers {\n  control_idle = 2m\n  login_backoff = 1s\n"
				   "  login_backoff_max = 1h\n }\n}\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.control_connections, 4);
	assert_int_equal(c.login_failures, 0);
	assert_int_equal(c.peer_login_failures, 50);
	assert_int_equal(c.control_idle, 120);
	assert_int_equal(c.login_backoff, 1);
	assert_int_equal(c.login_backoff_max, 3600);
	/* a back-off that shrinks, no control connection, no idle time */
	assert_int_equal(conf_load_text("l2tpd {\n timers {\n  login_backoff = 10m\n"
				   "  login_backoff_max = 1m\n }\n}\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "login_backoff_max must be >= login_backoff"));
	assert_int_equal(conf_load_text("l2tpd {\n limits {\n  control_connections = 0\n }\n}\n",
				   &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control_connections and control_idle must be at least 1"));
}

static void userspace_section_selects_the_shared_tun(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("l2tpd {\n userspace {\n  tun = shared\n"
				   "  shared_interface = vpn0\n }\n}\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.userspace_tun, USERSPACE_TUN_SHARED);
	assert_string_equal(c.userspace_shared_interface, "vpn0");
	assert_int_equal(conf_load_text("l2tpd {\n userspace {\n  tun = per-session\n }\n}\n", &c, err,
				   sizeof(err)), 0);
	assert_int_equal(c.userspace_tun, USERSPACE_TUN_PER_SESSION);
}

static void userspace_section_errors_name_their_position(void **state)
{
	conf_expect_error("l2tpd {\n userspace {\n  tun = one\n }\n}\n", "3:9",
		     "expected per-session or shared for 'tun'");
	conf_expect_error("l2tpd {\n userspace {\n  tun = shared, per-session\n }\n}\n", "3:3",
		     "exactly one value");
	conf_expect_error("l2tpd {\n userspace {\n  shared_interface = a-name-of-16-chr\n }\n}\n", "3:22",
		     "1 to 15 characters");
	conf_expect_error("l2tpd {\n userspace {\n  shared_interface = l2tp%d\n }\n}\n", "3:22",
		     "not a valid interface name");
	conf_expect_error("l2tpd {\n userspace {\n  shared_interface = a/b\n }\n}\n", "3:22",
		     "not a valid interface name");
	conf_expect_error("l2tpd {\n userspace {\n  mode = shared\n }\n}\n", "3:3",
		     "unknown setting 'mode'");
	conf_expect_error("l2tpd {\n userspace {\n  tun { }\n }\n}\n", "3:3", "not a section");
}

static void syntax_errors_come_from_the_shared_parser(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("l2tpd {\n  port = 1\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":"));
	assert_non_null(strstr(err, conf_path));
}

static void a_missing_file_is_an_error(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(config_load("/nonexistent/l2tpd.conf", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/l2tpd.conf"));
}

static void internet_filter_section_is_read(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.internet_filter.n_interfaces, 0);	/* opt-in */
	assert_int_equal(conf_load_text("l2tpd {\n  internet_filter {\n    interfaces = eth0, wan.7\n"
				   "    icmp = yes\n  }\n}\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.internet_filter.n_interfaces, 2);
	assert_string_equal(c.internet_filter.interfaces[0], "eth0");
	assert_string_equal(c.internet_filter.interfaces[1], "wan.7");
	assert_true(c.internet_filter.icmp);
}

static void internet_filter_errors_name_their_position(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("l2tpd {\n  internet_filter {\n    interfaces = eth0, \"a b\"\n"
				   "  }\n}\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3:"));
	assert_non_null(strstr(err, "not an interface name"));
	assert_int_equal(conf_load_text("l2tpd {\n  internet_filter {\n    interfaces = "
				   "abcdefghijklmnop\n  }\n}\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not an interface name"));
	assert_int_equal(conf_load_text("l2tpd {\n  internet_filter {\n    interfaces = a, b, c, d, e\n"
				   "  }\n}\n", &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at most 4 interfaces"));
	assert_int_equal(conf_load_text("l2tpd {\n  internet_filter {\n    ping = yes\n  }\n}\n",
				   &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":3:"));
	assert_non_null(strstr(err, "unknown setting 'ping' in internet_filter"));
}

static void a_buffer_loads_like_a_file_and_refuses_includes(void **state)
{
	static const char text[] = "l2tpd {\n  host_name = lns1\n  log_level = debug\n}\n";
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(config_load_buffer("mem.conf", text, strlen(text), &c, err, sizeof(err)), 0);
	assert_string_equal(c.host_name, "lns1");
	assert_int_equal(c.log_level, LOG_LVL_DEBUG);
	static const char inc[] = "include /etc/passwd\n";
	assert_int_equal(config_load_buffer("mem.conf", inc, strlen(inc), &c, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mem.conf:1"));
}

static void auth_section_chooses_the_provider_local_by_default(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.auth_provider, AUTH_PROVIDER_LOCAL);
	assert_int_equal(conf_load_text("l2tpd {\n  auth {\n    provider = local\n  }\n}\n", &c, err,
				   sizeof(err)), 0);
	assert_int_equal(c.auth_provider, AUTH_PROVIDER_LOCAL);
}

static void auth_section_refuses_an_unknown_provider_and_unknown_keys(void **state)
{
	/* radius without a radius { } block: test_config_radius.c */
	conf_expect_error("l2tpd {\n  auth {\n    provider = ldap\n  }\n}\n", "3:16",
		     "expected local or radius for 'provider'");
	conf_expect_error("l2tpd {\n  auth {\n    server = x\n  }\n}\n", "3:5",
		     "unknown setting 'server' in auth");
	conf_expect_error("l2tpd {\n  auth {\n    provider = local, radius\n  }\n}\n", "3:5",
		     "exactly one value");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_file_gives_the_defaults),
		cmocka_unit_test(every_kind_of_value_is_read),
		cmocka_unit_test(preauth_limits_are_read_and_zero_is_refused),
		cmocka_unit_test(unknown_key_is_an_error_with_its_position),
		cmocka_unit_test(bad_values_are_errors_with_their_position),
		cmocka_unit_test(preauth_limits_are_read_and_checked),
		cmocka_unit_test(userspace_section_selects_the_shared_tun),
		cmocka_unit_test(userspace_section_errors_name_their_position),
		cmocka_unit_test(syntax_errors_come_from_the_shared_parser),
		cmocka_unit_test(a_missing_file_is_an_error),
		cmocka_unit_test(internet_filter_section_is_read),
		cmocka_unit_test(internet_filter_errors_name_their_position),
		cmocka_unit_test(a_buffer_loads_like_a_file_and_refuses_includes),
		cmocka_unit_test(auth_section_chooses_the_provider_local_by_default),
		cmocka_unit_test(auth_section_refuses_an_unknown_provider_and_unknown_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
