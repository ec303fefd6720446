/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "select.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ipsec.h"
#include "log.h"
#include "net.h"
#include "server.h"
#include "session.h"
#include "text.h"

static const struct {
	const char *name;
	enum session_sort sort;
} sort_keys[] = {
	{ "id", SORT_ID }, { "user", SORT_USER }, { "address", SORT_ADDRESS },
	{ "peer", SORT_PEER }, { "interface", SORT_INTERFACE }, { "policy", SORT_POLICY },
	{ "uptime", SORT_UPTIME },
};

int session_filter_parse(struct session_filter *f, int argc, char **argv, char *err,
			 size_t errlen)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *v = eq ? eq + 1 : NULL;

		if (!strcmp(argv[i], "all")) {
			f->all = true;
			continue;
		}
		if (!eq || !*v) {
			snprintf(err, errlen, "expected key=value, got '%.64s'", argv[i]);
			return -1;
		}
		*eq = 0;
		/* each key once: a second value would silently win or lose */
		for (int j = 0; j < i; j++) {
			if (!strcmp(argv[j], argv[i])) {
				snprintf(err, errlen, "'%.32s' given twice", argv[i]);
				return -1;
			}
		}
		if (!strcmp(argv[i], "user")) {
			f->user = v;
		} else if (!strcmp(argv[i], "address")) {
			f->address = v;
		} else if (!strcmp(argv[i], "peer")) {
			f->peer = v;
		} else if (!strcmp(argv[i], "interface")) {
			f->interface = v;
		} else if (!strcmp(argv[i], "policy")) {
			f->policy = v;
		} else if (!strcmp(argv[i], "session")) {
			unsigned t, s;
			char extra;
			if (sscanf(v, "%u/%u%c", &t, &s, &extra) != 2 || t > 65535 || s > 65535) {
				snprintf(err, errlen, "expected session=TUNNEL/SESSION, e.g. 1234/5678");
				return -1;
			}
			f->by_id = true;
			f->tunnel_id = (uint16_t)t;
			f->session_id = (uint16_t)s;
		} else if (!strcmp(argv[i], "sort")) {
			size_t k;
			for (k = 0; k < sizeof(sort_keys) / sizeof(sort_keys[0]); k++)
				if (!strcmp(v, sort_keys[k].name))
					break;
			if (k == sizeof(sort_keys) / sizeof(sort_keys[0])) {
				snprintf(err, errlen, "unknown sort key '%.32s' (id, user, address, "
					 "peer, interface, policy, uptime)", v);
				return -1;
			}
			f->sort = sort_keys[k].sort;
		} else {
			snprintf(err, errlen, "unknown selector '%.32s' (user, address, peer, "
				 "interface, policy, session, sort)", argv[i]);
			return -1;
		}
	}
	return 0;
}

bool session_filter_selects(const struct session_filter *f)
{
	return f->all || f->user || f->address || f->peer || f->interface || f->policy || f->by_id;
}

static const char *ifname_of(struct server *srv, const struct session *s)
{
	const char *n = s->dp ? srv->dp_ops->session_ifname(srv->dp, s->dp) : NULL;
	return n ? n : "";
}

/* peer=IP matches the tunnel's peer at any port, peer=IP:PORT one port
 * (net_addr_str's form: [v6]:port for IPv6). */
static bool peer_match(const struct session *s, const char *want)
{
	char a[64], *colon;

	net_addr_str(&s->peer, a, sizeof(a));
	if (!strcmp(a, want))
		return true;
	colon = strrchr(a, ':');
	if (!colon)
		return false;
	*colon = 0;
	if (a[0] == '[' && colon[-1] == ']') {
		colon[-1] = 0;
		return !strcmp(a + 1, want);
	}
	return !strcmp(a, want);
}

bool session_filter_match(struct server *srv, const struct session *s,
			  const struct session_filter *f)
{
	if (f->user && strcasecmp(s->user, f->user))
		return false;
	if (f->address) {
		struct in_addr want, have = { htonl(s->peer_addr) };
		if (!s->peer_addr || inet_pton(AF_INET, f->address, &want) != 1 ||
		    want.s_addr != have.s_addr)
			return false;
	}
	if (f->peer && !peer_match(s, f->peer))
		return false;
	if (f->interface && strcmp(ifname_of(srv, s), f->interface))
		return false;
	if (f->policy && strcmp(s->policy_name, f->policy))
		return false;
	if (f->by_id && (s->tunnel_id != f->tunnel_id || s->session_id != f->session_id))
		return false;
	return true;
}

/* qsort has no context argument: the sort runs inside one request on the
 * one event-loop thread, so a file-scope pointer is safe. */
static struct server *sort_srv;
static enum session_sort sort_key;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_sessions(const void *pa, const void *pb)
{
	const struct session *a = *(struct session *const *)pa;
	const struct session *b = *(struct session *const *)pb;
	char x[64], y[64];
	int c = 0;

	switch (sort_key) {
	case SORT_USER: c = strcasecmp(a->user, b->user); break;
	case SORT_ADDRESS: c = cmp_u64(a->peer_addr, b->peer_addr); break;
	case SORT_PEER:
		c = memcmp(&a->peer.addr, &b->peer.addr, sizeof(a->peer.addr));
		if (!c)
			c = cmp_u64(a->peer.port, b->peer.port);
		break;
	case SORT_INTERFACE:
		snprintf(x, sizeof(x), "%s", ifname_of(sort_srv, a));
		snprintf(y, sizeof(y), "%s", ifname_of(sort_srv, b));
		c = strcmp(x, y);
		break;
	case SORT_POLICY: c = strcmp(a->policy_name, b->policy_name); break;
	/* longest up first; sessions not up yet last */
	case SORT_UPTIME: c = cmp_u64(a->up_ms ? a->up_ms : UINT64_MAX,
				      b->up_ms ? b->up_ms : UINT64_MAX); break;
	case SORT_ID: case SORT_NONE: break;
	}
	if (!c)
		c = cmp_u64(((uint32_t)a->tunnel_id << 16) | a->session_id,
			    ((uint32_t)b->tunnel_id << 16) | b->session_id);
	return c;
}

struct session **session_select(struct server *srv, const struct session_filter *f, size_t *n,
				bool *oom)
{
	struct session **v = NULL;
	size_t len = 0, cap = 0;

	*oom = false;
	for (struct session *s = srv->sessions; s; s = s->next) {
		if (!session_filter_match(srv, s, f))
			continue;
		if (len == cap) {
			size_t nc = cap ? cap * 2 : 64;
			struct session **nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				free(v);
				*oom = true;
				*n = 0;
				return NULL;
			}
			v = nv;
			cap = nc;
		}
		v[len++] = s;
	}
	if (len > 1 && f->sort != SORT_NONE) {
		sort_srv = srv;
		sort_key = f->sort;
		qsort(v, len, sizeof(*v), cmp_sessions);
	}
	*n = len;
	return v;
}

int server_disconnect_filter(struct server *srv, const struct session_filter *f)
{
	int n = 0;

	if (!session_filter_selects(f))
		return 0;
	for (struct session *s = srv->sessions; s; s = s->next) {
		if (s->close_requested || !session_filter_match(srv, s, f))
			continue;
		server_admin_disconnect(srv, s);
		n++;
	}
	return n;
}
