/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the userspace data path, without a kernel: PPP framing,
 * L2TP encapsulation and decapsulation, session lookup, the NPMODE_DROP
 * rule, counters, and the shared-TUN dispatch, all through fake_io.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fake_io.h"

/* ---- a dataplane with one tunnel and one session ---- */

#define LOCAL_TID	0x1111
#define PEER_TID	0x2222
#define LOCAL_SID	0x3333
#define PEER_SID	0x4444
#define UDP_FD		7
#define MARK		0x2a
#define PEER_ADDR	"192.0.2.2"
#define PEER_PORT	1701

struct rx_log {
	unsigned calls;
	void *cookie;
	struct dp_session *session;
	uint8_t frame[FAKE_MAX_PKT];
	size_t len;
};

struct fix {
	struct fake_io f;
	struct dp_user_io io;
	struct rx_log rx;
	struct dp_callbacks cb;
	struct dataplane *dp;
	struct dp_tunnel *t;
	struct dp_session *s;
	struct sockaddr_storage peer;
	int cookie;
	int dhcp_verdict, dhcp_calls;	/* on_dhcp */
	size_t dhcp_len;
	void *dhcp_cookie;
	int dhcp6_verdict, dhcp6_calls;	/* on_dhcp6 */
	size_t dhcp6_len;
};

static void on_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame,
		   size_t len)
{
	struct fix *x = ctx;

	x->rx.calls++;
	x->rx.cookie = cookie;
	x->rx.session = s;
	x->rx.len = len;
	memcpy(x->rx.frame, frame, len < FAKE_MAX_PKT ? len : FAKE_MAX_PKT);
}

/* The daemon's dhcp_rx: what it is offered, and what it says. */
static int on_dhcp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *pkt,
		   size_t len)
{
	struct fix *x = ctx;

	x->dhcp_calls++;
	x->dhcp_len = len;
	x->dhcp_cookie = cookie;
	return x->dhcp_verdict;
}

/* The daemon's dhcp6_rx. */
static int on_dhcp6(void *ctx, struct dp_session *s, void *cookie, const uint8_t *pkt,
		    size_t len)
{
	struct fix *x = ctx;

	x->dhcp6_calls++;
	x->dhcp6_len = len;
	assert_ptr_equal(cookie, &x->cookie);
	return x->dhcp6_verdict;
}

static int on_watch(void *ctx, int fd)
{
	((struct fix *)ctx)->f.watched++;
	return 0;
}

static void on_unwatch(void *ctx, int fd)
{
	((struct fix *)ctx)->f.unwatched++;
}

static struct fix *fix_new(enum dp_user_mode mode)
{
	struct fix *x = calloc(1, sizeof(*x));
	struct dp_user_config cfg = {.mode = mode, .burst = 4};
	struct dp_tunnel_params tp;
	struct dp_session_params sp = {
		.local_session_id = LOCAL_SID, .peer_session_id = PEER_SID,
		.mtu = 1400, .mru = 1400,
	};

	assert_non_null(x);
	x->f.record = true;
	x->io = fake_io_ops(&x->f);
	x->cb = (struct dp_callbacks){.ctx = x, .ppp_control_rx = on_ppp,
				      .watch_fd = on_watch, .unwatch_fd = on_unwatch,
				      .dhcp_rx = on_dhcp, .dhcp6_rx = on_dhcp6};
	assert_int_equal(dp_user_create(&x->cb, &x->io, &cfg, &x->dp), 0);
	memset(&tp, 0, sizeof(tp));
	tp.udp_fd = UDP_FD;
	fake_sockaddr4(&tp.peer, PEER_ADDR, PEER_PORT);
	fake_sockaddr4(&tp.local, "192.0.2.1", 1701);
	tp.local_tunnel_id = LOCAL_TID;
	tp.peer_tunnel_id = PEER_TID;
	tp.fwmark = MARK;
	x->peer = tp.peer;
	assert_int_equal(dataplane_userspace.tunnel_create(x->dp, &tp, &x->t), 0);
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, &x->cookie, &x->s), 0);
	return x;
}

static void fix_set_ip4(struct fix *x)
{
	struct dp_ip_params ip;

	memset(&ip, 0, sizeof(ip));
	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.2", &ip.peer);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
}

static void fix_free(struct fix *x)
{
	dataplane_userspace.destroy(x->dp);
	free(x);
}

static int setup(void **state)
{
	*state = fix_new(DP_USER_TUN_PER_SESSION);
	return 0;
}

static int teardown(void **state)
{
	fix_free(*state);
	return 0;
}

/* An IPv4 header of 20 octets (ICMP echo), the destination given. */
static size_t ipv4_packet(uint8_t *p, const char *dst)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 1;
	inet_pton(AF_INET, "198.51.100.1", p + 12);
	inet_pton(AF_INET, dst, p + 16);
	p[20] = 8;
	return 28;
}

static size_t ipv6_packet(uint8_t *p)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[6] = 59; /* no next header */
	p[7] = 64;
	return 40;
}

/* An L2TP data message to us: 6-octet header, then `ppp`. */
static size_t data_msg(uint8_t *m, uint16_t tid, uint16_t sid, const uint8_t *ppp, size_t len)
{
	m[0] = 0x00;
	m[1] = 0x02;
	m[2] = (uint8_t)(tid >> 8);
	m[3] = (uint8_t)tid;
	m[4] = (uint8_t)(sid >> 8);
	m[5] = (uint8_t)sid;
	memcpy(m + 6, ppp, len);
	return 6 + len;
}

/* FF 03, protocol, payload */
static size_t ppp_frame(uint8_t *f, uint16_t proto, const uint8_t *payload, size_t len)
{
	f[0] = 0xff;
	f[1] = 0x03;
	f[2] = (uint8_t)(proto >> 8);
	f[3] = (uint8_t)proto;
	memcpy(f + 4, payload, len);
	return 4 + len;
}

static void rx(struct fix *x, const uint8_t *m, size_t len)
{
	dataplane_userspace.data_rx(x->dp, m, len, &(struct dp_rx_meta){ .from = &x->peer });
}

static uint64_t drops(struct fix *x, enum dp_user_drop d)
{
	return dp_user_drops(x->dp)[d];
}

static const uint8_t lcp_echo[] = {0x09, 0x01, 0x00, 0x08, 0xde, 0xad, 0xbe, 0xef};

/* ---- PPP framing ---- */

