/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The DHCPv6 server of one client's link (RFC 8415 sections 16 and 18.3):
 * which messages are answered, and what the Advertise or Reply says about
 * the session's delegated prefix, message by message. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dhcp6_server.h"

static const uint8_t server_duid[] = { 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
				       14, 15, 16 };
static const uint8_t other_duid[] = { 0x00, 0x03, 0x00, 0x01, 2, 0, 0, 0, 0, 9 };
static const uint8_t client_duid[] = { 0x00, 0x03, 0x00, 0x01, 2, 0, 0, 0, 0, 2 };

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

static void params(struct dhcp6_server_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->duid = server_duid;
	sp->duid_len = sizeof(server_duid);
	sp->preferred = 7200;
	sp->valid = 7200;
	sp->n_dns = 1;
	a6("2001:db8::53", sp->dns[0]);
}

/* A binding holding 2001:db8:100:100::/56, not given yet. */
static void held(struct dhcp6_binding *b)
{
	memset(b, 0, sizeof(*b));
	b->has_prefix = true;
	a6("2001:db8:100:100::", b->prefix);
	b->prefix_len = 56;
}

/* A client's message: type, its DUID, one IA_PD per iaid (0: none). */
static struct dhcp6_out client_msg(uint8_t type, uint32_t iaid)
{
	struct dhcp6_out o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.xid = 0x424242;
	o.client_id = client_duid;
	o.client_id_len = sizeof(client_duid);
	o.has_elapsed_time = true;
	o.n_oro = 1;
	o.oro[0] = DHCP6_OPT_DNS_SERVERS;
	if (iaid) {
		o.n_ia_pd = 1;
		o.ia_pd[0].iaid = iaid;
	}
	if (type == DHCP6_REQUEST || type == DHCP6_RENEW || type == DHCP6_RELEASE) {
		o.server_id = server_duid;
		o.server_id_len = sizeof(server_duid);
	}
	return o;
}

/* Build o, parse it as the daemon would, answer; the answer parsed into *a. */
static enum dhcp6_verdict exchange(const struct dhcp6_out *o, struct dhcp6_binding *b,
				   unsigned *effects, struct dhcp6_msg *a)
{
	static uint8_t req[1024], out[1024];
	struct dhcp6_server_params sp;
	struct dhcp6_msg m;
	size_t n, out_len;
	enum dhcp6_verdict v;

	params(&sp);
	n = dhcp6_build(o, req, sizeof(req));
	assert_true(n > 0);
	assert_int_equal(dhcp6_parse(req, n, &m), DHCP6_OK);
	v = dhcp6_server_answer(&m, &sp, b, out, sizeof(out), &out_len, effects);
	memset(a, 0, sizeof(*a));
	if (v == DHCP6_V_ANSWER) {
		assert_true(out_len > 0);
		assert_int_equal(dhcp6_parse(out, out_len, a), DHCP6_OK);
		/* section 18.3: the client's transaction id and DUID echoed,
		 * ours included */
		assert_int_equal(a->xid, 0x424242);
		assert_int_equal(a->client_id_len, sizeof(client_duid));
		assert_memory_equal(a->client_id, client_duid, sizeof(client_duid));
		assert_int_equal(a->server_id_len, sizeof(server_duid));
		assert_memory_equal(a->server_id, server_duid, sizeof(server_duid));
	} else {
		assert_int_equal(out_len, 0);
	}
	return v;
}

static void assert_prefix(const struct dhcp6_ia *ia, const char *pfx, uint8_t len,
			  uint32_t lifetime)
{
	uint8_t want[16];

	a6(pfx, want);
	assert_true(ia->n_prefixes >= 1);
	assert_false(ia->has_status);
	assert_int_equal(ia->prefixes[0].len, len);
	assert_memory_equal(ia->prefixes[0].prefix, want, 16);
	assert_int_equal(ia->prefixes[0].preferred, lifetime);
	assert_int_equal(ia->prefixes[0].valid, lifetime);
}

