/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The authentication-provider seam (auth_provider.h, docs/auth.md): the
 * `local` provider hands out a policy user's stored secret; a relaying
 * provider (what RADIUS will be) answers a verdict later; what each answer
 * means for the login ppp-core holds (auth_reply_outcome), driven against
 * a real ppp-core server and client in memory.
 */
#include "../ppp-core/harness.h"

#include <stdlib.h>

#include "auth_local.h"
#include "auth_provider.h"
#include "policy.h"

static const enum ppp_auth_method only_mschapv2[] = { PPP_AUTH_MSCHAPV2 };
static const enum ppp_auth_method only_chap[] = { PPP_AUTH_CHAP_MD5 };
static const enum ppp_auth_method only_pap[] = { PPP_AUTH_PAP };

static struct endpoint srv, cli;

/* What the provider said, as the daemon's reply callback sees it. */
static struct {
	int calls;
	void *ctx;
	struct auth_reply r;
	struct ppp_secret secret;
	bool had_secret;
	struct auth_outcome outcome;	/* when apply is set */
	bool apply;
	char s_resp[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
} seen;

static void on_reply(void *ctx, const struct auth_reply *r)
{
	seen.calls++;
	seen.ctx = ctx;
	seen.r = *r;
	seen.had_secret = r->secret != NULL;
	if (r->secret)
		seen.secret = *r->secret;
	if (seen.apply) {
		auth_reply_outcome(&srv.s, r, &seen.outcome);
		/* The reply lives only during this call (the daemon answers
		 * ppp-core inside it); the test answers after: keep a copy. */
		if (seen.outcome.authenticator_response) {
			snprintf(seen.s_resp, sizeof(seen.s_resp), "%s",
				 seen.outcome.authenticator_response);
			seen.outcome.authenticator_response = seen.s_resp;
		}
	}
}

static policy_t *load(const char *text)
{
	struct policy_error err;
	policy_t *p = NULL;

	if (policy_load_buffer("t.conf", text, strlen(text), NULL, &p, &err) != 0)
		fail_msg("policy: %s", err.msg);
	return p;
}

static const char users[] =
	"server { cleartext_passwords = yes }\n"
	"users {\n"
	" nt { nt_hash = 8846f7eaee8fb117ad06bdd830b7586c }\n"
	" kdf { password_hash = pbkdf2-sha256$20000$00112233445566778899aabbccddeeff$"
	"40361e7803bafbb6f3f97b08f9c6e4d9538a0b340a92e78aaf6f03efda725168 }\n"
	" clear { password = password }\n"
	" none { }\n"
	" User { password = clientPass }\n"
	"}\n";

static int setup(void **state)
{
	memset(&seen, 0, sizeof(seen));
	ep_init(&srv, PPP_SERVER, 1);
	ep_init(&cli, PPP_CLIENT, 2);
	srv.mode = AUTH_DEFER;
	return 0;
}

static void ask(struct auth_provider *p, const char *user, void *ctx)
{
	struct auth_query q = { .method = PPP_AUTH_PAP, .user = user, .ctx = ctx };

	assert_int_equal(auth_provider_ask(p, &q), 0);
}

/* PAP through the local provider: the checks policy/ made itself before
 * (test_eval's password checks), now policy hands out, ppp-core checks. */
static bool local_pap_ok(struct auth_provider *p, const char *user, const char *pw)
{
	memset(&seen, 0, sizeof(seen));
	ask(p, user, NULL);
	assert_int_equal(seen.calls, 1);
	if (seen.r.kind != AUTH_REPLY_SECRET)
		return false;
	return ppp_secret_check_password(&seen.secret, pw, strlen(pw));
}

static void test_local_hands_out_the_stored_secret_and_ppp_core_checks_it(void **state)
{
	policy_t *pol = load(users);
	struct auth_provider *p = auth_local_new(&pol, on_reply);
	static const uint8_t want[16] = { 0x88, 0x46, 0xf7, 0xea, 0xee, 0x8f, 0xb1, 0x17,
					  0xad, 0x06, 0xbd, 0xd8, 0x30, 0xb7, 0x58, 0x6c };

	assert_string_equal(auth_provider_name(p), "local");
	assert_true(local_pap_ok(p, "nt", "password"));
	assert_false(local_pap_ok(p, "nt", "Password"));
	assert_true(local_pap_ok(p, "kdf", "password"));
	assert_false(local_pap_ok(p, "kdf", "passwore"));
	assert_true(local_pap_ok(p, "clear", "password"));
	assert_false(local_pap_ok(p, "none", ""));
	/* what each user stores, as stored */
	ask(p, "nt", (void *)0x1);
	assert_ptr_equal(seen.ctx, (void *)0x1);
	assert_memory_equal(seen.secret.nt_hash, want, 16);
	assert_null(seen.secret.cleartext);
	ask(p, "clear", NULL);
	assert_null(seen.secret.nt_hash);
	assert_int_equal(seen.secret.cleartext_len, 8);
	assert_memory_equal(seen.secret.cleartext, "password", 8);
	assert_true(ppp_secret_usable(&seen.secret, PPP_AUTH_CHAP_MD5));
	ask(p, "none", NULL);
	assert_false(ppp_secret_usable(&seen.secret, PPP_AUTH_PAP));
	auth_provider_destroy(p);
	policy_free(pol);
}

static void test_local_unknown_user_is_no_user_and_names_are_case_insensitive(void **state)
{
	policy_t *pol = load(users);
	struct auth_provider *p = auth_local_new(&pol, on_reply);

	ask(p, "mallory", NULL);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.r.kind, AUTH_REPLY_NO_USER);
	assert_false(seen.had_secret);
	ask(p, "CLEAR", NULL);
	assert_int_equal(seen.r.kind, AUTH_REPLY_SECRET);
	auth_provider_destroy(p);
	policy_free(pol);
}

