/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the whole LNS control path: a sequence of datagrams from up to four
 * peers, with time steps and local API calls in between, into one ctx;
 * then an orderly shutdown, and everything must drain to nothing (no
 * tunnel, no session, no timer). LeakSanitizer checks the rest.
 *
 * Input: one config byte, then records:
 *   op   bits 0-1 peer, bit 2 patch the header Tunnel ID with the last one
 *        the ctx assigned to this peer, bit 3 patch the Session ID likewise,
 *        bit 4 patch Nr with what the ctx sent this peer, bits 5-7 kind:
 *        0 datagram, 1 time step, 2 close a session, 3 close a tunnel,
 *        4 data activity, 5 open a LAC tunnel and call to this peer
 *   step time advance in units of 10 ms (kinds 0, 2-5) or 1 s (kind 1)
 *   len  2 octets, then len octets of datagram (kind 0)
 * The patching lets mutations reach the deep states that random Tunnel IDs
 * would otherwise hide.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "l2tp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fpeer {
	struct l2tp_addr addr;
	uint16_t tid, sid, nr;
};

struct fstate {
	struct fpeer peers[4];
	uint64_t rnd;
};

static int f_random(void *arg, void *buf, size_t len)
{
	struct fstate *f = arg;
	uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		f->rnd = f->rnd * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (uint8_t)(f->rnd >> 56);
	}
	return 0;
}

static void f_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		   const uint8_t *buf, size_t len)
{
	struct fstate *f = arg;
	struct l2tp_header h;
	struct l2tp_msg *m;

	if (l2tp_ctrl_header_parse(buf, len, &h) != L2TP_OK)
		abort(); /* we must never send what we cannot parse */
	for (int i = 0; i < 4; i++) {
		struct fpeer *p = &f->peers[i];

		if (memcmp(&p->addr, peer, sizeof(*peer)) != 0)
			continue;
		if (len > h.hdr_len) {
			uint16_t next = (uint16_t)(h.ns + 1);

			if ((int16_t)(uint16_t)(next - p->nr) > 0)
				p->nr = next;
		}
		m = malloc(sizeof(*m));
		if (!m)
			return;
		if (l2tp_msg_decode(buf + h.hdr_len, h.frame_len - h.hdr_len, NULL, m) != L2TP_OK)
			abort();
		if (!m->zlb && (m->type == L2TP_MSG_SCCRP || m->type == L2TP_MSG_SCCRQ))
			p->tid = m->assigned_tunnel_id;
		if (!m->zlb && (m->type == L2TP_MSG_ICRP || m->type == L2TP_MSG_ICRQ))
			p->sid = m->assigned_session_id;
		free(m);
	}
}

static void f_event(void *arg, const struct l2tp_event *ev)
{
	(void)arg;
	(void)ev;
}

/* Whatever the input, a trace record is a real change between states of
 * its machine (l2tp.h "Tracing"). */
