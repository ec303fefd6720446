/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket (unix, stream, mode 0660, root and control_group):
 * l2tpctl sends one line, e.g. "status", "json sessions",
 * "disconnect user alice", "disconnect session 1234/5678", "reload",
 * "pools" (each static pool's IPv4 lease counts, for `l2tpctl policy test
 * --leased daemon`: "IN_USE SIZE RESERVED NAME" lines); the
 * daemon answers with text (or JSON with the "json" prefix) and closes.
 * Replies start with "ok\n" or "error: <reason>\n". See docs/operations.md.
 * At most `limits { control_connections }` at once (more are answered
 * "error: too many control connections" and closed); one silent for
 * `timers { control_idle }` is closed; accept() out of descriptors pauses
 * the listener (struct accept_gate, server.h).
 */
#ifndef L2TPD_CTL_H
#define L2TPD_CTL_H

#include "ctl_request.h"
#include "server.h"

struct strbuf;

int ctl_open(struct server *srv, const char *path, const char *group);
/* Closes the listener and every open connection. */
void ctl_close(struct server *srv);
/* One request as read from a connection (buf[0..len), a line), its reply
 * appended to o ("ok\n..." or "error: ...\n"), then server_flush. Returns
 * CTL_PARSE_MORE, doing nothing, while the line is incomplete. The
 * connection handler calls it; a unit test may too (test/unit/l2tpd-daemon). */
enum ctl_parse ctl_handle_request(struct server *srv, const char *buf, size_t len,
				  struct strbuf *o);
/* A connection's idle timer (SERVER_TIMER_CTL_IDLE) expired: close it. */
void ctl_idle_fired(struct server *srv, struct timer_node *n);

#endif
