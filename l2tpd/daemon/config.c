/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "conf.h"

void config_defaults(struct l2tpd_config *c)
{
	struct sockaddr_in *any = (struct sockaddr_in *)&c->listen[0];

	memset(c, 0, sizeof(*c));
	any->sin_family = AF_INET;
	any->sin_addr.s_addr = htonl(INADDR_ANY);
	c->n_listen = 1;
	c->port = 1701;
	c->dataplane = DP_AUTO;
	c->userspace_tun = USERSPACE_TUN_PER_SESSION;
	snprintf(c->userspace_shared_interface, sizeof(c->userspace_shared_interface), "l2tp-shared");
	snprintf(c->control_socket, sizeof(c->control_socket), "/run/l2tpd/l2tpd.sock");
	c->log_level = LOG_LVL_INFO;
	c->require_ipsec = true;
	snprintf(c->ipsec_socket, sizeof(c->ipsec_socket), "/run/l2tpd/charon.sock");
	c->ipsec_delete_on_disconnect = true;
	inet_pton(AF_INET, "198.51.100.1", &c->local_address);
	snprintf(c->host_name, sizeof(c->host_name), "l2tpd");
	c->max_tunnels = 1024;
	c->max_sessions = 128;		/* the "ports" of a Windows VPN server */
	c->max_sessions_per_tunnel = 128;
	c->new_tunnel_rate = 10;
	c->new_tunnel_burst = 20;
	c->control_connections = 32;
	c->login_failures = 5;
	c->peer_login_failures = 20;
	c->max_half_open = 256;
	c->half_open_timeout = 10;
	c->max_preauth_sessions = 0;	/* half of the ports */
	c->max_preauth_per_tunnel = 32;
	c->hello_interval = 60;
	c->retransmit_initial = 1;
	c->retransmit_max = 8;
	c->retransmit_tries = 5;
	c->lcp_echo_interval = 30;
	c->lcp_echo_failures = 4;
	c->auth_timeout = 30;
	c->control_idle = 60;
	c->login_backoff = 2;
	c->login_backoff_max = 300;
	c->mru = 0;		/* derived from path_mtu: 1398 (IPv4), 1382 (IPv6) */
	c->path_mtu = 1500;
	c->mss_clamp = true;
	c->radius.timeout_ms = 1000;
	c->radius.max_timeout_ms = 4000;
	c->radius.tries = 3;
	c->radius.dead_time_ms = 30000;
	c->radius.require_message_authenticator = true;
	snprintf(c->radius.accounting_spool, sizeof(c->radius.accounting_spool),
		 "/var/lib/l2tpd/accounting.spool");
	c->das.port = 3799;
	c->das.window_s = 300;
	c->das.require_message_authenticator = true;
}

struct loader {
	char *err;
	size_t errlen;
	/* where `provider = radius` was written, for "needs a radius block" */
	const struct conf_node *provider_node;
	const struct conf_node *radius_node;
};

