/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy file syntax: what parses, and for each class of error the exact
 * message (file:line:col: expected X, got Y). Also includes with globs and
 * the atomic reload (a failing file leaves the running policy untouched).
 */
#include "helpers.h"

#include <sys/stat.h>
#include <unistd.h>

/* ---- accepted syntax ---------------------------------------------------- */

static void test_empty_file_is_a_valid_policy_that_rejects_everyone(void **state)
{
	policy_t *p = load_ok("");
	struct policy_counts c;

	policy_get_counts(p, &c);
	assert_int_equal(c.users + c.groups + c.pools + c.policies, 0);
	policy_free(p);
}

static void test_comments_blank_lines_and_one_liners_parse(void **state)
{
	policy_t *p = load_ok(
		"# comment\n\n"
		"pools { a { ipv4 = 192.0.2.1-192.0.2.9 } }   # trailing comment\n"
		"users {\n"
		"\talice {   # tab indented\n"
		"\t\tdial_in = allow # comment after a value\n"
		"\t}\n"
		"}\r\n");
	struct policy_counts c;

	policy_get_counts(p, &c);
	assert_int_equal(c.pools, 1);
	assert_int_equal(c.users, 1);
	assert_non_null(policy_find_user(p, "alice"));
	policy_free(p);
}

static void test_quoted_values_keep_spaces_commas_and_escapes(void **state)
{
	policy_t *p = load_ok(
		"groups { g { } }\n"
		"users { \"DOMAIN\\\\alice\" { groups = \"g\" } }\n"
		"policies { p { conditions { cert_subject = \"CN=a, O=\\\"b\\\"\" }\n"
		"  permission = grant } }\n");
	assert_non_null(policy_find_user(p, "DOMAIN\\alice"));
	policy_free(p);
}

static void test_sections_of_the_same_name_merge(void **state)
{
	policy_t *p = load_ok("users { a { } }\nusers { b { } }\n");
	struct policy_counts c;

	policy_get_counts(p, &c);
	assert_int_equal(c.users, 2);
	policy_free(p);
}

static void test_policies_keep_file_order(void **state)
{
	/* "2-second" before "1-first" in the file: file order decides */
	policy_t *p = load_ok(
		"users { u { dial_in = policy } }\n"
		"pools { x { ipv4 = 192.0.2.1 } }\n"
		"policies {\n"
		"  2-second { permission = deny }\n"
		"  1-first { permission = grant\n profile { pool = x } }\n"
		"}\n");
	struct policy_request req = { .user = "u" };
	struct policy_decision d;

	policy_post_auth(p, &req, 0, &d, NULL);
	assert_int_equal(d.reason, POLICY_DENY_POLICY);
	assert_string_equal(d.policy_name, "2-second");
	policy_free(p);
}

/* What a client's DHCPINFORM is answered with (docs/addresses.md). */
static void test_profile_dns_domain_and_split_routes(void **state)
{
	policy_t *p = load_ok(
		"users { u { dial_in = policy } }\n"
		"pools { x { ipv4 = 192.0.2.1 } }\n"
		"policies { p { permission = grant\n profile { pool = x\n"
		"  dns_domain = Corp.Example.\n"
		"  split_routes = 203.0.113.0/24, 10.0.0.0/8, 0.0.0.0/0 } } }\n");
	struct policy_request req = { .user = "u" };
	struct policy_decision d;

	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_GRANTED);
	assert_string_equal(d.profile.dns_domain, "Corp.Example");	/* the root's dot dropped */
	assert_int_equal(d.profile.n_split_routes, 3);
	assert_int_equal(d.profile.split_routes[1].len, 8);
	assert_int_equal(d.profile.split_routes[1].ip.bytes[0], 10);
	assert_int_equal(d.profile.split_routes[2].len, 0);
	/* l2tpctl policy test shows them */
	char *t = policy_format_text(p, 0, &d, NULL), *j = policy_format_json(p, 0, &d, NULL);
	assert_non_null(strstr(t, "  dns domain:      Corp.Example\n"));
	assert_non_null(strstr(t, "  split route:     10.0.0.0/8\n"));
	assert_non_null(strstr(j, "\"dns_domain\":\"Corp.Example\",\"split_routes\":"
				  "[\"203.0.113.0/24\",\"10.0.0.0/8\",\"0.0.0.0/0\"]"));
	free(t);
	free(j);
	policy_free(p);
	/* the default: neither */
	p = load_ok("users { u { dial_in = policy } }\n"
		    "policies { p { permission = grant\n profile { static_ipv4 = 192.0.2.9 } } }\n");
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_GRANTED);
	assert_null(d.profile.dns_domain);
	assert_int_equal(d.profile.n_split_routes, 0);
	policy_free(p);
}

