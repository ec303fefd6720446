/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon in memory: see daemon_harness.h.
 */
#include "daemon_harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"
#include "l2tp_ipsec_msg.h"
#include "session.h"
#include "strbuf.h"

#define PUMP_ROUNDS 1000	/* an exchange that never settles is a bug */
#define ADVANCE_STEPS 100000

/* the policy of struct dh_opts: the methods, pools, then the profile's lines */
static const char policy_head[] =
	"    cleartext_passwords = yes\n"
	"    default_dial_in = deny\n"
	"}\n";
static const char policy_users[] =
	"users {\n"
	"    alice {\n"
	"        password = alice-pw\n"
	"        dial_in = allow\n"
	"    }\n"
	"    bob {\n"
	"        password = bob-pw\n"
	"        dial_in = deny\n"
	"    }\n"
	"}\n"
	"policies {\n"
	"    everyone {\n"
	"        conditions { tunnel_type = l2tp }\n"
	"        permission = grant\n"
	"        profile {\n";

static void write_policy(FILE *f, const struct dh_opts *o)
{
	const char *pool = o->pool ? o->pool : "198.51.100.10-198.51.100.11";
	const char *auth = o->auth ? o->auth : "mschapv2";

	fprintf(f, "server {\n    auth_methods = %s\n", auth);
	fputs(policy_head, f);
	if (pool[0])
		fprintf(f, "pools {\n    clients { ipv4 = %s }\n}\n", pool);
	fputs(policy_users, f);
	fprintf(f, "            auth = %s\n", auth);
	if (pool[0])
		fputs("            pool = clients\n", f);
	fprintf(f, "            %s\n        }\n    }\n}\n",
		o->profile ? o->profile : "dns = 192.0.2.53");
}

struct dh_dgram {
	struct dh_dgram *next;
	size_t len;
	uint8_t data[];
};

/* ---- the daemon's outside world (struct server_io) ---- */

/* dh_advance finds the daemon's next deadline itself (next_deadline) and
 * runs its timers at h->now: the loop's real timers stay off, so no timer
 * fires by the machine's clock while dh_plugin_* dispatch the loop. */
static void io_arm_timer(void *ctx, uint64_t deadline_ms)
{
	(void)ctx;
	(void)deadline_ms;
}

static uint64_t io_now(void *ctx)
{
	return ((struct dh *)ctx)->now;
}

static int io_listen(void *ctx, const struct sockaddr_storage *addr, uint16_t port, int *wildcard)
{
	struct dh *h = ctx;

	(void)addr;
	(void)port;
	/* A descriptor the loop can watch that never becomes readable: the
	 * test says when the daemon reads (server_listener_readable). */
	h->listen_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	*wildcard = 0;
	return h->listen_fd;
}

static ssize_t io_recv(void *ctx, int fd, uint8_t *buf, size_t cap, struct l2tp_addr *peer,
		       struct l2tp_addr *local, struct sockaddr_storage *from)
{
	struct dh *h = ctx;
	struct dh_dgram *d = h->rx_head;
	socklen_t len;

	assert_int_equal(fd, h->listen_fd);
	if (!d)
		return 0;
	h->rx_head = d->next;
	if (!h->rx_head)
		h->rx_tail = &h->rx_head;
	assert_true(d->len <= cap);
	memcpy(buf, d->data, d->len);
	*peer = h->peer;
	*local = h->local;	/* as IP_PKTINFO says it */
	net_from_l2tp_addr(&h->peer, from, &len);
	ssize_t n = (ssize_t)d->len;
	free(d);
	return n;
}

static void queue_to_daemon(struct dh *h, const uint8_t *buf, size_t len)
{
	struct dh_dgram *d = malloc(sizeof(*d) + len);

	assert_non_null(d);
	d->next = NULL;
	d->len = len;
	memcpy(d->data, buf, len);
	*h->rx_tail = d;
	h->rx_tail = &d->next;
}

