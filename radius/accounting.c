/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accounting engine (accounting.h). */
#include "accounting.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One record held until a server acknowledges it. */
struct entry {
	struct entry *prev, *next;	/* in a->waiting (by seq) or a->flight */
	struct radius_acct *a;
	uint64_t seq;
	uint64_t made_ms;		/* when this run got it */
	uint32_t delay_before;		/* seconds it waited in earlier runs */
	uint32_t event_time;
	bool in_flight;
	uint8_t status;			/* Acct-Status-Type, for log lines */
	size_t len;
	uint8_t attrs[];		/* without Acct-Delay-Time */
};

struct list {
	struct entry *head, *tail;
	unsigned n;
};

struct radius_acct {
	struct radius_acct_config cfg;
	struct radius_acct_ops ops;
	struct radius_client *client;
	struct list waiting, flight;
	uint64_t next_seq;
	uint64_t now_ms;		/* of the call we are in: for Acct-Delay-Time */
	uint64_t hold_until_ms;		/* every server dead: the next try */
	size_t spool_bytes, held_bytes;
	bool dropping;			/* the bound was hit and not yet relieved */
	uint64_t dropped_episode;
	struct radius_acct_stats st;
};

static const struct {
	enum radius_terminate_cause cause;
	const char *name;
} END[RADIUS_END_MAX] = {
	/* RFC 2866 section 5.10 */
	[RADIUS_END_USER_REQUEST] = { RADIUS_TC_USER_REQUEST, "user-request" },
	[RADIUS_END_PEER_LOST] = { RADIUS_TC_LOST_CARRIER, "peer-lost" },
	[RADIUS_END_IPSEC_DOWN] = { RADIUS_TC_LOST_CARRIER, "ipsec-down" },
	[RADIUS_END_IDLE_TIMEOUT] = { RADIUS_TC_IDLE_TIMEOUT, "idle-timeout" },
	[RADIUS_END_SESSION_TIMEOUT] = { RADIUS_TC_SESSION_TIMEOUT, "session-timeout" },
	[RADIUS_END_ADMIN_DISCONNECT] = { RADIUS_TC_ADMIN_RESET, "admin-disconnect" },
	[RADIUS_END_ADMIN_REBOOT] = { RADIUS_TC_ADMIN_REBOOT, "admin-reboot" },
	[RADIUS_END_NAS_REBOOT] = { RADIUS_TC_NAS_REBOOT, "nas-reboot" },
	[RADIUS_END_PORT_ERROR] = { RADIUS_TC_PORT_ERROR, "port-error" },
	[RADIUS_END_NAS_ERROR] = { RADIUS_TC_NAS_ERROR, "nas-error" },
	[RADIUS_END_NAS_REQUEST] = { RADIUS_TC_NAS_REQUEST, "nas-request" },
	[RADIUS_END_LOST_SERVICE] = { RADIUS_TC_LOST_SERVICE, "lost-service" },
	[RADIUS_END_SERVICE_UNAVAILABLE] = { RADIUS_TC_SERVICE_UNAVAILABLE, "service-unavailable" },
	[RADIUS_END_USER_ERROR] = { RADIUS_TC_USER_ERROR, "user-error" },
};

enum radius_terminate_cause radius_acct_terminate_cause(enum radius_session_end end)
{
	return (unsigned)end < RADIUS_END_MAX ? END[end].cause : RADIUS_TC_NAS_ERROR;
}

const char *radius_session_end_name(enum radius_session_end end)
{
	return (unsigned)end < RADIUS_END_MAX ? END[end].name : "unknown";
}

static const char *status_name(uint8_t s)
{
	switch (s) {
	case RADIUS_ACCT_START: return "Start";
	case RADIUS_ACCT_STOP: return "Stop";
	case RADIUS_ACCT_INTERIM: return "Interim-Update";
	case RADIUS_ACCT_ON: return "Accounting-On";
	case RADIUS_ACCT_OFF: return "Accounting-Off";
	default: return "record";
	}
}