static void test_error_dns_domain_and_split_routes(void **state)
{
	char text[2048];
	int n;

	load_fails("policies { p { permission = grant\n profile { dns_domain = corp..example } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:25: expected a DNS domain name for 'dns_domain' (labels of letters, "
		   "digits, '-', '_', 1-63 characters, 253 in all), got 'corp..example'");
	load_fails("policies { p { permission = grant\n profile { dns_domain = \"corp example\" } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:25: expected a DNS domain name for 'dns_domain' (labels of letters, "
		   "digits, '-', '_', 1-63 characters, 253 in all), got 'corp example'");
	load_fails("policies { p { permission = grant\n profile { dns_domain = a, b } } }\n",
		   POLICY_ERR_VALUE, "t.conf:2:12: expected one DNS domain name for 'dns_domain', got 2 values");
	/* a label of 64 */
	n = snprintf(text, sizeof(text), "policies { p { permission = grant\n profile { dns_domain = "
		     "%s.example } } }\n", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_true(n > 0);
	load_fails(text, POLICY_ERR_VALUE,
		   "t.conf:2:25: expected a DNS domain name for 'dns_domain' (labels of letters, "
		   "digits, '-', '_', 1-63 characters, 253 in all), got "
		   "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'");
	load_fails("policies { p { permission = grant\n profile { split_routes = 2001:db8::/32 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:27: expected an IPv4 prefix (address/length, host bits zero) for "
		   "'split_routes', got '2001:db8::/32'");
	load_fails("policies { p { permission = grant\n profile { split_routes = 10.0.0.1/8 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:27: expected an IPv4 prefix (address/length, host bits zero) for "
		   "'split_routes', got '10.0.0.1/8'");
	/* 29 host routes: 261 octets, one option holds 255 */
	n = snprintf(text, sizeof(text), "policies { p { permission = grant\n profile { split_routes = ");
	for (int i = 0; i < 29; i++)
		n += snprintf(text + n, sizeof(text) - (size_t)n, "%s192.0.2.%d/32", i ? ", " : "", i);
	snprintf(text + n, sizeof(text) - (size_t)n, " } } }\n");
	load_fails(text, POLICY_ERR_VALUE, "t.conf:2:437: too many prefixes for 'split_routes': DHCP "
		   "option 121 holds 255 octets (28 prefixes fit here)");
	/* 28 fit */
	strcpy(strstr(text, ", 192.0.2.28/32"), " } } }\n");
	policy_free(load_ok(text));
}

/* What a client's Router Advertisement says (docs/addresses.md "IPv6"). */
static void test_profile_ipv6_router_advertisement(void **state)
{
	policy_t *p = load_ok(
		"users { u { dial_in = policy } }\n"
		"pools { x { ipv4 = 192.0.2.1\n ipv6 = 2001:db8:1::/48 } }\n"
		"policies { p { permission = grant\n profile { pool = x\n ipv6 = yes\n"
		"  ipv6_dns = 2001:db8::53, 2001:db8::54, 2001:db8::55\n"
		"  ipv6_managed_config = yes\n ipv6_other_config = yes\n"
		"  ipv6_router_lifetime = 0\n ipv6_prefix_lifetime = 4h } } }\n");
	struct policy_request req = { .user = "u" };
	struct policy_decision d;

	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_GRANTED);
	assert_int_equal(d.profile.n_ipv6_dns, 3);
	assert_int_equal(d.profile.ipv6_dns[2].family, AF_INET6);
	assert_int_equal(d.profile.ipv6_dns[2].bytes[15], 0x55);
	assert_true(d.profile.ipv6_managed_config && d.profile.ipv6_other_config);
	assert_int_equal(d.profile.ipv6_router_lifetime, 0);
	assert_int_equal(d.profile.ipv6_prefix_lifetime, 14400);
	char *t = policy_format_text(p, 0, &d, NULL);
	assert_non_null(strstr(t, "  ipv6 dns:        2001:db8::55\n"));
	assert_non_null(strstr(t, "  ipv6 ra:         router lifetime 0 s, prefix lifetime 14400 s, "
			       "managed (M), other config (O)\n"));
	free(t);
	policy_free(p);
	/* the defaults: RFC 4861's router lifetime, a day for the prefix */
	p = load_ok("users { u { dial_in = policy } }\n"
		    "policies { p { permission = grant\n profile { static_ipv4 = 192.0.2.9 } } }\n");
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_GRANTED);
	assert_int_equal(d.profile.n_ipv6_dns, 0);
	assert_false(d.profile.ipv6_managed_config || d.profile.ipv6_other_config);
	assert_int_equal(d.profile.ipv6_router_lifetime, 1800);
	assert_int_equal(d.profile.ipv6_prefix_lifetime, 86400);
	policy_free(p);
}

