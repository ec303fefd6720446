/* SPDX-License-Identifier: GPL-2.0-or-later */
/* RADIUS over TLS, RadSec (radsec.h, RFC 6614). */
#include "radsec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <systemd/sd-event.h>

#include "log.h"
#include "radius.h"
#include "server.h"
#include "stream.h"
#include "fdbudget.h"

/* every connection is in the descriptor budget's fixed part */
_Static_assert(L2TPD_RADIUS_MAX_SERVERS <= FDBUDGET_RADSEC, "fdbudget.h counts the RadSec connections");

#define OUT_MAX (64 * 1024)	/* queued while connecting: 16 full packets */
#define OPEN_TIMEOUT_MS 10000	/* connect and handshake: a blackholed server */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000
#define READS_PER_WAKE 16	/* bounded, fair to the rest of the loop */

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_HANDSHAKE, CONN_UP, CONN_BACKOFF };

struct radsec_conn {
	struct radsec *rs;
	unsigned index;
	bool tls;			/* a transport = tls server */
	struct radius_tls_conf conf;	/* as configured, to see a change */
	struct sockaddr_storage peer, nas;	/* nas family 0: any source */
	char addr[64];			/* "192.0.2.10:2083", for the log */
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
	sd_event_source *src;
	enum conn_state state;
	uint32_t backoff_ms;
	struct server_timer timer;	/* the end of a back-off, or of the opening */
	struct radius_stream rx;
	uint8_t out[OUT_MAX];		/* plaintext not yet taken by SSL_write */
	size_t out_len;
	/* what this connection carried, per port and Identifier: the engines'
	 * retransmissions (same Identifier and authenticator) are not sent
	 * again on it (RFC 6613 2.6.1), and an answer finds its engine */
	bool sent[RADIUS_IO_NPORTS][256];
	uint8_t sent_auth[RADIUS_IO_NPORTS][256][16];
	struct radsec_stats st;		/* this server's, since its configuration */
};

struct radsec {
	struct server *srv;
	radsec_input_fn input;
	void *ctx;
	unsigned n_servers;
	struct radsec_conn *conn[L2TPD_RADIUS_MAX_SERVERS];
};

/* The first OpenSSL error queued, or `what`. */
static const char *ssl_reason(const char *what)
{
	static char buf[256];
	unsigned long e = ERR_get_error();

	if (!e)
		return what;
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static void conn_close(struct radsec_conn *c)
{
	if (c->ssl) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->src)
		c->src = sd_event_source_disable_unref(c->src);
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		server_fd_released(c->rs->srv);
	}
	c->out_len = 0;
	radius_stream_reset(&c->rx);
	memset(c->sent, 0, sizeof(c->sent));
	timerheap_cancel(&c->rs->srv->timers, &c->timer.node);
	c->state = CONN_IDLE;
}

/* A connect or handshake that failed: no new attempt before the back-off
 * ends, so an unreachable server costs a connect per back-off, not one
 * per login. */
static void conn_fail(struct radsec_conn *c)
{
	struct radsec *rs = c->rs;

	conn_close(c);
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : BACKOFF_FIRST_MS;
	if (c->backoff_ms > BACKOFF_MAX_MS)
		c->backoff_ms = BACKOFF_MAX_MS;
	c->state = CONN_BACKOFF;
	if (timerheap_set(&rs->srv->timers, &c->timer.node,
			  server_now_ms(rs->srv) + c->backoff_ms))
		c->state = CONN_IDLE;	/* no memory for the timer: no back-off */
}

static void conn_timer(void *ctx, uint64_t now)
{
	struct radsec_conn *c = ctx;

	(void)now;
	if (c->state == CONN_BACKOFF) {
		c->state = CONN_IDLE;
	} else if (c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE) {
		/* a SYN or a handshake nobody answers would otherwise hold
		 * the queue for the kernel's minutes of SYN retries */
		log_err("radius: TLS connection to %s not open after %ums: given up",
			c->addr, OPEN_TIMEOUT_MS);
		c->st.handshake_failures++;
		conn_fail(c);
	}
}

static void conn_events(struct radsec_conn *c, bool want_write)
{
	if (c->src)
		sd_event_source_set_io_events(c->src, EPOLLIN | (want_write ? EPOLLOUT : 0));
}

/* ---- the answers ---------------------------------------------------------- */

/* One packet off the stream: to the engine whose request it answers.
 * Accounting-Response is accounting's; any other answer is the engine's
 * that sent that Identifier (authentication first: Status-Server is
 * answered with Access-Accept whichever engine asked, RFC 5997 3). The
 * engine matches it to its request by the authenticator. */
