/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine of l2tp-client: the L2TP control plane (LAC role), one
 * ppp-core client per session, the userspace data path and the event loop.
 *
 * Rules that shape this file:
 * - Neither library may be re-entered from its own callbacks (l2tp.h:
 *   "Callbacks must not call back into the ctx"). PPP events that need an
 *   L2TP action (a CDN after LCP went down) are queued in cl->deferred and
 *   carried out by process_deferred() once the library call returned.
 * - Every lookup is O(1): sessions by (tunnel id, session id) through the
 *   ctx's hash (l2tp_session_get), tunnels by id through 64 Ki arrays;
 *   all per-session timers are in one min-heap (heap.c), the ctx has one
 *   deadline of its own.
 * - No syscall per session except the datagrams themselves: randomness
 *   comes from a PRNG seeded once, output is flushed once per loop turn.
 */
#include "client.h"
#include "peap_frame.h"
#include "tun.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define RX_BATCH 32
#define RX_BUFSZ 2048
#define SOCK_BUF (4 << 20)

/* ---- time and randomness ---- */

uint64_t mono_time_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* xoroshiro128+: a test tool's challenges and magic numbers need to be
 * unpredictable to nobody; a syscall per random byte would cost more than
 * the rest of a session set-up. Seeded once from getrandom(). */
static uint64_t rng_next(struct client *cl)
{
	uint64_t s0 = cl->rng[0], s1 = cl->rng[1], r = s0 + s1;

	s1 ^= s0;
	cl->rng[0] = (s0 << 55 | s0 >> 9) ^ s1 ^ (s1 << 14);
	cl->rng[1] = s1 << 36 | s1 >> 28;
	return r;
}

static void rng_fill(struct client *cl, uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t v = rng_next(cl);
		size_t n = len < 8 ? len : 8;

		memcpy(buf, &v, n);
		buf += n;
		len -= n;
	}
}

static struct client *the_client(void *arg)
{
	return arg;
}

static int l2tp_random(void *arg, void *buf, size_t len)
{
	rng_fill(the_client(arg), buf, len);
	return 0;
}

/* ---- addresses ---- */

static void addr_from_sockaddr(struct l2tp_addr *a, const struct sockaddr_storage *ss)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		a->port = ntohs(in->sin_port);
		memcpy(a->addr, &in->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

		a->port = ntohs(in6->sin6_port);
		memcpy(a->addr, &in6->sin6_addr, 16);
	}
}

static socklen_t sockaddr_from_addr(struct sockaddr_storage *ss, const struct l2tp_addr *a)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(a->port);
		memcpy(&in->sin_addr, a->addr, 4);
		return sizeof(*in);
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(a->port);
	memcpy(&in6->sin6_addr, a->addr, 16);
	return sizeof(*in6);
}

/* ---- sockets ---- */