static void test_error_ipv6_router_advertisement(void **state)
{
	load_fails("policies { p { permission = grant\n profile { ipv6_dns = 192.0.2.53 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:23: expected an IPv6 address for 'ipv6_dns', got '192.0.2.53'");
	load_fails("policies { p { permission = grant\n profile { ipv6_dns = 2001:db8::1, "
		   "2001:db8::2, 2001:db8::3, 2001:db8::4 } } }\n", POLICY_ERR_VALUE,
		   "t.conf:2:62: expected at most 3 addresses for 'ipv6_dns', got 4");
	load_fails("policies { p { permission = grant\n profile { ipv6_router_lifetime = 9001 } } }\n",
		   POLICY_ERR_VALUE, "t.conf:2:35: expected at most 9000 seconds (RFC 4861 section "
		   "6.2.1) for 'ipv6_router_lifetime', got 9001");
	load_fails("policies { p { permission = grant\n profile { ipv6_prefix_lifetime = 5m } } }\n",
		   POLICY_ERR_VALUE, "t.conf:2:35: expected at least 600 seconds (the longest time "
		   "between two advertisements) for 'ipv6_prefix_lifetime', got 300");
	load_fails("policies { p { permission = grant\n profile { ipv6_other_config = maybe } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:32: expected yes or no for 'ipv6_other_config', got 'maybe'");
}

/* ---- each error class, with its message -------------------------------------- */

static void test_error_missing_equals_or_brace(void **state)
{
	load_fails("users {\n  alice\n}\n", POLICY_ERR_SYNTAX,
		   "t.conf:2:8: expected '=' or '{' after 'alice', got end of line");
}

static void test_error_unclosed_section_names_where_it_opened(void **state)
{
	load_fails("users {\n  alice {\n", POLICY_ERR_SYNTAX,
		   "t.conf:3:1: expected '}' to close section 'alice' opened at 2:3, got end of file");
}

static void test_error_stray_closing_brace(void **state)
{
	load_fails("users { }\n}\n", POLICY_ERR_SYNTAX,
		   "t.conf:2:1: expected a key, a section or 'include', got '}'");
}

static void test_error_bad_start_of_statement(void **state)
{
	load_fails("= 3\n", POLICY_ERR_SYNTAX,
		   "t.conf:1:1: expected a key, a section or 'include', got '='");
}

static void test_error_unterminated_string(void **state)
{
	load_fails("users { a { groups = \"staff\n } }\n", POLICY_ERR_STRING,
		   "t.conf:1:28: expected '\"' to close the string opened at 1:22, got end of line");
}

static void test_error_bad_escape(void **state)
{
	load_fails("x = \"a\\qb\"\n", POLICY_ERR_STRING,
		   "t.conf:1:8: expected an escape (\\\" \\\\ \\n \\t), got 'q'");
}

static void test_error_text_after_quoted_value(void **state)
{
	load_fails("users { a { groups = \"g\" h } }\n", POLICY_ERR_SYNTAX,
		   "t.conf:1:26: expected ',' or end of line, got 'h'");
}

static void test_error_empty_list_item(void **state)
{
	load_fails("users { a { groups = g, , h } }\n", POLICY_ERR_SYNTAX,
		   "t.conf:1:25: expected a value, got ','");
}

static void test_error_nul_byte(void **state)
{
	static const char text[] = "users {\n a\0 { } }\n";
	struct policy_error err;
	policy_t *p = NULL;

	assert_int_equal(policy_load_buffer("t.conf", text, sizeof(text) - 1, NULL,
					    &p, &err), -1);
	assert_int_equal(err.code, POLICY_ERR_BYTE);
	assert_string_equal(err.msg, "t.conf:2:3: expected text, got byte 0x00");
}