static void decap_takes_address_control_and_two_octet_protocol(void **state)
{
	const uint8_t fr[] = {0xff, 0x03, 0xc0, 0x21, 0x01, 0x02};
	struct dp_ppp_frame f;
	enum dp_user_drop why;

	assert_true(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(f.protocol, 0xc021);
	assert_false(f.pfc);
	assert_ptr_equal(f.proto_field, fr + 2);
	assert_ptr_equal(f.payload, fr + 4);
	assert_int_equal(f.payload_len, 2);
}

static void decap_takes_frame_without_address_control(void **state)
{
	const uint8_t fr[] = {0x00, 0x21, 0x45};
	struct dp_ppp_frame f;
	enum dp_user_drop why;

	assert_true(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(f.protocol, 0x0021);
	assert_ptr_equal(f.proto_field, fr);
	assert_int_equal(f.payload_len, 1);
}

static void decap_takes_compressed_protocol(void **state)
{
	const uint8_t fr[] = {0xff, 0x03, 0x21, 0x45, 0x00};
	struct dp_ppp_frame f;
	enum dp_user_drop why;

	assert_true(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(f.protocol, 0x0021);
	assert_true(f.pfc);
	assert_ptr_equal(f.payload, fr + 3);
	assert_int_equal(f.payload_len, 2);
}

static void decap_calls_an_empty_payload_a_zlb(void **state)
{
	struct dp_ppp_frame f;
	enum dp_user_drop why = DP_DROP_MAX;

	assert_false(dp_ppp_decap((const uint8_t *)"", 0, &f, &why));
	assert_int_equal(why, DP_DROP_RX_EMPTY);
}

static void decap_rejects_address_control_alone(void **state)
{
	const uint8_t fr[] = {0xff, 0x03};
	struct dp_ppp_frame f;
	enum dp_user_drop why = DP_DROP_MAX;

	assert_false(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(why, DP_DROP_RX_BAD_PPP);
}

static void decap_rejects_half_a_protocol_field(void **state)
{
	const uint8_t fr[] = {0xff, 0x03, 0xc0};
	struct dp_ppp_frame f;
	enum dp_user_drop why = DP_DROP_MAX;

	assert_false(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(why, DP_DROP_RX_BAD_PPP);
}

static void decap_rejects_an_even_protocol(void **state)
{
	const uint8_t fr[] = {0xff, 0x03, 0xc0, 0x22, 0x01};
	struct dp_ppp_frame f;
	enum dp_user_drop why = DP_DROP_MAX;

	assert_false(dp_ppp_decap(fr, sizeof(fr), &f, &why));
	assert_int_equal(why, DP_DROP_RX_BAD_PPP);
}

static void encap_header_is_t0_with_peer_ids_and_address_control(void **state)
{
	uint8_t b[DP_USER_ENCAP_MAX];
	const uint8_t want[] = {0x00, 0x02, 0x22, 0x22, 0x44, 0x44, 0xff, 0x03, 0x00, 0x21};

	assert_int_equal(dp_encap_header(b, sizeof(b), PEER_TID, PEER_SID, false, 0, 0, 0x0021),
			 sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void encap_header_without_protocol_is_eight_octets(void **state)
{
	uint8_t b[DP_USER_ENCAP_MAX];

	assert_int_equal(dp_encap_header(b, sizeof(b), 1, 2, false, 0, 0, 0), 8);
	assert_int_equal(b[6], 0xff);
	assert_int_equal(b[7], 0x03);
}

static void encap_header_with_sequence_sets_s_and_ns(void **state)
{
	uint8_t b[DP_USER_ENCAP_MAX];
	const uint8_t want[] = {0x08, 0x02, 0x00, 0x01, 0x00, 0x02, 0x01, 0x05, 0x00, 0x00,
				0xff, 0x03, 0x00, 0x57};

	assert_int_equal(dp_encap_header(b, sizeof(b), 1, 2, true, 0x0105, 0, 0x0057), sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

static void encap_header_refuses_a_short_buffer(void **state)
{
	uint8_t b[9];

	assert_int_equal(dp_encap_header(b, sizeof(b), 1, 2, false, 0, 0, 0x0021), 0);
}

static void ip_protocol_follows_the_version_nibble(void **state)
{
	const uint8_t v4 = 0x45, v6 = 0x60, other = 0x15;

	assert_int_equal(dp_ip_protocol(&v4, 1), PPP_PROTOCOL_IP);
	assert_int_equal(dp_ip_protocol(&v6, 1), PPP_PROTOCOL_IPV6);
	assert_int_equal(dp_ip_protocol(&other, 1), 0);
	assert_int_equal(dp_ip_protocol(&v4, 0), 0);
}

/* ---- receive ---- */

static void ipv4_reaches_the_tun_once_set_ip_enabled_it(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "198.51.100.1");

	fix_set_ip4(x);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->f.tun_writes, 1);
	assert_int_equal(x->f.last_write_fd, dp_user_session_fd(x->s));
	assert_int_equal(x->f.last_write_len, n);
	assert_memory_equal(x->f.last_write, ip, n);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->rx_packets, 1);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->rx_bytes, n);
}

/* UDP to port 67 (a client's DHCPINFORM) goes to dhcp_rx before the TUN:
 * taken (1) it never reaches the TUN, declined (0) it goes on as usual;
 * other UDP, and later fragments, never go to dhcp_rx. */
static void udp_to_port_67_is_offered_to_dhcp_rx_first(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "255.255.255.255");

	ip[3] = 36;
	ip[9] = 17;		/* UDP 68 -> 67 */
	ip[21] = 68;
	ip[23] = 67;
	n = 36;
	fix_set_ip4(x);
	x->dhcp_verdict = 1;
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->dhcp_calls, 1);
	assert_int_equal(x->dhcp_len, n);
	assert_ptr_equal(x->dhcp_cookie, &x->cookie);
	assert_int_equal(x->f.tun_writes, 0);
	x->dhcp_verdict = 0;
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->dhcp_calls, 2);
	assert_int_equal(x->f.tun_writes, 1);
	ip[23] = 68;		/* to port 68: not for dhcp_rx */
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	ip[23] = 67;
	ip[7] = 8;		/* a later fragment: no UDP header to look at */
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->dhcp_calls, 2);
	assert_int_equal(x->f.tun_writes, 3);
}

/* IPv6 UDP to port 547 (a client's DHCPv6 message) goes to dhcp6_rx
 * before the TUN: taken (1) it never reaches the TUN, declined (0) it goes
 * on; UDP to another port, and another next header, never go to
 * dhcp6_rx. */
static void udp6_to_port_547_is_offered_to_dhcp6_rx_first(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip6 = {.has_ipv6 = 1, .local_ifid = 0x1, .peer_ifid = 0x2};
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv6_packet(ip);

	ip[5] = 8;
	ip[6] = 17;		/* UDP 546 -> 547 */
	ip[40] = 0x02, ip[41] = 0x22, ip[42] = 0x02, ip[43] = 0x23;
	n = 48;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip6), 0);
	x->dhcp6_verdict = 1;
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	assert_int_equal(x->dhcp6_calls, 1);
	assert_int_equal(x->dhcp6_len, n);
	assert_int_equal(x->f.tun_writes, 0);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->ctrl_rx_packets, 1);
	x->dhcp6_verdict = 0;
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	assert_int_equal(x->dhcp6_calls, 2);
	assert_int_equal(x->f.tun_writes, 1);
	ip[43] = 0x22;		/* to port 546: not for dhcp6_rx */
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	ip[43] = 0x23;
	ip[6] = 0;		/* Hop-by-Hop first: not looked into */
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	assert_int_equal(x->dhcp6_calls, 2);
	assert_int_equal(x->f.tun_writes, 3);
	assert_int_equal(x->dhcp_calls, 0);
}

