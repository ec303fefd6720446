/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which sessions an l2tpctl request means: `sessions` filters and sorts,
 * `disconnect` ends the ones selected. Filtering happens here, in the
 * daemon, so a reply for 100,000 sessions is never built only for the
 * client to throw most of it away. Request words (docs/l2tpd.md, control
 * socket): user=NAME address=A peer=IP[:PORT] interface=IF policy=NAME
 * session=T/S sort=KEY, and "all" for disconnect.
 */
#ifndef L2TPD_SELECT_H
#define L2TPD_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct session;

enum session_sort { SORT_NONE, SORT_ID, SORT_USER, SORT_ADDRESS, SORT_PEER, SORT_INTERFACE,
		    SORT_POLICY, SORT_UPTIME };

struct session_filter {
	const char *user, *address, *peer, *interface, *policy;	/* NULL: any */
	bool by_id;
	uint16_t tunnel_id, session_id;
	bool all;			/* "all": explicitly every session */
	enum session_sort sort;
};

/* Parse request words; -1 with a message in err. The filter points into
 * argv. */
int session_filter_parse(struct session_filter *f, int argc, char **argv, char *err,
			 size_t errlen);
/* Whether the filter names anything (a selector or "all"). */
bool session_filter_selects(const struct session_filter *f);
bool session_filter_match(struct server *srv, const struct session *s,
			  const struct session_filter *f);
/* The matching sessions, sorted; *n their number. NULL with *n = 0 when
 * none or out of memory (*oom set). The caller frees the array. */
struct session **session_select(struct server *srv, const struct session_filter *f, size_t *n,
				bool *oom);
/* Administrative disconnect of every matching session (CDN result 3);
 * returns their number. */
int server_disconnect_filter(struct server *srv, const struct session_filter *f);

#endif
