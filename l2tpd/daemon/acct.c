/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS accounting in the daemon (acct.h). */
#include "acct.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "accounting.h"
#include "dhcp6_pd.h"
#include "ipsec.h"
#include "log.h"
#include "radius_io.h"
#include "radius_nas.h"
#include "reply.h"
#include "router_adv.h"
#include "server.h"
#include "session.h"
#include "spool_file.h"

/* Records held at once (queued and in flight) before the oldest is
 * dropped: at about 300 octets each, 3 MB of memory and spool. */
#define ACCT_MAX_RECORDS 10000
#define ACCT_WINDOW 8			/* in flight at once while a server answers */
#define ACCT_COMPACT_BYTES (1u << 20)	/* rewrite the spool past 1 MiB of history */
/* with nothing outstanding, a new empty spool past 64 KiB (a few hundred
 * records): not after every acknowledgement (accounting.h reset_bytes) */
#define ACCT_RESET_BYTES (64u << 10)
#define ACCT_SPOOL_MAX_PENDING (4u << 20)	/* octets handed to the writer, not on disk */

struct acct {
	struct server *srv;
	struct radius_acct *engine;
	struct radius_spool_file *spool;
	char spool_path[256];
	struct server_timer timer;		/* the engine's next deadline */
	char nas_identifier[64];
	struct radius_conf *conf;		/* the engine's secrets point into it */
	bool alive[L2TPD_RADIUS_MAX_SERVERS];	/* as last logged */
	bool off_sent;
};

/* A session's accounting, allocated at its grant: what its records say
 * that the session itself does not keep. */
struct acct_session {
	struct session *s;
	struct server_timer interim;
	uint32_t interval_s;			/* 0: no Interim-Updates */
	uint8_t end;				/* enum radius_session_end + 1, 0: not said */
	bool started;				/* a Start went: a Stop follows */
	struct radius_nas_facts nas;		/* as the Access-Request said (radius_nas.h) */
	char *ike_identity;			/* NULL none */
	unsigned n_class;
	uint8_t class_len[RADIUS_REPLY_MAX_CLASS];
	uint8_t *class_buf;			/* the Class values one after the other */
	/* the session's IPv6 prefixes as last seen (link, delegated): they
	 * go back to their pools before the Stop is made (acct_session_ipv6) */
	uint8_t v6[2][16], v6_len[2];
};

static uint32_t now_wall(void)
{
	time_t t = time(NULL);

	return t > 0 ? (uint32_t)t : 0;
}

/* ---- the engine on the loop ----------------------------------------------------- */

static void log_server_states(struct acct *a);

static void rearm(struct acct *a)
{
	uint64_t next = radius_acct_next_timer(a->engine);

	log_server_states(a);
	if (next == UINT64_MAX) {
		timerheap_cancel(&a->srv->timers, &a->timer.node);
		return;
	}
	if (timerheap_set(&a->srv->timers, &a->timer.node, next))
		log_err("radius accounting: no memory for the retransmission timer: records wait "
			"for the next event");
}

/* A server that stopped or started answering: one line each way (the
 * engine itself logs only the queue's drops). */
static void log_server_states(struct acct *a)
{
	char addr[64];

	for (unsigned i = 0; i < a->conf->n_servers; i++) {
		const struct radius_server_stats *st = radius_acct_server_stats(a->engine, i);

		if (!st || st->alive == a->alive[i])
			continue;
		a->alive[i] = st->alive;
		radius_io_server_str(a->srv->radius_io, RADIUS_IO_ACCT, i, addr, sizeof(addr));
		if (st->alive)
			log_notice("radius accounting: server '%s' (%s) answers again",
				   a->conf->servers[i].name, addr);
		else
			log_warn("radius accounting: server '%s' (%s) does not answer: records wait "
				 "(or go to the next server), probed with Status-Server every %ums",
				 a->conf->servers[i].name, addr, a->conf->dead_time_ms);
	}
}

static void engine_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct acct *a = ctx;

	radius_io_send(a->srv->radius_io, RADIUS_IO_ACCT, server, pkt, len);
}

static int engine_random(void *ctx, uint8_t *buf, size_t len)
{
	struct acct *a = ctx;

	return server_random(a->srv, buf, len);
}

