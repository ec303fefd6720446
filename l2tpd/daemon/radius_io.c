/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The RADIUS servers' sockets on the event loop (radius_io.h). */
#include "radius_io.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "log.h"
#include "radius.h"
#include "radsec.h"
#include "server.h"

#define RX_BATCH 64		/* datagrams per wake-up: bounded, fair to the rest */

struct radius_io_family {
	int family;
	int fd;				/* -1: not open */
	sd_event_source *src;
	struct sockaddr_storage bound;	/* the NAS address bound, family 0: none */
};

struct radius_io {
	struct server *srv;
	struct radius_io_family fam[2];	/* IPv4, IPv6 */
	unsigned n_servers;
	/* each server's address with its authentication and accounting port */
	struct sockaddr_storage peer[L2TPD_RADIUS_MAX_SERVERS][RADIUS_IO_NPORTS];
	radius_io_input_fn input[RADIUS_IO_NPORTS];
	void *input_ctx[RADIUS_IO_NPORTS];
	struct radius_io_stats st;
	struct radsec *radsec;		/* the transport = tls servers' connections */
};

static struct radius_io_family *family_of(struct radius_io *io, int family)
{
	return family == AF_INET6 ? &io->fam[1] : &io->fam[0];
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

static bool same_peer(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
}

/* A datagram's source to (server, port): at most 8 servers, 2 ports. */
static bool match(const struct radius_io *io, const struct sockaddr_storage *from,
		  unsigned *server, enum radius_io_port *port)
{
	for (unsigned i = 0; i < io->n_servers; i++)
		for (int p = 0; p < RADIUS_IO_NPORTS; p++)
			/* a TLS server answers over TLS only: a datagram in its
			 * name is anyone's */
			if (!radsec_is_tls(io->radsec, i) && same_peer(&io->peer[i][p], from)) {
				*server = i;
				*port = (enum radius_io_port)p;
				return true;
			}
	return false;
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct radius_io *io = arg;
	uint8_t buf[RADIUS_MAX_LEN + 1];

	for (int n = 0; n < RX_BATCH; n++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t got = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				       &fl);
		enum radius_io_port port;
		unsigned server;

		if (got < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
				/* an ICMP error of an earlier send (server port
				 * closed): the engine's timeout covers it */
				io->st.recv_errors++;
				continue;
			}
			break;
		}
		io->st.received++;
		if (!match(io, &from, &server, &port)) {
			/* not from one of our servers: never believed, never
			 * logged above debug (anyone can send us datagrams) */
			io->st.unknown_source++;
			continue;
		}
		if (io->input[port])
			io->input[port](io->input_ctx[port], server, buf, (size_t)got);
	}
	/* the answers queued work (verdicts, closes), as every handler does */
	server_flush(io->srv);
	return 0;
}

/* An answer over TLS (radsec.h), to its engine as a datagram would go. */
static void from_tls(void *ctx, enum radius_io_port port, unsigned server, const uint8_t *buf,
		     size_t len)
{
	struct radius_io *io = ctx;

	io->st.received++;
	if (io->input[port])
		io->input[port](io->input_ctx[port], server, buf, len);
}

static void close_family(struct radius_io_family *f)
{
	if (f->src)
		f->src = sd_event_source_disable_unref(f->src);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	memset(&f->bound, 0, sizeof(f->bound));
}

/* Open (or keep) the socket of one family, bound to `nas` when it has an
 * address (requests then leave from it: servers know their clients by
 * source address). */
static int open_family(struct radius_io *io, struct radius_io_family *f,
		       const struct sockaddr_storage *nas, char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN] = "";
	int fd, r;

	if (f->fd >= 0 && !memcmp(&f->bound, nas, sizeof(*nas)))
		return 0;
	fd = socket(f->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "RADIUS socket (%s): %s", f->family == AF_INET ? "IPv4" : "IPv6",
			 strerror(errno));
		return -1;
	}
	if (nas->ss_family && bind(fd, (const struct sockaddr *)nas, sa_len(nas)) != 0) {
		if (nas->ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)nas)->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)nas)->sin6_addr, a,
				  sizeof(a));
		snprintf(err, errlen, "radius: cannot send from nas_ip_address %s: %s", a,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (io->srv->event) {
		sd_event_source *src = NULL;

		r = sd_event_add_io(io->srv->event, &src, fd, EPOLLIN, on_readable, io);
		if (r < 0) {
			snprintf(err, errlen, "cannot watch the RADIUS socket: %s", strerror(-r));
			close(fd);
			return -1;
		}
		close_family(f);
		f->src = src;
	} else {
		close_family(f);
	}
	f->fd = fd;
	f->bound = *nas;
	return 0;
}

static void nas_addr(const struct radius_conf *rc, int family, struct sockaddr_storage *out)
{
	memset(out, 0, sizeof(*out));
	if (family == AF_INET && rc->has_nas_ipv4) {
		struct sockaddr_in *v4 = (struct sockaddr_in *)out;

		v4->sin_family = AF_INET;
		v4->sin_addr = rc->nas_ipv4;
	} else if (family == AF_INET6 && rc->has_nas_ipv6) {
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)out;

		v6->sin6_family = AF_INET6;
		v6->sin6_addr = rc->nas_ipv6;
	}
}