static int on_packet(void *ctx, const uint8_t *pkt, size_t len)
{
	struct radsec_conn *c = ctx;
	struct radsec *rs = c->rs;
	enum radius_io_port port = RADIUS_IO_AUTH;
	unsigned id = pkt[1];

	if (pkt[0] == RADIUS_ACCOUNTING_RESPONSE ||
	    (!c->sent[RADIUS_IO_AUTH][id] && c->sent[RADIUS_IO_ACCT][id]))
		port = RADIUS_IO_ACCT;
	c->sent[port][id] = false;
	if (rs->input)
		rs->input(rs->ctx, port, c->index, pkt, len);
	/* the engine may have reconfigured us away: stop reading then */
	return rs->conn[c->index] != c || c->state != CONN_UP;
}

static void conn_read(struct radsec_conn *c)
{
	uint8_t buf[RADIUS_MAX_LEN];

	/* bytes OpenSSL already holds (a record larger than buf) make no
	 * event: they are read before leaving */
	for (int i = 0; (i < READS_PER_WAKE || SSL_pending(c->ssl) > 0) && c->state == CONN_UP;
	     i++) {
		int n = SSL_read(c->ssl, buf, sizeof(buf));
		int e;

		if (n > 0) {
			enum radius_stream_result r =
				radius_stream_feed(&c->rx, buf, (size_t)n, on_packet, c);

			if (r == RADIUS_STREAM_BAD) {
				/* RFC 6613 2.6.4: nothing after it is a packet */
				c->st.malformed++;
				log_warn("radius: %s sent a packet with a bad Length over TLS: "
					 "connection closed", c->addr);
				conn_close(c);
				return;
			}
			if (r == RADIUS_STREAM_STOPPED)
				return;
			continue;
		}
		e = SSL_get_error(c->ssl, n);
		if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
			return;
		/* closed by the server (a restart, an idle timeout): the next
		 * packet reopens it at once (RFC 6614 2.5) */
		log_notice("radius: TLS connection to %s closed (%s)", c->addr,
			   e == SSL_ERROR_ZERO_RETURN ? "by the server" : ssl_reason("connection lost"));
		c->st.drops++;
		conn_close(c);
		return;
	}
}

static void conn_write(struct radsec_conn *c)
{
	while (c->out_len) {
		int n = SSL_write(c->ssl, c->out, (int)c->out_len);

		if (n > 0) {
			memmove(c->out, c->out + n, c->out_len - (size_t)n);
			c->out_len -= (size_t)n;
			continue;
		}
		if (SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_WRITE ||
		    SSL_get_error(c->ssl, n) == SSL_ERROR_WANT_READ) {
			conn_events(c, true);
			return;
		}
		log_notice("radius: TLS connection to %s lost on write (%s)", c->addr,
			   ssl_reason("write error"));
		c->st.drops++;
		conn_close(c);
		return;
	}
	conn_events(c, false);
}

/* ---- connect and handshake ------------------------------------------------------ */

static void handshake(struct radsec_conn *c)
{
	int r = SSL_do_handshake(c->ssl), e;
	long v;

	if (r == 1) {
		log_notice("radius: TLS connection to %s up (%s, %s)", c->addr, SSL_get_version(c->ssl),
			   SSL_get_cipher_name(c->ssl));
		c->state = CONN_UP;
		c->backoff_ms = 0;
		timerheap_cancel(&c->rs->srv->timers, &c->timer.node);
		conn_write(c);
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ) {
		conn_events(c, false);
		return;
	}
	if (e == SSL_ERROR_WANT_WRITE) {
		conn_events(c, true);
		return;
	}
	/* the reason an administrator acts on: the certificate's, if any */
	v = SSL_get_verify_result(c->ssl);
	c->st.handshake_failures++;
	if (v != X509_V_OK) {
		log_err("radius: TLS handshake with %s refused: the server's certificate does not "
			"verify: %s (ca_file %s%s%s)", c->addr, X509_verify_cert_error_string(v),
			c->conf.ca_file, c->conf.server_name[0] ? ", server_name " : "",
			c->conf.server_name);
		/* the queue's entries say the same; the next line must not
		 * show them */
		ERR_clear_error();
	} else
		log_err("radius: TLS handshake with %s failed: %s", c->addr,
			ssl_reason("connection closed"));
	conn_fail(c);
}

