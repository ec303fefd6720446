/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * radius-nas: the RADIUS side of a NAS, for the integration tests against
 * FreeRADIUS (test/integration/radius/). It drives radius/'s accounting
 * engine with its spool, an Access-Request (PAP) through the request
 * engine and reply.c, and the dynamic authorization server, over real UDP
 * sockets with the real clocks, the way the daemon will. Commands on stdin,
 * one event per line on stdout:
 *
 *   on | off                          Accounting-On / -Off
 *   start ASID USER IP                Start
 *   interim ASID USER IP IN OUT INP OUTP SECS
 *   stop ASID USER IP IN OUT INP OUTP SECS END   (END: radius_session_end_name)
 *   auth USER PASSWORD                Access-Request with PAP
 *   stats                             "stats made=.. acked=.. queued=.. ..."
 *   quit                              spool flushed, exit
 *
 * Events: "ready", "restored N", "acked N" (total acknowledged),
 * "timeouts N", "server I alive|dead", "auth accept ...", "auth reject", "auth timeout",
 * "auth refused WHY", "das ...", "log ...".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "accounting.h"
#include "client.h"
#include "das.h"
#include "reply.h"
#include "request.h"
#include "spool_file.h"

#define MAX_SESSIONS 16

struct server {
	int fd;
	char secret[64];
};

struct das_session {
	char user[64], asid[64], calling[64], called[64];
	uint32_t ip, port;
	bool gone;
};

static struct {
	struct server acct[RADIUS_CLIENT_MAX_SERVERS], auth;
	unsigned n_acct;
	bool have_auth;
	struct radius_acct *acct_engine;
	struct radius_client *auth_client;
	struct radius_spool_file *spool;
	struct radius_das *das;
	int das_fd;
	struct das_session sessions[MAX_SESSIONS];
	unsigned n_sessions;
	char filters[8][64];
	unsigned n_filters;
	uint32_t nas_ip;
	const char *nas_id;
	uint64_t last_acked, last_timeouts;
	bool acct_alive[RADIUS_CLIENT_MAX_SERVERS];
	/* the Access-Request in progress */
	char auth_user[128], auth_pass[128];
	bool auth_busy;
} G;

