/* SPDX-License-Identifier: GPL-2.0-or-later */
/* l2tpd.conf's radius { } block and auth { provider = radius }: the servers,
 * their secrets (inline or from a file that must not be readable by
 * everyone), the engine's timers, and every refusal with file:line:col. */
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

static void without_a_radius_block_nothing_is_configured(void **state)
{
	struct l2tpd_config c;
	char err[512];

	assert_int_equal(conf_load_text("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.radius.n_servers, 0);
	assert_int_equal(c.auth_provider, AUTH_PROVIDER_LOCAL);
	/* the defaults a block starts from */
	assert_int_equal(c.radius.timeout_ms, 1000);
	assert_int_equal(c.radius.max_timeout_ms, 4000);
	assert_int_equal(c.radius.tries, 3);
	assert_int_equal(c.radius.dead_time_ms, 30000);
	assert_true(c.radius.require_message_authenticator);
	assert_false(c.radius.accounting);
	assert_false(c.radius.load_share);
	assert_string_equal(c.radius.accounting_spool, "/var/lib/l2tpd/accounting.spool");
}

static void two_servers_and_every_key_are_read(void **state)
{
	struct l2tpd_config c;
	char err[512], text[1024];
	const char *sf = conf_file("s1", "from-a-file\n", 0600);
	struct sockaddr_in *v4;
	struct sockaddr_in6 *v6;

	snprintf(text, sizeof(text),
		 "l2tpd {\n"
		 "  auth { provider = radius }\n"
		 "  radius {\n"
		 "    primary {\n"
		 "      address = 192.0.2.10\n"
		 "      secret_file = %s\n"
		 "    }\n"
		 "    backup {\n"
		 "      address = 2001:db8::10\n"
		 "      auth_port = 11812\n"
		 "      acct_port = 11813\n"
		 "      secret = \"inline secret\"\n"
		 "    }\n"
		 "    nas_identifier = lns1\n"
		 "    nas_ip_address = 192.0.2.1, 2001:db8::1\n"
		 "    timeout = 500ms\n"
		 "    max_timeout = 3s\n"
		 "    tries = 2\n"
		 "    dead_time = 1m\n"
		 "    load_share = yes\n"
		 "    require_message_authenticator = no\n"
		 "    accounting = yes\n"
		 "    interim_interval = 10m\n"
		 "    accounting_spool = /var/spool/l2tpd/acct.db\n"
		 "  }\n"
		 "}\n", sf);
	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
	assert_int_equal(c.auth_provider, AUTH_PROVIDER_RADIUS);
	assert_int_equal(c.radius.n_servers, 2);
	assert_string_equal(c.radius.servers[0].name, "primary");
	v4 = (struct sockaddr_in *)&c.radius.servers[0].addr;
	assert_int_equal(v4->sin_family, AF_INET);
	assert_int_equal(ntohl(v4->sin_addr.s_addr), 0xc000020a);
	assert_int_equal(c.radius.servers[0].auth_port, 1812);
	assert_int_equal(c.radius.servers[0].acct_port, 1813);
	assert_string_equal(c.radius.servers[0].secret, "from-a-file");
	assert_string_equal(c.radius.servers[1].name, "backup");
	v6 = (struct sockaddr_in6 *)&c.radius.servers[1].addr;
	assert_int_equal(v6->sin6_family, AF_INET6);
	assert_int_equal(c.radius.servers[1].auth_port, 11812);
	assert_int_equal(c.radius.servers[1].acct_port, 11813);
	assert_string_equal(c.radius.servers[1].secret, "inline secret");
	assert_string_equal(c.radius.nas_identifier, "lns1");
	assert_true(c.radius.has_nas_ipv4);
	assert_true(c.radius.has_nas_ipv6);
	assert_int_equal(ntohl(c.radius.nas_ipv4.s_addr), 0xc0000201);
	assert_int_equal(c.radius.timeout_ms, 500);
	assert_int_equal(c.radius.max_timeout_ms, 3000);
	assert_int_equal(c.radius.tries, 2);
	assert_int_equal(c.radius.dead_time_ms, 60000);
	assert_true(c.radius.load_share);
	assert_false(c.radius.require_message_authenticator);
	assert_true(c.radius.accounting);
	assert_int_equal(c.radius.interim_interval, 600);
	/* any name: the administrator's */
	assert_string_equal(c.radius.accounting_spool, "/var/spool/l2tpd/acct.db");
}

static void provider_radius_needs_a_server(void **state)
{
	conf_expect_error("l2tpd {\n  auth {\n    provider = radius\n  }\n}\n", "3:16",
		     "provider = radius needs a radius { } block with a server");
	conf_expect_error("l2tpd {\n  radius {\n    nas_identifier = x\n  }\n}\n", "2:3",
		     "radius: no server");
}

static void a_server_needs_an_address_and_one_secret(void **state)
{
	conf_expect_error("l2tpd {\n radius {\n  a {\n   secret = x\n  }\n }\n}\n", "3:3",
		     "RADIUS server 'a' has no address");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n  }\n }\n}\n", "3:3",
		     "RADIUS server 'a' has no secret (secret or secret_file)");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n   secret = x\n"
		     "   secret_file = /etc/hostname\n  }\n }\n}\n", "6:4",
		     "give secret or secret_file, not both");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = radius.example\n  }\n }\n}\n",
		     "4:14", "expected an IPv4 or IPv6 address for 'address'");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n   auth_port = 0\n"
		     "   secret = x\n  }\n }\n}\n", "5:16", "'auth_port' must be 1-65535");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n   port = 1812\n"
		     "  }\n }\n}\n", "5:4", "unknown setting 'port' in RADIUS server 'a'");
}