static void peer_send_zlb(struct dh *h)
{
	struct l2tp_msg m;
	uint8_t buf[64];
	size_t n;

	l2tp_msg_init(&m, 0);
	m.zlb = true;
	n = l2tp_msg_encode(&m, h->ctx_tid, 0, h->ns, h->nr, NULL, buf, sizeof(buf));
	assert_int_not_equal(n, 0);
	queue_to_daemon(h, buf, n);
}

static int io_send(void *ctx, int fd, const struct l2tp_addr *peer, const struct l2tp_addr *local,
		   int set_source, const uint8_t *buf, size_t len)
{
	struct dh *h = ctx;
	struct dh_pkt *p;
	struct l2tp_msg *m = malloc(sizeof(*m));

	(void)local;
	(void)set_source;
	assert_non_null(m);
	assert_int_equal(fd, h->listen_fd);
	assert_memory_equal(peer->addr, h->peer.addr, 4);
	assert_int_equal(peer->port, h->peer.port);
	assert_true(h->npkts < DH_MAX_PKTS);
	p = &h->pkts[h->npkts++];
	memset(p, 0, sizeof(*p));
	p->at = h->now;
	for (struct dp_session *ds = dp_null_sessions(h->srv.dp); ds; ds = ds->next)
		p->ppp_frames += ds->sent_count;
	/* everything the daemon sends must parse with our own decoder */
	assert_int_equal(l2tp_ctrl_header_parse(buf, len, &p->hdr), L2TP_OK);
	assert_int_equal(l2tp_msg_decode(buf + p->hdr.hdr_len, p->hdr.frame_len - p->hdr.hdr_len,
					 NULL, m), L2TP_OK);
	p->type = m->zlb ? 0 : m->type;
	p->result = m->result_code;
	p->error = m->error_code;
	p->assigned_tunnel_id = m->assigned_tunnel_id;
	p->assigned_session_id = m->assigned_session_id;
	free(m);
	if (p->type == L2TP_MSG_SCCRP)
		h->ctx_tid = p->assigned_tunnel_id;
	/* in order: the next one we expect (RFC 2661 5.8) */
	if (p->type != 0 && p->hdr.ns == h->nr) {
		h->nr++;
		if (h->auto_ack)
			peer_send_zlb(h);
	}
	return 0;
}

static void fill_random(struct dh *h, uint8_t *buf, size_t len);

static int io_random(void *ctx, void *buf, size_t len)
{
	fill_random(ctx, buf, len);
	return 0;
}

/* The null plane, made with the test's config (dataplane_null's create
 * takes none). Set around server_init_io only. */
static const struct dp_null_config *creating_with;

static int null_create(const struct dp_callbacks *cb, const struct dp_config *cfg,
		       struct dataplane **out)
{
	(void)cfg;
	return dp_null_create(cb, creating_with, out);
}

/* ---- the peer's PPP clients ---- */

static void client_send(void *ctx, const uint8_t *frame, size_t len)
{
	struct dh_call *c = ctx;

	assert_true(c->n_out < DH_MAX_OUT);
	assert_true(len <= DP_NULL_FRAME_MAX);
	memcpy(c->out[c->n_out].data, frame, len);
	c->out[c->n_out].len = len;
	c->n_out++;
}

static void client_event(void *ctx, const struct ppp_event *ev)
{
	struct dh_call *c = ctx;

	switch (ev->type) {
	case PPP_EVENT_LINK_UP:
		c->link_up = true;
		break;
	case PPP_EVENT_AUTH_RESULT:
		c->auth_done = true;
		c->auth_ok = ev->u.auth_result.success;
		c->auth_code = (uint16_t)ev->u.auth_result.code;
		if (c->dp) {
			c->dp_netdev_at_auth = c->dp->netdev;
			c->dp_ip_set_at_auth = c->dp->ip_set;
		}
		break;
	case PPP_EVENT_NCP_UP:
		if (ev->u.ncp.protocol != PPP_PROTO_IPCP)
			break;
		c->ipcp_up = true;
		c->addr = ev->u.ncp.local_addr;
		c->server_addr = ev->u.ncp.peer_addr;
		memcpy(c->dns, ev->u.ncp.dns, sizeof(c->dns));
		break;
	case PPP_EVENT_LINK_DOWN:
		c->link_down = true;
		c->ppp_deadline = 0;
		break;
	default:
		break;
	}
}