static int fail(struct loader *l, const struct conf_node *n, unsigned line, unsigned col,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail(struct loader *l, const struct conf_node *n, unsigned line, unsigned col,
		const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s:%u:%u: %s", n->file ? n->file : "?", line, col, msg);
	return -1;
}

static const struct conf_item *single(struct loader *l, const struct conf_node *n)
{
	if (n->kind != CONF_VALUE) {
		fail(l, n, n->line, n->col, "'%s' is a setting, not a section", n->name);
		return NULL;
	}
	if (n->n_items != 1) {
		fail(l, n, n->line, n->col, "'%s' takes exactly one value", n->name);
		return NULL;
	}
	return &n->items[0];
}

/* An integer with an optional s/m/h suffix when `duration`. */
static int get_number(struct loader *l, const struct conf_node *n, uint64_t max,
		      int duration, uint32_t *out)
{
	const struct conf_item *it = single(l, n);
	unsigned long long v;
	char *end;

	if (!it)
		return -1;
	errno = 0;
	v = strtoull(it->text, &end, 10);
	if (end == it->text || errno)
		return fail(l, n, it->line, it->col, "expected a number for '%s'", n->name);
	if (duration && *end) {
		if (strcmp(end, "s") == 0)
			;
		else if (strcmp(end, "m") == 0)
			v *= 60;
		else if (strcmp(end, "h") == 0)
			v *= 3600;
		else
			return fail(l, n, it->line, it->col,
				    "expected a duration (seconds, or with s/m/h) for '%s'", n->name);
	} else if (*end) {
		return fail(l, n, it->line, it->col, "expected a number for '%s'", n->name);
	}
	if (v > max)
		return fail(l, n, it->line, it->col, "value of '%s' is too large", n->name);
	*out = (uint32_t)v;
	return 0;
}

static int get_bool(struct loader *l, const struct conf_node *n, bool *out)
{
	const struct conf_item *it = single(l, n);

	if (!it)
		return -1;
	if (!strcmp(it->text, "yes") || !strcmp(it->text, "true"))
		*out = true;
	else if (!strcmp(it->text, "no") || !strcmp(it->text, "false"))
		*out = false;
	else
		return fail(l, n, it->line, it->col, "expected yes or no for '%s'", n->name);
	return 0;
}

static int get_string(struct loader *l, const struct conf_node *n, char *buf, size_t len)
{
	const struct conf_item *it = single(l, n);

	if (!it)
		return -1;
	if (it->len >= len)
		return fail(l, n, it->line, it->col, "value of '%s' is too long", n->name);
	memcpy(buf, it->text, it->len + 1);
	return 0;
}

static int get_listen(struct loader *l, const struct conf_node *n, struct l2tpd_config *c)
{
	if (n->kind != CONF_VALUE || n->n_items == 0)
		return fail(l, n, n->line, n->col, "'%s' takes a list of addresses", n->name);
	if (n->n_items > L2TPD_MAX_LISTEN)
		return fail(l, n, n->line, n->col, "'%s': too many addresses", n->name);
	memset(c->listen, 0, sizeof(c->listen));
	for (uint32_t i = 0; i < n->n_items; i++) {
		const struct conf_item *it = &n->items[i];
		struct sockaddr_in *v4 = (struct sockaddr_in *)&c->listen[i];
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&c->listen[i];

		if (inet_pton(AF_INET, it->text, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
		} else if (inet_pton(AF_INET6, it->text, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
		} else {
			return fail(l, n, it->line, it->col, "expected an IPv4 or IPv6 address in '%s'",
				    n->name);
		}
	}
	c->n_listen = n->n_items;
	return 0;
}

struct number_key {
	const char *section;	/* NULL: top level of l2tpd { } */
	const char *name;
	size_t offset;
	uint64_t max;
	int duration;
};

#define NUM(sec, key, field, max, dur) { sec, key, offsetof(struct l2tpd_config, field), max, dur }
static const struct number_key number_keys[] = {
	NUM(NULL, "port", port, 65535, 0),
	NUM("limits", "tunnels", max_tunnels, 65535, 0),
	NUM("limits", "sessions", max_sessions, 1000000, 0),
	NUM("limits", "sessions_per_tunnel", max_sessions_per_tunnel, 65535, 0),
	NUM("limits", "new_tunnel_rate", new_tunnel_rate, 100000, 0),
	NUM("limits", "new_tunnel_burst", new_tunnel_burst, 100000, 0),
	NUM("limits", "control_connections", control_connections, 4096, 0),
	NUM("limits", "login_failures", login_failures, 1000, 0),
	NUM("limits", "peer_login_failures", peer_login_failures, 100000, 0),
	NUM("limits", "half_open_tunnels", max_half_open, 65535, 0),
	NUM("limits", "preauth_sessions", max_preauth_sessions, 1000000, 0),
	NUM("limits", "preauth_sessions_per_tunnel", max_preauth_per_tunnel, 65535, 0),
	NUM("timers", "half_open_timeout", half_open_timeout, 3600, 1),
	NUM("timers", "hello_interval", hello_interval, 86400, 1),
	NUM("timers", "retransmit_initial", retransmit_initial, 60, 1),
	NUM("timers", "retransmit_max", retransmit_max, 600, 1),
	NUM("timers", "retransmit_tries", retransmit_tries, 255, 0),
	NUM("timers", "lcp_echo_interval", lcp_echo_interval, 86400, 1),
	NUM("timers", "lcp_echo_failures", lcp_echo_failures, 255, 0),
	NUM("timers", "auth_timeout", auth_timeout, 3600, 1),
	NUM("timers", "control_idle", control_idle, 86400, 1),
	NUM("timers", "login_backoff", login_backoff, 3600, 1),
	NUM("timers", "login_backoff_max", login_backoff_max, 86400, 1),
	NUM("ppp", "mru", mru, 1500, 0),
	NUM("ppp", "path_mtu", path_mtu, 65535, 0),
};

static int load_number(struct loader *l, const struct conf_node *n, const struct number_key *k,
		       struct l2tpd_config *c)
{
	uint32_t v = 0;

	if (get_number(l, n, k->max, k->duration, &v))
		return -1;
	if (!strcmp(k->name, "port") || !strcmp(k->name, "mru") || !strcmp(k->name, "path_mtu"))
		*(uint16_t *)((char *)c + k->offset) = (uint16_t)v;
	else
		*(uint32_t *)((char *)c + k->offset) = v;
	return 0;
}

static const struct number_key *find_number(const char *section, const char *name)
{
	for (size_t i = 0; i < sizeof(number_keys) / sizeof(number_keys[0]); i++) {
		const struct number_key *k = &number_keys[i];
		if (((!section && !k->section) || (section && k->section && !strcmp(section, k->section))) &&
		    !strcmp(name, k->name))
			return k;
	}
	return NULL;
}

/* An interface name the kernel takes: 1-15 bytes, no '/', ':', space or
 * '%' (a pattern would let the kernel pick, and the daemon must know it). */
static int get_ifname(struct loader *l, const struct conf_node *n, char *buf, size_t len)
{
	const struct conf_item *it = single(l, n);

	if (!it)
		return -1;
	if (it->len == 0 || it->len >= len || it->len >= 16)
		return fail(l, n, it->line, it->col, "'%s' must be an interface name of 1 to 15 characters",
			    n->name);
	if (strpbrk(it->text, "/: \t%") || !strcmp(it->text, ".") || !strcmp(it->text, ".."))
		return fail(l, n, it->line, it->col, "'%s' is not a valid interface name", n->name);
	memcpy(buf, it->text, it->len + 1);
	return 0;
}

/* userspace { tun = per-session | shared; shared_interface = NAME } */
static int load_userspace(struct loader *l, const struct conf_node *n, struct l2tpd_config *c)
{
	if (!strcmp(n->name, "tun")) {
		char v[16];
		if (get_string(l, n, v, sizeof(v)))
			return -1;
		if (!strcmp(v, "per-session"))
			c->userspace_tun = USERSPACE_TUN_PER_SESSION;
		else if (!strcmp(v, "shared"))
			c->userspace_tun = USERSPACE_TUN_SHARED;
		else
			return fail(l, n, n->items[0].line, n->items[0].col,
				    "expected per-session or shared for 'tun'");
		return 0;
	}
	if (!strcmp(n->name, "shared_interface"))
		return get_ifname(l, n, c->userspace_shared_interface,
				  sizeof(c->userspace_shared_interface));
	return fail(l, n, n->line, n->col, "unknown setting '%s' in this section", n->name);
}

/* auth { provider = local | radius }: who knows the users (docs/auth.md).
 * radius needs a radius { } block with a server (checked after the whole
 * file: the blocks may come in any order). */
static int load_auth(struct loader *l, const struct conf_node *n, struct l2tpd_config *c)
{
	char v[16];

	if (strcmp(n->name, "provider") != 0)
		return fail(l, n, n->line, n->col, "unknown setting '%s' in auth (provider)", n->name);
	if (get_string(l, n, v, sizeof(v)))
		return -1;
	if (!strcmp(v, "local")) {
		c->auth_provider = AUTH_PROVIDER_LOCAL;
		return 0;
	}
	if (!strcmp(v, "radius")) {
		c->auth_provider = AUTH_PROVIDER_RADIUS;
		l->provider_node = n;
		return 0;
	}
	return fail(l, n, n->items[0].line, n->items[0].col,
		    "expected local or radius for 'provider'");
}

/* A duration in milliseconds: a number of seconds, or with ms, s, m. */
static int get_duration_ms(struct loader *l, const struct conf_node *n, uint32_t min_ms,
			   uint32_t max_ms, uint32_t *out)
{
	const struct conf_item *it = single(l, n);
	unsigned long long v;
	char *end;

	if (!it)
		return -1;
	errno = 0;
	v = strtoull(it->text, &end, 10);
	if (end == it->text || errno || v > 100000000ull)
		return fail(l, n, it->line, it->col,
			    "expected a duration (seconds, or with ms/s/m) for '%s'", n->name);
	if (!strcmp(end, "ms"))
		;
	else if (!*end || !strcmp(end, "s"))
		v *= 1000;
	else if (!strcmp(end, "m"))
		v *= 60000;
	else
		return fail(l, n, it->line, it->col,
			    "expected a duration (seconds, or with ms/s/m) for '%s'", n->name);
	if (v < min_ms || v > max_ms)
		return fail(l, n, it->line, it->col, "'%s' must be between %ums and %ums", n->name,
			    min_ms, max_ms);
	*out = (uint32_t)v;
	return 0;
}

/* A secret from a file: its first line. The file must not be readable by
 * everyone (the secret signs every answer that admits a user). Read at
 * every load, so a reload takes a changed file. */
static int read_secret_file(struct loader *l, const struct conf_node *n, const char *path,
			    char *out, size_t cap)
{
	const struct conf_item *it = &n->items[0];
	char buf[L2TPD_RADIUS_SECRET_MAX + 3];
	struct stat st;
	ssize_t got;
	size_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return fail(l, n, it->line, it->col, "secret_file %s cannot be read: %s", path,
			    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(l, n, it->line, it->col, "secret_file %s is not a regular file", path);
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		close(fd);
		return fail(l, n, it->line, it->col,
			    "secret_file %s is accessible to everyone (mode %04o): chmod o-rwx it",
			    path, (unsigned)(st.st_mode & 07777));
	}
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0)
		return fail(l, n, it->line, it->col, "secret_file %s cannot be read: %s", path,
			    strerror(errno));
	buf[got] = '\0';
	for (len = 0; len < (size_t)got && buf[len] != '\r' && buf[len] != '\n'; len++)
		if (buf[len] == '\0')
			return fail(l, n, it->line, it->col, "secret_file %s holds a NUL byte",
				    path);
	if (len == 0)
		return fail(l, n, it->line, it->col, "secret_file %s: the secret (its first line) "
			    "is empty", path);
	if (len >= cap || len > L2TPD_RADIUS_SECRET_MAX)
		return fail(l, n, it->line, it->col, "secret_file %s: the secret is longer than %d "
			    "characters", path, L2TPD_RADIUS_SECRET_MAX);
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

/* `secret` or `secret_file` (n, its value it) of a RADIUS server or a DAS
 * client (what, name: for the error): one of the two, once (*have); a
 * literal secret of 1 to L2TPD_RADIUS_SECRET_MAX characters, a file as
 * read_secret_file checks it. out holds L2TPD_RADIUS_SECRET_MAX + 1. */
static int load_secret(struct loader *l, const struct conf_node *n, const struct conf_item *it,
		       const char *what, const char *name, bool *have, char *out, size_t cap)
{
	if (*have)
		return fail(l, n, n->line, n->col, "%s '%s': give secret or secret_file, not both",
			    what, name);
	*have = true;
	if (n->name[6] == '_')
		return read_secret_file(l, n, it->text, out, cap) ? -1 : 0;
	if (it->len == 0 || it->len > L2TPD_RADIUS_SECRET_MAX || it->len >= cap)
		return fail(l, n, it->line, it->col, "'secret' must be 1 to %d characters",
			    L2TPD_RADIUS_SECRET_MAX);
	memcpy(out, it->text, it->len + 1);
	return 0;
}

static int get_port(struct loader *l, const struct conf_node *n, uint16_t *out)
{
	uint32_t v;

	if (get_number(l, n, 65535, 0, &v))
		return -1;
	if (v == 0)
		return fail(l, n, n->items[0].line, n->items[0].col, "'%s' must be 1-65535", n->name);
	*out = (uint16_t)v;
	return 0;
}

/* A RadSec file: an absolute path, readable now (the daemon reads it at
 * every (re)configuration; a missing one would only show at the first
 * login). A private key must not be readable by everyone, like a
 * secret_file: it is what the server knows us by (RFC 6614 2.3). */
static int get_tls_file(struct loader *l, const struct conf_node *n, bool private_key, char *out,
			size_t cap)
{
	const struct conf_item *it = single(l, n);
	struct stat st;
	int fd;

	if (!it)
		return -1;
	if (it->text[0] != '/')
		return fail(l, n, it->line, it->col, "'%s' must be an absolute path", n->name);
	if (it->len >= cap)
		return fail(l, n, it->line, it->col, "'%s' is longer than %zu characters", n->name,
			    cap - 1);
	fd = open(it->text, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return fail(l, n, it->line, it->col, "%s %s cannot be read: %s", n->name, it->text,
			    strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(l, n, it->line, it->col, "%s %s is not a regular file", n->name,
			    it->text);
	}
	close(fd);
	if (private_key && (st.st_mode & (S_IROTH | S_IWOTH)))
		return fail(l, n, it->line, it->col,
			    "%s %s is accessible to everyone (mode %04o): chmod o-rwx it", n->name,
			    it->text, (unsigned)(st.st_mode & 07777));
	memcpy(out, it->text, it->len + 1);
	return 0;
}

/* The RadSec keys of a server block (1: not one of them). sv NULL: only
 * whether it is one (0), for the refusal of one outside a server. */
static int load_radius_tls_key(struct loader *l, const struct conf_node *n,
			       struct radius_server_conf *sv)
{
	struct radius_tls_conf *t = sv ? &sv->tls : NULL;

	if (!sv)
		return strcmp(n->name, "transport") && strcmp(n->name, "ca_file") &&
		       strcmp(n->name, "cert_file") && strcmp(n->name, "key_file") &&
		       strcmp(n->name, "server_name");
	if (!strcmp(n->name, "transport")) {
		const struct conf_item *it = single(l, n);

		if (!it)
			return -1;
		if (!strcmp(it->text, "tls"))
			t->enabled = true;
		else if (!strcmp(it->text, "udp"))
			t->enabled = false;
		else
			return fail(l, n, it->line, it->col, "'transport' is udp or tls");
		return 0;
	}
	if (!strcmp(n->name, "ca_file"))
		return get_tls_file(l, n, false, t->ca_file, sizeof(t->ca_file));
	if (!strcmp(n->name, "cert_file"))
		return get_tls_file(l, n, false, t->cert_file, sizeof(t->cert_file));
	if (!strcmp(n->name, "key_file"))
		return get_tls_file(l, n, true, t->key_file, sizeof(t->key_file));
	if (!strcmp(n->name, "server_name")) {
		const struct conf_item *it = single(l, n);

		if (!it)
			return -1;
		if (it->len == 0 || it->len >= sizeof(t->server_name))
			return fail(l, n, it->line, it->col, "'server_name' must be 1 to %zu "
				    "characters", sizeof(t->server_name) - 1);
		memcpy(t->server_name, it->text, it->len + 1);
		return 0;
	}
	return 1;
}

/* After a server block: what transport = tls needs, and its defaults. */
static int check_radius_tls(struct loader *l, const struct conf_node *sec,
			    struct radius_server_conf *sv, bool have_port[2], bool *have_secret)
{
	const struct radius_tls_conf *t = &sv->tls;

	if (!t->enabled) {
		if (t->ca_file[0] || t->cert_file[0] || t->key_file[0] || t->server_name[0])
			return fail(l, sec, sec->line, sec->col, "RADIUS server '%s': ca_file, "
				    "cert_file, key_file and server_name need transport = tls",
				    sec->name);
		return 0;
	}
	/* secure by default: no TLS without verifying the server */
	if (!t->ca_file[0])
		return fail(l, sec, sec->line, sec->col, "RADIUS server '%s': transport = tls "
			    "needs ca_file (the CA that signed the server's certificate)", sec->name);
	/* RFC 6614 2.3: the client authenticates with a certificate too */
	if (!t->cert_file[0] || !t->key_file[0])
		return fail(l, sec, sec->line, sec->col, "RADIUS server '%s': transport = tls "
			    "needs cert_file and key_file (our certificate, RFC 6614 2.3)",
			    sec->name);
	/* RFC 6614 2.1: port 2083 for both; RFC 6614 2.3: the secret is
	 * "radsec" (TLS protects the packets) unless both ends agree otherwise */
	if (!have_port[0])
		sv->auth_port = 2083;
	if (!have_port[1])
		sv->acct_port = 2083;
	if (!*have_secret) {
		snprintf(sv->secret, sizeof(sv->secret), "radsec");
		*have_secret = true;
	}
	return 0;
}

/* radius { NAME { address = ...  auth_port = 1812  acct_port = 1813
 *                 secret = ... | secret_file = PATH
 *                 transport = udp | tls  ca_file cert_file key_file
 *                 server_name } } */
static int load_radius_server(struct loader *l, const struct conf_node *sec,
			      struct radius_server_conf *sv)
{
	bool have_addr = false, have_secret = false, have_port[2] = { false, false };
	int r;

	memset(sv, 0, sizeof(*sv));
	if (strlen(sec->name) >= sizeof(sv->name))
		return fail(l, sec, sec->line, sec->col, "server name '%s' is too long (at most %zu)",
			    sec->name, sizeof(sv->name) - 1);
	snprintf(sv->name, sizeof(sv->name), "%s", sec->name);
	sv->auth_port = 1812;
	sv->acct_port = 1813;
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *n = sec->child[i];

		if (n->kind == CONF_SECTION)
			return fail(l, n, n->line, n->col, "unexpected section '%s' in RADIUS server "
				    "'%s'", n->name, sec->name);
		if (!strcmp(n->name, "address")) {
			const struct conf_item *it = single(l, n);
			struct sockaddr_in *v4 = (struct sockaddr_in *)&sv->addr;
			struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&sv->addr;

			if (!it)
				return -1;
			if (inet_pton(AF_INET, it->text, &v4->sin_addr) == 1)
				v4->sin_family = AF_INET;
			else if (inet_pton(AF_INET6, it->text, &v6->sin6_addr) == 1)
				v6->sin6_family = AF_INET6;
			else
				return fail(l, n, it->line, it->col,
					    "expected an IPv4 or IPv6 address for 'address'");
			have_addr = true;
		} else if (!strcmp(n->name, "auth_port")) {
			if (get_port(l, n, &sv->auth_port))
				return -1;
			have_port[0] = true;
		} else if (!strcmp(n->name, "acct_port")) {
			if (get_port(l, n, &sv->acct_port))
				return -1;
			have_port[1] = true;
		} else if ((r = load_radius_tls_key(l, n, sv)) <= 0) {
			if (r < 0)
				return -1;
		} else if (!strcmp(n->name, "secret") || !strcmp(n->name, "secret_file")) {
			const struct conf_item *it = single(l, n);

			if (!it || load_secret(l, n, it, "RADIUS server", sec->name, &have_secret,
					       sv->secret, sizeof(sv->secret)))
				return -1;
		} else {
			return fail(l, n, n->line, n->col, "unknown setting '%s' in RADIUS server '%s' "
				    "(address, auth_port, acct_port, secret, secret_file, transport, "
				    "ca_file, cert_file, key_file, server_name)", n->name, sec->name);
		}
	}
	if (!have_addr)
		return fail(l, sec, sec->line, sec->col, "RADIUS server '%s' has no address",
			    sec->name);
	if (check_radius_tls(l, sec, sv, have_port, &have_secret))
		return -1;
	if (!have_secret)
		return fail(l, sec, sec->line, sec->col, "RADIUS server '%s' has no secret (secret "
			    "or secret_file)", sec->name);
	return 0;
}

/* radius { das { NAME { address = ...  secret = ... | secret_file = PATH } } }:
 * a client that may send Disconnect- and CoA-Requests, with the checks of a
 * server's secret (RFC 5176 section 6.1: each client its own secret). */
static int load_das_client(struct loader *l, const struct conf_node *sec,
			   struct das_client_conf *dc)
{
	bool have_addr = false, have_secret = false;

	memset(dc, 0, sizeof(*dc));
	if (strlen(sec->name) >= sizeof(dc->name))
		return fail(l, sec, sec->line, sec->col, "DAS client name '%s' is too long (at most "
			    "%zu)", sec->name, sizeof(dc->name) - 1);
	snprintf(dc->name, sizeof(dc->name), "%s", sec->name);
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *n = sec->child[i];
		const struct conf_item *it = single(l, n);

		if (!it)
			return -1;
		if (!strcmp(n->name, "address")) {
			struct sockaddr_in *v4 = (struct sockaddr_in *)&dc->addr;
			struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&dc->addr;

			if (inet_pton(AF_INET, it->text, &v4->sin_addr) == 1)
				v4->sin_family = AF_INET;
			else if (inet_pton(AF_INET6, it->text, &v6->sin6_addr) == 1)
				v6->sin6_family = AF_INET6;
			else
				return fail(l, n, it->line, it->col,
					    "expected an IPv4 or IPv6 address for 'address'");
			have_addr = true;
		} else if (!strcmp(n->name, "secret") || !strcmp(n->name, "secret_file")) {
			if (load_secret(l, n, it, "DAS client", sec->name, &have_secret, dc->secret,
					sizeof(dc->secret)))
				return -1;
		} else {
			return fail(l, n, n->line, n->col, "unknown setting '%s' in DAS client '%s' "
				    "(address, secret, secret_file)", n->name, sec->name);
		}
	}
	if (!have_addr)
		return fail(l, sec, sec->line, sec->col, "DAS client '%s' has no address", sec->name);
	if (!have_secret)
		return fail(l, sec, sec->line, sec->col, "DAS client '%s' has no secret (secret or "
			    "secret_file)", sec->name);
	return 0;
}

/* radius { das { listen  port  window  allow_no_event_timestamp
 * require_message_authenticator  NAME { ... } } } (docs/radius.md
 * "Dynamic authorization") */
static int load_radius_das(struct loader *l, const struct conf_node *sec, struct das_conf *d)
{
	if (sec->kind != CONF_SECTION)
		return fail(l, sec, sec->line, sec->col, "'das' is a block: radius { das { NAME { "
			    "address = ...  secret_file = ... } } }");
	d->enabled = true;
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *n = sec->child[i];
		int rc = 0;

		if (n->kind == CONF_SECTION) {
			if (d->n_clients == L2TPD_DAS_MAX_CLIENTS)
				return fail(l, n, n->line, n->col, "at most %d DAS clients",
					    L2TPD_DAS_MAX_CLIENTS);
			if (load_das_client(l, n, &d->clients[d->n_clients]))
				return -1;
			d->n_clients++;
			continue;
		}
		if (!strcmp(n->name, "listen")) {
			if (n->kind != CONF_VALUE || n->n_items == 0 ||
			    n->n_items > L2TPD_DAS_MAX_LISTEN)
				return fail(l, n, n->line, n->col, "'listen' takes 1 to %d addresses",
					    L2TPD_DAS_MAX_LISTEN);
			for (uint32_t k = 0; k < n->n_items; k++) {
				const struct conf_item *it = &n->items[k];
				struct sockaddr_storage *ss = &d->listen[k];

				memset(ss, 0, sizeof(*ss));
				if (inet_pton(AF_INET, it->text,
					      &((struct sockaddr_in *)ss)->sin_addr) == 1)
					ss->ss_family = AF_INET;
				else if (inet_pton(AF_INET6, it->text,
						   &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
					ss->ss_family = AF_INET6;
				else
					return fail(l, n, it->line, it->col, "expected an IPv4 or IPv6 "
						    "address for 'listen'");
			}
			d->n_listen = n->n_items;
		} else if (!strcmp(n->name, "port")) {
			rc = get_port(l, n, &d->port);
		} else if (!strcmp(n->name, "window")) {
			rc = get_number(l, n, 86400, 1, &d->window_s);
			if (!rc && d->window_s == 0)
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "'window' must be 1s to 24h");
		} else if (!strcmp(n->name, "allow_no_event_timestamp")) {
			rc = get_bool(l, n, &d->allow_no_event_timestamp);
		} else if (!strcmp(n->name, "require_message_authenticator")) {
			rc = get_bool(l, n, &d->require_message_authenticator);
		} else {
			rc = fail(l, n, n->line, n->col, "unknown setting '%s' in radius.das (listen, "
				  "port, window, allow_no_event_timestamp, "
				  "require_message_authenticator, or a client's block)", n->name);
		}
		if (rc)
			return -1;
	}
	if (d->n_clients == 0)
		return fail(l, sec, sec->line, sec->col, "radius.das: no client (a block NAME { "
			    "address = ...  secret_file = ... })");
	return 0;
}

/* nas_ip_address = 192.0.2.1 [, 2001:db8::1]: at most one of each family */
static int get_nas_ip(struct loader *l, const struct conf_node *n, struct radius_conf *r)
{
	if (n->kind != CONF_VALUE || n->n_items == 0 || n->n_items > 2)
		return fail(l, n, n->line, n->col, "'%s' takes an IPv4 address, an IPv6 address or "
			    "one of each", n->name);
	for (uint32_t i = 0; i < n->n_items; i++) {
		const struct conf_item *it = &n->items[i];

		if (!r->has_nas_ipv4 && inet_pton(AF_INET, it->text, &r->nas_ipv4) == 1)
			r->has_nas_ipv4 = true;
		else if (!r->has_nas_ipv6 && inet_pton(AF_INET6, it->text, &r->nas_ipv6) == 1)
			r->has_nas_ipv6 = true;
		else
			return fail(l, n, it->line, it->col, "expected an IPv4 address, an IPv6 address "
				    "or one of each for '%s'", n->name);
	}
	return 0;
}

/* radius.accounting_spool names a file in a directory: its rewrites go to
 * <name>.new beside it (radius/spool_file.h), so the last component must
 * be a file name, and that name plus ".new" one the file system takes. */
static bool spool_name_ok(const char *path)
{
	const char *base = strrchr(path, '/');

	return base && base[1] && strcmp(base + 1, ".") && strcmp(base + 1, "..") &&
	       strlen(base + 1) + sizeof(".new") <= NAME_MAX + 1;
}

/* radius { NAME { ... } ...  nas_identifier  nas_ip_address  timeout
 * max_timeout  tries  dead_time  load_share  require_message_authenticator
 * accounting  interim_interval  accounting_spool } (docs/radius.md) */
static int load_radius(struct loader *l, const struct conf_node *sec, struct l2tpd_config *c)
{
	struct radius_conf *r = &c->radius;

	l->radius_node = sec;
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *n = sec->child[i];
		int rc;

		if (!strcmp(n->name, "das")) {		/* dynamic authorization (dynauth.h) */
			if (load_radius_das(l, n, &c->das))
				return -1;
			continue;
		}
		if (n->kind == CONF_SECTION) {
			if (r->n_servers == L2TPD_RADIUS_MAX_SERVERS)
				return fail(l, n, n->line, n->col, "at most %d RADIUS servers",
					    L2TPD_RADIUS_MAX_SERVERS);
			if (load_radius_server(l, n, &r->servers[r->n_servers]))
				return -1;
			r->n_servers++;
			continue;
		}
		if (!strcmp(n->name, "nas_identifier")) {
			rc = get_string(l, n, r->nas_identifier, sizeof(r->nas_identifier));
		} else if (!strcmp(n->name, "nas_ip_address")) {
			rc = get_nas_ip(l, n, r);
		} else if (!strcmp(n->name, "timeout")) {
			rc = get_duration_ms(l, n, 10, 60000, &r->timeout_ms);
		} else if (!strcmp(n->name, "max_timeout")) {
			rc = get_duration_ms(l, n, 10, 600000, &r->max_timeout_ms);
		} else if (!strcmp(n->name, "dead_time")) {
			rc = get_duration_ms(l, n, 100, 86400000, &r->dead_time_ms);
		} else if (!strcmp(n->name, "tries")) {
			rc = get_number(l, n, 20, 0, &r->tries);
			if (!rc && r->tries == 0)
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "'tries' must be 1-20");
		} else if (!strcmp(n->name, "load_share")) {
			rc = get_bool(l, n, &r->load_share);
		} else if (!strcmp(n->name, "require_message_authenticator")) {
			rc = get_bool(l, n, &r->require_message_authenticator);
		} else if (!strcmp(n->name, "accounting")) {
			rc = get_bool(l, n, &r->accounting);
		} else if (!strcmp(n->name, "interim_interval")) {
			rc = get_number(l, n, 86400 * 7, 1, &r->interim_interval);
			/* RFC 2869 section 5.16: not below 60 seconds */
			if (!rc && r->interim_interval && r->interim_interval < 60)
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "'interim_interval' must be 0 (none) or at least 60s "
					  "(RFC 2869 5.16)");
		} else if (!strcmp(n->name, "accounting_spool")) {
			rc = get_string(l, n, r->accounting_spool, sizeof(r->accounting_spool));
			if (!rc && r->accounting_spool[0] != '/')
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "'accounting_spool' must be an absolute path");
			else if (!rc && !spool_name_ok(r->accounting_spool))
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "'accounting_spool' must name a file in a directory "
					  "(e.g. /var/lib/l2tpd/accounting.spool)");
		} else if (!strcmp(n->name, "address") || !strcmp(n->name, "secret") ||
			   !strcmp(n->name, "secret_file") || !strcmp(n->name, "auth_port") ||
			   !strcmp(n->name, "acct_port") || load_radius_tls_key(l, n, NULL) == 0) {
			rc = fail(l, n, n->line, n->col, "'%s' belongs in a server's block: radius { "
				  "NAME { %s = ... } }", n->name, n->name);
		} else {
			rc = fail(l, n, n->line, n->col, "unknown setting '%s' in radius", n->name);
		}
		if (rc)
			return -1;
	}
	if (r->n_servers == 0)
		return fail(l, sec, sec->line, sec->col, "radius: no server (a block NAME { address "
			    "= ...  secret_file = ... })");
	return 0;
}

