/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Evaluation, table-driven: each condition type, ordering, the user's
 * dial-in override, default deny, account checks, profile conflicts, time
 * windows across midnight and across a DST change (Europe/Berlin), and the
 * pre-authentication offer. Times are given in UTC; the policy's zone is
 * Europe/Berlin (CET = UTC+1, CEST = UTC+2 from 2026-03-29 01:00Z).
 */
#include "helpers.h"

static const char *const policy_text =
	"server {\n"
	"  timezone = Europe/Berlin\n"
	"  auth_methods = mschapv2, eap, pap\n"
	"}\n"
	"groups { staff { } admins { } night { } }\n"
	"pools { main { ipv4 = 192.0.2.10-192.0.2.200 } }\n"
	"users {\n"
	"  alice { dial_in = policy\n groups = staff }\n"
	"  root { dial_in = policy\n groups = admins }\n"
	"  allowme { dial_in = allow }\n"
	"  denyme { dial_in = deny\n groups = admins }\n"
	"  newbie { groups = admins }\n"
	"  off { dial_in = policy\n groups = admins\n disabled = yes }\n"
	"  old { dial_in = policy\n groups = admins\n password_expires = 2026-06-01 }\n"
	"  nina { dial_in = policy\n groups = night }\n"
	"  vip { dial_in = policy\n groups = staff\n static_ipv4 = 192.0.2.99 }\n"
	"  adm-x { dial_in = policy }\n"
	"  certuser { dial_in = policy }\n"
	"  chaponly { dial_in = policy }\n"
	"  outsider { dial_in = policy }\n"
	"}\n"
	"policies {\n"
	"  1-blocked-net {\n"
	"    conditions { calling_station = 203.0.113.0/24, 2001:db8:bad::/48 }\n"
	"    permission = deny\n"
	"  }\n"
	"  2-admins {\n"
	"    conditions { group = admins }\n"
	"    permission = grant\n"
	"    profile { pool = main\n session_timeout = 12h }\n"
	"  }\n"
	"  3-pattern-users {\n"
	"    conditions { user = ~\"^adm-\" }\n"
	"    permission = grant\n"
	"    profile { pool = main }\n"
	"  }\n"
	"  4-cert {\n"
	"    conditions {\n"
	"      cert_subject = ~\"O=Example$\"\n"
	"      cert_issuer = \"CN=Example CA\"\n"
	"      ike_identity = laptop.example.com, ~\"^tablet\"\n"
	"      called_station = 198.51.100.1\n"
	"    }\n"
	"    permission = grant\n"
	"    profile { pool = main }\n"
	"  }\n"
	"  5-night {\n"
	"    conditions { group = night\n time = Mon-Fri 22:00-06:00 }\n"
	"    permission = grant\n"
	"    profile { pool = main }\n"
	"  }\n"
	"  6-staff-hours {\n"
	"    conditions {\n"
	"      group = staff\n"
	"      time = Mon-Fri 08:00-18:00\n"
	"      tunnel_type = l2tp\n"
	"    }\n"
	"    permission = grant\n"
	"    profile { pool = main\n auth = mschapv2\n max_sessions = 2 }\n"
	"  }\n"
	"  7-chap-only {\n"
	"    conditions { user = chaponly }\n"
	"    permission = grant\n"
	"    profile { auth = chap\n pool = main }\n"
	"  }\n"
	"  8-allowme-denied-by-policy {\n"
	"    conditions { user = allowme }\n"
	"    permission = deny\n"
	"    profile { pool = main }\n"
	"  }\n"
	"  9-eap-users {\n"
	"    conditions { auth_method = eap\n user = outsider }\n"
	"    permission = grant\n"
	"    profile { pool = main }\n"
	"  }\n"
	"}\n";

struct row {
	const char *name;
	const char *user;
	const char *group;		/* extra group from the request */
	const char *peer;
	const char *server;
	const char *ike, *subject, *issuer;
	enum policy_tunnel tunnel;	/* 0: l2tp */
	const char *time;		/* UTC; NULL: Wed 2026-11-25 10:00 CET */
	uint32_t auth;			/* 0: mschapv2 */
	uint32_t sessions;
	enum policy_reason want;
	const char *want_policy;	/* NULL: none */
};

