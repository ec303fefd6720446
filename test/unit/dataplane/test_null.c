/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The null data plane (l2tpd/dataplane/null): it accepts what a real backend
 * accepts, refuses what it refuses, records what it was asked and delivers
 * injected frames through the same callback, so that the daemon can later
 * be driven against it in memory.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dp_null.h"

struct rx_log {
	unsigned calls;
	struct dp_session *s;
	void *cookie;
	uint8_t frame[64];
	size_t len;
};

static void on_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *f, size_t len)
{
	struct rx_log *r = ctx;

	r->calls++;
	r->s = s;
	r->cookie = cookie;
	r->len = len < sizeof(r->frame) ? len : sizeof(r->frame);
	memcpy(r->frame, f, r->len);
}

struct fixture {
	struct rx_log rx;
	struct dataplane *dp;
	struct dp_tunnel *t;
};

static const struct dp_tunnel_params tunnel_params = {
	.udp_fd = 3, .local_tunnel_id = 10, .peer_tunnel_id = 20, .fwmark = 7,
};

static struct dataplane *make(struct fixture *x, const struct dp_null_config *cfg)
{
	struct dp_callbacks cb = { .ctx = &x->rx, .ppp_control_rx = on_ppp };

	memset(x, 0, sizeof(*x));
	assert_int_equal(dp_null_create(&cb, cfg, &x->dp), 0);
	assert_int_equal(dataplane_null.tunnel_create(x->dp, &tunnel_params, &x->t), 0);
	return x->dp;
}

static struct dp_session *session(struct fixture *x, uint16_t id, const char *hint, int defer)
{
	struct dp_session_params p = {
		.local_session_id = id, .peer_session_id = (uint16_t)(id + 100), .mtu = 1400,
		.mru = 1400, .ifname_hint = hint, .defer_netdev = defer,
	};
	struct dp_session *s = NULL;

	assert_int_equal(dataplane_null.session_create(x->dp, x->t, &p, &x->rx, &s), 0);
	assert_non_null(s);
	return s;
}

static void create_needs_the_ppp_callback(void **state)
{
	struct dp_callbacks cb = { 0 };
	struct dataplane *dp = (void *)1;

	assert_int_equal(dataplane_null.create(&cb, NULL, &dp), -EINVAL);
	assert_null(dp);
}

static void caps_are_what_the_test_configured(void **state)
{
	struct dp_null_config cfg = { .caps = DP_CAP_SESSION_NETDEV | DP_CAP_TUNNEL_SOCKET,
				      .fds_per_tunnel = 1, .fds_per_session = 3,
				      .fds_session_early = 1 };
	struct fixture x;
	struct dp_caps c;

	dataplane_null.caps(make(&x, &cfg), &c);
	assert_int_equal(c.flags, DP_CAP_SESSION_NETDEV | DP_CAP_TUNNEL_SOCKET);
	assert_int_equal(c.fds_per_tunnel, 1);
	assert_int_equal(c.fds_per_session, 3);
	assert_int_equal(c.fds_session_early, 1);
	assert_null(c.no_netdev_why);
	dataplane_null.destroy(x.dp);

	/* without a device per session it says why, for the daemon's log */
	dataplane_null.caps(make(&x, NULL), &c);
	assert_int_equal(c.flags, 0);
	assert_non_null(c.no_netdev_why);
	dataplane_null.destroy(x.dp);
}

static void tunnel_is_recorded_and_an_id_is_taken_once(void **state)
{
	struct fixture x;
	struct dp_tunnel *t2 = NULL;
	struct dp_tunnel_params p = tunnel_params;

	make(&x, NULL);
	assert_ptr_equal(dp_null_tunnels(x.dp), x.t);
	assert_int_equal(x.t->params.local_tunnel_id, 10);
	assert_int_equal(x.t->params.peer_tunnel_id, 20);
	assert_int_equal(x.t->params.fwmark, 7);
	assert_int_equal(dataplane_null.tunnel_create(x.dp, &p, &t2), -EEXIST);
	/* RFC 2661 3.1: id 0 addresses no tunnel */
	p.local_tunnel_id = 0;
	assert_int_equal(dataplane_null.tunnel_create(x.dp, &p, &t2), -EINVAL);
	assert_null(t2);
	assert_int_equal(dataplane_null.tunnel_fd(x.dp, x.t), -1);
	dataplane_null.destroy(x.dp);
}

