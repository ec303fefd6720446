/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `l2tpctl radius` (radius_status.h). */
#include "radius_status.h"

#include "accounting.h"
#include "acct.h"
#include "auth_radius.h"
#include "client.h"
#include "dynauth.h"
#include "radius_io.h"
#include "radsec.h"
#include "server.h"
#include "spool_file.h"

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

/* One engine's view of one server: JSON object or a text line. */
static void server_port(struct strbuf *o, bool json, const char *what, const char *addr,
			const struct radius_server_stats *st)
{
	if (json) {
		sb_printf(o, "\"%s\":", what);
		if (!st) {
			sb_printf(o, "null");
			return;
		}
		sb_printf(o, "{\"address\":");
		sb_json_str(o, addr);
		sb_printf(o, ",\"alive\":%s,\"requests\":%llu,\"retransmits\":%llu,"
			  "\"responses\":%llu,\"timeouts\":%llu,\"bad_authenticators\":%llu,"
			  "\"malformed\":%llu,\"unknown_ids\":%llu,\"rtt_ms\":%u,\"rtt_last_ms\":%u}",
			  st->alive ? "true" : "false", u(st->requests), u(st->retransmits),
			  u(st->responses), u(st->timeouts), u(st->bad_authenticators),
			  u(st->malformed), u(st->unknown_ids), st->rtt_ms, st->rtt_last_ms);
		return;
	}
	if (!st)
		return;
	sb_printf(o, "    %-4s %s %s: %llu requests, %llu retransmits, %llu responses, %llu "
		  "timeouts, %llu bad authenticators, %llu malformed, rtt %ums (last %ums)\n", what,
		  addr, st->alive ? "alive" : "DEAD", u(st->requests), u(st->retransmits),
		  u(st->responses), u(st->timeouts), u(st->bad_authenticators), u(st->malformed),
		  st->rtt_ms, st->rtt_last_ms);
}

/* A server's RadSec connection (radsec.h), when it is transport = tls:
 * "tls": null for a UDP server. */
static void server_tls(struct strbuf *o, bool json, const char *addr,
		       const struct radsec_stats *st)
{
	if (json) {
		sb_printf(o, "\"tls\":");
		if (!st) {
			sb_printf(o, "null");
			return;
		}
		sb_printf(o, "{\"connects\":%llu,\"handshake_failures\":%llu,\"drops\":%llu,"
			  "\"retransmissions_not_sent\":%llu,\"lost\":%llu,\"malformed\":%llu}",
			  u(st->connects), u(st->handshake_failures), u(st->drops),
			  u(st->retransmissions_dropped), u(st->lost), u(st->malformed));
		return;
	}
	if (!st)
		return;
	sb_printf(o, "    tls  %s: %llu connects, %llu failed, %llu dropped, %llu retransmissions "
		  "not sent, %llu packets lost, %llu closed for a bad length\n", addr,
		  u(st->connects), u(st->handshake_failures), u(st->drops),
		  u(st->retransmissions_dropped), u(st->lost), u(st->malformed));
}

static void servers(struct server *srv, struct strbuf *o, bool json)
{
	const struct radius_client *ac = auth_radius_client(srv->auth);
	const struct radius_acct *acct = acct_engine(srv);
	const struct radius_conf *rc = &srv->cfg.radius;
	char a[80], b[80];

	if (json)
		sb_printf(o, "\"servers\":[");
	else
		sb_printf(o, "servers:\n");
	for (unsigned i = 0; i < rc->n_servers; i++) {
		const struct radius_server_stats *as = ac ? radius_client_stats(ac, i) : NULL;
		const struct radius_server_stats *cs = acct ? radius_acct_server_stats(acct, i)
							    : NULL;
		const struct radsec_stats *ts = radius_io_tls_stats(srv->radius_io, i);

		radius_io_server_str(srv->radius_io, RADIUS_IO_AUTH, i, a, sizeof(a));
		radius_io_server_str(srv->radius_io, RADIUS_IO_ACCT, i, b, sizeof(b));
		if (json) {
			sb_printf(o, "%s{\"name\":", i ? "," : "");
			sb_json_str(o, rc->servers[i].name);
			sb_printf(o, ",");
			server_port(o, true, "auth", a, as);
			sb_printf(o, ",");
			server_port(o, true, "acct", b, cs);
			sb_printf(o, ",");
			server_tls(o, true, a, ts);
			sb_printf(o, "}");
		} else {
			sb_printf(o, "  %s\n", rc->servers[i].name);
			server_port(o, false, "auth", a, as);
			server_port(o, false, "acct", b, cs);
			server_tls(o, false, a, ts);
		}
	}
	if (json)
		sb_printf(o, "]");
}