static const struct row rows[] = {
	/* group condition, permission grant */
	{ "admin in a group granted", "root", .want = POLICY_GRANTED, .want_policy = "2-admins" },
	/* ordering: the earlier deny policy wins over the later grant */
	{ "calling station in blocked net denied first", "root", .peer = "203.0.113.9",
	  .want = POLICY_DENY_POLICY, .want_policy = "1-blocked-net" },
	{ "calling station IPv6 prefix matches", "root", .peer = "2001:db8:bad::1",
	  .want = POLICY_DENY_POLICY, .want_policy = "1-blocked-net" },
	/* user name as pattern */
	{ "user pattern matches", "adm-x", .want = POLICY_GRANTED, .want_policy = "3-pattern-users" },
	{ "user names compare without case", "ROOT", .want = POLICY_GRANTED, .want_policy = "2-admins" },
	/* certificate and IKE conditions, all must match */
	{ "cert subject issuer ike and called station match", "certuser",
	  .server = "198.51.100.1", .ike = "laptop.example.com",
	  .subject = "CN=laptop, O=Example", .issuer = "CN=Example CA",
	  .want = POLICY_GRANTED, .want_policy = "4-cert" },
	{ "ike identity pattern alternative matches", "certuser",
	  .server = "198.51.100.1", .ike = "tablet7",
	  .subject = "CN=laptop, O=Example", .issuer = "CN=Example CA",
	  .want = POLICY_GRANTED, .want_policy = "4-cert" },
	{ "wrong called station fails the cert policy", "certuser",
	  .server = "198.51.100.2", .ike = "laptop.example.com",
	  .subject = "CN=laptop, O=Example", .issuer = "CN=Example CA",
	  .want = POLICY_DENY_NO_MATCHING_POLICY },
	{ "issuer compared exactly", "certuser",
	  .server = "198.51.100.1", .ike = "laptop.example.com",
	  .subject = "CN=laptop, O=Example", .issuer = "CN=Example CA2",
	  .want = POLICY_DENY_NO_MATCHING_POLICY },
	{ "missing certificate never matches", "certuser",
	  .server = "198.51.100.1", .ike = "laptop.example.com",
	  .want = POLICY_DENY_NO_MATCHING_POLICY },
	/* time windows */
	{ "staff inside weekday hours", "alice", .time = "2026-11-25T09:00Z",
	  .want = POLICY_GRANTED, .want_policy = "6-staff-hours" },
	{ "staff at the end of the window is outside", "alice", .time = "2026-11-25T17:00Z",
	  .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "staff on saturday outside hours", "alice", .time = "2026-11-28T10:00Z",
	  .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "night window wednesday evening", "nina", .time = "2026-11-25T22:30Z",
	  .want = POLICY_GRANTED, .want_policy = "5-night" },
	{ "night window crosses midnight into saturday", "nina", .time = "2026-11-28T01:00Z",
	  .want = POLICY_GRANTED, .want_policy = "5-night" },
	{ "night window not after a sunday", "nina", .time = "2026-11-30T01:00Z",
	  .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "night window monday 05:59 after sunday not listed", "nina", .time = "2026-11-30T04:59Z",
	  .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "night window tuesday 05:59 after monday", "nina", .time = "2026-12-01T04:59Z",
	  .want = POLICY_GRANTED, .want_policy = "5-night" },
	/* DST: 06:30Z is 07:30 CET before the change, 08:30 CEST after */
	{ "dst friday before the change 06:30Z is 07:30 local", "alice",
	  .time = "2026-03-27T06:30Z", .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "dst monday after the change 06:30Z is 08:30 local", "alice",
	  .time = "2026-03-30T06:30Z", .want = POLICY_GRANTED, .want_policy = "6-staff-hours" },
	{ "dst friday before the change 16:30Z is 17:30 local", "alice",
	  .time = "2026-03-27T16:30Z", .want = POLICY_GRANTED, .want_policy = "6-staff-hours" },
	{ "dst monday after the change 16:30Z is 18:30 local", "alice",
	  .time = "2026-03-30T16:30Z", .want = POLICY_DENY_OUTSIDE_HOURS },
	{ "dst back in october 07:30Z is 08:30 CET", "alice",
	  .time = "2026-10-26T07:30Z", .want = POLICY_GRANTED, .want_policy = "6-staff-hours" },
	/* tunnel type */
	{ "tunnel type other than l2tp fails", "alice", .tunnel = POLICY_TUNNEL_PPTP,
	  .want = POLICY_DENY_NO_MATCHING_POLICY },
	/* groups from the request (e.g. RADIUS) count */
	{ "group from the request counts", "adm-x", .group = "admins",
	  .want = POLICY_GRANTED, .want_policy = "2-admins" },
	/* the user's own setting and the default */
	{ "user dial-in deny wins over a granting policy", "denyme",
	  .want = POLICY_DENY_USER_DIAL_IN, .want_policy = "2-admins" },
	{ "new user without dial-in is denied by default", "newbie",
	  .want = POLICY_DENY_USER_DIAL_IN, .want_policy = "2-admins" },
	{ "user dial-in allow overrides a deny policy", "allowme",
	  .want = POLICY_GRANTED, .want_policy = "8-allowme-denied-by-policy" },
	{ "user dial-in allow still needs a matching policy", "allowme",
	  .ike = "x", .peer = "198.51.100.9", .tunnel = POLICY_TUNNEL_SSTP,
	  .want = POLICY_GRANTED, .want_policy = "8-allowme-denied-by-policy" },
	/* account */
	{ "unknown user", "mallory", .want = POLICY_DENY_UNKNOWN_USER },
	{ "disabled account", "off", .want = POLICY_DENY_ACCOUNT_DISABLED },
	{ "expired password", "old", .want = POLICY_DENY_PASSWORD_EXPIRED },
	{ "password not yet expired", "old", .time = "2026-05-31T21:59Z",
	  .want = POLICY_GRANTED, .want_policy = "2-admins" },
	/* profile */
	{ "auth method not in profile", "alice", .auth = POLICY_AUTH_PAP,
	  .want = POLICY_DENY_AUTH_METHOD, .want_policy = "6-staff-hours" },
	{ "profile allowing only a server-disabled method", "chaponly",
	  .want = POLICY_DENY_AUTH_DISABLED, .want_policy = "7-chap-only" },
	{ "max sessions reached", "alice", .sessions = 2,
	  .want = POLICY_DENY_TOO_MANY_SESSIONS, .want_policy = "6-staff-hours" },
	{ "max sessions not reached", "alice", .sessions = 1,
	  .want = POLICY_GRANTED, .want_policy = "6-staff-hours" },
	/* auth method condition */
	{ "auth method condition matches eap", "outsider", .auth = POLICY_AUTH_EAP,
	  .want = POLICY_GRANTED, .want_policy = "9-eap-users" },
	{ "auth method condition fails for mschapv2", "outsider",
	  .want = POLICY_DENY_NO_MATCHING_POLICY },
	/* no policy at all for this user */
	{ "no matching policy rejects", "certuser", .want = POLICY_DENY_NO_MATCHING_POLICY },
};