static void refused_tunnel_says_why(void **state)
{
	struct dp_null_config cfg = { .refuse_tunnel = -EADDRINUSE,
				      .refuse_tunnel_why = "peer already has a tunnel" };
	struct dp_callbacks cb = { .ppp_control_rx = on_ppp };
	struct dp_tunnel_params p = tunnel_params;
	struct dataplane *dp;
	struct dp_tunnel *t = (void *)1;
	char why[64] = "";

	assert_int_equal(dp_null_create(&cb, &cfg, &dp), 0);
	p.why = why;
	p.why_len = sizeof(why);
	assert_int_equal(dataplane_null.tunnel_create(dp, &p, &t), -EADDRINUSE);
	assert_null(t);
	assert_string_equal(why, "peer already has a tunnel");
	assert_null(dp_null_tunnels(dp));
	dataplane_null.destroy(dp);
}

static void session_records_its_params_and_takes_the_daemons_name(void **state)
{
	struct fixture x;
	struct dp_session *s, *u;

	make(&x, NULL);
	s = session(&x, 5, "l2tp10-5", 0);
	assert_int_equal(s->params.local_session_id, 5);
	assert_int_equal(s->params.peer_session_id, 105);
	assert_int_equal(s->params.mtu, 1400);
	assert_string_equal(dataplane_null.session_ifname(x.dp, s), "l2tp10-5");
	u = session(&x, 6, NULL, 0);
	assert_string_equal(dataplane_null.session_ifname(x.dp, u), "null1");
	assert_ptr_equal(dp_null_session_find(x.dp, 10, 5), s);
	assert_int_equal(dp_null_live_sessions(x.dp), 2);
	assert_int_equal(x.t->n_sessions, 2);
	dataplane_null.destroy(x.dp);
}

static void session_id_zero_and_a_taken_id_are_refused(void **state)
{
	struct fixture x;
	struct dp_session_params p = { .local_session_id = 0, .peer_session_id = 1 };
	struct dp_session *s = NULL;

	make(&x, NULL);
	assert_int_equal(dataplane_null.session_create(x.dp, x.t, &p, NULL, &s), -EINVAL);
	session(&x, 5, NULL, 0);
	p.local_session_id = 5;
	assert_int_equal(dataplane_null.session_create(x.dp, x.t, &p, NULL, &s), -EEXIST);
	assert_null(s);
	dataplane_null.destroy(x.dp);
}

static void refused_session_and_netdev_and_addresses_return_the_configured_error(void **state)
{
	struct dp_null_config cfg = { .refuse_session = -EMFILE };
	struct dp_session_params p = { .local_session_id = 1, .peer_session_id = 1 };
	struct dp_ip_params ip = { 0 };
	struct dp_session *s = NULL;
	struct fixture x;

	make(&x, &cfg);
	assert_int_equal(dataplane_null.session_create(x.dp, x.t, &p, NULL, &s), -EMFILE);
	dataplane_null.destroy(x.dp);

	cfg = (struct dp_null_config){ .defer_netdev = 1, .refuse_netdev = -ENOSPC,
				       .refuse_set_ip = -EADDRNOTAVAIL };
	make(&x, &cfg);
	s = session(&x, 1, NULL, 1);
	assert_int_equal(dataplane_null.session_netdev(x.dp, s), -ENOSPC);
	assert_false(s->netdev);
	assert_int_equal(dataplane_null.session_set_ip(x.dp, s, &ip), -EADDRNOTAVAIL);
	assert_false(s->ip_set);
	dataplane_null.destroy(x.dp);
}