static void ipv4_before_set_ip_is_dropped_and_counted(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "198.51.100.1");

	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->f.tun_writes, 0);
	assert_int_equal(drops(x, DP_DROP_RX_PROTO_DOWN), 1);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->drops[DP_DROP_RX_PROTO_DOWN], 1);
}

static void ipv6_is_dropped_while_only_ipv4_is_enabled(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv6_packet(ip);

	fix_set_ip4(x);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	assert_int_equal(x->f.tun_writes, 0);
	assert_int_equal(drops(x, DP_DROP_RX_PROTO_DOWN), 1);
}

static void ipv6_flows_after_ipv6cp_set_ip(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip6 = {.has_ipv6 = 1, .local_ifid = 0x1, .peer_ifid = 0x2};
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv6_packet(ip);

	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip6), 0);
	assert_true(x->f.last_ip6);
	assert_false(x->f.last_ip4);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0057, ip, n)));
	assert_int_equal(x->f.tun_writes, 1);
}

static void ipv6_inside_protocol_0021_is_dropped(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv6_packet(ip);

	fix_set_ip4(x);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->f.tun_writes, 0);
	assert_int_equal(drops(x, DP_DROP_RX_BAD_IP), 1);
}

static void lcp_goes_to_ppp_control_rx_protocol_first(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];

	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, sizeof(lcp_echo))));
	assert_int_equal(x->rx.calls, 1);
	assert_ptr_equal(x->rx.cookie, &x->cookie);
	assert_ptr_equal(x->rx.session, x->s);
	assert_int_equal(x->rx.len, 2 + sizeof(lcp_echo));
	assert_int_equal(x->rx.frame[0], 0xc0);
	assert_int_equal(x->rx.frame[1], 0x21);
	assert_memory_equal(x->rx.frame + 2, lcp_echo, sizeof(lcp_echo));
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->ctrl_rx_packets, 1);
}

static void compressed_control_protocol_is_handed_up_in_two_octets(void **state)
{
	struct fix *x = *state;
	/* 0xfd (compressed datagram, CCP's data) with PFC and no FF 03 */
	const uint8_t fr[] = {0xfd, 0x90, 0x01};
	uint8_t m[64];

	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, sizeof(fr)));
	assert_int_equal(x->rx.calls, 1);
	assert_int_equal(x->rx.len, 4);
	assert_int_equal(x->rx.frame[0], 0x00);
	assert_int_equal(x->rx.frame[1], 0xfd);
	assert_int_equal(x->rx.frame[2], 0x90);
}

static void sequence_numbers_length_and_offset_are_accepted(void **state)
{
	struct fix *x = *state;
	/* L, S, O set: flags, length, tid, sid, ns, nr, offset 2, pad 2 */
	uint8_t m[64] = {0x4a, 0x02, 0x00, 0x00, 0x11, 0x11, 0x33, 0x33,
			 0x00, 0x07, 0x00, 0x00, 0x00, 0x02, 0xaa, 0xbb};
	size_t n = 16;

	n += ppp_frame(m + n, 0xc021, lcp_echo, sizeof(lcp_echo));
	m[3] = (uint8_t)n;
	rx(x, m, n);
	assert_int_equal(x->rx.calls, 1);
	assert_int_equal(x->rx.frame[0], 0xc0);
	assert_int_equal(x->rx.len, 2 + sizeof(lcp_echo));
}

static void trailing_bytes_past_the_length_field_are_ignored(void **state)
{
	struct fix *x = *state;
	uint8_t m[64] = {0x40, 0x02, 0x00, 0x00, 0x11, 0x11, 0x33, 0x33};
	size_t n = 8;

	n += ppp_frame(m + n, 0xc021, lcp_echo, sizeof(lcp_echo));
	m[3] = (uint8_t)n;
	memset(m + n, 0xee, 5);
	rx(x, m, n + 5);
	assert_int_equal(x->rx.len, 2 + sizeof(lcp_echo));
}

static void unknown_session_is_dropped_and_counted(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];

	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID + 1, fr, ppp_frame(fr, 0xc021, lcp_echo, 8)));
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(drops(x, DP_DROP_RX_UNKNOWN_SESSION), 1);
}

static void unknown_tunnel_is_dropped_and_counted(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];

	rx(x, m, data_msg(m, LOCAL_TID + 1, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8)));
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(drops(x, DP_DROP_RX_UNKNOWN_TUNNEL), 1);
}

static void peer_ids_in_the_header_do_not_match(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];

	/* The header carries the recipient's ids: the peer's own ids are
	 * not ours and find nothing. */
	rx(x, m, data_msg(m, PEER_TID, PEER_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8)));
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(drops(x, DP_DROP_RX_UNKNOWN_TUNNEL), 1);
}

static void datagram_from_another_address_is_dropped(void **state)
{
	struct fix *x = *state;
	struct sockaddr_storage other;
	uint8_t fr[128], m[256];
	size_t n = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8));

	fake_sockaddr4(&other, "192.0.2.99", PEER_PORT);
	dataplane_userspace.data_rx(x->dp, m, n, &(struct dp_rx_meta){ .from = &other });
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(drops(x, DP_DROP_RX_PEER_MISMATCH), 1);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->drops[DP_DROP_RX_PEER_MISMATCH], 1);
}

static void datagram_from_another_port_is_dropped(void **state)
{
	struct fix *x = *state;
	struct sockaddr_storage other;
	uint8_t fr[128], m[256];
	size_t n = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8));

	fake_sockaddr4(&other, PEER_ADDR, 1702);
	dataplane_userspace.data_rx(x->dp, m, n, &(struct dp_rx_meta){ .from = &other });
	assert_int_equal(drops(x, DP_DROP_RX_PEER_MISMATCH), 1);
}

static void ipv4_mapped_source_matches_the_ipv4_peer(void **state)
{
	struct fix *x = *state;
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	uint8_t fr[128], m[256];
	size_t n = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8));

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(PEER_PORT);
	inet_pton(AF_INET6, "::ffff:" PEER_ADDR, &in6->sin6_addr);
	dataplane_userspace.data_rx(x->dp, m, n, &(struct dp_rx_meta){ .from = &ss });
	assert_int_equal(x->rx.calls, 1);
}

