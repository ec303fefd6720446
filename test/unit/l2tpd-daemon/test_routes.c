/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Framed routes (routes.c): how prefixes are shown, and how failures are
 * reported: every prefix tried, the first failure named with its reason.
 * Nothing here changes the host's routing table: the interface index
 * used does not exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "routes.h"

#define NO_SUCH_IFINDEX 0x7ffffff0

static struct policy_prefix prefix(const char *text, unsigned len)
{
	struct policy_prefix p;

	memset(&p, 0, sizeof(p));
	p.ip.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(p.ip.family, text, p.ip.bytes), 1);
	p.len = (uint8_t)len;
	return p;
}

static void prefixes_are_shown_as_address_slash_length(void **state)
{
	struct policy_prefix v4 = prefix("10.1.0.0", 24), v6 = prefix("2001:db8::", 32), none;
	char buf[64];

	routes_format(&v4, buf, sizeof(buf));
	assert_string_equal(buf, "10.1.0.0/24");
	routes_format(&v6, buf, sizeof(buf));
	assert_string_equal(buf, "2001:db8::/32");
	memset(&none, 0, sizeof(none));
	routes_format(&none, buf, sizeof(buf));
	assert_string_equal(buf, "?/0");
}

static void without_a_socket_every_route_fails_and_the_first_is_named(void **state)
{
	struct policy_prefix p[2] = { prefix("10.1.0.0", 24), prefix("10.2.0.0", 16) };
	char err[160];

	assert_int_equal(routes_apply(NULL, 1, p, 2, true, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "10.1.0.0/24: "));
}

static void a_route_through_a_missing_interface_is_refused_with_its_prefix(void **state)
{
	struct policy_prefix p[2] = { prefix("10.1.0.0", 24), prefix("10.2.0.0", 16) };
	struct routes *r;
	char err[160];

	if (routes_open(&r))
		skip();	/* no rtnetlink here */
	assert_int_equal(routes_apply(r, NO_SUCH_IFINDEX, p, 2, true, err, sizeof(err)), 0);
	assert_true(strncmp(err, "10.1.0.0/24: ", 13) == 0);
	routes_close(r);
}

static void removing_a_route_that_is_not_there_counts_as_removed(void **state)
{
	struct policy_prefix p[1] = { prefix("10.1.0.0", 24) };
	struct routes *r;
	char err[160];

	if (routes_open(&r))
		skip();
	assert_int_equal(routes_apply(r, NO_SUCH_IFINDEX, p, 1, false, err, sizeof(err)), 1);
	assert_string_equal(err, "");
	routes_close(r);
}

static void a_prefix_longer_than_its_family_is_refused(void **state)
{
	struct policy_prefix p[1] = { prefix("10.1.0.0", 33) };
	struct routes *r;
	char err[160];

	if (routes_open(&r))
		skip();
	assert_int_equal(routes_apply(r, 1, p, 1, true, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "10.1.0.0/33: "));
	routes_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(prefixes_are_shown_as_address_slash_length),
		cmocka_unit_test(without_a_socket_every_route_fails_and_the_first_is_named),
		cmocka_unit_test(a_route_through_a_missing_interface_is_refused_with_its_prefix),
		cmocka_unit_test(removing_a_route_that_is_not_there_counts_as_removed),
		cmocka_unit_test(a_prefix_longer_than_its_family_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