static void logf_(struct radius_acct *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct radius_acct *a, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	if (!a->ops.log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->ops.log(a->ops.ctx, line);
}

/* ---- lists ---------------------------------------------------------------- */

static void unlink_entry(struct list *l, struct entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		l->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
	l->n--;
}

static void append(struct list *l, struct entry *e)
{
	e->next = NULL;
	e->prev = l->tail;
	if (l->tail)
		l->tail->next = e;
	else
		l->head = e;
	l->tail = e;
	l->n++;
}

/* Back into the waiting list in sequence order: a record that timed out is
 * among the oldest, so the walk from the head is short. */
static void insert_by_seq(struct list *l, struct entry *e)
{
	struct entry *at = l->head;

	/* a new record is the newest: O(1) however long the queue */
	if (!l->tail || l->tail->seq < e->seq) {
		append(l, e);
		return;
	}
	while (at && at->seq < e->seq)
		at = at->next;
	e->next = at;
	e->prev = at->prev;
	if (at->prev)
		at->prev->next = e;
	else
		l->head = e;
	at->prev = e;
	l->n++;
}

/* ---- the spool -------------------------------------------------------------- */

static void spool_op(struct radius_acct *a, enum radius_spool_op op, const uint8_t *b, size_t n)
{
	if (a->ops.spool)
		a->ops.spool(a->ops.ctx, op, b, n);
}

static void spool_record(struct radius_acct *a, const struct entry *e)
{
	uint8_t buf[RADIUS_SPOOL_MAX_ENTRY];
	struct radius_spool_entry se = { .kind = RADIUS_SPOOL_RECORD, .seq = e->seq,
					 .event_time = e->event_time, .attrs = e->attrs,
					 .attrs_len = e->len };
	size_t n = radius_spool_encode(buf, sizeof(buf), &se);

	if (n) {
		spool_op(a, RADIUS_SPOOL_APPEND, buf, n);
		a->spool_bytes += n;
	}
}

/* A new spool holding exactly what is held now. */
static void spool_rewrite(struct radius_acct *a)
{
	const struct list *lists[2] = { &a->flight, &a->waiting };

	spool_op(a, RADIUS_SPOOL_REWRITE_BEGIN, NULL, 0);
	a->spool_bytes = RADIUS_SPOOL_HEADER_LEN;
	for (unsigned i = 0; i < 2; i++)
		for (const struct entry *e = lists[i]->head; e; e = e->next)
			spool_record(a, e);
	spool_op(a, RADIUS_SPOOL_REWRITE_COMMIT, NULL, 0);
}

/* The record is no longer ours to send: acknowledged or dropped. */
static void spool_done(struct radius_acct *a, uint64_t seq)
{
	uint8_t buf[32];
	struct radius_spool_entry se = { .kind = RADIUS_SPOOL_DONE, .seq = seq };
	size_t n = radius_spool_encode(buf, sizeof(buf), &se);

	/* the "done" entry first, also when a reset follows: the reset
	 * replaces the file, and if it cannot (disk full: spool_file.c then
	 * keeps the old file), the record must still read as done after a
	 * restart instead of being sent a second time */
	spool_op(a, RADIUS_SPOOL_APPEND, buf, n);
	a->spool_bytes += n;
	if (!a->waiting.n && !a->flight.n) {
		/* nothing outstanding: the file goes back to its header,
		 * once it is worth a new file (reset_bytes) */
		if (a->spool_bytes > a->cfg.reset_bytes) {
			spool_op(a, RADIUS_SPOOL_RESET, NULL, 0);
			a->spool_bytes = RADIUS_SPOOL_HEADER_LEN;
		}
		return;
	}
	if (a->cfg.compact_bytes && a->spool_bytes > a->cfg.compact_bytes &&
	    a->spool_bytes > 2 * (a->held_bytes + RADIUS_SPOOL_HEADER_LEN))
		spool_rewrite(a);
}

/* ---- entries ---------------------------------------------------------------- */

static struct entry *entry_new(struct radius_acct *a, uint64_t seq, uint32_t event_time,
			       const uint8_t *attrs, size_t len)
{
	struct entry *e = calloc(1, sizeof(*e) + len);

	if (!e)
		return NULL;
	e->a = a;
	e->seq = seq;
	e->made_ms = a->now_ms;
	e->event_time = event_time;
	e->len = len;
	memcpy(e->attrs, attrs, len);
	/* Acct-Status-Type, for the log */
	for (size_t off = 0; off + 6 <= len; off += attrs[off + 1])
		if (attrs[off] == RADIUS_ACCT_STATUS_TYPE && attrs[off + 1] == 6) {
			e->status = attrs[off + 5];
			break;
		}
	a->held_bytes += len + RADIUS_SPOOL_ENTRY_OVERHEAD + RADIUS_SPOOL_RECORD_FIXED;
	return e;
}

static void entry_free(struct radius_acct *a, struct entry *e)
{
	a->held_bytes -= e->len + RADIUS_SPOOL_ENTRY_OVERHEAD + RADIUS_SPOOL_RECORD_FIXED;
	free(e);
}

static void count(struct radius_acct *a)
{
	a->st.queued = a->waiting.n;
	a->st.in_flight = a->flight.n;
}

/* The oldest record held: the head of the waiting list or one in flight. */
static struct entry *oldest(struct radius_acct *a)
{
	struct entry *best = a->waiting.head;

	for (struct entry *e = a->flight.head; e; e = e->next)
		if (!best || e->seq < best->seq)
			best = e;
	return best;
}

/* The bound is hit: the oldest record goes, said once per episode. */
static void drop_oldest(struct radius_acct *a)
{
	struct entry *e = oldest(a);

	if (!e)
		return;
	if (e->in_flight) {
		radius_client_cancel(a->client, e);
		unlink_entry(&a->flight, e);
	} else {
		unlink_entry(&a->waiting, e);
	}
	a->st.dropped++;
	a->dropped_episode++;
	if (!a->dropping) {
		a->dropping = true;
		logf_(a, "accounting: %u records held, none acknowledged: dropping the oldest "
			 "(%s of %u s ago) and every further oldest until a server answers",
		      a->cfg.max_records, status_name(e->status),
		      (unsigned)(e->delay_before + (a->now_ms - e->made_ms) / 1000));
	}
	spool_done(a, e->seq);
	entry_free(a, e);
}

/* ---- sending ---------------------------------------------------------------- */

/* The request engine builds the packet for each server it tries: the
 * record's attributes and Acct-Delay-Time as of now (RFC 2866 5.2: "how
 * many seconds the client has been trying to send this record"; a new
 * value makes a new packet, which is what a new server gets anyway). */
static int build_record(void *cookie, struct radius_writer *w, const char *secret)
{
	struct entry *e = cookie;
	struct radius_acct *a = e->a;
	uint64_t waited = e->delay_before + (a->now_ms - e->made_ms) / 1000;
	size_t off = 0;

	(void)secret;
	while (off < e->len) {
		uint8_t type = e->attrs[off], alen = e->attrs[off + 1];

		if (type != RADIUS_ACCT_DELAY_TIME)
			radius_put(w, type, e->attrs + off + 2, alen - 2u);
		off += alen;
	}
	if (waited)
		radius_put_u32(w, RADIUS_ACCT_DELAY_TIME, waited > UINT32_MAX ? UINT32_MAX
									: (uint32_t)waited);
	return w->error ? -1 : 0;
}

static bool any_alive(const struct radius_acct *a)
{
	const struct radius_server_stats *s;

	for (unsigned i = 0; (s = radius_client_stats(a->client, i)); i++)
		if (s->alive)
			return true;
	return false;
}

static void dispatch(struct radius_acct *a)
{
	bool alive = any_alive(a);
	unsigned limit = alive ? a->cfg.window : 1;

	if (alive && a->dropping) {
		logf_(a, "accounting: a server answers again; %llu records were dropped while "
			 "the queue was full", (unsigned long long)a->dropped_episode);
		a->dropping = false;
		a->dropped_episode = 0;
	}
	/* every server dead: one record at a time, every retry_ms, besides
	 * the engine's Status-Server probes */
	if (!alive && a->now_ms < a->hold_until_ms) {
		count(a);
		return;
	}
	while (a->flight.n < limit && a->waiting.head) {
		struct entry *e = a->waiting.head;

		unlink_entry(&a->waiting, e);
		e->in_flight = true;
		append(&a->flight, e);
		if (radius_client_submit(a->client, a->now_ms, RADIUS_ACCOUNTING_REQUEST,
					 build_record, e) != 0) {
			/* no Identifier free: it waits for the next event */
			unlink_entry(&a->flight, e);
			e->in_flight = false;
			insert_by_seq(&a->waiting, e);
			break;
		}
	}
	count(a);
}

static void on_done(void *ctx, void *cookie, enum radius_result r, unsigned server,
		    const struct radius_packet *resp)
{
	struct radius_acct *a = ctx;
	struct entry *e = cookie;

	(void)server;
	(void)resp;
	unlink_entry(&a->flight, e);
	e->in_flight = false;
	if (r == RADIUS_RESULT_RESPONSE) {
		/* an Accounting-Response, verified by the request engine: the
		 * server has the record (RFC 2866 section 4.2) */
		a->st.acknowledged++;
		spool_done(a, e->seq);
		entry_free(a, e);
	} else {
		a->st.timeouts++;
		insert_by_seq(&a->waiting, e);
		a->hold_until_ms = a->now_ms + a->cfg.retry_ms;
	}
	count(a);
}

static void on_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	struct radius_acct *a = ctx;

	a->ops.send(a->ops.ctx, server, pkt, len);
}