static void test_error_control_byte(void **state)
{
	load_fails("\x01", POLICY_ERR_BYTE, "t.conf:1:1: expected text, got byte 0x01");
}

static void test_error_nesting_too_deep(void **state)
{
	char text[400] = "";

	for (int i = 0; i < 40; i++)
		strcat(text, "a{");
	load_fails(text, POLICY_ERR_NESTING, "t.conf:1:63: sections nested deeper than 32");
}

static void test_error_duplicate_key(void **state)
{
	load_fails("users { a {\n dial_in = allow\n dial_in = deny\n} }\n",
		   POLICY_ERR_DUPLICATE,
		   "t.conf:3:2: 'dial_in' is already defined at t.conf:2:2");
}

static void test_error_value_redefined_as_section(void **state)
{
	load_fails("users { a = 1\n a { } }\n", POLICY_ERR_DUPLICATE,
		   "t.conf:2:2: 'a' is a section here but a value at t.conf:1:9");
}

static void test_error_duplicate_user_ignoring_case(void **state)
{
	load_fails("users {\n Alice { }\n alice { }\n}\n", POLICY_ERR_DUPLICATE,
		   "t.conf:3:2: user 'alice' is already defined as 'Alice' at t.conf:2 (user names ignore case)");
}

static void test_error_unknown_top_level_section(void **state)
{
	load_fails("userz { }\n", POLICY_ERR_UNKNOWN_KEY,
		   "t.conf:1:1: expected one of server { }, users { }, groups { }, pools { }, "
		   "policies { } in the top level, got section 'userz'");
}

static void test_error_value_where_sections_are_expected(void **state)
{
	load_fails("users {\n alice = yes\n}\n", POLICY_ERR_UNKNOWN_KEY,
		   "t.conf:2:2: expected one of NAME { } in users, got key 'alice'");
}

static void test_error_unknown_user_key(void **state)
{
	load_fails("users { a { dialin = allow } }\n", POLICY_ERR_UNKNOWN_KEY,
		   "t.conf:1:13: expected one of nt_hash, password_hash, password, disabled, "
		   "password_expires, dial_in, static_ipv4, static_ipv6, routes, groups, "
		   "description in users.a, got key 'dialin'");
}

static void test_error_unknown_condition(void **state)
{
	load_fails("policies { p { permission = grant\n conditions { weekday = Mon } } }\n",
		   POLICY_ERR_UNKNOWN_KEY,
		   "t.conf:2:15: expected one of user, group, time, calling_station, "
		   "called_station, ike_identity, cert_subject, cert_issuer, tunnel_type, "
		   "auth_method in policies.p.conditions, got key 'weekday'");
}

static void test_error_bad_values(void **state)
{
	load_fails("users { a { dial_in = maybe } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:23: expected allow, deny or policy for 'dial_in', got 'maybe'");
	load_fails("users { a { nt_hash = 1234 } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:23: expected 32 hex digits for 'nt_hash', got '1234'");
	load_fails("users { a { disabled = perhaps } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:24: expected yes or no for 'disabled', got 'perhaps'");
	load_fails("users { a { static_ipv4 = 2001:db8::1 } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:27: expected an IPv4 address for 'static_ipv4', got '2001:db8::1'");
	load_fails("users { a { password_expires = 2026-02-30 } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:32: expected a date YYYY-MM-DD or YYYY-MM-DDTHH:MM for "
		   "'password_expires', got '2026-02-30'");
	load_fails("users { a { routes = 10.0.0.1/8 } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:22: expected an IP prefix (address/length, host bits zero) "
		   "for 'routes', got '10.0.0.1/8'");
	load_fails("pools { a { ipv4 = 192.0.2.9-192.0.2.1 } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:20: expected start <= end in range '192.0.2.9-192.0.2.1'");
	load_fails("policies { p { permission = allow } }\n", POLICY_ERR_VALUE,
		   "t.conf:1:29: expected grant or deny for 'permission', got 'allow'");
	load_fails("policies { p { permission = grant\n profile { idle_timeout = 5x } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:27: expected a duration (seconds, or with unit s, m, h, d) "
		   "for 'idle_timeout', got '5x'");
	load_fails("policies { p { permission = grant\n profile { mtu = 100 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:18: expected a number from 576 to 1500 for 'mtu', got '100'");
	load_fails("policies { p { permission = grant\n profile { dns = 192.0.2.1, 192.0.2.2, 192.0.2.3 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:40: expected at most 2 addresses for 'dns' (IPCP has a primary "
		   "and a secondary), got 3");
	load_fails("policies { p { permission = grant\n conditions { time = Mon-Fri 8-18 } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:2:22: expected a window like 'Mon-Fri 08:00-18:00', 'Sat', or "
		   "'22:00-06:00', got 'Mon-Fri 8-18'");
	load_fails("server { timezone = Mars/Olympus }\n", POLICY_ERR_VALUE,
		   "t.conf:1:21: expected a time zone of the tz database (e.g. Europe/Berlin) "
		   "for 'timezone', got 'Mars/Olympus'");
	load_fails("server { auth_methods = mschapv2, telepathy }\n", POLICY_ERR_VALUE,
		   "t.conf:1:35: expected pap, chap, mschapv2 or eap for 'auth_methods', "
		   "got 'telepathy'");
}

