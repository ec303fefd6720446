/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The accounting engine (docs/radius.md, "Accounting"): records (Start,
 * Interim-Update, Stop, Accounting-On/Off) go to the accounting servers
 * through a request engine of its own (client.h: retransmission, failover,
 * Status-Server), in the order they were made, at most `window` at a time.
 * While no server answers they wait in a bounded queue (the oldest is
 * dropped, with a log line, when the bound is hit); every record is in the
 * spool (acct_spool.h) until a server acknowledged it, so what was not
 * acknowledged survives a restart and is sent again with Acct-Delay-Time
 * counting the time it waited. No I/O and no clock of its own: the daemon
 * passes the time in and carries out ops->send and ops->spool.
 */
#ifndef RADIUS_ACCOUNTING_H
#define RADIUS_ACCOUNTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acct_spool.h"
#include "client.h"
#include "request.h"

/* Every way one of our sessions ends; radius_acct_terminate_cause() gives
 * its Acct-Terminate-Cause (RFC 2866 section 5.10; the table is in
 * docs/radius.md). */
enum radius_session_end {
	RADIUS_END_USER_REQUEST,	/* the client hung up: LCP Terminate-Request, CDN, StopCCN */
	RADIUS_END_PEER_LOST,		/* LCP echoes or L2TP Hellos unanswered */
	RADIUS_END_IPSEC_DOWN,		/* the IPsec SA under the tunnel was deleted */
	RADIUS_END_IDLE_TIMEOUT,	/* Idle-Timeout or the policy's idle limit */
	RADIUS_END_SESSION_TIMEOUT,	/* Session-Timeout or the policy's time limit */
	RADIUS_END_ADMIN_DISCONNECT,	/* l2tpctl disconnect, a DAS Disconnect-Request */
	RADIUS_END_ADMIN_REBOOT,	/* the administrator stopped or restarted l2tpd */
	RADIUS_END_NAS_REBOOT,		/* l2tpd ended without closing the session (found at start) */
	RADIUS_END_PORT_ERROR,		/* the session's data path failed (kernel, interface) */
	RADIUS_END_NAS_ERROR,		/* an internal error of ours (out of memory...) */
	RADIUS_END_NAS_REQUEST,		/* we ended it for a reason of ours (config reload, policy) */
	RADIUS_END_LOST_SERVICE,	/* what the session needed went away (its pool, its lease) */
	RADIUS_END_SERVICE_UNAVAILABLE,	/* the service could not be provided (no address, NCP failed) */
	RADIUS_END_USER_ERROR,		/* the client broke the protocol */
	RADIUS_END_MAX
};

enum radius_terminate_cause radius_acct_terminate_cause(enum radius_session_end end);
const char *radius_session_end_name(enum radius_session_end end);

struct radius_acct_config {
	unsigned max_records;		/* held at once (queued + in flight); the oldest goes beyond */
	unsigned window;		/* records in flight at once while a server is alive */
	uint32_t retry_ms;		/* with every server dead: how often the oldest is tried */
	size_t compact_bytes;		/* rewrite the spool when it grew this much */
	/* With nothing outstanding, the spool goes back to its header once
	 * it is past this many octets; 0: every time. A reset replaces the
	 * file (new file, two syncs, a rename): at a steady pace, where
	 * every acknowledgement empties the queue, doing it each time
	 * costs more than the record. Done entries keep a spool that was
	 * not reset exact. */
	size_t reset_bytes;
};

struct radius_acct_ops {
	void *ctx;
	void (*send)(void *ctx, unsigned server, const uint8_t *pkt, size_t len);
	int (*random)(void *ctx, uint8_t *buf, size_t len);
	/* carry out a spool operation (acct_spool.h); NULL: no spool */
	void (*spool)(void *ctx, enum radius_spool_op op, const uint8_t *bytes, size_t len);
	/* one line for the administrator */
	void (*log)(void *ctx, const char *line);
};

struct radius_acct_stats {
	uint64_t made, acknowledged, dropped, timeouts, restored;
	unsigned queued, in_flight;
};

struct radius_acct;

struct radius_acct *radius_acct_new(const struct radius_client_config *ccfg,
				    const struct radius_acct_config *cfg,
				    const struct radius_acct_ops *ops);
/* Frees what is held; records not acknowledged stay in the spool. */
void radius_acct_free(struct radius_acct *a);

/* Records left in a spool by the previous run: queued before anything made
 * now (the daemon calls this first, then sends Accounting-On; that run's
 * own Accounting-On/Off are left out), sent with
 * Acct-Delay-Time counting from their event time; the spool is rewritten
 * with only these. now_wall: seconds since 1970. The reader's counts land
 * in *st (damaged entries are refused one by one). Returns the number
 * restored. */
unsigned radius_acct_restore(struct radius_acct *a, uint64_t now_ms, uint32_t now_wall,
			     const uint8_t *spool, size_t len, struct radius_spool_read_stats *st);

/* Queue a record (r->delay_time is ignored: the engine sets it). now_wall
 * is the record's Event-Timestamp unless r sets one. 0, or -1 when the
 * record cannot be built (logged). */
int radius_acct_record(struct radius_acct *a, uint64_t now_ms, uint32_t now_wall,
		       const struct radius_nas_session *s, const struct radius_acct_record *r);

/* A reload: new servers, secrets or timers for every record from now on.
 * The records in flight are sent again, to the new servers (the old
 * engine's requests are forgotten: an answer to one is not believed).
 * 0, or -1 (no memory, bad settings: the running servers stay). */
int radius_acct_reconfigure(struct radius_acct *a, uint64_t now_ms,
			    const struct radius_client_config *ccfg);

void radius_acct_input(struct radius_acct *a, uint64_t now_ms, unsigned server,
		       const uint8_t *buf, size_t len);
void radius_acct_timer(struct radius_acct *a, uint64_t now_ms);
uint64_t radius_acct_next_timer(const struct radius_acct *a);

const struct radius_acct_stats *radius_acct_stats(const struct radius_acct *a);
const struct radius_server_stats *radius_acct_server_stats(const struct radius_acct *a,
							   unsigned server);

#endif