static int on_random(void *ctx, uint8_t *buf, size_t len)
{
	struct radius_acct *a = ctx;

	return a->ops.random(a->ops.ctx, buf, len);
}

/* ---- the interface ------------------------------------------------------------ */

struct radius_acct *radius_acct_new(const struct radius_client_config *ccfg,
				    const struct radius_acct_config *cfg,
				    const struct radius_acct_ops *ops)
{
	struct radius_client_ops cops = { .send = on_send, .random = on_random, .done = on_done };
	struct radius_acct *a;

	if (!cfg->max_records || !cfg->window || !ops->send || !ops->random)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->cfg = *cfg;
	a->ops = *ops;
	a->next_seq = 1;
	cops.ctx = a;
	a->client = radius_client_new(ccfg, &cops);
	if (!a->client) {
		free(a);
		return NULL;
	}
	return a;
}

void radius_acct_free(struct radius_acct *a)
{
	struct list *lists[2];

	if (!a)
		return;
	radius_client_free(a->client);
	lists[0] = &a->waiting;
	lists[1] = &a->flight;
	for (unsigned i = 0; i < 2; i++)
		while (lists[i]->head) {
			struct entry *e = lists[i]->head;

			unlink_entry(lists[i], e);
			entry_free(a, e);
		}
	free(a);
}