/* internet_filter { interfaces = eth0, eth1   icmp = no } */
static int load_internet_filter(struct loader *l, const struct conf_node *n,
				struct l2tpd_config *c)
{
	struct edge_filter_config *f = &c->internet_filter;

	if (!strcmp(n->name, "icmp"))
		return get_bool(l, n, &f->icmp);
	if (strcmp(n->name, "interfaces") != 0)
		return fail(l, n, n->line, n->col,
			    "unknown setting '%s' in internet_filter (interfaces, icmp)", n->name);
	if (n->kind != CONF_VALUE || n->n_items == 0)
		return fail(l, n, n->line, n->col, "'interfaces' needs interface names");
	if (n->n_items > EDGE_FILTER_MAX_IF)
		return fail(l, n, n->items[EDGE_FILTER_MAX_IF].line, n->items[EDGE_FILTER_MAX_IF].col,
			    "at most %d interfaces", EDGE_FILTER_MAX_IF);
	for (uint32_t i = 0; i < n->n_items; i++) {
		if (!edge_filter_ifname_ok(n->items[i].text))
			return fail(l, n, n->items[i].line, n->items[i].col,
				    "not an interface name (1-15 of A-Z a-z 0-9 _ . : @ -)");
		snprintf(f->interfaces[i], sizeof(f->interfaces[i]), "%s", n->items[i].text);
	}
	f->n_interfaces = n->n_items;
	return 0;
}