static void test_local_reads_the_policy_of_the_moment(void **state)
{
	policy_t *pol = load(users);
	struct auth_provider *p = auth_local_new(&pol, on_reply);

	ask(p, "zoe", NULL);
	assert_int_equal(seen.r.kind, AUTH_REPLY_NO_USER);
	/* a reload replaces the daemon's policy: the next login sees it */
	policy_free(pol);
	pol = load("users { zoe { nt_hash = 8846f7eaee8fb117ad06bdd830b7586c } }\n");
	ask(p, "zoe", NULL);
	assert_int_equal(seen.r.kind, AUTH_REPLY_SECRET);
	auth_provider_destroy(p);
	policy_free(pol);
}

/* ---- a provider that relays (what RADIUS will be): verify only, the
 * answer comes later from the event loop, or never after a cancel ---- */

struct relay {
	struct auth_provider base;
	void *ctx;			/* the login it holds */
	enum ppp_auth_method method;
	uint8_t peer_challenge[16], auth_challenge[16], nt_response[24];
	char user[64];
	int cancels;
};

static int relay_verify(struct auth_provider *p, const struct auth_query *q)
{
	struct relay *r = (struct relay *)p;

	/* copy what goes into the request to the server, then return */
	r->ctx = q->ctx;
	r->method = q->method;
	snprintf(r->user, sizeof(r->user), "%s", q->user);
	if (q->method == PPP_AUTH_MSCHAPV2) {
		memcpy(r->peer_challenge, q->request->u.mschapv2.peer_challenge, 16);
		memcpy(r->auth_challenge, q->request->u.mschapv2.authenticator_challenge, 16);
		memcpy(r->nt_response, q->request->u.mschapv2.nt_response, 24);
	}
	return 0;
}

static void relay_cancel(struct auth_provider *p, void *ctx)
{
	struct relay *r = (struct relay *)p;

	if (r->ctx == ctx) {
		r->ctx = NULL;
		r->cancels++;
	}
}