static void event(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void event(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t now_wall(void)
{
	return (uint32_t)time(NULL);
}

/* HOST:PORT:SECRET -> a connected UDP socket */
static int server_socket(char *spec, char *secret_out, size_t secret_len)
{
	char *host = spec, *port = strchr(spec, ':'), *secret;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd;

	if (!port || !(secret = strchr(port + 1, ':')))
		return -1;
	*port++ = 0;
	*secret++ = 0;
	snprintf(secret_out, secret_len, "%s", secret);
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -1;
	sin.sin_port = htons((uint16_t)atoi(port));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		return -1;
	return fd;
}

static int rnd(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static void acct_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	if (send(G.acct[server].fd, pkt, len, 0) < 0) {
		/* a lost datagram: the engine retransmits */
	}
}

static void acct_log(void *ctx, const char *line)
{
	(void)ctx;
	event("log %s", line);
}

/* ---- accounting ------------------------------------------------------------ */

static struct radius_nas_session nas_session(const char *asid, const char *user)
{
	struct radius_nas_session s = {
		.user = user, .nas_ipv4 = G.nas_ip, .nas_identifier = G.nas_id, .nas_port = 1,
		.calling_station = "203.0.113.7", .called_station = "192.0.2.1",
		.tunnel_client_endpoint = "203.0.113.7", .tunnel_server_endpoint = "192.0.2.1",
		.acct_session_id = asid,
	};

	return s;
}

static enum radius_session_end end_by_name(const char *name)
{
	for (unsigned e = 0; e < RADIUS_END_MAX; e++)
		if (!strcmp(radius_session_end_name((enum radius_session_end)e), name))
			return (enum radius_session_end)e;
	return RADIUS_END_MAX;
}

static void acct_command(char *cmd, char **arg, int n)
{
	struct radius_acct_record r = { 0 };
	struct radius_nas_session s;
	char asid[32];
	struct in_addr ip = { 0 };

	if (!strcmp(cmd, "on") || !strcmp(cmd, "off")) {
		/* RFC 2866 5.5: an Acct-Session-Id of its own */
		snprintf(asid, sizeof(asid), "%08x-nas", now_wall());
		s = nas_session(asid, NULL);
		r.status = cmd[1] == 'n' ? RADIUS_ACCT_ON : RADIUS_ACCT_OFF;
	} else {
		if (n < 3 || inet_pton(AF_INET, arg[2], &ip) != 1) {
			event("error usage");
			return;
		}
		s = nas_session(arg[0], arg[1]);
		r.framed_ip = ip.s_addr;
		if (!strcmp(cmd, "start")) {
			r.status = RADIUS_ACCT_START;
		} else {
			if (n < 8) {
				event("error usage");
				return;
			}
			r.status = !strcmp(cmd, "stop") ? RADIUS_ACCT_STOP : RADIUS_ACCT_INTERIM;
			r.in_octets = strtoull(arg[3], NULL, 10);
			r.out_octets = strtoull(arg[4], NULL, 10);
			r.in_packets = strtoull(arg[5], NULL, 10);
			r.out_packets = strtoull(arg[6], NULL, 10);
			r.session_time = (uint32_t)strtoul(arg[7], NULL, 10);
			if (r.status == RADIUS_ACCT_STOP) {
				enum radius_session_end e = n > 8 ? end_by_name(arg[8])
								   : RADIUS_END_MAX;

				if (e == RADIUS_END_MAX) {
					event("error unknown end");
					return;
				}
				r.terminate_cause = radius_acct_terminate_cause(e);
			}
		}
	}
	if (radius_acct_record(G.acct_engine, now_ms(), now_wall(), &s, &r) != 0)
		event("error record not made");
}

static void acct_report(void)
{
	const struct radius_acct_stats *st;

	if (!G.acct_engine)
		return;
	st = radius_acct_stats(G.acct_engine);
	if (st->acknowledged != G.last_acked)
		event("acked %llu", (unsigned long long)(G.last_acked = st->acknowledged));
	if (st->timeouts != G.last_timeouts)
		event("timeouts %llu", (unsigned long long)(G.last_timeouts = st->timeouts));
	for (unsigned i = 0; i < G.n_acct; i++) {
		bool alive = radius_acct_server_stats(G.acct_engine, i)->alive;

		if (alive != G.acct_alive[i])
			event("server %u %s", i, (G.acct_alive[i] = alive) ? "alive" : "dead");
	}
}

/* ---- authentication -------------------------------------------------------- */

static int build_auth(void *cookie, struct radius_writer *w, const char *secret)
{
	struct radius_nas_session s = nas_session("auth-1", G.auth_user);
	struct radius_credentials c = { .kind = RADIUS_AUTH_PAP,
					.password = (const uint8_t *)G.auth_pass,
					.password_len = strlen(G.auth_pass) };

	(void)cookie;
	return radius_put_access_request(w, &s, &c, secret);
}

static void auth_send(void *ctx, unsigned server, const uint8_t *pkt, size_t len)
{
	(void)ctx;
	(void)server;
	if (send(G.auth.fd, pkt, len, 0) < 0) {
		/* retransmission covers it */
	}
}

static void auth_done(void *ctx, void *cookie, enum radius_result r, unsigned server,
		      const struct radius_packet *resp)
{
	struct radius_reply rep;
	char why[160], ip[INET_ADDRSTRLEN] = "-";

	(void)ctx;
	(void)cookie;
	(void)server;
	G.auth_busy = false;
	if (r != RADIUS_RESULT_RESPONSE) {
		const struct radius_server_stats *st = radius_client_stats(G.auth_client, 0);

		/* answers that did not verify were not believed */
		event("auth timeout bad_authenticators=%llu",
		      (unsigned long long)st->bad_authenticators);
		return;
	}
	if (resp->code == RADIUS_ACCESS_REJECT) {
		event("auth reject");
		return;
	}
	if (resp->code != RADIUS_ACCESS_ACCEPT) {
		event("auth code %u", resp->code);
		return;
	}
	if (radius_reply_read(resp, &rep, why, sizeof(why)) != 0) {
		event("auth refused %s", why);
		return;
	}
	if (rep.ip_kind == RADIUS_IP_STATIC)
		inet_ntop(AF_INET, &rep.framed_ip, ip, sizeof(ip));
	event("auth accept ip=%s session_timeout=%u idle_timeout=%u interim=%u filter=%s class=%.*s",
	      ip, rep.session_timeout, rep.idle_timeout, rep.interim_interval,
	      rep.filter_id[0] ? rep.filter_id : "-", rep.n_class ? rep.class_len[0] : 1,
	      rep.n_class ? (const char *)rep.class[0] : "-");
}

/* ---- dynamic authorization ------------------------------------------------------ */

static size_t das_find(void *ctx, enum radius_das_key key, const struct radius_das_match *m,
		       void **out, size_t max)
{
	size_t n = 0;

	(void)ctx;
	/* the daemon uses its indexes; a handful of sessions here */
	for (unsigned i = 0; i < G.n_sessions; i++) {
		struct das_session *s = &G.sessions[i];
		bool hit = false;

		if (s->gone)
			continue;
		switch (key) {
		case RADIUS_DAS_KEY_USER_NAME: hit = !strcmp(s->user, m->user); break;
		case RADIUS_DAS_KEY_ACCT_SESSION_ID: hit = !strcmp(s->asid, m->acct_session_id); break;
		case RADIUS_DAS_KEY_FRAMED_IP: hit = s->ip == m->framed_ip; break;
		case RADIUS_DAS_KEY_NAS_PORT: hit = s->port == m->nas_port; break;
		case RADIUS_DAS_KEY_CALLING_STATION_ID:
			hit = !strcmp(s->calling, m->calling_station_id);
			break;
		case RADIUS_DAS_KEY_CALLED_STATION_ID:
			hit = !strcmp(s->called, m->called_station_id);
			break;
		}
		if (hit && n++ < max)
			out[n - 1] = s;
	}
	return n;
}

static void das_describe(void *ctx, void *session, struct radius_das_session *d)
{
	struct das_session *s = session;

	(void)ctx;
	d->user = s->user;
	d->acct_session_id = s->asid;
	d->calling_station_id = s->calling[0] ? s->calling : NULL;
	d->called_station_id = s->called[0] ? s->called : NULL;
	d->framed_ip = s->ip;
	d->nas_port = s->port;
}

static uint32_t das_disconnect(void *ctx, void *session)
{
	struct das_session *s = session;

	(void)ctx;
	s->gone = true;
	event("das disconnect %s", s->asid);
	return 0;
}

static uint32_t das_change(void *ctx, void *session, const struct radius_das_change *c)
{
	struct das_session *s = session;
	bool known = !c->filter_id;

	(void)ctx;
	for (unsigned i = 0; c->filter_id && i < G.n_filters; i++)
		known |= !strcmp(G.filters[i], c->filter_id);
	if (!known)
		return RADIUS_EC_INVALID_ATTRIBUTE_VALUE;	/* names no filter of ours */
	event("das change %s session_timeout=%ld idle_timeout=%ld filter=%s", s->asid,
	      c->session_timeout_set ? (long)c->session_timeout : -1L,
	      c->idle_timeout_set ? (long)c->idle_timeout : -1L, c->filter_id ? c->filter_id : "-");
	return 0;
}

static void das_input(void)
{
	uint8_t buf[RADIUS_MAX_LEN + 1], out[RADIUS_MAX_LEN];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct radius_das_result res;
	ssize_t n = recvfrom(G.das_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	size_t m;

	if (n < 0)
		return;
	m = radius_das_input(G.das, now_wall(), AF_INET, (const uint8_t *)&from.sin_addr, buf,
			     (size_t)n, out, sizeof(out), &res);
	if (!m) {
		event("das discarded %s", res.discarded ? res.discarded : "-");
		return;
	}
	sendto(G.das_fd, out, m, 0, (struct sockaddr *)&from, fl);
	event("das code=%u answer=%u cause=%u sessions=%u%s", res.code, res.answer, res.error_cause,
	      res.sessions, res.duplicate ? " duplicate" : "");
}

/* ---- main ----------------------------------------------------------------------- */

static void command(char *line)
{
	char *arg[12], *cmd = strtok(line, " \t\r\n");
	int n = 0;

	if (!cmd)
		return;
	while (n < 12 && (arg[n] = strtok(NULL, " \t\r\n")))
		n++;
	if (!strcmp(cmd, "stats")) {
		const struct radius_acct_stats *st = radius_acct_stats(G.acct_engine);

		event("stats made=%llu acked=%llu queued=%u in_flight=%u dropped=%llu timeouts=%llu",
		      (unsigned long long)st->made, (unsigned long long)st->acknowledged, st->queued,
		      st->in_flight, (unsigned long long)st->dropped,
		      (unsigned long long)st->timeouts);
	} else if (!strcmp(cmd, "auth") && (n != 2 || !G.auth_client || G.auth_busy)) {
		event("error auth: usage, no --auth server, or one in progress");
	} else if (!strcmp(cmd, "auth")) {
		snprintf(G.auth_user, sizeof(G.auth_user), "%s", arg[0]);
		snprintf(G.auth_pass, sizeof(G.auth_pass), "%s", arg[1]);
		G.auth_busy = radius_client_submit(G.auth_client, now_ms(), RADIUS_ACCESS_REQUEST,
						   build_auth, NULL) == 0;
		if (!G.auth_busy)
			event("auth not sent");
	} else if (G.acct_engine && (!strcmp(cmd, "on") || !strcmp(cmd, "off") ||
				     !strcmp(cmd, "start") || !strcmp(cmd, "interim") ||
				     !strcmp(cmd, "stop"))) {
		acct_command(cmd, arg, n);
	} else {
		event("error unknown command %s", cmd);
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: radius-nas [--acct HOST:PORT:SECRET]... [--auth HOST:PORT:SECRET]\n"
		"  [--spool DIR] [--das ADDR:PORT] [--das-client ADDR:SECRET]...\n"
		"  [--session USER,ASID,IP,PORT[,CALLING[,CALLED]]]... [--filter NAME]...\n"
		"  [--allow-no-event-timestamp]\n"
		"  [--nas-ip ADDR] [--nas-id NAME] [--timeout-ms N] [--tries N] [--dead-ms N]\n"
		"  [--retry-ms N] [--max-records N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "acct", 1, 0, 'a' }, { "auth", 1, 0, 'A' }, { "spool", 1, 0, 's' },
		{ "das", 1, 0, 'd' }, { "das-client", 1, 0, 'c' }, { "session", 1, 0, 'S' },
		{ "filter", 1, 0, 'f' }, { "allow-no-event-timestamp", 0, 0, 'E' },
		{ "nas-ip", 1, 0, 'i' }, { "nas-id", 1, 0, 'I' }, { "timeout-ms", 1, 0, 't' },
		{ "tries", 1, 0, 'r' }, { "dead-ms", 1, 0, 'D' }, { "retry-ms", 1, 0, 'R' },
		{ "max-records", 1, 0, 'm' }, { 0 }
	};
	struct radius_client_config acfg = { .timeout_ms = 500, .max_timeout_ms = 2000, .tries = 2,
					     .dead_time_ms = 1000 };
	struct radius_client_config ucfg;
	struct radius_acct_config cfg = { .max_records = 1000, .window = 8, .retry_ms = 2000,
					  .compact_bytes = 1 << 20 };
	struct radius_das_config dcfg = { .window_s = 300 };
	const char *spool_dir = NULL;
	char *das_bind = NULL;
	char line[1024];
	size_t line_len = 0;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	G.das_fd = -1;
	G.nas_id = "lns-test";
	inet_pton(AF_INET, "192.0.2.1", &G.nas_ip);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *p;

		switch (c) {
		case 'a':
			if (G.n_acct == RADIUS_CLIENT_MAX_SERVERS ||
			    (G.acct[G.n_acct].fd = server_socket(optarg, G.acct[G.n_acct].secret,
								 sizeof(G.acct[0].secret))) < 0)
				usage();
			G.n_acct++;
			break;
		case 'A':
			if ((G.auth.fd = server_socket(optarg, G.auth.secret, sizeof(G.auth.secret))) < 0)
				usage();
			G.have_auth = true;
			break;
		case 's': spool_dir = optarg; break;
		case 'd': das_bind = optarg; break;
		case 'c':
			p = strchr(optarg, ':');
			if (!p || dcfg.n_clients == RADIUS_DAS_MAX_CLIENTS)
				usage();
			*p = 0;
			dcfg.clients[dcfg.n_clients].family = AF_INET;
			if (inet_pton(AF_INET, optarg, dcfg.clients[dcfg.n_clients].addr) != 1)
				usage();
			dcfg.clients[dcfg.n_clients++].secret = p + 1;
			break;
		case 'S': {
			struct das_session *s = &G.sessions[G.n_sessions];
			char ip[64];

			if (G.n_sessions == MAX_SESSIONS ||
			    sscanf(optarg, "%63[^,],%63[^,],%63[^,],%u,%63[^,],%63[^,]", s->user, s->asid,
				   ip, &s->port, s->calling, s->called) < 4 ||
			    inet_pton(AF_INET, ip, &s->ip) != 1)
				usage();
			G.n_sessions++;
			break;
		}
		case 'f':
			if (G.n_filters == 8)
				usage();
			snprintf(G.filters[G.n_filters++], sizeof(G.filters[0]), "%s", optarg);
			break;
		case 'E': dcfg.allow_no_event_timestamp = true; break;
		case 'i': if (inet_pton(AF_INET, optarg, &G.nas_ip) != 1) usage(); break;
		case 'I': G.nas_id = optarg; break;
		case 't': acfg.timeout_ms = (uint32_t)atoi(optarg); break;
		case 'r': acfg.tries = (unsigned)atoi(optarg); break;
		case 'D': acfg.dead_time_ms = (uint32_t)atoi(optarg); break;
		case 'R': cfg.retry_ms = (uint32_t)atoi(optarg); break;
		case 'm': cfg.max_records = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	ucfg = acfg;
	if (G.n_acct) {
		struct radius_acct_ops ops = { .send = acct_send, .random = rnd, .log = acct_log };

		acfg.n_servers = G.n_acct;
		for (unsigned i = 0; i < G.n_acct; i++) {
			acfg.secrets[i] = G.acct[i].secret;
			G.acct_alive[i] = true;	/* until one fails to answer */
		}
		/* an Accounting-Response carries no Message-Authenticator
		 * (RFC 2866); its Response Authenticator is checked */
		acfg.require_message_authenticator = false;
		if (spool_dir) {
			char err[256];
			uint8_t *old;
			size_t old_len;

			G.spool = radius_spool_file_open(spool_dir, 16 << 20, &old, &old_len, err,
							 sizeof(err));
			if (!G.spool) {
				fprintf(stderr, "radius-nas: spool: %s\n", err);
				return 1;
			}
			ops.spool = radius_spool_file_op;
			ops.ctx = NULL;
			G.acct_engine = NULL;
			{
				/* the spool's ctx is the file; the log's is unused */
				struct radius_acct_ops o = ops;

				o.ctx = G.spool;
				G.acct_engine = radius_acct_new(&acfg, &cfg, &o);
			}
			if (G.acct_engine) {
				struct radius_spool_read_stats st;
				unsigned n = radius_acct_restore(G.acct_engine, now_ms(), now_wall(),
								 old, old_len, &st);

				event("restored %u", n);
			}
			free(old);
		} else {
			G.acct_engine = radius_acct_new(&acfg, &cfg, &ops);
		}
		if (!G.acct_engine) {
			fprintf(stderr, "radius-nas: bad accounting configuration\n");
			return 1;
		}
	}
	if (G.have_auth) {
		struct radius_client_ops ops = { .send = auth_send, .random = rnd, .done = auth_done };

		ucfg.n_servers = 1;
		ucfg.secrets[0] = G.auth.secret;
		ucfg.require_message_authenticator = true;	/* BlastRADIUS */
		G.auth_client = radius_client_new(&ucfg, &ops);
	}
	if (das_bind) {
		struct radius_das_ops ops = { .find = das_find, .describe = das_describe,
					      .disconnect = das_disconnect, .change = das_change };
		struct sockaddr_in sin = { .sin_family = AF_INET };
		char *p = strchr(das_bind, ':');

		if (!p)
			usage();
		*p = 0;
		inet_pton(AF_INET, das_bind, &sin.sin_addr);
		sin.sin_port = htons((uint16_t)atoi(p + 1));
		dcfg.nas_ipv4 = G.nas_ip;
		dcfg.nas_identifier = G.nas_id;
		G.das = radius_das_new(&dcfg, &ops);
		G.das_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (!G.das || G.das_fd < 0 || bind(G.das_fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
			fprintf(stderr, "radius-nas: das: %s\n", strerror(errno));
			return 1;
		}
	}
	event("ready");
	for (;;) {
		struct pollfd pfd[RADIUS_CLIENT_MAX_SERVERS + 3];
		unsigned np = 0;
		uint64_t next = UINT64_MAX, now;
		int timeout;

		pfd[np++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		for (unsigned i = 0; i < G.n_acct; i++)
			pfd[np++] = (struct pollfd){ .fd = G.acct[i].fd, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = G.have_auth ? G.auth.fd : -1, .events = POLLIN };
		pfd[np++] = (struct pollfd){ .fd = G.das_fd, .events = POLLIN };
		if (G.acct_engine)
			next = radius_acct_next_timer(G.acct_engine);
		if (G.auth_client && radius_client_next_timer(G.auth_client) < next)
			next = radius_client_next_timer(G.auth_client);
		now = now_ms();
		timeout = next == UINT64_MAX ? -1 : next <= now ? 0 : (int)(next - now);
		if (poll(pfd, np, timeout) < 0 && errno != EINTR)
			break;
		now = now_ms();
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			ssize_t r = read(0, line + line_len, sizeof(line) - 1 - line_len);
			char *nl;

			if (r <= 0)
				break;
			line_len += (size_t)r;
			line[line_len] = 0;
			while ((nl = strchr(line, '\n'))) {
				*nl = 0;
				if (!strcmp(line, "quit"))
					goto out;
				command(line);
				memmove(line, nl + 1, line_len - (size_t)(nl + 1 - line) + 1);
				line_len = strlen(line);
			}
			if (line_len == sizeof(line) - 1)
				line_len = 0;	/* an overlong line: dropped */
		}
		for (unsigned i = 0; i < G.n_acct; i++)
			if (pfd[1 + i].revents & POLLIN) {
				uint8_t buf[RADIUS_MAX_LEN + 1];
				ssize_t r = recv(G.acct[i].fd, buf, sizeof(buf), 0);

				if (r > 0)
					radius_acct_input(G.acct_engine, now, i, buf, (size_t)r);
			}
		if (G.have_auth && (pfd[1 + G.n_acct].revents & POLLIN)) {
			uint8_t buf[RADIUS_MAX_LEN + 1];
			ssize_t r = recv(G.auth.fd, buf, sizeof(buf), 0);

			if (r > 0)
				radius_client_input(G.auth_client, now, 0, buf, (size_t)r);
		}
		if (G.das_fd >= 0 && (pfd[2 + G.n_acct].revents & POLLIN))
			das_input();
		if (G.acct_engine && radius_acct_next_timer(G.acct_engine) <= now)
			radius_acct_timer(G.acct_engine, now);
		if (G.auth_client && radius_client_next_timer(G.auth_client) <= now)
			radius_client_timer(G.auth_client, now);
		acct_report();
	}
out:
	radius_acct_free(G.acct_engine);
	radius_spool_file_close(G.spool);	/* everything handed over is on disk */
	radius_client_free(G.auth_client);
	radius_das_free(G.das);
	event("bye");
	return 0;
}
