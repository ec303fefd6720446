/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tpctl policy: parsing of key=value queries, the rendered report (text
 * and JSON) and its exit status, and the hash lines.
 */
#include "helpers.h"
#include "policy_cmd.h"

static const char *const text =
	"server { timezone = UTC }\n"
	"groups { staff { } }\n"
	"pools { p { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
	"users { alice { dial_in = policy\n groups = staff } }\n"
	"policies {\n"
	"  staff { conditions { group = staff\n time = Mon-Fri 08:00-18:00 }\n"
	"    permission = grant\n profile { pool = p\n dns = 192.0.2.1 } }\n"
	"}\n";

static int parse(policy_t *p, struct l2tpctl_query *q, char *err, size_t n, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	va_start(ap, n);
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 16;)
		argv[argc++] = a;
	va_end(ap);
	return l2tpctl_policy_parse_query(p, argc, argv, q, err, n);
}

static void test_query_keys_fill_the_request(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], ip[64];

	assert_int_equal(parse(p, &q, err, sizeof(err), "user=alice", "group=a", "group=b",
			       "peer=192.0.2.5", "server=2001:db8::1", "ike=x",
			       "cert_subject=CN=a, O=b", "issuer=CN=ca", "tunnel=sstp",
			       "auth=eap", "time=2026-11-25T10:00Z", "sessions=3", NULL), 0);
	assert_string_equal(q.req.user, "alice");
	assert_int_equal(q.req.n_groups, 2);
	assert_string_equal(q.req.groups[1], "b");
	assert_string_equal(policy_ip_format(&q.req.peer, ip, sizeof(ip)), "192.0.2.5");
	assert_string_equal(policy_ip_format(&q.req.server, ip, sizeof(ip)), "2001:db8::1");
	assert_string_equal(q.req.ike_identity, "x");
	assert_string_equal(q.req.cert_subject, "CN=a, O=b");
	assert_string_equal(q.req.cert_issuer, "CN=ca");
	assert_int_equal(q.req.tunnel, POLICY_TUNNEL_SSTP);
	assert_int_equal(q.req.auth_method, POLICY_AUTH_EAP);
	assert_int_equal(q.req.now, utc("2026-11-25T10:00Z"));
	assert_int_equal(q.req.sessions_in_use, 3);
	policy_free(p);
}

static void test_query_errors_say_what_was_expected(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300];

	assert_int_equal(parse(p, &q, err, sizeof(err), "alice", NULL), -1);
	assert_string_equal(err, "expected key=value, got 'alice'");
	assert_int_equal(parse(p, &q, err, sizeof(err), "peer=300.1.1.1", NULL), -1);
	assert_string_equal(err, "expected an IP address for peer, got '300.1.1.1'");
	assert_int_equal(parse(p, &q, err, sizeof(err), "time=tomorrow", NULL), -1);
	assert_string_equal(err, "expected time=YYYY-MM-DDTHH:MM (local to the policy's "
			    "time zone, or with Z for UTC), got 'tomorrow'");
	assert_int_equal(parse(p, &q, err, sizeof(err), "auth=ntlm", NULL), -1);
	assert_string_equal(err, "expected pap, chap, mschapv2 or eap for auth, got 'ntlm'");
	assert_int_equal(parse(p, &q, err, sizeof(err), "sessions=-1", NULL), -1);
	assert_string_equal(err, "expected a number for sessions, got '-1'");
	assert_int_equal(parse(p, &q, err, sizeof(err), "colour=red", NULL), -1);
	assert_non_null(strstr(err, "unknown key 'colour'"));
	policy_free(p);
}

