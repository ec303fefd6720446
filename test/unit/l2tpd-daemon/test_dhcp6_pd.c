/* SPDX-License-Identifier: GPL-2.0-or-later */
/* DHCPv6 on a client's link (dhcp6_pd.h): which packets are the server's,
 * the decision for each message with its counted reason (the prefix leased
 * only when a message wants one and the session holds none), and the
 * per-session rate limit with injected time. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "dhcp6_pd.h"

static const uint8_t server_duid[] = { 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
				       15, 16 };
static const uint8_t client_duid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 2 };

static void a6(const char *s, uint8_t out[16])
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

struct leases {
	unsigned calls;
	int free;		/* prefixes left */
};

static int lease(void *ctx, struct policy_prefix *out)
{
	struct leases *l = ctx;

	l->calls++;
	if (l->free <= 0)
		return -1;
	l->free--;
	out->ip.family = AF_INET6;
	a6("2001:db8:100:300::", out->ip.bytes);
	out->len = 56;
	return 0;
}

static void params(struct dhcp6_server_params *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->duid = server_duid;
	sp->duid_len = sizeof(server_duid);
	sp->preferred = sp->valid = 3600;
}

static size_t message(uint8_t *buf, uint8_t type, bool ia_pd)
{
	struct dhcp6_out o;

	memset(&o, 0, sizeof(o));
	o.type = type;
	o.xid = 99;
	o.client_id = client_duid;
	o.client_id_len = sizeof(client_duid);
	if (type == DHCP6_REQUEST || type == DHCP6_RELEASE || type == DHCP6_RENEW) {
		o.server_id = server_duid;
		o.server_id_len = sizeof(server_duid);
	}
	if (ia_pd) {
		o.n_ia_pd = 1;
		o.ia_pd[0].iaid = 1;
	}
	return dhcp6_build(&o, buf, 512);
}

static enum dhcp6_pd_count decide(struct dhcp6_binding *b, struct leases *l, const char *src,
				  const uint8_t *msg, size_t len, struct dhcp6_msg *answer,
				  unsigned *effects)
{
	struct dhcp6_server_params sp;
	uint8_t s[16], out[1024];
	size_t n;
	enum dhcp6_pd_count c;

	params(&sp);
	a6(src, s);
	c = dhcp6_pd_decide(&sp, b, lease, l, s, msg, len, out, sizeof(out), &n, effects);
	memset(answer, 0, sizeof(*answer));
	if (n)
		assert_int_equal(dhcp6_parse(out, n, answer), DHCP6_OK);
	else
		assert_true(c != D6_ANSWERED && c != D6_NO_PREFIX);
	return c;
}