static void fill(const struct row *r, struct policy_request *req,
		 const char **groups)
{
	memset(req, 0, sizeof(*req));
	req->user = r->user;
	req->peer = ip_of(r->peer ? r->peer : "198.51.100.77");
	if (r->server)
		req->server = ip_of(r->server);
	req->ike_identity = r->ike;
	req->cert_subject = r->subject;
	req->cert_issuer = r->issuer;
	req->tunnel = r->tunnel ? r->tunnel : POLICY_TUNNEL_L2TP;
	req->now = utc(r->time ? r->time : "2026-11-25T09:00Z");
	req->auth_method = r->auth ? r->auth : POLICY_AUTH_MSCHAPV2;
	req->sessions_in_use = r->sessions;
	if (r->group) {
		groups[0] = r->group;
		req->groups = groups;
		req->n_groups = 1;
	}
}

static void test_decision_table(void **state)
{
	policy_t *p = load_ok(policy_text);
	unsigned failures = 0;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct policy_request req;
		struct policy_decision d;
		struct policy_explain x;
		const char *groups[1];
		enum policy_reason got;

		fill(r, &req, groups);
		policy_explain_init(&x);
		got = policy_post_auth(p, &req, 0, &d, &x);
		/* the same decision without an explanation (the fast path) */
		struct policy_decision d2;
		enum policy_reason fast = policy_post_auth(p, &req, 0, &d2, NULL);
		bool ok = got == r->want && fast == got &&
			  ((!r->want_policy && !d.policy_name) ||
			   (r->want_policy && d.policy_name &&
			    !strcmp(r->want_policy, d.policy_name))) &&
			  d2.policy_index == d.policy_index;
		if (!ok) {
			char *t = policy_format_text(p, 0, &d, &x);
			print_error("row '%s': want %s by %s, got %s by %s (fast path %s)\n%s\n",
				    r->name, policy_reason_name(r->want),
				    r->want_policy ? r->want_policy : "none",
				    policy_reason_name(got),
				    d.policy_name ? d.policy_name : "none",
				    policy_reason_name(fast), t);
			free(t);
			failures++;
		}
		policy_explain_free(&x);
	}
	/* every decision is counted by its reason: two per row (with and
	 * without explanation) */
	struct policy_stats st;
	uint64_t total = 0;
	policy_get_stats(p, &st);
	for (int k = 0; k < POLICY_REASON__COUNT; k++)
		total += st.decisions[k];
	assert_int_equal(total, 2 * sizeof(rows) / sizeof(rows[0]));
	assert_true(st.decisions[POLICY_DENY_OUTSIDE_HOURS] >= 2);
	policy_free(p);
	assert_int_equal(failures, 0);
}