static void hold(struct radius_acct *a, struct entry *e)
{
	while (a->waiting.n + a->flight.n >= a->cfg.max_records)
		drop_oldest(a);
	insert_by_seq(&a->waiting, e);
}

int radius_acct_record(struct radius_acct *a, uint64_t now_ms, uint32_t now_wall,
		       const struct radius_nas_session *s, const struct radius_acct_record *r)
{
	uint8_t buf[RADIUS_MAX_LEN];
	struct radius_acct_record rec = *r;
	struct radius_writer w;
	struct entry *e;

	a->now_ms = now_ms;
	rec.delay_time = 0;
	if (!rec.event_timestamp)
		rec.event_timestamp = now_wall;
	radius_begin(&w, buf, sizeof(buf), RADIUS_ACCOUNTING_REQUEST, 0, NULL);
	/* room for Acct-Delay-Time (6) and what finish adds */
	w.cap -= 6;
	if (radius_put_accounting(&w, s, &rec) != 0 || w.len <= RADIUS_HDR_LEN) {
		logf_(a, "accounting: %s record for session %s could not be built (too long "
			 "or no NAS identity)", status_name((uint8_t)rec.status),
		      s->acct_session_id ? s->acct_session_id : "-");
		return -1;
	}
	e = entry_new(a, a->next_seq++, rec.event_timestamp, buf + RADIUS_HDR_LEN,
		      w.len - RADIUS_HDR_LEN);
	if (!e) {
		logf_(a, "accounting: out of memory, %s record for session %s lost",
		      status_name((uint8_t)rec.status), s->acct_session_id ? s->acct_session_id : "-");
		return -1;
	}
	a->st.made++;
	hold(a, e);
	spool_record(a, e);
	dispatch(a);
	return 0;
}