static void test_dates_are_parsed_strictly(void **state)
{
	time_t t;

	assert_true(policy_parse_time(NULL, "2026-11-25T10:00:30Z", &t));
	assert_int_equal(t, 1795600830);
	assert_true(policy_parse_time(NULL, "2026-11-25 10:00Z", &t));
	assert_false(policy_parse_time(NULL, "2026-1-5", &t));
	assert_false(policy_parse_time(NULL, "2026-+1-05", &t));
	assert_false(policy_parse_time(NULL, " 2026-11-25", &t));
	assert_false(policy_parse_time(NULL, "2026-11-25T10", &t));
	assert_false(policy_parse_time(NULL, "2026-11-25T10:00Zx", &t));
	assert_false(policy_parse_time(NULL, "2026-11-25T24:00Z", &t));
	assert_false(policy_parse_time(NULL, "2026-02-30Z", &t));
	assert_false(policy_parse_time(NULL, "1969-12-31Z", &t));
}

static void test_error_pattern_where_a_plain_value_is_needed(void **state)
{
	load_fails("groups { g { } }\npolicies { p { permission = grant\n conditions { group = ~g } } }\n",
		   POLICY_ERR_VALUE,
		   "t.conf:3:23: expected group names for 'group', got a pattern (only "
		   "string conditions take ~patterns)");
}

static void test_error_pattern_that_does_not_compile(void **state)
{
	load_fails("policies { p { permission = grant\n conditions { user = ~\"a(b\" } } }\n",
		   POLICY_ERR_PATTERN,
		   "t.conf:2:22: expected a valid PCRE2 pattern, got ~'a(b': missing closing "
		   "parenthesis at offset 3");
}

static void test_error_unknown_group_and_pool_references(void **state)
{
	load_fails("users { a { groups = staf } }\n", POLICY_ERR_REFERENCE,
		   "t.conf:1:22: expected a group defined in 'groups', got 'staf'");
	load_fails("groups { g { members = nobody } }\n", POLICY_ERR_REFERENCE,
		   "t.conf:1:24: expected a user defined in 'users', got 'nobody'");
	load_fails("policies { p { permission = grant\n profile { pool = nowhere } } }\n",
		   POLICY_ERR_REFERENCE,
		   "t.conf:2:19: expected a pool defined in 'pools', got 'nowhere'");
}

static void test_error_missing_permission(void **state)
{
	load_fails("policies {\n p { }\n}\n", POLICY_ERR_MISSING,
		   "t.conf:2:2: expected 'permission = grant|deny' in policies.p");
}

static void test_error_conflicts(void **state)
{
	load_fails("pools {\n a { ipv4 = 192.0.2.0/24 }\n b { ipv4 = 192.0.2.200-192.0.3.10 }\n}\n",
		   POLICY_ERR_CONFLICT,
		   "t.conf:3:2: pool 'b' overlaps pool 'a' (t.conf:2)");
	load_fails("users {\n a { static_ipv4 = 192.0.2.5 }\n b { static_ipv4 = 192.0.2.5 }\n}\n",
		   POLICY_ERR_CONFLICT,
		   "t.conf:3:1: static address 192.0.2.5 of user 'b' is also the static "
		   "address of user 'a' (t.conf:2)");
	load_fails("users { a { password = secret } }\n", POLICY_ERR_CONFLICT,
		   "t.conf:1:13: a cleartext 'password' needs 'server { cleartext_passwords "
		   "= yes }' (prefer nt_hash / password_hash from 'l2tpctl policy hash')");
}