static void relay_destroy(struct auth_provider *p)
{
	(void)p;
}

static const struct auth_provider_ops relay_ops = {
	.name = "relay", .verify = relay_verify, .cancel = relay_cancel, .destroy = relay_destroy,
};

/* The server at the other end: checks the NT-Response with the password it
 * knows and computes the S= (RFC 2759 8.1, 8.7), as NPS would. */
static void relay_server_answers(struct relay *r, const char *password)
{
	uint8_t nt_hash[16], expect[24];
	char s_resp[PPP_MSCHAPV2_AUTH_RESPONSE_LEN + 1];
	struct auth_reply rep = { .kind = AUTH_REPLY_REJECT, .failure = PPP_AUTH_FAIL_CREDENTIALS };
	void *ctx = r->ctx;

	assert_non_null(ctx);
	r->ctx = NULL;
	assert_int_equal(ppp_nt_password_hash(password, strlen(password), nt_hash), 0);
	ppp_mschapv2_nt_response(r->auth_challenge, r->peer_challenge, (const uint8_t *)r->user,
				 strlen(r->user), nt_hash, expect);
	if (memcmp(expect, r->nt_response, 24) == 0) {
		ppp_mschapv2_authenticator_response(nt_hash, r->nt_response, r->peer_challenge,
						    r->auth_challenge, (const uint8_t *)r->user,
						    strlen(r->user), s_resp);
		rep.kind = AUTH_REPLY_ACCEPT;
		rep.authenticator_response = s_resp;
	}
	r->base.reply(ctx, &rep);
}

/* The daemon's part, in miniature: ask with ppp-core's pending login,
 * apply the outcome, answer ppp-core (the post-auth policy grants). */
static void daemon_ask(struct auth_provider *p)
{
	struct ppp_auth_request req;
	char user[PPP_IDENTITY_MAX + 1];
	struct auth_query q;

	assert_int_equal(ppp_auth_pending(&srv.s, &req), 0);
	snprintf(user, sizeof(user), "%.*s", (int)req.identity_len, (const char *)req.identity);
	q = (struct auth_query){ .method = req.method, .user = user, .request = &req, .ctx = &srv };
	seen.apply = true;
	assert_int_equal(auth_provider_ask(p, &q), 0);
}

static void daemon_answer(uint64_t now)
{
	struct ppp_auth_answer a = { .profile = &srv.profile };

	assert_true(seen.outcome.pending);
	if (seen.outcome.authenticated) {
		a.kind = PPP_ANSWER_ACCEPT;
		a.authenticator_response = seen.outcome.authenticator_response;
	} else {
		a.kind = PPP_ANSWER_REJECT;
		a.failure = seen.outcome.failure;
		a.message = seen.outcome.message;
	}
	assert_int_equal(ppp_auth_answer(&srv.s, now, &a), 0);
	pump(&srv, &cli, now);
}

static enum ppp_auth_failure client_result(bool *ok)
{
	const struct rec_event *r = find_event(&cli, PPP_EVENT_AUTH_RESULT, 0);

	assert_non_null(r);
	*ok = r->ev.u.auth_result.success;
	return r->ev.u.auth_result.code;
}

static void test_relay_answers_later_and_its_authenticator_response_reaches_the_client(void **state)
{
	struct relay r = { .base = { .ops = &relay_ops, .reply = on_reply } };
	uint64_t now = 1000;
	bool ok;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	daemon_ask(&r.base);
	assert_int_equal(seen.calls, 0);	/* asked, nothing yet */
	assert_string_equal(r.user, "alice");
	now += 800;				/* the server's round trip */
	relay_server_answers(&r, "correct horse");
	assert_int_equal(seen.calls, 1);
	assert_true(seen.outcome.authenticated);
	assert_non_null(seen.outcome.authenticator_response);
	daemon_answer(now);
	assert_int_equal(client_result(&ok), PPP_AUTH_OK);
	assert_true(ok);	/* the client checked the relayed S= (RFC 2759 8.7) */
	assert_int_equal(cli.s.phase, PPP_PHASE_NETWORK);
}

