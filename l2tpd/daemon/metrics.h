/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Prometheus endpoint (docs/operations.md, "Metrics"): `metrics {
 * listen = ADDR:PORT }` in l2tpd.conf, off by default. Plain HTTP/1.x on
 * the event loop: a scrape (GET /metrics) is read, the page is built while
 * the loop goes on (the sessions are walked in slices, so 100,000 sessions
 * never hold the loop for long), written without blocking, and the
 * connection closed. A bounded number of scrapes at once, each with an
 * idle timeout.
 */
#ifndef L2TPD_METRICS_H
#define L2TPD_METRICS_H

struct server;
struct session;

/* Open the listener when the config asks for one. 0, or -1 (logged). */
int metrics_open(struct server *srv);
void metrics_close(struct server *srv);
/* A session is about to be freed: a scrape in progress steps past it. */
void metrics_session_gone(struct server *srv, struct session *s);

#endif