static void test_text_report_of_a_grant(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], *r;
	int status;

	assert_int_equal(parse(p, &q, err, sizeof(err), "user=alice",
			       "time=2026-11-25T10:00", NULL), 0);
	r = l2tpctl_policy_report(p, &q, false, &status);
	assert_non_null(r);
	assert_int_equal(status, 0);
	assert_non_null(strstr(r, "== before authentication ==\noffered auth methods: mschapv2, eap\n"));
	assert_non_null(strstr(r, "decision: GRANT by policy 'staff'\n"));
	assert_non_null(strstr(r, "  + policy #1 'staff': matches: decides (permission grant)\n"
				  "      + group            member of 'staff'\n"
				  "      + time             Wed 10:00 is within Mon-Fri 08:00-18:00\n"));
	assert_non_null(strstr(r, "  ipv4 address:    192.0.2.10 (pool p)\n"));
	assert_non_null(strstr(r, "  dns:             192.0.2.1\n"));
	free(r);
	policy_free(p);
}

static void test_text_report_of_a_denial_and_its_status(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], *r;
	int status;

	assert_int_equal(parse(p, &q, err, sizeof(err), "user=alice",
			       "time=2026-11-28T10:00", NULL), 0);
	r = l2tpctl_policy_report(p, &q, false, &status);
	assert_int_equal(status, 3);
	assert_non_null(strstr(r, "decision: DENY outside-hours: outside the allowed days "
				  "and hours (MS-CHAPv2 E=646, L2TP result code 3)\n"));
	assert_non_null(strstr(r, "      - time             Sat 10:00 (UTC) is outside Mon-Fri 08:00-18:00\n"));
	assert_null(strstr(r, "profile:"));
	free(r);
	policy_free(p);
}

static void test_report_without_user_is_pre_auth_only(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], *r;
	int status;

	/* a Wednesday inside the window: the offer does not depend on the
	 * day the test runs (it used the wall clock and failed at night) */
	assert_int_equal(parse(p, &q, err, sizeof(err), "time=2026-11-25T10:00", NULL), 0);
	r = l2tpctl_policy_report(p, &q, false, &status);
	assert_int_equal(status, 0);
	assert_null(strstr(r, "after authentication"));
	free(r);
	policy_free(p);
}

static void test_pre_auth_outside_the_window_offers_nothing(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], *r;
	int status;

	/* Sunday 03:00 UTC: the only policy cannot match */
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "2026-12-06T03:00Z", NULL), 0);
	r = l2tpctl_policy_report(p, &q, false, &status);
	assert_int_equal(status, 3);
	assert_non_null(strstr(r, "Sun 03:00 (UTC) is outside Mon-Fri 08:00-18:00"));
	free(r);
	policy_free(p);
}

static void test_time_option_sets_the_evaluation_time(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300];

	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "2026-12-07T03:00",
			       "user=alice", NULL), 0);
	assert_true(q.has_time);
	assert_int_equal(q.req.now, utc("2026-12-07T03:00Z"));	/* policy zone is UTC */
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", NULL), -1);
	assert_string_equal(err, "expected a time after --time");
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "2026-12-07T03:00",
			       "time=2026-12-07T04:00", NULL), -1);
	assert_string_equal(err, "time given twice");
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "03:00", NULL), -1);
	assert_non_null(strstr(err, "got '03:00'"));
	policy_free(p);
}

static void test_time_option_in_the_policy_time_zone(void **state)
{
	policy_t *p = load_ok("server { timezone = Europe/Berlin }\n");
	struct l2tpctl_query q;
	char err[300];

	/* 03:00 in Berlin in December (CET, UTC+1) is 02:00 UTC */
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "2026-12-07T03:00", NULL), 0);
	assert_int_equal(q.req.now, utc("2026-12-07T02:00Z"));
	assert_int_equal(parse(p, &q, err, sizeof(err), "--time", "2026-12-07T03:00Z", NULL), 0);
	assert_int_equal(q.req.now, utc("2026-12-07T03:00Z"));
	policy_free(p);
}

struct warnings {
	int n;
	char last[512];
};