static void client_set_timer(void *ctx, uint64_t deadline)
{
	((struct dh_call *)ctx)->ppp_deadline = deadline;
}

/* One xorshift stream for the daemon and the clients: ids, challenges
 * and magic numbers are the same in every run. */
static void fill_random(struct dh *h, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h->rnd ^= h->rnd << 13;
		h->rnd ^= h->rnd >> 7;
		h->rnd ^= h->rnd << 17;
		buf[i] = (uint8_t)(h->rnd >> 24);
	}
}

static int client_random(void *ctx, uint8_t *buf, size_t len)
{
	fill_random(((struct dh_call *)ctx)->h, buf, len);
	return 0;
}

/* ---- start, stop ---- */

void dh_start(struct dh *h, const struct dh_opts *opts)
{
	struct dh_opts def = { 0 };
	struct policy_error perr;
	policy_t *policy = NULL;
	FILE *f;

	if (!opts)
		opts = &def;
	memset(h, 0, sizeof(*h));
	h->rx_tail = &h->rx_head;
	h->listen_fd = -1;
	h->plugin_fd = -1;
	h->now = 1000000;	/* any start: deadlines are relative to it */
	h->rnd = 0x9e3779b97f4a7c15ULL;
	h->auto_ack = true;
	h->pkts = calloc(DH_MAX_PKTS, sizeof(*h->pkts));
	assert_non_null(h->pkts);
	snprintf(h->dir, sizeof(h->dir), "/tmp/l2tpd-dh-XXXXXX");
	assert_non_null(mkdtemp(h->dir));
	snprintf(h->policy_path, sizeof(h->policy_path), "%s/policy.conf", h->dir);
	f = fopen(h->policy_path, "w");
	assert_non_null(f);
	write_policy(f, opts);
	fclose(f);
	if (policy_load(h->policy_path, &policy, &perr))
		fail_msg("policy: %s", perr.msg);

	/* Nothing here may touch the host: no nftables (require_ipsec's
	 * guard, MSS clamping), the plugin socket in our folder. */
	config_defaults(&h->cfg);
	h->cfg.require_ipsec = false;
	h->cfg.mss_clamp = false;
	inet_pton(AF_INET, "192.0.2.1", &((struct sockaddr_in *)&h->cfg.listen[0])->sin_addr);
	snprintf(h->cfg.ipsec_socket, sizeof(h->cfg.ipsec_socket), "%s/charon.sock", h->dir);
	snprintf(h->cfg.control_socket, sizeof(h->cfg.control_socket), "%s/l2tpd.sock", h->dir);
	h->cfg.log_level = LOG_LVL_DEBUG;
	if (opts->tweak)
		opts->tweak(&h->cfg);
	log_set_level(h->cfg.log_level);

	/* the peer: 203.0.113.2:1701 -> 192.0.2.1:1701 */
	h->peer.family = h->local.family = AF_INET;
	h->peer.port = h->local.port = 1701;
	inet_pton(AF_INET, "203.0.113.2", h->peer.addr);
	inet_pton(AF_INET, "192.0.2.1", h->local.addr);
	h->tid = 4242;

	ppp_config_defaults(&h->pcfg);
	h->pcfg.cb.send = client_send;
	h->pcfg.cb.event = client_event;
	h->pcfg.cb.set_timer = client_set_timer;
	h->pcfg.cb.random = client_random;
	h->pcfg.address_control = false;	/* the data plane adds FF 03 */
	h->pcfg.echo_interval_ms = 0;		/* the daemon's echoes are answered */
	h->pcfg.client_request_nbns = false;

	h->dpcfg = opts->dp;
	h->dp_ops = dataplane_null;
	h->dp_ops.create = null_create;
	struct server_io io = {
		.ctx = h, .now_ms = io_now, .listen_udp = io_listen, .recv = io_recv,
		.send = io_send, .random = io_random, .dataplane = &h->dp_ops,
		.arm_timer = io_arm_timer,
	};
	assert_int_equal(sd_event_new(&h->event), 0);
	creating_with = &h->dpcfg;
	int rc = server_init_io(&h->srv, h->event, &h->cfg, "l2tpd.conf", h->policy_path, policy,
				&io);
	creating_with = NULL;
	assert_int_equal(rc, 0);
}