static void secret_file_unreadable_or_open_to_everyone_is_refused(void **state)
{
	char text[512];
	const char *sf;

	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   secret_file = %s/missing\n  }\n }\n}\n", conf_dir[0] ? conf_dir : "/nonexistent");
	conf_expect_error(text, "5:18", "cannot be read: No such file or directory");

	sf = conf_file("open", "s3cret\n", 0644);
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   secret_file = %s\n  }\n }\n}\n", sf);
	conf_expect_error(text, "5:18", "is accessible to everyone (mode 0644): chmod o-rwx it");

	sf = conf_file("empty", "\n", 0600);
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   secret_file = %s\n  }\n }\n}\n", sf);
	conf_expect_error(text, "5:18", "the secret (its first line) is empty");

	/* group-readable is the packaging's way (root:l2tpd 0640): fine */
	sf = conf_file("group", "s3cret\r\nsecond line ignored\n", 0640);
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   secret_file = %s\n  }\n }\n}\n", sf);
	{
		struct l2tpd_config c;
		char err[512];

		assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
		assert_string_equal(c.radius.servers[0].secret, "s3cret");
	}
}

/* RadSec (RFC 6614): transport = tls with our certificate and the CA that
 * vouches for the server. */
static void a_tls_server_takes_its_files_and_the_radsec_defaults(void **state)
{
	struct l2tpd_config c;
	char text[1024], err[512], ca[128], crt[128], key[128];

	snprintf(ca, sizeof(ca), "%s", conf_file("ca.pem", "ca\n", 0644));
	snprintf(crt, sizeof(crt), "%s", conf_file("crt.pem", "crt\n", 0644));
	snprintf(key, sizeof(key), "%s", conf_file("key.pem", "key\n", 0640));
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   ca_file = %s\n   cert_file = %s\n   key_file = %s\n"
		 "   server_name = radius.example\n  }\n }\n}\n", ca, crt, key);
	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
	assert_true(c.radius.servers[0].tls.enabled);
	assert_string_equal(c.radius.servers[0].tls.ca_file, ca);
	assert_string_equal(c.radius.servers[0].tls.key_file, key);
	assert_string_equal(c.radius.servers[0].tls.server_name, "radius.example");
	/* RFC 6614 2.1 port 2083 for both; RFC 6614 2.3 secret "radsec" */
	assert_int_equal(c.radius.servers[0].auth_port, 2083);
	assert_int_equal(c.radius.servers[0].acct_port, 2083);
	assert_string_equal(c.radius.servers[0].secret, "radsec");

	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   auth_port = 3000\n   secret = other\n   transport = tls\n   ca_file = %s\n"
		 "   cert_file = %s\n   key_file = %s\n  }\n }\n}\n", ca, crt, key);
	assert_int_equal(conf_load_text(text, &c, err, sizeof(err)), 0);
	assert_int_equal(c.radius.servers[0].auth_port, 3000);
	assert_int_equal(c.radius.servers[0].acct_port, 2083);
	assert_string_equal(c.radius.servers[0].secret, "other");
	assert_int_equal(c.radius.servers[0].tls.server_name[0], 0);
}

static void a_tls_server_without_its_files_is_refused(void **state)
{
	char text[1024], crt[128], key[128];

	snprintf(crt, sizeof(crt), "%s", conf_file("crt.pem", "crt\n", 0644));
	snprintf(key, sizeof(key), "%s", conf_file("key.pem", "key\n", 0600));
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   cert_file = %s\n   key_file = %s\n  }\n }\n}\n", crt, key);
	conf_expect_error(text, "3:3", "RADIUS server 'a': transport = tls needs ca_file");
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   ca_file = %s\n  }\n }\n}\n", crt);
	conf_expect_error(text, "3:3", "needs cert_file and key_file (our certificate, RFC 6614 2.3)");
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   secret = x\n   ca_file = %s\n  }\n }\n}\n", crt);
	conf_expect_error(text, "3:3", "ca_file, cert_file, key_file and server_name need transport "
		     "= tls");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		     "   transport = dtls\n  }\n }\n}\n", "5:16", "'transport' is udp or tls");
	conf_expect_error("l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		     "   ca_file = ca.pem\n  }\n }\n}\n", "5:14", "'ca_file' must be an absolute path");
}