static void engine_log(void *ctx, const char *line)
{
	(void)ctx;
	log_notice("radius %s", line);
}

static void engine_spool(void *ctx, enum radius_spool_op op, const uint8_t *bytes, size_t len)
{
	struct acct *a = ctx;

	/* handed to the writer thread: never waits for the disk */
	radius_spool_file_op(a->spool, op, bytes, len);
}

static void timer_fired(void *ctx, uint64_t now)
{
	struct acct *a = ctx;

	radius_acct_timer(a->engine, now);
	rearm(a);
}

static void io_input(void *ctx, unsigned server, const uint8_t *buf, size_t len)
{
	struct acct *a = ctx;

	radius_acct_input(a->engine, server_now_ms(a->srv), server, buf, len);
	rearm(a);
}

/* ---- records ---------------------------------------------------------------------- */

/* The run's own Acct-Session-Id for Accounting-On/Off (RFC 2866 5.5):
 * serial 0, which no session has. */
static void nas_record(struct acct *a, enum radius_acct_status status)
{
	struct radius_nas_facts nf;
	struct radius_nas_session ns;
	struct radius_acct_record r = { .status = status };

	memset(&nf, 0, sizeof(nf));
	snprintf(nf.acct_session_id, sizeof(nf.acct_session_id), "%08X%08X", a->srv->acct_prefix,
		 0u);
	radius_nas_session_make(&ns, &nf, a->conf, a->nas_identifier, NULL, NULL);
	radius_acct_record(a->engine, server_now_ms(a->srv), now_wall(), &ns, &r);
	rearm(a);
}

/* The prefixes the session has now, kept for the records after they are
 * gone; a prefix given up earlier (a DHCPv6 Release) stays the last seen. */
static void note_ipv6(struct acct_session *as)
{
	struct policy_prefix p[2];
	bool have[2] = { router_adv_session_prefix(as->s, &p[0]),
			 dhcp6_pd_session_prefix(as->s, &p[1]) };

	for (unsigned i = 0; i < 2; i++) {
		if (!have[i] || p[i].ip.family != AF_INET6 || p[i].len > 128)
			continue;
		memcpy(as->v6[i], p[i].ip.bytes, 16);
		as->v6_len[i] = p[i].len;
	}
}

void acct_session_ipv6(struct session *s)
{
	if (s->acct)
		note_ipv6(s->acct);
}

static void session_record(struct acct_session *as, enum radius_acct_status status,
			   const struct dp_stats *st)
{
	struct session *s = as->s;
	struct acct *a = s->srv->acct;
	uint64_t now = server_now_ms(s->srv);
	const uint8_t *class[RADIUS_REPLY_MAX_CLASS];
	struct radius_nas_session ns;
	struct radius_acct_record r = {
		.status = status,
		.framed_ip = htonl(s->peer_addr),
		.class = class,
		.class_len = as->class_len,
		.n_class = as->n_class,
	};
	size_t off = 0;

	note_ipv6(as);
	memcpy(r.framed_ipv6_prefix, as->v6[0], 16);
	r.framed_ipv6_prefix_len = as->v6_len[0];
	memcpy(r.delegated_prefix, as->v6[1], 16);
	r.delegated_prefix_len = as->v6_len[1];
	for (unsigned i = 0; i < as->n_class; i++) {
		class[i] = as->class_buf + off;
		off += as->class_len[i];
	}
	if (st) {
		/* RFC 2866 5.3/5.4, the NAS's view: Input is what the port
		 * received from the client (the data plane's rx), Output what
		 * it sent to the client (tx) */
		r.in_octets = st->rx_bytes;
		r.out_octets = st->tx_bytes;
		r.in_packets = st->rx_packets;
		r.out_packets = st->tx_packets;
		/* from the Start: session_up() set up_ms just before it (IPCP
		 * up, or IPV6CP up for a session without IPv4) */
		r.session_time = s->up_ms && now > s->up_ms ? (uint32_t)((now - s->up_ms) / 1000) : 0;
	}
	if (status == RADIUS_ACCT_STOP)
		r.terminate_cause = radius_acct_terminate_cause(
			as->end ? (enum radius_session_end)(as->end - 1) : RADIUS_END_NAS_REQUEST);
	radius_nas_session_make(&ns, &as->nas, a->conf, a->nas_identifier, s->user,
				as->ike_identity);
	radius_acct_record(a->engine, now, now_wall(), &ns, &r);
	rearm(a);
}