static void test_granted_decision_carries_profile_and_address(void **state)
{
	policy_t *p = load_ok(policy_text);
	struct policy_request req;
	struct policy_decision d;
	const char *g[1];
	char ip[64];

	fill(&rows[0], &req, g);
	assert_int_equal(policy_post_auth(p, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_int_equal(d.profile.session_timeout, 12 * 3600);
	assert_int_equal(d.profile.auth, POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_EAP);
	assert_int_equal(d.profile.mtu, 1400);
	assert_true(d.has_ipv4 && d.ipv4_leased);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.10");
	policy_decision_release(p, &d);
	assert_false(d.ipv4_leased);
	policy_free(p);
}

static void test_static_user_address_is_not_leased(void **state)
{
	policy_t *p = load_ok(policy_text);
	struct policy_request req = { .user = "vip", .tunnel = POLICY_TUNNEL_L2TP,
				      .auth_method = POLICY_AUTH_MSCHAPV2 };
	struct policy_decision d;
	char ip[64];

	req.now = utc("2026-11-25T09:00Z");
	assert_int_equal(policy_post_auth(p, &req, POLICY_LEASE, &d, NULL), POLICY_GRANTED);
	assert_string_equal(policy_ip_format(&d.ipv4, ip, sizeof(ip)), "192.0.2.99");
	assert_false(d.ipv4_leased);
	assert_int_equal(d.ipv4_pool, -1);
	policy_free(p);
}

static void test_outside_hours_maps_to_646_and_no_policy_to_649(void **state)
{
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_OUTSIDE_HOURS), 646);
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_ACCOUNT_DISABLED), 647);
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_PASSWORD_EXPIRED), 648);
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_NO_MATCHING_POLICY), 649);
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_USER_DIAL_IN), 649);
	assert_int_equal(policy_reason_mschap_error(POLICY_DENY_UNKNOWN_USER), 691);
	assert_int_equal(policy_reason_l2tp_result(POLICY_DENY_POOL_EXHAUSTED), 4);
	assert_int_equal(policy_reason_l2tp_result(POLICY_DENY_POLICY), 3);
	assert_int_equal(policy_reason_mschap_error(POLICY_GRANTED), 0);
	for (int r = 0; r < POLICY_REASON__COUNT; r++) {
		assert_non_null(policy_reason_name((enum policy_reason)r));
		assert_true(strlen(policy_reason_text((enum policy_reason)r)) > 5);
	}
}

static void test_explanation_lists_each_policy_and_condition_in_order(void **state)
{
	policy_t *p = load_ok(policy_text);
	struct policy_request req;
	struct policy_decision d;
	struct policy_explain x;
	const char *g[1];
	int last_policy = -1;
	bool saw_time_fail = false;

	fill(&rows[12], &req, g);	/* alice on Saturday */
	policy_explain_init(&x);
	policy_post_auth(p, &req, 0, &d, &x);
	for (size_t i = 0; i < x.n; i++) {
		const struct policy_explain_line *l = &x.lines[i];
		if (l->kind == POLICY_X_POLICY) {
			assert_int_equal(l->policy_index, last_policy + 1);
			last_policy = l->policy_index;
		}
		if (l->kind == POLICY_X_CONDITION && !strcmp(l->key, "time") &&
		    l->policy_index == 5) {
			assert_int_equal(l->verdict, POLICY_V_NOMATCH);
			assert_string_equal(l->text, "Sat 11:00 (Europe/Berlin) is outside Mon-Fri 08:00-18:00");
			saw_time_fail = true;
		}
	}
	assert_int_equal(last_policy, 8);	/* all nine policies explained */
	assert_true(saw_time_fail);
	assert_int_equal(x.lines[x.n - 1].kind, POLICY_X_STEP);
	assert_string_equal(x.lines[x.n - 1].key, "decision");
	policy_explain_free(&x);
	policy_free(p);
}