static void solicit_is_advertised_the_sessions_prefix(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_SOLICIT, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_ADVERTISE);
	/* section 18.2.1: 255, the client takes it without waiting */
	assert_true(a.has_preference);
	assert_int_equal(a.preference, 255);
	assert_false(a.rapid_commit);
	assert_int_equal(a.n_ia_pd, 1);
	assert_int_equal(a.ia_pd[0].iaid, 11);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	/* section 21.21: 0.5 and 0.8 times the preferred lifetime */
	assert_int_equal(a.ia_pd[0].t1, 3600);
	assert_int_equal(a.ia_pd[0].t2, 5760);
	/* RFC 3646 */
	assert_int_equal(a.n_dns, 1);
	/* an Advertise commits nothing */
	assert_int_equal(e, DHCP6_E_NONE);
	assert_false(b.committed);
}

static void without_a_free_prefix_the_ia_gets_no_prefix_avail(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_SOLICIT, 11);
	struct dhcp6_binding b = { 0 };
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_ADVERTISE);
	assert_int_equal(a.n_ia_pd, 1);
	assert_int_equal(a.ia_pd[0].n_prefixes, 0);
	assert_true(a.ia_pd[0].has_status);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_PREFIX_AVAIL);
	/* a Request after it: the same, in a Reply, nothing committed */
	o = client_msg(DHCP6_REQUEST, 11);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_PREFIX_AVAIL);
	assert_int_equal(e, DHCP6_E_NONE);
}

static void rapid_commit_solicit_is_replied_and_commits(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_SOLICIT, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	o.rapid_commit = true;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	/* section 18.3.1 */
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_true(a.rapid_commit);
	assert_false(a.has_preference);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(e, DHCP6_E_COMMIT);
	assert_true(b.committed);
	assert_int_equal(b.iaid, 11);
}

static void request_commits_the_prefix_to_its_ia(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(e, DHCP6_E_COMMIT);
	assert_true(b.committed);
	assert_int_equal(b.iaid, 11);
}

static void one_prefix_per_session_others_get_no_prefix_avail(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	o.n_ia_pd = 2;
	o.ia_pd[1].iaid = 12;
	o.n_ia_na = 1;
	o.ia_na[0].iaid = 13;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.n_ia_pd, 2);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(a.ia_pd[1].iaid, 12);
	assert_int_equal(a.ia_pd[1].status, DHCP6_NO_PREFIX_AVAIL);
	/* section 18.3.9: we assign no addresses */
	assert_int_equal(a.n_ia_na, 1);
	assert_int_equal(a.ia_na[0].iaid, 13);
	assert_int_equal(a.ia_na[0].status, DHCP6_NO_ADDRS_AVAIL);
	/* a later Request that lists the bound IA second still gets it there */
	o.ia_pd[0].iaid = 12;
	o.ia_pd[1].iaid = 11;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_PREFIX_AVAIL);
	assert_prefix(&a.ia_pd[1], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(b.iaid, 11);
}

static void a_restarted_client_gets_the_same_prefix(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	/* new IAID (and it would be a new DUID): the session's prefix moves */
	o = client_msg(DHCP6_REQUEST, 99);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(b.iaid, 99);
	assert_int_equal(e, DHCP6_E_COMMIT);
}

static void renew_extends_the_bound_ia(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	o = client_msg(DHCP6_RENEW, 11);
	/* the client names its prefix, and one it holds from elsewhere */
	o.ia_pd[0].n_prefixes = 2;
	o.ia_pd[0].prefixes[0] = a.ia_pd[0].prefixes[0];
	o.ia_pd[0].prefixes[1].len = 48;
	a6("2001:db8:dead::", o.ia_pd[0].prefixes[1].prefix);
	o.ia_pd[0].prefixes[1].preferred = o.ia_pd[0].prefixes[1].valid = 100;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	/* section 18.3.4: the prefix that is not its own, lifetimes 0 */
	assert_int_equal(a.ia_pd[0].n_prefixes, 2);
	assert_int_equal(a.ia_pd[0].prefixes[1].len, 48);
	assert_int_equal(a.ia_pd[0].prefixes[1].valid, 0);
	assert_int_equal(a.ia_pd[0].prefixes[1].preferred, 0);
	assert_int_equal(e, DHCP6_E_COMMIT);
}