void dh_stop(struct dh *h)
{
	server_free(&h->srv);
	sd_event_unref(h->event);
	if (h->plugin_fd >= 0)
		close(h->plugin_fd);
	while (h->rx_head) {
		struct dh_dgram *d = h->rx_head;
		h->rx_head = d->next;
		free(d);
	}
	free(h->pkts);
	unlink(h->policy_path);
	rmdir(h->dir);
}

/* ---- the exchange ---- */

/* A PPP frame's protocol, after the FF 03 the daemon puts before it
 * (address_control on L2TP); 0 when too short. */
static uint16_t frame_protocol(const uint8_t *f, size_t len)
{
	if (len >= 2 && f[0] == 0xff && f[1] == 0x03) {
		f += 2;
		len -= 2;
	}
	return len >= 2 ? (uint16_t)(f[0] << 8 | f[1]) : 0;
}

static bool deliver_ppp(struct dh *h)
{
	bool progress = false;

	for (size_t i = 0; i < h->ncalls; i++) {
		struct dh_call *c = h->calls[i];

		/* daemon -> client: what it asked the data plane to send */
		while (c->dp && c->delivered < c->dp->sent_count) {
			const struct dp_null_frame *f =
				dp_null_sent(c->dp, (unsigned)(c->dp->sent_count - 1 - c->delivered));
			struct ppp_data data;

			assert_non_null(f);	/* more than DP_NULL_SENT_MAX in one round */
			c->delivered++;
			progress = true;
			if (c->ppp_started && !c->link_down && !c->silent &&
			    !(c->deaf_to && frame_protocol(f->data, f->len) == c->deaf_to))
				(void)ppp_input(&c->ppp, h->now, f->data, f->len, &data);
		}
		/* client -> daemon: as the backend hands frames up */
		if (c->n_out) {
			unsigned n = c->n_out;

			c->n_out = 0;
			for (unsigned k = 0; k < n; k++)
				if (c->dp)
					(void)dp_null_inject_ppp(h->srv.dp, c->dp, c->out[k].data,
								 c->out[k].len);
			server_flush(&h->srv);
			progress = true;
		}
	}
	return progress;
}

void dh_pump(struct dh *h)
{
	for (int round = 0; round < PUMP_ROUNDS; round++) {
		bool progress = false;

		if (h->rx_head) {
			server_listener_readable(&h->srv, 0);
			progress = true;
		}
		progress |= deliver_ppp(h);
		if (!progress)
			return;
	}
	fail_msg("the exchange did not settle in %d rounds", PUMP_ROUNDS);
}

static uint64_t next_deadline(struct dh *h)
{
	uint64_t d = l2tp_ctx_next_deadline(h->srv.l2tp);
	struct timer_node *n = timerheap_peek(&h->srv.timers);

	if (n && n->deadline < d)
		d = n->deadline;
	for (int i = 0; i < SRV_LOG_MAX; i++) {
		uint64_t l = log_rl_deadline(&h->srv.log_rl[i]);
		if (l < d)
			d = l;
	}
	for (size_t i = 0; i < h->ncalls; i++)
		if (h->calls[i]->ppp_deadline && h->calls[i]->ppp_deadline < d)
			d = h->calls[i]->ppp_deadline;
	return d;
}