static void collect(const char *msg, void *ctx)
{
	struct warnings *w = ctx;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

static void test_check_warns_of_profile_methods_the_server_disables(void **state)
{
	policy_t *p = load_ok(
		"server { auth_methods = mschapv2 }\n"
		"policies {\n"
		"  a { permission = grant\n profile { auth = pap } }\n"
		"  b { permission = grant\n profile { auth = mschapv2, chap } }\n"
		"  c { permission = grant }\n"	/* default methods: mschapv2 is left */
		"}\n");
	struct warnings w = { 0 };

	assert_int_equal(policy_warnings(p, collect, &w), 2);
	assert_int_equal(w.n, 2);
	assert_string_equal(w.last, "t.conf:6: policy 'b': the profile allows chap, "
			    "disabled on the server (server.auth_methods = mschapv2): only "
			    "mschapv2 can be used");
	policy_free(p);
	p = load_ok("server { auth_methods = pap }\npolicies { c { permission = grant } }\n");
	memset(&w, 0, sizeof(w));
	assert_int_equal(policy_warnings(p, collect, &w), 1);
	assert_non_null(strstr(w.last, "policy 'c': the profile allows only mschapv2, eap, "
			       "all disabled on the server (server.auth_methods = pap)"));
	policy_free(p);
	p = load_ok(text);
	assert_int_equal(policy_warnings(p, collect, &w), 0);
	policy_free(p);
}

/* A profile's mtu or mru cannot change a link whose LCP finished before
 * the policy decided: said at load with the file and line, not ignored. */
static void test_check_warns_that_a_profile_link_size_is_not_applied(void **state)
{
	policy_t *p = load_ok(
		"policies {\n"
		"  a { permission = grant\n profile {\n mru = 1300 } }\n"
		"  b { permission = grant\n profile { dns = 192.0.2.53 } }\n"
		"}\n");
	struct warnings w = { 0 };

	(void)state;
	assert_int_equal(policy_warnings(p, collect, &w), 1);
	assert_string_equal(w.last, "t.conf:4: policy 'a': the profile's mru is not applied: "
			    "LCP's MRU and the link's MTU come from l2tpd.conf (ppp { mru path_mtu }), "
			    "settled before a policy decides");
	policy_free(p);
}

static void test_json_report_fields(void **state)
{
	policy_t *p = load_ok(text);
	struct l2tpctl_query q;
	char err[300], *r;
	int status;

	assert_int_equal(parse(p, &q, err, sizeof(err), "user=alice",
			       "time=2026-11-25T10:00", NULL), 0);
	r = l2tpctl_policy_report(p, &q, true, &status);
	assert_non_null(r);
	assert_true(!strncmp(r, "{\"pre_auth\":{\"offered\":[\"mschapv2\",\"eap\"]", 40));
	assert_non_null(strstr(r, ",\"post_auth\":{\"offered\":[\"mschapv2\",\"eap\"],"
				  "\"decision\":{\"granted\":true,\"reason\":\"granted\","
				  "\"mschap_error\":0,\"l2tp_result\":0,\"policy\":\"staff\","));
	assert_non_null(strstr(r, "\"ipv4\":\"192.0.2.10\",\"ipv4_pool\":\"p\""));
	assert_non_null(strstr(r, "{\"kind\":\"condition\",\"verdict\":\"match\",\"policy\":"
				  "\"staff\",\"index\":0,\"key\":\"time\",\"text\":\"Wed 10:00 "
				  "is within Mon-Fri 08:00-18:00\"}"));
	assert_string_equal(r + strlen(r) - 3, "}}\n");
	free(r);
	policy_free(p);
}

static void test_json_strings_are_escaped(void **state)
{
	policy_t *p = load_ok("users { \"q\\\"uote\" { dial_in = allow } }\n");
	struct l2tpctl_query q;
	char err[300], *r;
	int status;
	char *argv[] = { "user=q\"uote" };

	assert_int_equal(l2tpctl_policy_parse_query(p, 1, argv, &q, err, sizeof(err)), 0);
	r = l2tpctl_policy_report(p, &q, true, &status);
	assert_non_null(strstr(r, "\"text\":\"'q\\\"uote' found"));
	free(r);
	policy_free(p);
}

static void test_json_replaces_invalid_utf8_and_keeps_valid_utf8(void **state)
{
	policy_t *p = load_ok("users { \"J\xc3\xbcrgen\" { dial_in = allow }\n"
			      "\"bad\xff\" { dial_in = allow } }\n");
	struct l2tpctl_query q;
	char err[300], *r;
	int status;
	char *a1[] = { "user=J\xc3\xbcrgen" }, *a2[] = { "user=bad\xff" };

	assert_int_equal(l2tpctl_policy_parse_query(p, 1, a1, &q, err, sizeof(err)), 0);
	r = l2tpctl_policy_report(p, &q, true, &status);
	assert_non_null(strstr(r, "'J\xc3\xbcrgen' found"));
	free(r);
	assert_int_equal(l2tpctl_policy_parse_query(p, 1, a2, &q, err, sizeof(err)), 0);
	r = l2tpctl_policy_report(p, &q, true, &status);
	assert_non_null(strstr(r, "'bad\\ufffd' found"));
	assert_null(strchr(r, '\xff'));
	free(r);
	policy_free(p);
}

static void test_password_hash_round_trips(void **state)
{
	char *lines = l2tpctl_policy_hash_lines("s3cret", 6, 1000);
	char conf[600];
	policy_t *p;

	/* moved from test_eval.c with policy_password_hash (now l2tpctl's) */
	assert_non_null(lines);
	snprintf(conf, sizeof(conf), "users { u {\n%s} }\n", lines);
	p = load_ok(conf);
	assert_true(user_pap_ok(policy_find_user(p, "u"), "s3cret", 6));
	assert_false(user_pap_ok(policy_find_user(p, "u"), "s3cre", 5));
	policy_free(p);
	free(lines);
}

static void test_hash_lines_are_loadable_and_verify(void **state)
{
	char *lines = l2tpctl_policy_hash_lines("password", 8, 1000);
	char conf[600];
	const char *nt, *kdf;
	policy_t *p;

	assert_non_null(lines);
	nt = strstr(lines, "nt_hash = 8846f7eaee8fb117ad06bdd830b7586c\n");
	kdf = strstr(lines, "password_hash = pbkdf2-sha256$1000$");
	assert_non_null(nt);
	assert_non_null(kdf);
	assert_null(strstr(lines, "password\n"));	/* never the password itself */
	snprintf(conf, sizeof(conf), "users { u {\n%s} }\n", lines);
	p = load_ok(conf);
	assert_true(user_pap_ok(policy_find_user(p, "u"), "password", 8));
	policy_free(p);
	free(lines);
	assert_null(l2tpctl_policy_hash_lines("\xff", 1, 1000));	/* not UTF-8 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_keys_fill_the_request),
		cmocka_unit_test(test_query_errors_say_what_was_expected),
		cmocka_unit_test(test_text_report_of_a_grant),
		cmocka_unit_test(test_text_report_of_a_denial_and_its_status),
		cmocka_unit_test(test_report_without_user_is_pre_auth_only),
		cmocka_unit_test(test_pre_auth_outside_the_window_offers_nothing),
		cmocka_unit_test(test_time_option_sets_the_evaluation_time),
		cmocka_unit_test(test_time_option_in_the_policy_time_zone),
		cmocka_unit_test(test_check_warns_of_profile_methods_the_server_disables),
		cmocka_unit_test(test_check_warns_that_a_profile_link_size_is_not_applied),
		cmocka_unit_test(test_json_report_fields),
		cmocka_unit_test(test_json_strings_are_escaped),
		cmocka_unit_test(test_json_replaces_invalid_utf8_and_keeps_valid_utf8),
		cmocka_unit_test(test_hash_lines_are_loadable_and_verify),
		cmocka_unit_test(test_password_hash_round_trips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