int radius_io_reconfigure(struct radius_io *io, const struct radius_conf *rc, char *err,
			  size_t errlen)
{
	bool need[2] = { false, false };

	if (radsec_reconfigure(io->radsec, rc, err, errlen))
		return -1;
	for (unsigned i = 0; i < rc->n_servers; i++)
		if (!rc->servers[i].tls.enabled)
			need[rc->servers[i].addr.ss_family == AF_INET6] = true;
	for (int k = 0; k < 2; k++) {
		struct sockaddr_storage nas;

		if (!need[k])
			continue;
		nas_addr(rc, io->fam[k].family, &nas);
		if (open_family(io, &io->fam[k], &nas, err, errlen))
			return -1;
	}
	/* a family no server uses any more keeps its socket: an answer
	 * still on its way is simply not matched */
	io->n_servers = rc->n_servers;
	memset(io->peer, 0, sizeof(io->peer));
	for (unsigned i = 0; i < rc->n_servers; i++) {
		const struct radius_server_conf *sv = &rc->servers[i];
		uint16_t ports[RADIUS_IO_NPORTS] = { sv->auth_port, sv->acct_port };

		for (int p = 0; p < RADIUS_IO_NPORTS; p++) {
			io->peer[i][p] = sv->addr;
			if (sv->addr.ss_family == AF_INET)
				((struct sockaddr_in *)&io->peer[i][p])->sin_port = htons(ports[p]);
			else
				((struct sockaddr_in6 *)&io->peer[i][p])->sin6_port = htons(ports[p]);
		}
	}
	return 0;
}

struct radius_io *radius_io_new(struct server *srv, const struct radius_conf *rc, char *err,
				size_t errlen)
{
	struct radius_io *io = calloc(1, sizeof(*io));

	if (!io) {
		snprintf(err, errlen, "no memory for the RADIUS sockets");
		return NULL;
	}
	io->srv = srv;
	io->radsec = radsec_new(srv, from_tls, io);
	if (!io->radsec) {
		snprintf(err, errlen, "no memory for the RADIUS TLS connections");
		free(io);
		return NULL;
	}
	io->fam[0] = (struct radius_io_family){ .family = AF_INET, .fd = -1 };
	io->fam[1] = (struct radius_io_family){ .family = AF_INET6, .fd = -1 };
	if (radius_io_reconfigure(io, rc, err, errlen)) {
		radius_io_free(io);
		return NULL;
	}
	return io;
}

void radius_io_free(struct radius_io *io)
{
	if (!io)
		return;
	close_family(&io->fam[0]);
	close_family(&io->fam[1]);
	radsec_free(io->radsec);
	free(io);
}

void radius_io_set_input(struct radius_io *io, enum radius_io_port port, radius_io_input_fn fn,
			 void *ctx)
{
	io->input[port] = fn;
	io->input_ctx[port] = ctx;
}

void radius_io_send(struct radius_io *io, enum radius_io_port port, unsigned server,
		    const uint8_t *pkt, size_t len)
{
	const struct sockaddr_storage *to;
	struct radius_io_family *f;

	if (server >= io->n_servers)
		return;
	if (radsec_is_tls(io->radsec, server)) {
		io->st.sent++;
		radsec_send(io->radsec, port, server, pkt, len);
		return;
	}
	to = &io->peer[server][port];
	f = family_of(io, to->ss_family);
	if (f->fd < 0 || sendto(f->fd, pkt, len, MSG_DONTWAIT, (const struct sockaddr *)to,
				sa_len(to)) < 0) {
		/* a lost datagram: the engine retransmits; counted, and
		 * l2tpctl radius shows it */
		io->st.send_errors++;
		return;
	}
	io->st.sent++;
}

const struct radius_io_stats *radius_io_stats(const struct radius_io *io)
{
	return &io->st;
}

const struct radsec_stats *radius_io_tls_stats(const struct radius_io *io, unsigned server)
{
	return server < io->n_servers ? radsec_stats(io->radsec, server) : NULL;
}

const char *radius_io_server_str(const struct radius_io *io, enum radius_io_port port,
				 unsigned server, char *buf, size_t len)
{
	const struct sockaddr_storage *ss;
	char a[INET6_ADDRSTRLEN] = "?";
	uint16_t pt = 0;

	if (server >= io->n_servers) {
		snprintf(buf, len, "?");
		return buf;
	}
	ss = &io->peer[server][port];
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, a, sizeof(a));
		pt = ntohs(((const struct sockaddr_in *)ss)->sin_port);
		snprintf(buf, len, "%s:%u", a, pt);
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, a, sizeof(a));
		pt = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
		snprintf(buf, len, "[%s]:%u", a, pt);
	}
	return buf;
}