static void datagram_through_another_sa_is_dropped(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];
	size_t n = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8));

	dp_user_data_rx_mark(x->dp, m, n, &x->peer, true, MARK + 1);
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(drops(x, DP_DROP_RX_MARK_MISMATCH), 1);
	dp_user_data_rx_mark(x->dp, m, n, &x->peer, true, 0);
	assert_int_equal(drops(x, DP_DROP_RX_MARK_MISMATCH), 2);
	dp_user_data_rx_mark(x->dp, m, n, &x->peer, true, MARK);
	assert_int_equal(x->rx.calls, 1);
}

static void control_message_is_not_data(void **state)
{
	struct fix *x = *state;
	const uint8_t zlb[] = {0xc8, 0x02, 0x00, 0x0c, 0x11, 0x11, 0x00, 0x00,
			       0x00, 0x01, 0x00, 0x01};

	rx(x, zlb, sizeof(zlb));
	assert_int_equal(drops(x, DP_DROP_RX_CONTROL), 1);
}

static void malformed_headers_are_counted(void **state)
{
	struct fix *x = *state;
	const uint8_t short_hdr[] = {0x00, 0x02, 0x11, 0x11, 0x33};
	const uint8_t v3[] = {0x00, 0x03, 0x11, 0x11, 0x33, 0x33, 0xff, 0x03, 0xc0, 0x21};
	const uint8_t len_past_end[] = {0x40, 0x02, 0x00, 0x40, 0x11, 0x11, 0x33, 0x33};
	const uint8_t len_inside_hdr[] = {0x40, 0x02, 0x00, 0x04, 0x11, 0x11, 0x33, 0x33};
	const uint8_t offset_past_end[] = {0x02, 0x02, 0x11, 0x11, 0x33, 0x33, 0x00, 0x10, 0xff};
	const uint8_t seq_truncated[] = {0x08, 0x02, 0x11, 0x11, 0x33, 0x33, 0x00};

	rx(x, short_hdr, sizeof(short_hdr));
	rx(x, v3, sizeof(v3));
	rx(x, len_past_end, sizeof(len_past_end));
	rx(x, len_inside_hdr, sizeof(len_inside_hdr));
	rx(x, offset_past_end, sizeof(offset_past_end));
	rx(x, seq_truncated, sizeof(seq_truncated));
	rx(x, short_hdr, 0);
	assert_int_equal(drops(x, DP_DROP_RX_BAD_HEADER), 7);
	assert_int_equal(x->rx.calls, 0);
	assert_int_equal(x->f.tun_writes, 0);
}

static void data_zlb_is_counted_as_empty(void **state)
{
	struct fix *x = *state;
	/* S set, no payload: an acknowledgement only */
	const uint8_t m[] = {0x08, 0x02, 0x11, 0x11, 0x33, 0x33, 0x00, 0x01, 0x00, 0x00};

	rx(x, m, sizeof(m));
	assert_int_equal(drops(x, DP_DROP_RX_EMPTY), 1);
	assert_int_equal(x->rx.calls, 0);
}

static void failed_tun_write_is_counted(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "198.51.100.1");

	fix_set_ip4(x);
	x->f.fail_write = -ENOBUFS;
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(drops(x, DP_DROP_RX_TUN_WRITE), 1);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->rx_packets, 0);
}

/* ---- transmit ---- */

static void tun_packet_is_sent_to_the_peer_with_its_ids_and_mark(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64];
	size_t n = ipv4_packet(ip, "198.51.100.2");
	const uint8_t hdr[] = {0x00, 0x02, 0x22, 0x22, 0x44, 0x44, 0xff, 0x03, 0x00, 0x21};
	struct sockaddr_in *to = (struct sockaddr_in *)&x->f.last_peer;

	fix_set_ip4(x);
	fake_queue_packet(&x->f, ip, n);
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 1);
	assert_int_equal(x->f.last_send_fd, UDP_FD);
	assert_int_equal(x->f.last_mark, MARK);
	assert_int_equal(x->f.last_send_len, sizeof(hdr) + n);
	assert_memory_equal(x->f.last_send, hdr, sizeof(hdr));
	assert_memory_equal(x->f.last_send + sizeof(hdr), ip, n);
	assert_int_equal(x->f.last_peer_len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(to->sin_port), PEER_PORT);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->tx_packets, 1);
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->tx_bytes, n);
}

static void ipv6_from_tun_carries_protocol_0057(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip6 = {.has_ipv6 = 1, .local_ifid = 0x1, .peer_ifid = 0x2};
	uint8_t ip[64];
	size_t n = ipv6_packet(ip);

	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip6), 0);
	fake_queue_packet(&x->f, ip, n);
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 1);
	assert_int_equal(x->f.last_send[8], 0x00);
	assert_int_equal(x->f.last_send[9], 0x57);
}

static void tun_read_is_bounded_per_call(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64];
	size_t n = ipv4_packet(ip, "198.51.100.2");

	fix_set_ip4(x);
	for (int i = 0; i < 10; i++)
		fake_queue_packet(&x->f, ip, n);
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 4);	/* burst = 4 in this fixture */
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 10);
}

static void tun_packet_before_set_ip_is_dropped(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64];

	fake_queue_packet(&x->f, ip, ipv6_packet(ip));
	fake_queue_packet(&x->f, ip, ipv4_packet(ip, "198.51.100.2"));
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 0);
	assert_int_equal(drops(x, DP_DROP_TX_PROTO_DOWN), 2);
}

static void tun_packet_that_is_not_ip_is_dropped(void **state)
{
	struct fix *x = *state;
	const uint8_t junk[] = {0x15, 0x00};

	fix_set_ip4(x);
	fake_queue_packet(&x->f, junk, sizeof(junk));
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(x->f.sends, 0);
	assert_int_equal(drops(x, DP_DROP_TX_NOT_IP), 1);
}

static void failed_send_is_counted_not_retried(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64];
	struct dp_stats st;

	fix_set_ip4(x);
	x->f.fail_send = -EPERM;
	fake_queue_packet(&x->f, ip, ipv4_packet(ip, "198.51.100.2"));
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(drops(x, DP_DROP_TX_SEND), 1);
	assert_int_equal(dataplane_userspace.session_stats(x->dp, x->s, &st), 0);
	assert_int_equal(st.tx_errors, 1);
	assert_int_equal(st.tx_packets, 0);
}

static void fd_ready_on_an_unknown_fd_does_nothing(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64];

	fake_queue_packet(&x->f, ip, ipv4_packet(ip, "198.51.100.2"));
	dataplane_userspace.fd_ready(x->dp, 3);
	dataplane_userspace.fd_ready(x->dp, -1);
	dataplane_userspace.fd_ready(x->dp, 1 << 20);
	assert_int_equal(x->f.reads, 0);
}