static void test_cleartext_password_accepted_when_opted_in(void **state)
{
	policy_t *p = load_ok("server { cleartext_passwords = yes }\n"
			      "users { a { password = \"s3cret, really\" } }\n");
	struct ppp_secret sec;
	size_t len;
	const char *pw;

	policy_user_secret(policy_find_user(p, "a"), &sec);
	pw = sec.cleartext;
	len = sec.cleartext_len;

	assert_non_null(pw);
	assert_int_equal(len, 14);
	assert_memory_equal(pw, "s3cret, really", 14);
	policy_free(p);
}

static void test_every_truncation_of_a_valid_file_loads_or_fails_with_a_position(void **state)
{
	static const char text[] =
		"server { timezone = UTC }\n"
		"groups { g { members = \"al ice\" } }\n"
		"pools { p { ipv4 = 192.0.2.1-192.0.2.9\n ipv6 = 2001:db8::/60 } }\n"
		"users { \"al ice\" { dial_in = allow # comment\n routes = 10.0.0.0/8 } }\n"
		"policies { x { conditions { user = ~\"^al\", bob\n time = Mon-Fri 08:00-18:00 }\n"
		" permission = grant\n profile { pool = p\n filter_in { r { action = deny } } } } }\n";
	size_t ok = 0;

	for (size_t len = 0; len <= sizeof(text) - 1; len++) {
		struct policy_error err;
		policy_t *p = NULL;
		char *copy = malloc(len ? len : 1);	/* exact size: ASan sees overreads */

		memcpy(copy, text, len);
		if (policy_load_buffer("t.conf", copy, len, NULL, &p, &err) == 0) {
			ok++;
			policy_free(p);
		} else {
			assert_true(err.code > POLICY_OK && err.code < POLICY_ERR__COUNT);
			assert_true(err.line >= 1);
			assert_true(strncmp(err.msg, "t.conf:", 7) == 0);
		}
		free(copy);
	}
	assert_true(ok >= 3);	/* at least: empty, the whole, a few cut points */
}

static void test_file_larger_than_the_limit_is_refused(void **state)
{
	struct policy_load_opts o = { .max_file_size = 8 };
	struct policy_error err;
	policy_t *p = NULL;
	char path[] = "/tmp/policy-big-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "users { }\n", 10), 10);
	close(fd);
	assert_int_equal(policy_load_opts(path, &o, &p, &err), -1);
	assert_int_equal(err.code, POLICY_ERR_IO);
	assert_non_null(strstr(err.msg, "is larger than the limit"));
	unlink(path);
}

/* ---- includes --------------------------------------------------------------- */

static char tmpdir[256];