static void interim_fired(void *ctx, uint64_t now)
{
	struct acct_session *as = ctx;
	struct session *s = as->s;
	struct dp_stats st;

	session_packets(s->srv, s, &st);
	session_record(as, RADIUS_ACCT_INTERIM, &st);
	if (timerheap_set(&s->srv->timers, &as->interim.node,
			  acct_interim_next(s->up_ms, as->interval_s, now)))
		log_err("session %u/%u: no memory for the Interim-Update timer", s->tunnel_id,
			s->session_id);
}

/* ---- sessions ---------------------------------------------------------------------- */

void acct_session_granted(struct session *s, const struct radius_reply *attrs)
{
	struct acct *a = s->srv->acct;
	struct acct_session *as;
	size_t total = 0;

	if (!a || s->acct)
		return;
	as = calloc(1, sizeof(*as));
	if (!as) {
		log_err("session %u/%u: no memory for its accounting: no records for it",
			s->tunnel_id, s->session_id);
		return;
	}
	as->s = s;
	as->interim.node.kind = SERVER_TIMER_CALLBACK;
	as->interim.fn = interim_fired;
	as->interim.ctx = as;
	as->interval_s = acct_interim_interval(attrs ? attrs->interim_interval : 0,
					       s->srv->cfg.radius.interim_interval);
	if (attrs && attrs->n_class) {
		/* RFC 2865 5.25: every Class sent unmodified in the
		 * session's accounting */
		for (unsigned i = 0; i < attrs->n_class && i < RADIUS_REPLY_MAX_CLASS; i++)
			total += attrs->class_len[i];
		as->class_buf = malloc(total ? total : 1);
		if (as->class_buf) {
			size_t off = 0;

			for (unsigned i = 0; i < attrs->n_class && i < RADIUS_REPLY_MAX_CLASS; i++) {
				memcpy(as->class_buf + off, attrs->class[i], attrs->class_len[i]);
				as->class_len[i] = attrs->class_len[i];
				off += attrs->class_len[i];
			}
			as->n_class = attrs->n_class < RADIUS_REPLY_MAX_CLASS ? attrs->n_class
									    : RADIUS_REPLY_MAX_CLASS;
		} else {
			log_err("session %u/%u: no memory for its Class: its records go without",
				s->tunnel_id, s->session_id);
		}
	}
	s->acct = as;
}

void acct_session_up(struct session *s)
{
	struct acct_session *as = s->acct;
	struct auth_session_facts f;
	char asid[24];

	if (!as || as->started || !s->srv->acct)
		return;
	/* the Access-Request's facts, taken again now: the tunnel may be
	 * gone by the Stop */
	session_auth_facts(s, &f, asid, sizeof(asid));
	radius_nas_facts_fill(&as->nas, &f);
	if (f.ike_identity && f.ike_identity[0])
		as->ike_identity = strndup(f.ike_identity, RADIUS_MAX_VALUE);
	as->started = true;
	session_record(as, RADIUS_ACCT_START, NULL);
	if (as->interval_s &&
	    timerheap_set(&s->srv->timers, &as->interim.node,
			  acct_interim_next(s->up_ms, as->interval_s, s->up_ms)))
		log_err("session %u/%u: no memory for the Interim-Update timer", s->tunnel_id,
			s->session_id);
}

void acct_session_end(struct session *s, enum radius_session_end end)
{
	if (s->acct && !s->acct->end)
		s->acct->end = (uint8_t)(end + 1);
}

void acct_tunnel_end(struct server *srv, const struct tunnel *t, enum radius_session_end end)
{
	if (!srv->acct)
		return;
	for (struct session *s = srv->sessions; s; s = s->next)
		if (s->tunnel == t)
			acct_session_end(s, end);
}

void acct_session_gone(struct session *s, const struct dp_stats *st)
{
	struct acct_session *as = s->acct;

	if (!as)
		return;
	timerheap_cancel(&s->srv->timers, &as->interim.node);
	if (as->started && s->srv->acct)
		session_record(as, RADIUS_ACCT_STOP, st);
	free(as->ike_identity);
	free(as->class_buf);
	free(as);
	s->acct = NULL;
}