void dh_advance(struct dh *h, uint64_t ms)
{
	uint64_t target = h->now + ms;

	dh_pump(h);
	for (int step = 0; step < ADVANCE_STEPS; step++) {
		uint64_t d = next_deadline(h);

		if (d > target) {
			h->now = target;
			return;
		}
		if (d > h->now)
			h->now = d;
		server_run_timers(&h->srv);
		for (size_t i = 0; i < h->ncalls; i++) {
			struct dh_call *c = h->calls[i];

			if (c->ppp_deadline && c->ppp_deadline <= h->now && !c->link_down) {
				c->ppp_deadline = 0;
				ppp_timer_expired(&c->ppp, h->now);
			}
		}
		dh_pump(h);
	}
	fail_msg("time did not advance: a deadline fires again and again");
}

/* ---- the peer's L2TP ---- */

void dh_peer_send(struct dh *h, struct l2tp_msg *m, uint16_t sid)
{
	uint8_t buf[L2TP_MAX_CTRL];
	size_t n = l2tp_msg_encode(m, h->ctx_tid, sid, h->ns, h->nr, NULL, buf, sizeof(buf));

	assert_int_not_equal(n, 0);
	if (!m->zlb && m->type)
		h->ns++;
	queue_to_daemon(h, buf, n);
}

void dh_tunnel_request(struct dh *h)
{
	struct l2tp_msg *m = malloc(sizeof(*m));

	assert_non_null(m);
	/* as Windows sends it (RFC 2661 6.1 and the optional AVPs it adds) */
	l2tp_msg_init(m, L2TP_MSG_SCCRQ);
	m->protocol_version = 1;
	l2tp_msg_set(m, L2TP_AVP_PROTOCOL_VERSION);
	m->framing_capabilities = L2TP_FRAMING_SYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_CAPABILITIES);
	m->host_name.p = (const uint8_t *)"lac.test";
	m->host_name.len = 8;
	l2tp_msg_set(m, L2TP_AVP_HOST_NAME);
	m->assigned_tunnel_id = h->tid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_TUNNEL_ID);
	m->receive_window_size = 8;
	l2tp_msg_set(m, L2TP_AVP_RECEIVE_WINDOW_SIZE);
	h->ctx_tid = 0;
	dh_peer_send(h, m, 0);
	dh_pump(h);
	free(m);
}

void dh_tunnel_open(struct dh *h)
{
	struct l2tp_msg m;

	dh_tunnel_request(h);
	assert_non_null(dh_find(h, 0, L2TP_MSG_SCCRP));
	assert_int_not_equal(h->ctx_tid, 0);
	l2tp_msg_init(&m, L2TP_MSG_SCCCN);
	dh_peer_send(h, &m, 0);
	dh_pump(h);
}

void dh_call_request(struct dh *h, struct dh_call *c, uint16_t peer_sid, const char *user,
		     const char *password)
{
	struct l2tp_msg *m = malloc(sizeof(*m));
	size_t first = h->npkts;

	assert_non_null(m);
	assert_true(h->ncalls < DH_MAX_CALLS);
	memset(c, 0, sizeof(*c));
	c->h = h;
	c->peer_sid = peer_sid;
	c->cred.user = user;
	c->cred.password = password;
	c->method = PPP_AUTH_MSCHAPV2;
	h->calls[h->ncalls++] = c;

	l2tp_msg_init(m, L2TP_MSG_ICRQ);
	m->assigned_session_id = peer_sid;
	l2tp_msg_set(m, L2TP_AVP_ASSIGNED_SESSION_ID);
	m->call_serial_number = peer_sid;
	l2tp_msg_set(m, L2TP_AVP_CALL_SERIAL_NUMBER);
	dh_peer_send(h, m, 0);
	dh_pump(h);
	free(m);
	for (size_t i = first; i < h->npkts; i++)
		if (h->pkts[i].type == L2TP_MSG_ICRP && h->pkts[i].hdr.session_id == peer_sid)
			c->sid = h->pkts[i].assigned_session_id;
	if (c->sid)
		c->dp = dp_null_session_find(h->srv.dp, h->ctx_tid, c->sid);
}