static void control_frame_is_sent_with_address_control(void **state)
{
	struct fix *x = *state;
	uint8_t fr[16] = {0xc0, 0x21};
	const uint8_t hdr[] = {0x00, 0x02, 0x22, 0x22, 0x44, 0x44, 0xff, 0x03, 0xc0, 0x21};

	memcpy(fr + 2, lcp_echo, sizeof(lcp_echo));
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, 2 + sizeof(lcp_echo)), 0);
	assert_int_equal(x->f.sends, 1);
	assert_int_equal(x->f.last_mark, MARK);
	assert_int_equal(x->f.last_send_len, 8 + 2 + sizeof(lcp_echo));
	assert_memory_equal(x->f.last_send, hdr, sizeof(hdr));
	assert_memory_equal(x->f.last_send + 10, lcp_echo, sizeof(lcp_echo));
	assert_int_equal(dp_user_session_counters(x->dp, x->s)->ctrl_tx_packets, 1);
}

static void control_frame_with_address_control_is_not_doubled(void **state)
{
	struct fix *x = *state;
	const uint8_t fr[] = {0xff, 0x03, 0xc0, 0x21, 0x09, 0x01, 0x00, 0x04};

	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), 0);
	assert_int_equal(x->f.last_send_len, 6 + sizeof(fr));
	assert_int_equal(x->f.last_send[8], 0xc0);
}

static void control_frame_shorter_than_a_protocol_is_refused(void **state)
{
	struct fix *x = *state;
	const uint8_t fr[] = {0xff, 0x03, 0xc0};

	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), -EINVAL);
	assert_int_equal(x->f.sends, 0);
}

static void sequencing_on_numbers_each_data_message(void **state)
{
	struct fix *x = *state;
	const uint8_t fr[] = {0xc0, 0x21, 0x09, 0x01, 0x00, 0x04};

	dp_user_session_set_send_seq(x->dp, x->s, true);
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), 0);
	assert_int_equal(x->f.last_send[0], 0x08);
	assert_int_equal(x->f.last_send[7], 0);	/* Ns 0 */
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), 0);
	assert_int_equal(x->f.last_send[7], 1);	/* Ns 1 */
	assert_int_equal(x->f.last_send_len, 14 + 4);
}

/* The interface op (dataplane.h) is the same switch: what the daemon calls
 * when the ICCN carried Sequencing Required. */
static void session_set_seq_op_turns_sequencing_on_and_off(void **state)
{
	struct fix *x = *state;
	const uint8_t fr[] = {0xc0, 0x21, 0x09, 0x01, 0x00, 0x04};

	assert_int_equal(dataplane_userspace.session_set_seq(x->dp, x->s, 1), 0);
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), 0);
	assert_int_equal(x->f.last_send[0], 0x08);	/* S bit */
	assert_int_equal(dataplane_userspace.session_set_seq(x->dp, x->s, 0), 0);
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, x->s, fr, sizeof(fr)), 0);
	assert_int_equal(x->f.last_send[0], 0x00);
}

/* RADIUS Framed-MTU (session_set_mtu): a TUN that exists gets it at once;
 * a deferred one (defer_netdev) is made with it. */
static void session_set_mtu_is_the_session_tuns(void **state)
{
	struct fix *x = *state;
	struct dp_session_params sp = {
		.local_session_id = LOCAL_SID + 1, .peer_session_id = PEER_SID + 1,
		.mtu = 1400, .mru = 1400, .defer_netdev = 1,
	};
	struct dp_session *later;

	assert_int_equal(dataplane_userspace.session_set_mtu(x->dp, x->s, 1300), 0);
	assert_int_equal(x->f.link_mtu_calls, 1);
	assert_int_equal(x->f.last_mtu, 1300);
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, &x->cookie, &later),
			 0);
	assert_int_equal(dataplane_userspace.session_set_mtu(x->dp, later, 1200), 0);
	assert_int_equal(x->f.link_mtu_calls, 1);
	assert_int_equal(dataplane_userspace.session_netdev(x->dp, later), 0);
	assert_int_equal(x->f.last_mtu, 1200);
	assert_int_equal(x->f.link_mtu_calls, 1);
	dataplane_userspace.session_delete(x->dp, later);
}

/* The shared TUN is every session's: no one user's MTU. */
static void session_set_mtu_on_the_shared_tun_is_refused(void **state)
{
	struct fix *x = *state;

	assert_int_equal(dataplane_userspace.session_set_mtu(x->dp, x->s, 1200), -EOPNOTSUPP);
}

/* What the daemon asks instead of comparing the ops (docs/dataplane.md). */
static void caps_per_session_tun(void **state)
{
	struct fix *x = *state;
	struct dp_caps c;

	dataplane_userspace.caps(x->dp, &c);
	assert_int_equal(c.flags, DP_CAP_SESSION_NETDEV | DP_CAP_IFNAME_BY_DAEMON |
				  DP_CAP_DATA_RX | DP_CAP_SEQUENCING | DP_CAP_DHCP_RX |
				  DP_CAP_RS_RX | DP_CAP_DHCP6_RX);
	assert_int_equal(c.fds_per_tunnel, 0);
	assert_int_equal(c.fds_per_session, 1);
	assert_int_equal(c.fds_fixed, 0);
	assert_int_equal(dataplane_userspace.tunnel_fd(x->dp, x->t), -1);
}

static void caps_shared_tun(void **state)
{
	struct fix *x = *state;
	struct dp_caps c;

	dataplane_userspace.caps(x->dp, &c);
	assert_int_equal(c.flags, DP_CAP_SHARED_NETDEV | DP_CAP_IFNAME_BY_DAEMON |
				  DP_CAP_DATA_RX | DP_CAP_SEQUENCING | DP_CAP_DHCP_RX |
				  DP_CAP_RS_RX | DP_CAP_DHCP6_RX);
	assert_int_equal(c.fds_per_session, 0);
	assert_int_equal(c.fds_fixed, 1);
	assert_string_equal(c.no_netdev_why, "the shared TUN (userspace.tun = shared)");
}

/* data_rx's metadata carries the mark: with has_mark, only the tunnel's
 * IPsec SA's datagrams are taken (docs/ipsec-nat.md). */
static void data_rx_metadata_mark_is_checked(void **state)
{
	struct fix *x = *state;
	uint8_t fr[128], m[256];
	size_t n = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8));
	struct dp_rx_meta meta = {.from = &x->peer, .has_mark = 1, .mark = MARK + 1};

	dataplane_userspace.data_rx(x->dp, m, n, &meta);
	assert_int_equal(drops(x, DP_DROP_RX_MARK_MISMATCH), 1);
	assert_int_equal(x->rx.calls, 0);
	meta.mark = MARK;
	dataplane_userspace.data_rx(x->dp, m, n, &meta);
	assert_int_equal(drops(x, DP_DROP_RX_MARK_MISMATCH), 1);
	assert_int_equal(x->rx.calls, 1);
}