static void write_file(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int make_tmpdir(void **state)
{
	char sub[300];

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/policy-test-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(sub, sizeof(sub), "%s/users.d", tmpdir);
	assert_int_equal(mkdir(sub, 0700), 0);
	return 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static policy_t *load_path(const char *rel, struct policy_error *err)
{
	char path[512];
	policy_t *p = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	if (policy_load(path, &p, err) != 0)
		return NULL;
	return p;
}

static void test_include_glob_is_relative_to_the_including_file(void **state)
{
	struct policy_error err;
	struct policy_counts c;
	policy_t *p;

	write_file("main.conf", "users {\n include users.d/*.conf\n}\n");
	write_file("users.d/a.conf", "alice { }\n");
	write_file("users.d/b.conf", "bob { }\n");
	write_file("users.d/ignored.txt", "this is not loaded {\n");
	p = load_path("main.conf", &err);
	assert_non_null(p);
	policy_get_counts(p, &c);
	assert_int_equal(c.users, 2);
	assert_non_null(policy_find_user(p, "bob"));
	policy_free(p);
}

static void test_include_glob_matching_nothing_is_fine(void **state)
{
	struct policy_error err;
	policy_t *p;

	write_file("main.conf", "include nothing-here-*.conf\n");
	p = load_path("main.conf", &err);
	assert_non_null(p);
	policy_free(p);
}

static void test_include_of_missing_plain_file_fails(void **state)
{
	struct policy_error err;
	char want[600];

	write_file("main.conf", "\n  include missing.conf\n");
	assert_null(load_path("main.conf", &err));
	assert_int_equal(err.code, POLICY_ERR_INCLUDE);
	snprintf(want, sizeof(want), "%s/main.conf:2:3: include '%s/missing.conf': no such file",
		 tmpdir, tmpdir);
	assert_string_equal(err.msg, want);
}

static void test_error_in_included_file_names_that_file(void **state)
{
	struct policy_error err;
	char want[600];

	write_file("main.conf", "users {\n include users.d/*.conf\n}\n");
	write_file("users.d/a.conf", "alice {\n dial_in = never\n}\n");
	assert_null(load_path("main.conf", &err));
	snprintf(want, sizeof(want), "%s/users.d/a.conf:2:12: expected allow, deny or "
		 "policy for 'dial_in', got 'never'", tmpdir);
	assert_string_equal(err.msg, want);
	remove(want);	/* keep the directory clean for the next test */
	snprintf(want, sizeof(want), "%s/users.d/a.conf", tmpdir);
	remove(want);
}

static void test_include_loop_is_stopped(void **state)
{
	struct policy_error err;
	char want[1400];

	/* reported as a loop, not as a nesting depth */
	write_file("loop.conf", "include loop.conf\n");
	assert_null(load_path("loop.conf", &err));
	assert_int_equal(err.code, POLICY_ERR_INCLUDE);
	snprintf(want, sizeof(want), "%s/loop.conf:1:1: include loop: '%s/loop.conf' is "
		 "already being read (included by %s/loop.conf)", tmpdir, tmpdir, tmpdir);
	assert_string_equal(err.msg, want);

	/* a longer loop names the chain */
	write_file("la.conf", "include lb.conf\n");
	write_file("lb.conf", "\n include la.conf\n");
	assert_null(load_path("la.conf", &err));
	assert_int_equal(err.code, POLICY_ERR_INCLUDE);
	snprintf(want, sizeof(want), "%s/lb.conf:2:2: include loop: '%s/la.conf' is already "
		 "being read (included by %s/lb.conf <- %s/la.conf)", tmpdir, tmpdir, tmpdir,
		 tmpdir);
	assert_string_equal(err.msg, want);
}

static void test_include_chain_deeper_than_the_limit_is_stopped(void **state)
{
	struct policy_error err;
	char name[32], text[64];

	/* no loop: ten distinct files, each including the next */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "deep%d.conf", i);
		snprintf(text, sizeof(text), "include deep%d.conf\n", i + 1);
		write_file(name, text);
	}
	write_file("deep10.conf", "\n");
	assert_null(load_path("deep0.conf", &err));
	assert_int_equal(err.code, POLICY_ERR_NESTING);
	assert_non_null(strstr(err.msg, "includes nested deeper than 8"));
	assert_null(strstr(err.msg, "loop"));
}

static void test_included_file_cannot_close_the_including_section(void **state)
{
	struct policy_error err;

	write_file("main.conf", "users {\n include users.d/x.conf\n");
	write_file("users.d/x.conf", "}\n");
	assert_null(load_path("main.conf", &err));
	assert_int_equal(err.code, POLICY_ERR_SYNTAX);
	assert_non_null(strstr(err.msg, "x.conf:1:1: expected a key, a section or 'include', got '}'"));
	char path[512];
	snprintf(path, sizeof(path), "%s/users.d/x.conf", tmpdir);
	remove(path);
}

static void test_include_disabled_for_buffers_of_untrusted_text(void **state)
{
	struct policy_load_opts o = { .no_include = true };
	struct policy_error err;
	policy_t *p = NULL;
	const char *text = "include /etc/passwd\n";

	assert_int_equal(policy_load_buffer("t.conf", text, strlen(text), &o, &p, &err), -1);
	assert_string_equal(err.msg, "t.conf:1:1: include is disabled here");
	assert_int_equal(err.code, POLICY_ERR_INCLUDE);
}

static void test_missing_file_is_an_io_error(void **state)
{
	struct policy_error err;
	policy_t *p = NULL;

	assert_int_equal(policy_load("/nonexistent/policy.conf", &p, &err), -1);
	assert_int_equal(err.code, POLICY_ERR_IO);
	assert_string_equal(err.msg, "/nonexistent/policy.conf: cannot open "
			    "'/nonexistent/policy.conf': No such file or directory");
}

/* ---- atomic reload ------------------------------------------------------------ */