/* ---- pre-authentication offer ------------------------------------------------ */

static void test_pre_auth_offers_union_of_policies_that_could_match(void **state)
{
	policy_t *p = load_ok(
		"server { auth_methods = pap, mschapv2, eap }\n"
		"groups { g { } }\n"
		"policies {\n"
		"  a { conditions { group = g }\n permission = grant\n profile { auth = mschapv2 } }\n"
		"  b { conditions { calling_station = 10.0.0.0/8 }\n permission = grant\n profile { auth = pap } }\n"
		"  c { conditions { user = x }\n permission = deny\n profile { auth = eap } }\n"
		"}\n");
	struct policy_request req = { .peer = ip_of("192.0.2.1") };

	/* a and c could match (group/user unknown yet); b cannot (peer) */
	assert_int_equal(policy_pre_auth(p, &req, NULL), POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_EAP);
	/* from 10/8, b matches for certain: c is never reached */
	req.peer = ip_of("10.1.2.3");
	assert_int_equal(policy_pre_auth(p, &req, NULL),
			 POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_PAP);
	policy_free(p);
}

static void test_pre_auth_stops_at_a_policy_that_matches_for_certain(void **state)
{
	policy_t *p = load_ok(
		"server { auth_methods = pap, mschapv2, eap }\n"
		"policies {\n"
		"  all { permission = grant\n profile { auth = mschapv2 } }\n"
		"  never-reached { permission = grant\n profile { auth = pap } }\n"
		"}\n");
	struct policy_request req = {0};

	assert_int_equal(policy_pre_auth(p, &req, NULL), POLICY_AUTH_MSCHAPV2);
	policy_free(p);
}

static void test_pre_auth_excludes_server_disabled_methods_and_narrows_by_condition(void **state)
{
	policy_t *p = load_ok(
		"server { auth_methods = mschapv2, eap }\n"
		"policies {\n"
		"  a { conditions { auth_method = eap }\n permission = grant\n profile { auth = pap, mschapv2, eap } }\n"
		"}\n");
	struct policy_request req = {0};

	assert_int_equal(policy_pre_auth(p, &req, NULL), POLICY_AUTH_EAP);
	policy_free(p);
}

static void test_pre_auth_with_nothing_to_offer_returns_zero(void **state)
{
	policy_t *p = load_ok(
		"policies { a { conditions { tunnel_type = pptp }\n permission = grant } }\n");
	struct policy_request req = { .tunnel = POLICY_TUNNEL_L2TP };
	struct policy_explain x;

	policy_explain_init(&x);
	assert_int_equal(policy_pre_auth(p, &req, &x), 0);
	assert_string_equal(x.lines[x.n - 1].text, "nothing to offer: no-common-auth-method");
	struct policy_stats st;
	policy_get_stats(p, &st);
	assert_int_equal(st.pre_auth_nothing_offered, 1);
	policy_explain_free(&x);
	policy_free(p);
}

/* ---- patterns ------------------------------------------------------------------ */