static void auth_totals(struct server *srv, struct strbuf *o, bool json)
{
	const struct auth_radius_stats *st = auth_radius_stats(srv->auth);

	if (json) {
		sb_printf(o, ",\"auth\":");
		if (!st) {
			sb_printf(o, "null");
			return;
		}
		sb_printf(o, "{\"logins\":%llu,\"accepts\":%llu,\"rejects\":%llu,\"challenges\":%llu,"
			  "\"timeouts\":%llu,\"not_honoured\":%llu,\"cancelled\":%llu,"
			  "\"waiting\":%u,\"in_flight\":%u}", u(st->logins), u(st->accepts),
			  u(st->rejects), u(st->challenges), u(st->timeouts), u(st->not_honoured),
			  u(st->cancelled), st->waiting, st->in_flight);
		return;
	}
	if (!st) {
		sb_printf(o, "authentication: not by RADIUS (auth.provider)\n");
		return;
	}
	sb_printf(o, "authentication: %llu logins: %llu accepted, %llu rejected, %llu challenged, "
		  "%llu unanswered, %llu not honoured; %u waiting, %u in flight\n", u(st->logins),
		  u(st->accepts), u(st->rejects), u(st->challenges), u(st->timeouts),
		  u(st->not_honoured), st->waiting, st->in_flight);
}

static void acct_totals(struct server *srv, struct strbuf *o, bool json)
{
	const struct radius_acct *a = acct_engine(srv);
	const struct radius_acct_stats *st = a ? radius_acct_stats(a) : NULL;
	struct radius_spool_file_stats sp;
	long long size;

	if (!st) {
		sb_printf(o, json ? ",\"accounting\":null" : "accounting: off\n");
		return;
	}
	acct_spool_stats(srv, &sp, &size);
	if (json) {
		sb_printf(o, ",\"accounting\":{\"made\":%llu,\"acknowledged\":%llu,\"dropped\":%llu,"
			  "\"timeouts\":%llu,\"restored\":%llu,\"queued\":%u,\"in_flight\":%u,"
			  "\"spool\":", u(st->made), u(st->acknowledged), u(st->dropped),
			  u(st->timeouts), u(st->restored), st->queued, st->in_flight);
		sb_json_str(o, srv->cfg.radius.accounting_spool);
		sb_printf(o, ",\"spool_bytes\":%lld,\"spool_write_errors\":%llu,"
			  "\"spool_dropped\":%llu}", size, u(sp.write_errors), u(sp.dropped));
		return;
	}
	sb_printf(o, "accounting: %llu records: %llu acknowledged, %u queued, %u in flight, "
		  "%llu dropped, %llu timeouts, %llu restored from the spool\n", u(st->made),
		  u(st->acknowledged), st->queued, st->in_flight, u(st->dropped), u(st->timeouts),
		  u(st->restored));
	sb_printf(o, "spool: %s, %lld octets, %llu write errors, %llu appends refused\n",
		  srv->cfg.radius.accounting_spool, size, u(sp.write_errors), u(sp.dropped));
}

/* The dynamic authorization server (dynauth.h): what it was sent and did. */
static void das_totals(struct server *srv, struct strbuf *o, bool json)
{
	const struct dynauth_stats *st = dynauth_stats(srv);

	if (!st) {
		sb_printf(o, json ? ",\"das\":null" : "dynamic authorization: off\n");
		return;
	}
	if (json) {
		sb_printf(o, ",\"das\":{\"received\":%llu,\"dropped\":%llu,\"unknown_clients\":%llu,"
			  "\"malformed\":%llu,\"bad_authenticators\":%llu,\"stale\":%llu,"
			  "\"no_event_timestamp\":%llu,\"duplicates\":%llu,\"acks\":%llu,"
			  "\"naks\":%llu,\"disconnects\":%llu,\"changes\":%llu,"
			  "\"send_errors\":%llu}", u(st->received), u(st->dropped),
			  u(st->unknown_clients), u(st->malformed), u(st->bad_authenticators),
			  u(st->stale), u(st->no_event_timestamp), u(st->duplicates), u(st->acks),
			  u(st->naks), u(st->disconnects), u(st->changes), u(st->send_errors));
		return;
	}
	sb_printf(o, "dynamic authorization: %llu requests: %llu ACK, %llu NAK, %llu dropped "
		  "(%llu unknown clients, %llu bad authenticators, %llu stale, %llu malformed), "
		  "%llu repeated; %llu sessions disconnected, %llu changed\n", u(st->received),
		  u(st->acks), u(st->naks), u(st->dropped), u(st->unknown_clients),
		  u(st->bad_authenticators), u(st->stale), u(st->malformed), u(st->duplicates),
		  u(st->disconnects), u(st->changes));
}

void radius_status(struct server *srv, struct strbuf *o, bool json)
{
	const struct radius_io_stats *io;

	if (!srv->radius_io) {
		sb_printf(o, json ? "{\"configured\":false}\n"
				  : "radius: not used (no radius block, or neither auth.provider "
				    "radius nor radius.accounting)\n");
		return;
	}
	io = radius_io_stats(srv->radius_io);
	if (json)
		sb_printf(o, "{\"configured\":true,");
	servers(srv, o, json);
	auth_totals(srv, o, json);
	acct_totals(srv, o, json);
	das_totals(srv, o, json);
	if (json) {
		sb_printf(o, ",\"io\":{\"sent\":%llu,\"send_errors\":%llu,\"received\":%llu,"
			  "\"unknown_source\":%llu,\"recv_errors\":%llu", u(io->sent),
			  u(io->send_errors), u(io->received), u(io->unknown_source),
			  u(io->recv_errors));
		sb_printf(o, "}}\n");
		return;
	}
	sb_printf(o, "sockets: %llu sent (%llu send errors), %llu received (%llu from unknown "
		  "sources)\n", u(io->sent), u(io->send_errors), u(io->received),
		  u(io->unknown_source));
}