static void test_failed_reload_leaves_the_running_policy_untouched(void **state)
{
	struct policy_error err;
	struct policy_request req = { .user = "alice" };
	struct policy_decision d;
	policy_t *running, *next = (policy_t *)0x1;

	write_file("live.conf", "pools { p { ipv4 = 192.0.2.1-192.0.2.2 } }\n"
				"users { alice { dial_in = allow } }\n"
				"policies { all { permission = grant\n profile { pool = p } } }\n");
	running = load_path("live.conf", &err);
	assert_non_null(running);
	assert_int_equal(policy_post_auth(running, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);

	/* the admin breaks the file and reloads */
	write_file("live.conf", "users { alice { dial_in = allow }\n");
	char path[512];
	snprintf(path, sizeof(path), "%s/live.conf", tmpdir);
	assert_int_equal(policy_load(path, &next, &err), -1);
	assert_ptr_equal(next, (policy_t *)0x1);	/* out untouched */
	assert_int_equal(err.code, POLICY_ERR_SYNTAX);

	/* the old policy still decides, its lease intact */
	struct policy_pool_stats st;
	assert_true(policy_pool_stats(running, 0, &st));
	assert_int_equal(st.in_use4, 1);
	struct policy_decision d2;
	assert_int_equal(policy_post_auth(running, &req, POLICY_LEASE, &d2, NULL), POLICY_GRANTED);
	assert_memory_not_equal(d.ipv4.bytes, d2.ipv4.bytes, 4);	/* a second lease, not the first again */
	policy_free(running);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_file_is_a_valid_policy_that_rejects_everyone),
		cmocka_unit_test(test_profile_dns_domain_and_split_routes),
		cmocka_unit_test(test_error_dns_domain_and_split_routes),
		cmocka_unit_test(test_profile_ipv6_router_advertisement),
		cmocka_unit_test(test_error_ipv6_router_advertisement),
		cmocka_unit_test(test_comments_blank_lines_and_one_liners_parse),
		cmocka_unit_test(test_quoted_values_keep_spaces_commas_and_escapes),
		cmocka_unit_test(test_sections_of_the_same_name_merge),
		cmocka_unit_test(test_policies_keep_file_order),
		cmocka_unit_test(test_error_missing_equals_or_brace),
		cmocka_unit_test(test_error_unclosed_section_names_where_it_opened),
		cmocka_unit_test(test_error_stray_closing_brace),
		cmocka_unit_test(test_error_bad_start_of_statement),
		cmocka_unit_test(test_error_unterminated_string),
		cmocka_unit_test(test_error_bad_escape),
		cmocka_unit_test(test_error_text_after_quoted_value),
		cmocka_unit_test(test_error_empty_list_item),
		cmocka_unit_test(test_error_nul_byte),
		cmocka_unit_test(test_error_control_byte),
		cmocka_unit_test(test_error_nesting_too_deep),
		cmocka_unit_test(test_error_duplicate_key),
		cmocka_unit_test(test_error_value_redefined_as_section),
		cmocka_unit_test(test_error_duplicate_user_ignoring_case),
		cmocka_unit_test(test_error_unknown_top_level_section),
		cmocka_unit_test(test_error_value_where_sections_are_expected),
		cmocka_unit_test(test_error_unknown_user_key),
		cmocka_unit_test(test_error_unknown_condition),
		cmocka_unit_test(test_error_bad_values),
		cmocka_unit_test(test_dates_are_parsed_strictly),
		cmocka_unit_test(test_error_pattern_where_a_plain_value_is_needed),
		cmocka_unit_test(test_error_pattern_that_does_not_compile),
		cmocka_unit_test(test_error_unknown_group_and_pool_references),
		cmocka_unit_test(test_error_missing_permission),
		cmocka_unit_test(test_error_conflicts),
		cmocka_unit_test(test_cleartext_password_accepted_when_opted_in),
		cmocka_unit_test(test_every_truncation_of_a_valid_file_loads_or_fails_with_a_position),
		cmocka_unit_test(test_file_larger_than_the_limit_is_refused),
		cmocka_unit_test(test_include_glob_is_relative_to_the_including_file),
		cmocka_unit_test(test_include_glob_matching_nothing_is_fine),
		cmocka_unit_test(test_include_of_missing_plain_file_fails),
		cmocka_unit_test(test_error_in_included_file_names_that_file),
		cmocka_unit_test(test_include_loop_is_stopped),
		cmocka_unit_test(test_include_chain_deeper_than_the_limit_is_stopped),
		cmocka_unit_test(test_included_file_cannot_close_the_including_section),
		cmocka_unit_test(test_include_disabled_for_buffers_of_untrusted_text),
		cmocka_unit_test(test_missing_file_is_an_io_error),
		cmocka_unit_test(test_failed_reload_leaves_the_running_policy_untouched),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