static void test_catastrophic_pattern_gives_up_at_its_match_limit(void **state)
{
	policy_t *p = load_ok(
		"users { aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab { dial_in = allow } }\n"
		"policies { a { conditions { user = ~\"^(a|aa)+$\" }\n permission = grant } }\n");
	struct policy_request req = {
		.user = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab" };
	struct policy_decision d;
	struct policy_explain x;

	policy_explain_init(&x);
	/* fail closed: a condition that cannot be evaluated refuses */
	assert_int_equal(policy_post_auth(p, &req, 0, &d, &x), POLICY_DENY_CONDITION_ERROR);
	bool limit = false;
	for (size_t i = 0; i < x.n; i++)
		if (strstr(x.lines[i].text, "hit its match limit"))
			limit = true;
	assert_true(limit);
	struct policy_stats st;
	policy_get_stats(p, &st);
	assert_int_equal(st.pattern_limit_hits, 1);
	assert_int_equal(st.decisions[POLICY_DENY_CONDITION_ERROR], 1);
	policy_explain_free(&x);
	policy_free(p);
}

/* The catastrophic pattern of the test above, and a name it gives up on. */
#define SLOW_NAME "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"

static bool explained(const struct policy_explain *x, enum policy_verdict v,
		      const char *text)
{
	for (size_t i = 0; i < x->n; i++)
		if (x->lines[i].verdict == v && strstr(x->lines[i].text, text))
			return true;
	return false;
}

static void test_deny_policy_at_its_match_limit_is_not_skipped(void **state)
{
	/* the deny policy cannot tell whether it matches: the later grant
	 * policy must not admit the user instead */
	policy_t *p = load_ok(
		"users { " SLOW_NAME " { dial_in = policy } }\n"
		"pools { p { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
		"policies {\n"
		"  1-deny { conditions { user = ~\"^(a|aa)+$\" }\n permission = deny }\n"
		"  2-all { permission = grant\n profile { pool = p } }\n"
		"}\n");
	struct policy_request req = { .user = SLOW_NAME };
	struct policy_decision d;
	struct policy_explain x;
	char *text;

	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &req, 0, &d, &x), POLICY_DENY_CONDITION_ERROR);
	assert_string_equal(d.policy_name, "1-deny");
	assert_int_equal(policy_reason_mschap_error(d.reason), 649);
	assert_true(explained(&x, POLICY_V_ERROR, "cannot be evaluated: a pattern of ~^(a|aa)+$ "
			      "hit its match limit (fail closed)"));
	assert_true(explained(&x, POLICY_V_ERROR, "cannot be evaluated: the login is refused"));
	text = policy_format_text(p, 0, &d, &x);
	assert_non_null(strstr(text, "decision: DENY condition-error: a policy condition could "
			       "not be evaluated"));
	assert_non_null(strstr(text, "      ! user "));
	free(text);
	policy_explain_free(&x);
	/* the same without an explanation (the daemon's path) */
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_DENY_CONDITION_ERROR);
	policy_free(p);
}

static void test_condition_error_after_a_certain_failure_does_not_refuse(void **state)
{
	/* the tunnel type fails for certain: whatever the pattern would say,
	 * the policy does not match, and the grant policy decides */
	policy_t *p = load_ok(
		"users { " SLOW_NAME " { dial_in = policy } }\n"
		"pools { p { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
		"policies {\n"
		"  1-deny { conditions { tunnel_type = pptp\n user = ~\"^(a|aa)+$\" }\n"
		"    permission = deny }\n"
		"  2-all { permission = grant\n profile { pool = p } }\n"
		"}\n");
	struct policy_request req = { .user = SLOW_NAME, .tunnel = POLICY_TUNNEL_L2TP };
	struct policy_decision d;
	struct policy_explain x;

	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &req, 0, &d, &x), POLICY_GRANTED);
	assert_string_equal(d.policy_name, "2-all");
	policy_explain_free(&x);
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_GRANTED);
	policy_free(p);
}

static void test_pre_auth_explains_a_condition_error(void **state)
{
	policy_t *p = load_ok(
		"policies {\n"
		"  1-deny { conditions { ike_identity = ~\"^(a|aa)+$\" }\n permission = deny }\n"
		"  2-all { permission = grant }\n"
		"}\n");
	struct policy_request req = { .ike_identity = SLOW_NAME };
	struct policy_explain x;

	policy_explain_init(&x);
	/* could match: its methods are offered, the decision refuses later */
	assert_int_equal(policy_pre_auth(p, &req, &x),
			 POLICY_AUTH_MSCHAPV2 | POLICY_AUTH_EAP);
	assert_true(explained(&x, POLICY_V_ERROR, "cannot be evaluated (the login will be refused)"));
	policy_explain_free(&x);
	policy_free(p);
}