static void deferred_netdev_exists_only_after_session_netdev(void **state)
{
	struct dp_null_config cfg = { .defer_netdev = 1 };
	struct fixture x;
	struct dp_session *s, *now;

	make(&x, &cfg);
	s = session(&x, 1, "dev1", 1);
	assert_false(s->netdev);
	assert_null(dataplane_null.session_ifname(x.dp, s));
	assert_int_equal(dataplane_null.session_netdev(x.dp, s), 0);
	assert_true(s->netdev);
	assert_string_equal(dataplane_null.session_ifname(x.dp, s), "dev1");
	/* a session that did not ask to defer has its device at once */
	now = session(&x, 2, NULL, 0);
	assert_true(now->netdev);
	dataplane_null.destroy(x.dp);
}

static void injected_frame_reaches_the_callback_with_the_cookie(void **state)
{
	static const uint8_t lcp[] = { 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };
	struct fixture x;
	struct dp_session *s;
	struct dp_stats st;

	make(&x, NULL);
	s = session(&x, 1, NULL, 0);
	assert_int_equal(dp_null_inject_ppp(x.dp, s, lcp, sizeof(lcp)), 0);
	assert_int_equal(x.rx.calls, 1);
	assert_ptr_equal(x.rx.s, s);
	assert_ptr_equal(x.rx.cookie, &x.rx);
	assert_int_equal(x.rx.len, sizeof(lcp));
	assert_memory_equal(x.rx.frame, lcp, sizeof(lcp));
	/* session_stats counts IP data; an LCP frame is control */
	assert_int_equal(dataplane_null.session_stats(x.dp, s, &st), 0);
	assert_int_equal(st.rx_packets, 0);
	assert_int_equal(st.rx_bytes, 0);
	/* nothing is delivered for a session that is gone */
	dataplane_null.session_delete(x.dp, s);
	assert_int_equal(dp_null_inject_ppp(x.dp, s, lcp, sizeof(lcp)), -ENOENT);
	assert_int_equal(x.rx.calls, 1);
	dataplane_null.destroy(x.dp);
}

static void sent_frames_are_kept_newest_first(void **state)
{
	struct fixture x;
	struct dp_session *s;
	uint8_t f[3] = { 0x80, 0x21, 0 };

	make(&x, NULL);
	s = session(&x, 1, NULL, 0);
	assert_null(dp_null_sent(s, 0));
	for (unsigned i = 0; i < DP_NULL_SENT_MAX + 3; i++) {
		f[2] = (uint8_t)i;
		assert_int_equal(dataplane_null.session_send_ppp(x.dp, s, f, sizeof(f)), 0);
	}
	assert_int_equal(s->sent_count, DP_NULL_SENT_MAX + 3);
	assert_int_equal(dp_null_sent(s, 0)->data[2], DP_NULL_SENT_MAX + 2);
	assert_int_equal(dp_null_sent(s, 1)->data[2], DP_NULL_SENT_MAX + 1);
	assert_int_equal(dp_null_sent(s, DP_NULL_SENT_MAX - 1)->data[2], 3);
	assert_null(dp_null_sent(s, DP_NULL_SENT_MAX));
	dataplane_null.destroy(x.dp);
}

static void addresses_and_sequencing_are_recorded(void **state)
{
	struct fixture x;
	struct dp_session *s;
	struct dp_ip_params ip = { .proxy_arp = 1 };

	make(&x, NULL);
	s = session(&x, 1, NULL, 0);
	assert_int_equal(s->seq, -1);
	assert_int_equal(dataplane_null.session_set_seq(x.dp, s, 1), 0);
	assert_int_equal(s->seq, 1);
	inet_pton(AF_INET, "192.0.2.1", &ip.local);
	inet_pton(AF_INET, "192.0.2.100", &ip.peer);
	assert_int_equal(dataplane_null.session_set_ip(x.dp, s, &ip), 0);
	assert_int_equal(dataplane_null.session_set_ip(x.dp, s, &ip), 0);
	assert_true(s->ip_set);
	assert_int_equal(s->set_ip_calls, 2);
	assert_memory_equal(&s->ip.peer, &ip.peer, sizeof(ip.peer));
	assert_int_equal(s->ip.proxy_arp, 1);
	dataplane_null.destroy(x.dp);
}

