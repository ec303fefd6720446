/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: data_rx of the userspace data path on untrusted
 * datagrams, with one tunnel and one session (IPv4 and IPv6 enabled) whose
 * TUN is the in-memory one of fake_io.h. Control frames handed up are sent
 * straight back with session_send_ppp, as a daemon answering LCP would.
 *
 * Input: one octet of options, then the UDP payload.
 *   bit 0  the datagram comes from another address than the tunnel's peer
 *   bit 1  it carries an SO_MARK (bit 4: the tunnel's, else another)
 *   bit 2  the payload is also read from the TUN device (fd_ready path)
 *   bit 3  echo control frames back (session_send_ppp)
 *   bit 5  sequence numbers on our sends
 * Seeds: test/fuzz/corpus/dp_user_rx/.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "fake_io.h"

#define LOCAL_TID	0x0001
#define PEER_TID	0x0002
#define LOCAL_SID	0x0003
#define PEER_SID	0x0004
#define MARK		0x10

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_state {
	struct fake_io f;
	struct dp_user_io io;
	struct dp_callbacks cb;
	struct dataplane *dp;
	struct dp_tunnel *t;
	struct dp_session *s;
	struct sockaddr_storage peer, other;
	bool echo;
};

static void on_ppp(void *ctx, struct dp_session *s, void *cookie, const uint8_t *frame, size_t len)
{
	struct fuzz_state *st = ctx;

	/* The interface promises a protocol field first. */
	assert(len >= 2);
	assert(frame[1] & 1);
	assert(s == st->s && cookie == st);
	if (st->echo)
		(void)dataplane_userspace.session_send_ppp(st->dp, s, frame, len);
}

static struct fuzz_state *state(void)
{
	static struct fuzz_state *st;
	struct dp_tunnel_params tp;
	struct dp_session_params sp = {.local_session_id = LOCAL_SID, .peer_session_id = PEER_SID,
				       .mtu = 1400, .mru = 1400};
	struct dp_ip_params ip = {.has_ipv6 = 1, .local_ifid = 1, .peer_ifid = 2};

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		abort();
	st->io = fake_io_ops(&st->f);
	st->cb.ctx = st;
	st->cb.ppp_control_rx = on_ppp;
	memset(&tp, 0, sizeof(tp));
	tp.udp_fd = 5;
	tp.local_tunnel_id = LOCAL_TID;
	tp.peer_tunnel_id = PEER_TID;
	tp.fwmark = MARK;
	fake_sockaddr4(&tp.peer, "192.0.2.2", 1701);
	fake_sockaddr4(&st->other, "192.0.2.3", 1701);
	st->peer = tp.peer;
	ip.local.s_addr = htonl(0xc6336401);
	ip.peer.s_addr = htonl(0xc6336402);
	if (dp_user_create(&st->cb, &st->io, NULL, &st->dp) < 0 ||
	    dataplane_userspace.tunnel_create(st->dp, &tp, &st->t) < 0 ||
	    dataplane_userspace.session_create(st->dp, st->t, &sp, st, &st->s) < 0 ||
	    dataplane_userspace.session_set_ip(st->dp, st->s, &ip) < 0)
		abort();
	return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_state *st = state();
	uint8_t opt;

	if (size < 1)
		return 0;
	opt = data[0];
	data++;
	size--;
	st->echo = opt & 8;
	dp_user_session_set_send_seq(st->dp, st->s, opt & 32);
	dp_user_data_rx_mark(st->dp, data, size, (opt & 1) ? &st->other : &st->peer,
			     opt & 2, (opt & 16) ? MARK : MARK + 1);
	if ((opt & 4) && size <= FAKE_MAX_PKT) {
		fake_queue_packet(&st->f, data, size);
		dataplane_userspace.fd_ready(st->dp, dp_user_session_fd(st->s));
	}
	return 0;
}