/* ---- the daemon -------------------------------------------------------------------- */

void acct_stopping(struct server *srv)
{
	struct acct *a = srv->acct;

	if (!a || a->off_sent)
		return;
	a->off_sent = true;
	/* RFC 2866 5.1: Accounting-Off, "the NAS is about to go off-line";
	 * after the Stops, so a server never sees a Stop after it */
	nas_record(a, RADIUS_ACCT_OFF);
}

bool acct_drained(const struct server *srv)
{
	const struct radius_acct_stats *st;

	if (!srv->acct)
		return true;
	st = radius_acct_stats(srv->acct->engine);
	return !st->queued && !st->in_flight;
}

/* The directory of radius.accounting_spool, made (0700, one level, as
 * systemd's StateDirectory= would) when it is missing: its parent must
 * exist, so a typo cannot grow a tree. Synchronous, at start, before the
 * loop runs. 0, or -1 with the reason logged. */
static int spool_dir_ready(const char *path)
{
	char dir[256];
	const char *base = strrchr(path, '/');
	struct stat sb;

	if (!base || base == path || (size_t)(base - path) >= sizeof(dir))
		return 0;	/* in / (it exists), or the spool's open says why */
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - path), path);
	if (stat(dir, &sb) == 0)
		return 0;
	if (errno != ENOENT || mkdir(dir, 0700) != 0) {
		log_err("radius accounting: spool directory %s: %s (under systemd, a spool outside "
			"/var/lib/l2tpd needs ReadWritePaths= in the unit)", dir, strerror(errno));
		return -1;
	}
	log_notice("radius accounting: made the spool directory %s (0700)", dir);
	return 0;
}

/* The request engine's settings from rc; the secrets point into rc. */
static void client_config(const struct radius_conf *rc, struct radius_client_config *cc)
{
	*cc = (struct radius_client_config){
		.n_servers = rc->n_servers,
		.timeout_ms = rc->timeout_ms,
		.max_timeout_ms = rc->max_timeout_ms,
		.tries = rc->tries,
		.dead_time_ms = rc->dead_time_ms,
		.load_share = rc->load_share,
		/* an Accounting-Response carries none (RFC 2866 4.2): its
		 * Response Authenticator proves it */
		.require_message_authenticator = false,
	};
	for (unsigned i = 0; i < rc->n_servers; i++) {
		cc->secrets[i] = rc->servers[i].secret;
		/* RadSec: one try, then the next server (RFC 6613 2.4) */
		cc->reliable[i] = rc->servers[i].tls.enabled;
	}
}

int acct_init(struct server *srv)
{
	const struct radius_conf *rc = &srv->cfg.radius;
	struct radius_client_config cc;
	struct radius_acct_config ac = {
		.max_records = ACCT_MAX_RECORDS,
		.window = ACCT_WINDOW,
		.retry_ms = rc->dead_time_ms,
		.compact_bytes = ACCT_COMPACT_BYTES,
		.reset_bytes = ACCT_RESET_BYTES,
	};
	struct radius_acct_ops ops = { .send = engine_send, .random = engine_random,
				       .spool = engine_spool, .log = engine_log };
	struct radius_spool_read_stats rst;
	uint8_t *old = NULL;
	size_t old_len = 0;
	char err[320];
	struct acct *a;

	if (!rc->accounting || !rc->n_servers || !srv->radius_io)
		return 0;
	if (spool_dir_ready(rc->accounting_spool))
		return -1;
	a = calloc(1, sizeof(*a));
	if (!a) {
		log_err("no memory for RADIUS accounting");
		return -1;
	}
	a->srv = srv;
	a->conf = malloc(sizeof(*a->conf));
	if (!a->conf) {
		log_err("no memory for RADIUS accounting");
		free(a);
		return -1;
	}
	*a->conf = *rc;
	snprintf(a->spool_path, sizeof(a->spool_path), "%s", rc->accounting_spool);
	radius_nas_identifier(&srv->cfg, a->nas_identifier, sizeof(a->nas_identifier));
	a->timer.node.kind = SERVER_TIMER_CALLBACK;
	a->timer.fn = timer_fired;
	a->timer.ctx = a;
	/* read synchronously, before the loop runs (spool_file.h) */
	a->spool = radius_spool_file_open_path(a->spool_path, ACCT_SPOOL_MAX_PENDING, &old,
					       &old_len, err, sizeof(err));
	if (!a->spool) {
		log_err("radius accounting: %s", err);
		free(a->conf);
		free(a);
		return -1;
	}
	client_config(a->conf, &cc);
	memset(a->alive, 1, sizeof(a->alive));
	ops.ctx = a;
	a->engine = radius_acct_new(&cc, &ac, &ops);
	if (!a->engine) {
		log_err("cannot make the RADIUS accounting engine (bad settings or no memory)");
		free(old);
		radius_spool_file_close(a->spool);
		free(a->conf);
		free(a);
		return -1;
	}
	srv->acct = a;
	radius_io_set_input(srv->radius_io, RADIUS_IO_ACCT, io_input, a);
	memset(&rst, 0, sizeof(rst));
	radius_acct_restore(a->engine, server_now_ms(srv), now_wall(), old ? old : (uint8_t *)"",
			    old_len, &rst);
	free(old);
	/* RFC 2866 5.1: Accounting-On, "the NAS is ... on-line": every
	 * session of an earlier run that sent no Stop has ended */
	nas_record(a, RADIUS_ACCT_ON);
	log_notice("radius accounting: on, %u server(s), spool %s, Interim-Update %s", rc->n_servers,
		   a->spool_path, rc->interim_interval ? "by the configuration unless the server says"
						       : "when the server asks");
	return 0;
}