/* ---- sessions ---- */

static void session_gets_a_tun_named_from_the_pattern(void **state)
{
	struct fix *x = *state;

	assert_string_equal(dataplane_userspace.session_ifname(x->dp, x->s), "l2tp0");
	assert_int_equal(x->f.watched, 1);
	assert_ptr_equal(dp_user_session_by_fd(x->dp, dp_user_session_fd(x->s)), x->s);
}

static void session_uses_the_name_hint(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 9,
				       .mtu = 1400, .ifname_hint = "vpn-alice"};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	assert_string_equal(dataplane_userspace.session_ifname(x->dp, s2), "vpn-alice");
}

/* defer_netdev: no TUN (no fd, no netdev) until session_netdev, while
 * PPP control frames flow both ways (an unauthenticated peer costs none). */
static void deferred_session_has_no_tun_until_session_netdev(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 19,
				       .mtu = 1400, .ifname_hint = "l2tp1-9", .defer_netdev = 1};
	uint8_t fr[128], m[256];
	uint8_t out[16] = {0xc0, 0x21};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	assert_int_equal(x->f.open_count, 1);	/* the fixture's session only */
	assert_int_equal(dp_user_session_fd(s2), -1);
	assert_string_equal(dataplane_userspace.session_ifname(x->dp, s2), "");
	rx(x, m, data_msg(m, LOCAL_TID, 9, fr, ppp_frame(fr, 0xc021, lcp_echo, sizeof(lcp_echo))));
	assert_int_equal(x->rx.calls, 1);
	assert_ptr_equal(x->rx.session, s2);
	memcpy(out + 2, lcp_echo, sizeof(lcp_echo));
	assert_int_equal(dataplane_userspace.session_send_ppp(x->dp, s2, out, 2 + sizeof(lcp_echo)), 0);
	assert_int_equal(x->f.sends, 1);

	assert_int_equal(dataplane_userspace.session_netdev(x->dp, s2), 0);
	assert_int_equal(x->f.open_count, 2);
	assert_string_equal(x->f.last_name, "l2tp1-9");
	assert_string_equal(dataplane_userspace.session_ifname(x->dp, s2), "l2tp1-9");
	assert_ptr_equal(dp_user_session_by_fd(x->dp, dp_user_session_fd(s2)), s2);
	assert_int_equal(dataplane_userspace.session_netdev(x->dp, s2), 0);	/* once */
	assert_int_equal(x->f.open_count, 2);
	dataplane_userspace.session_delete(x->dp, s2);
	assert_int_equal(x->f.close_count, 1);
}

static void deferred_session_without_device_closes_nothing(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 19,
				       .defer_netdev = 1};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	dataplane_userspace.session_delete(x->dp, s2);
	assert_int_equal(x->f.close_count, 0);
	assert_int_equal(x->f.unwatched, 0);
}

static void deferred_device_failure_can_be_retried_and_set_ip_makes_it(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 19,
				       .mtu = 1400, .defer_netdev = 1};
	struct dp_ip_params ip;

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	x->f.fail_open = -EMFILE;
	assert_int_equal(dataplane_userspace.session_netdev(x->dp, s2), -EMFILE);
	assert_int_equal(dp_user_session_fd(s2), -1);
	x->f.fail_open = 0;
	memset(&ip, 0, sizeof(ip));
	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.3", &ip.peer);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, s2, &ip), 0);
	assert_true(dp_user_session_fd(s2) >= 0);
	assert_int_equal(x->f.open_count, 2);
}

static void duplicate_session_id_in_a_tunnel_is_refused(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = LOCAL_SID, .peer_session_id = 5};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), -EEXIST);
	assert_null(s2);
	assert_int_equal(x->f.open_count, 1);
}

static void session_id_zero_is_refused(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 0, .peer_session_id = 5};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), -EINVAL);
}

static void tun_creation_failure_is_returned(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 8, .peer_session_id = 5};

	x->f.fail_open = -EPERM;
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), -EPERM);
	assert_int_equal(dp_user_session_count(x->dp), 1);
}

static void duplicate_tunnel_id_is_refused(void **state)
{
	struct fix *x = *state;
	struct dp_tunnel_params tp = {.udp_fd = UDP_FD, .local_tunnel_id = LOCAL_TID,
				      .peer_tunnel_id = 1};
	struct dp_tunnel *t2;

	fake_sockaddr4(&tp.peer, "192.0.2.3", 1701);
	assert_int_equal(dataplane_userspace.tunnel_create(x->dp, &tp, &t2), -EEXIST);
}

static void session_delete_closes_its_tun_and_stops_watching(void **state)
{
	struct fix *x = *state;
	int fd = dp_user_session_fd(x->s);
	uint8_t fr[128], m[256];

	dataplane_userspace.session_delete(x->dp, x->s);
	assert_int_equal(x->f.close_count, 1);
	assert_int_equal(x->f.last_closed_fd, fd);
	assert_int_equal(x->f.unwatched, 1);
	assert_null(dp_user_session_by_fd(x->dp, fd));
	assert_int_equal(dp_user_session_count(x->dp), 0);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0xc021, lcp_echo, 8)));
	assert_int_equal(drops(x, DP_DROP_RX_UNKNOWN_SESSION), 1);
}

static void tunnel_delete_takes_its_sessions_along(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 77, .peer_session_id = 78};

	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	dataplane_userspace.tunnel_delete(x->dp, x->t);
	assert_int_equal(x->f.close_count, 2);
	assert_int_equal(dp_user_session_count(x->dp), 0);
}

static void set_ip_failure_leaves_the_protocol_down(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {0};
	uint8_t pkt[64], fr[128], m[256];
	size_t n = ipv4_packet(pkt, "198.51.100.1");

	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.2", &ip.peer);
	x->f.fail_set_ip = -EPERM;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), -EPERM);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, pkt, n)));
	assert_int_equal(drops(x, DP_DROP_RX_PROTO_DOWN), 1);
}

static void set_ip_without_any_address_is_refused(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {0};

	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), -EINVAL);
}

static void stats_count_packets_both_ways_and_errors(void **state)
{
	struct fix *x = *state;
	struct sockaddr_storage other;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "198.51.100.1"), mlen;
	struct dp_stats st;

	fix_set_ip4(x);
	mlen = data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n));
	rx(x, m, mlen);
	rx(x, m, mlen);
	fake_sockaddr4(&other, "192.0.2.99", 1701);
	dataplane_userspace.data_rx(x->dp, m, mlen, &(struct dp_rx_meta){ .from = &other });
	fake_queue_packet(&x->f, ip, n);
	dataplane_userspace.fd_ready(x->dp, dp_user_session_fd(x->s));
	assert_int_equal(dataplane_userspace.session_stats(x->dp, x->s, &st), 0);
	assert_int_equal(st.rx_packets, 2);
	assert_int_equal(st.rx_bytes, 2 * n);
	assert_int_equal(st.tx_packets, 1);
	assert_int_equal(st.tx_bytes, n);
	assert_int_equal(st.rx_errors, 1);
	assert_int_equal(st.tx_errors, 0);
}