static void data_rx_keeps_the_metadata(void **state)
{
	struct fixture x;
	struct sockaddr_storage from = { 0 };
	struct sockaddr_in *in = (struct sockaddr_in *)&from;
	static const uint8_t msg[] = { 0x02, 0x00, 0x00, 0x0a, 0x00, 0x01 };
	struct dp_rx_meta meta = { .from = &from, .has_mark = 1, .mark = 0x42 };

	make(&x, NULL);
	in->sin_family = AF_INET;
	in->sin_port = htons(1701);
	inet_pton(AF_INET, "198.51.100.7", &in->sin_addr);
	dataplane_null.data_rx(x.dp, msg, sizeof(msg), &meta);
	assert_int_equal(dp_null_rx(x.dp)->count, 1);
	assert_int_equal(dp_null_rx(x.dp)->last_len, sizeof(msg));
	assert_true(dp_null_rx(x.dp)->last_has_mark);
	assert_int_equal(dp_null_rx(x.dp)->last_mark, 0x42);
	assert_memory_equal(&dp_null_rx(x.dp)->last_from, &from, sizeof(from));
	meta.has_mark = 0;
	dataplane_null.data_rx(x.dp, msg, sizeof(msg), &meta);
	assert_false(dp_null_rx(x.dp)->last_has_mark);
	dataplane_null.destroy(x.dp);
}

static void tunnel_delete_takes_its_sessions_along(void **state)
{
	struct fixture x;
	struct dp_session *a, *b;

	make(&x, NULL);
	a = session(&x, 1, NULL, 0);
	b = session(&x, 2, NULL, 0);
	dataplane_null.session_delete(x.dp, a);
	assert_true(a->deleted);
	assert_int_equal(dp_null_live_sessions(x.dp), 1);
	dataplane_null.tunnel_delete(x.dp, x.t);
	assert_true(b->deleted);
	assert_true(x.t->deleted);
	assert_int_equal(dp_null_live_sessions(x.dp), 0);
	assert_null(dp_null_session_find(x.dp, 10, 2));
	/* a deleted tunnel takes no sessions; its id may be used again */
	struct dp_session_params p = { .local_session_id = 3, .peer_session_id = 3 };
	struct dp_session *s = NULL;
	struct dp_tunnel *t2 = NULL;
	assert_int_equal(dataplane_null.session_create(x.dp, x.t, &p, NULL, &s), -EINVAL);
	assert_int_equal(dataplane_null.tunnel_create(x.dp, &tunnel_params, &t2), 0);
	dataplane_null.destroy(x.dp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_needs_the_ppp_callback),
		cmocka_unit_test(caps_are_what_the_test_configured),
		cmocka_unit_test(tunnel_is_recorded_and_an_id_is_taken_once),
		cmocka_unit_test(refused_tunnel_says_why),
		cmocka_unit_test(session_records_its_params_and_takes_the_daemons_name),
		cmocka_unit_test(session_id_zero_and_a_taken_id_are_refused),
		cmocka_unit_test(refused_session_and_netdev_and_addresses_return_the_configured_error),
		cmocka_unit_test(deferred_netdev_exists_only_after_session_netdev),
		cmocka_unit_test(injected_frame_reaches_the_callback_with_the_cookie),
		cmocka_unit_test(sent_frames_are_kept_newest_first),
		cmocka_unit_test(addresses_and_sequencing_are_recorded),
		cmocka_unit_test(data_rx_keeps_the_metadata),
		cmocka_unit_test(tunnel_delete_takes_its_sessions_along),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