void dh_call_connect(struct dh_call *c)
{
	struct l2tp_msg *m = malloc(sizeof(*m));

	assert_non_null(m);
	assert_int_not_equal(c->sid, 0);
	l2tp_msg_init(m, L2TP_MSG_ICCN);
	m->tx_connect_speed = 100000000;
	l2tp_msg_set(m, L2TP_AVP_TX_CONNECT_SPEED);
	m->framing_type = L2TP_FRAMING_SYNC;
	l2tp_msg_set(m, L2TP_AVP_FRAMING_TYPE);
	if (c->sequencing_required)
		l2tp_msg_set(m, L2TP_AVP_SEQUENCING_REQUIRED);
	dh_peer_send(c->h, m, c->sid);
	free(m);
}

void dh_call_start_ppp(struct dh_call *c)
{
	struct dh *h = c->h;

	/* the harness's settings, the call's credentials */
	c->pcfg = h->pcfg;
	c->pcfg.client = &c->cred;
	ppp_session_init(&c->ppp, &c->pcfg, PPP_CLIENT, c);
	ppp_set_auth_methods(&c->ppp, &c->method, 1);
	c->ppp_started = true;
	ppp_start(&c->ppp, h->now);
}

void dh_call_open(struct dh *h, struct dh_call *c, uint16_t peer_sid, const char *user,
		  const char *password)
{
	dh_call_request(h, c, peer_sid, user, password);
	assert_int_not_equal(c->sid, 0);
	assert_non_null(c->dp);
	dh_call_connect(c);
	dh_call_start_ppp(c);
	dh_pump(h);
}

/* ---- looking ---- */

const struct dh_pkt *dh_find(const struct dh *h, size_t from, uint16_t type)
{
	for (size_t i = from; i < h->npkts; i++)
		if (h->pkts[i].type == type)
			return &h->pkts[i];
	return NULL;
}

const struct dh_pkt *dh_cdn(const struct dh *h, const struct dh_call *c, size_t from)
{
	for (size_t i = from; i < h->npkts; i++)
		if (h->pkts[i].type == L2TP_MSG_CDN && h->pkts[i].hdr.session_id == c->peer_sid)
			return &h->pkts[i];
	return NULL;
}

size_t dh_count(const struct dh *h, size_t from, uint16_t type)
{
	size_t n = 0;

	for (size_t i = from; i < h->npkts; i++)
		n += h->pkts[i].type == type;
	return n;
}

char *dh_ctl(struct dh *h, const char *line)
{
	struct strbuf o = { 0 };
	char req[CTL_MAX_REQUEST];
	int n = snprintf(req, sizeof(req), "%s\n", line);	/* l2tpctl sends a line */

	assert_true(n > 0 && (size_t)n < sizeof(req));
	assert_int_not_equal(ctl_handle_request(&h->srv, req, (size_t)n, &o), CTL_PARSE_MORE);
	dh_pump(h);
	assert_false(o.oom);
	return sb_take(&o);
}

struct session *dh_session(struct dh *h, const struct dh_call *c)
{
	for (struct session *s = h->srv.sessions; s; s = s->next)
		if (s->tunnel_id == h->ctx_tid && s->session_id == c->sid)
			return s;
	return NULL;
}

/* ---- the charon plugin ---- */

static void plugin_send(struct dh *h, struct l2tp_ipsec_writer *w)
{
	size_t n = l2tp_ipsec_end(w);

	assert_int_not_equal(n, 0);
	assert_int_equal(send(h->plugin_fd, w->buf, n, 0), (ssize_t)n);
}