/* ---- restore ---------------------------------------------------------------- */

struct restore {
	struct radius_acct *a;
	uint32_t now_wall;
	struct entry **rec;
	size_t n_rec, cap_rec;
	uint64_t *done;
	size_t n_done, cap_done;
	unsigned too_long;
	bool oom;
};

static void restore_entry(void *arg, const struct radius_spool_entry *se)
{
	struct restore *r = arg;

	if (r->oom)
		return;
	if (se->kind == RADIUS_SPOOL_DONE) {
		if (r->n_done == r->cap_done) {
			size_t cap = r->cap_done ? 2 * r->cap_done : 64;
			uint64_t *d = realloc(r->done, cap * sizeof(*d));

			if (!d) {
				r->oom = true;
				return;
			}
			r->done = d;
			r->cap_done = cap;
		}
		r->done[r->n_done++] = se->seq;
		return;
	}
	if (r->n_rec == r->cap_rec) {
		size_t cap = r->cap_rec ? 2 * r->cap_rec : 64;
		struct entry **v = realloc(r->rec, cap * sizeof(*v));

		if (!v) {
			r->oom = true;
			return;
		}
		r->rec = v;
		r->cap_rec = cap;
	}
	/* room for Acct-Delay-Time, as radius_acct_record() leaves: a record
	 * that cannot be sent must not block the ones behind it */
	if (se->attrs_len + 6 > RADIUS_MAX_LEN - RADIUS_HDR_LEN) {
		r->too_long++;
		return;
	}
	{
		struct entry *e = entry_new(r->a, se->seq, se->event_time, se->attrs, se->attrs_len);

		if (!e) {
			r->oom = true;
			return;
		}
		/* the time it waited before: from its event time by the wall
		 * clock (a record from the future waited nothing) */
		e->delay_before = r->now_wall > se->event_time ? r->now_wall - se->event_time : 0;
		r->rec[r->n_rec++] = e;
	}
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static int cmp_entry(const void *x, const void *y)
{
	const struct entry *a = *(struct entry *const *)x, *b = *(struct entry *const *)y;

	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

unsigned radius_acct_restore(struct radius_acct *a, uint64_t now_ms, uint32_t now_wall,
			     const uint8_t *spool, size_t len, struct radius_spool_read_stats *st)
{
	struct restore r = { .a = a, .now_wall = now_wall };
	unsigned restored = 0, superseded = 0;
	uint64_t prev_seq = 0;

	a->now_ms = now_ms;
	radius_spool_read(spool, len, restore_entry, &r, st);
	if (st->refused)
		logf_(a, "accounting: spool: %u damaged entries refused (%u bad checksum, %u cut "
			 "short, %u malformed, %zu octets skipped%s), the rest restored",
		      st->refused, st->bad_checksum, st->truncated, st->malformed,
		      st->skipped_octets, st->bad_header ? ", bad header" : "");
	if (r.oom)
		logf_(a, "accounting: spool: out of memory, some records not restored");
	if (r.too_long)
		logf_(a, "accounting: spool: %u records too long to send refused", r.too_long);
	if (r.n_done)
		qsort(r.done, r.n_done, sizeof(*r.done), cmp_u64);
	if (r.n_rec)
		qsort(r.rec, r.n_rec, sizeof(*r.rec), cmp_entry);
	for (size_t i = 0; i < r.n_rec; i++) {
		struct entry *e = r.rec[i];
		bool copy = i > 0 && prev_seq == e->seq;

		prev_seq = e->seq;
		if (copy || (r.n_done && bsearch(&e->seq, r.done, r.n_done, sizeof(*r.done),
						  cmp_u64))) {
			/* acknowledged before the restart, or a second copy */
			entry_free(a, e);
			continue;
		}
		if (e->status == RADIUS_ACCT_ON || e->status == RADIUS_ACCT_OFF) {
			/* the previous run's On/Off say less than the
			 * Accounting-On this run sends after them (every
			 * session of the NAS ended), and one arriving after
			 * it would say the opposite */
			superseded++;
			entry_free(a, e);
			continue;
		}
		if (e->seq >= a->next_seq)
			a->next_seq = e->seq + 1;
		hold(a, e);
		restored++;
	}
	free(r.rec);
	free(r.done);
	a->st.restored += restored;
	if (restored || superseded)
		logf_(a, "accounting: %u records not acknowledged before the restart are sent again "
			 "(%u Accounting-On/Off of that run left out)", restored, superseded);
	/* the spool now holds what is held, nothing else */
	spool_rewrite(a);
	dispatch(a);
	return restored;
}

/* ---- events ------------------------------------------------------------------- */

int radius_acct_reconfigure(struct radius_acct *a, uint64_t now_ms,
			    const struct radius_client_config *ccfg)
{
	struct radius_client_ops cops = { .ctx = a, .send = on_send, .random = on_random,
					  .done = on_done };
	struct radius_client *c = radius_client_new(ccfg, &cops);

	if (!c)
		return -1;
	/* the old engine's requests are forgotten, done not called: their
	 * records go back to the queue, in order, and to the new servers */
	radius_client_free(a->client);
	a->client = c;
	a->now_ms = now_ms;
	while (a->flight.head) {
		struct entry *e = a->flight.head;

		unlink_entry(&a->flight, e);
		e->in_flight = false;
		insert_by_seq(&a->waiting, e);
	}
	a->hold_until_ms = 0;
	dispatch(a);
	return 0;
}

void radius_acct_input(struct radius_acct *a, uint64_t now_ms, unsigned server,
		       const uint8_t *buf, size_t len)
{
	a->now_ms = now_ms;
	radius_client_input(a->client, now_ms, server, buf, len);
	dispatch(a);
}

void radius_acct_timer(struct radius_acct *a, uint64_t now_ms)
{
	a->now_ms = now_ms;
	radius_client_timer(a->client, now_ms);
	dispatch(a);
}

uint64_t radius_acct_next_timer(const struct radius_acct *a)
{
	uint64_t next = radius_client_next_timer(a->client);

	/* every server dead: the next record is tried at hold_until_ms, but
	 * only once the one in flight ended (dispatch's limit is then 1); a
	 * deadline already past while one is in flight would be popped again
	 * and again by the caller's timer loop, which never returns */
	if (a->waiting.head && !a->flight.n && !any_alive(a) && a->hold_until_ms < next)
		next = a->hold_until_ms;
	return next;
}

const struct radius_acct_stats *radius_acct_stats(const struct radius_acct *a)
{
	return &a->st;
}

const struct radius_server_stats *radius_acct_server_stats(const struct radius_acct *a,
							   unsigned server)
{
	return radius_client_stats(a->client, server);
}
