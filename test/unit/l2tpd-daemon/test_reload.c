/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reload of l2tpd.conf: which changed keys wait for a restart. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "reload.h"

static void same_settings_name_nothing(void **state)
{
	struct l2tpd_config a, b;
	char out[256] = "x";

	config_defaults(&a);
	config_defaults(&b);
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_string_equal(out, "");
}

static void live_keys_are_not_named(void **state)
{
	struct l2tpd_config a, b;
	char out[256];

	config_defaults(&a);
	config_defaults(&b);
	b.max_sessions = 7;
	b.log_level = LOG_LVL_ERR;
	b.hello_interval = 5;
	b.retransmit_max = 2;
	b.lcp_echo_interval = 3;
	b.mru = 1300;
	b.ipsec_delete_on_disconnect = false;
	inet_pton(AF_INET, "198.51.100.9", &b.local_address);
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_string_equal(out, "");
}

static void restart_only_keys_are_named_in_file_order(void **state)
{
	struct l2tpd_config a, b;
	struct sockaddr_in *sin = (struct sockaddr_in *)&b.listen[0];
	char out[256];

	config_defaults(&a);
	config_defaults(&b);
	inet_pton(AF_INET, "192.0.2.9", &sin->sin_addr);
	b.dataplane = DP_KERNEL;
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_string_equal(out, "listen, dataplane");

	config_defaults(&b);
	b.n_listen = 2;
	b.port = 1702;
	b.userspace_tun = USERSPACE_TUN_SHARED;
	snprintf(b.control_socket, sizeof(b.control_socket), "/run/other.sock");
	snprintf(b.control_group, sizeof(b.control_group), "vpnadm");
	snprintf(b.ipsec_socket, sizeof(b.ipsec_socket), "/run/other-charon.sock");
	b.require_ipsec = false;
	snprintf(b.host_name, sizeof(b.host_name), "lns2");
	snprintf(b.tunnel_secret, sizeof(b.tunnel_secret), "s3cret");
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_string_equal(out, "listen, port, userspace, control_socket, control_group, "
				 "ipsec_socket, require_ipsec, host_name, tunnel_secret");

	/* the tables and the socket made at start are named too */
	config_defaults(&b);
	b.internet_filter.n_interfaces = 1;
	snprintf(b.internet_filter.interfaces[0], sizeof(b.internet_filter.interfaces[0]), "eth0");
	b.mss_clamp = false;
	b.metrics_per_session = true;
	b.path_mtu = 1492;	/* live: not named */
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_string_equal(out, "internet_filter, ppp.mss_clamp, metrics");
}

static void a_short_buffer_is_truncated_not_overrun(void **state)
{
	struct l2tpd_config a, b;
	char out[12];

	config_defaults(&a);
	config_defaults(&b);
	b.port = 1;
	b.dataplane = DP_KERNEL;
	b.require_ipsec = false;
	config_restart_only_diff(&a, &b, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_memory_equal(out, "port, datap", 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_settings_name_nothing),
		cmocka_unit_test(live_keys_are_not_named),
		cmocka_unit_test(restart_only_keys_are_named_in_file_order),
		cmocka_unit_test(a_short_buffer_is_truncated_not_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
