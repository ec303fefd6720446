/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Test harness for the L2TP control plane (see harness.h).
 */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

const struct l2tp_addr h_local = {AF_INET, 1701, {192, 0, 2, 1}, 0};

static int h_random(void *arg, void *buf, size_t len)
{
	struct harness *h = arg;
	uint8_t *p = buf;

	if (h->random_limited) {
		if (h->random_left == 0) {
			h->random_failures++;
			memset(buf, 0xa5, len);	/* what a careless caller would use */
			return -1;
		}
		h->random_left--;
	}
	for (size_t i = 0; i < len; i++) {
		h->rnd ^= h->rnd << 13;
		h->rnd ^= h->rnd >> 7;
		h->rnd ^= h->rnd << 17;
		p[i] = (uint8_t)(h->rnd >> 24);
	}
	return 0;
}

static void h_send(void *arg, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		   const uint8_t *buf, size_t len)
{
	struct harness *h = arg;
	struct h_pkt *p;
	struct l2tp_msg *m;

	assert_true(len <= L2TP_MAX_CTRL);
	assert_true(h->npkts < H_MAX_PKTS);
	p = &h->pkts[h->npkts++];
	memset(p, 0, sizeof(*p));
	memcpy(p->data, buf, len);
	p->len = len;
	p->to = *peer;
	/* everything we send must parse */
	assert_int_equal(l2tp_ctrl_header_parse(buf, len, &p->hdr), L2TP_OK);
	m = malloc(sizeof(*m));
	assert_non_null(m);
	assert_int_equal(l2tp_msg_decode(buf + p->hdr.hdr_len, p->hdr.frame_len - p->hdr.hdr_len,
					 NULL, m), L2TP_OK);
	p->type = m->zlb ? 0 : m->type;
	p->result = m->result_code;
	p->error = m->error_code;
	p->assigned_tunnel_id = m->assigned_tunnel_id;
	p->assigned_session_id = m->assigned_session_id;
	p->has_challenge = l2tp_msg_has(m, L2TP_AVP_CHALLENGE) && m->challenge.len == 16;
	if (p->has_challenge)
		memcpy(p->challenge, m->challenge.p, 16);
	p->has_response = l2tp_msg_has(m, L2TP_AVP_CHALLENGE_RESPONSE);
	memcpy(p->response, m->challenge_response, 16);
	free(m);
	for (size_t i = 0; i < h->npeers; i++) {
		struct h_peer *pe = h->peers[i];

		if (memcmp(pe->addr.addr, peer->addr, 16) || pe->addr.port != peer->port ||
		    pe->addr.mark != peer->mark)
			continue;
		if (p->type == L2TP_MSG_SCCRP || (p->type == L2TP_MSG_SCCRQ && !pe->ctx_tid))
			pe->ctx_tid = p->assigned_tunnel_id;
		if (p->type != 0 && p->hdr.ns == pe->nr)
			pe->nr++;
	}
}

static void h_event_cb(void *arg, const struct l2tp_event *ev)
{
	struct harness *h = arg;
	struct h_event *e;

	assert_true(h->nevents < H_MAX_EVENTS);
	e = &h->events[h->nevents++];
	memset(e, 0, sizeof(*e));
	e->type = ev->type;
	e->tunnel_id = ev->tunnel_id;
	e->session_id = ev->session_id;
	e->peer_session_id = ev->peer_session_id;
	e->cause = ev->cause;
	e->reason = ev->reason;
	e->result = ev->result_code;
	e->error = ev->error_code;
	e->npkts_before = h->npkts;
	e->session_user = ev->session_user;
	if (ev->type == L2TP_EV_SESSION_ACCEPTED && h->tag_accepted)
		assert_int_equal(l2tp_session_set_user(h->ctx, ev->tunnel_id, ev->session_id,
						       H_SESSION_TAG(ev->session_id)), 0);
	if (ev->type == L2TP_EV_SESSION_UP && ev->msg) {
		const struct l2tp_msg *m = ev->msg;

		e->has_proxy_lcp = l2tp_msg_has(m, L2TP_AVP_LAST_SENT_LCP_CONFREQ);
		e->has_proxy_auth = l2tp_msg_has(m, L2TP_AVP_PROXY_AUTHEN_TYPE);
		if (l2tp_msg_has(m, L2TP_AVP_PROXY_AUTHEN_NAME)) {
			size_t n = m->proxy_authen_name.len < 31 ? m->proxy_authen_name.len : 31;
			memcpy(e->proxy_name, m->proxy_authen_name.p, n);
		}
	}
}

static enum l2tp_accept h_accept_cb(void *arg, const struct l2tp_addr *peer,
				    const struct l2tp_addr *local)
{
	struct harness *h = arg;

	h->accept_calls++;
	return h->accept ? h->accept(h, peer) : L2TP_ACCEPT;
}

static void h_trace_cb(void *arg, const struct l2tp_trace *t)
{
	struct harness *h = arg;

	assert_true(h->ntraces < H_MAX_TRACES);
	h->traces[h->ntraces++] = *t;
}

static const struct l2tp_ops h_ops = {h_send, h_event_cb, h_accept_cb, h_trace_cb};

void h_init(struct harness *h, uint64_t seed, void (*cfg_tweak)(struct l2tp_config *))
{
	memset(h, 0, sizeof(*h));
	h->pkts = calloc(H_MAX_PKTS, sizeof(*h->pkts));
	assert_non_null(h->pkts);
	h->rnd = seed * 0x9e3779b97f4a7c15ULL + 1;
	h->now = 1000000;
	l2tp_config_defaults(&h->cfg);
	h->cfg.random = h_random;
	h->cfg.random_arg = h;
	h->cfg.host_name = "lns.test";
	if (cfg_tweak)
		cfg_tweak(&h->cfg);
	h->ctx = l2tp_ctx_new(&h->cfg, &h_ops, h);
	assert_non_null(h->ctx);
}

