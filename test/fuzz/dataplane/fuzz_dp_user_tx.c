/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the transmit side of the userspace data path. What a
 * client's host stack routes into the tunnel (packets read from a TUN
 * device) and the PPP control frames the daemon sends are both attacker-
 * influenced: a client chooses the packets it sends to other clients and
 * to the LAN, and the server's own stack answers them. The input is a
 * program of operations on one dataplane with two tunnels and up to four
 * sessions, in per-session or shared-TUN mode, so the fuzzer reaches the
 * states between them (sessions deleted and made again, IPv4/IPv6 enabled
 * and disabled, sequencing on and off, sends failing).
 *
 * Input: one octet of mode (bit 0: shared TUN), then operations, each an
 * opcode octet followed by its operands (see the switch; lengths of TUN
 * packets are two octets, big-endian). After every
 * operation that sent something, the datagram is checked: it must be an
 * L2TP data message (T=0, version 2) addressed to one of our peers'
 * tunnels, and never larger than what was given plus the encapsulation.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "fake_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TUNNELS		2
#define SESSIONS	4	/* session i lives in tunnel i % TUNNELS */

struct tx_state {
	struct fake_io f;
	struct dp_user_io io;
	struct dp_callbacks cb;
	struct dataplane *dp;
	struct dp_tunnel *t[TUNNELS];
	struct dp_session *s[SESSIONS];
	bool shared;
};

/* Operands come from the input; a short input reads as zeros. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t get8(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static uint16_t peer_tunnel_id(unsigned t)
{
	return (uint16_t)(0x100 + t);
}

static void on_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame,
		   size_t len)
{
	(void)ctx;
	(void)s;
	(void)cookie;
	assert(len >= 2);
	(void)frame;
}

static int session_make(struct tx_state *st, unsigned i)
{
	struct dp_session_params sp = {
		.local_session_id = (uint16_t)(0x10 + i),
		.peer_session_id = (uint16_t)(0x20 + i),
		.mtu = 1400,
		.mru = 1400,
	};

	return dataplane_userspace.session_create(st->dp, st->t[i % TUNNELS], &sp, st, &st->s[i]);
}

static int setup(struct tx_state *st, bool shared)
{
	struct dp_user_config cfg = {.mode = shared ? DP_USER_TUN_SHARED : DP_USER_TUN_PER_SESSION,
				     .burst = 8};

	memset(st, 0, sizeof(*st));
	st->shared = shared;
	st->f.record = true;
	st->io = fake_io_ops(&st->f);
	st->cb.ctx = st;
	st->cb.ppp_control_rx = on_ppp;
	if (dp_user_create(&st->cb, &st->io, &cfg, &st->dp) < 0)
		return -1;
	for (unsigned t = 0; t < TUNNELS; t++) {
		struct dp_tunnel_params tp;

		memset(&tp, 0, sizeof(tp));
		tp.udp_fd = 5;
		tp.local_tunnel_id = (uint16_t)(1 + t);
		tp.peer_tunnel_id = peer_tunnel_id(t);
		tp.fwmark = t ? 0x10 : 0;
		fake_sockaddr4(&tp.peer, t ? "192.0.2.3" : "192.0.2.2", 1701);
		if (dataplane_userspace.tunnel_create(st->dp, &tp, &st->t[t]) < 0)
			return -1;
	}
	for (unsigned i = 0; i < SESSIONS; i++)
		if (session_make(st, i) < 0)
			return -1;
	return 0;
}

/* The datagram just sent must be an L2TP data message to one of our
 * peers' tunnels (RFC 2661 section 3.1: T=0, Ver=2). */
static void check_send(const struct tx_state *st, unsigned sends_before, size_t max_payload)
{
	const uint8_t *m = st->f.last_send;
	uint16_t tid;
	size_t off;

	if (st->f.sends == sends_before)
		return;
	assert(st->f.last_send_len >= DP_USER_L2TP_HDR_LEN);
	assert(st->f.last_send_len <= max_payload + DP_USER_ENCAP_MAX);
	assert((m[0] & 0x80) == 0);		/* T=0: data */
	assert((m[1] & 0x0f) == 2);		/* version 2 */
	off = (m[0] & 0x40) ? 4 : 2;		/* L: a length field */
	tid = (uint16_t)(m[off] << 8 | m[off + 1]);
	assert(tid == peer_tunnel_id(0) || tid == peer_tunnel_id(1));
}