/* metrics { listen = 127.0.0.1:9568 (or [::1]:9568)  per_session = no } */
static int load_metrics(struct loader *l, const struct conf_node *n, struct l2tpd_config *c)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&c->metrics_listen;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&c->metrics_listen;
	char v[80], addr[64], *colon, *end;
	unsigned long port;

	if (!strcmp(n->name, "per_session"))
		return get_bool(l, n, &c->metrics_per_session);
	if (strcmp(n->name, "listen") != 0)
		return fail(l, n, n->line, n->col,
			    "unknown setting '%s' in metrics (listen, per_session)", n->name);
	if (get_string(l, n, v, sizeof(v)))
		return -1;
	colon = strrchr(v, ':');
	if (!colon)
		goto bad;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end || port == 0 || port > 65535)
		goto bad;
	if (v[0] == '[' && colon > v + 1 && colon[-1] == ']') {
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - v - 2), v + 1);
		memset(&c->metrics_listen, 0, sizeof(c->metrics_listen));
		if (inet_pton(AF_INET6, addr, &v6->sin6_addr) != 1)
			goto bad;
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	snprintf(addr, sizeof(addr), "%.*s", (int)(colon - v), v);
	memset(&c->metrics_listen, 0, sizeof(c->metrics_listen));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) != 1)
		goto bad;
	v4->sin_family = AF_INET;
	v4->sin_port = htons((uint16_t)port);
	return 0;