static void test_user_patterns_see_the_canonical_name(void **state)
{
	/* the lookup ignores case: so do the patterns, on the lower-case name */
	policy_t *p = load_ok(
		"users { ext-frank { dial_in = policy } }\n"
		"pools { p { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
		"policies {\n"
		"  1-no-externals { conditions { user = ~\"^ext-\" }\n permission = deny }\n"
		"  2-all { permission = grant\n profile { pool = p } }\n"
		"}\n");
	const char *names[] = { "ext-frank", "EXT-FRANK", "Ext-Frank" };
	struct policy_decision d;
	struct policy_explain x;

	for (size_t i = 0; i < 3; i++) {
		struct policy_request req = { .user = names[i] };
		assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_DENY_POLICY);
		assert_string_equal(d.policy_name, "1-no-externals");
	}
	struct policy_request req = { .user = "EXT-FRANK" };
	policy_explain_init(&x);
	policy_post_auth(p, &req, 0, &d, &x);
	assert_true(explained(&x, POLICY_V_MATCH, "user 'ext-frank' matches ~^ext-"));
	policy_explain_free(&x);
	policy_free(p);
}

static void test_outside_hours_only_when_the_window_kept_a_grant_off(void **state)
{
	/* 1-night-block denies at night; at noon its time window fails. That
	 * is no reason for E=646: nothing would have granted the login */
	policy_t *p = load_ok(
		"server { timezone = UTC }\n"
		"groups { staff { } }\n"
		"users { bob { dial_in = policy }\n carl { dial_in = allow }\n"
		"  dora { dial_in = policy\n groups = staff } }\n"
		"pools { p { ipv4 = 192.0.2.10-192.0.2.20 } }\n"
		"policies {\n"
		"  1-night-block { conditions { time = Mon-Sun 22:00-06:00 }\n permission = deny }\n"
		"  2-staff { conditions { group = staff\n time = Mon-Fri 08:00-18:00 }\n"
		"    permission = grant\n profile { pool = p } }\n"
		"}\n");
	struct policy_request req = { .user = "bob", .now = utc("2026-11-28T12:00Z") };
	struct policy_decision d;

	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_DENY_NO_MATCHING_POLICY);
	assert_int_equal(policy_reason_mschap_error(d.reason), 649);
	/* dial_in = allow takes the deny policy's profile: its window matters */
	req.user = "carl";
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_DENY_OUTSIDE_HOURS);
	/* staff on a Saturday: the grant policy's window kept it off */
	req.user = "dora";
	assert_int_equal(policy_post_auth(p, &req, 0, &d, NULL), POLICY_DENY_OUTSIDE_HOURS);
	assert_int_equal(policy_reason_mschap_error(d.reason), 646);
	policy_free(p);
}

static void test_explicit_dial_in_deny_is_not_called_the_default(void **state)
{
	policy_t *p = load_ok(
		"users { set { dial_in = deny }\n unset { } }\n"
		"policies { a { permission = grant } }\n");
	struct policy_request req = { .user = "set" };
	struct policy_decision d;
	struct policy_explain x;

	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &req, 0, &d, &x), POLICY_DENY_USER_DIAL_IN);
	assert_true(explained(&x, POLICY_V_NOMATCH, "the user's dial_in is deny"));
	assert_false(explained(&x, POLICY_V_NOMATCH, "default"));
	policy_explain_free(&x);
	req.user = "unset";
	policy_explain_init(&x);
	assert_int_equal(policy_post_auth(p, &req, 0, &d, &x), POLICY_DENY_USER_DIAL_IN);
	assert_true(explained(&x, POLICY_V_NOMATCH, "the user's dial_in is deny "
			      "(not set: server.default_dial_in)"));
	policy_explain_free(&x);
	policy_free(p);
}

static void test_time_window_forms(void **state)
{
	/* "Sat" alone is the whole day; "22:00-00:00" runs to midnight */
	policy_t *p = load_ok(
		"server { timezone = UTC }\n"
		"users { u { dial_in = allow } }\n"
		"policies {\n"
		" sat { conditions { time = Sat }\n permission = deny }\n"
		" late { conditions { time = 22:00-00:00 }\n permission = deny }\n"
		" wrap { conditions { time = Sun-Mon 12:00-13:00 }\n permission = deny }\n"
		"}\n");
	struct policy_request req = { .user = "u" };
	struct policy_decision d;

	req.now = utc("2026-11-28T00:00Z");	/* Saturday */
	policy_post_auth(p, &req, 0, &d, NULL);
	assert_string_equal(d.policy_name, "sat");
	req.now = utc("2026-11-25T23:59Z");	/* Wednesday */
	policy_post_auth(p, &req, 0, &d, NULL);
	assert_string_equal(d.policy_name, "late");
	req.now = utc("2026-11-30T12:30Z");	/* Monday */
	policy_post_auth(p, &req, 0, &d, NULL);
	assert_string_equal(d.policy_name, "wrap");
	req.now = utc("2026-11-25T12:30Z");	/* Wednesday */
	policy_post_auth(p, &req, 0, &d, NULL);
	assert_null(d.policy_name);
	policy_free(p);
}

