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

static char path[64];
static char dir[64];

#define SERVER " primary {\n  address = 192.0.2.10\n  secret = s\n }\n"

static int load_text(const char *text, struct l2tpd_config *c, char *err, size_t errlen)
{
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/l2tpd-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(text, f);
	fclose(f);
	int rc = config_load(path, c, err, errlen);
	unlink(path);
	return rc;
}

static void expect_error(const char *text, const char *where, const char *what)
{
	struct l2tpd_config c;
	char err[512], want[160];

	assert_int_equal(load_text(text, &c, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s:%s: ", path, where);
	if (strncmp(err, want, strlen(want)) != 0 || !strstr(err, what))
		fail_msg("got '%s', want '%s...%s'", err, want, what);
}

static const char *secret_file(const char *name, const char *content, mode_t mode)
{
	static char p[128];
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/l2tpd-das-XXXXXX");
		assert_non_null(mkdtemp(dir));
	}
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static int cleanup(void **state)
{
	char cmd[128];

	(void)state;
	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		assert_int_equal(system(cmd), 0);
	}
	return 0;
}

static void without_a_das_block_the_das_is_off(void **state)
{
	struct l2tpd_config c;
	char err[512];

	(void)state;
	assert_int_equal(load_text("l2tpd {\n radius {\n" SERVER " }\n}\n", &c, err, sizeof(err)),
			 0);
	assert_false(c.das.enabled);
}

static void every_key_and_the_defaults_are_read(void **state)
{
	struct l2tpd_config c;
	char err[512], text[512];
	const char *sf = secret_file("coa", "coa-secret\n", 0640);

	(void)state;
	assert_int_equal(load_text("l2tpd {\n radius {\n" SERVER "  das {\n   coa {\n"
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
	assert_int_equal(load_text(text, &c, err, sizeof(err)), 0);
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
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    secret = x\n   }\n  }\n"
		     " }\n}\n", "8:4", "DAS client 'a' has no address");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "   }\n  }\n }\n}\n", "8:4", "DAS client 'a' has no secret (secret or "
		     "secret_file)");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "    secret = x\n    secret_file = /etc/hostname\n   }\n  }\n }\n}\n", "11:5",
		     "give secret or secret_file, not both");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = nas.example\n"
		     "   }\n  }\n }\n}\n", "9:15", "expected an IPv4 or IPv6 address");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   a {\n    address = 192.0.2.1\n"
		     "    auth_port = 1\n   }\n  }\n }\n}\n", "10:5",
		     "unknown setting 'auth_port' in DAS client 'a'");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n  }\n }\n}\n", "7:3",
		     "radius.das: no client");
	expect_error("l2tpd {\n radius {\n" SERVER "  das = yes\n }\n}\n", "7:3",
		     "'das' is a block");
}

static void secret_file_unreadable_or_open_to_everyone_is_refused(void **state)
{
	char text[512];
	const char *sf;

	(void)state;
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n" SERVER "  das {\n   a {\n"
		 "    address = 192.0.2.1\n    secret_file = %s/missing\n   }\n  }\n }\n}\n",
		 dir[0] ? dir : "/nonexistent");
	expect_error(text, "10:19", "cannot be read: No such file or directory");
	sf = secret_file("open", "s3cret\n", 0644);
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n" SERVER "  das {\n   a {\n"
		 "    address = 192.0.2.1\n    secret_file = %s\n   }\n  }\n }\n}\n", sf);
	expect_error(text, "10:19", "is accessible to everyone (mode 0644): chmod o-rwx it");
}

static void listen_port_and_window_are_checked(void **state)
{
	(void)state;
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   port = 0\n  }\n }\n}\n", "8:11",
		     "'port' must be 1-65535");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   window = 0\n  }\n }\n}\n", "8:13",
		     "'window' must be 1s to 24h");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   listen = nas\n  }\n }\n}\n", "8:13",
		     "expected an IPv4 or IPv6 address for 'listen'");
	expect_error("l2tpd {\n radius {\n" SERVER "  das {\n   bogus = 1\n  }\n }\n}\n", "8:4",
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

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
