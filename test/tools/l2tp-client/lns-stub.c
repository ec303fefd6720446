/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * l2tp-lns-stub: a minimal LNS made of the same libraries in server role
 * (l2tp ctx as LNS, ppp-core PPP_SERVER), so that l2tp-client can be tested
 * on any host, without root, the kernel's L2TP or the daemon: thousands of
 * sessions over loopback, refusals with a chosen MS-CHAPv2 code, the
 * "ports" limit (CDN), pings answered in userspace. It is a test fixture,
 * not a product: one password for every user, addresses handed out in
 * order from --pool, no policy.
 *
 *   l2tp-lns-stub --listen 127.0.0.1 [--port 1701] --password SECRET
 *                 [--refuse 649] [--max-sessions N] [--pool 198.51.100.10]
 *                 [--local 198.51.100.1] [--dns 192.0.2.53] [--nbns 192.0.2.54]
 *
 * Prints "listening PORT" once ready; SIGINT/SIGTERM stop it (StopCCN to
 * every tunnel first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "frames.h"
#include "heap.h"
#include "l2tp.h"
#include "ppp/mschap.h"
#include "ppp/ppp.h"

struct stub_session {
	struct ppp_session ppp;
	struct stub *st;
	uint32_t slot;
	bool used, ppp_down, l2tp_down, cdn_pending;
	uint16_t tid, sid, peer_tid, peer_sid;
	struct l2tp_addr peer;
	uint32_t addr;
	uint64_t deadline;
};

struct stub {
	struct l2tp_ctx *ctx;
	struct ppp_config pcfg;
	struct ppp_profile profile;
	struct stub_session *s;
	uint32_t max, *free_slots, n_free;
	uint32_t *deferred, n_deferred;
	struct dheap heap;
	int fd;
	struct l2tp_addr local;
	uint64_t now;
	uint8_t nt_hash[PPP_NT_HASH_LEN];
	const char *password;
	unsigned refuse;
	uint32_t pool_next;
	uint64_t answered, refused, pings;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void to_sockaddr(const struct l2tp_addr *a, struct sockaddr_in *in)
{
	memset(in, 0, sizeof(*in));
	in->sin_family = AF_INET;
	in->sin_port = htons(a->port);
	memcpy(&in->sin_addr, a->addr, 4);
}

static void send_to(struct stub *st, const struct l2tp_addr *peer, const uint8_t *buf, size_t len)
{
	struct sockaddr_in in;

	to_sockaddr(peer, &in);
	(void)sendto(st->fd, buf, len, 0, (struct sockaddr *)&in, sizeof(in));
}

static void rearm(struct stub_session *s)
{
	if (s->deadline)
		dheap_set(&s->st->heap, s->slot, s->deadline);
	else
		dheap_cancel(&s->st->heap, s->slot);
}

/* ---- PPP (server) ---- */

static void p_send(void *arg, const uint8_t *frame, size_t len)
{
	struct stub_session *s = arg;
	uint8_t buf[PPP_MAX_FRAME + 32];
	size_t h;

	if (s->l2tp_down || len > sizeof(buf) - 16)
		return;
	h = l2tp_data_header_write(buf, sizeof(buf), s->peer_tid, s->peer_sid);
	memcpy(buf + h, frame, len);
	send_to(s->st, &s->peer, buf, h + len);
}

static void p_timer(void *arg, uint64_t deadline)
{
	struct stub_session *s = arg;

	s->deadline = deadline;
	rearm(s);
}

static int p_random(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static void p_event(void *arg, const struct ppp_event *ev)
{
	struct stub_session *s = arg;
	struct stub *st = s->st;

	switch (ev->type) {
	case PPP_EVENT_AUTH_REQUEST: {
		struct ppp_auth_answer a = {0};
		struct ppp_profile prof = st->profile;

		prof.peer_addr = s->addr;
		if (st->refuse) {
			a.kind = PPP_ANSWER_REJECT;
			a.failure = (enum ppp_auth_failure)st->refuse;
			st->refused++;
		} else {
			a.kind = PPP_ANSWER_LOCAL;
			a.nt_hash = st->nt_hash;
			a.secret = st->password;
			a.secret_len = strlen(st->password);
			a.failure = PPP_AUTH_FAIL_CREDENTIALS;
			a.profile = &prof;
			st->answered++;
		}
		(void)ppp_auth_answer(&s->ppp, st->now, &a);
		break;
	}
	case PPP_EVENT_LINK_DOWN:
		s->ppp_down = true;
		if (!s->l2tp_down && !s->cdn_pending) {
			s->cdn_pending = true;
			st->deferred[st->n_deferred++] = s->slot;
		}
		break;
	default:
		break;
	}
}

static void free_session(struct stub *st, struct stub_session *s)
{
	dheap_cancel(&st->heap, s->slot);
	s->used = false;
	st->free_slots[st->n_free++] = s->slot;
}

/* ---- L2TP (LNS) ---- */

static void l_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		   const uint8_t *buf, size_t len)
{
	(void)local;
	send_to(arg, peer, buf, len);
}

static void l_event(void *arg, const struct l2tp_event *ev)
{
	struct stub *st = arg;
	struct stub_session *s;

	switch (ev->type) {
	case L2TP_EV_SESSION_UP: {
		static const enum ppp_auth_method order[] = {PPP_AUTH_MSCHAPV2, PPP_AUTH_CHAP_MD5,
							     PPP_AUTH_PAP};

		if (!st->n_free)
			return;	/* cannot happen: the ctx's limit is ours */
		s = &st->s[st->free_slots[--st->n_free]];
		memset(&s->ppp, 0, sizeof(s->ppp));
		s->used = true;
		s->ppp_down = s->l2tp_down = s->cdn_pending = false;
		s->tid = ev->tunnel_id;
		s->sid = ev->session_id;
		s->peer_tid = ev->peer_tunnel_id;
		s->peer_sid = ev->peer_session_id;
		s->peer = *ev->peer;
		s->addr = st->pool_next++;
		s->deadline = 0;
		/* the ctx calls back with this pointer; we only set it from here */
		ppp_session_init(&s->ppp, &st->pcfg, PPP_SERVER, s);
		ppp_set_auth_methods(&s->ppp, order, 3);
		ppp_start(&s->ppp, st->now);
		s->cdn_pending = false;
		/* l2tp_session_set_user must not be called from the callback:
		 * defer it with the CDN queue's twin below */
		st->deferred[st->n_deferred++] = s->slot | 0x80000000u;
		break;
	}
	case L2TP_EV_SESSION_DOWN:
		s = ev->session_user;
		if (!s)
			return;
		s->l2tp_down = true;
		if (!s->ppp_down)
			ppp_lower_down(&s->ppp, st->now);
		free_session(st, s);
		break;
	default:
		break;
	}
}

static void process_deferred(struct stub *st)
{
	while (st->n_deferred) {
		uint32_t v = st->deferred[--st->n_deferred];
		struct stub_session *s = &st->s[v & 0x7fffffffu];

		if (v & 0x80000000u) {
			if (s->used)
				l2tp_session_set_user(st->ctx, s->tid, s->sid, s);
			continue;
		}
		if (!s->cdn_pending || s->l2tp_down)
			continue;
		s->cdn_pending = false;
		if (l2tp_session_close(st->ctx, s->tid, s->sid, L2TP_CDN_ADMIN, 0, st->now) < 0 &&
		    s->used && !s->l2tp_down) {
			s->l2tp_down = true;
			free_session(st, s);
		}
	}
}

static void handle_data(struct stub *st, const uint8_t *buf, size_t len)
{
	struct l2tp_header h;
	struct l2tp_session_info info;
	struct stub_session *s;
	struct ppp_data d;
	uint8_t out[PPP_MAX_FRAME + 32];

	if (l2tp_data_header_parse(buf, len, &h) != L2TP_OK ||
	    l2tp_session_get(st->ctx, h.tunnel_id, h.session_id, &info) < 0 || !info.user)
		return;
	s = info.user;
	if (!s->used || s->ppp_down)
		return;
	l2tp_tunnel_activity(st->ctx, h.tunnel_id, st->now);
	if (ppp_input(&s->ppp, st->now, buf + h.hdr_len, h.frame_len - h.hdr_len, &d) ==
	    PPP_INPUT_DATA && d.protocol == PPP_PROTO_IP) {
		size_t n, hl = l2tp_data_header_write(out, sizeof(out), s->peer_tid, s->peer_sid);

		out[hl] = 0xFF;
		out[hl + 1] = 0x03;
		out[hl + 2] = 0x00;
		out[hl + 3] = 0x21;
		n = icmp_echo_answer(d.payload, d.len, out + hl + 4, sizeof(out) - hl - 4);
		if (n) {
			st->pings++;
			send_to(st, &s->peer, out, hl + 4 + n);
		}
	}
}

static uint32_t parse_ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "l2tp-lns-stub: not an IPv4 address: %s\n", s);
		exit(2);
	}
	return ntohl(a.s_addr);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"listen", required_argument, NULL, 'l'}, {"port", required_argument, NULL, 'p'},
		{"password", required_argument, NULL, 'w'}, {"refuse", required_argument, NULL, 'r'},
		{"max-sessions", required_argument, NULL, 'm'}, {"pool", required_argument, NULL, 'P'},
		{"local", required_argument, NULL, 'L'}, {"dns", required_argument, NULL, 'd'},
		{"nbns", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0},
	};
	struct stub st;
	struct l2tp_config lcfg;
	struct l2tp_ops ops = {.send = l_send, .event = l_event};
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sin);
	const char *listen_addr = "127.0.0.1";
	unsigned port = 1701;
	sigset_t set;
	int sfd, c, stopping = 0;
	uint64_t stop_at = 0;
	static uint8_t buf[4096];

	memset(&st, 0, sizeof(st));
	st.max = 1024;
	st.pool_next = 0xC633640Au;	/* 198.51.100.10 */
	st.profile.local_addr = 0xC6336401u;
	st.profile.ipcp = true;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'l': listen_addr = optarg; break;
		case 'p': port = (unsigned)atoi(optarg); break;
		case 'w': st.password = optarg; break;
		case 'r': st.refuse = (unsigned)atoi(optarg); break;
		case 'm': st.max = (uint32_t)atoi(optarg); break;
		case 'P': st.pool_next = parse_ip(optarg); break;
		case 'L': st.profile.local_addr = parse_ip(optarg); break;
		case 'd': st.profile.dns[0] = parse_ip(optarg); break;
		case 'n': st.profile.nbns[0] = parse_ip(optarg); break;
		default:
			fprintf(stderr, "usage: l2tp-lns-stub --listen ADDR [--port P] --password S "
					"[--refuse CODE] [--max-sessions N] [--pool A] [--local A] "
					"[--dns A] [--nbns A]\n");
			return 2;
		}
	}
	if (!st.password || !st.max || port > 65535) {
		fprintf(stderr, "l2tp-lns-stub: --password is required\n");
		return 2;
	}
	ppp_nt_password_hash(st.password, strlen(st.password), st.nt_hash);
	ppp_config_defaults(&st.pcfg);
	st.pcfg.cb.send = p_send;
	st.pcfg.cb.event = p_event;
	st.pcfg.cb.set_timer = p_timer;
	st.pcfg.cb.random = p_random;
	st.pcfg.address_control = true;
	st.pcfg.name = "l2tp-lns-stub";

	st.s = calloc(st.max, sizeof(*st.s));
	st.free_slots = calloc(st.max, sizeof(*st.free_slots));
	st.deferred = calloc(2 * (size_t)st.max, sizeof(*st.deferred));
	if (!st.s || !st.free_slots || !st.deferred || dheap_init(&st.heap, st.max) < 0)
		return 1;
	for (uint32_t i = 0; i < st.max; i++) {
		st.s[i].st = &st;
		st.s[i].slot = i;
		st.free_slots[st.n_free++] = st.max - 1 - i;
	}

	l2tp_config_defaults(&lcfg);
	lcfg.max_sessions = st.max;	/* beyond it: CDN, the "ports" limit */
	lcfg.max_sessions_per_tunnel = st.max;
	/* a load peer for the test client, not a server facing the
	 * Internet: every port may be a login in progress (the budgets of
	 * docs/l2tp.md "Unauthenticated peers" are l2tpd's business) */
	lcfg.max_preauth_sessions = st.max;
	lcfg.max_preauth_per_tunnel = st.max;
	lcfg.max_tunnels = 65535;
	lcfg.max_queue = 65535;
	lcfg.new_tunnel_rate = 1000000;	/* every tunnel comes from one test host */
	lcfg.new_tunnel_burst = 1000000;
	lcfg.host_name = "l2tp-lns-stub";
	st.ctx = l2tp_ctx_new(&lcfg, &ops, &st);
	st.fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!st.ctx || st.fd < 0 || inet_pton(AF_INET, listen_addr, &sin.sin_addr) != 1)
		return 1;
	sin.sin_port = htons((uint16_t)port);
	{
		int v = 8 << 20;

		(void)setsockopt(st.fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
	}
	if (bind(st.fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(st.fd, (struct sockaddr *)&sin, &sl) < 0) {
		perror("l2tp-lns-stub: bind");
		return 1;
	}
	st.local.family = AF_INET;
	st.local.port = ntohs(sin.sin_port);
	memcpy(st.local.addr, &sin.sin_addr, 4);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	printf("listening %u\n", st.local.port);
	fflush(stdout);

	for (;;) {
		struct pollfd p[2] = {{.fd = st.fd, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
		uint64_t next = l2tp_ctx_next_deadline(st.ctx);
		uint32_t idx;
		int wait;

		st.now = now_ms();
		if (dheap_min(&st.heap) < next)
			next = dheap_min(&st.heap);
		wait = next <= st.now ? 0 : next - st.now > 1000 ? 1000 : (int)(next - st.now);
		if (stopping && st.now >= stop_at)
			break;
		if (poll(p, 2, wait) < 0 && errno != EINTR)
			return 1;
		st.now = now_ms();
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				;
			/* a second signal, or nothing established to close */
			if (stopping || l2tp_ctx_stats(st.ctx)->tunnels_active == 0)
				break;
			stopping = 1;
			stop_at = st.now + 2000;
			l2tp_ctx_close_all(st.ctx, st.now);
		}
		for (int i = 0; i < 256 && (p[0].revents & POLLIN); i++) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(st.fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
			struct l2tp_addr peer = {.family = AF_INET};

			if (n < 0)
				break;
			if (n >= 1 && (buf[0] & 0x80)) {
				peer.port = ntohs(from.sin_port);
				memcpy(peer.addr, &from.sin_addr, 4);
				l2tp_ctx_input(st.ctx, &peer, &st.local, buf, (size_t)n, st.now);
			} else {
				handle_data(&st, buf, (size_t)n);
			}
			process_deferred(&st);
		}
		if (l2tp_ctx_next_deadline(st.ctx) <= st.now)
			l2tp_ctx_run_timers(st.ctx, st.now);
		process_deferred(&st);
		for (uint32_t budget = st.heap.n; budget-- &&
		     (idx = dheap_pop_due(&st.heap, st.now)) != HEAP_NONE;) {
			struct stub_session *s = &st.s[idx];

			s->deadline = 0;
			if (s->used && !s->ppp_down) {
				ppp_timer_expired(&s->ppp, st.now);
				if (!s->ppp_down)
					s->deadline = ppp_next_deadline(&s->ppp);
			}
			rearm(s);
			process_deferred(&st);
		}
	}
	fprintf(stderr, "l2tp-lns-stub: answered %llu logins, refused %llu, echoed %llu pings\n",
		(unsigned long long)st.answered, (unsigned long long)st.refused,
		(unsigned long long)st.pings);
	l2tp_ctx_free(st.ctx);
	dheap_free(&st.heap);
	free(st.s);
	free(st.free_slots);
	free(st.deferred);
	close(st.fd);
	close(sfd);
	return 0;
}