static void proxy_arp_answers_for_the_client_on_the_lan(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {.proxy_arp = 1};

	inet_pton(AF_INET, "192.0.2.1", &ip.local);
	inet_pton(AF_INET, "192.0.2.50", &ip.peer);
	x->f.lan_ifindex = 3;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	assert_int_equal(x->f.proxy_lan, 3);
	assert_int_equal(x->f.proxy_addr.s_addr, ip.peer.s_addr);
}

static void proxy_arp_entry_goes_with_the_session(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {.proxy_arp = 1};

	inet_pton(AF_INET, "192.0.2.1", &ip.local);
	inet_pton(AF_INET, "192.0.2.50", &ip.peer);
	x->f.lan_ifindex = 3;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	dataplane_userspace.session_delete(x->dp, x->s);
	assert_int_equal(x->f.proxy_dels, 1);
	assert_int_equal(x->f.proxy_lan, 0);
}

static void proxy_arp_without_a_lan_is_refused_and_changes_nothing(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {.proxy_arp = 1};

	inet_pton(AF_INET, "192.0.2.1", &ip.local);
	inet_pton(AF_INET, "203.0.113.50", &ip.peer);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), -ENETUNREACH);
	assert_int_equal(x->f.set_ip_calls, 0);
	assert_int_equal(x->f.proxy_adds, 0);
}

static void proxy_arp_set_again_keeps_its_lan(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {.proxy_arp = 1};

	inet_pton(AF_INET, "192.0.2.1", &ip.local);
	inet_pton(AF_INET, "192.0.2.50", &ip.peer);
	x->f.lan_ifindex = 3;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	/* now the FIB points at our device: no LAN found any more */
	x->f.lan_ifindex = 0;
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	assert_int_equal(x->f.proxy_lan, 3);
	assert_int_equal(x->f.proxy_adds, 1);
}

static void renegotiated_addresses_replace_the_old_ones(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip = {0};

	fix_set_ip4(x);
	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.9", &ip.peer);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	assert_int_equal(x->f.ip4_deleted, 1);
	assert_int_equal(ntohl(x->f.last_del_peer.s_addr), 0xc6336402);
	/* the same again: nothing to remove */
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip), 0);
	assert_int_equal(x->f.ip4_deleted, 1);
}

/* Many tunnels with the same session ids: each message finds its own. */
static void lookup_finds_the_right_session_among_thousands(void **state)
{
	struct fix *x = *state;
	enum { TUNNELS = 50, PER = 100 };
	static struct dp_session *ss[TUNNELS][PER];
	static int cookies[TUNNELS][PER];
	uint8_t fr[128], m[256];
	size_t flen = ppp_frame(fr, 0xc021, lcp_echo, sizeof(lcp_echo));

	for (int t = 0; t < TUNNELS; t++) {
		struct dp_tunnel_params tp = {.udp_fd = UDP_FD, .local_tunnel_id = (uint16_t)(100 + t),
					      .peer_tunnel_id = (uint16_t)(500 + t)};
		struct dp_tunnel *tt;

		tp.peer = x->peer;
		assert_int_equal(dataplane_userspace.tunnel_create(x->dp, &tp, &tt), 0);
		for (int i = 0; i < PER; i++) {
			struct dp_session_params sp = {.local_session_id = (uint16_t)(1 + i),
						       .peer_session_id = (uint16_t)(1000 + i)};

			assert_int_equal(dataplane_userspace.session_create(x->dp, tt, &sp,
							&cookies[t][i], &ss[t][i]), 0);
		}
	}
	assert_int_equal(dp_user_session_count(x->dp), 1 + TUNNELS * PER);
	for (int t = 0; t < TUNNELS; t++) {
		for (int i = 0; i < PER; i++) {
			x->rx.calls = 0;
			rx(x, m, data_msg(m, (uint16_t)(100 + t), (uint16_t)(1 + i), fr, flen));
			assert_int_equal(x->rx.calls, 1);
			assert_ptr_equal(x->rx.session, ss[t][i]);
			assert_ptr_equal(x->rx.cookie, &cookies[t][i]);
		}
	}
	/* and every TUN fd maps back to its session */
	for (int t = 0; t < TUNNELS; t++)
		for (int i = 0; i < PER; i++)
			assert_ptr_equal(dp_user_session_by_fd(x->dp, dp_user_session_fd(ss[t][i])),
					 ss[t][i]);
}

static void drop_reasons_have_names(void **state)
{
	for (int d = 0; d < DP_DROP_MAX; d++)
		assert_string_not_equal(dp_user_drop_name((enum dp_user_drop)d), "unknown");
	assert_string_equal(dp_user_drop_name(DP_DROP_MAX), "unknown");
}

/* ---- shared TUN ---- */

static int setup_shared(void **state)
{
	*state = fix_new(DP_USER_TUN_SHARED);
	return 0;
}

static void shared_mode_opens_one_tun_for_all_sessions(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 9};

	assert_int_equal(x->f.open_count, 1);
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	assert_int_equal(x->f.open_count, 1);
	assert_string_equal(dataplane_userspace.session_ifname(x->dp, s2), "l2tp-shared");
	assert_int_equal(dp_user_session_fd(s2), -1);
}

static void shared_mode_sends_by_destination_address(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 0x99};
	struct dp_ip_params ip = {0};
	uint8_t pkt[64];

	fix_set_ip4(x);		/* session 1: 198.51.100.2 */
	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.3", &ip.peer);
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, s2, &ip), 0);
	assert_int_equal(x->f.routes_added, 2);
	fake_queue_packet(&x->f, pkt, ipv4_packet(pkt, "198.51.100.3"));
	dataplane_userspace.fd_ready(x->dp, dp_user_shared_fd(x->dp));
	assert_int_equal(x->f.sends, 1);
	assert_int_equal(x->f.last_send[5], 0x99);
	fake_queue_packet(&x->f, pkt, ipv4_packet(pkt, "198.51.100.2"));
	dataplane_userspace.fd_ready(x->dp, dp_user_shared_fd(x->dp));
	assert_int_equal(x->f.last_send[4], 0x44);
	fake_queue_packet(&x->f, pkt, ipv4_packet(pkt, "198.51.100.77"));
	dataplane_userspace.fd_ready(x->dp, dp_user_shared_fd(x->dp));
	assert_int_equal(x->f.sends, 2);
	assert_int_equal(drops(x, DP_DROP_TX_NO_ROUTE), 1);
}