static void the_server_is_ff02_1_2_or_our_link_local(void **state)
{
	uint8_t pkt[48] = { 0x60 }, ll[16];

	(void)state;
	a6("fe80::1", ll);
	a6("ff02::1:2", pkt + 24);
	assert_true(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
	memcpy(pkt + 24, ll, 16);
	assert_true(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
	/* a DHCPv6 server on the LAN, all-nodes, another link-local */
	a6("2001:db8::547", pkt + 24);
	assert_false(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
	a6("ff02::1", pkt + 24);
	assert_false(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
	a6("fe80::2", pkt + 24);
	assert_false(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
	a6("ff02::1:2", pkt + 24);
	assert_false(dhcp6_pd_addressed_to_us(pkt, 39, ll));
	pkt[0] = 0x40;
	assert_false(dhcp6_pd_addressed_to_us(pkt, sizeof(pkt), ll));
}

static void solicit_leases_a_prefix_and_request_gets_the_same(void **state)
{
	struct dhcp6_binding b = { 0 };
	struct leases l = { .free = 5 };
	struct dhcp6_msg a;
	uint8_t m[512];
	unsigned e;
	size_t n;

	(void)state;
	/* an Information-request wants no prefix: nothing leased */
	n = message(m, DHCP6_INFORMATION_REQUEST, false);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(l.calls, 0);
	n = message(m, DHCP6_SOLICIT, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(a.type, DHCP6_ADVERTISE);
	assert_int_equal(a.ia_pd[0].prefixes[0].len, 56);
	assert_int_equal(l.calls, 1);
	assert_true(b.has_prefix);
	assert_false(b.committed);
	assert_int_equal(e, DHCP6_E_NONE);
	n = message(m, DHCP6_REQUEST, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(a.type, DHCP6_REPLY);
	assert_int_equal(l.calls, 1);		/* held: not leased again */
	assert_int_equal(e, DHCP6_E_COMMIT);
	assert_true(b.committed);
	/* released: a Renew of it leases nothing (NoBinding), the next
	 * Solicit leases again */
	n = message(m, DHCP6_RELEASE, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(e, DHCP6_E_RELEASE);
	assert_false(b.has_prefix);
	n = message(m, DHCP6_RENEW, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_BINDING);
	assert_int_equal(l.calls, 1);
	n = message(m, DHCP6_SOLICIT, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_ANSWERED);
	assert_int_equal(l.calls, 2);
}

static void empty_pools_answer_no_prefix_avail(void **state)
{
	struct dhcp6_binding b = { 0 };
	struct leases l = { .free = 0 };
	struct dhcp6_msg a;
	uint8_t m[512];
	unsigned e;
	size_t n = message(m, DHCP6_SOLICIT, true);

	(void)state;
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_NO_PREFIX);
	assert_int_equal(a.type, DHCP6_ADVERTISE);
	assert_int_equal(a.ia_pd[0].status, DHCP6_NO_PREFIX_AVAIL);
	assert_false(b.has_prefix);
	/* without a lease function (no pools) the same */
	{
		struct dhcp6_server_params sp;
		uint8_t s[16], out[512];
		size_t on;

		params(&sp);
		a6("fe80::2", s);
		assert_int_equal(dhcp6_pd_decide(&sp, &b, NULL, NULL, s, m, n, out, sizeof(out),
						 &on, &e), D6_NO_PREFIX);
		assert_true(on > 0);
	}
}

static void what_is_dropped_and_why(void **state)
{
	struct dhcp6_binding b = { 0 };
	struct leases l = { .free = 5 };
	struct dhcp6_msg a;
	uint8_t m[512];
	unsigned e;
	size_t n = message(m, DHCP6_SOLICIT, true);

	(void)state;
	/* RFC 8415 section 13.1: from a link-local address only */
	assert_int_equal(decide(&b, &l, "2001:db8::2", m, n, &a, &e), D6_WRONG_SOURCE);
	assert_int_equal(decide(&b, &l, "::", m, n, &a, &e), D6_WRONG_SOURCE);
	assert_int_equal(decide(&b, &l, "fe80::2", m, 3, &a, &e), D6_MALFORMED);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n - 1, &a, &e), D6_MALFORMED);
	/* a Request without our Server Identifier (section 16.4) */
	n = message(m, DHCP6_REQUEST, true);
	m[4 + 4 + sizeof(client_duid) + 4 + 2] ^= 0xff;	/* an octet of our DUID */
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_REFUSED);
	/* Confirm concerns addresses (section 18.3.3); a Reply is a server's */
	n = message(m, DHCP6_CONFIRM, true);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_REFUSED);
	n = message(m, DHCP6_REPLY, false);
	assert_int_equal(decide(&b, &l, "fe80::2", m, n, &a, &e), D6_REFUSED);
	/* nothing was leased for any of them */
	assert_int_equal(l.calls, 0);
	assert_string_equal(dhcp6_pd_count_name(D6_WRONG_SOURCE), "wrong-source");
}

static void rate_limit_allows_a_burst_then_one_a_second(void **state)
{
	uint64_t tat = 0, now = 5000;

	(void)state;
	for (int i = 0; i < DHCP6_PD_BURST; i++)
		assert_true(dhcp6_pd_allow(&tat, now));
	assert_false(dhcp6_pd_allow(&tat, now));
	assert_false(dhcp6_pd_allow(&tat, now + DHCP6_PD_INTERVAL_MS - 1));
	assert_true(dhcp6_pd_allow(&tat, now + DHCP6_PD_INTERVAL_MS));
	assert_false(dhcp6_pd_allow(&tat, now + DHCP6_PD_INTERVAL_MS));
	/* after a quiet while, the whole burst again */
	now += 60000;
	for (int i = 0; i < DHCP6_PD_BURST; i++)
		assert_true(dhcp6_pd_allow(&tat, now));
	assert_false(dhcp6_pd_allow(&tat, now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_server_is_ff02_1_2_or_our_link_local),
		cmocka_unit_test(solicit_leases_a_prefix_and_request_gets_the_same),
		cmocka_unit_test(empty_pools_answer_no_prefix_avail),
		cmocka_unit_test(what_is_dropped_and_why),
		cmocka_unit_test(rate_limit_allows_a_burst_then_one_a_second),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
