/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2tpd.conf's radius { das { } } block (dynauth.h, docs/radius.md "Dynamic
 * authorization"): the listen addresses, port and window, the clients with
 * their secrets (inline or from a file that must not be readable by
 * everyone), and every refusal with file:line:col. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "config_text.h"

#define SERVER " primary {\n  address = 192.0.2.10\n  secret = s\n }\n"

static void without_a_das_block_the_das_is_off(void **state)
{
	struct l2tpd_config c;
	char err[512];

	(void)state;
	assert_int_equal(conf_load_text("l2tpd {\n radius {\n" SERVER " }\n}\n", &c, err, sizeof(err)),
			 0);
	assert_false(c.das.enabled);
}

static void every_key_and_the_defaults_are_read(void **state)
{
	struct l2tpd_config c;
	char err[512], text[512];
	const char *sf = conf_file("coa", "coa-secret\n", 0640);

	(void)state;
	assert_int_equal(conf_load_text("l2tpd {\n radius {\n" SERVER "  das {\n   coa {\n"
				   "    address = 192.0.2.20\n    secret = x\n   }\n  }\n }\n}\n",
				   &c, err, sizeof(err)), 0);
	assert_true(c.das.enabled);
	assert_int_equal(c.das.port, 3799);	/* RFC 5176 section 2.3 */
	assert_int_equal(c.das.window_s, 300);
	assert_true(c.das.require_message_authenticator);
	assert_false(c.das.allow_no_event_timestamp);
	assert_int_equal(c.das.n_listen, 0);
	assert_int_equal(c.das.n_clients, 1);
	assert_string_equal(c.das.clients[0].name, "coa");
	assert_string_equal(c.das.clients[0].secret, "x");

	snprintf(text, sizeof(text), "l2tpd {\n radius {\n" SERVER "  das {\n"
		 "   listen = 192.0.2.1, 2001:db8::1\n   port = 3800\n   window = 2m\n"
		 "   allow_no_event_timestamp = yes\n   require_message_authenticator = no\n"
		 "   a {\n    address = 2001:db8::20\n    secret_file = %s\n   }\n"
		 "   b {\n    address = 192.0.2.21\n    secret = y\n   }\n  }\n }\n}\n", sf);
	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
	assert_int_equal(c.das.n_listen, 2);
	assert_int_equal(c.das.listen[0].ss_family, AF_INET);
	assert_int_equal(c.das.listen[1].ss_family, AF_INET6);
	assert_int_equal(c.das.port, 3800);
	assert_int_equal(c.das.window_s, 120);
	assert_true(c.das.allow_no_event_timestamp);
	assert_false(c.das.require_message_authenticator);
	assert_int_equal(c.das.n_clients, 2);
	assert_int_equal(c.das.clients[0].addr.ss_family, AF_INET6);
	assert_string_equal(c.das.clients[0].secret, "coa-secret");
	assert_string_equal(c.das.clients[1].secret, "y");
	/* the das block is not a server */
	assert_int_equal(c.radius.n_servers, 1);
}

static void a_client_needs_an_address_and_one_secret(void **state)
{
	(void)state;
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    secret = x\n   }\n  }\n"
		     " }\n}\n", "8:4", "DAS client 'a' has no address");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "   }\n  }\n }\n}\n", "8:4", "DAS client 'a' has no secret (secret or "
		     "secret_file)");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "    secret = x\n    secret_file = /etc/hostname\n   }\n  }\n }\n}\n", "11:5",
		     "give secret or secret_file, not both");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = nas.example\n"
		     "   }\n  }\n }\n}\n", "9:15", "expected an IPv4 or IPv6 address");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "    auth_port = 1\n   }\n  }\n }\n}\n", "10:5",
		     "unknown setting 'auth_port' in DAS client 'a'");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n  }\n }\n}\n", "7:3",
		     "radius.das: no client");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das = yes\n }\n}\n", "7:3",
		     "'das' is a block");
}

static void secret_file_unreadable_or_open_to_everyone_is_refused(void **state)
{
	char text[512];
	const char *sf;

	(void)state;
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n" SERVER "  das {\n   a {\n"
		 "    address = 192.0.2.1\n    secret_file = %s/missing\n   }\n  }\n }\n}\n",
		 conf_dir[0] ? conf_dir : "/nonexistent");
	conf_expect_error(text, "10:19", "cannot be read: No such file or directory");
	sf = conf_file("open", "s3cret\n", 0644);
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n" SERVER "  das {\n   a {\n"
		 "    address = 192.0.2.1\n    secret_file = %s\n   }\n  }\n }\n}\n", sf);
	conf_expect_error(text, "10:19", "is accessible to everyone (mode 0644): chmod o-rwx it");
}

static void listen_port_and_window_are_checked(void **state)
{
	(void)state;
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   port = 0\n  }\n }\n}\n", "8:11",
		     "'port' must be 1-65535");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   window = 0\n  }\n }\n}\n", "8:13",
		     "'window' must be 1s to 24h");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   listen = nas\n  }\n }\n}\n", "8:13",
		     "expected an IPv4 or IPv6 address for 'listen'");
	conf_expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   bogus = 1\n  }\n }\n}\n", "8:4",
		     "unknown setting 'bogus' in radius.das");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_a_das_block_the_das_is_off),
		cmocka_unit_test(every_key_and_the_defaults_are_read),
		cmocka_unit_test(a_client_needs_an_address_and_one_secret),
		cmocka_unit_test(secret_file_unreadable_or_open_to_everyone_is_refused),
		cmocka_unit_test(listen_port_and_window_are_checked),
	};

	return cmocka_run_group_tests(tests, NULL, conf_cleanup);
}