static void test_sessions_allowed_check(void **state)
{
	struct policy_profile pr = { .max_sessions = 2 };

	assert_true(policy_sessions_allowed(&pr, 1));
	assert_false(policy_sessions_allowed(&pr, 2));
	pr.max_sessions = 0;
	assert_true(policy_sessions_allowed(&pr, 100000));
}

static void test_password_checks_for_pap(void **state)
{
	policy_t *p = load_ok(
		"server { cleartext_passwords = yes }\n"
		"users {\n"
		" nt { nt_hash = 8846f7eaee8fb117ad06bdd830b7586c }\n"
		" kdf { password_hash = pbkdf2-sha256$20000$00112233445566778899aabbccddeeff$"
		"40361e7803bafbb6f3f97b08f9c6e4d9538a0b340a92e78aaf6f03efda725168 }\n"
		" clear { password = password }\n"
		" none { }\n"
		"}\n");
	uint8_t h[16];
	static const uint8_t want[16] = { 0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
					  0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c };

	assert_true(user_pap_ok(policy_find_user(p, "nt"), "password", 8));
	assert_false(user_pap_ok(policy_find_user(p, "nt"), "Password", 8));
	assert_true(user_pap_ok(policy_find_user(p, "kdf"), "password", 8));
	assert_false(user_pap_ok(policy_find_user(p, "kdf"), "passwore", 8));
	assert_true(user_pap_ok(policy_find_user(p, "clear"), "password", 8));
	assert_false(user_pap_ok(policy_find_user(p, "none"), "", 0));
	/* MS-CHAPv2 gets the NT hash, also derived from a cleartext password
	 * (by ppp-core now: policy hands out what is stored) */
	struct ppp_secret sec;
	policy_user_secret(policy_find_user(p, "clear"), &sec);
	assert_true(ppp_secret_usable(&sec, PPP_AUTH_MSCHAPV2));
	assert_int_equal(ppp_nt_password_hash(sec.cleartext, sec.cleartext_len, h), 0);
	assert_memory_equal(h, want, 16);
	policy_user_secret(policy_find_user(p, "kdf"), &sec);
	assert_false(ppp_secret_usable(&sec, PPP_AUTH_MSCHAPV2));
	policy_user_secret(policy_find_user(p, "nt"), &sec);
	assert_null(sec.cleartext);
	assert_memory_equal(sec.nt_hash, want, 16);
	policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_granted_decision_carries_profile_and_address),
		cmocka_unit_test(test_static_user_address_is_not_leased),
		cmocka_unit_test(test_outside_hours_maps_to_646_and_no_policy_to_649),
		cmocka_unit_test(test_explanation_lists_each_policy_and_condition_in_order),
		cmocka_unit_test(test_pre_auth_offers_union_of_policies_that_could_match),
		cmocka_unit_test(test_pre_auth_stops_at_a_policy_that_matches_for_certain),
		cmocka_unit_test(test_pre_auth_excludes_server_disabled_methods_and_narrows_by_condition),
		cmocka_unit_test(test_pre_auth_with_nothing_to_offer_returns_zero),
		cmocka_unit_test(test_catastrophic_pattern_gives_up_at_its_match_limit),
		cmocka_unit_test(test_deny_policy_at_its_match_limit_is_not_skipped),
		cmocka_unit_test(test_condition_error_after_a_certain_failure_does_not_refuse),
		cmocka_unit_test(test_pre_auth_explains_a_condition_error),
		cmocka_unit_test(test_user_patterns_see_the_canonical_name),
		cmocka_unit_test(test_outside_hours_only_when_the_window_kept_a_grant_off),
		cmocka_unit_test(test_explicit_dial_in_deny_is_not_called_the_default),
		cmocka_unit_test(test_time_window_forms),
		cmocka_unit_test(test_sessions_allowed_check),
		cmocka_unit_test(test_password_checks_for_pap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