bad:
	return fail(l, n, n->items[0].line, n->items[0].col,
		    "expected ADDRESS:PORT or [IPv6]:PORT for metrics listen");
}

static int load_subsection(struct loader *l, const struct conf_node *sec, struct l2tpd_config *c)
{
	for (uint32_t i = 0; i < sec->n_child; i++) {
		const struct conf_node *n = sec->child[i];
		const struct number_key *k = find_number(sec->name, n->name);

		if (!strcmp(sec->name, "userspace")) {
			if (load_userspace(l, n, c))
				return -1;
		} else if (!strcmp(sec->name, "internet_filter")) {
			if (load_internet_filter(l, n, c))
				return -1;
		} else if (!strcmp(sec->name, "metrics")) {
			if (load_metrics(l, n, c))
				return -1;
		} else if (!strcmp(sec->name, "auth")) {
			if (load_auth(l, n, c))
				return -1;
		} else if (k) {
			if (load_number(l, n, k, c))
				return -1;
		} else if (!strcmp(sec->name, "ppp") && !strcmp(n->name, "mss_clamp")) {
			if (get_bool(l, n, &c->mss_clamp))
				return -1;
		} else if (!strcmp(sec->name, "ppp") && !strcmp(n->name, "name")) {
			/* reserved for the CHAP name; host_name is used today */
			if (get_string(l, n, c->host_name, sizeof(c->host_name)))
				return -1;
		} else {
			return fail(l, n, n->line, n->col, "unknown setting '%s' in this section", n->name);
		}
	}
	return 0;
}