static void renew_of_an_unknown_ia_gets_no_binding(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_RENEW, 5);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	o.n_ia_na = 1;
	o.ia_na[0].iaid = 6;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.n_ia_pd, 1);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_BINDING);
	assert_int_equal(a.ia_pd[0].n_prefixes, 0);
	assert_int_equal(a.ia_na[0].status, DHCP6_NO_BINDING);
	assert_int_equal(e, DHCP6_E_NONE);
	assert_false(b.committed);
}

static void rebind_extends_the_bound_ia(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	o = client_msg(DHCP6_REBIND, 11);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(e, DHCP6_E_COMMIT);
}

static void rebind_of_unknown_prefixes_zeroes_them_or_is_not_answered(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REBIND, 5);
	struct dhcp6_binding b = { 0 };
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	/* section 18.3.5: nothing to say about an IA without prefixes */
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_NOTHING);
	/* prefixes not appropriate for the link: lifetimes 0 */
	o.ia_pd[0].n_prefixes = 1;
	o.ia_pd[0].prefixes[0].len = 56;
	a6("2001:db8:beef::", o.ia_pd[0].prefixes[0].prefix);
	o.ia_pd[0].prefixes[0].preferred = o.ia_pd[0].prefixes[0].valid = 500;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.ia_pd[0].n_prefixes, 1);
	assert_int_equal(a.ia_pd[0].prefixes[0].valid, 0);
	assert_int_equal(e, DHCP6_E_NONE);
	/* the session's own prefix, named in a Rebind, is taken as bound */
	held(&b);
	o.ia_pd[0].prefixes[0].len = 56;
	memcpy(o.ia_pd[0].prefixes[0].prefix, b.prefix, 16);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_prefix(&a.ia_pd[0], "2001:db8:100:100::", 56, 7200);
	assert_int_equal(e, DHCP6_E_COMMIT);
}

static void release_returns_the_prefix(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_REQUEST, 11);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	o = client_msg(DHCP6_RELEASE, 11);
	o.n_ia_pd = 2;
	o.ia_pd[1].iaid = 12;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	/* section 18.3.7: Success, NoBinding for what we do not hold, no
	 * other options */
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_true(a.has_status);
	assert_int_equal(a.status, DHCP6_SUCCESS);
	assert_int_equal(a.n_ia_pd, 1);
	assert_int_equal(a.ia_pd[0].iaid, 12);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_BINDING);
	assert_int_equal(a.n_dns, 0);
	assert_int_equal(e, DHCP6_E_RELEASE);
	assert_false(b.has_prefix);
	assert_false(b.committed);
	/* a second Release of it: nothing more to return */
	o.n_ia_pd = 1;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_BINDING);
	assert_int_equal(e, DHCP6_E_NONE);
}

static void information_request_gets_the_dns_servers(void **state)
{
	struct dhcp6_out o = client_msg(DHCP6_INFORMATION_REQUEST, 0);
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;
	uint8_t want[16];

	(void)state;
	held(&b);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_int_equal(a.n_ia_pd, 0);
	assert_int_equal(a.n_dns, 1);
	a6("2001:db8::53", want);
	assert_memory_equal(a.dns[0], want, 16);
	assert_int_equal(e, DHCP6_E_NONE);
	/* with our Server Identifier too (section 16.12 allows it) */
	o.server_id = server_duid;
	o.server_id_len = sizeof(server_duid);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_ANSWER);
}

static void identifiers_are_checked_as_section_16_says(void **state)
{
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	struct dhcp6_out o;
	unsigned e;

	(void)state;
	held(&b);
	o = client_msg(DHCP6_SOLICIT, 11);
	o.client_id = NULL;
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_NO_CLIENT_ID);
	o = client_msg(DHCP6_SOLICIT, 11);
	o.server_id = server_duid;
	o.server_id_len = sizeof(server_duid);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_SERVER_ID);
	o = client_msg(DHCP6_REBIND, 11);
	o.server_id = server_duid;
	o.server_id_len = sizeof(server_duid);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_SERVER_ID);
	/* Request, Renew, Release: ours, and only ours */
	for (uint8_t t = DHCP6_REQUEST; t <= DHCP6_RELEASE; t++) {
		if (t != DHCP6_REQUEST && t != DHCP6_RENEW && t != DHCP6_RELEASE)
			continue;
		o = client_msg(t, 11);
		o.server_id = NULL;
		assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_SERVER_ID);
		o.server_id = other_duid;
		o.server_id_len = sizeof(other_duid);
		assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_SERVER_ID);
		o = client_msg(t, 11);
		o.client_id = NULL;
		assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_NO_CLIENT_ID);
	}
	o = client_msg(DHCP6_INFORMATION_REQUEST, 0);
	o.server_id = other_duid;
	o.server_id_len = sizeof(other_duid);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_SERVER_ID);
	/* section 16.12: no IA in an Information-request */
	o = client_msg(DHCP6_INFORMATION_REQUEST, 3);
	assert_int_equal(exchange(&o, &b, &e, &a), DHCP6_V_IA_IN_INFO);
	assert_false(b.committed);
	assert_true(b.has_prefix);
}

