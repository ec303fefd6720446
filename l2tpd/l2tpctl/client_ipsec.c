/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the server's swanctl.conf for l2tpctl client-config. The file has
 * the syntax our policy file uses (lib/conf.h parses both), so the same
 * parser reads it, includes and all. See client_ipsec.h.
 */
#include "client_ipsec.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nettle/base64.h>

#include "arena.h"
#include "conf.h"

#define MAX_FOUND 16

/* The first item of key `name` in section sec, or NULL. */
static const char *value(const struct conf_node *sec, const char *name)
{
	const struct conf_node *n = sec ? conf_find(sec, name) : NULL;

	if (!n || n->kind != CONF_VALUE || n->n_items == 0)
		return NULL;
	return n->items[0].text;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A child that carries L2TP: transport mode, local_ts naming udp/1701. */
static bool child_is_l2tp(const struct conf_node *child)
{
	const struct conf_node *ts = conf_find(child, "local_ts");
	const char *mode = value(child, "mode");

	if (child->kind != CONF_SECTION || !ts || ts->kind != CONF_VALUE)
		return false;
	if (mode && strcmp(mode, "transport") != 0)
		return false;
	for (uint32_t i = 0; i < ts->n_items; i++)
		if (strstr(ts->items[i].text, "udp/1701"))
			return true;
	return false;
}

/* IKEv1 (the built-in L2TP/IPsec clients speak nothing else) with an L2TP child. */
static bool connection_is_l2tp(const struct conf_node *conn)
{
	const struct conf_node *children = conf_find(conn, "children");
	const char *version = value(conn, "version");

	if (conn->kind != CONF_SECTION || !children || children->kind != CONF_SECTION)
		return false;
	if (version && strcmp(version, "1") != 0 && strcmp(version, "0") != 0)
		return false;
	for (uint32_t i = 0; i < children->n_child; i++)
		if (child_is_l2tp(children->child[i]))
			return true;
	return false;
}

/* The local (our) authentication round: section "local" or "local-*". */
static const struct conf_node *local_round(const struct conf_node *conn)
{
	for (uint32_t i = 0; i < conn->n_child; i++) {
		const struct conf_node *n = conn->child[i];

		if (n->kind == CONF_SECTION &&
		    (strcmp(n->name, "local") == 0 || starts_with(n->name, "local-")))
			return n;
	}
	return NULL;
}

static const struct conf_node *remote_round(const struct conf_node *conn)
{
	for (uint32_t i = 0; i < conn->n_child; i++) {
		const struct conf_node *n = conn->child[i];

		if (n->kind == CONF_SECTION &&
		    (strcmp(n->name, "remote") == 0 || starts_with(n->name, "remote-")))
			return n;
	}
	return NULL;
}

static int auth_kind(const struct conf_node *conn, enum client_ipsec_auth *kind)
{
	const char *auth = value(local_round(conn), "auth");

	if (!auth)
		return -1;
	if (strcmp(auth, "psk") == 0) {
		*kind = CLIENT_IPSEC_PSK;
		return 0;
	}
	if (strcmp(auth, "pubkey") == 0 || starts_with(auth, "rsa") || starts_with(auth, "ecdsa")) {
		*kind = CLIENT_IPSEC_CERT;
		return 0;
	}
	return -1;
}

static bool printable_text(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			return false;
	return true;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * A swanctl secret as the key a user types: plain text, or 0x hex / 0s
 * base64 (swanctl.conf(5)) that decodes to printable text. The built-in
 * clients take the key as text, so a binary key cannot be given to them.
 */
static int decode_secret(const char *s, char *out, size_t cap, char *err, size_t errlen)
{
	uint8_t buf[256];
	size_t n = 0, len = strlen(s);

	if (starts_with(s, "0x")) {
		for (size_t i = 2; i + 1 < len && n < sizeof(buf); i += 2) {
			int hi = hexval(s[i]), lo = hexval(s[i + 1]);

			if (hi < 0 || lo < 0)
				goto bad;
			buf[n++] = (uint8_t)(hi << 4 | lo);
		}
		if (len % 2)
			goto bad;
	} else if (starts_with(s, "0s")) {
		struct base64_decode_ctx ctx;
		size_t dst = sizeof(buf);

		if (BASE64_DECODE_LENGTH(len - 2) > sizeof(buf))
			goto bad;
		base64_decode_init(&ctx);
		if (!base64_decode_update(&ctx, &dst, buf, len - 2, s + 2) ||
		    !base64_decode_final(&ctx))
			goto bad;
		n = dst;
	} else {
		n = len < sizeof(buf) ? len : sizeof(buf);
		memcpy(buf, s, n);
	}
	if (n == 0 || n >= cap || !printable_text(buf, n)) {
		snprintf(err, errlen, "the IKE secret is not printable text of 1 to %zu characters: "
			 "the built-in clients take the pre-shared key as typed text", cap - 1);
		return -1;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
bad:
	snprintf(err, errlen, "the IKE secret's 0x/0s encoding does not decode");
	return -1;
}

/* The IKE pre-shared key: the one ike-* secret, or the one without ids. */
static int find_psk(const struct conf_node *root, const char *path, char *out, size_t cap,
		    char *err, size_t errlen)
{
	const struct conf_node *secrets = conf_find(root, "secrets");
	const struct conf_node *all[MAX_FOUND], *anyone[MAX_FOUND];
	unsigned n_all = 0, n_anyone = 0;

	for (uint32_t i = 0; secrets && secrets->kind == CONF_SECTION && i < secrets->n_child; i++) {
		const struct conf_node *s = secrets->child[i];
		bool has_id = false;

		if (s->kind != CONF_SECTION || !starts_with(s->name, "ike") || !value(s, "secret"))
			continue;
		for (uint32_t k = 0; k < s->n_child; k++)
			if (starts_with(s->child[k]->name, "id"))
				has_id = true;
		if (n_all < MAX_FOUND)
			all[n_all++] = s;
		if (!has_id && n_anyone < MAX_FOUND)
			anyone[n_anyone++] = s;
	}
	if (n_all == 1)
		return decode_secret(value(all[0], "secret"), out, cap, err, errlen);
	if (n_anyone == 1)
		return decode_secret(value(anyone[0], "secret"), out, cap, err, errlen);
	snprintf(err, errlen, "%s: %s", path,
		 n_all == 0 ? "no IKE secret (secrets { ike-NAME { secret = ... } })"
			    : "several IKE secrets and not exactly one without an id: "
			      "the built-in clients send no identity to choose by");
	return -1;
}

/* swanctl resolves relative certificate names in x509ca/ beside swanctl.conf. */
static void resolve_ca(const char *swanctl_path, const char *name, char *out, size_t cap)
{
	const char *slash = strrchr(swanctl_path, '/');
	int dir_len = slash ? (int)(slash - swanctl_path) : 1;

	if (name[0] == '/')
		snprintf(out, cap, "%s", name);
	else
		snprintf(out, cap, "%.*s/x509ca/%s", dir_len, slash ? swanctl_path : ".", name);
}

static void list_names(const struct conf_node **found, unsigned n, char *buf, size_t cap)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < n && off < cap; i++) {
		int w = snprintf(buf + off, cap - off, "%s%s", i ? ", " : "", found[i]->name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
}

int client_ipsec_find(const char *swanctl_path, const char *connection, const char *auth,
		      struct client_ipsec *out, char *err, size_t errlen)
{
	struct conf_opts opts = {.max_include_depth = CONF_DEFAULT_INCLUDE_DEPTH,
				 .max_file_size = CONF_DEFAULT_MAX_FILE};
	const struct conf_node *found[MAX_FOUND];
	const struct conf_node *root, *conns, *pick = NULL;
	struct conf_node *parsed;
	struct policy_error perr;
	enum client_ipsec_auth want = CLIENT_IPSEC_PSK;
	unsigned n = 0;
	struct arena a;
	int rc = -1;

	if (auth && strcmp(auth, "psk") == 0) {
		want = CLIENT_IPSEC_PSK;
	} else if (auth && strcmp(auth, "cert") == 0) {
		want = CLIENT_IPSEC_CERT;
	} else if (auth) {
		snprintf(err, errlen, "--ipsec must be psk or cert, not '%s'", auth);
		return -1;
	}
	memset(out, 0, sizeof(*out));
	arena_init(&a);
	if (conf_parse_file(&a, swanctl_path, &opts, &parsed, &perr) != 0) {
		snprintf(err, errlen, "%s", perr.msg);
		goto done;
	}
	root = parsed;
	conns = conf_find(root, "connections");
	for (uint32_t i = 0; conns && conns->kind == CONF_SECTION && i < conns->n_child; i++) {
		const struct conf_node *c = conns->child[i];
		enum client_ipsec_auth kind;

		if (!connection_is_l2tp(c) || auth_kind(c, &kind) != 0)
			continue;
		if (connection && strcmp(c->name, connection) != 0)
			continue;
		if (auth && kind != want)
			continue;
		if (n < MAX_FOUND)
			found[n++] = c;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: no L2TP/IPsec connection%s%s%s%s (IKEv1, a transport-mode "
			 "child with local_ts ...[udp/1701], local auth psk or pubkey)",
			 swanctl_path, connection ? " named " : "", connection ? connection : "",
			 auth ? " with auth " : "", auth ? auth : "");
		goto done;
	}
	if (n > 1) {
		char names[512];

		list_names(found, n, names, sizeof(names));
		snprintf(err, errlen, "%s: several L2TP/IPsec connections (%s): choose one with "
			 "--connection NAME or --ipsec psk|cert", swanctl_path, names);
		goto done;
	}
	pick = found[0];
	snprintf(out->connection, sizeof(out->connection), "%s", pick->name);
	(void)auth_kind(pick, &out->auth);
	if (out->auth == CLIENT_IPSEC_PSK) {
		if (find_psk(root, swanctl_path, out->psk, sizeof(out->psk), err, errlen) != 0)
			goto done;
	} else {
		const char *id = value(local_round(pick), "id");
		const char *ca = value(remote_round(pick), "cacerts");

		snprintf(out->server_id, sizeof(out->server_id), "%s", id ? id : "");
		if (ca)
			resolve_ca(swanctl_path, ca, out->ca_file, sizeof(out->ca_file));
	}
	rc = 0;
done:
	arena_free(&a);
	return rc;
}