static int start_tls(struct radsec_conn *c)
{
	c->ssl = SSL_new(c->ctx);
	if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_connect_state(c->ssl);
	SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (c->conf.server_name[0]) {
		struct in6_addr ip;

		/* the name the certificate must carry: an address as an
		 * iPAddress SAN; a name as a dNSName SAN, the CN only without
		 * SANs (RFC 6125); a name also as SNI (RFC 6066 3: never an
		 * address) */
		if (inet_pton(AF_INET, c->conf.server_name, &ip) == 1 ||
		    inet_pton(AF_INET6, c->conf.server_name, &ip) == 1) {
			if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl),
							  c->conf.server_name) != 1)
				return -1;
		} else if (SSL_set_tlsext_host_name(c->ssl, c->conf.server_name) != 1 ||
			   SSL_set1_host(c->ssl, c->conf.server_name) != 1) {
			return -1;
		}
	}
	c->state = CONN_HANDSHAKE;
	handshake(c);
	return 0;
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct radsec_conn *c = arg;
	struct server *srv = c->rs->srv;

	(void)src;
	if (c->state == CONN_CONNECTING) {
		int soerr = 0;
		socklen_t sl = sizeof(soerr);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr) {
			log_err("radius: cannot connect to %s: %s", c->addr, strerror(soerr));
			c->st.handshake_failures++;
			conn_fail(c);
		} else if (start_tls(c)) {
			log_err("radius: cannot start TLS with %s: %s", c->addr, ssl_reason("no memory"));
			conn_fail(c);
		}
	} else if (c->state == CONN_HANDSHAKE) {
		handshake(c);
	} else if (c->state == CONN_UP) {
		if (revents & EPOLLOUT)
			conn_write(c);
		if (c->state == CONN_UP && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
			conn_read(c);
	}
	server_flush(srv);
	return 0;
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

/* A non-blocking connect: its end is seen as the socket turning writable. */
static void conn_open(struct radsec_conn *c)
{
	struct server *srv = c->rs->srv;
	int fd, r;

	if (!srv->event)
		return;
	fd = socket(c->peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("radius: no socket for the TLS connection to %s: %s", c->addr,
			strerror(errno));
		conn_fail(c);
		return;
	}
	c->fd = fd;
	c->st.connects++;
	/* the source the server knows us by, as for UDP (radius_io.c) */
	if (c->nas.ss_family && bind(fd, (const struct sockaddr *)&c->nas, sa_len(&c->nas)) != 0) {
		log_err("radius: cannot connect to %s from nas_ip_address: %s", c->addr,
			strerror(errno));
		conn_fail(c);
		return;
	}
	r = sd_event_add_io(srv->event, &c->src, fd, EPOLLIN | EPOLLOUT, on_io, c);
	if (r < 0) {
		log_err("radius: cannot watch the TLS connection to %s: %s", c->addr, strerror(-r));
		conn_fail(c);
		return;
	}
	c->state = CONN_CONNECTING;
	if (timerheap_set(&srv->timers, &c->timer.node, server_now_ms(srv) + OPEN_TIMEOUT_MS))
		log_warn("radius: no memory for the TLS connection's timer: %s has the kernel's",
			 c->addr);
	if (connect(fd, (const struct sockaddr *)&c->peer, sa_len(&c->peer)) != 0 &&
	    errno != EINPROGRESS) {
		log_err("radius: cannot connect to %s: %s", c->addr, strerror(errno));
		conn_fail(c);
	}
}

/* ---- sending ---------------------------------------------------------------------- */

void radsec_send(struct radsec *rs, enum radius_io_port port, unsigned server, const uint8_t *pkt,
		 size_t len)
{
	struct radsec_conn *c;
	unsigned id;

	if (server >= rs->n_servers || !rs->conn[server] || len < RADIUS_HDR_LEN)
		return;
	c = rs->conn[server];
	id = pkt[1];
	/* RFC 6613 2.6.1: the engine's retransmission is not one over TCP */
	if (c->state != CONN_IDLE && c->state != CONN_BACKOFF && c->sent[port][id] &&
	    !memcmp(c->sent_auth[port][id], pkt + 4, 16)) {
		c->st.retransmissions_dropped++;
		return;
	}
	if (c->state == CONN_BACKOFF) {
		/* lost: the engine's timeout fails the server over */
		c->st.lost++;
		return;
	}
	if (c->state == CONN_IDLE)
		conn_open(c);
	if (c->state == CONN_IDLE || c->state == CONN_BACKOFF)
		return;
	if (c->out_len + len > sizeof(c->out)) {
		c->st.lost++;
		return;
	}
	memcpy(c->out + c->out_len, pkt, len);
	c->out_len += len;
	c->sent[port][id] = true;
	memcpy(c->sent_auth[port][id], pkt + 4, 16);
	if (c->state == CONN_UP)
		conn_write(c);
}

/* ---- configuration ------------------------------------------------------------------ */

/* An encrypted key_file is refused, never asked for: OpenSSL's default
 * would prompt on the terminal and block the daemon. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

static SSL_CTX *make_ctx(const struct radius_tls_conf *t, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx) {
		snprintf(err, errlen, "radius: no TLS context: %s", ssl_reason("no memory"));
		return NULL;
	}
	SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
	/* RFC 6614 2.3 asks for TLS 1.1 at least; 1.0 and 1.1 are broken
	 * (RFC 8996), so 1.2 */
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_load_verify_locations(ctx, t->ca_file, NULL) != 1) {
		snprintf(err, errlen, "radius: ca_file %s: %s", t->ca_file, ssl_reason("unusable"));
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, t->cert_file) != 1) {
		snprintf(err, errlen, "radius: cert_file %s: %s", t->cert_file,
			 ssl_reason("unusable"));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, t->key_file, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "radius: key_file %s: %s", t->key_file, ssl_reason("unusable"));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "radius: key_file %s does not match cert_file %s", t->key_file,
			 t->cert_file);
		goto fail;
	}
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