/* Dispatch the loop (its unix sockets) until the plugin link says `want`
 * (ipsec_status). No timer fires here (io_arm_timer): time moves only in
 * dh_advance. */
static void dispatch_until(struct dh *h, const char *want)
{
	char st[256];

	for (int i = 0; i < 1000; i++) {
		ipsec_status(&h->srv, st, sizeof(st));
		if (!strncmp(st, want, strlen(want)))
			return;
		int r = sd_event_run(h->event, 0);
		if (r < 0)
			fail_msg("sd_event_run: %s", strerror(-r));
	}
	fail_msg("charon plugin link: '%s', never '%s'", st, want);
}

void dh_plugin_connect(struct dh *h, uint32_t ike_id, uint32_t child_id)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct l2tp_ipsec_writer w;
	uint8_t buf[L2TP_IPSEC_MSG_MAX];

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", h->cfg.ipsec_socket);
	h->plugin_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	assert_true(h->plugin_fd >= 0);
	assert_int_equal(connect(h->plugin_fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	dispatch_until(h, "replaying");

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_HELLO);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_SOFTWARE, "daemon harness");
	plugin_send(h, &w);
	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_IKE_UP);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike_id);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 4, h->peer.addr);
	l2tp_ipsec_put_u16(&w, L2TP_IPSEC_A_PEER_PORT, 500);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_LOCAL_ADDR, 4, h->local.addr);
	l2tp_ipsec_put_u8(&w, L2TP_IPSEC_A_IKE_VERSION, 1);
	l2tp_ipsec_put_str(&w, L2TP_IPSEC_A_REMOTE_ID, "203.0.113.2");
	plugin_send(h, &w);
	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_CHILD_UP);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike_id);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_CHILD_ID, child_id);
	l2tp_ipsec_put_addr(&w, L2TP_IPSEC_A_PEER_ADDR, 4, h->peer.addr);
	plugin_send(h, &w);
	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_REPLAY_END);
	plugin_send(h, &w);
	dispatch_until(h, "connected, 1 IKE SAs, 1 L2TP CHILD_SAs");
}

void dh_plugin_ike_down(struct dh *h, uint32_t ike_id)
{
	struct l2tp_ipsec_writer w;
	uint8_t buf[L2TP_IPSEC_MSG_MAX];

	l2tp_ipsec_begin(&w, buf, sizeof(buf), L2TP_IPSEC_IKE_DOWN);
	l2tp_ipsec_put_u32(&w, L2TP_IPSEC_A_IKE_ID, ike_id);
	plugin_send(h, &w);
	dispatch_until(h, "connected, 0 IKE SAs");
	dh_pump(h);
}

unsigned dh_plugin_recv(struct dh *h, uint32_t *ike_id)
{
	uint8_t buf[L2TP_IPSEC_MSG_MAX];
	struct l2tp_ipsec_msg m;
	ssize_t n = recv(h->plugin_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0) {
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		return 0;
	}
	assert_true(n > 0);
	assert_int_equal(l2tp_ipsec_parse_request(buf, (size_t)n, &m), L2TP_IPSEC_OK);
	*ike_id = m.ike_id;
	return m.type;
}

void dh_log_capture_start(struct dh_log_capture *c)
{
	fflush(stderr);
	c->file = tmpfile();
	assert_non_null(c->file);
	c->saved = dup(STDERR_FILENO);
	assert_true(c->saved >= 0);
	assert_true(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

char *dh_log_capture_end(struct dh_log_capture *c)
{
	long n;
	char *text;

	fflush(stderr);
	assert_true(dup2(c->saved, STDERR_FILENO) >= 0);
	close(c->saved);
	n = ftell(c->file);
	assert_true(n >= 0);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	rewind(c->file);
	assert_int_equal(fread(text, 1, (size_t)n, c->file), (size_t)n);
	fclose(c->file);
	return text;
}
