/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * RADIUS accounting in the daemon (docs/radius.md "Accounting in the
 * daemon"): the glue between the sessions and radius/accounting.h's
 * engine, which has no I/O and no clock. With `radius { accounting = yes
 * }`, whichever provider authenticates: Accounting-On at start (after the
 * spool's records of the previous run), Start when a session's IPCP is up,
 * Interim-Update every Acct-Interim-Interval on the daemon's timer heap,
 * Stop with the data plane's counters and the Acct-Terminate-Cause of how
 * the session ended, Accounting-Off at a clean stop. The engine's packets
 * go out on radius_io's sockets (the servers' accounting ports); its spool
 * is radius/spool_file.h's file, written by a thread of its own.
 *
 * Every function is a no-op when accounting is off (srv->acct NULL), so
 * the session code calls them unconditionally.
 */
#ifndef L2TPD_ACCT_H
#define L2TPD_ACCT_H

#include <stdbool.h>

#include "acct_end.h"
#include "dataplane.h"

struct server;
struct session;
struct tunnel;
struct radius_reply;
struct radius_acct;
struct radius_spool_file_stats;

/* At start, after srv->radius_io: open the spool (its directory locked),
 * queue what the previous run left, send Accounting-On. 0, or -1 (logged:
 * the daemon does not start without the spool it was told to keep). */
int acct_init(struct server *srv);
/* A reload changed srv->cfg.radius: new servers, secrets or timers (and
 * NAS-Identifier) for every record from now on; the records in flight go
 * again to the new servers. radius.accounting and the spool wait for a
 * restart (reload.c). */
void acct_reconfigure(struct server *srv);
/* At exit, after the sessions: what is not acknowledged stays in the
 * spool (flushed to disk here). */
void acct_free(struct server *srv);

/* The grant (post-auth policy, provider's answer): the Access-Accept's
 * Class values and Acct-Interim-Interval are kept (attrs NULL: a local
 * login). */
void acct_session_granted(struct session *s, const struct radius_reply *attrs);
/* The network layer is settled (acct_start_due: IPCP up, or IPV6CP up and
 * IPCP finished without opening): Start, and the Interim-Updates armed.
 * Once per session; a session that had a Start gets a Stop. */
void acct_session_up(struct session *s);
/* How the session ends, said where the decision is made; the first one
 * said wins (an idle timeout's close also takes PPP and L2TP down). */
void acct_session_end(struct session *s, enum radius_session_end end);
/* The session's IPv6 prefixes are about to go back to their pools: kept
 * for its Interim-Updates' and Stop's Framed-IPv6-Prefix and
 * Delegated-IPv6-Prefix. */
void acct_session_ipv6(struct session *s);
/* Every session of a tunnel ends for one reason (the IPsec SA went). */
void acct_tunnel_end(struct server *srv, const struct tunnel *t, enum radius_session_end end);
/* The session is freed: Stop (when a Start went) with st, its last
 * counters; its accounting state is freed. */
void acct_session_gone(struct session *s, const struct dp_stats *st);

/* A clean stop, after the sessions' Stops: Accounting-Off. */
void acct_stopping(struct server *srv);
/* Nothing waits for a server: a stopping daemon may exit. */
bool acct_drained(const struct server *srv);

/* For l2tpctl radius (radius_status.h): NULL when accounting is off. */
const struct radius_acct *acct_engine(const struct server *srv);
/* The spool's writer counters and the file's size in octets (-1 unknown). */
void acct_spool_stats(const struct server *srv, struct radius_spool_file_stats *st,
		      long long *size);

#endif