static void test_relay_refusal_code_reaches_the_client_as_sent(void **state)
{
	static const enum ppp_auth_failure codes[] = {
		PPP_AUTH_FAIL_CREDENTIALS, PPP_AUTH_FAIL_NO_DIALIN, PPP_AUTH_FAIL_RESTRICTED_HOURS,
		PPP_AUTH_FAIL_ACCOUNT_DISABLED, PPP_AUTH_FAIL_PASSWORD_EXPIRED };

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct relay r = { .base = { .ops = &relay_ops, .reply = on_reply } };
		struct auth_reply rep = { .kind = AUTH_REPLY_REJECT, .failure = codes[i],
					  .message = "from the server" };
		uint64_t now = 1000;
		bool ok;

		setup(NULL);
		connect_pair(&srv, &cli, only_mschapv2, 1, &now);
		daemon_ask(&r.base);
		r.base.reply(r.ctx, &rep);
		assert_false(seen.outcome.authenticated);
		assert_int_equal(seen.outcome.failure, codes[i]);
		/* only a 691 is about the password (the login back-off) */
		assert_int_equal(seen.outcome.credentials, codes[i] == PPP_AUTH_FAIL_CREDENTIALS);
		assert_string_equal(seen.outcome.message, "from the server");
		daemon_answer(now);
		assert_int_equal(client_result(&ok), codes[i]);
		assert_false(ok);
	}
}

static void test_cancelled_login_is_never_answered(void **state)
{
	struct relay r = { .base = { .ops = &relay_ops, .reply = on_reply } };
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	daemon_ask(&r.base);
	auth_provider_cancel(&r.base, &srv);
	assert_int_equal(r.cancels, 1);
	assert_null(r.ctx);
	assert_int_equal(seen.calls, 0);
	auth_provider_cancel(&r.base, &srv);	/* twice is harmless */
	assert_int_equal(r.cancels, 1);
}

/* ---- what each reply means for the login ppp-core holds ---- */

static void test_secret_that_matches_authenticates_and_ppp_core_keeps_the_s(void **state)
{
	struct ppp_secret sec;
	uint8_t nt[16];
	struct auth_reply rep = { .kind = AUTH_REPLY_SECRET, .secret = &sec };
	uint64_t now = 1000;
	bool ok;

	assert_int_equal(ppp_nt_password_hash("correct horse", 13, nt), 0);
	sec = (struct ppp_secret){ .nt_hash = nt };
	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_true(seen.outcome.authenticated);
	assert_null(seen.outcome.authenticator_response);	/* ppp-core has it */
	daemon_answer(now);
	assert_int_equal(client_result(&ok), PPP_AUTH_OK);
	assert_true(ok);
}

static void test_secret_mismatch_and_no_user_are_both_691_about_credentials(void **state)
{
	struct ppp_secret sec = { .cleartext = "not it", .cleartext_len = 6 };
	struct auth_reply rep = { .kind = AUTH_REPLY_SECRET, .secret = &sec };
	uint64_t now = 1000;
	bool ok;

	connect_pair(&srv, &cli, only_chap, 1, &now);
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_false(seen.outcome.authenticated);
	assert_true(seen.outcome.credentials);
	assert_int_equal(seen.outcome.failure, PPP_AUTH_FAIL_CREDENTIALS);
	assert_string_equal(seen.outcome.why, "wrong password");
	rep = (struct auth_reply){ .kind = AUTH_REPLY_NO_USER };
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_true(seen.outcome.credentials);
	assert_int_equal(seen.outcome.failure, PPP_AUTH_FAIL_CREDENTIALS);
	assert_string_equal(seen.outcome.why, "no such user");
	daemon_answer(now);
	assert_int_equal(client_result(&ok), PPP_AUTH_FAIL_CREDENTIALS);
	assert_false(ok);
}