static void an_unreadable_or_open_key_file_is_refused(void **state)
{
	char text[1024], crt[128], key[128];

	snprintf(crt, sizeof(crt), "%s", conf_file("crt.pem", "crt\n", 0644));
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   ca_file = %s\n   key_file = %s/missing.key\n  }\n }\n}\n",
		 crt, conf_dir);
	conf_expect_error(text, "7:15", "key_file");
	conf_expect_error(text, "7:15", "cannot be read: No such file or directory");

	snprintf(key, sizeof(key), "%s", conf_file("open.key", "key\n", 0644));
	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   ca_file = %s\n   key_file = %s\n  }\n }\n}\n", crt, key);
	conf_expect_error(text, "7:15", "is accessible to everyone (mode 0644): chmod o-rwx it");

	snprintf(text, sizeof(text), "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n"
		 "   transport = tls\n   ca_file = %s\n  }\n }\n}\n", conf_dir);
	conf_expect_error(text, "6:14", "is not a regular file");
}

static void engine_settings_are_checked(void **state)
{
	const char *pre = "l2tpd {\n radius {\n  a {\n   address = 192.0.2.1\n   secret = x\n  }\n";
	char text[512];

#define WITH(line) (snprintf(text, sizeof(text), "%s%s\n }\n}\n", pre, line), text)
	conf_expect_error(WITH("  tries = 0"), "7:11", "'tries' must be 1-20");
	conf_expect_error(WITH("  timeout = 5ms"), "7:13", "'timeout' must be between 10ms and");
	conf_expect_error(WITH("  timeout = 2h"), "7:13", "expected a duration");
	conf_expect_error(WITH("  interim_interval = 30s"), "7:22", "at least 60s (RFC 2869 5.16)");
	conf_expect_error(WITH("  accounting_spool = spool"), "7:22", "must be an absolute path");
	conf_expect_error(WITH("  accounting_spool = var/spool/acct.db"), "7:22",
		     "must be an absolute path");
	/* a directory is not a spool: its rewrites go to <name>.new beside it */
	conf_expect_error(WITH("  accounting_spool = /var/spool/l2tpd/"), "7:22",
		     "must name a file in a directory");
	conf_expect_error(WITH("  accounting_spool = /"), "7:22", "must name a file in a directory");
	conf_expect_error(WITH("  accounting_spool = /var/spool/.."), "7:22",
		     "must name a file in a directory");
	conf_expect_error(WITH("  nas_ip_address = 192.0.2.1, 192.0.2.2"), "7:31",
		     "one of each for 'nas_ip_address'");
	conf_expect_error(WITH("  secret = y"), "7:3", "'secret' belongs in a server's block");
	conf_expect_error(WITH("  ca_file = /etc/ssl/ca.pem"), "7:3",
		     "'ca_file' belongs in a server's block");
	conf_expect_error(WITH("  transport = tls"), "7:3", "'transport' belongs in a server's block");
	conf_expect_error(WITH("  server = 192.0.2.1"), "7:3", "unknown setting 'server' in radius");
	conf_expect_error(WITH("  timeout = 3s\n  max_timeout = 1s"), "2:2",
		     "max_timeout must be >= timeout");
#undef WITH
}

static void at_most_eight_servers(void **state)
{
	char text[2048];
	size_t n = 0;

	n += (size_t)snprintf(text + n, sizeof(text) - n, "l2tpd {\n radius {\n");
	for (int i = 0; i < 9; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "  s%d { address = 192.0.2.%d\n secret = x }\n", i, i + 1);
	snprintf(text + n, sizeof(text) - n, " }\n}\n");
	conf_expect_error(text, "19:3", "at most 8 RADIUS servers");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(without_a_radius_block_nothing_is_configured),
		cmocka_unit_test(two_servers_and_every_key_are_read),
		cmocka_unit_test(provider_radius_needs_a_server),
		cmocka_unit_test(a_tls_server_takes_its_files_and_the_radsec_defaults),
		cmocka_unit_test(a_tls_server_without_its_files_is_refused),
		cmocka_unit_test(an_unreadable_or_open_key_file_is_refused),
		cmocka_unit_test(a_server_needs_an_address_and_one_secret),
		cmocka_unit_test(secret_file_unreadable_or_open_to_everyone_is_refused),
		cmocka_unit_test(engine_settings_are_checked),
		cmocka_unit_test(at_most_eight_servers),
	};
	return cmocka_run_group_tests(tests, NULL, conf_cleanup);
}