static int open_socket(struct client *cl, struct l2tp_addr *local)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct epoll_event ev = {.events = EPOLLIN};
	int fd, v = SOCK_BUF;

	fd = socket(cl->o->bind.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* bursts of thousands of replies at once: room for them */
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
	if (bind(fd, (const struct sockaddr *)&cl->o->bind, cl->o->bind_len) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	addr_from_sockaddr(local, &ss);
	/* remember the address per fd: no getsockname per wake-up */
	if (fd >= cl->fd_local_cap) {
		int cap = fd + 1 > 2 * cl->fd_local_cap ? fd + 1 : 2 * cl->fd_local_cap;
		struct l2tp_addr *m = realloc(cl->fd_local, (size_t)cap * sizeof(*m));

		if (!m) {
			close(fd);
			return -ENOMEM;
		}
		cl->fd_local = m;
		cl->fd_local_cap = cap;
	}
	cl->fd_local[fd] = *local;
	ev.data.fd = fd;
	if (epoll_ctl(cl->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static void send_datagram(struct client *cl, int fd, const struct l2tp_addr *peer,
			  const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sockaddr_from_addr(&ss, peer);

	if (fd < 0 || sendto(fd, buf, len, 0, (struct sockaddr *)&ss, sl) < 0)
		cl->cnt.send_errors++;
}

static int fd_for_local(struct client *cl, const struct l2tp_addr *local)
{
	if (cl->o->separate_ports)
		return cl->port_fd[local->port];
	return cl->shared_fd;
}

/* ---- timers ---- */

static void session_rearm(struct client *cl, struct cl_session *s)
{
	uint64_t d = UINT64_MAX;

	if (s->ppp_deadline)
		d = s->ppp_deadline;
	if (s->ping_deadline && s->ping_deadline < d)
		d = s->ping_deadline;
	if (d == UINT64_MAX)
		dheap_cancel(&cl->heap, s->index);
	else
		dheap_set(&cl->heap, s->index, d);
}

/* ---- deferred L2TP actions ---- */

static void defer_cdn(struct client *cl, struct cl_session *s)
{
	if (s->cdn_pending || s->l2tp_down || !s->opened)
		return;
	s->cdn_pending = true;
	cl->deferred[cl->n_deferred++] = s->index;
}

static void request_tunnel_close(struct client *cl, struct cl_tunnel *t)
{
	if (t->state == CT_IDLE || t->done || t->close_requested)
		return;
	t->close_requested = true;
	cl->tunnels_dirty = true;
}

/* ---- reporting helpers ---- */

/* After IPCP, the session waits for echo replies, a DHCPACK or an RA. */
static bool waits(const struct client *cl)
{
	return cl->o->ping || cl->o->dhcp_inform || cl->o->ipv6_ra;
}

/* What it waits for besides echo replies has come. */
static bool extras_done(const struct client *cl, const struct cl_session *s)
{
	return (!cl->o->dhcp_inform || s->inform) && (!cl->o->ipv6_ra || s->ra);
}

static void session_report_up(struct client *cl, struct cl_session *s)
{
	s->reported = true;
	cl->n_reported++;
	s->success = (!cl->o->ping || s->ping_recv >= cl->o->ping_count) &&
		     extras_done(cl, s);
	if (s->success)
		cl->n_success++;
	if (!waits(cl) || s->success)
		s->stage = STAGE_UP;
	report_session(cl, s, "up");
}

static void session_report_failed(struct client *cl, struct cl_session *s)
{
	s->reported = true;
	cl->n_reported++;
	cl->n_failed++;
	report_session(cl, s, "failed");
}

static void ping_finish(struct client *cl, struct cl_session *s)
{
	s->ping_deadline = 0;
	session_rearm(cl, s);
	cl->ping_sent += s->ping_sent;
	cl->ping_recv += s->ping_recv;
	session_report_up(cl, s);
}

/* The L2TP side of the session is gone: the end of its story. */
static void session_finished(struct client *cl, struct cl_session *s)
{
	if (s->ipcp_up && !s->reported && cl->o->ping) {
		/* dropped while pinging: count what we have, report it failed */
		cl->ping_sent += s->ping_sent;
		cl->ping_recv += s->ping_recv;
	}
	s->ping_deadline = 0;
	s->ppp_deadline = 0;
	dheap_cancel(&cl->heap, s->index);
	if (!s->reported) {
		session_report_failed(cl, s);
	} else if (s->stage == STAGE_UP && !s->closing) {
		s->dropped = true;
		cl->n_dropped++;
		report_session(cl, s, "down");
	}
	if (s->tunnel->live_sessions)
		s->tunnel->live_sessions--;
	if (cl->phase == PH_CLOSING && s->tunnel->live_sessions == 0)
		request_tunnel_close(cl, s->tunnel);
}

/* ---- PPP callbacks (ctx: the session) ---- */

/* --auth-gate: PAP (0xc023), CHAP (0xc223), EAP (0xc227) wait for the
 * file. Dropped, not queued: ppp-core resends a PAP request on its timer
 * and answers the LNS's retransmitted Challenge again (RFC 1994 4.1), so
 * the login resumes by itself once the file exists. */
static bool auth_gated(struct client *cl, const uint8_t *f, size_t n)
{
	unsigned proto;

	if (!cl->o->auth_gate)
		return false;
	if (n >= 2 && f[0] == 0xff && f[1] == 0x03) {	/* address and control */
		f += 2;
		n -= 2;
	}
	proto = n >= 2 ? (unsigned)f[0] << 8 | f[1] : 0;
	if (proto != 0xc023 && proto != 0xc223 && proto != 0xc227)
		return false;
	if (access(cl->o->auth_gate, F_OK) == 0)
		return false;
	cl->cnt.auth_gated++;
	return true;
}

static void ppp_send_cb(void *arg, const uint8_t *frame, size_t len)
{
	struct cl_session *s = arg;
	struct client *cl = s->cl;
	uint8_t buf[PPP_MAX_FRAME + 32];
	size_t h;

	if (!s->l2tp_up || s->l2tp_down || len > sizeof(buf) - 16)
		return;
	if (auth_gated(cl, frame, len))
		return;
	/* RFC 2661 3.1: a data message (T=0) with the peer's ids; no
	 * sequence numbers (the LNS did not ask for them, 5.4) */
	h = l2tp_data_header_write(buf, sizeof(buf), s->peer_tid, s->peer_sid);
	if (!h)
		return;
	memcpy(buf + h, frame, len);
	cl->cnt.tx_data++;
	/* LCP (0xc021) Configure-Request (code 1), and whether the restart
	 * timer sent it (TO+, RFC 1661 4.6: the LNS never answered the last
	 * one).  ppp-core gives every request a fresh Identifier, even a
	 * retransmission, so the Identifier cannot tell. */
	{
		const uint8_t *f = frame;
		size_t n = len;

		if (n >= 2 && f[0] == 0xff && f[1] == 0x03) {	/* address and control */
			f += 2;
			n -= 2;
		}
		if (n >= 4 && f[0] == 0xc0 && f[1] == 0x21 && f[2] == 1) {
			cl->cnt.lcp_confreq_sent++;
			if (s->ppp.lcp.last_event == PPP_FSM_TO_PLUS)
				cl->cnt.lcp_confreq_retransmits++;
		}
	}
	send_datagram(cl, s->tunnel->fd, &s->tunnel->peer, buf, h + len);
}

static void ppp_set_timer_cb(void *arg, uint64_t deadline)
{
	struct cl_session *s = arg;

	s->ppp_deadline = deadline;
	session_rearm(s->cl, s);
}

static int ppp_random_cb(void *arg, uint8_t *buf, size_t len)
{
	struct cl_session *s = arg;

	rng_fill(s->cl, buf, len);
	return 0;
}

/* --auth peap (peap.c): its state is the session's own */
static void peap_keep(struct cl_session *s)
{
	s->peap_status = (uint8_t)peap_session_status(s->peap);
	s->peap_code = (uint16_t)peap_session_failure_code(s->peap);
	s->peap_detail = peap_session_detail(s->peap);
}

static void peap_drop(struct cl_session *s)
{
	if (!s->peap)
		return;
	peap_keep(s);
	peap_session_free(s->peap);
	s->peap = NULL;
}

static int peap_method_cb(void *opaque, void *ctx,
			  const struct ppp_eap_method_request *req,
			  uint8_t *out, size_t cap)
{
	struct cl_session *s = ctx;
	int n = peap_respond(opaque, &s->peap, s->cfg->client->user,
			     s->cfg->client->password, req, out, cap);

	peap_keep(s);
	return n;
}

/* RFC 4137 4.1: the outer EAP-Success counts only once PEAP has verified
 * the server (its S=) and agreed the Result TLV */
static bool peap_success_ok(void *opaque, void *ctx)
{
	struct cl_session *s = ctx;

	(void)opaque;
	return peap_session_status(s->peap) == PEAP_ST_OK;
}

static void ppp_event_cb(void *arg, const struct ppp_event *ev)
{
	struct cl_session *s = arg;
	struct client *cl = s->cl;

	switch (ev->type) {
	case PPP_EVENT_LINK_UP:
		s->stage = STAGE_AUTH;
		break;
	case PPP_EVENT_AUTH_RESULT:
		s->auth_done = true;
		s->auth_ok = ev->u.auth_result.success;
		s->auth_code = (uint16_t)ev->u.auth_result.code;
		s->auth_method = (uint8_t)ev->u.auth_result.method;
		peap_drop(s);	/* the method is over: its TLS too */
		if (s->auth_ok)
			s->stage = STAGE_IPCP;
		break;
	case PPP_EVENT_NCP_UP:
		if (ev->u.ncp.protocol == PPP_PROTO_IPV6CP) {
			/* RFC 5072 section 5: fe80:: and our identifier, the
			 * source of our solicitations */
			memset(s->ll, 0, sizeof(s->ll));
			s->ll[0] = 0xfe;
			s->ll[1] = 0x80;
			memcpy(s->ll + 8, ev->u.ncp.local_ifid, 8);
			memcpy(s->peer_ll, s->ll, 8);
			memcpy(s->peer_ll + 8, ev->u.ncp.peer_ifid, 8);
			s->ipv6cp_up = true;
			/* --tun: the host's side of the link gets the same
			 * address; 1280, IPv6's minimum, fits any PPP MRU */
			if (cl->tun_fd >= 0) {
				int rc = cl_tun_configure(cl->o->tun, s->ll, 1280);

				if (rc)
					fprintf(stderr, "l2tp-client: --tun %s: %s\n", cl->o->tun,
						strerror(-rc));
			}
			/* --no-ipcp: IPV6CP is the network layer; the
			 * session is up from here (addr stays 0.0.0.0) */
			if (!cl->o->no_ipcp)
				break;
		} else if (ev->u.ncp.protocol != PPP_PROTO_IPCP) {
			break;
		}
		if (s->ipcp_up)
			break;
		s->ipcp_up = true;
		s->addr = ev->u.ncp.local_addr;
		s->peer_addr = ev->u.ncp.peer_addr;
		memcpy(s->dns, ev->u.ncp.dns, sizeof(s->dns));
		memcpy(s->nbns, ev->u.ncp.nbns, sizeof(s->nbns));
		s->t_up_us = mono_time_us();
		cl->setup_us[cl->n_up++] = (uint32_t)(s->t_up_us - s->t_open_us);
		if (s->t_up_us > cl->t_last_up_us)
			cl->t_last_up_us = s->t_up_us;
		if (waits(cl) && !s->closing) {
			s->stage = STAGE_PING;
			s->ping_deadline = cl->now ? cl->now : 1;
			session_rearm(cl, s);
		} else {
			session_report_up(cl, s);
		}
		break;
	case PPP_EVENT_NCP_DOWN:
		break;	/* LCP going down follows; the session ends there */
	case PPP_EVENT_LINK_DOWN:
		peap_drop(s);
		s->ppp_down = true;
		s->ppp_reason = (uint8_t)ev->u.link_down.reason;
		s->ppp_deadline = 0;
		session_rearm(cl, s);
		/* RFC 2661 5.4.4 / 4.4.5: the call ends with a CDN from us */
		defer_cdn(cl, s);
		break;
	case PPP_EVENT_AUTH_REQUEST:
	case PPP_EVENT_IDENTIFICATION:
	case PPP_EVENT_TIME_REMAINING:
		break;
	}
}

/* ---- L2TP callbacks ---- */

/* ---- ICCN on the wire: start PPP ---- */

static uint32_t iccn_key(uint32_t tunnel_index, uint16_t peer_sid)
{
	uint32_t k = tunnel_index * 65536u + peer_sid;

	return (k * 2654435761u) >> 7;
}

/* Each session is added once in its life (its SESSION_UP), so a table of
 * twice the sessions never fills; stale entries are told apart by the
 * session's own fields. */
static void iccn_hash_add(struct client *cl, struct cl_session *s)
{
	uint32_t i = iccn_key((uint32_t)(s->tunnel - cl->tunnels), s->peer_sid) & cl->iccn_mask;

	while (cl->iccn_hash[i])
		i = (i + 1) & cl->iccn_mask;
	cl->iccn_hash[i] = s->index + 1;
}

static struct cl_session *iccn_hash_find(struct client *cl, uint32_t tunnel_index,
					 uint16_t peer_sid)
{
	uint32_t i = iccn_key(tunnel_index, peer_sid) & cl->iccn_mask;

	for (; cl->iccn_hash[i]; i = (i + 1) & cl->iccn_mask) {
		struct cl_session *s = &cl->sessions[cl->iccn_hash[i] - 1];

		if (s->start_pending && s->peer_sid == peer_sid &&
		    (uint32_t)(s->tunnel - cl->tunnels) == tunnel_index)
			return s;
	}
	return NULL;
}

/* The type of a control message we send (its first AVP, section 4.1). */
static bool ctrl_type(const uint8_t *buf, size_t len, struct l2tp_header *h, uint16_t *type)
{
	struct wire_rd r;
	uint16_t flags_len, vendor, attr;

	if (l2tp_ctrl_header_parse(buf, len, h) != L2TP_OK)
		return false;
	wire_rd_init(&r, buf + h->hdr_len, h->frame_len - h->hdr_len);
	if (!wire_rd_u16(&r, &flags_len) || !wire_rd_u16(&r, &vendor) ||
	    !wire_rd_u16(&r, &attr) || !wire_rd_u16(&r, type))
		return false;
	return vendor == 0 && attr == L2TP_AVP_MESSAGE_TYPE;
}

static void watch_iccn(struct client *cl, const struct l2tp_header *h)
{
	uint32_t ti = cl->peer_tid_map[h->tunnel_id];
	struct cl_session *s;

	if (!ti)
		return;
	s = iccn_hash_find(cl, ti - 1, h->session_id);
	if (!s || s->iccn_sent)
		return;
	/* inside the ctx's send: start PPP once it returned */
	s->iccn_sent = true;
	cl->deferred[cl->n_deferred++] = s->index;
}

static void l2tp_send_cb(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
			 const uint8_t *buf, size_t len)
{
	struct client *cl = arg;

	struct l2tp_header h;
	uint16_t type;

	cl->cnt.tx_control++;
	if (ctrl_type(buf, len, &h, &type)) {
		if (type == L2TP_MSG_ICCN) {
			watch_iccn(cl, &h);
		} else if (type == L2TP_MSG_STOPCCN && cl->peer_tid_map[h.tunnel_id]) {
			/* its Ns: the acknowledgement (an Nr past it, RFC 2661
			 * 5.8) is what an orderly close waits for */
			struct cl_tunnel *t = &cl->tunnels[cl->peer_tid_map[h.tunnel_id] - 1];

			t->stopccn_sent = true;
			t->stopccn_ns = h.ns;
		}
	}
	send_datagram(cl, fd_for_local(cl, local), peer, buf, len);
}

static void l2tp_event_cb(void *arg, const struct l2tp_event *ev)
{
	struct client *cl = arg;
	struct cl_tunnel *t = ev->tunnel_user;
	struct cl_session *s = ev->session_user;

	switch (ev->type) {
	case L2TP_EV_TUNNEL_REFUSED:
		return;	/* LNS only */
	case L2TP_EV_TUNNEL_UP:
		if (!t)
			return;
		t->state = CT_UP;
		t->peer_id = ev->peer_tunnel_id;
		t->peer = *ev->peer;	/* the LNS may answer from another port */
		cl->peer_tid_map[t->peer_id] = (uint32_t)(t - cl->tunnels) + 1;
		break;
	case L2TP_EV_TUNNEL_DOWN:
		if (!t)
			return;
		t->state = CT_DOWN;
		t->cause = (uint8_t)ev->cause;
		t->result_code = ev->result_code;
		t->error_code = ev->error_code;
		/* closed by the peer or lost: nothing of ours left to ack */
		if (ev->cause != L2TP_DOWN_LOCAL)
			t->done = true;
		break;
	case L2TP_EV_SESSION_UP:
		if (!s)
			return;
		s->l2tp_up = true;
		s->peer_sid = ev->peer_session_id;
		s->peer_tid = ev->peer_tunnel_id;
		s->stage = STAGE_LCP;
		if (s->closing) {
			defer_cdn(cl, s);
			return;
		}
		/* Not yet: the ctx has only queued our ICCN, and behind the
		 * peer's receive window (RFC 2661 5.8) it may leave much later.
		 * An LCP Configure-Request overtaking it finds no session at
		 * the LNS (xl2tpd: "tty is not open yet") and costs a Restart
		 * timer (3 s): PPP starts when the ICCN goes out (watch_iccn). */
		s->start_pending = true;
		iccn_hash_add(cl, s);
		break;
	case L2TP_EV_SESSION_DOWN:
		if (!s || s->l2tp_down)
			return;
		s->l2tp_down = true;
		s->l2tp_cause = (uint8_t)ev->cause;
		if (ev->cause != L2TP_DOWN_LOCAL || !s->l2tp_result) {
			s->l2tp_result = ev->result_code;
			s->l2tp_error = ev->error_code;
		}
		if (s->ppp_started && !s->ppp_down)
			ppp_lower_down(&s->ppp, cl->now);
		session_finished(cl, s);
		break;
	case L2TP_EV_SESSION_ACCEPTED:	/* LNS role only: not ours */
	case L2TP_EV_TUNNEL_CLOSED:	/* TUNNEL_DOWN said it all */
	case L2TP_EV_SESSION_REFUSED:
	case L2TP_EV_SESSION_SLI:
	case L2TP_EV_SESSION_WEN:
		break;
	}
}

/* ---- opening ---- */

static void session_fail_now(struct client *cl, struct cl_session *s, enum l2tp_down_cause cause)
{
	s->l2tp_cause = (uint8_t)cause;
	s->stage = STAGE_L2TP;
	if (s->tunnel->state == CT_DOWN) {
		s->l2tp_result = s->tunnel->result_code;
		s->l2tp_error = s->tunnel->error_code;
	}
	session_report_failed(cl, s);
}

static void open_session(struct client *cl, struct cl_session *s)
{
	struct cl_tunnel *t = s->tunnel;
	struct l2tp_addr peer;
	int rc;

	s->t_open_us = mono_time_us();
	if (!cl->t_first_open_us)
		cl->t_first_open_us = s->t_open_us;
	if (t->state == CT_IDLE) {
		if (cl->o->separate_ports) {
			t->fd = open_socket(cl, &t->local);
			if (t->fd < 0) {
				fprintf(stderr, "l2tp-client: socket: %s\n", strerror(-t->fd));
				t->state = CT_DOWN;
				t->cause = L2TP_DOWN_RESOURCES;
				t->done = true;
				session_fail_now(cl, s, L2TP_DOWN_RESOURCES);
				return;
			}
			cl->port_fd[t->local.port] = t->fd;
		}
		addr_from_sockaddr(&peer, &cl->o->server);
		t->peer = peer;
		rc = l2tp_tunnel_open(cl->ctx, &peer, &t->local, cl->now, &t->id);
		if (rc < 0) {
			t->state = CT_DOWN;
			t->cause = L2TP_DOWN_RESOURCES;
			t->done = true;
			session_fail_now(cl, s, L2TP_DOWN_RESOURCES);
			return;
		}
		t->state = CT_OPENING;
		cl->tid_map[t->id] = (uint32_t)(t - cl->tunnels) + 1;
		l2tp_tunnel_set_user(cl->ctx, t->id, t);
	}
	if (t->state == CT_DOWN) {
		session_fail_now(cl, s, L2TP_DOWN_TUNNEL);
		return;
	}
	rc = l2tp_session_open(cl->ctx, t->id, cl->now, &s->sid);
	if (rc < 0) {
		session_fail_now(cl, s, L2TP_DOWN_RESOURCES);
		return;
	}
	l2tp_session_set_user(cl->ctx, t->id, s->sid, s);
	s->opened = true;
	s->stage = STAGE_L2TP;
	t->live_sessions++;
}

/* Open the sessions that are due: all at once, or --rate per second from
 * the start, session k at t0 + k / rate. */
static void open_due(struct client *cl)
{
	uint32_t n = cl->o->sessions;

	while (cl->phase == PH_SETUP && cl->next_open < n) {
		if (cl->o->rate > 0) {
			double at = (double)cl->t0_ms + (double)cl->next_open * 1000.0 / cl->o->rate;

			if ((double)cl->now < at)
				break;
		}
		open_session(cl, &cl->sessions[cl->next_open++]);
	}
}

static uint64_t next_open_at(const struct client *cl)
{
	if (cl->phase != PH_SETUP || cl->next_open >= cl->o->sessions)
		return UINT64_MAX;
	if (cl->o->rate <= 0)
		return cl->now;
	return cl->t0_ms + (uint64_t)((double)cl->next_open * 1000.0 / cl->o->rate + 0.999);
}

/* ---- deferred work ---- */

static void process_deferred(struct client *cl)
{
	while (cl->n_deferred || cl->tunnels_dirty) {
		while (cl->n_deferred) {
			struct cl_session *s = &cl->sessions[cl->deferred[--cl->n_deferred]];

			if (s->start_pending && s->iccn_sent) {
				s->start_pending = false;
				if (!s->l2tp_down && !s->closing) {
					ppp_session_init(&s->ppp, s->cfg, PPP_CLIENT, s);
					/* --no-ipcp: a client with IPv4 off; ppp-core
					 * Protocol-Rejects the server's IPCP (RFC 1661
					 * 5.7) as any protocol not run */
					if (cl->o->no_ipcp)
						s->ppp.profile.ipcp = false;
					if (cl->o->auth != PPP_AUTH_NONE) {
						enum ppp_auth_method m = cl->o->auth;

						ppp_set_auth_methods(&s->ppp, &m, 1);
					}
					s->ppp_started = true;
					ppp_start(&s->ppp, cl->now);
				} else if (s->closing) {
					defer_cdn(cl, s);
				}
			}
			if (!s->cdn_pending)
				continue;
			s->cdn_pending = false;
			if (s->l2tp_down)
				continue;
			/* RFC 2661 4.4.2: CDN result 3, administrative reasons */
			if (l2tp_session_close(cl->ctx, s->tunnel->id, s->sid, L2TP_CDN_ADMIN, 0,
					       cl->now) < 0 && !s->l2tp_down) {
				/* the ctx no longer knows it (tunnel gone): finish here */
				s->l2tp_down = true;
				session_finished(cl, s);
			}
		}
		if (cl->tunnels_dirty) {
			cl->tunnels_dirty = false;
			for (uint32_t i = 0; i < cl->o->tunnels; i++) {
				struct cl_tunnel *t = &cl->tunnels[i];

				if (!t->close_requested || t->done)
					continue;
				t->close_requested = false;
				if (t->state == CT_DOWN && !t->stopccn_sent) {
					t->done = true;
					continue;
				}
				/* RFC 2661 4.4.2: StopCCN result 1, general request to clear */
				if (l2tp_tunnel_close(cl->ctx, t->id, L2TP_STOPCCN_CLEAR, 0, cl->now) < 0 ||
				    !t->stopccn_sent)
					t->done = true;	/* no StopCCN went out: nothing to wait for */
			}
		}
	}
}

/* ---- closing ---- */

static void begin_close(struct client *cl, const char *why)
{
	if (cl->phase == PH_CLOSING || cl->phase == PH_DONE)
		return;
	cl->phase = PH_CLOSING;
	cl->abort_reason = why;
	cl->close_deadline = cl->now + cl->o->close_timeout_ms;
	for (uint32_t i = 0; i < cl->o->sessions; i++) {
		struct cl_session *s = &cl->sessions[i];

		if (s->l2tp_down || s->closing)
			continue;
		s->closing = true;
		if (!s->opened) {
			if (!s->reported) {
				s->stage = STAGE_NONE;
				session_report_failed(cl, s);
			}
			continue;
		}
		if (s->ipcp_up && !s->reported)
			ping_finish(cl, s);
		if (!s->reported && why)
			s->timed_out = true;
		if (s->ppp_started && !s->ppp_down)
			ppp_close(&s->ppp, cl->now, PPP_DOWN_ADMIN); /* Terminate-Request first */
		else
			defer_cdn(cl, s);
	}
	for (uint32_t i = 0; i < cl->o->tunnels; i++) {
		struct cl_tunnel *t = &cl->tunnels[i];

		if (t->state == CT_IDLE)
			t->done = true;
		else if (t->live_sessions == 0)
			request_tunnel_close(cl, t);
	}
	process_deferred(cl);
}

static bool close_complete(const struct client *cl)
{
	for (uint32_t i = 0; i < cl->o->sessions; i++)
		if (cl->sessions[i].opened && !cl->sessions[i].l2tp_down)
			return false;
	for (uint32_t i = 0; i < cl->o->tunnels; i++)
		if (!cl->tunnels[i].done)
			return false;
	return true;
}

/* --report-echoes: a test waits for this line (an event) instead of
 * sleeping while a held session exchanges LCP echoes. */
static void check_echoes(struct client *cl)
{
	uint32_t least = UINT32_MAX;

	if (!cl->o->report_echoes || cl->echoes_reported)
		return;
	for (uint32_t i = 0; i < cl->o->sessions; i++) {
		const struct cl_session *s = &cl->sessions[i];
		uint32_t n;

		if (!s->ppp_started)
			return;
		n = ppp_session_stats(&s->ppp)->echo_answered;
		if (n < least)
			least = n;
	}
	if (least >= cl->o->report_echoes) {
		cl->echoes_reported = true;
		report_echoes(cl, least);
	}
}

static void check_phase(struct client *cl)
{
	switch (cl->phase) {
	case PH_SETUP:
		if (cl->n_reported == cl->o->sessions) {
			if (cl->o->hold_forever || cl->o->hold_ms) {
				cl->phase = PH_HOLD;
				cl->hold_until = cl->o->hold_forever ? UINT64_MAX
								      : cl->now + cl->o->hold_ms;
			} else {
				begin_close(cl, NULL);
			}
		} else if (cl->now >= cl->setup_deadline) {
			begin_close(cl, "timeout");
		}
		break;
	case PH_HOLD:
		check_echoes(cl);
		if (cl->now >= cl->hold_until)
			begin_close(cl, NULL);
		break;
	case PH_CLOSING:
		if (close_complete(cl) || cl->now >= cl->close_deadline)
			cl->phase = PH_DONE;
		break;
	case PH_DONE:
		break;
	}
}

/* ---- DHCPINFORM (--dhcp-inform) ---- */

/* What Windows sends over the link once IPCP is up: a DHCPINFORM from its
 * address to the limited broadcast, port 68 to 67 (RFC 2131 4.4.3), asking
 * for the options of a split tunnel. */
static void inform_send(struct client *cl, struct cl_session *s)
{
	static const uint8_t prl[] = { 1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43 };
	uint8_t buf[8 + 4 + 28 + DHCP_MAX_LEN], chaddr[6] = { 0x02, 0, 0, 0, 0, 0 };
	uint8_t msg[DHCP_MAX_LEN];
	uint32_t addr = htonl(s->addr);
	struct dhcp_writer w;
	size_t h, n, ip;

	memcpy(chaddr + 2, &addr, 4);
	dhcp_begin(&w, msg, sizeof(msg), DHCP_BOOTREQUEST, 0x4c320000u | s->index, chaddr, 6,
		   cl->o->dhcp_type);
	dhcp_set_addrs(&w, addr, 0, 0, 0);
	dhcp_put(&w, DHCP_OPT_VENDOR_CLASS, "MSFT 5.0", 8);
	dhcp_put(&w, DHCP_OPT_PARAM_LIST, prl, sizeof(prl));
	n = dhcp_finish(&w);
	h = l2tp_data_header_write(buf, sizeof(buf), s->peer_tid, s->peer_sid);
	if (!h || !n)
		return;
	buf[h] = 0xFF;
	buf[h + 1] = 0x03;
	buf[h + 2] = 0x00;
	buf[h + 3] = 0x21;
	ip = dhcp_udp_build(buf + h + 4, sizeof(buf) - h - 4, addr, INADDR_BROADCAST,
			    DHCP_CLIENT_PORT, DHCP_SERVER_PORT, msg, n);
	if (!ip)
		return;
	s->inform_sent++;
	cl->cnt.tx_data++;
	send_datagram(cl, s->tunnel->fd, &s->tunnel->peer, buf, h + 4 + ip);
}

static void routes_text(const uint8_t *v, uint8_t vlen, char *out, size_t cap)
{
	struct dhcp_route r[DHCP_INFORM_MAX_ROUTES];
	int n = v ? dhcp_parse_routes(v, vlen, r, DHCP_INFORM_MAX_ROUTES) : 0;
	size_t len = 0;

	out[0] = '\0';
	if (n < 0) {
		snprintf(out, cap, "malformed");
		return;
	}
	for (int i = 0; i < n && i < DHCP_INFORM_MAX_ROUTES; i++) {
		char d[INET_ADDRSTRLEN], g[INET_ADDRSTRLEN];
		int k;

		inet_ntop(AF_INET, &r[i].dest, d, sizeof(d));
		inet_ntop(AF_INET, &r[i].gateway, g, sizeof(g));
		k = snprintf(out + len, cap - len, "%s%s/%u>%s", i ? "," : "", d, r[i].prefix_len, g);
		if (k < 0 || (size_t)k >= cap - len)
			return;
		len += (size_t)k;
	}
}

/* The server's DHCPACK: ours (xid, to our address) and well formed. */
static void inform_reply(struct client *cl, struct cl_session *s, const struct dhcp_udp *u)
{
	struct dhcp_msg m;
	struct cl_inform *in;
	const uint8_t *v;
	uint8_t vlen;

	if (!cl->o->dhcp_inform || s->inform || u->sport != 67 || u->dst != htonl(s->addr) ||
	    dhcp_parse(u->payload, u->len, &m) != DHCP_OK || m.type != DHCPACK ||
	    m.xid != (0x4c320000u | s->index) || m.ciaddr != htonl(s->addr) || m.yiaddr ||
	    m.lease_time || !(in = calloc(1, sizeof(*in)))) {
		cl->cnt.inform_foreign++;
		return;
	}
	v = dhcp_find_option(u->payload, u->len, DHCP_OPT_DNS, &vlen);
	for (unsigned i = 0; v && i < 2 && 4u * (i + 1) <= vlen; i++) {
		memcpy(&in->dns[i], v + 4 * i, 4);
		in->dns[i] = ntohl(in->dns[i]);
	}
	v = dhcp_find_option(u->payload, u->len, DHCP_OPT_DOMAIN_NAME, &vlen);
	if (v)
		memcpy(in->domain, v, vlen < DHCP_DOMAIN_MAX ? vlen : DHCP_DOMAIN_MAX);
	v = dhcp_find_option(u->payload, u->len, DHCP_OPT_CLASSLESS_ROUTES, &vlen);
	routes_text(v, vlen, in->routes, sizeof(in->routes));
	v = dhcp_find_option(u->payload, u->len, DHCP_OPT_MS_CLASSLESS_ROUTES, &vlen);
	routes_text(v, vlen, in->routes_ms, sizeof(in->routes_ms));
	s->inform = in;
	if (!cl->o->ping || s->ping_recv >= cl->o->ping_count)
		ping_finish(cl, s);
}

/* ---- router solicitation (--ipv6-ra) ---- */

/* What a host sends once its link is up (RFC 4861 section 6.3.7). */
static void rs_send(struct client *cl, struct cl_session *s)
{
	uint8_t buf[8 + 4 + RA_IP6_HDR_LEN + 8];
	size_t h, n;

	h = l2tp_data_header_write(buf, sizeof(buf), s->peer_tid, s->peer_sid);
	if (!h)
		return;
	buf[h] = 0xFF;
	buf[h + 1] = 0x03;
	buf[h + 2] = 0x00;
	buf[h + 3] = 0x57;	/* IPv6, RFC 5072 section 3 */
	n = ra_build_rs(s->ll, buf + h + 4, sizeof(buf) - h - 4);
	if (!n)
		return;
	s->rs_sent++;
	cl->cnt.tx_data++;
	send_datagram(cl, s->tunnel->fd, &s->tunnel->peer, buf, h + 4 + n);
}

/* An IPv6 packet from the server: a valid RA after our first solicitation
 * is kept for the report (an earlier, unsolicited one is counted only, so
 * that what is kept shows the solicitation was answered). */
static void handle_ip6(struct client *cl, struct cl_session *s, const uint8_t *pkt, size_t len)
{
	struct ra_info in;

	/* --tun: everything the server sends goes to the host's stack too
	 * (its router advertisements, DHCPv6 answers, echo replies) */
	if (cl->tun_fd >= 0) {
		if (write(cl->tun_fd, pkt, len) == (ssize_t)len)
			cl->cnt.tun_tx++;
		else
			cl->cnt.send_errors++;
	}

	if (!cl->o->ipv6_ra || ra_parse(pkt, len, &in) != RA_OK) {
		if (cl->tun_fd < 0)
			cl->cnt.ipv6_other++;	/* with --tun: the host's, not a drop */
		return;
	}
	s->ra_recv++;
	if (s->ra || !s->rs_sent || !(s->ra = malloc(sizeof(*s->ra))))
		return;
	*s->ra = in;
	if (s->ipcp_up && !s->reported && (!cl->o->ping || s->ping_recv >= cl->o->ping_count) &&
	    extras_done(cl, s))
		ping_finish(cl, s);
}

/* ---- --tun ---- */

/* IPv6 the host sends on the TUN goes to the server in PPP (protocol
 * 0x0057, RFC 5072 section 3) on the one session, once IPV6CP is up. */
static void drain_tun(struct client *cl)
{
	struct cl_session *s = &cl->sessions[0];
	uint8_t buf[8 + 4 + 1500];

	for (int i = 0; i < 64; i++) {
		ssize_t n = read(cl->tun_fd, buf + 12, sizeof(buf) - 12);
		size_t h;

		if (n <= 0)
			return;
		if (!s->ipv6cp_up || s->ppp_down || (buf[12] >> 4) != 6) {
			cl->cnt.tun_dropped++;
			continue;
		}
		/* the 6-octet header without L, S or O: it ends where the
		 * frame starts */
		h = l2tp_data_header_write(buf + 2, 10, s->peer_tid, s->peer_sid);
		if (h != 6)
			return;
		buf[8] = 0xFF;
		buf[9] = 0x03;
		buf[10] = 0x00;
		buf[11] = 0x57;
		cl->cnt.tun_rx++;
		cl->cnt.tx_data++;
		send_datagram(cl, s->tunnel->fd, &s->tunnel->peer, buf + 2, 10 + (size_t)n);
	}
}

/* ---- ping ---- */

static void ping_send(struct client *cl, struct cl_session *s)
{
	uint8_t buf[8 + 4 + ICMP_ECHO_PACKET_LEN];
	size_t h, n;

	h = l2tp_data_header_write(buf, sizeof(buf), s->peer_tid, s->peer_sid);
	/* RFC 1662 3.1 address/control, then protocol 0x0021 (IPv4) */
	buf[h] = 0xFF;
	buf[h + 1] = 0x03;
	buf[h + 2] = 0x00;
	buf[h + 3] = 0x21;
	n = icmp_echo_build(buf + h + 4, sizeof(buf) - h - 4, s->addr, cl->o->ping_dst,
			    (uint16_t)s->ping_sent, (uint16_t)(s->index + 1),
			    (uint16_t)s->ping_sent);
	if (!h || !n)
		return;
	s->ping_sent++;
	cl->cnt.tx_data++;
	send_datagram(cl, s->tunnel->fd, &s->tunnel->peer, buf, h + 4 + n);
}

/*
 * Echo requests go out once per interval until ping_count replies came
 * back or ping_wait_ms passed since the first one (ping -c N -w W). The
 * peer's side of a link is not ready the instant our IPCP opens: pppd,
 * for one, passes IP only once its ip-pre-up script ran and the unit's
 * NP mode is set, so a fixed number of requests sent at once would test
 * the peer's start-up speed, not the data path.
 */
static void ping_timer(struct client *cl, struct cl_session *s)
{
	uint64_t end;

	if (s->reported || !s->ipcp_up)
		return;
	if (!s->ping_start)
		s->ping_start = cl->now;
	end = s->ping_start + cl->o->ping_wait_ms;
	if (((!cl->o->ping || s->ping_recv >= cl->o->ping_count) &&
	     extras_done(cl, s)) || cl->now >= end) {
		ping_finish(cl, s);
		return;
	}
	if (cl->o->ping && s->ping_sent < cl->o->ping_max_requests)
		ping_send(cl, s);
	if (cl->o->dhcp_inform && !s->inform && s->inform_sent < cl->o->ping_max_requests)
		inform_send(cl, s);
	if (cl->o->ipv6_ra && !s->ra && s->ipv6cp_up && s->rs_sent < cl->o->ping_max_requests)
		rs_send(cl, s);
	s->ping_deadline = cl->now + cl->o->ping_interval_ms;
	if (s->ping_deadline > end ||
	    ((!cl->o->ping || s->ping_sent >= cl->o->ping_max_requests) &&
	     (!cl->o->dhcp_inform || s->inform_sent >= cl->o->ping_max_requests) &&
	     (!cl->o->ipv6_ra || s->rs_sent >= cl->o->ping_max_requests)))
		s->ping_deadline = end;
	session_rearm(cl, s);
}

static void handle_ip(struct client *cl, struct cl_session *s, const uint8_t *pkt, size_t len)
{
	struct echo_reply rep;
	struct dhcp_udp u;
	enum echo_reject r = icmp_echo_reply_parse(pkt, len, &rep);
	uint8_t *seen;

	if (r != ECHO_OK && dhcp_udp_parse(pkt, len, &u) == DHCP_UDP_OK && u.dport == 68) {
		inform_reply(cl, s, &u);
		return;
	}
	if (r != ECHO_OK) {
		cl->cnt.echo_rejects[r]++;
		return;
	}
	if (!cl->o->ping || rep.src != cl->o->ping_dst || rep.dst != s->addr ||
	    rep.ident != (uint16_t)(s->index + 1) || rep.seq >= s->ping_sent || s->reported) {
		cl->cnt.echo_foreign++;
		return;
	}
	seen = cl->ping_seen + (size_t)s->index * cl->ping_seen_stride;
	if (seen[rep.seq / 8] & (1u << (rep.seq % 8))) {
		cl->cnt.echo_duplicate++;
		return;
	}
	seen[rep.seq / 8] |= (uint8_t)(1u << (rep.seq % 8));
	s->ping_recv++;
	if (s->ping_recv == cl->o->ping_count && extras_done(cl, s))
		ping_finish(cl, s);
}

/* ---- receive path ---- */

static void handle_data(struct client *cl, const uint8_t *buf, size_t len)
{
	struct l2tp_header h;
	struct l2tp_session_info info;
	enum l2tp_reason r;
	struct cl_session *s;
	struct ppp_data data;
	const uint8_t *frame;
	size_t flen;

	cl->cnt.rx_data++;
	/* RFC 2661 3.1: data message header, optional L, S, O */
	r = l2tp_data_header_parse(buf, len, &h);
	if (r != L2TP_OK) {
		cl->cnt.data_rejects[r]++;
		return;
	}
	if (l2tp_session_get(cl->ctx, h.tunnel_id, h.session_id, &info) < 0 || !info.user) {
		cl->cnt.data_unknown_session++;
		return;
	}
	s = info.user;
	if (!s->ppp_started || s->ppp_down) {
		cl->cnt.data_unknown_session++;
		return;
	}
	l2tp_tunnel_activity(cl->ctx, h.tunnel_id, cl->now);
	frame = buf + h.hdr_len;
	flen = (size_t)(h.frame_len - h.hdr_len);
	if (!s->auth_done && s->ppp.phase == PPP_PHASE_AUTHENTICATE) {
		/* keep the M= text of an MS-CHAPv2 Failure for the report;
		 * ppp-core reports only the E= code */
		struct mschap_failure f;

		if (chap_failure_parse(frame, flen, &f) == CHAP_F_OK && f.message[0]) {
			size_t k = strnlen(f.message, sizeof(s->auth_message) - 1);

			memcpy(s->auth_message, f.message, k);
			s->auth_message[k] = '\0';
		}
	}
	if (ppp_input(&s->ppp, cl->now, frame, flen, &data) == PPP_INPUT_DATA) {
		if (data.protocol == PPP_PROTO_IP)
			handle_ip(cl, s, data.payload, data.len);
		else if (data.protocol == PPP_PROTO_IPV6)
			handle_ip6(cl, s, data.payload, data.len);
		else
			cl->cnt.data_not_ip++;
	}
}

/* A control message for a tunnel whose StopCCN is out: is it acked? */
static void check_stopccn_ack(struct client *cl, const uint8_t *buf, size_t len)
{
	struct l2tp_header h;
	uint32_t ti;
	struct cl_tunnel *t;

	if (l2tp_ctrl_header_parse(buf, len, &h) != L2TP_OK)
		return;
	ti = cl->tid_map[h.tunnel_id];
	if (!ti)
		return;
	t = &cl->tunnels[ti - 1];
	/* RFC 2661 5.8: Nr is the next Ns the peer expects, so Nr past our
	 * StopCCN's Ns (modulo 2^16) acknowledges it */
	if (t->stopccn_sent && !t->done &&
	    (uint16_t)(h.nr - (uint16_t)(t->stopccn_ns + 1)) < 0x8000)
		t->done = true;
}

static void handle_datagram(struct client *cl, const struct sockaddr_storage *from,
			    const struct l2tp_addr *local, const uint8_t *buf, size_t len)
{
	struct l2tp_addr peer;

	if (len >= 1 && (buf[0] & 0x80)) {
		/* T bit: a control message for the ctx */
		cl->cnt.rx_control++;
		addr_from_sockaddr(&peer, from);
		l2tp_ctx_input(cl->ctx, &peer, local, buf, len, cl->now);
		if (cl->phase == PH_CLOSING)
			check_stopccn_ack(cl, buf, len);
	} else {
		handle_data(cl, buf, len);
	}
	process_deferred(cl);
}

static void drain_socket(struct client *cl, int fd)
{
	struct mmsghdr msgs[RX_BATCH];
	struct iovec iov[RX_BATCH];
	struct sockaddr_storage from[RX_BATCH];
	struct l2tp_addr local;

	if (fd < 0 || fd >= cl->fd_local_cap)
		return;
	local = cl->fd_local[fd];
	for (int rounds = 0; rounds < 64; rounds++) {
		int n;

		for (int i = 0; i < RX_BATCH; i++) {
			iov[i].iov_base = cl->rxbuf + (size_t)i * RX_BUFSZ;
			iov[i].iov_len = RX_BUFSZ;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		n = recvmmsg(fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				cl->cnt.recv_errors++;
			return;
		}
		for (int i = 0; i < n; i++)
			handle_datagram(cl, &from[i], &local, iov[i].iov_base, msgs[i].msg_len);
		if (n < RX_BATCH)
			return;
	}
}

/* ---- timers ---- */

static void run_timers(struct client *cl)
{
	uint32_t budget = cl->heap.n + 1;
	uint32_t idx;

	if (l2tp_ctx_next_deadline(cl->ctx) <= cl->now) {
		l2tp_ctx_run_timers(cl->ctx, cl->now);
		process_deferred(cl);
	}
	/* each item at most once per turn: a timer re-armed at <= now waits
	 * for the next turn instead of spinning here */
	while (budget-- && (idx = dheap_pop_due(&cl->heap, cl->now)) != HEAP_NONE) {
		struct cl_session *s = &cl->sessions[idx];

		if (s->ppp_deadline && s->ppp_deadline <= cl->now && s->ppp_started && !s->ppp_down) {
			s->ppp_deadline = 0;
			ppp_timer_expired(&s->ppp, cl->now);
			if (!s->ppp_down)
				s->ppp_deadline = ppp_next_deadline(&s->ppp);
		}
		if (s->ping_deadline && s->ping_deadline <= cl->now) {
			s->ping_deadline = 0;
			ping_timer(cl, s);
		}
		session_rearm(cl, s);
		process_deferred(cl);
	}
}

/* ---- setup and loop ---- */

static char *expand(char *out, const char *tmpl, uint32_t n)
{
	char num[16];
	const char *p;
	char *o = out;

	snprintf(num, sizeof(num), "%u", n);
	for (p = tmpl; *p;) {
		if (p[0] == '{' && p[1] == 'n' && p[2] == '}') {
			o = stpcpy(o, num);
			p += 3;
		} else {
			*o++ = *p++;
		}
	}
	*o++ = '\0';
	return o;
}

int client_init(struct client *cl, const struct client_opts *o)
{
	struct l2tp_config lcfg;
	struct l2tp_ops ops = {.send = l2tp_send_cb, .event = l2tp_event_cb};
	struct rlimit rl;
	uint32_t n = o->sessions;
	struct l2tp_addr local;

	memset(cl, 0, sizeof(*cl));
	cl->o = o;
	cl->epfd = cl->sigfd = cl->shared_fd = cl->tun_fd = -1;
	if (getrandom(cl->rng, sizeof(cl->rng), 0) != sizeof(cl->rng))
		cl->rng[0] = (uint64_t)mono_time_us() | 1, cl->rng[1] = (uint64_t)getpid() * 0x9E3779B97F4A7C15ull;

	/* one fd per tunnel with --separate-ports */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}

	cl->tunnels = calloc(o->tunnels, sizeof(*cl->tunnels));
	cl->sessions = calloc(n, sizeof(*cl->sessions));
	cl->deferred = calloc(2 * (size_t)n, sizeof(*cl->deferred));
	cl->setup_us = calloc(n, sizeof(*cl->setup_us));
	cl->tid_map = calloc(65536, sizeof(*cl->tid_map));
	for (cl->iccn_mask = 1; cl->iccn_mask < 2 * n; cl->iccn_mask <<= 1)
		;
	cl->iccn_hash = calloc(cl->iccn_mask, sizeof(*cl->iccn_hash));
	cl->iccn_mask--;
	cl->peer_tid_map = calloc(65536, sizeof(*cl->peer_tid_map));
	cl->rxbuf = malloc((size_t)RX_BATCH * RX_BUFSZ);
	if (o->ping) {
		cl->ping_seen_stride = (o->ping_max_requests + 7) / 8;
		cl->ping_seen = calloc(n, cl->ping_seen_stride);
	}
	if (o->separate_ports) {
		cl->port_fd = malloc(65536 * sizeof(*cl->port_fd));
		if (cl->port_fd)
			for (uint32_t i = 0; i < 65536; i++)
				cl->port_fd[i] = -1;
	}
	if (!cl->tunnels || !cl->sessions || !cl->deferred || !cl->setup_us || !cl->tid_map || !cl->iccn_hash ||
	    !cl->peer_tid_map || !cl->rxbuf || (o->ping && !cl->ping_seen) ||
	    (o->separate_ports && !cl->port_fd) || dheap_init(&cl->heap, n) < 0) {
		fprintf(stderr, "l2tp-client: out of memory for %u sessions\n", n);
		return -1;
	}

	/* PPP: one shared configuration, or one per session when the
	 * credentials carry "{n}" (ppp_config holds the credentials) */
	ppp_config_defaults(&cl->pcfg);
	cl->pcfg.cb.send = ppp_send_cb;
	cl->pcfg.cb.event = ppp_event_cb;
	cl->pcfg.cb.set_timer = ppp_set_timer_cb;
	cl->pcfg.cb.random = ppp_random_cb;
	cl->pcfg.address_control = true;	/* RFC 2661 section 5: L2TP carries FF 03 */
	cl->pcfg.echo_interval_ms = o->lcp_echo_interval_ms;
	cl->pcfg.name = o->user;
	cl->pcfg.client_ipv6cp = o->ipv6_ra;	/* IPV6CP, for the RA */
	cl->creds.user = o->user;
	cl->creds.password = o->password;
	cl->pcfg.client = &cl->creds;
	if (o->peap) {
		char err[256];

		if (peap_config_init(&cl->peap, o->ca_file, o->server_name, err,
				     sizeof(err)) < 0) {
			fprintf(stderr, "l2tp-client: %s\n", err);
			return -1;
		}
		/* ppp-core's client EAP seam: PEAP's Requests come to peap.c */
		cl->peap_method.type = EAP_TYPE_PEAP;
		cl->peap_method.respond = peap_method_cb;
		cl->peap_method.success_ok = peap_success_ok;
		cl->peap_method.opaque = &cl->peap;
		cl->pcfg.client_eap = &cl->peap_method;
	}
	if (o->templated) {
		size_t per = strlen(o->user) * 4 + strlen(o->password) * 4 + 32;
		char *p;

		cl->cfgs = calloc(n, sizeof(*cl->cfgs));
		cl->cred_list = calloc(n, sizeof(*cl->cred_list));
		cl->cred_strings = malloc(per * n);
		if (!cl->cfgs || !cl->cred_list || !cl->cred_strings) {
			fprintf(stderr, "l2tp-client: out of memory for %u credentials\n", n);
			return -1;
		}
		p = cl->cred_strings;
		for (uint32_t i = 0; i < n; i++) {
			cl->cred_list[i].user = p;
			p = expand(p, o->user, i + 1);
			cl->cred_list[i].password = p;
			p = expand(p, o->password, i + 1);
			cl->cfgs[i] = cl->pcfg;
			cl->cfgs[i].client = &cl->cred_list[i];
			cl->cfgs[i].name = cl->cred_list[i].user;
		}
	}

	l2tp_config_defaults(&lcfg);
	lcfg.max_tunnels = o->tunnels + 16;
	lcfg.max_sessions = n + 16;
	lcfg.max_sessions_per_tunnel = o->per_tunnel;
	/* all ICRQs of a tunnel may be queued at once behind the peer's
	 * receive window (5.8): room for them and their ICCNs and CDNs */
	lcfg.max_queue = (uint16_t)(o->per_tunnel * 3u + 16u > 65535u ? 65535u
								      : o->per_tunnel * 3u + 16u);
	lcfg.host_name = "l2tp-client";
	lcfg.vendor_name = "l2tp-client";
	lcfg.accept_tunnels = false;	/* LAC only */
	lcfg.random = l2tp_random;
	lcfg.random_arg = cl;
	if (o->secret) {
		lcfg.secret = (const uint8_t *)o->secret;
		lcfg.secret_len = strlen(o->secret);
	}
	cl->ctx = l2tp_ctx_new(&lcfg, &ops, cl);
	if (!cl->ctx) {
		fprintf(stderr, "l2tp-client: cannot create the L2TP context\n");
		return -1;
	}

	cl->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (cl->epfd < 0) {
		perror("l2tp-client: epoll_create1");
		return -1;
	}
	/* SIGINT/SIGTERM through the loop: an orderly close, not a death */
	{
		sigset_t set;
		struct epoll_event ev = {.events = EPOLLIN};

		sigemptyset(&set);
		sigaddset(&set, SIGINT);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		cl->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
		ev.data.fd = cl->sigfd;
		if (cl->sigfd < 0 || epoll_ctl(cl->epfd, EPOLL_CTL_ADD, cl->sigfd, &ev) < 0) {
			perror("l2tp-client: signalfd");
			return -1;
		}
	}
	cl->tun_fd = -1;
	if (o->tun) {
		struct epoll_event ev = {.events = EPOLLIN};

		cl->tun_fd = cl_tun_open(o->tun);
		if (cl->tun_fd < 0) {
			fprintf(stderr, "l2tp-client: --tun %s: %s\n", o->tun, strerror(-cl->tun_fd));
			return -1;
		}
		ev.data.fd = cl->tun_fd;
		if (epoll_ctl(cl->epfd, EPOLL_CTL_ADD, cl->tun_fd, &ev) < 0) {
			perror("l2tp-client: epoll_ctl");
			return -1;
		}
	}
	if (!o->separate_ports) {
		cl->shared_fd = open_socket(cl, &local);
		if (cl->shared_fd < 0) {
			fprintf(stderr, "l2tp-client: socket/bind: %s\n", strerror(-cl->shared_fd));
			return -1;
		}
	}
	for (uint32_t i = 0; i < o->tunnels; i++) {
		cl->tunnels[i].fd = cl->shared_fd;
		cl->tunnels[i].local = local;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct cl_session *s = &cl->sessions[i];

		s->index = i;
		s->cl = cl;
		/* round robin: consecutive sessions go to different tunnels */
		s->tunnel = &cl->tunnels[i % o->tunnels];
		s->cfg = o->templated ? &cl->cfgs[i] : &cl->pcfg;
	}
	if (o->separate_ports)
		memset(&local, 0, sizeof(local));
	return 0;
}

static void handle_signal(struct client *cl)
{
	struct signalfd_siginfo si;

	while (read(cl->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		cl->interrupted++;
		if (cl->interrupted == 1) {
			/* while holding, a signal is the expected end */
			begin_close(cl, cl->phase == PH_HOLD ? NULL : "interrupted");
		} else {
			/* a second signal: stop waiting for acknowledgements */
			cl->phase = PH_DONE;
		}
	}
}

int client_run(struct client *cl)
{
	struct epoll_event evs[64];

	cl->t0_us = mono_time_us();
	cl->now = cl->t0_ms = cl->t0_us / 1000;
	cl->setup_deadline = cl->t0_ms + cl->o->timeout_ms;
	while (cl->phase != PH_DONE) {
		uint64_t next, wait;
		int n;

		cl->now = mono_time_us() / 1000;
		open_due(cl);
		process_deferred(cl);
		run_timers(cl);
		/* a phase change may complete the next one at once (nothing
		 * to close): settle before sleeping */
		for (enum cl_phase before = PH_DONE; before != cl->phase;) {
			before = cl->phase;
			check_phase(cl);
		}
		report_flush();
		if (cl->phase == PH_DONE)
			break;

		next = l2tp_ctx_next_deadline(cl->ctx);
		if (dheap_min(&cl->heap) < next)
			next = dheap_min(&cl->heap);
		if (next_open_at(cl) < next)
			next = next_open_at(cl);
		if (cl->phase == PH_SETUP && cl->setup_deadline < next)
			next = cl->setup_deadline;
		if (cl->phase == PH_HOLD && cl->hold_until < next)
			next = cl->hold_until;
		if (cl->phase == PH_CLOSING && cl->close_deadline < next)
			next = cl->close_deadline;
		cl->now = mono_time_us() / 1000;
		wait = next <= cl->now ? 0 : next - cl->now;
		if (wait > 1000)
			wait = 1000;	/* re-check phases at least once a second */
		n = epoll_wait(cl->epfd, evs, 64, (int)wait);
		if (n < 0 && errno != EINTR) {
			perror("l2tp-client: epoll_wait");
			return 1;
		}
		cl->now = mono_time_us() / 1000;
		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == cl->sigfd)
				handle_signal(cl);
			else if (evs[i].data.fd == cl->tun_fd)
				drain_tun(cl);
			else
				drain_socket(cl, evs[i].data.fd);
		}
	}
	report_summary(cl);
	report_flush();
	return (cl->n_success == cl->o->sessions && cl->n_dropped == 0) ? 0 : 1;
}

void client_free(struct client *cl)
{
	if (cl->ctx)
		l2tp_ctx_free(cl->ctx);
	if (cl->o && cl->o->separate_ports && cl->port_fd) {
		for (uint32_t i = 0; i < 65536; i++)
			if (cl->port_fd[i] >= 0)
				close(cl->port_fd[i]);
	}
	if (cl->shared_fd >= 0)
		close(cl->shared_fd);
	if (cl->sigfd >= 0)
		close(cl->sigfd);
	if (cl->tun_fd >= 0)
		close(cl->tun_fd);
	if (cl->epfd >= 0)
		close(cl->epfd);
	dheap_free(&cl->heap);
	free(cl->tunnels);
	for (uint32_t i = 0; cl->sessions && i < cl->o->sessions; i++) {
		free(cl->sessions[i].inform);
		peap_session_free(cl->sessions[i].peap);
		free(cl->sessions[i].ra);
	}
	free(cl->sessions);
	free(cl->deferred);
	free(cl->setup_us);
	free(cl->tid_map);
	free(cl->iccn_hash);
	free(cl->fd_local);
	free(cl->peer_tid_map);
	free(cl->rxbuf);
	free(cl->ping_seen);
	free(cl->port_fd);
	free(cl->cfgs);
	free(cl->cred_list);
	free(cl->cred_strings);
	peap_config_free(&cl->peap);
}