static void conn_free(struct radsec_conn *c)
{
	if (!c)
		return;
	/* a reload or a stop: close_notify, once, without waiting for the
	 * server's (RFC 8446 6.1 lets the closing side leave) */
	if (c->state == CONN_UP)
		SSL_shutdown(c->ssl);
	ERR_clear_error();
	conn_close(c);
	SSL_CTX_free(c->ctx);
	free(c);
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

static struct radsec_conn *conn_new(struct radsec *rs, unsigned i, const struct radius_conf *rc,
				    char *err, size_t errlen)
{
	const struct radius_server_conf *sv = &rc->servers[i];
	struct radsec_conn *c = calloc(1, sizeof(*c));
	char a[INET6_ADDRSTRLEN] = "?";

	if (!c) {
		snprintf(err, errlen, "no memory for RADIUS server %s's TLS connection", sv->name);
		return NULL;
	}
	c->rs = rs;
	c->index = i;
	c->fd = -1;
	c->conf = sv->tls;
	c->timer.node.kind = SERVER_TIMER_CALLBACK;
	c->timer.fn = conn_timer;
	c->timer.ctx = c;
	c->peer = sv->addr;
	if (sv->addr.ss_family == AF_INET) {
		((struct sockaddr_in *)&c->peer)->sin_port = htons(sv->auth_port);
		inet_ntop(AF_INET, &((const struct sockaddr_in *)&sv->addr)->sin_addr, a, sizeof(a));
		snprintf(c->addr, sizeof(c->addr), "%s:%u", a, sv->auth_port);
	} else {
		((struct sockaddr_in6 *)&c->peer)->sin6_port = htons(sv->auth_port);
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&sv->addr)->sin6_addr, a,
			  sizeof(a));
		snprintf(c->addr, sizeof(c->addr), "[%s]:%u", a, sv->auth_port);
	}
	nas_addr(rc, sv->addr.ss_family, &c->nas);
	c->ctx = make_ctx(&sv->tls, err, errlen);
	if (!c->ctx) {
		free(c);
		return NULL;
	}
	return c;
}

int radsec_reconfigure(struct radsec *rs, const struct radius_conf *rc, char *err, size_t errlen)
{
	struct radsec_conn *next[L2TPD_RADIUS_MAX_SERVERS] = { NULL };

	/* every TLS context first: a bad file leaves the old servers alone */
	for (unsigned i = 0; i < rc->n_servers; i++) {
		if (!rc->servers[i].tls.enabled)
			continue;
		next[i] = conn_new(rs, i, rc, err, errlen);
		if (!next[i]) {
			for (unsigned k = 0; k < i; k++)
				conn_free(next[k]);
			return -1;
		}
	}
	/* a reload reconnects: the files may have changed under the same names */
	for (unsigned i = 0; i < L2TPD_RADIUS_MAX_SERVERS; i++) {
		conn_free(rs->conn[i]);
		rs->conn[i] = next[i];
	}
	rs->n_servers = rc->n_servers;
	return 0;
}

struct radsec *radsec_new(struct server *srv, radsec_input_fn input, void *ctx)
{
	struct radsec *rs = calloc(1, sizeof(*rs));

	if (!rs)
		return NULL;
	rs->srv = srv;
	rs->input = input;
	rs->ctx = ctx;
	return rs;
}

void radsec_free(struct radsec *rs)
{
	if (!rs)
		return;
	for (unsigned i = 0; i < L2TPD_RADIUS_MAX_SERVERS; i++)
		conn_free(rs->conn[i]);
	free(rs);
}

bool radsec_is_tls(const struct radsec *rs, unsigned server)
{
	return rs && server < rs->n_servers && rs->conn[server];
}

const struct radsec_stats *radsec_stats(const struct radsec *rs, unsigned server)
{
	return radsec_is_tls(rs, server) ? &rs->conn[server]->st : NULL;
}