static void f_trace(void *arg, const struct l2tp_trace *t)
{
	int max = t->machine == L2TP_TRACE_TUNNEL ? L2TP_TUNNEL_STATE_MAX : L2TP_SESSION_STATE_MAX;

	(void)arg;
	if (t->from == t->to || t->from < L2TP_TRACE_IDLE || t->from >= max ||
	    t->to < L2TP_TRACE_IDLE || t->to >= max || (unsigned)t->event >= L2TP_TEV_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct l2tp_ops ops = {f_send, f_event, NULL, f_trace};
	static const struct l2tp_addr local = {AF_INET, 1701, {192, 0, 2, 1}, 0};
	struct fstate f;
	struct l2tp_config cfg;
	struct l2tp_ctx *ctx;
	uint64_t now = 1000;
	size_t pos = 1;
	uint8_t buf[2048];

	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.rnd = 42;
	for (int i = 0; i < 4; i++) {
		f.peers[i].addr.family = AF_INET;
		f.peers[i].addr.port = 1701;
		f.peers[i].addr.addr[0] = 198;
		f.peers[i].addr.addr[1] = 51;
		f.peers[i].addr.addr[2] = 100;
		f.peers[i].addr.addr[3] = (uint8_t)(i < 3 ? i + 1 : 3);
		f.peers[i].addr.mark = i == 3 ? 7 : 0;	/* two clients behind one NAT */
	}
	l2tp_config_defaults(&cfg);
	cfg.random = f_random;
	cfg.random_arg = &f;
	cfg.max_tunnels = 3;
	cfg.max_sessions = 4;
	cfg.max_sessions_per_tunnel = 3;
	cfg.receive_window = 4;
	cfg.max_queue = 16;
	/* the pre-auth budgets small enough to be reached (docs/l2tp.md) */
	cfg.max_half_open = 2;
	cfg.half_open_timeout_ms = 3000;
	cfg.max_preauth_per_tunnel = 2;
	cfg.max_preauth_sessions = 3;
	cfg.preauth_timeout_ms = 5000;
	if (data[0] & 1) {
		cfg.secret = (const uint8_t *)"fuzz-secret";
		cfg.secret_len = 11;
	}
	if (data[0] & 2)
		cfg.hello_interval_ms = 0;
	ctx = l2tp_ctx_new(&cfg, &ops, &f);
	if (!ctx)
		return 0;

	while (pos + 2 <= size) {
		uint8_t op = data[pos], step = data[pos + 1];
		struct fpeer *p = &f.peers[op & 3];
		unsigned kind = op >> 5;
		uint16_t id;

		pos += 2;
		now += kind == 1 ? (uint64_t)step * 1000 : (uint64_t)step * 10;
		l2tp_ctx_run_timers(ctx, now);
		switch (kind) {
		case 0: {
			size_t len;

			if (pos + 2 > size)
				goto done;
			len = (size_t)(data[pos] << 8 | data[pos + 1]);
			pos += 2;
			if (len > size - pos)
				len = size - pos;
			if (len > sizeof(buf))
				len = sizeof(buf);
			memcpy(buf, data + pos, len);
			pos += len;
			if ((op & 4) && len >= 6) {
				/* Tunnel ID sits after the Length field if L is set */
				size_t at = (buf[0] & 0x40) ? 4 : 2;
				buf[at] = (uint8_t)(p->tid >> 8);
				buf[at + 1] = (uint8_t)p->tid;
			}
			if ((op & 8) && len >= 8) {
				size_t at = (buf[0] & 0x40) ? 6 : 4;
				buf[at] = (uint8_t)(p->sid >> 8);
				buf[at + 1] = (uint8_t)p->sid;
			}
			if ((op & 16) && len >= 12) {
				buf[10] = (uint8_t)(p->nr >> 8);
				buf[11] = (uint8_t)p->nr;
			}
			/* exact-size copy so ASan sees any read past the end */
			uint8_t *exact = malloc(len ? len : 1);
			if (!exact)
				goto done;
			memcpy(exact, buf, len);
			l2tp_ctx_input(ctx, &p->addr, &local, exact, len, now);
			free(exact);
			break;
		}
		case 1:
			break;
		case 2:
			l2tp_session_close(ctx, p->tid, p->sid, L2TP_CDN_ADMIN, 0, now);
			break;
		case 3:
			l2tp_tunnel_close(ctx, p->tid, L2TP_STOPCCN_CLEAR, 0, now);
			break;
		case 4:
			l2tp_tunnel_activity(ctx, p->tid, now);
			break;
		case 5:
			if (l2tp_tunnel_open(ctx, &p->addr, &local, now, &id) == 0)
				l2tp_session_open(ctx, id, now, &id);
			break;
		case 6:
			l2tp_session_authenticated(ctx, p->tid, p->sid);
			break;
		default:
			break;
		}
	}
done:
	/* Orderly stop: everything must drain away within bounded time. */
	l2tp_ctx_close_all(ctx, now);
	for (int i = 0; i < 10000 && l2tp_ctx_next_deadline(ctx) != UINT64_MAX; i++) {
		uint64_t d = l2tp_ctx_next_deadline(ctx);

		now = d > now ? d : now;
		l2tp_ctx_run_timers(ctx, now);
	}
	{
		const struct l2tp_stats *st = l2tp_ctx_stats(ctx);

		if (l2tp_ctx_next_deadline(ctx) != UINT64_MAX || st->tunnels_active ||
		    st->tunnels_draining || st->sessions_active || st->sessions_draining ||
		    st->tunnels_half_open || st->sessions_preauth ||
		    st->tunnels_freed != st->tunnels_created ||
		    st->sessions_freed != st->sessions_created)
			abort();
	}
	l2tp_ctx_free(ctx);
	return 0;
}