void acct_reconfigure(struct server *srv)
{
	struct acct *a = srv->acct;
	const struct radius_conf *rc = &srv->cfg.radius;
	struct radius_client_config cc;
	struct radius_conf *next;

	if (!a)
		return;
	radius_nas_identifier(&srv->cfg, a->nas_identifier, sizeof(a->nas_identifier));
	if (!rc->n_servers || (a->conf->n_servers == rc->n_servers &&
			       !memcmp(a->conf->servers, rc->servers, sizeof(rc->servers)) &&
			       a->conf->timeout_ms == rc->timeout_ms &&
			       a->conf->max_timeout_ms == rc->max_timeout_ms &&
			       a->conf->tries == rc->tries && a->conf->dead_time_ms == rc->dead_time_ms &&
			       a->conf->load_share == rc->load_share))
		return;
	/* the new settings beside the old ones until the new engine took
	 * them: the old engine's secrets point into a->conf */
	next = malloc(sizeof(*next));
	if (!next) {
		log_err("reload: no memory for the accounting servers: the running ones are kept");
		return;
	}
	*next = *rc;
	client_config(next, &cc);
	if (radius_acct_reconfigure(a->engine, server_now_ms(srv), &cc)) {
		log_err("reload: cannot make the accounting request engine: the running servers "
			"are kept");
		free(next);
		return;
	}
	free(a->conf);
	a->conf = next;
	memset(a->alive, 1, sizeof(a->alive));
	rearm(a);
	log_notice("radius accounting: %u server(s) for records from now on (%u in flight sent "
		   "again)", a->conf->n_servers, radius_acct_stats(a->engine)->in_flight);
}

void acct_free(struct server *srv)
{
	struct acct *a = srv->acct;

	if (!a)
		return;
	timerheap_cancel(&srv->timers, &a->timer.node);
	if (srv->radius_io)
		radius_io_set_input(srv->radius_io, RADIUS_IO_ACCT, NULL, NULL);
	radius_acct_free(a->engine);	/* what is held stays in the spool */
	radius_spool_file_close(a->spool);	/* flushed to disk */
	free(a->conf);
	free(a);
	srv->acct = NULL;
}

const struct radius_acct *acct_engine(const struct server *srv)
{
	return srv->acct ? srv->acct->engine : NULL;
}

void acct_spool_stats(const struct server *srv, struct radius_spool_file_stats *st,
		      long long *size)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	*size = -1;
	if (!srv->acct)
		return;
	radius_spool_file_stats(srv->acct->spool, st);
	/* a stat() of a local file: no wait worth the name, on l2tpctl's
	 * request only */
	if (stat(srv->acct->spool_path, &sb) == 0)
		*size = (long long)sb.st_size;
}