static void test_secret_the_method_cannot_use_is_refused_with_691(void **state)
{
	uint8_t nt[16] = { 1 };
	struct ppp_secret sec = { .nt_hash = nt };
	struct auth_reply rep = { .kind = AUTH_REPLY_SECRET, .secret = &sec };
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_chap, 1, &now);	/* CHAP-MD5 needs the cleartext */
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_false(seen.outcome.authenticated);
	assert_true(seen.outcome.credentials);
	assert_int_equal(seen.outcome.failure, PPP_AUTH_FAIL_CREDENTIALS);
	assert_non_null(strstr(seen.outcome.why, "no stored secret this method can use"));
}

static void test_accept_for_mschapv2_without_a_response_and_unavailable_are_refusals(void **state)
{
	struct auth_reply rep = { .kind = AUTH_REPLY_ACCEPT };
	uint64_t now = 1000;

	connect_pair(&srv, &cli, only_mschapv2, 1, &now);
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_false(seen.outcome.authenticated);
	assert_false(seen.outcome.credentials);
	rep.kind = AUTH_REPLY_UNAVAILABLE;
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_false(seen.outcome.authenticated);
	assert_false(seen.outcome.credentials);	/* not the user's fault: no back-off */
	assert_int_equal(seen.outcome.failure, PPP_AUTH_FAIL_CREDENTIALS);
}

static void test_accept_for_pap_needs_no_response(void **state)
{
	struct auth_reply rep = { .kind = AUTH_REPLY_ACCEPT };
	uint64_t now = 1000;
	bool ok;

	connect_pair(&srv, &cli, only_pap, 1, &now);
	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_true(seen.outcome.authenticated);
	daemon_answer(now);
	assert_int_equal(client_result(&ok), PPP_AUTH_OK);
	assert_true(ok);
}

static void test_reply_with_no_login_pending_changes_nothing(void **state)
{
	struct auth_reply rep = { .kind = AUTH_REPLY_ACCEPT };

	auth_reply_outcome(&srv.s, &rep, &seen.outcome);
	assert_false(seen.outcome.pending);
	assert_false(seen.outcome.authenticated);
}

static void test_the_provider_named_in_l2tpd_conf_is_built(void **state)
{
	policy_t *pol = load(users);
	struct auth_provider *p = auth_provider_new(AUTH_PROVIDER_LOCAL, NULL, &pol, on_reply);

	assert_non_null(p);
	assert_string_equal(auth_provider_name(p), "local");
	assert_true(local_pap_ok(p, "User", "clientPass"));
	auth_provider_destroy(p);
	policy_free(pol);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_local_hands_out_the_stored_secret_and_ppp_core_checks_it, setup),
		cmocka_unit_test_setup(test_local_unknown_user_is_no_user_and_names_are_case_insensitive, setup),
		cmocka_unit_test_setup(test_local_reads_the_policy_of_the_moment, setup),
		cmocka_unit_test_setup(test_relay_answers_later_and_its_authenticator_response_reaches_the_client, setup),
		cmocka_unit_test_setup(test_relay_refusal_code_reaches_the_client_as_sent, setup),
		cmocka_unit_test_setup(test_cancelled_login_is_never_answered, setup),
		cmocka_unit_test_setup(test_secret_that_matches_authenticates_and_ppp_core_keeps_the_s, setup),
		cmocka_unit_test_setup(test_secret_mismatch_and_no_user_are_both_691_about_credentials, setup),
		cmocka_unit_test_setup(test_secret_the_method_cannot_use_is_refused_with_691, setup),
		cmocka_unit_test_setup(test_accept_for_mschapv2_without_a_response_and_unavailable_are_refusals, setup),
		cmocka_unit_test_setup(test_accept_for_pap_needs_no_response, setup),
		cmocka_unit_test_setup(test_reply_with_no_login_pending_changes_nothing, setup),
		cmocka_unit_test_setup(test_the_provider_named_in_l2tpd_conf_is_built, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
