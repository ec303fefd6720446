/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a RADIUS request says about a session's place (radius_nas.h): the
 * Access-Request and the session's accounting records are built from the
 * same facts and say the same thing (RFC 2866 5.5: one Acct-Session-Id). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "radius_nas.h"

static struct l2tp_addr addr4(const char *s, uint16_t port)
{
	struct l2tp_addr a = { .family = AF_INET, .port = port };

	assert_int_equal(inet_pton(AF_INET, s, a.addr), 1);
	return a;
}

static struct l2tp_addr addr6(const char *s)
{
	struct l2tp_addr a = { .family = AF_INET6 };

	assert_int_equal(inet_pton(AF_INET6, s, a.addr), 1);
	return a;
}

/* The value of an attribute as a string ("" absent). */
static const char *attr_str(const struct radius_packet *p, uint8_t type, char *buf, size_t len)
{
	struct radius_attr a;

	buf[0] = '\0';
	if (radius_find(p, type, &a) && a.len < len) {
		memcpy(buf, a.value, a.len);
		buf[a.len] = '\0';
	}
	return buf;
}

static void build_both(const struct radius_nas_session *s, struct radius_packet *ar,
		       uint8_t *abuf, struct radius_packet *acct, uint8_t *cbuf)
{
	static const uint8_t auth[RADIUS_AUTH_LEN] = { 1, 2, 3 };
	const uint8_t pw[] = "secret";
	struct radius_credentials c = { .kind = RADIUS_AUTH_PAP, .password = pw,
					.password_len = 6 };
	struct radius_acct_record r = { .status = RADIUS_ACCT_START, .framed_ip = htonl(0x0a000002) };
	struct radius_writer w;
	size_t n;

	radius_begin(&w, abuf, RADIUS_MAX_LEN, RADIUS_ACCESS_REQUEST, 1, auth);
	assert_int_equal(radius_put_access_request(&w, s, &c, "s3cret"), 0);
	n = radius_finish(&w, "s3cret");
	assert_true(n > 0);
	assert_int_equal(radius_parse(abuf, n, ar), RADIUS_OK);
	radius_begin(&w, cbuf, RADIUS_MAX_LEN, RADIUS_ACCOUNTING_REQUEST, 2, NULL);
	assert_int_equal(radius_put_accounting(&w, s, &r), 0);
	n = radius_finish_hashed(&w, "s3cret");
	assert_true(n > 0);
	assert_int_equal(radius_parse(cbuf, n, acct), RADIUS_OK);
}

static void access_request_and_accounting_say_the_same_session(void **state)
{
	struct l2tp_addr peer = addr4("203.0.113.7", 1701), local = addr4("192.0.2.1", 1701);
	struct auth_session_facts f = { .peer = &peer, .local = &local, .natt_port = 4500,
					.nas_port = 0x12340005, .acct_session_id = "0A0B0C0D00000005" };
	struct radius_conf rc = { .has_nas_ipv4 = true };
	struct radius_nas_facts nf;
	struct radius_nas_session s;
	uint8_t abuf[RADIUS_MAX_LEN], cbuf[RADIUS_MAX_LEN];
	struct radius_packet ar, acct;
	uint8_t types[] = { RADIUS_USER_NAME, RADIUS_NAS_IDENTIFIER, RADIUS_CALLING_STATION_ID,
			    RADIUS_CALLED_STATION_ID, RADIUS_TUNNEL_CLIENT_ENDPOINT,
			    RADIUS_TUNNEL_SERVER_ENDPOINT, RADIUS_ACCT_SESSION_ID };
	char x[256], y[256];
	struct radius_attr a, b;

	(void)state;
	inet_pton(AF_INET, "192.0.2.1", &rc.nas_ipv4);
	radius_nas_facts_fill(&nf, &f);
	radius_nas_session_make(&s, &nf, &rc, "vpn1", "alice", NULL);
	build_both(&s, &ar, abuf, &acct, cbuf);
	for (size_t i = 0; i < sizeof(types); i++)
		assert_string_equal(attr_str(&ar, types[i], x, sizeof(x)),
				    attr_str(&acct, types[i], y, sizeof(y)));
	assert_string_equal(attr_str(&acct, RADIUS_CALLING_STATION_ID, x, sizeof(x)),
			    "203.0.113.7:4500");
	/* RFC 2868 3.3: the endpoint is an address, without the NAT-T port */
	assert_string_equal(attr_str(&acct, RADIUS_TUNNEL_CLIENT_ENDPOINT, x, sizeof(x)),
			    "203.0.113.7");
	assert_string_equal(attr_str(&acct, RADIUS_ACCT_SESSION_ID, x, sizeof(x)),
			    "0A0B0C0D00000005");
	assert_true(radius_find(&ar, RADIUS_NAS_PORT, &a));
	assert_true(radius_find(&acct, RADIUS_NAS_PORT, &b));
	assert_memory_equal(a.value, b.value, 4);
	assert_true(radius_find(&acct, RADIUS_NAS_IP_ADDRESS, &a));
	assert_memory_equal(a.value, &rc.nas_ipv4, 4);
}

static void an_ipv6_client_has_a_bracketed_station_and_a_bare_endpoint(void **state)
{
	struct l2tp_addr peer = addr6("2001:db8::7");
	struct auth_session_facts f = { .peer = &peer, .natt_port = 4500, .acct_session_id = "1" };
	struct radius_nas_facts nf;

	(void)state;
	radius_nas_facts_fill(&nf, &f);
	assert_string_equal(nf.calling, "[2001:db8::7]:4500");
	assert_string_equal(nf.client_endpoint, "2001:db8::7");
	assert_string_equal(nf.called, "");
}

static void no_facts_leave_every_optional_attribute_out(void **state)
{
	struct radius_conf rc = { 0 };
	struct radius_nas_facts nf;
	struct radius_nas_session s;

	(void)state;
	radius_nas_facts_fill(&nf, NULL);
	radius_nas_session_make(&s, &nf, &rc, "vpn1", NULL, NULL);
	assert_null(s.calling_station);
	assert_null(s.called_station);
	assert_null(s.tunnel_client_endpoint);
	assert_int_equal(s.nas_ipv4, 0);
	assert_null(s.nas_ipv6);
}

static void the_nas_identifier_defaults_to_the_host_name(void **state)
{
	struct l2tpd_config c;
	char id[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.host_name, sizeof(c.host_name), "gw");
	radius_nas_identifier(&c, id, sizeof(id));
	assert_string_equal(id, "gw");
	snprintf(c.radius.nas_identifier, sizeof(c.radius.nas_identifier), "vpn1");
	radius_nas_identifier(&c, id, sizeof(id));
	assert_string_equal(id, "vpn1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(access_request_and_accounting_say_the_same_session),
		cmocka_unit_test(an_ipv6_client_has_a_bracketed_station_and_a_bare_endpoint),
		cmocka_unit_test(no_facts_leave_every_optional_attribute_out),
		cmocka_unit_test(the_nas_identifier_defaults_to_the_host_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