static void address_and_server_messages_are_not_answered(void **state)
{
	static const uint8_t types[] = { DHCP6_CONFIRM, DHCP6_DECLINE, DHCP6_ADVERTISE,
					 DHCP6_REPLY, DHCP6_RECONFIGURE };
	static const enum dhcp6_verdict want[] = { DHCP6_V_NOT_SERVED, DHCP6_V_NOT_SERVED,
						   DHCP6_V_NOT_FOR_SERVER,
						   DHCP6_V_NOT_FOR_SERVER,
						   DHCP6_V_NOT_FOR_SERVER };
	struct dhcp6_binding b;
	struct dhcp6_msg a;
	unsigned e;

	(void)state;
	held(&b);
	for (size_t i = 0; i < sizeof(types); i++) {
		struct dhcp6_out o = client_msg(types[i], 11);

		o.server_id = server_duid;
		o.server_id_len = sizeof(server_duid);
		assert_int_equal(exchange(&o, &b, &e, &a), want[i]);
		assert_int_equal(e, DHCP6_E_NONE);
	}
	assert_string_equal(dhcp6_verdict_name(DHCP6_V_NOT_SERVED), "not-served");
}

static void which_messages_want_a_prefix(void **state)
{
	struct dhcp6_msg m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.n_ia_pd = 1;
	for (uint8_t t = DHCP6_SOLICIT; t <= DHCP6_INFORMATION_REQUEST; t++) {
		m.type = t;
		assert_int_equal(dhcp6_server_wants_prefix(&m),
				 t == DHCP6_SOLICIT || t == DHCP6_REQUEST);
	}
	m.type = DHCP6_SOLICIT;
	m.n_ia_pd = 0;
	assert_false(dhcp6_server_wants_prefix(&m));
}

static void renewal_times(void **state)
{
	uint32_t t1, t2;

	(void)state;
	dhcp6_server_times(86400, &t1, &t2);
	assert_int_equal(t1, 43200);
	assert_int_equal(t2, 69120);
	dhcp6_server_times(0xffffffffu, &t1, &t2);
	assert_int_equal(t1, 0xffffffffu);
	assert_int_equal(t2, 0xffffffffu);
	dhcp6_server_times(0xfffffffeu, &t1, &t2);
	assert_true(t1 < t2 && t2 < 0xfffffffeu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(solicit_is_advertised_the_sessions_prefix),
		cmocka_unit_test(without_a_free_prefix_the_ia_gets_no_prefix_avail),
		cmocka_unit_test(rapid_commit_solicit_is_replied_and_commits),
		cmocka_unit_test(request_commits_the_prefix_to_its_ia),
		cmocka_unit_test(one_prefix_per_session_others_get_no_prefix_avail),
		cmocka_unit_test(a_restarted_client_gets_the_same_prefix),
		cmocka_unit_test(renew_extends_the_bound_ia),
		cmocka_unit_test(renew_of_an_unknown_ia_gets_no_binding),
		cmocka_unit_test(rebind_extends_the_bound_ia),
		cmocka_unit_test(rebind_of_unknown_prefixes_zeroes_them_or_is_not_answered),
		cmocka_unit_test(release_returns_the_prefix),
		cmocka_unit_test(information_request_gets_the_dns_servers),
		cmocka_unit_test(identifiers_are_checked_as_section_16_says),
		cmocka_unit_test(address_and_server_messages_are_not_answered),
		cmocka_unit_test(which_messages_want_a_prefix),
		cmocka_unit_test(renewal_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