void h_fini(struct harness *h)
{
	l2tp_ctx_free(h->ctx);
	free(h->pkts);
	h->ctx = NULL;
}

void h_clear(struct harness *h)
{
	h->npkts = 0;
	h->nevents = 0;
	h->ntraces = 0;
}

void h_addr(struct l2tp_addr *a, uint8_t last_octet, uint16_t port, uint32_t mark)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->addr[0] = 198;
	a->addr[1] = 51;
	a->addr[2] = 100;
	a->addr[3] = last_octet;
	a->port = port;
	a->mark = mark;
}

const struct h_pkt *h_find(const struct harness *h, uint16_t type)
{
	for (size_t i = 0; i < h->npkts; i++)
		if (h->pkts[i].type == type)
			return &h->pkts[i];
	return NULL;
}

size_t h_count(const struct harness *h, uint16_t type)
{
	size_t n = 0;

	for (size_t i = 0; i < h->npkts; i++)
		n += h->pkts[i].type == type;
	return n;
}

size_t h_count_events(const struct harness *h, enum l2tp_event_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < h->nevents; i++)
		n += h->events[i].type == type;
	return n;
}

const struct h_event *h_find_event(const struct harness *h, enum l2tp_event_type type)
{
	for (size_t i = 0; i < h->nevents; i++)
		if (h->events[i].type == type)
			return &h->events[i];
	return NULL;
}

void h_advance(struct harness *h, uint64_t t)
{
	while (l2tp_ctx_next_deadline(h->ctx) <= t) {
		uint64_t d = l2tp_ctx_next_deadline(h->ctx);

		h->now = d > h->now ? d : h->now;
		l2tp_ctx_run_timers(h->ctx, h->now);
	}
	h->now = t;
}

void h_peer_init(struct h_peer *p, struct harness *h, uint8_t last_octet, uint16_t tid)
{
	memset(p, 0, sizeof(*p));
	p->h = h;
	h_addr(&p->addr, last_octet, 1701, 0);
	p->tid = tid;
	assert_true(h->npeers < 8);
	h->peers[h->npeers++] = p;
}

void h_peer_send_raw(struct h_peer *p, const uint8_t *buf, size_t len)
{
	l2tp_ctx_input(p->h->ctx, &p->addr, &h_local, buf, len, p->h->now);
}

void h_peer_send(struct h_peer *p, const struct l2tp_msg *m, uint16_t sid)
{
	uint8_t buf[L2TP_MAX_CTRL];
	size_t n = l2tp_msg_encode(m, p->ctx_tid, sid, p->ns, p->nr, NULL, buf, sizeof(buf));

	assert_int_not_equal(n, 0);
	if (!m->zlb)
		p->ns++;
	h_peer_send_raw(p, buf, n);
}

void h_msg_windows_sccrq(struct l2tp_msg *m, uint16_t tid)
{
	/* docs/interop.md: Windows 10 SCCRQ */
	l2tp_msg_init(m, L2TP_MSG_SCCRQ);
	m->protocol_version = 1;
	l2tp_msg_set(m, L2TP_AVP_PROTOCOL_VERSION);
	m->framing_capabilities = L2TP_FRAMING_SYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPABILITIES);
	m->firmware_revision = 0x0a00;
	l2tp_msg_set(m, L2TP_AVP_FIRMWARE_REVISION);
	m->host_name.p = (const uint8_t *)"DESKTOP-4F2K9QX";
	m->host_name.len = 15;
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->vendor_name.p = (const uint8_t *)"Microsoft";
	m->vendor_name.len = 9;
	l2tp_msg_set(m, L2TP_AVP_VENDOR_NAME);
	m->assigned_tunnel_id = tid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->receive_window_size = 8;
	l2tp_msg_set(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
}

void h_peer_establish(struct h_peer *p)
{
	struct l2tp_msg *m = malloc(sizeof(*m));

	assert_non_null(m);
	h_msg_windows_sccrq(m, p->tid);
	p->ctx_tid = 0;
	h_peer_send(p, m, 0);
	assert_int_not_equal(p->ctx_tid, 0);
	l2tp_msg_init(m, L2TP_MSG_SCCCN);
	h_peer_send(p, m, 0);
	free(m);
}

uint16_t h_peer_call(struct h_peer *p, uint16_t peer_sid)
{
	struct l2tp_msg *m = malloc(sizeof(*m));
	struct harness *h = p->h;
	size_t first = h->npkts;
	uint16_t sid = 0;

	assert_non_null(m);
	l2tp_msg_init(m, L2TP_MSG_ICRQ);
	m->assigned_session_id = peer_sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = peer_sid;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	h_peer_send(p, m, 0);
	for (size_t i = first; i < h->npkts; i++)
		if (h->pkts[i].type == L2TP_MSG_ICRP)
			sid = h->pkts[i].assigned_session_id;
	if (sid) {
		l2tp_msg_init(m, L2TP_MSG_ICCN);
		m->tx_connect_speed = 10000000;
		l2tp_msg_set(m, L2TP_AVP_TX_CONNECT_SPEED);
		m->framing_type = L2TP_FRAMING_SYNC;
		l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
		h_peer_send(p, m, sid);
	}
	free(m);
	return sid;
}