static int load_top(struct loader *l, const struct conf_node *top, struct l2tpd_config *c)
{
	for (uint32_t i = 0; i < top->n_child; i++) {
		const struct conf_node *n = top->child[i];
		const struct number_key *k = find_number(NULL, n->name);
		int rc = 0;

		if (n->kind == CONF_SECTION && !strcmp(n->name, "radius")) {
			rc = load_radius(l, n, c);
		} else if (n->kind == CONF_SECTION) {
			if (strcmp(n->name, "limits") && strcmp(n->name, "timers") && strcmp(n->name, "ppp") &&
			    strcmp(n->name, "userspace") && strcmp(n->name, "internet_filter") &&
			    strcmp(n->name, "metrics") && strcmp(n->name, "auth"))
				return fail(l, n, n->line, n->col,
					    "unknown section '%s' (expected limits, timers, ppp, userspace, "
					    "internet_filter, metrics, auth or radius)", n->name);
			rc = load_subsection(l, n, c);
		} else if (k) {
			rc = load_number(l, n, k, c);
		} else if (!strcmp(n->name, "listen")) {
			rc = get_listen(l, n, c);
		} else if (!strcmp(n->name, "dataplane")) {
			char v[16];
			rc = get_string(l, n, v, sizeof(v));
			if (!rc && !strcmp(v, "auto"))
				c->dataplane = DP_AUTO;
			else if (!rc && !strcmp(v, "kernel"))
				c->dataplane = DP_KERNEL;
			else if (!rc && !strcmp(v, "userspace"))
				c->dataplane = DP_USERSPACE;
			else if (!rc)
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "expected auto, kernel or userspace for '%s'", n->name);
		} else if (!strcmp(n->name, "control_socket")) {
			rc = get_string(l, n, c->control_socket, sizeof(c->control_socket));
		} else if (!strcmp(n->name, "control_group")) {
			rc = get_string(l, n, c->control_group, sizeof(c->control_group));
		} else if (!strcmp(n->name, "log_level")) {
			char v[16];
			rc = get_string(l, n, v, sizeof(v));
			if (!rc && log_level_parse(v, &c->log_level))
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "expected error, warning, notice, info or debug for '%s'", n->name);
		} else if (!strcmp(n->name, "require_ipsec")) {
			rc = get_bool(l, n, &c->require_ipsec);
		} else if (!strcmp(n->name, "ipsec_socket")) {
			rc = get_string(l, n, c->ipsec_socket, sizeof(c->ipsec_socket));
		} else if (!strcmp(n->name, "ipsec_delete_on_disconnect")) {
			rc = get_bool(l, n, &c->ipsec_delete_on_disconnect);
		} else if (!strcmp(n->name, "local_address")) {
			char v[64];
			rc = get_string(l, n, v, sizeof(v));
			if (!rc && inet_pton(AF_INET, v, &c->local_address) != 1)
				rc = fail(l, n, n->items[0].line, n->items[0].col,
					  "expected an IPv4 address for '%s'", n->name);
		} else if (!strcmp(n->name, "host_name")) {
			rc = get_string(l, n, c->host_name, sizeof(c->host_name));
		} else if (!strcmp(n->name, "tunnel_secret")) {
			rc = get_string(l, n, c->tunnel_secret, sizeof(c->tunnel_secret));
		} else {
			rc = fail(l, n, n->line, n->col, "unknown setting '%s'", n->name);
		}
		if (rc)
			return -1;
	}
	return 0;
}