static void shared_mode_refuses_an_address_in_use(void **state)
{
	struct fix *x = *state;
	struct dp_session *s2;
	struct dp_session_params sp = {.local_session_id = 9, .peer_session_id = 9};
	struct dp_ip_params ip = {0};

	fix_set_ip4(x);
	inet_pton(AF_INET, "198.51.100.1", &ip.local);
	inet_pton(AF_INET, "198.51.100.2", &ip.peer);
	assert_int_equal(dataplane_userspace.session_create(x->dp, x->t, &sp, NULL, &s2), 0);
	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, s2, &ip), -EADDRINUSE);
}

static void shared_mode_delivers_to_the_shared_tun_and_removes_routes(void **state)
{
	struct fix *x = *state;
	uint8_t ip[64], fr[128], m[256];
	size_t n = ipv4_packet(ip, "198.51.100.1");

	fix_set_ip4(x);
	rx(x, m, data_msg(m, LOCAL_TID, LOCAL_SID, fr, ppp_frame(fr, 0x0021, ip, n)));
	assert_int_equal(x->f.last_write_fd, dp_user_shared_fd(x->dp));
	dataplane_userspace.session_delete(x->dp, x->s);
	assert_int_equal(x->f.routes_deleted, 1);
	fake_queue_packet(&x->f, ip, ipv4_packet(ip, "198.51.100.2"));
	dataplane_userspace.fd_ready(x->dp, dp_user_shared_fd(x->dp));
	assert_int_equal(drops(x, DP_DROP_TX_NO_ROUTE), 1);
}

static void shared_mode_does_not_do_ipv6(void **state)
{
	struct fix *x = *state;
	struct dp_ip_params ip6 = {.has_ipv6 = 1, .local_ifid = 1, .peer_ifid = 2};

	assert_int_equal(dataplane_userspace.session_set_ip(x->dp, x->s, &ip6), -EOPNOTSUPP);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TS(f) cmocka_unit_test_setup_teardown(f, setup_shared, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decap_takes_address_control_and_two_octet_protocol),
		cmocka_unit_test(decap_takes_frame_without_address_control),
		cmocka_unit_test(decap_takes_compressed_protocol),
		cmocka_unit_test(decap_calls_an_empty_payload_a_zlb),
		cmocka_unit_test(decap_rejects_address_control_alone),
		cmocka_unit_test(decap_rejects_half_a_protocol_field),
		cmocka_unit_test(decap_rejects_an_even_protocol),
		cmocka_unit_test(encap_header_is_t0_with_peer_ids_and_address_control),
		cmocka_unit_test(encap_header_without_protocol_is_eight_octets),
		cmocka_unit_test(encap_header_with_sequence_sets_s_and_ns),
		cmocka_unit_test(encap_header_refuses_a_short_buffer),
		cmocka_unit_test(ip_protocol_follows_the_version_nibble),
		cmocka_unit_test(drop_reasons_have_names),
		T(ipv4_reaches_the_tun_once_set_ip_enabled_it),
		T(ipv4_before_set_ip_is_dropped_and_counted),
		T(ipv6_is_dropped_while_only_ipv4_is_enabled),
		T(ipv6_flows_after_ipv6cp_set_ip),
		T(ipv6_inside_protocol_0021_is_dropped),
		T(lcp_goes_to_ppp_control_rx_protocol_first),
		T(udp_to_port_67_is_offered_to_dhcp_rx_first),
		T(udp6_to_port_547_is_offered_to_dhcp6_rx_first),
		T(compressed_control_protocol_is_handed_up_in_two_octets),
		T(sequence_numbers_length_and_offset_are_accepted),
		T(trailing_bytes_past_the_length_field_are_ignored),
		T(unknown_session_is_dropped_and_counted),
		T(unknown_tunnel_is_dropped_and_counted),
		T(peer_ids_in_the_header_do_not_match),
		T(datagram_from_another_address_is_dropped),
		T(datagram_from_another_port_is_dropped),
		T(ipv4_mapped_source_matches_the_ipv4_peer),
		T(datagram_through_another_sa_is_dropped),
		T(control_message_is_not_data),
		T(malformed_headers_are_counted),
		T(data_zlb_is_counted_as_empty),
		T(failed_tun_write_is_counted),
		T(tun_packet_is_sent_to_the_peer_with_its_ids_and_mark),
		T(ipv6_from_tun_carries_protocol_0057),
		T(tun_read_is_bounded_per_call),
		T(tun_packet_before_set_ip_is_dropped),
		T(tun_packet_that_is_not_ip_is_dropped),
		T(failed_send_is_counted_not_retried),
		T(fd_ready_on_an_unknown_fd_does_nothing),
		T(control_frame_is_sent_with_address_control),
		T(control_frame_with_address_control_is_not_doubled),
		T(control_frame_shorter_than_a_protocol_is_refused),
		T(sequencing_on_numbers_each_data_message),
		T(session_set_seq_op_turns_sequencing_on_and_off),
		T(caps_per_session_tun),
		T(session_set_mtu_is_the_session_tuns),
		T(data_rx_metadata_mark_is_checked),
		T(session_gets_a_tun_named_from_the_pattern),
		T(session_uses_the_name_hint),
		T(deferred_session_has_no_tun_until_session_netdev),
		T(deferred_session_without_device_closes_nothing),
		T(deferred_device_failure_can_be_retried_and_set_ip_makes_it),
		T(duplicate_session_id_in_a_tunnel_is_refused),
		T(session_id_zero_is_refused),
		T(tun_creation_failure_is_returned),
		T(duplicate_tunnel_id_is_refused),
		T(session_delete_closes_its_tun_and_stops_watching),
		T(tunnel_delete_takes_its_sessions_along),
		T(set_ip_failure_leaves_the_protocol_down),
		T(set_ip_without_any_address_is_refused),
		T(stats_count_packets_both_ways_and_errors),
		T(proxy_arp_answers_for_the_client_on_the_lan),
		T(proxy_arp_entry_goes_with_the_session),
		T(proxy_arp_without_a_lan_is_refused_and_changes_nothing),
		T(proxy_arp_set_again_keeps_its_lan),
		T(renegotiated_addresses_replace_the_old_ones),
		T(lookup_finds_the_right_session_among_thousands),
		TS(shared_mode_opens_one_tun_for_all_sessions),
		TS(shared_mode_sends_by_destination_address),
		TS(shared_mode_refuses_an_address_in_use),
		TS(shared_mode_delivers_to_the_shared_tun_and_removes_routes),
		TS(shared_mode_does_not_do_ipv6),
		TS(caps_shared_tun),
		TS(session_set_mtu_on_the_shared_tun_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