static void teardown(struct tx_state *st)
{
	for (unsigned i = 0; i < SESSIONS; i++)
		if (st->s[i])
			dataplane_userspace.session_delete(st->dp, st->s[i]);
	for (unsigned t = 0; t < TUNNELS; t++)
		if (st->t[t])
			dataplane_userspace.tunnel_delete(st->dp, st->t[t]);
	if (st->dp)
		dataplane_userspace.destroy(st->dp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tx_state st;	/* fake_io's queues are large: not on the stack */
	struct reader r = {data, size};
	uint8_t buf[FAKE_MAX_PKT];
	unsigned steps = 0;

	if (size < 1)
		return 0;
	if (setup(&st, get8(&r) & 1) < 0)
		abort();
	while (r.left && steps++ < 64) {
		uint8_t op = get8(&r);
		unsigned i = (op >> 4) % SESSIONS;
		struct dp_session *s = st.s[i];
		unsigned before = st.f.sends;
		size_t len;

		switch (op & 0x0f) {
		case 0: /* the host stack routes a packet into the session (or the shared TUN) */
		case 1:
			len = (size_t)get8(&r) << 8;
			len |= get8(&r);
			if (len > FAKE_MAX_PKT)
				len = FAKE_MAX_PKT;
			if (len > r.left)
				len = r.left;
			memcpy(buf, r.p, len);
			r.p += len;
			r.left -= len;
			fake_queue_packet(&st.f, buf, len);
			if (st.shared)
				dataplane_userspace.fd_ready(st.dp, dp_user_shared_fd(st.dp));
			else if (s && dp_user_session_fd(s) >= 0)
				dataplane_userspace.fd_ready(st.dp, dp_user_session_fd(s));
			/* a packet no session read stays queued; drop it */
			st.f.q_head = st.f.q_tail;
			check_send(&st, before, len);
			break;
		case 2: /* the daemon sends a PPP control frame */
			len = get8(&r);
			if (len > r.left)
				len = r.left;
			if (s)
				(void)dataplane_userspace.session_send_ppp(st.dp, s, r.p, len);
			r.p += len;
			r.left -= len;
			check_send(&st, before, len);
			break;
		case 3: /* IPCP/IPV6CP (re)negotiated */
			if (s) {
				struct dp_ip_params ip = {.has_ipv6 = get8(&r) & 1,
							  .local_ifid = 1, .peer_ifid = 2};

				ip.local.s_addr = htonl(0xc6336401);
				ip.peer.s_addr = htonl(0xc6336400u | get8(&r));
				(void)dataplane_userspace.session_set_ip(st.dp, s, &ip);
			}
			break;
		case 4: /* Sequencing Required came or went */
			if (s)
				dp_user_session_set_send_seq(st.dp, s, get8(&r) & 1);
			break;
		case 5: /* sendmsg fails: buffer full, or an IPsec block policy */
			st.f.fail_send = (get8(&r) & 1) ? -EAGAIN : -EPERM;
			break;
		case 6:
			st.f.fail_send = 0;
			break;
		case 7: /* the call is cleared; a new one takes its place */
			if (s) {
				dataplane_userspace.session_delete(st.dp, s);
				st.s[i] = NULL;
			} else if (session_make(&st, i) < 0) {
				st.s[i] = NULL;
			}
			break;
		case 8: { /* data from a peer interleaved with sends */
			struct sockaddr_storage from;

			len = get8(&r);
			if (len > r.left)
				len = r.left;
			fake_sockaddr4(&from, (op & 0x10) ? "192.0.2.3" : "192.0.2.2", 1701);
			dp_user_data_rx_mark(st.dp, r.p, len, &from, true, (op & 0x20) ? 0x10 : 0);
			r.p += len;
			r.left -= len;
			break;
		}
		default:
			break;
		}
	}
	teardown(&st);
	return 0;
}