/* Parse, then load and check: the one path of config_load and
 * config_load_buffer. */
static int load(const char *path, const void *buf, size_t len, bool no_include,
		struct l2tpd_config *out, char *err, size_t errlen)
{
	struct loader l = { .err = err, .errlen = errlen };
	struct conf_opts opts = { .no_include = no_include,
				  .max_include_depth = CONF_DEFAULT_INCLUDE_DEPTH,
				  .max_file_size = 1u << 20 };
	struct policy_error perr;
	struct conf_node *root, *top;
	struct l2tpd_config c;
	struct arena a;
	int rc = -1;

	config_defaults(&c);
	arena_init(&a);
	if ((buf ? conf_parse_buffer(&a, path, buf, len, &opts, &root, &perr)
		 : conf_parse_file(&a, path, &opts, &root, &perr)) != 0) {
		snprintf(err, errlen, "%s", perr.msg);
		goto out;
	}
	for (uint32_t i = 0; i < root->n_child; i++) {
		const struct conf_node *n = root->child[i];
		if (strcmp(n->name, "l2tpd") != 0 || n->kind != CONF_SECTION) {
			fail(&l, n, n->line, n->col, "unknown top-level '%s' (expected l2tpd { ... })", n->name);
			goto out;
		}
	}
	top = conf_find(root, "l2tpd");
	if (top && load_top(&l, top, &c))
		goto out;
	if (c.auth_provider == AUTH_PROVIDER_RADIUS && c.radius.n_servers == 0) {
		const struct conf_node *n = l.provider_node;

		fail(&l, n, n->items[0].line, n->items[0].col,
		     "provider = radius needs a radius { } block with a server");
		goto out;
	}
	if (c.radius.n_servers && c.radius.max_timeout_ms < c.radius.timeout_ms) {
		fail(&l, l.radius_node, l.radius_node->line, l.radius_node->col,
		     "radius: max_timeout must be >= timeout");
		goto out;
	}
	if (c.retransmit_initial == 0 || c.retransmit_max < c.retransmit_initial) {
		snprintf(err, errlen, "%s: timers: retransmit_max must be >= retransmit_initial >= 1", path);
		goto out;
	}
	if (c.path_mtu < 576 || (c.mru != 0 && c.mru < 576)) {
		snprintf(err, errlen, "%s: ppp: path_mtu and mru must be at least 576 (RFC 791)", path);
		goto out;
	}
	if (c.max_sessions == 0 || c.max_tunnels == 0) {
		snprintf(err, errlen, "%s: limits: tunnels and sessions must be at least 1", path);
		goto out;
	}
	if (c.control_connections == 0 || c.control_idle == 0) {
		snprintf(err, errlen, "%s: control_connections and control_idle must be at least 1",
			 path);
		goto out;
	}
	if (c.login_backoff == 0 || c.login_backoff_max < c.login_backoff) {
		snprintf(err, errlen, "%s: timers: login_backoff_max must be >= login_backoff >= 1",
			 path);
		goto out;
	}
	if (c.max_half_open == 0 || c.max_preauth_per_tunnel == 0) {
		/* 0 would refuse every tunnel or every call */
		snprintf(err, errlen, "%s: limits: half_open_tunnels and "
			 "preauth_sessions_per_tunnel must be at least 1", path);
		goto out;
	}
	*out = c;
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

int config_load(const char *path, struct l2tpd_config *out, char *err, size_t errlen)
{
	return load(path, NULL, 0, false, out, err, errlen);
}

int config_load_buffer(const char *name, const void *buf, size_t len, struct l2tpd_config *out,
		       char *err, size_t errlen)
{
	return load(name, buf ? buf : "", len, true, out, err, errlen);
}
